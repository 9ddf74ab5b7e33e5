"""The crawler process (`dost-archive crawl --redis`): its spider, settings, scheduler
(leases, heartbeat, shared counters, when to stop), item pipeline and WARC recorder. Nothing
here opens SQLite."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy_redis import connection
from scrapy_redis.pipelines import RedisPipeline
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.distributed.common import (
    CRAWLER_PRIORITY,
    DEFAULT_MAX_IDLE,
    DEFAULT_WORKER_TTL,
    POLL_SECONDS,
    SHARED_STATS,
    STATS_TTL,
    WORKER_ID,
    Keys,
    Run,
    encode_item,
    heartbeat_key,
    load_run,
    logger,
    reclaim,
    snapshot,
)
from crawler.distributed.queue import enqueue, spider_queue
from crawler.items import CaptureRecord
from crawler.plumbing.run import site_of
from crawler.plumbing.warc import (
    META_KEY,
    WarcFile,
    WarcRecorder,
    heads,
    request_head,
    response_head,
    status_and_headers,
)


def worker_spider(cls: type[Spider]) -> type[Spider]:
    """``cls`` as a crawler process runs it: its start requests were queued by ``seed``,
    and it reads nothing from the archive (no incremental look-up at start, no revisit of
    unlisted articles at the end: both need the archive, which is on the writer's side)."""

    async def start(self: Spider) -> Any:
        return
        yield

    def revisit_unlisted(self: Spider) -> None:
        return None

    return type(cls.__name__, (cls,), {"start": start, "revisit_unlisted": revisit_unlisted,
                                       "__module__": cls.__module__,
                                       "__doc__": cls.__doc__})


def worker_settings(settings: Any, redis_url: str, run: Run, max_idle: float) -> None:
    """Turn a crawler's settings (before the crawl) into a worker's: the scrapy-redis queue
    and the Redis item pipeline; none of the project's extensions (they write SQLite)."""
    prio = CRAWLER_PRIORITY
    settings.set("REDIS_URL", redis_url, priority=prio)
    settings.set("SCHEDULER", "crawler.distributed.WorkerScheduler", priority=prio)
    # WorkerScheduler builds this duplicate filter itself, keyed by site (not by spider name).
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority=prio)
    settings.set("SCHEDULER_PERSIST", True, priority=prio)
    settings.set("ITEM_PIPELINES", {"crawler.distributed.RedisItemPipeline": 100}, priority=prio)
    # No project extension (they write SQLite) but the crawler's own WARC recorder.
    warc = settings.getbool("WARC_ENABLED", True)
    settings.set("EXTENSIONS", {"crawler.distributed.WorkerWarcRecorder": 510} if warc else {},
                 priority=prio)
    settings.set("DOST_RUN_KEY", run.run_key, priority=prio)
    settings.set("MAX_IDLE_TIME_BEFORE_CLOSE", max_idle, priority=prio)


def _in_progress(crawler: Crawler) -> set[Request] | None:
    """The requests Scrapy's engine has taken and not finished with (response parsed, items
    and new requests handed on). Private in Scrapy 2.19 (``ExecutionEngine._slot``); None
    if a later Scrapy moved it, and leases are then settled only when the spider is idle."""
    slot = getattr(crawler.engine, "_slot", None)
    return getattr(slot, "inprogress", None)


