"""``dost-archive crawl --files`` end to end on the bundled mirror of Quảng Ninh.

Its articles link plans with Vietnamese file names (percent-encoded), each a small PDF of its
own; the plan of article ``GONE`` is linked but answered 404. Real CLI in a subprocess, real
HTTP on 127.0.0.1, a temporary archive.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.mirror.sites.quangninh import GONE, QuangNinhModel
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITE = "quangninh"
pytestmark = pytest.mark.slow


def crawl(db: Path, base_url: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", SITE, "--db", str(db), "--base-url",
         base_url, "-q", "--files", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    with Archive(db) as archive:
        return next(iter(archive.db["crawl_runs"].rows_where(order_by="id desc", limit=1)))


def attachments(db: Path) -> dict[str, dict]:
    """nid → its one attachment entry, for every archived article that has one."""
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
    found = {}
    for row in rows:
        for entry in row["attachments"]:
            found[urlsplit(row["url"]).query.removeprefix("nid=")] = entry
    return found


def on_disk(files: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in files.rglob("*") if p.is_file()}


def test_crawl_with_files_downloads_records_and_does_not_download_again(tmp_path):
    model = QuangNinhModel()
    linked = {str(a.id): model.attachments(a)[0] for a in model.articles if model.attachments(a)}
    assert str(GONE) in linked and len(linked) >= 5
    db = tmp_path / "archive.db"
    files = tmp_path / "archive-files"  # the default: <archive stem>-files beside the archive
    with mirror_process(SITE) as urls:
        first = crawl(db, urls[SITE])
        got = attachments(db)
        assert set(got) == set(linked)
        # One file served by the mirror, fetched directly: the archive holds the same bytes.
        href, name = linked["7426"]
        with urllib.request.urlopen(urls[SITE] + href, timeout=10) as reply:
            served = reply.read()
        assert got["7426"]["sha256"] == hashlib.sha256(served).hexdigest()
        assert (files / got["7426"]["path"]).read_bytes() == served
        assert got["7426"]["name"] == name and name.startswith("Kế hoạch số")

        for nid, entry in got.items():
            # Archived under the site's own URL, never the mirror's.
            assert entry["url"] == model.site_url + linked[nid][0], entry
            if nid == str(GONE):
                continue
            data = (files / entry["path"]).read_bytes()
            assert entry["path"] == f"{SITE}/{hashlib.sha256(data).hexdigest()}.pdf"
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert (entry["mime"], entry["size"]) == ("application/pdf", len(data))
            assert entry["downloaded_at"] and "error" not in entry
        # The dead link: an error, no file, and its article is archived all the same.
        assert got[str(GONE)]["error"] == "HTTP 404"
        assert not {"sha256", "path"} & set(got[str(GONE)])
        downloaded = len(linked) - 1
        assert len(on_disk(files)) == downloaded  # one file per distinct content
        assert (first["status"], first["new"], first["errors"]) == ("ok", len(model.articles), 0)

        # A full re-crawl: nothing downloaded again, no revision; only the dead link is tried.
        before = on_disk(files)
        full = crawl(db, urls[SITE], "--full")
    assert (full["new"], full["updated"], full["unchanged"]) == (0, 0, len(model.articles))
    assert on_disk(files) == before
    assert attachments(db) == got
    assert first["pages"] - full["pages"] == downloaded
    with Archive(db) as archive:
        assert archive.db["revisions"].count == len(model.articles)
        assert archive.integrity_ok()
