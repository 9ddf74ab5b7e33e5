"""``GenericSpider``: any website of the registry that has no spider of its own.

It discovers article URLs the way a person would look for them — the home page and the
pages it links to (to ``max_depth``), the RSS/Atom feeds the pages announce, and the
sitemaps robots.txt lists (or ``/sitemap.xml``) — and reads every page with the generic
extractor (crawler/extract/generic.py). A page becomes an article only if it looks like one
(a title, enough text, few links); menus, category and static pages are only followed.
Items carry ``extractor = "generic"``. Incremental like the others: links to articles the
archive already holds are not fetched again unless ``full``.

    scrapy crawl generic -a site=haiduong            # a registry website
    scrapy crawl generic -a start_url=https://…/     # any site (province unknown: flagged)
    dost-archive crawl haiduong                      # the same through the CLI
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap

from crawler.extract.generic import analyse
from crawler.normalize.dates import VN_TZ
from crawler.platforms.base import ArchiveSpider
from crawler.registry import load_registry, site_for_host

_SKIP = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|docx?|xlsx?|pptx?|zip|rar|7z|"
                   r"mp[34]|avi|xml)(?:\?|$)", re.IGNORECASE)
_URL_YEAR = re.compile(r"/((?:19|20)\d\d)/(?:0?[1-9]|1[0-2])/")
FEED_TYPES = ("application/rss+xml", "application/atom+xml")


class GenericSpider(ArchiveSpider):
    name = "generic"
    custom_settings = {"CLOSESPIDER_PAGECOUNT": 1000}

    def __init__(self, *args: Any, site: str | None = None, start_url: str | None = None,
                 max_depth: Any = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_path = "/"
        if site:
            info = load_registry().get(site)
            if info is None:
                raise ValueError(f"generic: {site!r} is not a website of the registry")
        elif start_url:
            parts = urlsplit(start_url)
            info = site_for_host(parts.hostname or "")
            self.start_path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            self.site_url = f"{parts.scheme}://{parts.netloc}"
            site = info.slug if info else (parts.hostname or "generic")
        else:
            info = None  # parse-only use (dost-archive parse generic): no crawl
        self.site = site or "generic"
        self.site_info = info
        if info is not None and not start_url:
            self.site_url = f"{info.scheme}://{info.primary_domain}"
        if not self.base_url:
            self.allowed_domains = list(info.domains) if info else (
                [urlsplit(self.site_url).hostname] if self.site_url else [])
        self.max_depth = int(max_depth)

    async def start(self) -> Any:
        if not self.site_url:
            raise ValueError("generic spider needs -a site=SLUG (a registry website) or "
                             "-a start_url=URL")
        self.known = self.load_known()
        yield scrapy.Request(self.fetch_url(self.site_url + "/robots.txt"),
                             callback=self.parse_robots, dont_filter=True)
        yield scrapy.Request(self.fetch_url(self.site_url + self.start_path),
                             callback=self.parse_page, cb_kwargs={"depth": 0})

    # -- discovery -----------------------------------------------------------------------
    def follow(self, response: Response, href: str, depth: int) -> scrapy.Request | None:
        """A request for a same-site link that is worth reading, else None."""
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return None
        url = self.site_link(response, href)
        host = (urlsplit(url).hostname or "").lower()
        own = self.site_info.domains if self.site_info else (urlsplit(self.site_url).hostname,)
        if host not in own or _SKIP.search(url):
            return None
        if not self.full and self.canonical(url) in self.known:
            self.crawler.stats.inc_value("listing/known_skipped")
            return None
        return scrapy.Request(self.fetch_url(url), callback=self.parse_page,
                              cb_kwargs={"depth": depth})

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = re.findall(r"(?im)^\s*sitemap:\s*(\S+)", response.text)
        for url in sitemaps or [self.site_url + "/sitemap.xml"]:
            yield scrapy.Request(self.fetch_url(self.origin_url(url)),
                                 callback=self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = Sitemap(response.body)
        except (lxml.etree.XMLSyntaxError, ValueError):
            return
        for entry in sitemap:
            loc = entry.get("loc", "")
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(self.fetch_url(self.origin_url(loc)),
                                     callback=self.parse_sitemap)
                continue
            lastmod = (entry.get("lastmod") or "")[:10]
            if self.since and lastmod and lastmod < self.since.isoformat():
                continue
            request = self.follow(response, loc, self.max_depth)
            if request is not None:
                yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            root = lxml.etree.fromstring(response.body)
        except lxml.etree.XMLSyntaxError:
            return
        links = root.xpath("//item/link/text() | //*[local-name()='entry']"
                           "/*[local-name()='link']/@href")
        for link in links:
            request = self.follow(response, link, self.max_depth)
            if request is not None:
                yield request

    def parse_page(self, response: Response, depth: int) -> Iterator[Any]:
        if not isinstance(response, scrapy.http.TextResponse):
            return
        url = self.origin_url(response.url)
        page = analyse(response.text, url, site=self.site,
                       fetched_at=datetime.now(VN_TZ).isoformat(timespec="seconds"))
        if page.is_article:
            raw = page.raw
            found = _URL_YEAR.search(urlsplit(url).path)
            if raw.year_hint is None and found:
                raw.year_hint = int(found.group(1))
            yield raw
        for feed in response.xpath("//link[@rel='alternate']"):
            if feed.attrib.get("type") in FEED_TYPES and feed.attrib.get("href"):
                yield scrapy.Request(self.fetch_url(self.site_link(response,
                                                                   feed.attrib["href"])),
                                     callback=self.parse_feed)
        if depth < self.max_depth:
            for href in page.links:
                request = self.follow(response, href, depth + 1)
                if request is not None:
                    yield request
