"""What the archive writer does, by name: the tasks a crawl sends it, and the batch loop that
runs them where the archive's writing connection lives.

Why by name: the writer runs in its own process (crawler/plumbing/writer.py), so a task must
cross a pipe: an op name and picklable arguments, not a closure. The same table and loop
serve the thread writer (``ARCHIVE_WRITER = "thread"``), so both run exactly the same code.

A task is ``(seq, op, args)``; its outcome ``(seq, ok, value)``: the op's result, or the
exception (made picklable) it raised. Ops in ``PURE`` write nothing (normalizing a page).
Every other op runs in the batch's transaction under its own savepoint, so one failing write
fails alone. A batch's outcomes are sent in one message once it has committed (one wake-up
of the crawl per batch, not per task): a caller told "done" is told so of a committed write.
"""

from __future__ import annotations

import pickle
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.items import RawArticle
from crawler.normalize.article import normalize_article
from crawler.plumbing.warc import (
    WarcFile,
    jsonable_context,
    payload_digest,
    request_head,
    response_head,
    status_and_headers,
)
from storage import Archive

BATCH_ITEMS = 50
BATCH_SECONDS = 0.2
Task = tuple[int, str, tuple[Any, ...]]
Outcome = tuple[int, bool, Any]
#: The op that stops the writer once everything before it has committed.
STOP = "stop"
#: The op that does nothing: its outcome says everything queued before it has committed.
DRAIN = "drain"


@dataclass(frozen=True)
class PendingCapture:
    """A capture queued but not yet written: stands for its ``captures`` id in an item until
    the writer, which alone knows the id, resolves it."""

    number: int


class WriterTaskError(RuntimeError):
    """A task failed in the writer with an exception that cannot cross the pipe as itself;
    carries its type, message and traceback as text."""


@dataclass
class WriterState:
    """What the writer holds between tasks: its archive connection, the ids of the captures
    it wrote (by ticket) and the runs' open WARC files."""

    archive: Archive
    captures: dict[PendingCapture, int | None] = field(default_factory=dict)
    warc_files: dict[tuple[str, str, int | str], WarcFile] = field(default_factory=dict)

    def capture_id(self, capture: Any) -> int | None:
        """The ``captures`` id an item's ``capture_id`` stands for: a ticket of this crawl's
        WARC recorder, or the WARC record id a distributed crawler wrote (its
        ``CaptureRecord`` indexed before the article, see crawler/distributed/worker.py)."""
        if isinstance(capture, PendingCapture):
            return self.captures.pop(capture, None)
        if isinstance(capture, str):
            return self.archive.capture_by_record(capture)
        return capture

    def close(self) -> None:
        for warc in list(self.warc_files.values()):
            warc.close()
        self.warc_files.clear()
        self.archive.close()


# -- the ops ------------------------------------------------------------------------------
def normalize(state: WriterState, raw: RawArticle, entry: Any) -> Any:
    """RawArticle → Article with the site's registry entry (looked up by the crawl: the
    writer needs no registry). ``ValueError``: the page cannot become an article."""
    return normalize_article(raw, entry)


def upsert(state: WriterState, article: Any, run_id: int) -> Any:
    return state.archive.upsert_article(article, run_id=run_id,
                                        capture_id=state.capture_id(article.capture_id))


def reject(state: WriterState, site: str, url: str, reason: str, run_id: int) -> None:
    state.archive.record_rejection(site=site, url=url, reason=reason, run_id=run_id)


def mark_gone(state: WriterState, canonical_url: str, status: int, at: str | None) -> bool:
    return state.archive.mark_gone(canonical_url, status=status, at=at)


def index_capture(state: WriterState, run_id: int, site: str, fields: dict[str, Any]) -> int:
    """A capture a distributed crawler wrote to its own WARC file, indexed once."""
    return state.archive.capture_by_record(fields["record_id"]) or state.archive.record_capture(
        run_id=run_id, site=site, **fields)


