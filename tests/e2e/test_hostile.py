"""Over a hundred hostile pages (crawler/mirror/hostile.py) crawled from the mirror: each one
ends as an archived article with the expected flags, title, date and text, as a rejection
with its reason, or as a refusal of its size — none is lost, none crashes the crawl, and no
script survives into the archive.

Real Scrapy in a subprocess (the test-only spider tests/e2e/spiders/hostile.py, thin like a
site spider), real HTTP on 127.0.0.1, the mirror in another process.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from crawler.mirror.hostile import HostileModel, corpus
from storage import Archive
from tests.mirror_process import mirror_process
from tests.test_security import script_capable

REPO = Path(__file__).resolve().parents[2]
SITE = HostileModel.site_url
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.e2e.settings",
           "PYTHONPATH": str(REPO)}
    with mirror_process("hostile") as urls:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "hostile", "-a",
             f"base_url={urls['hostile']}", "-s", f"ARCHIVE_DB={db}",
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return db, result.stderr


def test_the_corpus_is_large_varied_and_generated_the_same_every_time():
    pages = corpus()
    assert len(pages) >= 100
    families = Counter(p.family for p in pages)
    assert set(families) >= {"titles", "dates", "sizes", "charsets", "binary", "nesting",
                             "scripts", "empty", "attributes", "nul", "broken-utf8"}
    assert {p.expect.outcome for p in pages} == {"archived", "rejected", "refused"}
    small = [p for p in pages if len(p.body()) < 1_000_000]
    assert [hashlib.sha256(p.make()).digest() for p in small] == [
        hashlib.sha256(p.body()).digest() for p in small]


def test_every_page_is_archived_rejected_or_refused_as_expected(crawled):
    db, _ = crawled
    with Archive(db) as archive:
        articles = {a["url"]: a for a in archive.iter_articles()}
        rejections = {r["url"]: r["reason"] for r in archive.db["rejections"].rows}
        run = next(iter(archive.db["crawl_runs"].rows))
    outcomes = Counter(p.expect.outcome for p in corpus())
    # Nothing lost, nothing twice: every page is exactly one article or one rejection.
    assert len(articles) + len(rejections) == len(corpus())
    assert not set(articles) & set(rejections)
    assert (run["new"], run["rejected"]) == (
        outcomes["archived"], outcomes["rejected"] + outcomes["refused"])

    problems = []
    for page in corpus():
        url, want = SITE + page.path, page.expect
        if want.outcome == "archived":
            got = articles.get(url)
            if got is None:
                problems.append((page.slug, "not archived", rejections.get(url)))
                continue
            seen = {"flags": set(got["flags"]) - {"no_province"}, "title": got["title"],
                    "published_at": got["published_at"]}
            expected = {"flags": set(want.flags), "title": want.title,
                        "published_at": want.published_at}
            if seen != expected:
                problems.append((page.slug, seen, expected))
            if want.text and want.text not in got["body_text"]:
                problems.append((page.slug, "text missing", want.text))
        else:
            reason = rejections.get(url)
            if url in articles or reason is None or want.reason not in reason:
                problems.append((page.slug, want.outcome, reason))
    assert not problems, "\n".join(map(str, problems))


def test_archived_text_is_clean_vietnamese(crawled):
    db, _ = crawled
    with Archive(db) as archive:
        articles = {a["url"]: a for a in archive.iter_articles()}
    for page in corpus():
        got = articles.get(SITE + page.path)
        if got is None:
            continue
        for field in ("title", "body_text"):
            text = got[field] or ""
            assert text == unicodedata.normalize("NFC", text), (page.slug, field)
            assert "\x00" not in text, (page.slug, field)
            if page.family != "broken-utf8":  # wrong declarations lose nothing
                assert "\ufffd" not in text and "á»" not in text and "Ã" not in text, (
                    page.slug, field, text[:120])
        if page.family == "broken-utf8":  # the bad bytes, and only they, are marked
            assert "\ufffd" in got["body_text"], page.slug


def test_no_script_survives_in_the_archive(crawled):
    db, _ = crawled
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
    assert sum(1 for p in corpus() if p.family == "scripts") >= 15
    for row in rows:
        assert not script_capable(row["body_html"]), (row["url"], script_capable(
            row["body_html"]))
        for image in row["images"]:
            assert not image["url"].lower().startswith(("javascript:", "data:")), row["url"]


def test_the_crawl_finished_and_counted_each_refusal(crawled):
    db, log = crawled
    with Archive(db) as archive:
        run = next(iter(archive.db["crawl_runs"].rows))
    refused = [p for p in corpus() if p.expect.outcome == "refused"]
    assert run["finish_reason"] == "finished"
    # Refusals are the only errors: each is one ERROR line, counted in crawl_runs.
    assert (run["status"], run["errors"]) == ("errors", len(refused))
    for page in refused:
        assert page.path in log
    for crash in ("Spider error processing", "Error processing {", "Unhandled error",
                  "Traceback"):
        assert crash not in log, log[log.index(crash) - 300:][:3000]
