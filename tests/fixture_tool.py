"""Save mirror pages as fixtures and (re)generate their expected output for review.

    python -m tests.fixture_tool save SITE URL_PATH NAME --kind article|listing
        [--method POST --data JSON]
    python -m tests.fixture_tool regen [SITE …]      # rewrite expected.json; review with git diff

A fixture is a folder ``tests/fixtures/<site>/<name>/`` holding ``page.html`` (the body as
served), ``meta.json`` (url, fetched_at, site, kind) and ``expected.json`` (the normalized
article, or the listing's entries). ``tests/spiders/test_fixtures.py`` compares the parsers
with ``expected.json``; when a parser changes on purpose, ``regen`` and review the diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from scrapy.http import HtmlResponse, TextResponse

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED_AT = "2026-11-22T09:00:00+07:00"  # frozen capture time of every saved page
#: Not a site's saved pages: the static sample site, and the two evaluation sets whose
#: truth.json was written by reading the page, not by our parsers (expected.json):
#: tests/fixtures/realtext (real DOST pages' stored text, modelled in their platform's
#: markup) and tests/fixtures/realsaved (pages others saved in public repositories).
SITE_DIRS_EXCLUDED = {"sample_site", "realtext", "realsaved"}


def fixture_dirs(site: str | None = None) -> list[Path]:
    sites = [FIXTURES / site] if site else [
        p for p in sorted(FIXTURES.iterdir()) if p.is_dir() and p.name not in SITE_DIRS_EXCLUDED]
    return sorted(d for s in sites for d in s.iterdir() if (d / "meta.json").exists())


def load_page(folder: Path) -> tuple[dict[str, Any], bytes]:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return meta, (folder / "page.html").read_bytes()


def response_for(meta: dict[str, Any], body: bytes) -> TextResponse:
    headers = {"Content-Type": meta.get("content_type", "text/html; charset=utf-8")}
    cls = HtmlResponse if "html" in headers["Content-Type"] else TextResponse
    return cls(url=meta["url"], body=body, headers=headers, encoding="utf-8")


def fixture_response(folder: Path) -> TextResponse:
    """The saved page in ``folder`` as the Scrapy response a crawl would have parsed."""
    return response_for(*load_page(folder))


def parse_fixture(folder: Path) -> Any:
    """What our code makes of a saved page: an article dict or a list of listing entries."""
    from crawler.parsing import parse_saved_page, spider_class

    meta, body = load_page(folder)
    if meta["kind"] == "article":
        return parse_saved_page(meta["site"], body, meta["url"],
                                fetched_at=meta["fetched_at"]).to_dict()
    spider = spider_class(meta["site"])()
    response = response_for(meta, body)
    # As a crawl reads a listing page after its first (every known variant, no fallback:
    # an empty last page is empty); ``fallback`` is crawl bookkeeping, always False here.
    return [{**{k: v for k, v in asdict(e).items() if k != "fallback"},
             "url": spider.site_link(response, e.url)}
            for e in spider.read_listing(response, fallback=False).entries]


def save(site: str, target: str, name: str, kind: str, method: str = "GET",
         data: str | None = None, content_type: str = "application/json") -> Path:
    """Render ``target`` (path?query on the site) from the mirror model and save it."""
    from crawler.mirror.sites import models
    from crawler.mirror.sites.base import MirrorRequest

    model = models()[site]()
    parts = urlsplit(target)
    headers = {"content-type": content_type} if data else {}
    reply = model.respond(MirrorRequest(method, unquote(parts.path), parse_qs(parts.query),
                                        (data or "").encode(), headers))
    if reply.status != 200:
        raise SystemExit(f"{target}: mirror answered {reply.status}")
    folder = FIXTURES / site / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(reply.data)
    meta = {"url": model.site_url.rstrip("/") + target, "fetched_at": FETCHED_AT,
            "site": site, "kind": kind, "content_type": reply.content_type}
    if method != "GET":
        meta.update(method=method, data=data, request_content_type=content_type)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    regen(folder)
    return folder


def regen(folder: Path) -> None:
    out = json.dumps(parse_fixture(folder), ensure_ascii=False, indent=2) + "\n"
    (folder / "expected.json").write_text(out, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fixture_tool")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("save")
    s.add_argument("site")
    s.add_argument("target", help="path and query on the site, e.g. /tin-tuc?page=2")
    s.add_argument("name")
    s.add_argument("--kind", choices=["article", "listing"], required=True)
    s.add_argument("--method", default="GET")
    s.add_argument("--data", help="request body for POST endpoints")
    s.add_argument("--content-type", default="application/json",
                   help="of --data (application/x-www-form-urlencoded for form posts)")
    r = sub.add_parser("regen")
    r.add_argument("sites", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "save":
        print(save(args.site, args.target, args.name, args.kind, args.method, args.data,
                   args.content_type))
    else:
        for site in args.sites or [None]:
            for folder in fixture_dirs(site):
                regen(folder)
                print(f"regenerated {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()


def realtext_pages(kind: str = "realtext"
                   ) -> list[tuple[str, dict[str, Any], bytes, dict[str, Any]]]:
    """An evaluation set (``realtext`` or ``realsaved``): (folder name, meta, page bytes,
    truth) per page."""
    root = FIXTURES / kind
    out = []
    for folder in sorted(p for p in root.iterdir() if (p / "truth.json").exists()
                         and (p / "meta.json").exists() and (p / "page.html").exists()) \
            if root.exists() else []:
        meta, body = load_page(folder)
        out.append((folder.name, meta, body,
                    json.loads((folder / "truth.json").read_text(encoding="utf-8"))))
    return out
