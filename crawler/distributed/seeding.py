"""Seeding (`dost-archive seed`): open a run of a site in Redis with its arguments, known
articles and start requests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

import redis
from scrapy import Request, Spider

from crawler.distributed.common import RUNS_KEY, DistributedError, Keys, Run, load_run, snapshot
from crawler.distributed.queue import enqueue, spider_queue


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

