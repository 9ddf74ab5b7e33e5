"""Project settings plus the test-only spiders; no delays against the loopback server."""

from crawler.settings import *  # noqa: F403

SPIDER_MODULES = ["spiders", "tests.e2e.spiders"]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = False
RETRY_BACKOFF_BASE = 0.05
