"""`dost-archive crawl` end to end: real Scrapy, real HTTP on loopback, real archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Archive
from tests.conftest import FIXTURES
from tests.httpserver import static_server

REPO = Path(__file__).resolve().parents[2]


def crawl(db: Path, *args: str, site: str = "sample") -> subprocess.CompletedProcess:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.e2e.settings",
           "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", site, "--db", str(db), *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )


@pytest.fixture(scope="module")
def mirror():
    with static_server(FIXTURES / "sample_site") as url:
        yield url


@pytest.mark.slow
def test_crawl_archives_links_rejects_and_records_the_run(mirror, tmp_path):
    db = tmp_path / "archive.db"
    result = crawl(db, "--base-url", mirror, "-q")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sample" in result.stdout and "ok" in result.stdout

    with Archive(db) as archive:
        rows = {r["canonical_url"]: r for r in archive.iter_articles()}
        base = "https://sample.example.gov.vn"
        # Mirror URLs were mapped back to the site's own; ?utm_source repeat collapsed.
        assert sorted(rows) == [f"{base}/a1.html", f"{base}/a2.html", f"{base}/a3.html",
                                f"{base}/copy-of-a1.html"]
        a1, copy = rows[f"{base}/a1.html"], rows[f"{base}/copy-of-a1.html"]
        # Same content at two URLs: both kept, the later-stored one linked to the first.
        first, later = sorted([a1, copy], key=lambda r: r["id"])
        assert later["duplicate_of"] == first["id"] and first["duplicate_of"] is None
        assert a1["published_at"] == "2020-12-14T17:29:00+07:00"
        assert a1["author"] == "Nguyên Ngọc" and "Tin khác" not in a1["body_text"]
        a3 = rows[f"{base}/a3.html"]
        assert a3["published_at"] is None and "no_date" in a3["flags"]
        run = next(archive.db["crawl_runs"].rows)
        assert (run["site"], run["status"], run["new"], run["rejected"]) == ("sample", "ok", 4, 1)
        assert run["pages"] >= 7
        rejection = next(archive.db["rejections"].rows)
        assert rejection["url"] == f"{base}/empty.html" and "not an article" in rejection["reason"]
        assert json.loads(run["args"])["base_url"] == mirror

    # A second crawl changes nothing but last_seen_at.
    again = crawl(db, "--base-url", mirror, "-q")
    assert again.returncode == 0, again.stderr[-3000:]
    with Archive(db) as archive:
        assert archive.db["articles"].count == 4 and archive.db["revisions"].count == 4
        last = next(iter(archive.db["crawl_runs"].rows_where(order_by="id desc", limit=1)))
        assert (last["new"], last["unchanged"], last["updated"]) == (0, 4, 0)
        assert archive.integrity_ok()


@pytest.mark.slow
def test_scrapy_crawl_behaves_like_dost_archive_crawl(mirror, tmp_path):
    db = tmp_path / "scrapy.db"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.e2e.settings",
           "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "sample", "-a", f"base_url={mirror}",
         "-s", f"ARCHIVE_DB={db}", "-s", "LOG_LEVEL=WARNING"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with Archive(db) as archive:
        assert archive.db["articles"].count == 4
        assert next(archive.db["crawl_runs"].rows)["status"] == "ok"


@pytest.mark.slow
def test_crawl_of_an_unreachable_site_fails_with_status_1(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "down.db"
    result = crawl(db, "--base-url", f"http://127.0.0.1:{port}", "-q")
    assert result.returncode == 1
    assert "sites not ok: sample (errors)" in result.stderr
    with Archive(db) as archive:
        run = next(archive.db["crawl_runs"].rows)
        assert run["status"] == "errors" and run["errors"] >= 1


@pytest.mark.slow
def test_monitors_land_in_crawl_runs_the_report_and_the_exit_status(mirror, tmp_path):
    db, report = tmp_path / "m.db", tmp_path / "report.json"
    result = crawl(db, "--base-url", mirror, "-q", "--report", str(report),
                   site="sample_strict")
    # The crawl itself went fine; a monitor (published_at coverage 3/4 < 95 %) did not.
    assert result.returncode == 1
    assert "alert coverage/published_at for sample_strict" in result.stderr
    runs = json.loads(report.read_text(encoding="utf-8"))
    assert runs[0]["status"] == "ok" and runs[0]["alerts"] == 1
    failed = [m for m in runs[0]["monitors"] if not m["ok"]]
    assert [m["name"] for m in failed] == ["coverage/published_at"]
    assert failed[0]["value"] == 0.75 and failed[0]["threshold"] == 0.95
    with Archive(db) as archive:
        assert next(iter(archive.db["crawl_runs"].rows))["alerts"] == 1
        stats = {r["site"]: r for r in archive.stats()}
        assert stats["sample_strict"]["last_run_alerts"] == 1
    # The same site with its per-site override passes.
    ok = crawl(tmp_path / "ok.db", "--base-url", mirror, "-q")
    assert ok.returncode == 0, ok.stderr[-2000:]
