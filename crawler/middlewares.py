"""Downloader middlewares."""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, timeouts, resets), each one waiting longer than the last.

    Small provincial servers that answer 503 under load recover better when a crawler
    backs off: the n-th retry waits RETRY_BACKOFF_BASE × 2^(n-1) seconds, at most
    RETRY_BACKOFF_MAX. The wait is a timer, so other requests go on meanwhile.
    """

    def __init__(self, settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _wait(self, retry: Request | Response | None) -> None:
        if isinstance(retry, Request) and self.backoff_base > 0:
            n = int(retry.meta.get("retry_times", 1))
            delay = min(self.backoff_max, self.backoff_base * 2 ** (n - 1))
            self.crawler.stats.inc_value("retry/backoff_seconds", delay)
            await maybe_deferred_to_future(task.deferLater(reactor, delay, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        await self._wait(result)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        await self._wait(result)
        return result
