"""One crawl at a time per archive: an OS advisory lock on ``<archive>.lock``.

Two crawls writing one archive would each read "what is archived already" at start and
record runs the other never sees finish. The lock is ``flock(2)`` on a file beside the
archive (``archive.db`` → ``archive.db.lock``): the kernel drops it when the holding process
ends, however it ends (SIGKILL, a crash, a power cut), so a dead crawl never leaves a stale
lock. The file itself stays; it holds the holder's pid and start time so a refused run can
say who holds it. Readers (search, stats, serve, export) never take the lock: SQLite's WAL
lets them read during a crawl.

The lock is re-entrant within one process: ``dost-archive crawl --all`` takes it, then each
spider's run recorder takes it again (``scrapy crawl`` has only the recorder's). The first
taker in a process is told so (``acquire`` returns True): it is the one that may mark the
runs left 'running' by a dead process as interrupted.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class ArchiveBusy(RuntimeError):
    """Another process is crawling into the archive."""

    def __init__(self, db: str | Path, holder: dict[str, Any] | None) -> None:
        self.db = str(db)
        self.holder = holder or {}
        who = (f"pid {self.holder.get('pid', '?')}, since {self.holder.get('since', '?')}"
               if self.holder else "holder unknown")
        super().__init__(f"another crawl is running on {self.db} ({who}); "
                         "wait for it or stop it")


@dataclass
class _Held:
    fd: int
    count: int


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def lock_path(db: str | Path) -> Path:
    """The lock file of archive ``db``: the archive's real path plus ``.lock`` (so two
    names of one file, relative or through a symlink, share one lock)."""
    return Path(f"{Path(db).resolve()}.lock")


def _key(db: str | Path) -> str:
    return str(lock_path(db))


def read_holder(db: str | Path) -> dict[str, Any] | None:
    """What the lock file says about its last holder (None: empty or unreadable)."""
    try:
        text = lock_path(db).read_text(encoding="utf-8").strip()
        found = json.loads(text) if text else None
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def acquire(db: str | Path) -> bool:
    """Take the lock of archive ``db`` or raise ``ArchiveBusy`` at once (never waits).

    Returns True when this call took it for the process, False when the process already
    held it (re-entrant; each ``acquire`` needs one ``release``).
    """
    key = _key(db)
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.count += 1
            return False
        # O_CLOEXEC (Python's default): a child process must not inherit, and keep, the lock.
        fd = os.open(key, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ArchiveBusy(db, read_holder(db)) from None
        except BaseException:
            os.close(fd)
            raise
        me = {"pid": os.getpid(),
              "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode("utf-8"), 0)
        _held[key] = _Held(fd, 1)
        return True


def release(db: str | Path) -> None:
    """Give back one ``acquire``; the last one empties the file and unlocks it."""
    key = _key(db)
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count > 0:
            return
        del _held[key]
        try:
            os.ftruncate(held.fd, 0)  # the file no longer names a holder
        finally:
            fcntl.flock(held.fd, fcntl.LOCK_UN)
            os.close(held.fd)


def held(db: str | Path) -> bool:
    """Whether this process holds the lock of ``db``."""
    with _guard:
        return _key(db) in _held


@contextmanager
def archive_lock(db: str | Path) -> Iterator[bool]:
    """``with archive_lock(db) as first:`` — hold the lock for the block (see ``acquire``)."""
    first = acquire(db)
    try:
        yield first
    finally:
        release(db)
