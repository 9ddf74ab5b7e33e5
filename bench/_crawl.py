"""One crawl for a benchmark, in its own process: the ``dost-archive crawl`` path, or bare Scrapy.

``--variant pipeline`` is what ``dost-archive crawl SITE --base-url URL`` runs (the CLI's
settings for a loopback mirror, the registry synced into the archive, one CrawlerProcess for
every job, item pipelines normalize → validate → dedup → store, the run recorder and the
WARC recorder). ``--variant bare`` is the same spiders with the same settings but nothing of
ours after the spider: ``ITEM_PIPELINES = {}``, ``EXTENSIONS = {}`` (Scrapy's own extensions
stay: they are in ``EXTENSIONS_BASE``) and no capture-link spider middleware. The Scrapy
stats of each spider go to ``--stats`` as JSON.

    python bench/_crawl.py --db X.db --job sonla=http://127.0.0.1:PORT [--variant bare]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.cli import _scrapy_settings

#: Requests in flight per mirrored site. The CLI's loopback setting is 8; the mirror is a
#: threaded server on this machine, and 16 keeps the crawler, not the wait, the limit.
CONCURRENCY = 16


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--job", action="append", required=True, help="SITE=MIRROR_URL")
    ap.add_argument("--variant", choices=("pipeline", "bare"), default="pipeline")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--no-warc", action="store_true", help="as dost-archive crawl --no-warc")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="one more Scrapy setting, for experiments")
    ap.add_argument("--stats", required=True)
    ap.add_argument("--profile", help="write cProfile stats of the whole crawl here")
    ap.add_argument("--sample", type=float,
                    help="every SECONDS, record (seconds, responses so far, VmRSS kB)")
    args = ap.parse_args()
    jobs = dict(j.split("=", 1) for j in args.job)

    settings = _scrapy_settings(args.db, uuid.uuid4().hex, quiet=True, loopback=True)
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", CONCURRENCY, priority="cmdline")
    settings.set("CONCURRENT_REQUESTS", CONCURRENCY * len(jobs), priority="cmdline")
    settings.set("LOG_LEVEL", "ERROR", priority="cmdline")
    for pair in args.set:
        name, value = pair.split("=", 1)
        settings.set(name, value, priority="cmdline")
    if args.no_warc:
        settings.set("WARC_ENABLED", False, priority="cmdline")
    if args.variant == "bare":
        settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        settings.set("EXTENSIONS", {}, priority="cmdline")
        settings.set("SPIDER_MIDDLEWARES", {}, priority="cmdline")
    else:
        from crawler.registry import load_dosts, load_registry
        from storage import Archive

        with Archive(args.db) as archive:  # as crawler.cli._run_crawls does
            archive.sync_sites(s.as_row() for s in load_registry().values())
            archive.sync_dosts(d.as_row() for d in load_dosts().values())

    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawlers = {}
    for site, url in jobs.items():
        crawler = process.create_crawler(site)
        crawlers[site] = crawler
        process.crawl(crawler, base_url=url, **({"full": "1"} if args.full else {}))
    samples: list[tuple[float, int, int | None]] = []
    if args.sample:
        from twisted.internet import reactor, task

        started = time.perf_counter()

        def sample() -> None:
            pages = sum(c.stats.get_value("downloader/response_count", 0)
                        for c in crawlers.values() if c.stats)
            samples.append((round(time.perf_counter() - started, 2), pages,
                            _status_kb("VmRSS")))

        reactor.callWhenRunning(task.LoopingCall(sample).start, args.sample)
    if args.profile:  # the writer process profiles itself beside it (crawler/plumbing/writer_child)
        import os

        os.environ["DOST_WRITER_PROFILE"] = args.profile + ".writer"
        profiler = cProfile.Profile()
        profiler.enable()
        process.start()
        profiler.disable()
        profiler.dump_stats(args.profile)
    else:
        process.start()

    out = {}
    for site, crawler in crawlers.items():
        stats = crawler.stats.get_stats()
        out[site] = {k: (v.isoformat() if isinstance(v, datetime) else v)
                     for k, v in stats.items() if isinstance(v, int | float | str | datetime)}
    out["_process"] = {"vm_hwm_kb": _status_kb("VmHWM"), "samples": samples}
    Path(args.stats).write_text(json.dumps(out, indent=1))


def _status_kb(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (Linux), in kB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith(field + ":")),
                        None)
    except OSError:
        return None


if __name__ == "__main__":
    main()