class WorkerScheduler(Scheduler):
    """The scheduler of a crawler process: scrapy-redis's, with leases (see the package
    docstring), a heartbeat, the shared counters and the decision when to stop.

    The spider stops when the writer has finished the run, or when the site's queue has
    been empty and no crawler has held a lease for ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds.
    """

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerScheduler:
        server = connection.get_redis_from_settings(crawler.settings)
        server.ping()
        scheduler = cls(server=server, persist=True)
        scheduler.crawler = crawler
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Spider) -> None:
        settings = self.crawler.settings
        self.spider = spider
        self.site = site_of(spider)
        self.keys = Keys(self.site)
        self.run_key = settings.get("DOST_RUN_KEY")
        self.queue, self.df = spider_queue(self.server, spider, self.site)
        self.df.debug = settings.getbool("DUPEFILTER_DEBUG")
        self.leases: dict[Request, bytes] = {}
        self.pushed: dict[str, int] = {}
        self.alarms_pushed = 0
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", DEFAULT_MAX_IDLE)
        self.ttl = settings.getfloat("DOST_WORKER_TTL", DEFAULT_WORKER_TTL)
        self.idle_since: float | None = None
        spider.known = {url.decode(): title.decode() for url, title in
                        self.server.hgetall(self.keys.known).items()}
        self.beat()
        self.heartbeat = LoopingCall(self.beat)
        self.heartbeat.start(self.ttl / 3, now=False)
        self.crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        engine = self.crawler.engine
        if hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            engine._SLOT_HEARTBEAT_INTERVAL = POLL_SECONDS  # instance attribute: this engine
        spider.logger.info("%s: worker %s on the shared queue (%d requests waiting, %d known "
                           "articles)", self.site, WORKER_ID, len(self.queue), len(spider.known))

    # -- requests ------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        if not enqueue(self.queue, self.df, request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        self.settle()
        popped = self.queue.pop_leased()
        if popped is None:
            return None
        request, lease = popped
        self.leases[request] = lease
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def settle(self, *, idle: bool = False) -> None:
        """Drop the leases of requests Scrapy has finished with (all of them when idle),
        after the counters they moved were pushed."""
        if not self.leases:
            return
        busy = set() if idle else _in_progress(self.crawler)
        if busy is None:
            return
        done = [r for r in self.leases if r not in busy]
        if not done:
            return
        pipe = self.server.pipeline()
        self.push_stats(pipe)
        for request in done:
            pipe.lrem(self.queue.lease_key, 1, self.leases[request])
        pipe.execute()
        for request in done:
            del self.leases[request]

    # -- heartbeat and counters ----------------------------------------------------------
    def beat(self) -> None:
        try:
            self.server.set(heartbeat_key(WORKER_ID), self.site, px=int(self.ttl * 1000))
            self.push_stats()
        except redis.RedisError as exc:
            logger.warning("%s: Redis heartbeat failed: %s", self.site, exc)

    def push_stats(self, pipe: Any = None) -> None:
        """Add what SHARED_STATS moved since the last push to the run's counters, and the
        spider's new alarms to the run's list (the writer's run record reports them)."""
        deltas = {}
        for stat, name in SHARED_STATS.items():
            value = int(self.stats.get_value(stat, 0))
            if value != self.pushed.get(stat, 0):
                deltas[name] = value - self.pushed.get(stat, 0)
                self.pushed[stat] = value
        alarms = list(getattr(self.spider, "alarms", ()))[self.alarms_pushed:]
        if not deltas and not alarms:
            return
        target = pipe if pipe is not None else self.server.pipeline()
        key = self.keys.stats(self.run_key)
        for name, delta in deltas.items():
            target.hincrby(key, name, delta)
        target.expire(key, STATS_TTL)
        if alarms:
            alarms_key = self.keys.alarms(self.run_key)
            target.rpush(alarms_key, *(json.dumps(asdict(a), ensure_ascii=False)
                                       for a in alarms))
            target.expire(alarms_key, STATS_TTL)
            self.alarms_pushed += len(alarms)
        if pipe is None:
            target.execute()

    # -- idle and close ------------------------------------------------------------------
    def spider_idle(self, spider: Spider) -> None:
        self.settle(idle=True)
        run = load_run(self.server, self.site)
        if run is None or run.run_key != self.run_key:
            spider.logger.info("%s: the run is over (the writer recorded it)", self.site)
            return
        moved = reclaim(self.server, self.keys)
        if moved:
            spider.logger.warning("%s: took back %d requests of a crawler that stopped "
                                  "answering", self.site, moved)
        queued, leased, _ = snapshot(self.server, self.keys)
        now = time.monotonic()
        if queued or leased:
            self.idle_since = None
            raise DontCloseSpider
        self.idle_since = self.idle_since or now
        if now - self.idle_since < self.max_idle:
            raise DontCloseSpider
        spider.logger.info("%s: queue empty for %.0f s: stopping", self.site, self.max_idle)

    def close(self, reason: str) -> None:
        if self.heartbeat.running:
            self.heartbeat.stop()
        if reason == "finished":
            self.settle(idle=True)
        elif self.leases:
            # Stopped early (Ctrl-C, SIGTERM): what it held goes back for others to do.
            moved = 0
            while self.server.lmove(self.queue.lease_key, self.keys.queue, "RIGHT", "RIGHT"):
                moved += 1
            self.leases.clear()
            self.spider.logger.info("%s: %d requests not confirmed done given back to the queue",
                                    self.site, moved)
        self.push_stats()


class RedisItemPipeline(RedisPipeline):
    """scrapy-redis's item pipeline, pushing to the site's item list our JSON with a type
    tag (``encode_item``) synchronously, so the item is in Redis before the lease of the
    request it came from is dropped. (The parent's ``process_item(item, spider)`` and its
    Deferred are deprecated in Scrapy 2.19.)"""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(connection.get_redis_from_settings(crawler.settings))
        self.crawler = crawler
        self.run_key = crawler.settings.get("DOST_RUN_KEY") or ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.server.rpush(Keys(site_of(self.crawler.spider)).items,
                          encode_item(item, self.run_key))
        return item


class WorkerWarcRecorder(WarcRecorder):
    """A crawler's WARC captures: its own file (``SITE-<worker>-<time>.warc.gz`` in
    ``WARC_DIR``, which must be where ``dost-archive write`` finds the archive's WARC files:
    beside the archive by default, or a shared folder given to both), written and flushed as
    each response arrives, then a ``CaptureRecord`` pushed to the site's item list before
    the response's own items; the request carries the record id, which its articles keep.
    No revisit records (a crawler cannot see earlier captures). A crawler killed mid-run
    leaves its file ``.open``, readable up to its last whole record; every capture pushed
    points into that part."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.server = connection.get_redis_from_settings(crawler.settings)
        self.run_key = crawler.settings.get("DOST_RUN_KEY") or ""
        self.files: dict[str, WarcFile] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        site = site_of(spider)
        warc = self.files.get(site)
        if warc is None:
            warc = self.files[site] = WarcFile(self.directory, site, WORKER_ID)
        body = response.body
        (status, protocol, headers), request_args = heads(request, response)
        written = warc.append(
            body, status_and_headers(*response_head(status, protocol, headers, len(body))),
            status_and_headers(*request_head(*request_args)), response.url)
        record = CaptureRecord(**self.capture_row(request, response, spider), **written)
        self.server.rpush(Keys(site).items, encode_item(record, self.run_key))
        request.meta[META_KEY] = record.record_id

    def spider_closed(self, spider: Spider, reason: str) -> None:
        warc = self.files.pop(site_of(spider), None)
        if warc is not None:
            warc.close()


def run_workers(process: Any, jobs: Iterable[tuple[type[Spider], Run, Any]]) -> list[Crawler]:
    """Add a worker crawler per (spider class, run, settings tweak) to ``process``."""
    crawlers = []
    for cls, run, configure in jobs:
        crawler = process.create_crawler(worker_spider(cls))
        configure(crawler.settings)
        process.crawl(crawler, **run.kwargs)
        crawlers.append(crawler)
    return crawlers

