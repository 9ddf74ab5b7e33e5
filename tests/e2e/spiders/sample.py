"""A test-only spider over tests/fixtures/sample_site: proves the pipeline chain end to end."""

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.extract.generic import extract
from crawler.items import RawArticle
from crawler.platforms.base import ArchiveSpider


class SampleSpider(ArchiveSpider):
    name = "sample"
    site_url = "https://sample.example.gov.vn"
    # One of its three articles has no date on purpose (a3): a per-site monitor override.
    monitor_thresholds = {"published_at": 0.5}

    async def start(self) -> Any:
        yield scrapy.Request(self.fetch_url(self.site_url + "/index.html"))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        for href in response.css("a.article::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article, dont_filter=True)

    def parse_article(self, response: Response) -> RawArticle:
        raw = extract(response.text, self.origin_url(response.url), site=self.site)
        raw.extractor = "site"
        raw.year_hint = 2020  # "Chiều 15-1" takes its year from context, as a URL would give
        return raw


class StrictSampleSpider(SampleSpider):
    """The same site with the default monitor thresholds: the undated article trips them."""

    name = "sample_strict"
    monitor_thresholds = None
