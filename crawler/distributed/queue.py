"""The shared request queue: scrapy-redis's FIFO queue with leases, and the duplicate filter
updated in the same Lua step, so a request is never "seen" without being queued."""

from __future__ import annotations

import redis
from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import FifoQueue

from crawler.distributed.common import WORKER_ID, Keys, logger

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

