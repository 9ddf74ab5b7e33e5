"""Benchmark: the full archive pipeline against a bare Scrapy crawl of the same mirror.

Why: the archive does real work per page (normalize, validate, dedup, store with two FTS
indexes and MinHash signatures, a WARC record and its index row); this measures what that
costs against Scrapy alone running the very same spider.

How: the mirror of one site (``--site``, default ``sonla``, the VNPT Portal platform most
provinces run) with ``--articles`` articles (default 5,000), built before timing. Two crawls
in subprocesses (bench/_crawl.py) with the same settings (the CLI's loopback settings: no
delay, no AutoThrottle; 16 requests in flight): ``bare`` (no item pipelines, none of our
extensions or spider middlewares) and ``pipeline`` (``dost-archive crawl``: pipelines into a
fresh SQLite archive, run recorder, WARC captures). Throughput = responses / Scrapy's
``elapsed_time_seconds``. ``--breakdown`` adds the pipeline without WARC captures, and with
the archive writer on a thread of the crawl (``ARCHIVE_WRITER=thread``: the design before the
writer process), side by side in the same run; ``--profile`` crawls once more under cProfile
(on a 1,000-article mirror) and prints where the time goes, in the crawl process and in its
archive writer process.

    .venv/bin/python bench/bench_pipeline.py [--articles N] [--breakdown] [--profile] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import CrawlResult, large_mirror, print_table, profile_summary, run_crawl

TARGET = 0.8


def describe(name: str, r: CrawlResult) -> None:
    print(f"  {name:<22} {r.total('downloader/response_count'):>6} responses "
          f"{r.total('item_scraped_count'):>6} items  {r.elapsed:>7.1f} s  "
          f"{r.pages_per_second:>6.1f} pages/s  (process wall {r.wall_seconds:.1f} s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", default="sonla")
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--breakdown", action="store_true",
                    help="also crawl with the pipelines but without WARC captures")
    ap.add_argument("--profile", action="store_true",
                    help="profile a pipeline crawl of a 1,000-article mirror")
    ap.add_argument("--render-each", action="store_true",
                    help="the mirror renders every page at every request (as before "
                         "2026-12-04), taking a share of the crawler's cores")
    ap.add_argument("--quick", action="store_true", help="28 articles (a smoke run)")
    args = ap.parse_args()
    articles = 28 if args.quick else args.articles
    results: dict[str, CrawlResult] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        work = Path(tmp)
        with large_mirror([args.site], articles, render_once=not args.render_each) as urls:
            print(f"{args.site}: {articles} articles on the mirror")
            results["bare Scrapy"] = run_crawl(urls, work / "bare.db", variant="bare")
            describe("bare Scrapy", results["bare Scrapy"])
            results["pipeline"] = run_crawl(urls, work / "pipeline.db")
            describe("pipeline", results["pipeline"])
            if args.breakdown:
                results["pipeline, no WARC"] = run_crawl(
                    urls, work / "nowarc.db", extra=["--no-warc"])
                describe("pipeline, no WARC", results["pipeline, no WARC"])
                results["pipeline, writer thread"] = run_crawl(
                    urls, work / "thread.db", extra=["--set", "ARCHIVE_WRITER=thread"])
                describe("pipeline, writer thread", results["pipeline, writer thread"])
        bare, full = results["bare Scrapy"], results["pipeline"]
        ratio = full.pages_per_second / bare.pages_per_second
        others = [n for n in ("pipeline, no WARC", "pipeline, writer thread") if n in results]
        rows = [(f"{name} throughput", f"{results[name].pages_per_second:.1f} pages/s", "",
                 None) for name in ("bare Scrapy", "pipeline", *others)]
        rows.append(("pipeline / bare", f"{ratio:.2f}", f"≥ {TARGET}", ratio >= TARGET))
        for name in others:
            share = results[name].pages_per_second / bare.pages_per_second
            rows.append((f"{name} / bare", f"{share:.2f}", "", None))
        if full.total("item_scraped_count") != bare.total("item_scraped_count"):
            print("  WARNING: the two crawls scraped different numbers of articles")
        print_table(f"Pipeline vs bare Scrapy ({args.site}, {articles} articles)", rows)
        if args.profile:
            with large_mirror([args.site], min(articles, 1000)) as urls:
                prof = work / "pipeline.prof"
                run_crawl(urls, work / "profiled.db", profile=prof)
            print(f"\nWhere the pipeline crawl's time goes ({min(articles, 1000)} articles), "
                  "the crawl process:")
            profile_summary(prof)
            writer = prof.with_name(prof.name + ".writer")
            if writer.exists():
                print("\n... and the archive writer process (CPU time):")
                profile_summary(writer)


if __name__ == "__main__":
    main()
