"""What every role of distributed mode shares: the Redis keys of a site, the run record,
the settings defaults, the connection, the atomic snapshot and reclaim of leases, and the
JSON form items travel in (see the package docstring for the whole design)."""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy_redis import connection
from scrapy_redis import defaults as redis_defaults

from crawler.items import CaptureRecord, GoneArticle, RawArticle

#: One logger for every role, named as before the split (log filters and readers rely on it).
logger = logging.getLogger("crawler.distributed")

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

