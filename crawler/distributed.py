"""Distributed mode: many crawler processes (or machines) share one Redis; one process writes
the archive. Optional: single-machine crawls never import this module (nor Redis).

Why this shape: the request queue and the duplicate filter live in Redis (scrapy-redis), so
any number of crawler processes can pull from them; SQLite keeps exactly one writer, so
crawlers only push the items they scrape to Redis and ``dost-archive write`` drains them into
the archive through the very pipelines a single-machine crawl uses (normalize → validate →
dedup → store, with ``RunRecorder`` recording the run).

- ``dost-archive seed --redis URL SITE…`` opens a run per site: the spider's arguments
  (``base_url``, ``since``, ``full``, ``max_pages``), the articles the archive already
  holds (for incremental crawling; crawlers may be on machines without the archive), and the
  site's start requests, put through the shared duplicate filter into the queue.
- ``dost-archive crawl SITE… --redis URL`` runs ``WorkerScheduler`` (a scrapy-redis
  scheduler) and ``RedisItemPipeline`` (a scrapy-redis pipeline): requests come from the
  queue, new requests go back to it, items go to Redis as JSON with a type tag. Nothing in a
  crawler process opens SQLite: the run recorder, the WARC recorder and every other
  project extension are off there.
- ``dost-archive write --from-redis URL`` runs one ``WriterSpider`` per seeded run: it pops
  the run's items one at a time and yields them into the item pipelines; when the run's
  queue, its requests in progress and its items are all empty it closes the run (the
  ``crawl_runs`` row gets the crawlers' page and error counts from Redis) and removes it
  from Redis, which tells the crawlers to stop.

What scrapy-redis does not give, and is added here:

- **Nothing lost when a crawler dies.** scrapy-redis pops a request off the queue: a crawler
  killed while fetching or parsing it loses it (and the duplicate filter then keeps it from
  being requested again). Here a pop moves the request into the crawler's *lease* list
  (``LMOVE``, Redis's reliable-queue pattern); the lease is dropped only after Scrapy has
  finished with the request (its response parsed, its items pushed, its new requests
  queued). Each crawler keeps a heartbeat key alive; a crawler that finds the heartbeat of
  another gone moves that crawler's leases back to the queue. A request can thus be
  processed twice, never zero times; the writer's dedup and the archive's upsert make the
  second copy harmless (same canonical URL, same content: "unchanged").
- **Queue and duplicate filter updated in one step** (a Lua script), so a crawler killed
  between the two cannot leave a URL marked seen but never queued.
- **Scrapy 2.19 API**: scrapy-redis 0.9.1 works with Scrapy 2.19 but passes ``spider=`` to
  the stats collector and takes ``spider`` in ``RedisPipeline.process_item`` (both
  deprecated in 2.19); the subclasses below override those methods.
- **Quick pick-up.** Scrapy polls an idle scheduler every 5 s; a worker waiting on a shared
  queue polls every ``POLL_SECONDS`` instead (``ExecutionEngine._SLOT_HEARTBEAT_INTERVAL``).

Redis keys, per site S: ``dost:runs`` (hash S → the run), ``dost:S:requests`` (queue),
``dost:S:dupefilter``, ``dost:S:lease:<worker>``, ``dost:S:workers``, ``dost:S:items``
(→ ``…:items:writing`` while the writer stores one, ``…:items:failed`` for items the
writer could not read or store), ``dost:S:known``, ``dost:S:stats:<run>``; and
``dost:worker:<worker>``, a heartbeat with a time to live.

Requests are stored as scrapy-redis stores them (``Request.to_dict`` pickled): a Redis that
others can write to can run code in the crawlers, so keep it private (docs/distributed.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis import connection
from scrapy_redis import defaults as redis_defaults
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.pipelines import RedisPipeline
from scrapy_redis.queue import FifoQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler.items import CaptureRecord, GoneArticle, RawArticle
from crawler.platforms.base import Alarm
from crawler.run import site_of
from crawler.warc import META_KEY, WarcRecorder

logger = logging.getLogger(__name__)

PREFIX = "dost"
RUNS_KEY = f"{PREFIX}:runs"
#: This process, as the crawlers know it: its heartbeat key and lease lists carry this id.
WORKER_ID = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
#: How often a waiting worker looks at the shared queue, and a writer at its item list.
POLL_SECONDS = 0.25
#: Defaults of the settings MAX_IDLE_TIME_BEFORE_CLOSE (scrapy-redis's name) and
#: DOST_WORKER_TTL (seconds without a heartbeat before a crawler's leases are taken back).
DEFAULT_MAX_IDLE = 60.0
DEFAULT_WORKER_TTL = 10.0
#: Crawler-side counters summed in Redis for the writer's crawl_runs row.
SHARED_STATS = {
    "downloader/response_count": "pages",
    "log_count/ERROR": "errors",
    "listing/known_skipped": "known_skipped",
    "since/dropped_after_fetch": "dropped_after_fetch",
    "listing/before_since": "before_since",
    "item_scraped_count": "items",
}
STATS_TTL = 7 * 24 * 3600
#: Settings of one crawler (its run, its Redis role) outrank the process's command-line
#: settings, which CrawlerProcess merges into every crawler at "cmdline" priority.
CRAWLER_PRIORITY = SETTINGS_PRIORITIES["cmdline"] + 1


class DistributedError(RuntimeError):
    """Redis cannot be reached, or a run cannot be seeded; the message says which."""


def redact(url: str) -> str:
    """A Redis URL fit for messages: the password left out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username + '@' if parts.username else ''}{parts.hostname}" + (
        f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def connect(url: str) -> redis.Redis:
    """A client for ``url`` (scrapy-redis's connection defaults), checked with a PING."""
    try:
        server = connection.get_redis(url=url, **redis_defaults.REDIS_PARAMS)
        server.ping()
    except (ValueError, redis.RedisError) as exc:
        raise DistributedError(f"cannot use Redis at {redact(url)}: {exc}") from exc
    return server


