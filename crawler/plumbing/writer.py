"""The archive writer: a crawl's storage work on its own thread, in batched transactions.

Why: upserts (two FTS5 indexes, MinHash and LSH bands), rejections and WARC captures (gzip,
digests, a ``captures`` row) used to run inline on Scrapy's one reactor thread, one commit
each, so a crawl spent more time writing than fetching and parsing. Here the reactor hands
each write to one thread per archive file and goes on; the thread runs what is queued in one
transaction (up to ``BATCH_ITEMS`` tasks, ``BATCH_SECONDS`` at most, and at once when the
queue runs dry, so a slow crawl still commits each article as it comes) with a savepoint per
task, so one failing write fails alone.

Guarantees kept (tests/e2e/test_crash.py kills a crawl at every moment):

- An item counts as stored only once its transaction has committed: the store pipeline
  returns a Deferred that fires then, so Scrapy's own limits on items in flight are the
  back-pressure, and the queue is bounded (``QUEUE_SIZE``) besides.
- A batch commits whole or not at all; a capture is queued before the articles read from its
  response, so an article never points at a capture that was not committed with or before it.
- ``drain()`` returns when everything queued before it has committed: the run recorder
  drains before it closes the run, so counts and monitors see every write.

SQLite releases the GIL while it works, so FTS5 indexing overlaps Scrapy's parsing.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

from storage import Archive

logger = logging.getLogger("crawler.writer")  # its pre-move name: log filters match

BATCH_ITEMS = 50
BATCH_SECONDS = 0.2
QUEUE_SIZE = 1_000
Task = Callable[[Archive], Any]
_STOP = object()


@dataclass(frozen=True)
class PendingCapture:
    """A capture queued but not yet written: stands for its ``captures`` id in an item until
    the writer, which alone knows the id, resolves it (``ArchiveWriter.capture_id``)."""

    number: int


class ArchiveWriter:
    """One writer thread for one archive file, shared by every crawler of the process."""

    _shared: dict[str, ArchiveWriter] = {}
    _shared_lock = threading.Lock()

    def __init__(self, db: str) -> None:
        self.db = db
        self.users = 0
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_SIZE)
        self._tickets = itertools.count(1)
        self._captures: dict[PendingCapture, int | None] = {}  # writer thread only
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"archive-writer {db}",
                                       daemon=True)
        self.thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    # -- sharing -------------------------------------------------------------------------
    @classmethod
    def acquire(cls, db: str) -> ArchiveWriter:
        with cls._shared_lock:
            writer = cls._shared.get(db)
            if writer is None or not writer.thread.is_alive():
                writer = cls._shared[db] = cls(db)
            writer.users += 1
            return writer

    def release(self) -> None:
        """One user done; the last one stops the thread after the queue has drained."""
        with self._shared_lock:
            self.users -= 1
            if self.users > 0:
                return
            if self._shared.get(self.db) is self:
                del self._shared[self.db]
        self.queue.put(_STOP)
        self.thread.join()

    # -- the reactor's side --------------------------------------------------------------
    def submit(self, task: Task) -> defer.Deferred[Any]:
        """Queue ``task``; the Deferred fires on the reactor with its result once committed."""
        d: defer.Deferred[Any] = defer.Deferred()
        self.queue.put((task, d))
        return d

    def post(self, task: Task) -> None:
        """Queue ``task`` whose result nobody awaits; a failure is logged."""
        self.queue.put((task, None))

    def pending_capture(self) -> PendingCapture:
        return PendingCapture(next(self._tickets))

    def drain(self) -> None:
        """Block until every task queued so far has committed (or failed)."""
        done = threading.Event()
        self.queue.put((None, done))
        done.wait()

    # -- the writer thread ---------------------------------------------------------------
    def capture_id(self, capture: Any, archive: Archive) -> int | None:
        """The ``captures`` id an item's ``capture_id`` stands for (writer thread): a ticket
        of this process's WARC recorder, or the WARC record id a distributed crawler wrote
        (its ``CaptureRecord`` indexed before the article, see crawler/distributed/worker.py)."""
        if isinstance(capture, PendingCapture):
            return self._captures.pop(capture, None)
        if isinstance(capture, str):
            return archive.capture_by_record(capture)
        return capture

    def captured(self, ticket: PendingCapture, capture_id: int | None) -> None:
        self._captures[ticket] = capture_id

    def _run(self) -> None:
        try:
            archive = Archive(self.db)
        except BaseException as exc:  # the caller re-raises it
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                batch = [self.queue.get()]
                deadline = time.monotonic() + BATCH_SECONDS
                while (len(batch) < BATCH_ITEMS and batch[-1] is not _STOP
                       and time.monotonic() < deadline):
                    try:
                        batch.append(self.queue.get_nowait())
                    except queue.Empty:
                        break
                stop = batch[-1] is _STOP
                self._commit([t for t in batch if t is not _STOP], archive)
                if stop:
                    return
        finally:
            archive.close()

    def _commit(self, batch: list[tuple[Task | None, Any]], archive: Archive) -> None:
        from twisted.internet import reactor  # the crawl's, installed by Scrapy by now

        done: list[tuple[Any, Any, Failure | None]] = []
        try:
            with archive.db.atomic():
                for task, sink in batch:
                    if task is None:
                        done.append((sink, None, None))
                        continue
                    try:
                        with archive.db.atomic():
                            done.append((sink, task(archive), None))
                    except Exception:  # one write fails alone; its caller hears of it
                        done.append((sink, None, Failure()))
        except Exception:  # the commit itself failed: nothing of the batch is stored
            failure = Failure()
            done = [(sink, None, failure if task is not None else None)
                    for task, sink in batch]
        for sink, result, failure in done:
            if isinstance(sink, threading.Event):
                sink.set()
            elif isinstance(sink, defer.Deferred):
                fire = sink.errback if failure is not None else sink.callback
                reactor.callFromThread(fire, failure if failure is not None else result)
            elif failure is not None:
                logger.error("archive write failed: %s", failure.getErrorMessage(),
                             exc_info=(failure.type, failure.value, failure.tb))