def capture(state: WriterState, key: tuple[str, str, int | str], ticket: PendingCapture,
            body: bytes, response: tuple[Any, ...], request: tuple[Any, ...],
            row: dict[str, Any]) -> None:
    """Write one response (a revisit, if its payload was captured before) and its request to
    the run's WARC file ``key`` (directory, site, run tag), then its ``captures`` row; the
    ticket stands for that row's id until an article claims it. ``response``, ``request``:
    what crawler/plumbing/warc.py ``heads`` took of them."""
    warc = state.warc_files.get(key)
    if warc is None:
        warc = state.warc_files[key] = WarcFile(Path(key[0]), key[1], key[2])
    digest = payload_digest(body)
    first = state.archive.payload_capture(digest)
    status, protocol, headers = response
    written = warc.append(body, status_and_headers(*response_head(status, protocol, headers,
                                                                  len(body))),
                          status_and_headers(*request_head(*request)), row["url"], first,
                          digest=digest)
    state.captures[ticket] = state.archive.record_capture(
        **jsonable_context(row), **written, refers_to=first["id"] if first else None)


def close_warc(state: WriterState, key: tuple[str, str, int | str]) -> None:
    """The run is closing: its WARC file is finished (renamed from ``.open``)."""
    warc = state.warc_files.pop(key, None)
    if warc is not None:
        warc.close()


def _nothing(state: WriterState) -> None:
    return None


OPS: dict[str, Callable[..., Any]] = {
    "normalize": normalize, "upsert": upsert, "reject": reject, "mark_gone": mark_gone,
    "index_capture": index_capture, "capture": capture, "close_warc": close_warc,
    DRAIN: _nothing, STOP: _nothing,
}
PURE = frozenset({"normalize"})


def _op(name: str) -> Callable[..., Any]:
    try:
        return OPS[name]
    except KeyError:
        raise WriterTaskError(f"the archive writer has no op {name!r}") from None


# -- the loop -----------------------------------------------------------------------------
def portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a WriterTaskError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        text = "".join(traceback.format_exception(exc)).rstrip()
        return WriterTaskError(f"{type(exc).__name__}: {exc}\n{text}")


def run_batch(state: WriterState, batch: list[Task],
              reply: Callable[[list[Outcome]], None]) -> None:
    """Run ``batch``, writes in one transaction (a savepoint each), and answer every task in
    one message once it has committed. If the commit itself fails, every write of the batch
    fails with that error: nothing of it is stored (a pure op's answer stands)."""
    pure: list[Outcome] = []
    done: list[Outcome] = []
    try:
        with state.archive.db.atomic():
            for seq, op, args in batch:
                if op in PURE:
                    try:
                        pure.append((seq, True, OPS[op](state, *args)))
                    except Exception as exc:
                        pure.append((seq, False, portable(exc)))
                    continue
                try:
                    with state.archive.db.atomic():
                        done.append((seq, True, _op(op)(state, *args)))
                except Exception as exc:  # one write fails alone; its caller hears of it
                    done.append((seq, False, portable(exc)))
    except Exception as exc:  # the commit failed: nothing of the batch is stored
        failure = portable(exc)
        done = [(seq, False, failure) for seq, op, _ in batch if op not in PURE]
    reply(pure + done)


def serve(state: WriterState, receive: Callable[[], Task],
          more: Callable[[], bool], reply: Callable[[list[Outcome]], None]) -> None:
    """Take tasks as they come and run them in batches (up to ``BATCH_ITEMS`` tasks,
    ``BATCH_SECONDS`` at most, and at once when nothing more is waiting, so a slow crawl
    still commits each article as it comes) until ``STOP``."""
    while True:
        batch = [receive()]
        deadline = time.monotonic() + BATCH_SECONDS
        while (len(batch) < BATCH_ITEMS and batch[-1][1] != STOP
               and time.monotonic() < deadline and more()):
            batch.append(receive())
        run_batch(state, batch, reply)
        if batch[-1][1] == STOP:
            return