# -- keys and runs ------------------------------------------------------------------------
@dataclass(frozen=True)
class Keys:
    """The Redis keys of one site's runs."""

    site: str

    @property
    def base(self) -> str:
        return f"{PREFIX}:{self.site}"

    @property
    def queue(self) -> str:
        return f"{self.base}:requests"

    @property
    def failed_requests(self) -> str:
        return f"{self.base}:requests:failed"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def lease_prefix(self) -> str:
        return f"{self.base}:lease:"

    def lease(self, worker: str) -> str:
        return self.lease_prefix + worker

    @property
    def items(self) -> str:
        return f"{self.base}:items"

    @property
    def writing(self) -> str:
        return f"{self.base}:items:writing"

    @property
    def failed_items(self) -> str:
        return f"{self.base}:items:failed"

    @property
    def known(self) -> str:
        return f"{self.base}:known"

    def stats(self, run_key: str) -> str:
        return f"{self.base}:stats:{run_key}"

    def alarms(self, run_key: str) -> str:
        """The spiders' alarms of a run (crawler/platforms/base.py ``Alarm``), as JSON."""
        return f"{self.base}:alarms:{run_key}"


def heartbeat_key(worker: str) -> str:
    return f"{PREFIX}:worker:{worker}"


@dataclass
class Run:
    """One seeded crawl of one site: what every crawler needs to build the same spider."""

    site: str
    run_key: str
    spider: str
    kwargs: dict[str, str] = field(default_factory=dict)
    seeded_at: str = ""
    state: str = "seeding"  # "seeded" once its start requests are all queued

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, data: bytes | str) -> Run:
        return cls(**json.loads(data))


def load_runs(server: redis.Redis) -> dict[str, Run]:
    """Every run in Redis (seeding or seeded), by site."""
    return {key.decode(): Run.loads(value) for key, value in server.hgetall(RUNS_KEY).items()}


def load_run(server: redis.Redis, site: str) -> Run | None:
    data = server.hget(RUNS_KEY, site)
    return Run.loads(data) if data else None


