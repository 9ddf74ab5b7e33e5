"""The archive writer: a crawl's normalizing and storage work in a process of its own, in
batched transactions.

Why a process: normalizing a page, upserting it (two FTS5 indexes, MinHash and LSH bands),
rejections and WARC captures (gzip, digests, a ``captures`` row) are mostly Python. Run on
Scrapy's reactor thread they halved a crawl's speed; on a thread beside it they took turns
with it on the GIL and the reactor thread got no faster (bench/README.md). In a child process
they run on the other core, and the reactor keeps only fetching, parsing and the pipe.

The reactor sends each task — an op name and its arguments (crawler/plumbing/writer_ops.py)
— down a pipe and goes on; the child runs what has arrived in one transaction (up to
``BATCH_ITEMS`` tasks, ``BATCH_SECONDS`` at most, and at once when the pipe runs dry) with a
savepoint per task, so one failing write fails alone, and sends the outcomes back; a reader
thread here fires each task's Deferred on the reactor. ``ARCHIVE_WRITER = "thread"`` runs the
same ops and loop on a thread instead (for a debugger, or a platform that cannot spawn).

Guarantees kept (tests/e2e/test_crash.py kills a crawl at every moment):

- An item counts as stored only once its transaction has committed: the store pipeline
  awaits a Deferred that fires then, so Scrapy's own limits on items in flight are the
  back-pressure; the pipe is bounded (a full pipe blocks the sender) besides.
- A batch commits whole or not at all; a capture is sent before the articles read from its
  response, so an article never points at a capture that was not committed with or before it.
- ``drain()`` returns when everything sent before it has committed: the run recorder drains
  before it closes the run, so counts and monitors see every write.
- The child dies with the crawl: it asks the kernel for SIGKILL when its parent dies
  (``PR_SET_PDEATHSIG``) and stops at the end of its pipe besides, so a killed crawl leaves no
  writer behind, and a transaction it had not committed is rolled back by SQLite. It holds
  no lock of the crawl (the run lock stays with the crawl process).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

from crawler.plumbing.writer_ops import (
    BATCH_ITEMS,
    BATCH_SECONDS,
    DRAIN,
    STOP,
    Outcome,
    PendingCapture,
    Task,
    WriterState,
    WriterTaskError,
    serve,
)

__all__ = ["BATCH_ITEMS", "BATCH_SECONDS", "MODES", "ArchiveWriter", "PendingCapture",
           "WriterGone"]

logger = logging.getLogger("crawler.writer")  # its pre-move name: log filters match

MODES = ("process", "thread")
#: Bytes a pipe to or from the writer holds before its sender waits (Linux raises a pipe's
#: 64 KiB to this if allowed): a few dozen pages in flight.
PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031


_ANSWERED = object()


class WriterGone(RuntimeError):
    """The writer process ended before it answered (killed, or it could not start)."""


class ArchiveWriter:
    """One writer for one archive file, shared by every crawler of the process."""

    _shared: dict[str, ArchiveWriter] = {}
    _shared_lock = threading.Lock()

    def __init__(self, db: str, mode: str = "process") -> None:
        if mode not in MODES:
            raise ValueError(f"ARCHIVE_WRITER must be one of {', '.join(MODES)}, not {mode!r}")
        self.db = db
        self.mode = mode
        self.users = 0
        self._seq = itertools.count(1)
        self._tickets = itertools.count(1)
        self._sinks: dict[int, defer.Deferred[Any] | threading.Event | None] = {}
        self._gone: BaseException | None = None
        self._stopping = False
        self._transport = (_Process if mode == "process" else _Thread)(db, self._outcomes,
                                                                        self._ended)

    # -- sharing -------------------------------------------------------------------------
    @classmethod
    def acquire(cls, db: str, mode: str = "process") -> ArchiveWriter:
        with cls._shared_lock:
            writer = cls._shared.get(db)
            if writer is None or not writer.alive():
                writer = cls._shared[db] = cls(db, mode)
            writer.users += 1
            return writer

    def release(self) -> None:
        """One user done; the last one stops the writer once everything sent has committed."""
        with self._shared_lock:
            self.users -= 1
            if self.users > 0:
                return
            if self._shared.get(self.db) is self:
                del self._shared[self.db]
        self._stopping = True
        self._send(STOP, (), None)
        self._transport.join()

    def alive(self) -> bool:
        return self._gone is None and self._transport.alive()

    # -- the reactor's side --------------------------------------------------------------
    def submit(self, op: str, *args: Any) -> defer.Deferred[Any]:
        """Send task ``op``; the Deferred fires on the reactor with its result once the batch
        it ran in has committed (a pure op's too: the writer answers a batch at once)."""
        d: defer.Deferred[Any] = defer.Deferred()
        self._send(op, args, d)
        return d

    def post(self, op: str, *args: Any) -> None:
        """Send task ``op`` whose result nobody awaits; a failure is logged here."""
        self._send(op, args, None)

    def pending_capture(self) -> PendingCapture:
        return PendingCapture(next(self._tickets))

    def drain(self) -> None:
        """Block until every task sent so far has committed (or failed)."""
        done = threading.Event()
        self._send(DRAIN, (), done)
        done.wait()

    def _send(self, op: str, args: tuple[Any, ...], sink: Any) -> None:
        seq = next(self._seq)
        self._sinks[seq] = sink
        if self._gone is None:
            try:
                self._transport.send((seq, op, args))
                return
            except (OSError, EOFError, ValueError) as exc:
                self._ended(WriterGone(f"the archive writer for {self.db} is gone: {exc}"))
        if sink is not None:  # a post's failure: _ended has said the writer is gone
            self._outcomes([(seq, False, self._gone)])
        else:
            self._sinks.pop(seq, None)

    # -- outcomes (the reader's or writer's thread) ----------------------------------------
    def _outcomes(self, outcomes: list[Outcome]) -> None:
        from twisted.internet import reactor  # the crawl's, installed by Scrapy by now

        fire: list[tuple[defer.Deferred[Any], bool, Any]] = []
        for seq, ok, value in outcomes:
            sink = self._sinks.pop(seq, _ANSWERED)
            if sink is _ANSWERED:  # failed already, when the writer was found gone
                continue
            if isinstance(sink, threading.Event):
                sink.set()
            elif isinstance(sink, defer.Deferred):
                fire.append((sink, ok, value))
            elif not ok:
                logger.error("archive write failed: %s", value,
                             exc_info=(type(value), value, value.__traceback__))
        if fire:
            reactor.callFromThread(_fire, fire)

    def _ended(self, why: BaseException) -> None:
        """The writer ended: every task still waiting fails with ``why``. (Its end after
        ``release`` has stopped it, everything answered, is no failure.)"""
        if self._stopping and not self._sinks:
            self._gone = why
            return
        if self._gone is None:
            self._gone = why
            logger.error("%s", why)
        self._outcomes([(seq, False, why) for seq in list(self._sinks)])


def _fire(outcomes: list[tuple[defer.Deferred[Any], bool, Any]]) -> None:
    for d, ok, value in outcomes:
        if ok:
            d.callback(value)
        else:
            d.errback(Failure(value if isinstance(value, BaseException)
                              else WriterTaskError(str(value))))


# -- transports ---------------------------------------------------------------------------
class _Process:
    """The writer as a child process (``python -m crawler.plumbing.writer_child``) and the
    two pipes to it; a reader thread takes its outcomes."""

    def __init__(self, db: str, outcomes: Callable[[list[Outcome]], None],
                 ended: Callable[[BaseException], None]) -> None:
        task_r, task_w = os.pipe()
        out_r, out_w = os.pipe()
        for fd in (task_w, out_w):
            # Not Linux, or above /proc/sys/fs/pipe-max-size: 64 KiB it is.
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)
        root = str(Path(__file__).resolve().parents[2])  # this checkout's packages, first
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "crawler.plumbing.writer_child", db, str(task_r),
                 str(out_w), str(os.getpid())], pass_fds=(task_r, out_w), env=env,
                stdin=subprocess.DEVNULL)
        finally:
            os.close(task_r)
            os.close(out_w)
        self.tasks = Connection(task_w, readable=False)
        self.results = Connection(out_r, writable=False)
        self._send_lock = threading.Lock()  # drain() may run on another thread than sends
        self.reader = threading.Thread(target=self._read, args=(outcomes, ended),
                                       name=f"archive-writer-reader {db}", daemon=True)
        self.reader.start()

    def send(self, task: Task) -> None:
        with self._send_lock:
            self.tasks.send(task)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def join(self) -> None:
        self.reader.join()
        self.tasks.close()
        self.proc.wait()

    def _read(self, outcomes: Callable[[list[Outcome]], None],
              ended: Callable[[BaseException], None]) -> None:
        try:
            while True:
                message = self.results.recv()
                if isinstance(message, BaseException):  # the child could not start
                    ended(message)
                    return
                while self.results.poll(0):  # all that has come: one wake-up of the reactor
                    message += self.results.recv()  # (only a first message is an exception)
                outcomes(message)
        except (EOFError, OSError):
            code = self.proc.wait()
            ended(WriterGone(f"the archive writer process for {self.proc.args[3]} ended "
                             f"(exit status {code}) before it answered"))
        finally:
            self.results.close()


class _Thread:
    """The writer as a thread of this process (``ARCHIVE_WRITER = "thread"``)."""

    def __init__(self, db: str, outcomes: Callable[[list[Outcome]], None],
                 ended: Callable[[BaseException], None]) -> None:
        self.queue: queue.Queue[Task] = queue.Queue(maxsize=1_000)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(db, outcomes, ended),
                                       name=f"archive-writer {db}", daemon=True)
        self.thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def send(self, task: Task) -> None:
        self.queue.put(task)

    def alive(self) -> bool:
        return self.thread.is_alive()

    def join(self) -> None:
        self.thread.join()

    def _run(self, db: str, outcomes: Callable[[list[Outcome]], None],
             ended: Callable[[BaseException], None]) -> None:
        from storage import Archive

        try:
            state = WriterState(Archive(db))
        except BaseException as exc:  # the caller re-raises it
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            serve(state, self.queue.get, lambda: not self.queue.empty(), outcomes)
        except BaseException as exc:
            ended(exc)
            raise
        finally:
            state.close()
