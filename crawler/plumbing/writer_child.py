"""The archive writer process: ``python -m crawler.plumbing.writer_child DB TASKS OUT PARENT``.

Started by crawler/plumbing/writer.py with two pipe ends (tasks in, outcomes out) and the
crawl's pid. It first asks the kernel to SIGKILL it when the crawl dies (Linux
``PR_SET_PDEATHSIG``), so a crawl killed at any moment leaves no writer committing behind it;
then it opens the archive and runs the tasks it is sent (crawler/plumbing/writer_ops.py)
until told to stop, or until its task pipe ends (the crawl is gone: what was not committed
is rolled back). If the archive cannot be opened, the exception is its only message.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import queue
import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

_PR_SET_PDEATHSIG = 1
#: If set, the writer's CPU profile (cProfile, process time) is written to this path.
PROFILE_ENV = "DOST_WRITER_PROFILE"


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when ``parent`` dies (Linux; elsewhere the pipe's end stops it)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)


def warm_up() -> None:
    """Import now what the first upsert needs: the MinHash library (datasketch imports scipy,
    1–2 s). The crawl is still fetching robots.txt and listings; left to the first upsert,
    the import would hold up its first articles and then commit them in one burst."""
    from core import near

    near.prepare()


class TaskPump:
    """Reads the task pipe on a thread of its own, as fast as the crawl writes it, into a
    queue the writer works from. Why: the pipe holds about 1 MiB, some thirty pages with
    their bodies; while the writer commits a batch, a crawl writing to a full pipe would
    wait, and the reactor with it. The queue (``QUEUE_SIZE`` tasks) is the back-pressure."""

    QUEUE_SIZE = 2_000
    _END = b""

    def __init__(self, tasks: Connection) -> None:
        self.tasks = tasks
        self.queue: queue.Queue[bytes] = queue.Queue(maxsize=self.QUEUE_SIZE)
        threading.Thread(target=self._pump, name="task-pump", daemon=True).start()

    def _pump(self) -> None:
        try:
            while True:
                self.queue.put(self.tasks.recv_bytes())  # a pickle is never empty
        except (EOFError, OSError):
            self.queue.put(self._END)

    def receive(self) -> Any:
        data = self.queue.get()
        if data == self._END:
            self.queue.put(self._END)  # every later receive ends too
            raise EOFError
        return pickle.loads(data)

    def more(self) -> bool:
        return not self.queue.empty()


def main(argv: list[str]) -> int:
    db, task_fd, out_fd, parent = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    die_with_parent(parent)
    tasks = TaskPump(Connection(task_fd, writable=False))
    out = Connection(out_fd, readable=False)
    from crawler.plumbing.writer_ops import WriterState, portable, serve
    from storage import Archive

    try:
        state = WriterState(Archive(db))
    except Exception as exc:
        out.send(portable(exc))
        return 1
    warm_up()
    profile = os.environ.get(PROFILE_ENV)
    profiler = None
    if profile:  # bench/bench_pipeline.py --profile: where the writer's time goes
        import cProfile
        import time

        profiler = cProfile.Profile(timer=time.process_time)
        profiler.enable()
    try:
        serve(state, tasks.receive, tasks.more, out.send)
    except EOFError:  # the crawl is gone: its WARC files stay .open, as a killed run's do
        state.archive.close()
        return 0
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
    state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