# Queue and duplicate filter in one step: never "seen" without being queued.
_ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
return 1
"""
# Pop into this worker's lease list, and make the lease list findable.
_POP = """
local data = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
if data then redis.call('SADD', KEYS[3], ARGV[1]) end
return data
"""
# Leases of workers whose heartbeat is gone go back to the head of the queue.
_RECLAIM = """
local moved = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. w) == 0 then
    while redis.call('LMOVE', ARGV[2] .. w, KEYS[2], 'RIGHT', 'RIGHT') do moved = moved + 1 end
    redis.call('SREM', KEYS[1], w)
  end
end
return moved
"""
# Queued requests, leased requests (all workers), items waiting: one consistent reading.
_SNAPSHOT = """
local leased = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  leased = leased + redis.call('LLEN', ARGV[1] .. w)
end
return {redis.call('LLEN', KEYS[1]), leased, redis.call('LLEN', KEYS[3])}
"""
# Remove the run only if it is still the one the writer finished (not a newer seed).
_FINISH = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw or cjson.decode(raw)['run_key'] ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"""


def snapshot(server: redis.Redis, keys: Keys) -> tuple[int, int, int]:
    """(queued, leased, items waiting) of a site, read atomically."""
    queued, leased, items = server.register_script(_SNAPSHOT)(
        keys=[keys.queue, keys.workers, keys.items], args=[keys.lease_prefix])
    return int(queued), int(leased), int(items)


def reclaim(server: redis.Redis, keys: Keys) -> int:
    """Put the leases of crawlers whose heartbeat expired back in the queue; how many."""
    return int(server.register_script(_RECLAIM)(
        keys=[keys.workers, keys.queue], args=[heartbeat_key(""), keys.lease_prefix]))


# -- items --------------------------------------------------------------------------------
ITEM_TYPES: dict[str, type] = {cls.__name__: cls for cls in (RawArticle, GoneArticle,
                                                             CaptureRecord)}


def encode_item(item: Any, run_key: str = "") -> str:
    """An item as JSON tagged with its type (and its run): decode_item gives it back equal."""
    name = type(item).__name__
    if ITEM_TYPES.get(name) is not type(item):
        raise TypeError(f"cannot send a {name} through Redis (known: {sorted(ITEM_TYPES)})")
    return json.dumps({"type": name, "run": run_key, "item": asdict(item)}, ensure_ascii=False)


def decode_item(data: bytes | str) -> tuple[Any, str]:
    """(item, run key) from encode_item's JSON; ValueError for anything else."""
    try:
        doc = json.loads(data)
        cls, values = ITEM_TYPES[doc["type"]], doc["item"]
        unknown = set(values) - {f.name for f in fields(cls)}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not an item of ours: {exc!r}") from exc
    if unknown:
        raise ValueError(f"{doc['type']} has no fields {sorted(unknown)} (from a newer crawler?)")
    return cls(**values), doc.get("run") or ""


# -- the request queue ------------------------------------------------------------------
class LeasedQueue(FifoQueue):
    """scrapy-redis's FIFO request queue (``Request.to_dict``, pickled), popped into a lease
    list of this worker instead of off the queue, and pushed through the duplicate filter
    atomically."""

    def __init__(self, server: redis.Redis, spider: Spider, keys: Keys,
                 worker: str = WORKER_ID) -> None:
        super().__init__(server, spider, keys.queue)
        self.keys = keys
        self.worker = worker
        self.lease_key = keys.lease(worker)
        self._enqueue = server.register_script(_ENQUEUE)
        self._pop = server.register_script(_POP)

    def push_new(self, request: Request, fingerprint: str) -> bool:
        """Queue ``request`` unless ``fingerprint`` was seen ('' = do not filter)."""
        return bool(self._enqueue(keys=[self.keys.dupefilter, self.key],
                                  args=[fingerprint, self._encode_request(request)]))

    def pop_leased(self) -> tuple[Request, bytes] | None:
        """The next request and its stored form (the lease), or None if the queue is empty.
        A request this spider cannot rebuild is set aside in ``…:requests:failed``."""
        while True:
            data = self._pop(keys=[self.key, self.lease_key, self.keys.workers],
                             args=[self.worker])
            if data is None:
                return None
            try:
                return self._decode_request(data), data
            except Exception as exc:  # e.g. a callback this version of the spider lacks
                logger.error("%s: a queued request cannot be rebuilt (%r); kept in %s",
                             self.keys.site, exc, self.keys.failed_requests)
                pipe = self.server.pipeline()
                pipe.rpush(self.keys.failed_requests, data)
                pipe.lrem(self.lease_key, 1, data)
                pipe.execute()


