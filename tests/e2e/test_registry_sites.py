"""Newly registered websites (no spider of their own) crawled by the generic spider, one per
platform the registry names for them, against a mirror built from their stored pages: the
real-text fixtures of that host (tests/fixtures/realtext), served at their own paths over
real HTTP on 127.0.0.1, with a home page that links to them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from crawler.registry import load_registry
from storage import Archive
from tests.fixture_tool import realtext_pages

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
#: One newly registered site per platform the registry gives them.
SITES = ("haugiang", "laocai", "yenbai", "bentre", "nghean")


def _key(path: str, query: str) -> str:
    return unquote(path) + ("?" + unquote(query) if query else "")


@contextmanager
def stored_site(slug: str) -> Iterator[tuple[str, list[dict]]]:
    """Serve the stored pages of ``slug``'s hosts; yield (base URL, their truths)."""
    hosts = set(load_registry()[slug].domains)
    pages = {}
    truths = []
    for _name, meta, body, truth in realtext_pages():
        if urlsplit(meta["url"]).hostname in hosts:
            parts = urlsplit(meta["url"])
            pages[_key(parts.path, parts.query)] = (body, meta["content_type"])
            truths.append({"url": meta["url"], **truth})
    links = "".join(f'<li><a href="{t["url"]}">{t["title"]}</a></li>' for t in truths)
    home = f"<html><body><h2>TIN TỨC</h2><ul>{links}</ul></body></html>".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            found = pages.get(_key(parts.path, parts.query))
            if parts.path == "/":
                found = (home, "text/html; charset=utf-8")
            body, ctype = found or (b"<html><body>404</body></html>", "text/html")
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", truths
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("slug", SITES)
def test_a_newly_registered_site_is_crawled_by_the_generic_spider(slug, tmp_path):
    site = load_registry()[slug]
    assert site.spider == "" and "CONFIRMED" in site.evidence.get("domains", "")
    db = tmp_path / "a.db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with stored_site(slug) as (url, truths):
        assert truths, f"no stored page of {slug} among the real-text fixtures"
        result = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", slug, "--db", str(db), "--base-url",
             url, "-q", "--no-warc"], capture_output=True, text=True, env=env, cwd=REPO,
            timeout=300)
    with Archive(db) as archive:
        rows = {r["canonical_url"]: r for r in archive.iter_articles()}
        [run] = list(archive.db["crawl_runs"].rows)
    assert (run["site"], run["status"]) == (slug, "ok"), result.stderr[-3000:]
    # The only alert allowed: pages that print no date (the truth has none) are flagged,
    # never given one, and the date coverage monitor says so (exit 1).
    failed = [m["name"] for m in json.loads(run["monitors"]) if not m["ok"]]
    undated = sum(1 for t in truths if not t["date"])
    assert failed == (["coverage/published_at"] if undated else []), failed
    assert result.returncode == (1 if undated else 0), result.stderr[-3000:]
    dates = sorted((r["published_at"] or "")[:10] for r in rows.values())
    assert dates == sorted(t["date"] or "" for t in truths)
    # Every stored article, under the site's own URL, with the title read from the page.
    got = {unicodedata.normalize("NFC", r["title"]) for r in rows.values()}
    assert got == {unicodedata.normalize("NFC", t["title"]) for t in truths}, json.dumps(
        sorted(rows), ensure_ascii=False)
    assert all(r["extractor"] == "generic" and r["province"] == site.province
               for r in rows.values())
    assert all("127.0.0.1" not in u for u in rows)
