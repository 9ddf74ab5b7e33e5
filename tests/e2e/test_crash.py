"""Crash safety, for real: `dost-archive crawl` SIGKILLed at chosen moments, then run again.

Each scenario crawls the mirror of one site into a fresh archive in a subprocess, kills it
with SIGKILL at one moment, checks the file (``PRAGMA integrity_check``) and what the kill
left, runs the crawl again (the lock of the dead process must not stand in the way) and
then compares the archive with a reference archive made by one uninterrupted crawl: the
same articles (canonical URL and content hash), none twice, one revision each, the killed
run marked 'interrupted'. The kill moments are found by polling the archive read-only, or
the lock file, with deadlines; the slowed mirror (``--delay``) keeps each moment open long
enough to be seen. The crawls run breadth-first (tests/e2e/crash_settings.py), the order
in which a kill leaves the newest listing pages archived and older articles missing. One
moment cannot be seen from outside (every article stored, the run not closed yet):
crash_settings holds the crawl there to be killed.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.mirror.sites import models
from crawler.plumbing import lock
from tests.e2e.crash_settings import HOLD_ENV
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITE = "caobang"  # two categories of two listing pages each
N = len(models()[SITE]().articles)
DELAY = 0.25  # seconds the slow mirror waits before each answer
DEADLINE = 30.0
pytestmark = pytest.mark.slow


def env(hold: Path | None = None) -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(REPO),
           "SCRAPY_SETTINGS_MODULE": "tests.e2e.crash_settings"}
    out.pop(HOLD_ENV, None)
    if hold is not None:
        out[HOLD_ENV] = str(hold)
    return out


def crawl_args(db: Path, base_url: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", SITE, "--db", str(db), "--base-url",
            base_url, "-q"]


def start_crawl(db: Path, base_url: str, *, hold: Path | None = None) -> subprocess.Popen:
    """The crawl as a subprocess; its output goes to ``<db>.<n>.log`` beside the archive."""
    with db.with_suffix(f".{time.monotonic_ns()}.log").open("w") as log:
        return subprocess.Popen(crawl_args(db, base_url), stdout=log,
                                stderr=subprocess.STDOUT, env=env(hold), cwd=REPO)


def run_crawl(db: Path, base_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_args(db, base_url), capture_output=True, text=True,
                          env=env(), cwd=REPO, timeout=120)


@dataclass
class State:
    articles: int
    runs: list[tuple[int, str]]  # (id, status), oldest first


def look(db: Path) -> State | None:
    """What another reader sees in the archive right now (None: not readable yet)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return State(con.execute("SELECT COUNT(*) FROM articles").fetchone()[0],
                         con.execute("SELECT id, status FROM crawl_runs ORDER BY id").fetchall())
        finally:
            con.close()
    except sqlite3.Error:  # not created or not migrated yet
        return None


