"""The archive writer (`dost-archive write`): one spider per seeded run drains its items
from Redis into the item pipelines and closes the run when nothing is left anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy_redis import connection
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler.distributed.common import (
    POLL_SECONDS,
    RUNS_KEY,
    Keys,
    Run,
    decode_item,
    load_run,
    load_runs,
    logger,
    snapshot,
)
from crawler.platforms.base import Alarm

# Remove the run only if it is still the one the writer finished (not a newer seed).
_FINISH = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw or cjson.decode(raw)['run_key'] ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"""


class WriterSpider(Spider):
    """Drains one run's items from Redis into the item pipelines, one at a time, and ends
    the run when there is nothing left anywhere (queue, leases, items).

    ``until_idle``: give up after that many seconds without progress (no item, no change in
    the queue or the leases) while the run is not finished (the crawl_runs row then says
    ``failed``, reason ``idle``; the run stays in Redis and a later writer goes on with it,
    in a new row)."""

    name = "dost-writer"

    def __init__(self, run: Run, until_idle: float | None = None,
                 monitor_thresholds: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.site = run.site
        self.until_idle = until_idle
        # What RunRecorder records as the run's arguments, as the crawlers got them.
        self.base_url = run.kwargs.get("base_url")
        self.since = run.kwargs.get("since")
        self.full = bool(run.kwargs.get("full"))
        self.max_pages = run.kwargs.get("max_pages")
        self.monitor_thresholds = monitor_thresholds
        #: The crawlers' alarms, read from Redis when the run ends (RunRecorder reports them).
        self.alarms: list[Alarm] = []
        self._outcome: asyncio.Future[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WriterSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._stored, signal=signals.item_scraped)
        crawler.signals.connect(spider._stored, signal=signals.item_dropped)
        crawler.signals.connect(spider._failed, signal=signals.item_error)
        return spider

    def _stored(self, **kwargs: Any) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result("done")

    def _failed(self, **kwargs: Any) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result("error")

    async def start(self) -> Any:
        server = connection.get_redis_from_settings(self.crawler.settings)
        keys = Keys(self.site)
        # An item a killed writer was storing goes back to the head of the list.
        while server.lmove(keys.writing, keys.items, "RIGHT", "LEFT"):
            pass
        loop = asyncio.get_running_loop()
        progress, last_seen = time.monotonic(), (-1, -1, -1)
        while True:
            data = server.lmove(keys.items, keys.writing, "LEFT", "RIGHT")
            if data is not None:
                progress = time.monotonic()
                try:
                    item, _ = decode_item(data)
                except ValueError as exc:
                    self.logger.error("%s: unreadable item kept in %s: %s", self.site,
                                      keys.failed_items, exc)
                    self._set_aside(server, keys, data)
                    continue
                self._outcome = loop.create_future()
                yield item
                if await self._outcome == "error":  # logged by Scrapy; kept, not lost
                    self._set_aside(server, keys, data)
                else:
                    server.lrem(keys.writing, 1, data)
                continue
            run = load_run(server, self.site)
            if run is None or run.run_key != self.run.run_key:
                self._merge_crawler_stats(server, keys)
                raise CloseSpider("replaced")
            seen = snapshot(server, keys)
            if seen == (0, 0, 0):
                self._merge_crawler_stats(server, keys)
                self._finish(server, keys)
                return
            if seen != last_seen:  # crawlers are at work (requests queued or done)
                progress, last_seen = time.monotonic(), seen
            if self.until_idle is not None and time.monotonic() - progress >= self.until_idle:
                self._merge_crawler_stats(server, keys)
                self.logger.warning("%s: no progress for %.0f s and the crawl is not finished "
                                    "(no crawler?): the run stays in Redis for a later writer",
                                    self.site, self.until_idle)
                raise CloseSpider("idle")
            await asyncio.sleep(POLL_SECONDS)

    @staticmethod
    def _set_aside(server: redis.Redis, keys: Keys, data: bytes) -> None:
        pipe = server.pipeline()
        pipe.rpush(keys.failed_items, data)
        pipe.lrem(keys.writing, 1, data)
        pipe.execute()

    def _merge_crawler_stats(self, server: redis.Redis, keys: Keys) -> None:
        """The crawlers' pages, errors and known-skipped counts into this run's stats, where
        RunRecorder reads them (it runs when this spider closes)."""
        shared = {k.decode(): int(v) for k, v in
                  server.hgetall(keys.stats(self.run.run_key)).items()}
        stats = self.crawler.stats
        stats.set_value("downloader/response_count", shared.get("pages", 0))
        stats.inc_value("log_count/ERROR", shared.get("errors", 0))
        for name, stat in (("known_skipped", "listing/known_skipped"),
                           ("dropped_after_fetch", "since/dropped_after_fetch"),
                           ("before_since", "listing/before_since")):
            if shared.get(name):
                stats.set_value(stat, shared[name])
        stats.set_value("distributed/items_pushed", shared.get("items", 0))
        self.alarms = [Alarm(**json.loads(raw))
                       for raw in server.lrange(keys.alarms(self.run.run_key), 0, -1)]

    def _finish(self, server: redis.Redis, keys: Keys) -> None:
        if server.register_script(_FINISH)(keys=[RUNS_KEY],
                                           args=[self.site, self.run.run_key]):
            server.delete(keys.dupefilter, keys.known, keys.workers,
                          keys.stats(self.run.run_key), keys.alarms(self.run.run_key))
        self.logger.info("%s: run %s finished", self.site, self.run.run_key)


def run_writer(process: Any, server: redis.Redis, until_idle: float | None,
               configure: Any, thresholds: Any) -> list[str]:
    """Write every seeded run, as they come, in ``process`` (a CrawlerProcess); returns the
    run keys written. Stops when stopped, or, with ``until_idle``, once no run is left and
    none was seeded for that long."""
    from scrapy.utils.reactor import install_reactor

    # Before anything imports the reactor (CrawlerProcess installs it with its first crawler).
    install_reactor(process.settings["TWISTED_REACTOR"], process.settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor

    active: dict[str, str] = {}
    started: list[str] = []
    given_up: set[str] = set()
    quiet_since = [time.monotonic()]

    def ended(result: Any, site: str) -> None:
        if isinstance(result, Failure):
            logger.error("%s: the writer of the run failed: %s", site, result.getErrorMessage())
        run_key = active.pop(site, None)
        with contextlib.suppress(redis.RedisError):
            if run_key and load_run(server, site) is not None:
                given_up.add(run_key)  # ended "idle" or "replaced": not again in this process
        quiet_since[0] = time.monotonic()

    def supervise() -> None:
        try:
            take_up()
        except Exception:  # the loop must go on (a LoopingCall stops at the first error)
            logger.exception("cannot take up the runs in Redis")

    def take_up() -> None:
        runs = load_runs(server)
        for site, run in sorted(runs.items()):
            if run.state != "seeded" or site in active or run.run_key in given_up:
                continue
            crawler = process.create_crawler(WriterSpider)
            configure(crawler.settings, run)
            active[site] = run.run_key
            started.append(run.run_key)
            process.crawl(crawler, run=run, until_idle=until_idle,
                          monitor_thresholds=thresholds(run)).addBoth(ended, site)
        if (until_idle is not None and not active
                and time.monotonic() - quiet_since[0] >= until_idle):
            loop.stop()
            reactor.stop()

    loop = LoopingCall(supervise)
    reactor.callWhenRunning(loop.start, POLL_SECONDS * 2)
    process.start(stop_after_crawl=False)
    return started

