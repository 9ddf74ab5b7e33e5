"""``python -m crawler.mirror``: serve the mirror until interrupted (used by tests)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading

from crawler.mirror.data import ARTICLES_ENV, SCENARIOS, article_count
from crawler.mirror.server import Mirror


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.mirror")
    parser.add_argument("--site", action="append", help="a site to serve (default: all)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="base")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME",
                        help="serve this markup variant of the sites' CMS (repeatable, "
                             "applied in order), e.g. UIListNews_Default")
    parser.add_argument("--redesign", action="store_true",
                        help="rename every CSS class (a site whose layout changed)")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS",
                        help="answer each request this much later (a slow site)")
    parser.add_argument("--faults", type=int, metavar="SEED",
                        help="inject faults (5xx, stalls, resets, truncated bodies, wrong "
                             "charsets, redirect loops), deterministic per URL for this seed")
    parser.add_argument("--offsite", metavar="URL",
                        help="another server's URL that --site hostile links and redirects to")
    parser.add_argument("--articles", type=int, metavar="N",
                        help="articles per site, for the benchmarks (default: 28)")
    parser.add_argument("--render-once", action="store_true",
                        help="render each page on its first request and serve its bytes after "
                             "(benchmarks: the mirror's rendering off the crawler's cores)")
    args = parser.parse_args()
    if args.articles is not None:
        os.environ[ARTICLES_ENV] = str(args.articles)
    try:
        article_count()
        mirror = Mirror(args.site, scenario=args.scenario, redesign=args.redesign,
                        delay=max(0.0, args.delay), faults=args.faults, offsite=args.offsite,
                        variants=args.variant, render_once=args.render_once)
    except ValueError as exc:
        sys.exit(f"mirror: {exc}")
    print(json.dumps(mirror.urls), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    mirror.close()


if __name__ == "__main__":
    main()