def wait_for(proc: subprocess.Popen, moment: Callable[[], bool], what: str) -> None:
    """Poll until ``moment()`` holds; fail if the crawl ends first or the deadline passes."""
    deadline = time.monotonic() + DEADLINE
    while not moment():
        if proc.poll() is not None:
            pytest.fail(f"the crawl ended (status {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {DEADLINE} s")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.005)  # the poll interval; returns early if the crawl ends


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def articles(db: Path) -> dict[str, tuple[str, bool]]:
    """canonical URL → (content hash, is a duplicate) of every archived article."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {url: (h, dup is not None) for url, h, dup in con.execute(
            "SELECT canonical_url, content_hash, duplicate_of FROM articles")}
    finally:
        con.close()


def rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def mirrors() -> tuple[str, str]:
    """(fast, slow) base URLs: the same site, the slow one answering DELAY s late."""
    with mirror_process(SITE) as fast, mirror_process(SITE, delay=DELAY) as slow:
        yield fast[SITE], slow[SITE]


@dataclass
class Reference:
    """The archive of one uninterrupted crawl, and the site's listings as the mirror pages
    them (newest first, ``page_size`` per page)."""

    db: Path
    articles: dict[str, tuple[str, bool]]
    first_pages: dict[str, set[str]]  # category → canonical URLs on its listing page 1
    older: dict[str, set[str]]  # category → the rest

    def page_one_only(self, stored: set[str]) -> bool:
        """Whether some category has its page 1 archived and older articles missing: what
        a run that stops at the first all-archived page would never come back for."""
        return any(self.first_pages[c] <= stored and not self.older[c] <= stored
                   for c in self.first_pages)


@pytest.fixture(scope="module")
def reference(mirrors, tmp_path_factory) -> Reference:
    db = tmp_path_factory.mktemp("reference") / "reference.db"
    done = run_crawl(db, mirrors[0])
    assert done.returncode == 0, done.stdout + done.stderr
    found = articles(db)
    assert len(found) == N
    page_size = models()[SITE].page_size
    first: dict[str, set[str]] = {}
    older: dict[str, set[str]] = {}
    for category, urls in itertools.groupby(rows(db, (
            "SELECT category, canonical_url FROM articles "
            "ORDER BY category, published_at DESC")), key=lambda r: r[0]):
        listed = [u for _, u in urls]
        first[category], older[category] = set(listed[:page_size]), set(listed[page_size:])
    assert all(older.values()), "every category must have a second listing page"
    return Reference(db, found, first, older)


def assert_like_reference(db: Path, reference: Reference) -> None:
    assert integrity(db) == "ok"
    assert articles(db) == reference.articles  # nothing lost, nothing changed, no duplicate
    assert rows(db, "SELECT COUNT(*), SUM(revision_count = 1) FROM articles") == [(N, N)]
    assert rows(db, "SELECT COUNT(*), COUNT(DISTINCT article_id) FROM revisions") == [(N, N)]


# -- the kill moments ------------------------------------------------------------------------
@dataclass
class Moment:
    """What the archive (or the lock file) shows while the crawl runs."""

    proc: subprocess.Popen
    db: Path
    hold: Path
    reference: Reference

    def stored(self) -> set[str] | None:
        try:
            return {u for (u,) in rows(self.db, "SELECT canonical_url FROM articles")}
        except sqlite3.Error:  # not created or not migrated yet
            return None


@dataclass
class KillPoint:
    name: str
    reached: Callable[[Moment], bool]
    left: Callable[[set[str], Reference], bool]  # what the archive may hold once killed
    run_opened: bool  # whether the crawl must have opened its crawl_runs row by then
    hold: bool = False


def _count(test: Callable[[int], bool]) -> Callable[[Moment], bool]:
    def reached(m: Moment) -> bool:
        state = look(m.db)
        return state is not None and test(state.articles)

    return reached


def _page_one_only(m: Moment) -> bool:
    stored = m.stored()
    return stored is not None and m.reference.page_one_only(stored)


KILL_POINTS = [
    # Just started: the lock taken, the archive being created; nothing crawled yet.
    KillPoint("lock-taken", lambda m: (lock.read_holder(m.db) or {}).get("pid") == m.proc.pid,
              lambda s, r: not s, run_opened=False),
    # The run row is open, robots.txt and the listings in flight, no article stored.
    KillPoint("run-opened",
              lambda m: any(st == "running" for _, st in (look(m.db) or State(0, [])).runs),
              lambda s, r: not s, run_opened=True),
    KillPoint("first-article", _count(lambda n: n >= 1), lambda s, r: 1 <= len(s) < N,
              run_opened=True),
    KillPoint("half", _count(lambda n: n >= N // 2), lambda s, r: N // 2 <= len(s) < N,
              run_opened=True),
    # A category's newest listing page archived, older articles not yet: the state in which
    # an incremental re-run that trusted every archived article would stop at page 1.
    KillPoint("page-one-archived", _page_one_only, lambda s, r: r.page_one_only(s),
              run_opened=True),
    # Every article stored, the run not closed: held there by crash_settings.
    KillPoint("all-stored", lambda m: m.hold.exists(), lambda s, r: len(s) == N,
              run_opened=True, hold=True),
]


@pytest.mark.parametrize("point", KILL_POINTS, ids=[p.name for p in KILL_POINTS])
def test_a_crawl_killed_at_any_moment_and_run_again_loses_and_duplicates_nothing(
        point, mirrors, reference, tmp_path):
    fast, slow = mirrors
    db, hold = tmp_path / "archive.db", tmp_path / "holding"
    proc = start_crawl(db, fast if point.hold else slow, hold=hold if point.hold else None)
    moment = Moment(proc, db, hold, reference)
    wait_for(proc, lambda: point.reached(moment), point.name)
    kill(proc)

    # What the kill left: a sound file, whole articles, the run (if opened) still 'running'.
    if db.exists():
        assert integrity(db) == "ok"
    left = look(db) or State(0, [])
    stored = moment.stored() or set()
    assert len(stored) == left.articles and point.left(stored, reference), (
        point.name, left.articles)
    opened = [s for _, s in left.runs] == ["running"]
    assert opened or left.runs == []
    if point.run_opened:
        assert opened, point.name

    # Run again: no stale lock, the killed run closed as interrupted, the rest fetched.
    again = run_crawl(db, fast)
    assert again.returncode == 0, again.stdout + again.stderr
    assert ("was interrupted; marked so" in again.stderr) == opened
    assert_like_reference(db, reference)
    runs = rows(db, "SELECT status, new, updated, finished_at IS NOT NULL FROM crawl_runs "
                    "ORDER BY id")
    killed = [("interrupted", left.articles, 0, True)] if opened else []
    assert runs == [*killed, ("ok", N - left.articles, 0, True)]

    if point.name == "half":
        # The completed run vouches for what the killed one stored: the next run is the
        # cheap incremental one again (robots.txt and page 1 of each category).
        third = run_crawl(db, fast)
        assert third.returncode == 0, third.stderr
        assert rows(db, "SELECT new, pages FROM crawl_runs ORDER BY id DESC LIMIT 1") == [
            (0, 1 + len(reference.first_pages))]


def test_a_rerun_fetches_what_a_killed_run_never_reached(mirrors, reference, tmp_path):
    """The incremental stop must not trust articles stored by an unfinished run.

    The archive a crawl killed after the first listing page of each category leaves (made
    here without a crawl: a run left 'running' that stored exactly those articles): the next
    run sees page 1 all archived, and must still page on to the older articles.
    """
    from crawler.items import Article
    from storage import Archive

    fast, _ = mirrors
    db = tmp_path / "archive.db"
    page_one = set().union(*reference.first_pages.values())
    with Archive(reference.db) as ref, Archive(db) as archive:
        run_id = archive.start_run(SITE, args={"base_url": fast, "since": None, "full": False,
                                               "max_pages": None})
        for url in sorted(page_one):
            stored = ref.get_article(url)
            archive.upsert_article({k: stored[k] for k in Article.field_names()},
                                   run_id=run_id)

    again = run_crawl(db, fast)
    assert again.returncode == 0, again.stderr
    assert_like_reference(db, reference)
    assert rows(db, "SELECT status, new FROM crawl_runs ORDER BY id") == [
        ("interrupted", len(page_one)), ("ok", N - len(page_one))]


def test_a_second_crawl_is_refused_while_one_runs_and_the_lock_dies_with_it(
        mirrors, reference, tmp_path):
    fast, _ = mirrors
    db, hold = tmp_path / "archive.db", tmp_path / "holding"
    # A crawl that keeps the lock as long as this test needs: held before closing its run.
    holder = start_crawl(db, fast, hold=hold)
    wait_for(holder, hold.exists, "the holder's hold")

    # A second `dost-archive crawl`, and a `scrapy crawl`, on the same archive (at once).
    refused = subprocess.Popen(crawl_args(db, fast), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO)
    scrapy = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", SITE, "-a", f"base_url={fast}",
         "-s", f"ARCHIVE_DB={db}", "-s", "LOG_LEVEL=ERROR"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO)
    out, err = refused.communicate(timeout=120)
    assert (refused.returncode, out) == (2, "")
    message = (rf"another crawl is running on {re.escape(str(db))} "
               rf"\(pid {holder.pid}, since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\); "
               r"wait for it or stop it")
    assert re.fullmatch(rf"dost-archive: {message}\n", err), err  # one line, nothing else
    # `scrapy crawl` logs the same line and closes the spider without opening a run.
    _, log = scrapy.communicate(timeout=120)
    assert re.search(message, log), log
    assert holder.poll() is None, "the refused crawls disturbed the running one"
    assert [s for _, s in look(db).runs] == ["running"]  # only the holder's run

    kill(holder)
    assert integrity(db) == "ok"
    assert json.loads(lock.lock_path(db).read_text())["pid"] == holder.pid  # stale text only
    again = run_crawl(db, fast)
    assert again.returncode == 0, again.stderr
    assert_like_reference(db, reference)
    assert [r[0] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY id")] == [
        "interrupted", "ok"]