def spider_queue(server: redis.Redis, spider: Spider, site: str) -> tuple[LeasedQueue,
                                                                            RFPDupeFilter]:
    keys = Keys(site)
    return LeasedQueue(server, spider, keys), RFPDupeFilter(server, key=keys.dupefilter)


def enqueue(queue: LeasedQueue, dupefilter: RFPDupeFilter, request: Request) -> bool:
    fingerprint = "" if request.dont_filter else dupefilter.request_fingerprint(request)
    return queue.push_new(request, fingerprint)


# -- seeding ------------------------------------------------------------------------------
def seed(server: redis.Redis, spidercls: type[Spider], kwargs: Mapping[str, str], *,
         site: str, known: Mapping[str, str] | None, restart: bool = False) -> tuple[Run, int]:
    """Open a run of ``site``: its arguments, its known articles, its start requests.

    A site has one run at a time: seeding over an unfinished run is refused unless
    ``restart`` (its queue, leases and duplicate filter are dropped; items already pushed
    stay for the writer, which stores them with the new run)."""
    keys = Keys(site)
    existing = load_run(server, site)
    if existing is not None and not restart:
        queued, leased, items = snapshot(server, keys)
        raise DistributedError(
            f"{site}: the run seeded at {existing.seeded_at} is not finished ({queued} queued, "
            f"{leased} in progress, {items} items for the writer); let crawlers and "
            "`dost-archive write` finish it, or pass --restart to drop it")
    spider = spidercls(**kwargs)
    requests = asyncio.run(_start_requests(spider))
    stale = [keys.queue, keys.dupefilter, keys.known, keys.workers]
    stale += [keys.lease(w.decode()) for w in server.smembers(keys.workers)]
    if existing is not None:
        stale.append(keys.stats(existing.run_key))
    server.delete(*stale)
    run = Run(site=site, run_key=uuid.uuid4().hex, spider=spidercls.name,
              kwargs={k: str(v) for k, v in kwargs.items() if v not in (None, "")},
              seeded_at=datetime.now(UTC).isoformat(timespec="seconds"))
    server.hset(RUNS_KEY, site, run.dumps())
    items = list((known or {}).items())
    for start in range(0, len(items), 1000):
        server.hset(keys.known, mapping=dict(items[start:start + 1000]))
    queue, dupefilter = spider_queue(server, spider, site)
    queued = sum(enqueue(queue, dupefilter, request) for request in requests)
    run.state = "seeded"
    server.hset(RUNS_KEY, site, run.dumps())
    return run, queued


async def _start_requests(spider: Spider) -> list[Request]:
    requests = []
    async for output in spider.start():
        if not isinstance(output, Request):
            raise DistributedError(f"{spider.name}: start() yielded {output!r}, not a request")
        requests.append(output)
    return requests


# -- crawler processes --------------------------------------------------------------------
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
    """The scheduler of a crawler process: scrapy-redis's, with leases (see the module
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

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        site = site_of(spider)
        body = response.body
        written = self._append(site, WORKER_ID, body, self._http_headers(response, len(body)),
                               self._request_headers(request), response.url)
        record = CaptureRecord(**self.capture_row(request, response, spider), **written)
        self.server.rpush(Keys(site).items, encode_item(record, self.run_key))
        request.meta[META_KEY] = record.record_id

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._close()


def run_workers(process: Any, jobs: Iterable[tuple[type[Spider], Run, Any]]) -> list[Crawler]:
    """Add a worker crawler per (spider class, run, settings tweak) to ``process``."""
    crawlers = []
    for cls, run, configure in jobs:
        crawler = process.create_crawler(worker_spider(cls))
        configure(crawler.settings)
        process.crawl(crawler, **run.kwargs)
        crawlers.append(crawler)
    return crawlers


# -- the archive writer -------------------------------------------------------------------
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

