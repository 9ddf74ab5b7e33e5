"""The archive writer process (crawler/plumbing/writer.py): ops cross the pipe and commit, a
failing write fails alone and is logged, a writer that dies fails what waits instead of
hanging the crawl, and a killed crawl leaves no writer behind.

Crawls through the writer are tested end to end elsewhere (tests/e2e/test_crash.py,
test_warc.py, test_concurrency.py); here it is driven directly, without a reactor: ``post``
and ``drain`` need none.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.plumbing.writer import ArchiveWriter, WriterGone
from storage import Archive

REPO = Path(__file__).resolve().parents[1]


def _ends_within(pidfd: int, seconds: float) -> bool:
    """Whether the process of ``pidfd`` ends within ``seconds`` (a pidfd turns readable when
    its process exits)."""
    ready, _, _ = select.select([pidfd], [], [], seconds)
    return bool(ready)


@pytest.mark.parametrize("mode", ["process", "thread"])
def test_posted_writes_commit_in_order_and_a_failing_one_fails_alone(mode, tmp_path, caplog):
    db = str(tmp_path / "a.db")
    Archive(db).close()
    writer = ArchiveWriter.acquire(db, mode)
    writer.post("reject", "sonla", "http://x/1", "first", None)
    writer.post("mark_gone", "http://x/none", 404, None)  # no such article: nothing happens
    writer.post("no_such_op")  # fails, alone
    writer.post("reject", "sonla", "http://x/2", "second", None)
    with caplog.at_level(logging.ERROR, logger="crawler.writer"):
        writer.drain()
    with Archive(db) as archive:
        rows = archive.db.execute("SELECT url, reason FROM rejections ORDER BY id").fetchall()
    assert rows == [("http://x/1", "first"), ("http://x/2", "second")]
    assert [r.getMessage() for r in caplog.records] == [
        "archive write failed: the archive writer has no op 'no_such_op'"]
    writer.release()
    assert not writer.alive()


def test_a_writer_that_cannot_open_its_archive_fails_what_waits(tmp_path, caplog):
    db = tmp_path / "not-a-db"
    db.write_bytes(b"this is no SQLite file" * 100)
    with caplog.at_level(logging.ERROR, logger="crawler.writer"):
        writer = ArchiveWriter(str(db), "process")
        writer.post("reject", "sonla", "http://x/1", "r", None)
        writer.drain()  # returns: the failure answers it
    assert not writer.alive()
    assert any("not a usable SQLite archive" in r.getMessage() for r in caplog.records)


def test_a_killed_writer_fails_what_waits_and_the_next_acquire_starts_another(tmp_path):
    db = str(tmp_path / "a.db")
    Archive(db).close()
    writer = ArchiveWriter.acquire(db)
    writer.drain()  # started and serving
    os.kill(writer._transport.proc.pid, signal.SIGKILL)
    writer.drain()  # does not hang: the reader sees the pipe end
    assert not writer.alive()
    assert isinstance(writer._gone, WriterGone)
    again = ArchiveWriter.acquire(db)
    assert again is not writer and again.alive()
    again.post("reject", "sonla", "http://x/3", "after", None)
    for w in (writer, again):
        w.release()
    with Archive(db) as archive:
        assert archive.db.execute("SELECT url FROM rejections").fetchall() == [("http://x/3",)]


def test_the_writer_dies_with_a_crawl_killed_by_sigkill(tmp_path):
    db = tmp_path / "a.db"
    script = (
        "import json, sys, threading\n"
        "from crawler.plumbing.writer import ArchiveWriter\n"
        f"w = ArchiveWriter({str(db)!r}, 'process')\n"
        "w.drain()\n"
        "print(json.dumps(w._transport.proc.pid), flush=True)\n"
        "threading.Event().wait(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert proc.stdout is not None
        child = json.loads(proc.stdout.readline())
        pidfd = os.pidfd_open(child)
        try:
            assert not _ends_within(pidfd, 0)  # alive while the crawl lives
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            assert _ends_within(pidfd, 10), f"writer {child} outlived its crawl"
        finally:
            os.close(pidfd)
    finally:
        proc.kill()
        proc.wait()
