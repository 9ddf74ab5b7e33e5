"""``ArchiveSpider``: what every site spider shares, whatever its CMS.

Spider arguments (``scrapy crawl SITE -a base_url=… -a since=… -a full=1 -a max_pages=N``
and ``dost-archive crawl`` alike):

- ``base_url``: crawl a mirror of the site (e.g. the local test mirror) instead of the site.
  Requests go to the mirror; archived URLs are rewritten back to the site's own URLs, so a
  mirror crawl archives the same canonical URLs as a live one.
- ``since``: ISO date; older articles are not followed.
- ``full``: walk every listing page instead of stopping at known articles.
- ``max_pages``: cap on listing pages per category.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from crawler.items import RawArticle
from crawler.normalize.dates import VN_TZ


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class ArchiveSpider(scrapy.Spider):
    """Base of all spiders. Subclasses set ``name`` (= registry slug) and ``site_url``."""

    #: The site's own root URL, e.g. "https://sokhcn.sonla.gov.vn".
    site_url: str = ""

    def __init__(self, *args: Any, base_url: str | None = None, since: str | None = None,
                 full: Any = False, max_pages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = getattr(self, "site", None) or self.name
        self.base_url = base_url.rstrip("/") if base_url else None
        self.since: date | None = date.fromisoformat(since) if since else None
        self.full = _truthy(full)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        if self.base_url and urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError(f"base_url must be an http(s) URL: {base_url!r}")

    # -- mirror mapping ------------------------------------------------------------------
    def fetch_url(self, url: str) -> str:
        """Where to request ``url`` (a site URL): the site itself or the mirror."""
        if not self.base_url:
            return url
        parts = urlsplit(url)
        mirror = urlsplit(self.base_url)
        return urlunsplit((mirror.scheme, mirror.netloc, mirror.path + parts.path,
                           parts.query, ""))

    def origin_url(self, url: str) -> str:
        """The site URL that a fetched ``url`` stands for (inverse of ``fetch_url``)."""
        if not self.base_url or not url.startswith(self.base_url):
            return url
        site = urlsplit(self.site_url)
        rest = urlsplit(url)
        path = rest.path[len(urlsplit(self.base_url).path):] or "/"
        return urlunsplit((site.scheme, site.netloc, path, rest.query, ""))

    # -- items ---------------------------------------------------------------------------
    def raw_article(self, response: Response, **fields: Any) -> RawArticle:
        """A RawArticle for ``response`` with the site, origin URL and fetch time filled in."""
        fields.setdefault("fetched_at", datetime.now(VN_TZ).isoformat(timespec="seconds"))
        return RawArticle(url=self.origin_url(response.url), site=self.site, **fields)

    def parse_article(self, response: Response) -> RawArticle:
        """Pull the raw fields of one article page. Platform bases implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_article")
