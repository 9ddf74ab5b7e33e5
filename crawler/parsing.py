"""Parse a saved page offline with a site's parser or the generic one (``dost-archive parse``).

The same path serves fixture tests, so a saved page gives exactly what a crawl would store.
"""

from __future__ import annotations

import os

from scrapy.http import HtmlResponse, TextResponse

from core.urls import host_of
from crawler.articles import build_article
from crawler.extract.generic import extract
from crawler.items import Article, RawArticle
from crawler.normalize.encoding import unreadable
from crawler.platforms.base import ListingEntry
from crawler.plumbing.decoding import decode_truly
from crawler.registry import site_for_host


class ParseError(ValueError):
    """The page cannot be parsed as asked (unknown site, not an article)."""


def spider_class(site: str) -> type:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    try:
        return loader.load(site)
    except KeyError:
        known = ", ".join(sorted(loader.list())) or "none yet"
        raise ParseError(
            f"no parser for site {site!r}; use 'generic' or one of: {known}") from None


def parse_saved_page(site: str, body: bytes, url: str, *,
                     fetched_at: str | None = None) -> Article:
    """Normalized Article for a saved ``body`` that was served at ``url``."""
    # Decoded as a crawl decodes it: charset from meta or the bytes (crawler/normalize/encoding.py)
    response = decode_truly(HtmlResponse(url=url, body=body))
    if not isinstance(response, TextResponse):
        raise ParseError(f"{url}: {unreadable(body) or 'not an HTML page'}")
    if site == "generic":
        # Generic extraction, but the article is still attributed to its site when the
        # registry knows the host (so province and canonical URL come out right).
        known = site_for_host(host_of(url))
        try:
            raw: RawArticle = extract(response.text, url, fetched_at=fetched_at,
                                      site=known.slug if known else host_of(url))
        except Exception as exc:  # an unreadable page gets one line, never a traceback
            raise ParseError(f"{url}: the generic extractor cannot read the page: "
                             f"{type(exc).__name__}: {exc}") from exc
    else:
        spider = spider_class(site)()
        # As a crawl reads it: every known variant of the site's CMS, then the generic
        # extractor (flagged) when none finds the article.
        try:
            raw = spider.read_article(response, ListingEntry(url=url))
        except Exception as exc:  # an unreadable page gets one line, never a traceback
            raise ParseError(f"{url}: {site}'s parser cannot read the page: "
                             f"{type(exc).__name__}: {exc}") from exc
        if fetched_at:
            raw.fetched_at = fetched_at
    try:
        return build_article(raw)
    except ValueError as exc:
        raise ParseError(f"cannot build an article from {url}: {exc}") from exc
