"""The archive's run lock (plumbing/lock.py): one crawl process per archive, never a stale lock.

Other holders are real processes (the lock is flock(2): only another process can be refused).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.plumbing import lock
from storage import Archive

REPO = Path(__file__).resolve().parents[1]
HOLD = ("import sys; from crawler.plumbing import lock; lock.acquire(sys.argv[1]); "
        "print('held', flush=True); sys.stdin.read()")


@contextmanager
def holder(db: Path) -> Iterator[subprocess.Popen]:
    """Another process holding the lock of ``db`` until the block ends (or it is killed)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == "held\n", proc.stderr.read()
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_the_lock_is_reentrant_in_one_process_and_names_its_holder(db_path):
    assert lock.acquire(db_path) is True
    assert lock.acquire(db_path) is False  # crawl --all: the CLI, then each spider's recorder
    info = json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))
    assert info["pid"] == os.getpid() and info["since"].endswith("Z")
    lock.release(db_path)
    assert lock.held(db_path)
    lock.release(db_path)
    assert not lock.held(db_path)
    assert lock.lock_path(db_path).read_text(encoding="utf-8") == ""  # no holder named
    with lock.archive_lock(db_path) as first:
        assert first is True


def test_another_process_is_refused_with_the_holders_pid(db_path):
    with holder(db_path) as proc:
        with pytest.raises(lock.ArchiveBusy) as refused:
            lock.acquire(db_path)
        assert refused.value.holder["pid"] == proc.pid
        assert str(refused.value).startswith(f"another crawl is running on {db_path} "
                                             f"(pid {proc.pid}, since ")
        assert str(refused.value).endswith("); wait for it or stop it")
    assert not lock.held(db_path)
    with lock.archive_lock(db_path):  # the holder ended: free again
        pass


def test_a_sigkilled_holder_leaves_no_stale_lock(db_path):
    with holder(db_path) as proc:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # Its file still names it, but the kernel dropped the lock with the process.
        assert lock.read_holder(db_path)["pid"] == proc.pid
        with lock.archive_lock(db_path) as first:
            assert first and lock.read_holder(db_path)["pid"] == os.getpid()


def test_crawl_is_refused_with_one_line_and_status_2_and_touches_nothing(db_path):
    with holder(db_path) as proc:
        since = lock.read_holder(db_path)["since"]
        result = CliRunner().invoke(main, ["crawl", "sonla", "--db", str(db_path),
                                           "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.output == (f"dost-archive: another crawl is running on {db_path} "
                             f"(pid {proc.pid}, since {since}); wait for it or stop it\n")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", since)
    assert not db_path.exists()  # the archive was not even created


def test_readers_are_never_blocked_by_a_crawl(db_path, make_article):
    with Archive(db_path) as archive:
        archive.upsert_article(make_article())
    runner = CliRunner()
    with holder(db_path):
        for args in (["stats"], ["search", "dong chi"], ["export", "--format", "jsonl"]):
            result = runner.invoke(main, [*args, "--db", str(db_path)])
            assert result.exit_code == 0, (args, result.output)
