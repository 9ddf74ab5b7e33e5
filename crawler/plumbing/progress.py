"""Progress on the terminal: per-site counters on stderr while a crawl runs.

A person watching ``dost-archive crawl --all`` in a terminal sees, every ``PROGRESS_INTERVAL``
seconds, one line per site, and a last one when the site is done::

    [vinhphuc] 10 pages, 6 new, 0 updated, 0 unchanged, 0 rejected, 0 errors (1 s)
    [vinhphuc] 33 pages, 28 new, 0 updated, 0 unchanged, 0 rejected, 0 errors (3 s, finished)

Scrapy's own log says the same only at the end, and at INFO level, which ``-q`` hides. Under
cron, systemd or Scrapyd stderr is a file or a pipe, not a terminal: there ``PROGRESS = "auto"``
(the default) prints nothing, so logs and mails stay free of counters nobody reads live.
``PROGRESS = "on"`` prints anyway, ``"off"`` never. Each crawler of a ``CrawlerProcess`` gets
its own instance, so ``crawl --all`` prints one line per site, prefixed with the site slug.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.plumbing.run import site_of

logger = logging.getLogger("crawler.progress")  # its pre-move name: log filters match

MODES = ("auto", "on", "off")
# Stats keys, as crawler/plumbing/run.py reads them for the crawl_runs row (same numbers, live).
COUNTERS = (
    ("pages", "downloader/response_count"),
    ("new", "archive/new"),
    ("updated", "archive/updated"),
    ("unchanged", "archive/unchanged"),
    ("rejected", "archive/rejected"),
    ("errors", "log_count/ERROR"),
)
_ALIASES = {"1": "on", "true": "on", "yes": "on", "0": "off", "false": "off", "no": "off"}


def progress_mode(value: Any) -> str:
    """The PROGRESS setting as one of auto/on/off (``-s PROGRESS=1`` and booleans work too)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    mode = str(value if value is not None else "auto").strip().lower()
    mode = _ALIASES.get(mode, mode)
    if mode not in MODES:
        raise ValueError(f"PROGRESS must be one of {', '.join(MODES)}, not {value!r}")
    return mode


def is_terminal(stream: Any) -> bool:
    """True when ``stream`` is an open terminal (a closed or odd stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def should_show(mode: str, stream: Any) -> bool:
    """Whether to print progress: ``on`` always, ``off`` never, ``auto`` on a terminal only."""
    return mode == "on" or (mode == "auto" and is_terminal(stream))


def format_line(site: str, stats: Mapping[str, Any], elapsed: float, end: str = "") -> str:
    """One progress line of ``site`` from the crawler's stats; ``end``: why the crawl closed."""
    counts = ", ".join(f"{int(stats.get(key, 0) or 0)} {label}" for label, key in COUNTERS)
    return f"[{site}] {counts} ({_duration(elapsed)}{', ' + end if end else ''})"


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Scrapy extension: prints :func:`format_line` to stderr every ``PROGRESS_INTERVAL`` s."""

    def __init__(self, crawler: Crawler, stream: TextIO, interval: float) -> None:
        self.crawler = crawler
        self.stream = stream
        self.interval = interval
        self.task: Any = None
        self.started = time.monotonic()
        self.site = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        try:
            mode = progress_mode(crawler.settings.get("PROGRESS", "auto"))
        except ValueError as exc:
            logger.warning("%s; progress is off", exc)
            raise NotConfigured(str(exc)) from exc
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 5.0)
        stream = sys.stderr
        if interval <= 0 or not should_show(mode, stream):
            raise NotConfigured
        ext = cls(crawler, stream, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.site = site_of(spider)
        self.started = time.monotonic()
        # Like Scrapy's LogStats: a looping call on the crawl's own reactor/event loop, so
        # the line is printed between downloads, never from another thread.
        self.task = create_looping_call(self.report)
        self.task.start(self.interval)

    def report(self, end: str = "") -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        line = format_line(self.site, stats, time.monotonic() - self.started, end)
        try:
            print(line, file=self.stream, flush=True)
        except (OSError, ValueError):  # the terminal went away: the crawl goes on
            self.stop()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # The last line says the site is done (with --all, others may still be running).
        if self.stop():
            self.report(end=reason)

    def stop(self) -> bool:
        """Stop the looping call; False if it was not running (the stream failed)."""
        if self.task is not None and self.task.running:
            self.task.stop()
            return True
        return False
