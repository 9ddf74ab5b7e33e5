"""Raw captures end to end: a crawl of the mirror writes a WARC that warcio validates and that
replays the archived articles; a re-crawl writes revisit records; ``reparse`` after a
deliberate parser change adds revisions with no network; removed articles get ``gone_at``.

Real Scrapy in a subprocess, real HTTP on 127.0.0.1, a temporary archive per module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.parsing import parse_saved_page, spider_class
from crawler.plumbing.warc import OPEN_SUFFIX, payload_digest, read_capture, warc_dir_for
from crawler.reparse import reparse
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITE = "sonla"
pytestmark = pytest.mark.slow


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=300)


def crawl(base_url: str, db: Path, *args: str) -> dict:
    result = run_cli("crawl", SITE, "--db", str(db), "--base-url", base_url, "-q", *args)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    with Archive(db) as archive:
        return next(iter(archive.db["crawl_runs"].rows_where(order_by="id desc", limit=1)))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of the mirror after a first crawl and an unchanged incremental re-crawl;
    the mirror is stopped when this returns, so everything after runs offline."""
    db = tmp_path_factory.mktemp("warc") / "archive.db"
    with mirror_process(SITE) as urls:
        crawl(urls[SITE], db)
        crawl(urls[SITE], db)
    return db


def records(path: Path) -> list[dict]:
    """Every record of a WARC file, read with warcio alone (no project code)."""
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            out.append({"type": rec.rec_type, "id": rec.rec_headers.get_header("WARC-Record-ID"),
                        "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                        "digest": rec.rec_headers.get_header("WARC-Payload-Digest"),
                        "refers_to": rec.rec_headers.get_header("WARC-Refers-To"),
                        "body": rec.content_stream().read() if rec.rec_type == "response"
                        else b""})
    return out


def test_warc_files_are_valid_and_closed(crawled):
    files = sorted(warc_dir_for(crawled).iterdir())
    assert [f.suffixes[-2:] for f in files] == [[".warc", ".gz"]] * 2, files  # none left .open
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", "-v",
                            *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "digest pass" in check.stdout and "fail" not in check.stdout.lower()
    first = records(files[0])
    kinds = Counter(r["type"] for r in first)
    assert kinds["warcinfo"] == 1 and kinds["response"] == kinds["request"] > 28


def test_warc_replays_every_archived_article(crawled):
    """Each article's record, found by warcio by its record id, re-parses to the same
    content; the record's payload digest is the SHA-1 of the payload."""
    by_id = {r["id"]: r for f in warc_dir_for(crawled).iterdir() for r in records(f)}
    with Archive(crawled) as archive:
        articles = list(archive.iter_articles())
        assert len(articles) == 28
        for art in articles:
            cap = archive.capture(art["capture_id"])
            assert cap is not None and cap["page"] == "article" and cap["status"] == 200
            if cap["kind"] == "revisit":
                cap = archive.capture(cap["refers_to"])
            record = by_id[cap["record_id"]]
            assert record["type"] == "response"
            assert record["digest"] == payload_digest(record["body"]) == cap["payload_digest"]
            replayed = parse_saved_page(SITE, record["body"], cap["origin_url"])
            assert replayed.canonical_url == art["canonical_url"]
            assert replayed.content_hash == art["content_hash"]
            revision = archive.revisions(art["id"])[0]
            assert revision["capture_id"] == art["capture_id"]


def test_recrawl_writes_revisits_not_copies(crawled):
    with Archive(crawled) as archive:
        caps = list(archive.db["captures"].rows)
        responses = [c for c in caps if c["kind"] == "response"]
        revisits = [c for c in caps if c["kind"] == "revisit"]
        by_id = {c["id"]: c for c in caps}
    # robots.txt and the unchanged first listing pages of the second run are revisits.
    assert len(revisits) >= 3
    digests = Counter(c["payload_digest"] for c in responses)
    assert max(digests.values()) == 1, "an identical payload was stored twice"
    for c in revisits:
        first = by_id[c["refers_to"]]
        assert first["kind"] == "response" and first["payload_digest"] == c["payload_digest"]
        assert first["id"] < c["id"]
    second_file = sorted(warc_dir_for(crawled).iterdir())[1]
    warc_revisits = [r for r in records(second_file) if r["type"] == "revisit"]
    assert {r["refers_to"] for r in warc_revisits} <= {by_id[c["refers_to"]]["record_id"]
                                                       for c in revisits}
    assert len(warc_revisits) == len([c for c in revisits
                                      if c["warc_file"] == second_file.name])


