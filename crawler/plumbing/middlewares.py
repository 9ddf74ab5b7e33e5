"""Downloader middlewares."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import offsite, redirect
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor, task
from w3lib.url import canonicalize_url

from crawler.plumbing.decoding import decode_truly

logger = logging.getLogger("crawler.middlewares")  # its pre-move name: log filters match


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


class TrueEncodingMiddleware:
    """Decodes each text response by its bytes where its declarations lie (a UTF-8 page
    served as iso-8859-1, a windows-1258 page that claims UTF-8), and turns what no parser
    should read (a binary file served as text/html, pathological markup) into a plain
    Response, which spiders reject: crawler/normalize/encoding.py."""

    def process_response(self, request: Request, response: Response) -> Response:
        return decode_truly(response)


class RedirectLoopError(Exception):
    """A redirect chain that returns to a URL it left, or never ends."""


class RedirectOffsiteError(Exception):
    """A redirect (or meta refresh) to another site, which is not followed."""


class _NoSilentRedirects:
    """Scrapy drops, without calling the errback, the request that closes a redirect loop
    (A → B → A: the duplicate filter), the one past REDIRECT_MAX_TIMES (an IgnoreRequest) and
    a redirect to another site (the off-site filter). Here each fails with an error that the
    errback or the log reports (an ERROR, counted in crawl_runs.errors). A refresh or
    Location that is not a URL at all (``javascript:…``) is ignored, as browsers do."""

    crawler: Crawler
    max_redirect_times: int

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            result = super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:
            raise RedirectLoopError(f"more than {self.max_redirect_times} redirects from "
                                    f"{request.meta.get('redirect_urls', [request.url])[0]}"
                                    ) from exc
        except ValueError as exc:  # Request() refused the target: "javascript:alert(1)"
            logger.warning("not following the redirect of %s: %s", request.url, exc)
            return response
        if not isinstance(result, Request):
            return result
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if not request.dont_filter and canonicalize_url(result.url) in {
                canonicalize_url(u) for u in chain}:
            raise RedirectLoopError("redirect loop: " + " → ".join([*chain, result.url]))
        offsite_mw = self.crawler.get_downloader_middleware(offsite.OffsiteMiddleware)
        if (offsite_mw is not None and self.crawler.spider is not None
                and not (result.dont_filter or result.meta.get("allow_offsite"))
                and not offsite_mw.should_follow(result, self.crawler.spider)):
            raise RedirectOffsiteError(f"{request.url} redirects off-site to {result.url}: "
                                       "not followed")
        return result


class RedirectMiddleware(_NoSilentRedirects, redirect.RedirectMiddleware):
    """Scrapy's RedirectMiddleware; loops and off-site redirects are errors, not silent."""


class MetaRefreshMiddleware(_NoSilentRedirects, redirect.MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware; loops and off-site refreshes are errors, not silent."""


class ResponseRefused(Exception):
    """A response refused for its size (DOWNLOAD_MAXSIZE, before or after decompression)."""


class RefusingCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression and size limits, with a trace of every refusal.

    A body larger than DOWNLOAD_MAXSIZE is cancelled by the download handler; a small body
    that decompresses beyond it (a compression bomb) is refused here. Scrapy only logs a
    warning for the second and drops the request silently where there is no errback. Both
    are recorded as rejections of the run (URL and reason) and fail as errors.
    """

    def __init__(self, stats: Any = None, *, crawler: Crawler | None = None) -> None:
        super().__init__(stats, crawler=crawler)
        self.crawler = crawler

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:  # decompressed beyond DOWNLOAD_MAXSIZE
            reason = (f"refused: body decompresses beyond DOWNLOAD_MAXSIZE "
                      f"({self._max_size} bytes; {len(response.body)} bytes compressed)")
            self._record(request, reason)
            raise ResponseRefused(reason) from exc

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, DownloadCancelledError) and "max size" in str(exception):
            self._record(request, f"refused: larger than DOWNLOAD_MAXSIZE ({self._max_size} "
                                  "bytes)")

    def _record(self, request: Request, reason: str) -> None:
        from crawler.plumbing.run import run_context

        if self.crawler is None or self.crawler.spider is None:
            return
        origin = getattr(self.crawler.spider, "origin_url", None)
        ctx = run_context(self.crawler)
        url = origin(request.url) if callable(origin) else request.url
        ctx.writer.post("reject", ctx.site, url, reason, ctx.run_id)
        self.crawler.stats.inc_value("archive/rejected")


class OffsiteMiddleware(offsite.OffsiteMiddleware):
    """Scrapy's OffsiteMiddleware, which compares host names only, plus ports: when a spider
    crawls an origin with an explicit port (a loopback mirror, ``-a start_url=…:8080``), the
    same host on another port is another site and is not followed."""

    def should_follow(self, request: Request, spider: Spider) -> bool:
        if not super().should_follow(request, spider):
            return False
        origin = urlsplit(getattr(spider, "base_url", None) or getattr(spider, "site_url", "")
                          or "")
        if not origin.port:
            return True
        target = urlparse_cached(request)
        default = {"http": 80, "https": 443}.get(target.scheme)
        return (target.hostname or "") != origin.hostname or (target.port or default) == (
            origin.port)
