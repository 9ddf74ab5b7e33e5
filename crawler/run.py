"""One crawl run of one site: the archive connection and the ``crawl_runs`` row it reports to.

Pipelines and the run recorder share it through the crawler, so a run opens the archive once
and every component writes to the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.monitors import evaluate
from storage import Archive

_ATTR = "_dost_run"


@dataclass
class RunContext:
    archive: Archive
    run_id: int
    site: str


def site_of(spider: Spider) -> str:
    return getattr(spider, "site", None) or spider.name


def run_context(crawler: Crawler) -> RunContext:
    """The run of ``crawler``'s spider, opening the archive and its run row on first use."""
    ctx: RunContext | None = getattr(crawler, _ATTR, None)
    if ctx is None:
        spider = crawler.spider
        archive = Archive(crawler.settings.get("ARCHIVE_DB"))
        args = {k: getattr(spider, k, None) for k in ("base_url", "since", "full", "max_pages")}
        run_id = archive.start_run(
            site_of(spider), run_key=crawler.settings.get("DOST_RUN_KEY"), args=args
        )
        ctx = RunContext(archive, run_id, site_of(spider))
        setattr(crawler, _ATTR, ctx)
    return ctx


class RunRecorder:
    """Opens the run when the spider opens; closes it with the crawl's counters and status."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        run_context(self.crawler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        ctx = run_context(self.crawler)
        stats: dict[str, Any] = self.crawler.stats.get_stats()
        # Final failures only: Scrapy logs a download it gave up on, an unhandled HTTP error
        # page and a spider exception at ERROR; an exception that a retry got past is not an
        # error of the run.
        errors = int(stats.get("log_count/ERROR", 0))
        counts = {
            "pages": int(stats.get("downloader/response_count", 0)),
            "items": int(stats.get("item_scraped_count", 0)),
            "new": int(stats.get("archive/new", 0)),
            "updated": int(stats.get("archive/updated", 0)),
            "unchanged": int(stats.get("archive/unchanged", 0)),
            "duplicates": int(stats.get("archive/duplicates", 0)),
            "rejected": int(stats.get("archive/rejected", 0)),
            "gone": int(stats.get("archive/gone", 0)),
            "errors": errors,
        }
        if reason != "finished":
            status = "failed"
        elif errors:
            status = "errors"
        else:
            status = "ok"
        facts = ctx.archive.run_facts(ctx.run_id, ctx.site)
        results = evaluate(counts=counts, known_skipped=int(stats.get("listing/known_skipped", 0)),
                           coverage=facts["coverage"], archived_before=facts["archived_before"],
                           last_new_at=facts["last_new_at"], now=datetime.now(UTC),
                           overrides=getattr(spider, "monitor_thresholds", None))
        for failed in (r for r in results if not r.ok):
            spider.logger.warning("monitor %s: %s", failed.name, failed.message)
        ctx.archive.finish_run(ctx.run_id, status=status, finish_reason=reason,
                               monitors=[r.as_dict() for r in results], **counts)
        ctx.archive.close()
