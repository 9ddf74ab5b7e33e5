"""robots.txt obeyed by every request: Scrapy 2.19's ``RobotsTxtMiddleware`` with two fixes.

1. Requests that wait for a host's robots.txt while it is being fetched all get its rules.
   Scrapy 2.19 awaits the one shared Deferred from each of them, and awaiting a Deferred
   consumes its result: the first waiter gets the parser, every later one gets ``None``,
   which the middleware reads as "no robots.txt, all allowed". A spider's first listing
   pages, yielded together, and an article's attachments, downloaded together, were
   fetched without looking at robots.txt. Here each waiter gets its own Deferred.
2. The robots.txt of a host that a request may reach though it is offsite
   (``allow_offsite``: an attachment on another host, see crawler/plumbing/files.py) is fetched with
   ``allow_offsite`` too. Otherwise the OffsiteMiddleware drops that robots.txt request and
   the host's rules are never read.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger("crawler.robots")  # its pre-move name: log filters match


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """``RobotsTxtMiddleware`` whose robots.txt rules reach every waiting request."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            meta: dict[str, Any] = {"dont_obey_robotstxt": True}
            if request.meta.get("allow_offsite"):
                meta["allow_offsite"] = True
            robotsreq = Request(f"{url.scheme}://{netloc}/robots.txt",
                                priority=self.DOWNLOAD_PRIORITY, meta=meta,
                                callback=NO_CALLBACK)
            try:
                resp = await self.crawler.engine.download_async(robotsreq)
                await self._parse_robots(resp, netloc, request)
            except Exception as exc:  # as Scrapy: any failure means "no robots.txt"
                if not isinstance(exc, IgnoreRequest):
                    logger.error("Error downloading %(request)s: %(exc)s",
                                 {"request": robotsreq, "exc": exc}, exc_info=True,
                                 extra={"spider": self.crawler.spider})
                self._robots_error(exc, netloc)
            self._stats.inc_value("robotstxt/request_count")
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            waiter: Deferred[RobotParser | None] = Deferred()

            def relay(result: RobotParser | None) -> RobotParser | None:
                waiter.callback(result)
                return result  # passed on to the next waiter

            parser.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return parser
