"""The shown ids of broad Datasette searches, in a small SQLite file every connection reads.

Why: a broad search (more than ``BROAD_AT`` matches) shows its ``SHOWN`` most recently
archived matches (``browse/table_search.py``). Datasette evaluates a page's condition
once for its rows and once per facet: repeating the FTS5 match each time costs 3–20 ms at a
million articles (a phrase of common words, a prefix that expands to many terms), and listing
the ids in the condition makes Datasette's own per-facet URL building grow with its length.
So the ids are found once and kept in a file that every connection Datasette opens attaches
read-only as ``search_hits`` (hook ``prepare_connection``); the page's condition reads them
by key, which costs a fraction of a millisecond.

The file is the process's own (a temporary folder, removed at exit): it is a cache. A key
that is gone (evicted, or the server restarted under a bookmarked page) is found again from
the typed term the page carries (``BOUNDED_ARG``), never shown as an empty result.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

ALIAS = "search_hits"
#: How many searches the file keeps; the oldest are dropped first.
KEEP = 256
_CONDITION = re.compile(rf"^id IN \(SELECT id FROM {ALIAS}\.hits WHERE key = '([0-9a-f]{{16}})'\)$")


class HitStore:
    """One process's shown ids by search key. Thread-safe; the file is made on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._conn: sqlite3.Connection | None = None

    def _writer(self) -> sqlite3.Connection:
        if self._conn is None:
            folder = Path(tempfile.mkdtemp(prefix="dost-search-hits-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "hits.db"
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")  # readers on other threads never wait
            conn.execute("PRAGMA synchronous=OFF")  # a cache: a crash loses nothing kept
            conn.executescript(
                "CREATE TABLE searches (seq INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL);"
                "CREATE TABLE hits (key TEXT NOT NULL, id INTEGER NOT NULL,"
                " PRIMARY KEY (key, id)) WITHOUT ROWID;")
            self._conn, self._path = conn, path
        return self._conn

    @property
    def path(self) -> Path:
        with self._lock:
            self._writer()
            assert self._path is not None
            return self._path

    def attach(self, conn: sqlite3.Connection) -> None:
        """Attach the file to one of Datasette's connections, read-only where SQLite can."""
        try:
            conn.execute(f"ATTACH DATABASE ? AS {ALIAS}", [f"file:{self.path}?mode=ro"])
        except sqlite3.OperationalError:  # a connection not opened with URI filenames
            conn.execute(f"ATTACH DATABASE ? AS {ALIAS}", [str(self.path)])

    @staticmethod
    def key(*parts: object) -> str:
        """A key for one search's shown set (its parts: database, term, newest match …)."""
        return hashlib.sha1("\0".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]

    @staticmethod
    def condition(key: str) -> str:
        """The ``_where`` condition that selects the articles kept under ``key``."""
        return f"id IN (SELECT id FROM {ALIAS}.hits WHERE key = '{key}')"

    @staticmethod
    def key_of(condition: str) -> str | None:
        """The key in a condition made by ``condition``, else None (a user's own ``_where``)."""
        found = _CONDITION.match(condition)
        return found.group(1) if found else None

    def has(self, key: str) -> bool:
        with self._lock:
            return self._writer().execute(
                "SELECT 1 FROM searches WHERE key = ?", [key]).fetchone() is not None

    def put(self, key: str, ids: Sequence[int]) -> None:
        """Keep ``ids`` under ``key`` (once), dropping the oldest searches beyond ``KEEP``."""
        with self._lock:
            conn = self._writer()
            if conn.execute("SELECT 1 FROM searches WHERE key = ?", [key]).fetchone():
                return
            conn.execute("BEGIN")
            conn.execute("INSERT INTO searches (key) VALUES (?)", [key])
            conn.executemany("INSERT OR IGNORE INTO hits (key, id) VALUES (?, ?)",
                             [(key, i) for i in ids])
            old = [r[0] for r in conn.execute(
                "SELECT key FROM searches ORDER BY seq DESC LIMIT -1 OFFSET ?", [KEEP])]
            for gone in old:
                conn.execute("DELETE FROM hits WHERE key = ?", [gone])
                conn.execute("DELETE FROM searches WHERE key = ?", [gone])
            conn.execute("COMMIT")


#: The process's store (Datasette's plugin hooks are process-wide too).
HITS = HitStore()
