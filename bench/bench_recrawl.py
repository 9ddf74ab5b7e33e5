"""Benchmark: requests of an unchanged-site re-crawl against the full crawl, per mirrored site.

Why: incremental crawling is what keeps a daily run polite; a re-crawl of a site where nothing
changed should fetch little more than robots.txt and the first listing page per category.

How: the mirror of every site with a spider of its own, at the usual 28 articles per site
and at ``--articles`` (default 1,000) per site. For each size, one crawl of all sites into a
fresh archive (every listing page and every article: the full crawl), then the same crawl
again into the same archive, unchanged site (the incremental default). Requests are Scrapy's
``downloader/request_count`` (robots.txt and retries included). Both crawls run like
``dost-archive crawl`` (bench/_crawl.py), all sites in one process.

    .venv/bin/python bench/bench_recrawl.py [--articles N] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import SPIDER_SITES, CrawlResult, large_mirror, print_table, run_crawl

from crawler.mirror.data import BASE_COUNT

TARGET = 0.05


def measure(sites: tuple[str, ...], articles: int, work: Path) -> tuple[CrawlResult,
                                                                          CrawlResult]:
    with large_mirror(sites, articles) as urls:
        db = work / f"recrawl-{articles}.db"
        full = run_crawl(urls, db)
        again = run_crawl(urls, db)
    return full, again


def report(articles: int, full: CrawlResult, again: CrawlResult) -> float:
    key = "downloader/request_count"
    print(f"\n{articles} articles per site: requests of the full crawl and of the re-crawl")
    print(f"  {'site':<14} {'articles':>8} {'full':>7} {'re-crawl':>8} {'ratio':>7}")
    for site in sorted(full.sites):
        f, a = full.sites[site], again.sites[site]
        print(f"  {site:<14} {f.get('item_scraped_count', 0):>8} {f.get(key, 0):>7} "
              f"{a.get(key, 0):>8} {a.get(key, 0) / f[key]:>7.2%}")
    ratio = again.total(key) / full.total(key)
    print(f"  {'total':<14} {full.total('item_scraped_count'):>8} {full.total(key):>7} "
          f"{again.total(key):>8} {ratio:>7.2%}")
    print(f"  items scraped by the re-crawl: {again.total('item_scraped_count')}; "
          f"listing entries skipped as known: {again.total('listing/known_skipped')}")
    return ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="articles per site (large run)")
    ap.add_argument("--quick", action="store_true",
                    help="one site at 28 articles only (a smoke run)")
    args = ap.parse_args()
    sites = ("sonla",) if args.quick else SPIDER_SITES
    sizes = [BASE_COUNT] if args.quick else [BASE_COUNT, args.articles]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-recrawl-") as tmp:
        for articles in sizes:
            full, again = measure(sites, articles, Path(tmp))
            ratio = report(articles, full, again)
            rows.append((f"re-crawl / full crawl requests, {len(sites)} sites × {articles}",
                         f"{ratio:.2%}", f"≤ {TARGET:.0%}", ratio <= TARGET))
    print_table("Unchanged re-crawl (requests)", rows)


if __name__ == "__main__":
    main()
