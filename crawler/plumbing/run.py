"""One crawl run of one site: the archive connection and the ``crawl_runs`` row it reports to.

Pipelines and the run recorder share it through the crawler, so a run opens the archive once
and every component writes to the same row. The recorder also holds the archive's run lock
(crawler/plumbing/lock.py) from spider open to close, so ``scrapy crawl SITE -s ARCHIVE_DB=…`` is
refused like a second ``dost-archive crawl`` while another crawl writes the archive. Once the
run is open it hands the spider what the archive knows of its site (``hand_over``), so spiders
never open the archive themselves, in ``dost-archive crawl``, ``scrapy crawl`` and Scrapyd
alike (distributed crawlers get theirs from Redis: crawler/distributed/worker.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from crawler.plumbing import lock
from crawler.plumbing.monitors import degrading, evaluate
from crawler.plumbing.writer import ArchiveWriter
from storage import Archive

_ATTR = "_dost_run"
#: Close reason of a spider refused by the archive's run lock.
LOCKED = "archive_locked"


@dataclass
class RunContext:
    """``archive`` is the reactor thread's connection (run rows, reads); every write of the
    crawl goes through ``writer`` (crawler/plumbing/writer.py). ``closing``: tasks (op name and
    arguments) the run sends last, before it drains the writer (the WARC file's close)."""

    archive: Archive
    run_id: int
    site: str
    writer: ArchiveWriter
    closing: list[tuple[Any, ...]] = field(default_factory=list)


def site_of(spider: Spider) -> str:
    return getattr(spider, "site", None) or spider.name


def hand_over(spider: Spider, db: str) -> None:
    """Give ``spider`` what the archive ``db`` holds for its site, through its
    ``archive_opened`` hook (crawler/platforms/base.py); spiders without the hook (the
    distributed writer's) get nothing. A ``full`` crawl trusts nothing known, so the known
    and vouched articles are not even read; the articles to revisit are read when the spider
    asks (its walk done), from a connection of their own, as the spider used to."""
    receive = getattr(spider, "archive_opened", None)
    if receive is None:
        return
    site = site_of(spider)
    known: dict[str, Any] = {}
    vouched: set[str] = set()
    if not getattr(spider, "full", False):
        with Archive(db) as archive:
            vouched = archive.vouched_articles(site)
            known = archive.known_articles(site)

    def revisit_targets() -> list[dict[str, Any]]:
        with Archive(db) as archive:
            return archive.revisit_targets(site)

    receive(known=known, vouched=vouched, revisit_targets=revisit_targets)


def run_context(crawler: Crawler) -> RunContext:
    """The run of ``crawler``'s spider, opening the archive and its run row on first use."""
    ctx: RunContext | None = getattr(crawler, _ATTR, None)
    if ctx is None:
        spider = crawler.spider
        archive = Archive(crawler.settings.get("ARCHIVE_DB"))
        args = {k: getattr(spider, k, None) for k in ("base_url", "since", "full", "max_pages")}
        if getattr(spider, "days", None):  # a backfill of chosen days (mediacdn), not a walk
            args["days"] = [str(d) for d in spider.days]
        run_id = archive.start_run(
            site_of(spider), run_key=crawler.settings.get("DOST_RUN_KEY"), args=args
        )
        ctx = RunContext(archive, run_id, site_of(spider), ArchiveWriter.acquire(
            crawler.settings.get("ARCHIVE_DB"), crawler.settings.get("ARCHIVE_WRITER",
                                                                     "process")))
        setattr(crawler, _ATTR, ctx)
    return ctx


class RunRecorder:
    """Opens the run when the spider opens; closes it with the crawl's counters and status.

    Takes the archive's run lock first. Refused (another process crawls this archive), the
    spider closes at once with reason ``archive_locked`` and the archive is not touched. The
    first taker of the lock in a process marks the runs a dead crawl left 'running' as
    'interrupted' before opening its own.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.locked = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        db = self.crawler.settings.get("ARCHIVE_DB")
        try:
            first = lock.acquire(db)
        except lock.ArchiveBusy as exc:
            spider.logger.error("dost-archive: %s", exc)
            raise CloseSpider(LOCKED) from exc
        self.locked = True
        if first:
            with Archive(db) as archive:
                for run in archive.mark_interrupted_runs():
                    spider.logger.warning("run %d of %s (started %s) was interrupted; "
                                          "marked so", run["id"], run["site"],
                                          run["started_at"])
        run_context(self.crawler)
        hand_over(spider, db)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not self.locked:
            return  # refused by the lock: no run was opened
        try:
            self._finish(spider, reason)
        finally:
            lock.release(self.crawler.settings.get("ARCHIVE_DB"))
            self.locked = False

    def _finish(self, spider: Spider, reason: str) -> None:
        ctx = run_context(self.crawler)
        try:
            for op, *args in ctx.closing:
                ctx.writer.post(op, *args)
            ctx.writer.drain()  # every write of the run committed before it is counted
        finally:
            ctx.writer.release()
        stats: dict[str, Any] = self.crawler.stats.get_stats()
        # Final failures only: Scrapy logs a download it gave up on, an unhandled HTTP error
        # page and a spider exception at ERROR; an exception that a retry got past is not an
        # error of the run.
        errors = int(stats.get("log_count/ERROR", 0))
        counts = {
            "pages": int(stats.get("downloader/response_count", 0)),
            # Articles and gone marks: not the captures distributed crawlers send as items.
            "items": int(stats.get("item_scraped_count", 0)) - int(stats.get(
                "archive/captures", 0)),
            "new": int(stats.get("archive/new", 0)),
            "updated": int(stats.get("archive/updated", 0)),
            "unchanged": int(stats.get("archive/unchanged", 0)),
            "duplicates": int(stats.get("archive/duplicates", 0)),
            "rejected": int(stats.get("archive/rejected", 0)),
            "gone": int(stats.get("archive/gone", 0)),
            "errors": errors,
        }
        facts = ctx.archive.run_facts(ctx.run_id, ctx.site)
        # Listed but rightly not fetched: known articles, and those older than --since (the
        # listing works; a --since run on a quiet site is no empty crawl).
        listed = int(stats.get("listing/known_skipped", 0)) + int(stats.get(
            "listing/before_since", 0)) + int(stats.get("since/dropped_after_fetch", 0))
        results = evaluate(counts=counts, known_skipped=listed,
                           coverage=facts["coverage"], archived_before=facts["archived_before"],
                           last_new_at=facts["last_new_at"], now=datetime.now(UTC),
                           overrides=getattr(spider, "monitor_thresholds", None),
                           alarms=getattr(spider, "alarms", ()))
        degraded = any(degrading(r) for r in results)
        if reason != "finished":
            status = "failed"
        elif degraded and (counts["pages"] or not errors):
            status = "degraded"  # the site answered, the archive got less than it should
        elif errors:
            status = "errors"  # e.g. a site that never answered
        else:
            status = "ok"
        for failed in (r for r in results if not r.ok):
            spider.logger.warning("monitor %s: %s", failed.name, failed.message)
        ctx.archive.finish_run(ctx.run_id, status=status, finish_reason=reason,
                               monitors=[r.as_dict() for r in results], **counts)
        ctx.archive.close()
