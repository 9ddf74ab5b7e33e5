"""Item pipelines: normalize → validate → deduplicate → store. Each is thin; none writes SQL.

A page that cannot become an article is recorded as a rejection with its reason (through
``storage``), never dropped silently. Normalizing and writes run in the run's archive writer
(crawler/plumbing/writer.py, a process of its own): the normalize pipeline awaits the Article
from it, the store pipeline awaits the commit, so an item Scrapy counts as scraped is in the
archive.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.items import Article, CaptureRecord, GoneArticle, RawArticle
from crawler.plumbing.run import run_context
from crawler.registry import load_registry


class _ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def reject(self, url: str, reason: str) -> DropItem:
        ctx = run_context(self.crawler)
        ctx.writer.post("reject", ctx.site, url, reason, ctx.run_id)
        self.stats.inc_value("archive/rejected")
        return DropItem(f"rejected {url}: {reason}")


class NormalizePipeline(_ArchivePipeline):
    """RawArticle → Article (NFC text, day-first dates, canonical URL, sanitized HTML), done
    in the archive writer with the site's registry entry (crawler/articles.py does the same
    in one thread, for reparse and parse-page)."""

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawArticle):
            return item
        if item.rejected:
            raise self.reject(item.url, item.rejected)
        writer = run_context(self.crawler).writer
        try:
            article = await maybe_deferred_to_future(writer.submit(
                "normalize", item, load_registry().get(item.site)))
        except ValueError as exc:
            raise self.reject(item.url, f"cannot normalize: {exc}") from exc
        article.capture_id = item.capture_id
        return article


class ValidatePipeline(_ArchivePipeline):
    """Counts flags; rejects only a page with neither title nor text (not an article)."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if "no_title" in item.flags and "no_body" in item.flags:
            raise self.reject(item.url, "no title and no text: not an article page")
        for flag in item.flags:
            self.stats.inc_value(f"archive/flag/{flag}")
        return item


class DeduplicatePipeline(_ArchivePipeline):
    """Drops a second copy of one canonical URL within a run.

    Across runs, and for the same content at different URLs, the archive's upsert does the
    work (keyed by canonical URL, linked by content hash), so nothing is dropped there.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if item.canonical_url in self.seen:
            self.stats.inc_value("archive/in_run_repeats")
            raise DropItem(f"already stored in this run: {item.canonical_url}")
        self.seen.add(item.canonical_url)
        return item


class StorePipeline(_ArchivePipeline):
    """Upserts into the archive and counts new / updated / unchanged / duplicate articles;
    marks archived articles that now answer 404/410 as gone (their rows stay)."""

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, GoneArticle):
            ctx = run_context(self.crawler)
            if await maybe_deferred_to_future(ctx.writer.submit(
                    "mark_gone", item.canonical_url, item.status, item.seen_at)):
                self.stats.inc_value("archive/gone")
            return item
        if isinstance(item, CaptureRecord):  # from a distributed crawler's WARC file
            ctx = run_context(self.crawler)
            await maybe_deferred_to_future(ctx.writer.submit(
                "index_capture", ctx.run_id, ctx.site, asdict(item)))
            self.stats.inc_value("archive/captures")
            return item
        if not isinstance(item, Article):
            return item
        ctx = run_context(self.crawler)
        result = await maybe_deferred_to_future(ctx.writer.submit("upsert", item, ctx.run_id))
        self.stats.inc_value(f"archive/{result.status}")
        if result.duplicate_of is not None and result.status != "unchanged":
            self.stats.inc_value("archive/duplicates")
        return item
