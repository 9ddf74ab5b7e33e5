"""Each seed site crawled end to end from the mirror: counts, dates, incremental re-crawls.

Real Scrapy in a subprocess, real HTTP on 127.0.0.1, a temporary archive per test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.mirror.sites import models
from crawler.registry import load_registry
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITES = sorted(set(models()) - {"generic"})  # the generic spider: tests/spiders/test_generic.py
pytestmark = pytest.mark.slow


def crawl(site: str, base_url: str, db: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", site, "--db", str(db), "--base-url",
         base_url, "-q", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    with Archive(db) as archive:
        return next(iter(archive.db["crawl_runs"].rows_where(order_by="id desc", limit=1)))


def model_count(site: str, scenario: str = "base") -> int:
    return len(models()[site](scenario).articles)


@pytest.mark.parametrize("site", SITES)
def test_full_then_unchanged_then_updated_crawl(site, tmp_path):
    db = tmp_path / f"{site}.db"
    with mirror_process(site) as urls:
        first = crawl(site, urls[site], db)
        second = crawl(site, urls[site], db)
    expected = model_count(site)
    assert expected >= 25
    assert (first["status"], first["new"], first["errors"]) == ("ok", expected, 0)
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
        assert len(rows) == expected
        assert len({r["canonical_url"] for r in rows}) == expected
        assert all(r["published_at"] for r in rows), [r["url"] for r in rows
                                                      if not r["published_at"]]
        scheme = load_registry()[site].scheme  # https, or http for http-only sites
        assert all(r["canonical_url"].startswith(f"{scheme}://") for r in rows)
        # Nothing archived points at the mirror: URLs, images, attachments, body links.
        for r in rows:
            for field in ("url", "canonical_url", "images", "attachments", "body_html"):
                assert "127.0.0.1" not in str(r[field]), (r["url"], field)
    # An unchanged site: nothing new, and little more than the first listing page fetched.
    assert (second["new"], second["updated"]) == (0, 0)
    assert second["pages"] <= 0.10 * first["pages"], (second["pages"], first["pages"])

    with mirror_process(site, scenario="update") as urls:
        third = crawl(site, urls[site], db)
    assert (third["new"], third["updated"]) == (3, 2)
    with Archive(db) as archive:
        assert archive.db["articles"].count == expected + 3
        assert archive.db["revisions"].count == expected + 3 + 2
        assert archive.integrity_ok()


@pytest.mark.parametrize("site", SITES[:1])
def test_full_recrawl_refetches_everything_and_since_bounds_by_date(site, tmp_path):
    db = tmp_path / "a.db"
    with mirror_process(site) as urls:
        first = crawl(site, urls[site], db)
        full = crawl(site, urls[site], db, "--full")
        assert (full["new"], full["unchanged"]) == (0, first["new"])
        bounded_db = tmp_path / "b.db"
        articles = models()[site]().articles
        since = articles[4].published.date().isoformat()
        bounded = crawl(site, urls[site], bounded_db, "--since", since)
    newer = sum(1 for a in articles if a.published.date() >= articles[4].published.date())
    assert bounded["new"] == newer
    assert bounded["pages"] < first["pages"]
