"""A test-only spider for the hostile mirror (crawler/mirror/hostile.py): as thin as a site
spider, so the pages meet the crawler's own downloader, extractor and pipelines."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from crawler.extract.generic import extract
from crawler.items import RawArticle
from crawler.platforms.base import ArchiveSpider, ListingEntry


class HostileSpider(ArchiveSpider):
    name = "hostile"
    site_url = "https://hostile.example.gov.vn"  # not in the registry: flagged no_province
    categories = {"/": "Trang độc hại"}
    monitor_thresholds = {"title": 0.0, "published_at": 0.0, "body_text": 0.0}

    def __init__(self, *args: Any, family: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.family = family  # -a family=F: only that family's listing

    def listing_url(self, path: str, page: int) -> str:
        return self.site_url + path + (f"?family={self.family}" if self.family else "")

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        return [ListingEntry(url=href) for href in response.css("a.page::attr(href)").getall()]

    def has_next_page(self, response: Response, page: int) -> bool:
        return False

    def parse_article(self, response: Response) -> RawArticle:
        return extract(response.text, self.origin_url(response.url), site=self.site)
