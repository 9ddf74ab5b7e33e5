"""Scrapy settings for DOST Archive: polite by default, archive-bound pipelines."""

from __future__ import annotations

from crawler import __version__

# Components are named by their public paths (crawler.pipelines.StorePipeline, …): the code
# lives in crawler/plumbing/ and those old paths are aliases of its modules, so a user's
# `-s ITEM_PIPELINES=…` override written against these keys keeps matching them.

BOT_NAME = "dost_archive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Where the archive lives (ARCHIVE_DB); `dost-archive crawl --db` and `-s ARCHIVE_DB=` set it.
ARCHIVE_DB = "archive.db"
# Where normalizing and archive writes run (crawler/plumbing/writer.py): "process", a child
# process on another core (the default: the reactor keeps fetching and parsing), or "thread"
# (the same work on a thread of the crawl, for a debugger or a platform that cannot spawn).
ARCHIVE_WRITER = "process"

# Politeness: these are government servers, often small. robots.txt is obeyed, one or two
# requests per domain at a time, AutoThrottle backs off when a site slows down.
USER_AGENT = (
    f"DOSTArchiveBot/{__version__} (+https://github.com/dost-archive/dost-archive; "
    "archiving Vietnamese provincial DOST news)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 3
# Retries back off: 1 s, 2 s, 4 s … (crawler.middlewares.BackoffRetryMiddleware).
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Hardening (plumbing/middlewares.py): Scrapy's own middlewares at their own places, each
    # with one fix — ports count for off-site requests to a mirror, redirect loops and
    # size refusals are errors (not silent drops), pages are decoded by their bytes where
    # their charset declarations lie.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.OffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
    "crawler.middlewares.TrueEncodingMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.RefusingCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.RedirectMiddleware": 600,
    # Scrapy 2.19's, fixed: concurrent first requests to a host all get its robots.txt rules.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.SharedRobotsTxtMiddleware": 100,
}
# Oversized or compression-bomb responses are refused rather than filling memory.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "crawler.pipelines.NormalizePipeline": 100,
    "crawler.pipelines.ValidatePipeline": 200,
    "crawler.pipelines.DeduplicatePipeline": 300,
    "crawler.files.AttachmentsPipeline": 350,
    "crawler.pipelines.StorePipeline": 400,
}
# Attachment downloads (plumbing/files.py): off unless `crawl --files` / `-s FILES_ENABLED=1`
# (when off, the pipeline leaves itself out at start-up). FILES_STORE empty = the directory
# "<archive stem>-files/" beside ARCHIVE_DB. A file fetched less than FILES_EXPIRES days ago
# and still on disk is not fetched again. Attachments often sit behind a redirect.
FILES_ENABLED = False
FILES_STORE = ""
FILES_EXPIRES = 90
MEDIA_ALLOW_REDIRECTS = True
EXTENSIONS = {
    "crawler.run.RunRecorder": 500,
    "crawler.warc.WarcRecorder": 510,
    "crawler.progress.Progress": 520,
}
SPIDER_MIDDLEWARES = {
    "crawler.warc.CaptureLinkMiddleware": 950,
}
# Raw captures (crawler/plumbing/warc.py): one WARC file per run, in WARC_DIR (default: beside the
# archive, archive.db → archive-warc/). `dost-archive crawl --no-warc` turns them off.
WARC_ENABLED = True
WARC_DIR = None
# Per-site counters on stderr while crawling (crawler/plumbing/progress.py): "auto" only when stderr
# is a terminal (never under cron, systemd or Scrapyd), "on", "off"; every N seconds.
PROGRESS = "auto"
PROGRESS_INTERVAL = 5.0

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
