"""Generic extraction: our extractor vs trafilatura on two sets of pages.

1. The reviewed fixtures. Gold: each fixture's expected.json, written by the site's own
   parser and reviewed (pages of the generic site itself are left out: their expected output
   *is* the generic extractor's). This measures agreement with our own site parsers.
2. The real-text set (tests/fixtures/realtext): real DOST and provincial pages' stored text,
   modelled in their platform's markup; truth.json written by reading the stored text before
   any extractor ran (headline, date, author, source, three body sentences, four strings of
   page furniture). Compared: ours vs trafilatura for title/author/text with htmldate for the
   date, and every page each gets wrong, field by field.

Scoring rules: crawler/extract/scoring.py. Time: wall time per page, our normalisation
included.

    .venv/bin/python bench/bench_extract.py [--repeat N] [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.extract.scoring import FIELDS, REALTEXT_FIELDS, day, score, score_realtext
from crawler.normalize.dates import parse_date
from crawler.parsing import parse_saved_page
from tests.fixture_tool import fixture_dirs, load_page, realtext_pages


def gold_pages() -> list[tuple[dict, bytes, dict]]:
    pages = []
    for folder in fixture_dirs():
        meta, body = load_page(folder)
        if meta["kind"] == "article" and meta["site"] != "generic":
            gold = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
            pages.append((meta, body, gold))
    return pages


def ours(meta: dict, body: bytes) -> dict:
    a = parse_saved_page("generic", body, meta["url"], fetched_at=meta["fetched_at"])
    return {"title": a.title, "date": day(a.published_at), "author": a.author,
            "body": a.body_text}


def trafilatura_extract(meta: dict, body: bytes) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(body.decode("utf-8"), url=meta["url"],
                                      with_metadata=True)
    d = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    parsed = parse_date(d.get("date")) if d.get("date") else None
    return {"title": d.get("title"), "date": day(parsed.isoformat()) if parsed else None,
            "author": d.get("author"), "body": d.get("text")}


def ours_real(meta: dict, body: bytes) -> dict:
    """Our generic extractor, as ``dost-archive parse generic PAGE --url URL`` runs it."""
    a = parse_saved_page("generic", body, meta["url"], fetched_at=meta["fetched_at"])
    return {"title": a.title, "date": day(a.published_at), "author": a.author,
            "source": a.source, "body": a.body_text}


def trafilatura_real(meta: dict, body: bytes) -> dict:
    """trafilatura for title, author and text; htmldate (which it uses) for the date."""
    import htmldate
    import trafilatura

    doc = trafilatura.bare_extraction(body, url=meta["url"], with_metadata=True)
    d = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    found = htmldate.find_date(body, url=meta["url"], original_date=True,
                               outputformat="%Y-%m-%d")
    return {"title": d.get("title"), "date": found, "author": d.get("author"),
            "source": None, "body": d.get("text")}  # trafilatura has no credited source


SETS = {
    "realtext": "real-text set: {n} article pages from {h} sites; truth written by reading "
                "the stored text (tests/fixtures/realtext)",
    "realsaved": "real saved pages: {n} article pages from {h} sites, saved by others in "
                 "public repositories; truth written by reading (tests/fixtures/realsaved)",
}


def report_realtext(show_misses: bool, kind: str = "realtext") -> None:
    pages = realtext_pages(kind)
    hosts = sorted({m["site"] for _n, m, _b, _t in pages})
    print("\n" + SETS[kind].format(n=len(pages), h=len(hosts)))
    print(f"{'extractor':<24} " + " ".join(f"{f:>9}" for f in REALTEXT_FIELDS))
    for name, fn in (("ours (generic)", ours_real),
                     ("trafilatura + htmldate", trafilatura_real)):
        s = score_realtext(fn, pages)
        print(f"{name:<24} " + " ".join(f"{s.accuracy(f):>9.0%}" for f in REALTEXT_FIELDS))
        if show_misses:
            for page, field, want, came in s.misses:
                print(f"    miss {page:<24} {field:<9} want {want[:50]!r} got {came[:60]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions")
    parser.add_argument("--misses", action="store_true",
                        help="list every real-text page and field each extractor gets wrong")
    args = parser.parse_args()
    pages = gold_pages()
    sites = sorted({m["site"] for m, _b, _g in pages})
    print(f"{len(pages)} article pages from {len(sites)} sites ({', '.join(sites)}); "
          "gold = the sites' own parsers, reviewed")
    print(f"{'extractor':<16} {'title':>7} {'date':>7} {'author':>7} {'body≥.9':>8} "
          f"{'body F1':>8} {'ms/page':>8}")
    results = {}
    for name, fn in (("ours (generic)", ours), ("trafilatura", trafilatura_extract)):
        s = results[name] = score(fn, pages, repeat=args.repeat)
        cells = " ".join(f"{s.accuracy(f):>7.0%}" for f in FIELDS[:3])
        print(f"{name:<16} {cells} {s.accuracy('body'):>8.0%} {s.mean_body_f1:>8.3f} "
              f"{s.seconds_per_page * 1000:>8.1f}")
    ratio = results["trafilatura"].seconds_per_page / results["ours (generic)"].seconds_per_page
    print(f"speed: ours takes 1/{ratio:.1f} of trafilatura's time per page")
    for kind in SETS:
        report_realtext(args.misses, kind)


if __name__ == "__main__":
    main()
