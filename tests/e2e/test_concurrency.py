"""Readers while a crawl writes: Datasette (``dost-archive serve``) and plain sqlite3 readers
query the archive for the whole life of a crawl process and never meet "database is locked".

The archive is in WAL mode: readers read the last committed state while the writer appends
to the log. One reader has no busy timeout at all (``timeout=0``) to show they do not need
one. Readers loop until the crawl process exits — no sleeps decide anything.

Real processes: the mirror, the crawl (``python -m crawler crawl``), the Datasette server.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
SITE = "quangtri"
ARTICLES = 28
pytestmark = pytest.mark.slow


@dataclass
class Reader:
    """One reader: what it saw, and every error it met."""

    name: str
    query: Callable[[], int]  # returns the article count it read
    counts: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    queries: int = 0
    ready: threading.Event = field(default_factory=threading.Event)

    def run(self, stop: threading.Event) -> None:
        while True:
            last = stop.is_set()  # one more round after the crawl ended: the final state
            try:
                self.counts.append(self.query())
            except Exception as exc:  # every failure is the finding
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self.queries += 1
            self.ready.set()
            if last:
                return
            stop.wait(0.01)  # pacing only: the loop ends when the crawl process has exited


def sqlite_reader(db: Path, *, busy_timeout: bool) -> Reader:
    conn = sqlite3.connect(db, timeout=5 if busy_timeout else 0, check_same_thread=False)
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == (5000 if busy_timeout else 0)

    def query() -> int:
        count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT 5",
                     ["khoa"]).fetchall()
        conn.execute("SELECT rowid FROM articles_folded_fts WHERE articles_folded_fts MATCH ?"
                     " LIMIT 5", ["cong nghe"]).fetchall()
        conn.execute("SELECT status, pages FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchall()
        return count

    return Reader("sqlite3" + (" (busy_timeout 5 s)" if busy_timeout else " (no busy_timeout)"),
                  query)


def archive_reader(db: Path) -> Reader:
    """The CLI's own read path: Archive.search and the stats query."""
    opened: list[Archive] = []

    def query() -> int:
        if not opened:  # in the reader's thread (sqlite3 connections stay in theirs)
            opened.append(Archive(db, create=False))
            opened[0].db.conn.execute("PRAGMA query_only = ON")  # a reader: it must not write
        archive = opened[0]
        archive.search("khoa học", limit=5)
        archive.stats()
        return archive.db["articles"].count

    return Reader("Archive.search", query)


def datasette_reader(base: str) -> Reader:
    client = httpx.Client(base_url=base, timeout=30)

    def query() -> int:
        counted = client.get("/archive/articles.json?_size=1&_shape=objects")
        searched = client.get("/archive/articles.json?_search=khoa+hoc&_size=5")
        page = client.get("/archive/articles?_search=cong+nghe")
        for response in (counted, searched, page):
            if response.status_code != 200 or "locked" in response.text:
                raise RuntimeError(f"{response.url}: {response.status_code} "
                                   f"{response.text[:300]}")
        return counted.json()["filtered_table_rows_count"]

    return Reader("Datasette", query)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """An empty archive (schema, WAL) served by ``dost-archive serve``."""
    db = tmp_path / "archive.db"
    Archive(db).close()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--db", str(db),
                             "--port", str(port)], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "dost-archive serve did not start"
            time.sleep(0.05)  # polling a server that is starting, with a deadline
        yield db, base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_readers_never_meet_a_locked_database_while_a_crawl_writes(served):
    db, base = served
    readers = [sqlite_reader(db, busy_timeout=False), sqlite_reader(db, busy_timeout=True),
               archive_reader(db), datasette_reader(base)]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop,), daemon=True) for r in readers]
    for t in threads:
        t.start()
    for r in readers:  # every reader has read the empty archive before the crawl starts
        assert r.ready.wait(30), f"{r.name} never answered"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with mirror_process(SITE) as urls:
        crawl = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", SITE, "--db", str(db), "--base-url",
             urls[SITE], "-q"], capture_output=True, text=True, env=env, cwd=REPO,
            timeout=240)
    stop.set()
    for t in threads:
        t.join(60)
        assert not t.is_alive()

    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-3000:]
    assert "locked" not in crawl.stderr
    with Archive(db) as archive:
        run = next(iter(archive.db["crawl_runs"].rows))
        assert (run["status"], run["new"]) == ("ok", ARTICLES)
    for r in readers:
        assert r.errors == [], (r.name, r.errors[:5])
        # Each reader saw the empty archive, then the count grow, never shrink, to the end.
        assert r.counts[0] == 0 and r.counts[-1] == ARTICLES, (r.name, r.counts)
        assert r.counts == sorted(r.counts), (r.name, r.counts)
        print(f"{r.name}: {r.queries} rounds, counts seen {sorted(set(r.counts))}")
    # The plain readers are quick enough to catch the archive half written.
    for r in readers[:2]:
        assert any(0 < c < ARTICLES for c in r.counts), (r.name, sorted(set(r.counts)))
