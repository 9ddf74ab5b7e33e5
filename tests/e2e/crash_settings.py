"""Project settings, crawled breadth-first, plus one hook for the crash tests
(tests/e2e/test_crash.py).

One kill moment cannot be caught from outside by polling: every article stored but the run
not yet closed (the close follows the last article by milliseconds). With
``DOST_TEST_HOLD_FILE`` set, ``HoldBeforeRunCloses`` stops the crawl right there: on
``spider_closed``, before the run recorder closes the run, it creates that file and waits
to be killed. Without the variable it is not even loaded; nothing else changes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.settings import *  # noqa: F403
from crawler.settings import EXTENSIONS as _PROJECT_EXTENSIONS

HOLD_ENV = "DOST_TEST_HOLD_FILE"
HOLD_SECONDS = 60  # a deadline, should the test never kill the crawl


class HoldBeforeRunCloses:
    def __init__(self, crawler: Any, path: str) -> None:
        self.path = Path(path)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> HoldBeforeRunCloses:
        path = os.environ.get(HOLD_ENV)
        if not path:
            raise NotConfigured
        return cls(crawler, path)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.path.write_text(f"{os.getpid()} {reason}\n", encoding="utf-8")
        threading.Event().wait(HOLD_SECONDS)


# Breadth-first (Scrapy's documented BFO settings): the newest listing page's articles are
# stored first and the older pages' later, so a kill leaves page 1 archived and older
# articles missing, the state an incremental re-run must not take for "all archived". (Depth
# first, Scrapy's default, stores page 1 last and rarely leaves that state.)
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# Built (and so connected to spider_closed) before crawler.run.RunRecorder (500).
EXTENSIONS = {**_PROJECT_EXTENSIONS, "tests.e2e.crash_settings.HoldBeforeRunCloses": 100}