def test_reparse_after_a_parser_change_adds_revisions_offline(crawled, tmp_path, monkeypatch):
    db = tmp_path / "archive.db"
    shutil.copy(crawled, db)
    shutil.copytree(warc_dir_for(crawled), warc_dir_for(db))
    with Archive(db) as archive:
        before = {a["canonical_url"]: a for a in archive.iter_articles()}

    same = reparse(db)
    assert (same.articles, same.unchanged, same.changed, same.failed) == (28, 28, 0, 0)

    # A deliberate parser change: the site parser now also reads a subtitle into the title.
    cls = spider_class(SITE)
    original = cls.parse_article

    def changed(self, response):
        raw = original(self, response)
        raw.title = f"{raw.title} — bản đọc lại"
        return raw

    monkeypatch.setattr(cls, "parse_article", changed)
    result = reparse(db, site=SITE)
    assert (result.changed, result.unchanged, result.failed) == (28, 0, 0)
    assert reparse(db, site=SITE).changed == 0  # idempotent
    with Archive(db) as archive:
        for art in archive.iter_articles():
            old = before[art["canonical_url"]]
            assert art["title"] == f"{old['title']} — bản đọc lại"
            assert art["revision_count"] == 2
            # The site did not change: seen/changed times stay; the revision says reparsed.
            assert (art["last_seen_at"], art["last_changed_at"]) == (
                old["last_seen_at"], old["last_changed_at"])
            first, second = archive.revisions(art["id"])
            assert first["reparsed_at"] is None and second["reparsed_at"]
            assert second["capture_id"] == first["capture_id"] == art["capture_id"]
            assert first["title"] == old["title"]
        assert archive.search("bản đọc lại", limit=50)
    monkeypatch.undo()

    # Back to the shipped parser, through the command line: every article reverts.
    out = run_cli("reparse", "--db", str(db), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["changed"] == 28


def test_reparse_reports_missing_captures(crawled, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(crawled, db)  # the WARC directory is not copied
    out = run_cli("reparse", "--db", str(db))
    assert out.returncode == 1
    assert "reparsed 28 articles: 0 changed" in out.stdout and "28 failed" in out.stdout
    assert "is not in" in out.stderr and "Traceback" not in out.stderr
    with Archive(db) as archive:
        assert archive.db["revisions"].count == 28  # nothing changed


def test_reparse_reads_a_file_a_killed_run_left_open(crawled, tmp_path):
    directory = tmp_path / "warc"
    shutil.copytree(warc_dir_for(crawled), directory)
    with Archive(crawled) as archive:
        cap = next(c for c in archive.db["captures"].rows_where("kind = 'response'"))
    path = directory / cap["warc_file"]
    path.rename(path.with_name(path.name + OPEN_SUFFIX))
    headers, body = read_capture(directory, cap)
    assert payload_digest(body) == cap["payload_digest"]
    assert headers.get_statuscode() == str(cap["status"])


def test_removed_articles_get_gone_at_and_keep_their_rows(tmp_path):
    db = tmp_path / "archive.db"
    with mirror_process(SITE) as urls:
        crawl(urls[SITE], db)
    with mirror_process(SITE, scenario="gone") as urls:
        run = crawl(urls[SITE], db, "--full")
    assert (run["status"], run["gone"], run["errors"]) == ("ok", 2, 0)
    with Archive(db) as archive:
        gone = list(archive.db["articles"].rows_where("gone_at IS NOT NULL"))
        assert sorted(a["gone_status"] for a in gone) == [404, 410]
        assert all(a["body_text"] and a["revision_count"] == 1 for a in gone)
        assert archive.db["articles"].count == 28
        statuses = {c["status"] for c in archive.db["captures"].rows_where("page = 'article'")}
        assert {404, 410} <= statuses  # the answers that made them gone are captured
    # The articles come back: an ordinary incremental run fetches them again and clears it.
    with mirror_process(SITE) as urls:
        back = crawl(urls[SITE], db)
    with Archive(db) as archive:
        assert archive.db["articles"].count_where("gone_at IS NOT NULL") == 0
        assert back["unchanged"] >= 2 and back["new"] == 0


def test_reparse_waits_for_no_crawl(crawled, tmp_path):
    """reparse rewrites articles, so a running crawl's lock refuses it with one line."""
    from crawler.plumbing import lock

    db = tmp_path / "archive.db"
    shutil.copy(crawled, db)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom crawler import lock\nlock.acquire(sys.argv[1])\n"
        "print('held', flush=True)\nsys.stdin.read()"), str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "held"
        out = run_cli("reparse", "--db", str(db))
        assert out.returncode == 2 and "another crawl is running" in out.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert not lock.held(db)
    assert run_cli("reparse", "--db", str(db)).returncode == 1  # no WARC copied: runs, fails
