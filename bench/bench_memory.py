"""Benchmark: peak memory of a 50,000-page crawl, and whether it stays flat.

Why: a scheduled crawl of every site runs unattended on small machines; its memory must
not grow with the number of pages it has seen.

How: the mirror of every site with a spider of its own, ``--articles`` per site (default
4,200: with robots.txt and the listing pages, about 50,000 responses in all), crawled like
``dost-archive crawl`` (all sites in one process, pipelines into a fresh archive, WARC
captures; bench/_crawl.py). The crawl process records its own VmRSS (/proc/self/status)
with the number of responses so far every ``--every`` seconds; its VmHWM at the end is the
peak. "Flat" is judged from the medians of the first and the last quarter of the samples
(by responses): the growth between them, in MB per 10,000 pages, must stay under
``FLAT_MB_PER_10K``.

    .venv/bin/python bench/bench_memory.py [--articles N] [--every S] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from _common import SPIDER_SITES, large_mirror, print_table, run_crawl

PEAK_TARGET_MB = 300
#: Growth under which the memory counts as flat. What a crawl must remember per page is about
#: 500 bytes: Scrapy's request fingerprint (20-byte key in a set, ~95 B) and the canonical URL
#: twice (the in-run dedup set and the spider's listed URLs, ~200 B each), i.e. 5 MB per
#: 10,000 pages. More than 6 means something else accumulates.
FLAT_MB_PER_10K = 6.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=4200, help="articles per site")
    ap.add_argument("--every", type=float, default=1.0, help="seconds between RSS samples")
    ap.add_argument("--quick", action="store_true", help="one site at 28 articles (a smoke run)")
    args = ap.parse_args()
    sites = ("sonla",) if args.quick else SPIDER_SITES
    articles = 28 if args.quick else args.articles
    every = 0.1 if args.quick else args.every
    with (tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
          large_mirror(sites, articles) as urls):
        print(f"{len(sites)} sites × {articles} articles on the mirror; crawling …", flush=True)
        result = run_crawl(urls, Path(tmp) / "memory.db", sample_every=every)
    samples = [(t, pages, kb) for t, pages, kb in result.process["samples"] if kb]
    pages = result.total("downloader/response_count")
    peak_mb = result.process["vm_hwm_kb"] / 1024
    print(f"  {pages} responses, {result.total('item_scraped_count')} articles in "
          f"{result.elapsed:.0f} s ({result.pages_per_second:.1f} pages/s); "
          f"{len(samples)} RSS samples")
    print(f"  {'responses':>10} {'RSS MB':>8}")
    for k in range(11):  # the curve at every tenth of the crawl
        _t, done, kb = samples[min(len(samples) - 1, k * (len(samples) - 1) // 10)]
        print(f"  {done:>10} {kb / 1024:>8.1f}")
    quarter = max(1, len(samples) // 4)
    first, last = samples[:quarter], samples[-quarter:]
    first_mb = statistics.median(kb for _t, _p, kb in first) / 1024
    last_mb = statistics.median(kb for _t, _p, kb in last) / 1024
    span = statistics.median(p for _t, p, _kb in last) - statistics.median(
        p for _t, p, _kb in first)
    slope = (last_mb - first_mb) / span * 10_000 if span else 0.0
    print_table(f"Memory of a {pages}-page crawl ({len(sites)} sites in one process)", [
        ("peak RSS (VmHWM)", f"{peak_mb:.0f} MB", f"< {PEAK_TARGET_MB} MB",
         peak_mb < PEAK_TARGET_MB),
        ("median RSS, first / last quarter", f"{first_mb:.0f} / {last_mb:.0f} MB", "", None),
        ("growth, first → last quarter", f"{slope:+.1f} MB per 10k pages",
         f"< {FLAT_MB_PER_10K:.0f} MB per 10k", slope < FLAT_MB_PER_10K),
    ])


if __name__ == "__main__":
    main()
