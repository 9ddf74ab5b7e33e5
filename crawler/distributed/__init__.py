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
  deprecated in 2.19); the subclasses in ``worker`` override those methods.
- **Quick pick-up.** Scrapy polls an idle scheduler every 5 s; a worker waiting on a shared
  queue polls every ``POLL_SECONDS`` instead (``ExecutionEngine._SLOT_HEARTBEAT_INTERVAL``).

Redis keys, per site S: ``dost:runs`` (hash S → the run), ``dost:S:requests`` (queue),
``dost:S:dupefilter``, ``dost:S:lease:<worker>``, ``dost:S:workers``, ``dost:S:items``
(→ ``…:items:writing`` while the writer stores one, ``…:items:failed`` for items the
writer could not read or store), ``dost:S:known``, ``dost:S:stats:<run>``; and
``dost:worker:<worker>``, a heartbeat with a time to live.

Requests are stored as scrapy-redis stores them (``Request.to_dict`` pickled): a Redis that
others can write to can run code in the crawlers, so keep it private (docs/distributed.md).
The package, by role (each module's docstring says more):

- ``common``: keys, the run record, settings defaults, connection, snapshot/reclaim, the
  JSON form of items;
- ``queue``: the leased request queue and its duplicate filter;
- ``seeding``: ``seed`` (``dost-archive seed``);
- ``worker``: the crawler process (``dost-archive crawl --redis``);
- ``writer``: the archive writer (``dost-archive write``).

Every name is re-exported here: ``crawler.distributed.X`` (the CLI, the tests, and the
Scrapy settings ``crawler.distributed.WorkerScheduler`` and the like) keeps working.
"""

from crawler.distributed.common import (
    CRAWLER_PRIORITY,
    DEFAULT_MAX_IDLE,
    DEFAULT_WORKER_TTL,
    ITEM_TYPES,
    POLL_SECONDS,
    PREFIX,
    RUNS_KEY,
    SHARED_STATS,
    STATS_TTL,
    WORKER_ID,
    DistributedError,
    Keys,
    Run,
    connect,
    decode_item,
    encode_item,
    heartbeat_key,
    load_run,
    load_runs,
    logger,
    reclaim,
    redact,
    snapshot,
)
from crawler.distributed.queue import LeasedQueue, enqueue, spider_queue
from crawler.distributed.seeding import seed
from crawler.distributed.worker import (
    RedisItemPipeline,
    WorkerScheduler,
    WorkerWarcRecorder,
    run_workers,
    worker_settings,
    worker_spider,
)
from crawler.distributed.writer import WriterSpider, run_writer

__all__ = [
    "CRAWLER_PRIORITY",
    "DEFAULT_MAX_IDLE",
    "DEFAULT_WORKER_TTL",
    "ITEM_TYPES",
    "POLL_SECONDS",
    "PREFIX",
    "RUNS_KEY",
    "SHARED_STATS",
    "STATS_TTL",
    "WORKER_ID",
    "DistributedError",
    "Keys",
    "LeasedQueue",
    "RedisItemPipeline",
    "Run",
    "WorkerScheduler",
    "WorkerWarcRecorder",
    "WriterSpider",
    "connect",
    "decode_item",
    "encode_item",
    "enqueue",
    "heartbeat_key",
    "load_run",
    "load_runs",
    "logger",
    "reclaim",
    "redact",
    "run_workers",
    "run_writer",
    "seed",
    "snapshot",
    "spider_queue",
    "worker_settings",
    "worker_spider",
]
