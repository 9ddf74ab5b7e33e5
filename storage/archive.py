"""``Archive``: the only code that writes SQL.

One SQLite file holds articles, every distinct revision of each, the site registry, one row
per site per crawl run, and two full-text indexes (exact and folded). Writes are idempotent:
upserting the same article twice changes nothing but ``last_seen_at``.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from core import near
from core.article import Article
from storage.schema import migrations
from storage.search import QueryError, make_snippet, phrase_query, prepare_query, query_terms

JSON_COLUMNS = ("images", "attachments", "tags", "flags")
_ARTICLE_FIELDS = tuple(Article.field_names())
# Article fields that belong to a version of the article (stored in `revisions`).
REVISION_FIELDS = (
    "url", "title", "summary", "published_at", "published_raw", "updated_at", "author",
    "source", "body_text", "body_html", "images", "attachments", "tags", "extractor", "flags",
)
# What `crawl --files` adds to an attachment entry (crawler/plumbing/files.py); not content.
DOWNLOAD_KEYS = ("sha256", "mime", "size", "path", "downloaded_at", "error")
RUN_COUNTERS = ("pages", "items", "new", "updated", "unchanged", "duplicates", "rejected",
                "errors", "gone")
BUSY_TIMEOUT_MS = 30_000
# The articles sharing an LSH band key with a signature: an indexed lookup per band
# (article_bands' (band, hash, article_id) index), then the candidates' signatures by key.
CANDIDATES_SQL = (
    "WITH probe(band, hash) AS (VALUES " + ", ".join(["(?, ?)"] * near.BANDS) + ") "
    "SELECT m.article_id, m.signature, a.published_at FROM article_minhash m "
    "JOIN articles a ON a.id = m.article_id "
    "WHERE m.article_id IN (SELECT b.article_id FROM probe JOIN article_bands b "
    "ON b.band = probe.band AND b.hash = probe.hash) AND m.article_id != ?"
)


class ArchiveError(RuntimeError):
    """The archive file cannot be used as asked (newer schema, not a database, …)."""


@dataclass(frozen=True)
class UpsertResult:
    status: str  # "new" | "updated" | "unchanged"
    article_id: int
    revision: int
    duplicate_of: int | None = None


@dataclass
class SearchHit:
    id: int
    canonical_url: str
    url: str
    site: str
    title: str | None
    published_at: str | None
    snippet: str
    rank: float
    exact: bool
    ranked_by: str = "bm25"  # or "newest" / "archived": a broad tier (see Archive.search)
    extra: dict[str, Any] = field(default_factory=dict)


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dump(value: Any) -> str:
    return json.dumps(value if value is not None else [], ensure_ascii=False)


def keep_downloads(stored: Any, incoming: Any) -> Any:
    """``incoming`` attachments, with the download records of ``stored`` (same URL) kept on
    the entries this crawl did not download (a crawl without ``--files``, or a file already
    on disk). A failed new attempt keeps the file already held and notes the ``error``."""
    if not isinstance(incoming, list) or not isinstance(stored, list):
        return incoming
    held = {e.get("url"): e for e in stored
            if isinstance(e, dict) and any(k in e for k in DOWNLOAD_KEYS)}
    out = []
    for entry in incoming:
        old = held.get(entry.get("url")) if isinstance(entry, dict) else None
        if old is None or "sha256" in entry or ("error" in entry and "sha256" not in old):
            out.append(entry)
            continue
        kept = {k: old[k] for k in DOWNLOAD_KEYS if k in old}
        out.append({**entry, **kept, **({"error": entry["error"]} if "error" in entry else {})})
    return out


def _downloads_onto(stored: list[Any], merged: list[Any]) -> list[Any]:
    """``stored`` entries with the download records of ``merged`` (same URL): an unchanged
    article takes new download records, not a new list (that is a revision's business)."""
    by_url = {e.get("url"): e for e in merged if isinstance(e, dict)}
    out = []
    for entry in stored:
        new = by_url.get(entry.get("url")) if isinstance(entry, dict) else None
        if new is None:
            out.append(entry)
            continue
        out.append({**{k: v for k, v in entry.items() if k not in DOWNLOAD_KEYS},
                    **{k: new[k] for k in DOWNLOAD_KEYS if k in new}})
    return out


class Archive:
    """Open (creating and migrating if needed) the archive at ``path``."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self._capture_columns: frozenset[str] | None = None
        if not create and not self.path.exists():
            raise ArchiveError(f"no archive at {self.path} (run a crawl first, or pass --db)")
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            self.db = sqlite_utils.Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{self.path} is not a usable SQLite archive: {exc}") from exc

    # -- lifecycle ---------------------------------------------------------------------
    def _migrate(self) -> None:
        known = {m.name for m in migrations._migrations}
        applied = {m.name for m in migrations.applied(self.db)}
        newer = applied - known
        if newer:
            raise ArchiveError(
                f"{self.path} was written by a newer dost-archive (schema {sorted(newer)}); "
                "upgrade dost-archive to open it"
            )
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> list[str]:
        return [m.name for m in migrations.applied(self.db)]

    # -- sites -------------------------------------------------------------------------
    def sync_sites(self, sites: Iterable[Mapping[str, Any]]) -> int:
        """Upsert registry entries into ``sites``; returns how many rows were written."""
        rows = []
        now = utcnow()
        for site in sites:
            row = dict(site)
            row["domains"] = _dump(list(row.get("domains", [])))
            row["evidence"] = json.dumps(row.get("evidence") or {}, ensure_ascii=False)
            row["updated_at"] = now
            rows.append(row)
        with self.db.atomic():
            self.db["sites"].upsert_all(rows, pk="slug")
        return len(rows)

    def sync_dosts(self, dosts: Iterable[Mapping[str, Any]]) -> int:
        """Upsert the departments (lineage and websites) into ``dosts``."""
        now = utcnow()
        rows = [{**d, "predecessors": _dump(list(d.get("predecessors", []))),
                 "sites": _dump(list(d.get("sites", []))),
                 "evidence": json.dumps(d.get("evidence") or {}, ensure_ascii=False),
                 "updated_at": now} for d in dosts]
        with self.db.atomic():
            self.db["dosts"].upsert_all(rows, pk="slug")
        return len(rows)

    # -- runs --------------------------------------------------------------------------
    def start_run(self, site: str, *, run_key: str | None = None,
                  args: Mapping[str, Any] | None = None) -> int:
        with self.db.atomic():
            table = self.db["crawl_runs"].insert(
                {"site": site, "run_key": run_key, "started_at": utcnow(), "status": "running",
                 "args": json.dumps(dict(args or {}), ensure_ascii=False, default=str)}
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, *, status: str, finish_reason: str | None = None,
                   message: str | None = None, monitors: list[dict[str, Any]] | None = None,
                   **counts: int) -> None:
        unknown = set(counts) - set(RUN_COUNTERS)
        if unknown:
            raise ValueError(f"unknown run counters {sorted(unknown)}")
        with self.db.atomic():
            self.db["crawl_runs"].update(
                run_id,
                {"finished_at": utcnow(), "status": status, "finish_reason": finish_reason,
                 "message": message, **counts,
                 "monitors": json.dumps(monitors, ensure_ascii=False) if monitors is not None
                 else None,
                 "alerts": sum(1 for m in monitors or [] if not m["ok"])},
            )

    def mark_interrupted_runs(self) -> list[dict[str, Any]]:
        """Close the runs left 'running' by a crawl process that is gone; return them.

        Only for a caller holding the archive's run lock (crawler/plumbing/lock.py) before it starts
        runs of its own: then no live process owns a 'running' row. Such a run was killed,
        crashed or lost power. It becomes 'interrupted'; ``finished_at`` is its last trace
        (the last article or rejection it wrote, else its start), not the moment it was
        found; ``new``/``updated``/``rejected`` count what it had committed.
        """
        rows = self.db.execute(
            "SELECT id, site, started_at FROM crawl_runs WHERE status = 'running' ORDER BY id"
        ).fetchall()
        found = utcnow()
        closed = []
        with self.db.atomic():
            for run_id, site, started in rows:
                traces = [started] + [t for (t,) in self.db.execute(
                    "SELECT MAX(seen_at) FROM revisions WHERE run_id = :id UNION ALL "
                    "SELECT MAX(last_seen_at) FROM articles WHERE last_run_id = :id UNION ALL "
                    "SELECT MAX(seen_at) FROM rejections WHERE run_id = :id", {"id": run_id})
                    if t]
                last = max(datetime.fromisoformat(t).astimezone(UTC) for t in traces)
                new, updated = self.db.execute(
                    "SELECT COUNT(*) FILTER (WHERE revision = 1), "
                    "COUNT(*) FILTER (WHERE revision > 1) FROM revisions WHERE run_id = ?",
                    [run_id]).fetchone()
                rejected = self.db.execute("SELECT COUNT(*) FROM rejections WHERE run_id = ?",
                                           [run_id]).fetchone()[0]
                row = {"status": "interrupted", "finished_at": last.isoformat(timespec="seconds"),
                       "new": new, "updated": updated, "rejected": rejected,
                       "message": "interrupted: the crawl process ended without finishing the "
                                  f"run (killed or crashed); found by the next crawl at {found}"}
                self.db["crawl_runs"].update(run_id, row)
                closed.append({"id": run_id, "site": site, "started_at": started, **row})
        return closed

    def run_facts(self, run_id: int, site: str) -> dict[str, Any]:
        """What the monitors need about a run: field coverage of the articles it wrote, how
        many articles the site had before it, and when its newest article was first seen."""
        n, title, published, body, fallback = self.db.execute(
            "SELECT COUNT(*), SUM(COALESCE(title, '') != ''), SUM(published_at IS NOT NULL), "
            "SUM(COALESCE(body_text, '') != ''), "
            "SUM(extractor = 'generic-fallback' OR flags LIKE '%listing_fallback%') "
            "FROM articles WHERE last_run_id = ? "
            "AND last_changed_at = last_seen_at", [run_id]).fetchone()
        before, last_new = self.db.execute(
            "SELECT SUM(COALESCE(first_run_id, 0) != ?), MAX(first_seen_at) FROM articles "
            "WHERE site = ?", [run_id, site]).fetchone()
        return {"coverage": {"n": n or 0, "title": title or 0, "published_at": published or 0,
                             "body_text": body or 0, "fallback": fallback or 0},
                "archived_before": before or 0, "last_new_at": last_new}

    def record_rejection(self, *, site: str, url: str, reason: str,
                         run_id: int | None = None) -> None:
        """Keep a trace of a page that could not become an article, with the reason."""
        with self.db.atomic():
            self.db["rejections"].insert(
                {"run_id": run_id, "site": site, "url": url, "reason": reason,
                 "seen_at": utcnow()}
            )

    # -- captures (WARC records) -------------------------------------------------------
    def record_capture(self, **capture: Any) -> int:
        """Register a WARC record that was written (and flushed) before this call."""
        if self._capture_columns is None:  # once per connection: a crawl records thousands
            self._capture_columns = frozenset(self.db["captures"].columns_dict)
        unknown = set(capture) - self._capture_columns
        if unknown:
            raise ValueError(f"unknown capture fields {sorted(unknown)}")
        if isinstance(capture.get("context"), Mapping):
            capture["context"] = json.dumps(capture["context"], ensure_ascii=False, default=str)
        with self.db.atomic():
            return self._insert("captures", capture)

    def payload_capture(self, payload_digest: str) -> dict[str, Any] | None:
        """The first capture that holds a payload with this digest (for revisit records)."""
        cursor = self.db.execute(
            "SELECT * FROM captures WHERE payload_digest = ? AND kind = 'response' "
            "ORDER BY id LIMIT 1", [payload_digest])
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def capture_by_record(self, record_id: str) -> int | None:
        """The id of the capture of WARC record ``record_id``, if indexed."""
        found = self.db.execute("SELECT id FROM captures WHERE record_id = ?",
                                [record_id]).fetchone()
        return found[0] if found else None

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        rows = list(self.db["captures"].rows_where("id = ?", [capture_id]))
        if not rows:
            return None
        row = rows[0]
        row["context"] = json.loads(row["context"]) if row.get("context") else {}
        return row

    def captured_articles(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        """Articles (id, canonical_url, site, capture_id) in id order, optionally one site's.
        Those archived before captures existed have ``capture_id`` None."""
        where, params = ("WHERE site = ?", [site]) if site else ("", [])
        yield from self.db.query(
                f"SELECT id, canonical_url, site, capture_id FROM articles {where} ORDER BY id",
                params)

    # -- removed articles --------------------------------------------------------------
    def revisit_targets(self, site: str) -> list[dict[str, Any]]:
        """What a full crawl needs to re-request the site's archived articles directly: the
        URL, and the listing-supplied fields to fall back on as a listing entry would."""
        return list(self.db.query(
            "SELECT canonical_url, url, title, published_raw, summary, category, gone_at "
            "FROM articles WHERE site = ? ORDER BY id", [site]))

    def mark_gone(self, canonical_url: str, *, status: int, at: str | None = None) -> bool:
        """Record that an archived article now answers ``status`` (404/410). The row and all
        its revisions stay; the first time it was seen gone is kept. Returns whether an
        archived article was marked (an unknown URL is not an article of ours)."""
        with self.db.atomic():
            cur = self.db.execute(
                "UPDATE articles SET gone_at = COALESCE(gone_at, ?), gone_status = ? "
                "WHERE canonical_url = ?", [at or utcnow(), status, canonical_url])
        return cur.rowcount > 0

    # -- articles ----------------------------------------------------------------------
    def upsert_article(self, article: Article | Mapping[str, Any], *,
                       run_id: int | None = None, capture_id: int | None = None,
                       reparsed: bool = False) -> UpsertResult:
        """Store ``article``, keyed by its canonical URL.

        New URL → insert + revision 1. Known URL, same ``content_hash`` → only
        ``last_seen_at`` (and the view counter) move. Known URL, new hash → a new revision
        and the article row updated. Same content at another URL → stored and linked with
        ``duplicate_of`` to the first copy, never dropped. New and changed articles are put
        in their syndication cluster (``cluster_id``, see ``_place_in_cluster``).

        ``capture_id`` is the raw capture (WARC record) the article was extracted from; the
        article and a new revision point at it. A fetch clears ``gone_at`` (the page is back).
        ``reparsed``: the article was re-extracted from a stored capture, not fetched, so an
        unchanged result changes nothing and a changed one adds a revision marked
        ``reparsed_at`` without moving the seen/changed times.
        """
        data = ({name: getattr(article, name) for name in _ARTICLE_FIELDS}
                if isinstance(article, Article) else dict(article))  # shallow: dumped below
        if not data.get("content_hash"):
            raise ValueError(f"article {data.get('canonical_url')} has no content_hash")
        row = {k: (_dump(v) if k in JSON_COLUMNS else v) for k, v in data.items()}
        published = row.get("published_at")
        row["published_year"] = int(published[:4]) if published else None
        seen = row["fetched_at"]
        if capture_id is not None:
            row["capture_id"] = capture_id
        if not reparsed:
            row.update(gone_at=None, gone_status=None)
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT id, content_hash, revision_count, attachments FROM articles "
                "WHERE canonical_url = ?", [row["canonical_url"]],
            ).fetchone()
            if existing is None:
                row.update(first_seen_at=seen, last_seen_at=seen, last_changed_at=seen,
                           revision_count=1, first_run_id=run_id, last_run_id=run_id,
                           duplicate_of=self._first_copy(row["content_hash"], None))
                article_id = self._insert("articles", row)
                self._add_revision(article_id, 1, row, run_id, reparsed=reparsed)
                self._place_in_cluster(article_id, row)
                return UpsertResult("new", article_id, 1, row["duplicate_of"])
            article_id, old_hash, revisions, old_files = existing
            # Download records (crawl --files) are not content: they never make a revision,
            # and what earlier crawls downloaded is kept (storage.archive.keep_downloads).
            held = json.loads(old_files or "[]")
            merged = keep_downloads(held, data.get("attachments") or [])
            row["attachments"] = _dump(merged)
            if old_hash == row["content_hash"]:
                if not reparsed:
                    changes = {"last_seen_at": seen, "last_run_id": run_id, "url": row["url"],
                               "view_count": row.get("view_count"), "fetched_at": seen,
                               "gone_at": None, "gone_status": None}
                    if capture_id is not None:
                        changes["capture_id"] = capture_id
                    files = (_dump(_downloads_onto(held, merged)) if isinstance(held, list)
                             else None)
                    if files is not None and files != old_files:
                        changes["attachments"] = files
                    self.db["articles"].update(article_id, changes)
                dup = self.db["articles"].get(article_id)["duplicate_of"]
                return UpsertResult("unchanged", article_id, revisions, dup)
            revisions += 1
            if reparsed:
                for keep in ("fetched_at", "view_count"):
                    row.pop(keep, None)
                row.update(revision_count=revisions,
                           duplicate_of=self._first_copy(row["content_hash"], article_id))
            else:
                row.update(last_seen_at=seen, last_changed_at=seen, revision_count=revisions,
                           last_run_id=run_id,
                           duplicate_of=self._first_copy(row["content_hash"], article_id))
            self.db["articles"].update(article_id, row)
            self._add_revision(article_id, revisions, {**row, "fetched_at": seen}, run_id,
                               reparsed=reparsed)
            self._place_in_cluster(article_id, row, edited=True)
            return UpsertResult("updated", article_id, revisions, row["duplicate_of"])

    def _insert(self, table: str, row: Mapping[str, Any]) -> int:
        """INSERT one row (column names are the schema's, from our own dataclasses); its id.
        Plain SQL: sqlite-utils' insert re-inspects the table and every value each time."""
        cols = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = self.db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                                 list(row.values()))
        return int(cursor.lastrowid)

    def _first_copy(self, content_hash: str, exclude_id: int | None) -> int | None:
        found = self.db.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL "
            "AND id IS NOT ? ORDER BY id LIMIT 1",
            [content_hash, exclude_id],
        ).fetchone()
        return found[0] if found else None

    def _add_revision(self, article_id: int, number: int, row: Mapping[str, Any],
                      run_id: int | None, *, reparsed: bool = False) -> None:
        rev = {k: row.get(k) for k in REVISION_FIELDS}
        rev.update(article_id=article_id, revision=number, content_hash=row["content_hash"],
                   seen_at=row["fetched_at"], run_id=run_id, capture_id=row.get("capture_id"),
                   reparsed_at=utcnow() if reparsed else None)
        self._insert("revisions", rev)

    # -- syndication clusters ----------------------------------------------------------
    def _place_in_cluster(self, article_id: int, row: Mapping[str, Any], *,
                          edited: bool = False) -> None:
        """Index the body's MinHash signature and set ``cluster_id`` (new or changed article).

        The article joins every article it is a near-copy of (core/near.py: LSH
        candidates verified by estimated Jaccard and publication dates) and its exact first
        copy (``duplicate_of``); their clusters merge, and ``cluster_id`` is the smallest
        article id of the cluster. An edited article first leaves its old cluster, whose
        remaining members are re-formed from their own links.
        """
        linked: set[int] = set()
        if edited:
            linked |= self._leave_cluster(article_id)
        sig = self._index_signature(article_id, row.get("body_text"))
        linked |= self._near_copies(article_id, sig, row.get("published_at"))
        if row.get("duplicate_of"):
            linked.add(row["duplicate_of"])
        self._join_cluster(article_id, linked)

    def _index_signature(self, article_id: int,
                         body: str | None) -> near.Signature | None:
        """Replace the article's signature and band keys; None when the body is too short."""
        old = self.db.execute("SELECT signature FROM article_minhash WHERE article_id = ?",
                              [article_id]).fetchone()
        if old is not None:
            for band, key in near.band_keys(near.from_bytes(old[0])):
                self.db.execute("DELETE FROM article_bands WHERE band = ? AND hash = ? "
                                "AND article_id = ?", [band, key, article_id])
            self.db.execute("DELETE FROM article_minhash WHERE article_id = ?", [article_id])
        sig = near.signature(body)
        if sig is None:
            return None
        self.db.execute("INSERT INTO article_minhash (article_id, signature) VALUES (?, ?)",
                        [article_id, near.to_bytes(sig)])
        self.db.conn.executemany(
            "INSERT INTO article_bands (band, hash, article_id) VALUES (?, ?, ?)",
            [(band, key, article_id) for band, key in near.band_keys(sig)])
        return sig

    def _near_copies(self, article_id: int, sig: near.Signature | None,
                     published: str | None) -> set[int]:
        """Ids of the articles whose bodies are near-copies of this one (candidates verified)."""
        if sig is None:
            return set()
        params = [*itertools.chain.from_iterable(near.band_keys(sig)), article_id]
        return {other for other, blob, other_published in self.db.execute(CANDIDATES_SQL, params)
                if near.is_near_copy(sig, near.from_bytes(blob), published, other_published)}

    def _join_cluster(self, article_id: int, linked: set[int]) -> None:
        """Merge the article, ``linked`` and their clusters into one; id = the smallest id."""
        linked = linked - {article_id}
        if not linked:
            return
        ids = sorted(linked | {article_id})
        marks = ", ".join("?" * len(ids))
        clusters = sorted(c for (c,) in self.db.execute(
            f"SELECT DISTINCT cluster_id FROM articles WHERE id IN ({marks}) "
            "AND cluster_id IS NOT NULL", ids))
        cluster_id = min(ids[0], *clusters) if clusters else ids[0]
        where = f"id IN ({marks})"
        if clusters:
            where += f" OR cluster_id IN ({', '.join('?' * len(clusters))})"
        self.db.execute(f"UPDATE articles SET cluster_id = ? WHERE ({where}) "
                        "AND cluster_id IS NOT ?", [cluster_id, *ids, *clusters, cluster_id])

    def _leave_cluster(self, article_id: int) -> set[int]:
        """Take an edited article out of its cluster and re-form what is left of it.

        Returns the members that are exact copies of the article (``duplicate_of`` it): they
        stay linked to it whatever its new text.
        """
        old = self.db.execute("SELECT cluster_id FROM articles WHERE id = ?",
                              [article_id]).fetchone()[0]
        if old is None:
            return set()
        self.db.execute("UPDATE articles SET cluster_id = NULL WHERE id = ?", [article_id])
        rest = self.db.execute("SELECT id, duplicate_of FROM articles WHERE cluster_id = ?",
                               [old]).fetchall()
        self._reform([r[0] for r in rest])
        return {r[0] for r in rest if r[1] == article_id}

    def _reform(self, ids: list[int]) -> None:
        """Set the clusters among ``ids`` (the rest of one cluster) from their own links."""
        if not ids:
            return
        marks = ", ".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT a.id, a.duplicate_of, a.published_at, m.signature FROM articles a "
            f"LEFT JOIN article_minhash m ON m.article_id = a.id WHERE a.id IN ({marks})",
            ids).fetchall()
        members = set(ids)
        edges = [(i, dup) for i, dup, _, _ in rows if dup in members]
        signed = [(i, near.from_bytes(blob), published)
                  for i, _, published, blob in rows if blob is not None]
        for (i, a, pa), (k, b, pb) in itertools.combinations(signed, 2):
            if near.is_near_copy(a, b, pa, pb):
                edges.append((i, k))
        self.db.execute(f"UPDATE articles SET cluster_id = NULL WHERE id IN ({marks})", ids)
        for group in near.components(ids, edges):
            if len(group) > 1:
                self.db.execute(
                    f"UPDATE articles SET cluster_id = ? WHERE id IN "
                    f"({', '.join('?' * len(group))})", [group[0], *group])

    def recluster(self, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild every signature, band key and cluster id; returns the number of clusters.

        For archives made before m005_minhash and after a change of core/near.py's
        parameters. Articles go through the same steps as in ``upsert_article``, in id
        order, in one transaction (readers see the old clusters until it commits).
        ``progress(done, total)`` is called after each article.
        """
        ids = [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY id")]
        with self.db.atomic():
            self.db.execute("DELETE FROM article_bands")
            self.db.execute("DELETE FROM article_minhash")
            self.db.execute("UPDATE articles SET cluster_id = NULL WHERE cluster_id IS NOT NULL")
            done = 0
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                rows = self.db.execute(
                    "SELECT id, body_text, published_at, duplicate_of FROM articles WHERE id IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY id", chunk).fetchall()
                for article_id, body, published, duplicate_of in rows:
                    self._place_in_cluster(article_id, {"body_text": body,
                                                        "published_at": published,
                                                        "duplicate_of": duplicate_of})
                    done += 1
                    if progress:
                        progress(done, len(ids))
        return self.db.execute("SELECT COUNT(DISTINCT cluster_id) FROM articles").fetchone()[0]

    def cluster(self, article_id: int) -> list[dict[str, Any]]:
        """Every copy in the article's syndication cluster, first copy first.

        An article without near-copies is a cluster of one; an unknown id gives [].
        """
        found = self.db.execute("SELECT cluster_id FROM articles WHERE id = ?",
                                [article_id]).fetchone()
        if found is None:
            return []
        if found[0] is None:
            return [_decode(self.db["articles"].get(article_id))]
        return [_decode(r) for r in self.db["articles"].rows_where(
            "cluster_id = ?", [found[0]], order_by="id")]

    # -- reads -------------------------------------------------------------------------
    def get_article(self, canonical_url: str) -> dict[str, Any] | None:
        rows = list(self.db["articles"].rows_where("canonical_url = ?", [canonical_url]))
        return _decode(rows[0]) if rows else None

    def revisions(self, article_id: int) -> list[dict[str, Any]]:
        return [_decode(r) for r in self.db["revisions"].rows_where(
            "article_id = ?", [article_id], order_by="revision")]

    def known_articles(self, site: str) -> dict[str, str]:
        """Canonical URL → title of every article archived for ``site`` and not gone.

        Incremental crawling reads this at start: the archive is the only crawl state. A gone
        article is left out, so when it reappears in a listing it is fetched (and un-gone).
        """
        return {url: title or "" for url, title in self.db.execute(
            "SELECT canonical_url, title FROM articles WHERE site = ? AND gone_at IS NULL",
            [site])}

    def vouched_articles(self, site: str) -> set[str]:
        """Canonical URLs of ``site``'s articles that a completed crawl vouches for.

        Incremental crawling stops paging at a listing page of archived articles on the
        promise that everything older was archived too. Only a run that walked its listings
        to that point can keep the promise: one that finished ('ok': no page failed) with no
        cap (``since``, ``max_pages``, a ``days`` backfill). An article first stored by such a
        run, or by any earlier run, is vouched for; one stored by a later run that was killed,
        failed or capped is not (older listing entries may be missing below it), so the next
        run pages on past it. Articles stored outside any run count as vouched.
        """
        (last,) = self.db.execute(
            "SELECT MAX(id) FROM crawl_runs WHERE site = ? AND status = 'ok' "
            "AND finish_reason = 'finished' AND json_extract(args, '$.since') IS NULL "
            "AND json_extract(args, '$.max_pages') IS NULL "
            "AND json_extract(args, '$.days') IS NULL", [site]).fetchone()
        return {url for (url,) in self.db.execute(
            "SELECT canonical_url FROM articles WHERE site = ? "
            "AND (first_run_id IS NULL OR first_run_id <= ?)", [site, last or 0])}

    def iter_articles(self, *, site: str | None = None, since: str | None = None,
                      until: str | None = None, include_duplicates: bool = True,
                      ) -> Iterator[dict[str, Any]]:
        where, params = _filters(site=site, date_from=since, date_to=until)
        if not include_duplicates:
            where.append("duplicate_of IS NULL")
        sql = "SELECT * FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY published_at IS NULL, published_at, id"
        cursor = self.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield _decode(dict(zip(names, values, strict=True)))

    # A tier with at most this many matches is ranked by bm25 (cost grows with the matches:
    # ~4 µs each); above it bm25 says little (the words are in most articles) and would take
    # seconds at a million articles, so the tier lists its matches newest first instead.
    RANK_AT_MOST = 5_000
    # Newest first for up to this many matches: their ids fetched as a set (~0.3 µs each)
    # and the date index walked. Above it (≥ 3 % of a million articles) the walk asks the
    # index about each article instead (~25 µs each), and stops after a few hundred.
    SET_AT_MOST = 30_000
    # A newest-first walk that has read this many articles without filling the page (the
    # filters keep few of the matches) finishes from the match side instead.
    WALK_AT_MOST = 50_000

    def search(self, query: str, *, site: str | None = None, date_from: str | None = None,
               date_to: str | None = None, limit: int = 20, exact: bool = False,
               include_duplicates: bool = False, mark: tuple[str, str] = ("**", "**"),
               ) -> list[SearchHit]:
        """Matches in tiers; within a tier by bm25, or newest first when the tier is broad.

        Tiers, each complete before the next: the typed words as one phrase, accents as
        typed; the typed words, accents as typed; then (default, folded) the same two on the
        folded index (accents, đ and tone placement ignored: "dong chi" is "đồng chí" side by
        side, not "động" here and "chỉ" there). ``exact=True``: only the first two, so "hoá"
        and "hóa" stay apart. A single word or a query with FTS5 syntax has no phrase tier.

        Within a tier of at most ``RANK_AT_MOST`` matches: bm25 (title weighted over summary
        over body). A broader tier (a common word: "khoa học" is in nine articles of ten)
        lists its matches newest published first, or, for a prefix query (``khởi*``, which
        FTS5 expands anew at every lookup), most recently archived first
        (``SearchHit.ranked_by``: bm25 / newest / archived): milliseconds, where ranking a
        million matches takes seconds. When the typed words are that broad, their phrase
        tier is skipped: finding a phrase costs a pass over every article holding its
        words, and newest-first has given up relevance anyway. ``count_matches`` gives the
        number of articles the same query matches.
        """
        if limit < 1:
            raise QueryError("--limit must be at least 1")
        where, params = _filters(site=site, date_from=date_from, date_to=date_to, alias="a.")
        if not include_duplicates:
            where.append("a.duplicate_of IS NULL")
        groups = [("articles_fts", phrase_query(query, folded=False),
                   prepare_query(query, folded=False), True)]
        if not exact:
            groups.append(("articles_folded_fts", phrase_query(query, folded=True),
                           prepare_query(query, folded=True), False))
        found: list[tuple[int, float, bool, str]] = []
        seen: set[int] = set()
        probes: dict[tuple[str, str], list[int]] = {}
        try:
            for table, phrase, words, is_exact in groups:
                if len(found) >= limit:
                    break
                broad = len(self._probe(table, words, probes)) > self.RANK_AT_MOST
                for expr in ([phrase] if phrase and not broad else []) + [words]:
                    if len(found) >= limit:
                        break
                    for article_id, rank, ranked_by in self._tier(
                            table, expr, where, params, limit - len(found), seen, probes):
                        seen.add(article_id)
                        found.append((article_id, rank, is_exact, ranked_by))
        except sqlite3.OperationalError as exc:
            # FTS5 rejects a query as a syntax error, an unknown column, or (a bare "*",
            # "*x") an "unknown special query": the user's input, not a database failure.
            if any(m in str(exc) for m in ("fts5", "syntax", "no such column",
                                            "unknown special query")):
                raise QueryError(f"cannot run query {query!r}: {exc}") from exc
            raise
        terms = query_terms(query)
        marks = ", ".join("?" * len(found))
        rows = {r["id"]: r for r in self.db.query(
            "SELECT id, canonical_url, url, site, title, published_at, body_text, summary "
            f"FROM articles WHERE id IN ({marks})", [f[0] for f in found])} if found else {}
        hits = []
        for article_id, rank, is_exact, ranked_by in found:
            a = rows[article_id]
            text = a["body_text"] or a["summary"] or ""
            hits.append(SearchHit(
                id=article_id, canonical_url=a["canonical_url"], url=a["url"], site=a["site"],
                title=a["title"], published_at=a["published_at"],
                snippet=make_snippet(text, terms, mark=mark), rank=rank, exact=is_exact,
                ranked_by=ranked_by,
            ))
        return hits

    def _tier(self, table: str, expr: str, where: list[str], params: list[Any], need: int,
              seen: set[int], probes: dict[tuple[str, str], list[int]],
              ) -> list[tuple[int, float, str]]:
        """Up to ``need`` matches of ``expr`` on ``table`` passing the filters, not in
        ``seen``: (id, rank, how ranked), in the tier's order (see ``search``)."""
        extra = "".join(f" AND {w}" for w in where)
        want = need + len(seen)  # rows of earlier tiers are skipped here, not in SQL

        def keep(ids: Iterable[int]) -> list[int]:
            return list(itertools.islice((i for i in ids if i not in seen), need))

        def matches(order: str) -> list[int]:
            return keep(r for (r,) in self.db.execute(
                f"SELECT a.id FROM {table} JOIN articles a ON a.id = {table}.rowid "
                f"WHERE {table} MATCH ?{extra} ORDER BY {order} LIMIT ?",
                [expr, *params, want]))

        newest_ids = self._probe(table, expr, probes)
        if len(newest_ids) <= self.RANK_AT_MOST:
            rows = self.db.execute(
                f"SELECT a.id, bm25({table}, 10.0, 4.0, 1.0) AS rank FROM {table} "
                f"JOIN articles a ON a.id = {table}.rowid WHERE {table} MATCH ?{extra} "
                "ORDER BY rank, a.id LIMIT ?", [expr, *params, want]).fetchall()
            ranks = dict(rows)
            return [(i, ranks[i], "bm25") for i in keep(r[0] for r in rows)]
        if "*" in expr:
            # The probe holds the most recently archived matches: filter those, and read
            # further down the index only if the filters leave too few.
            kept = {i for (i,) in self.db.execute(
                "SELECT a.id FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))"
                f"{extra}", [json.dumps(newest_ids), *params])}
            ids = keep(i for i in newest_ids if i in kept)
            if len(ids) < need:
                ids = matches(f"{table}.rowid DESC")
            return [(i, 0.0, "archived") for i in ids]
        newest = "a.published_at DESC, a.id DESC"
        # How many matches in all, estimated from how far down the ids the probe reached.
        (top,) = self.db.execute("SELECT max(id) FROM articles").fetchone()
        estimate = len(newest_ids) * top / (top - newest_ids[-1] + 1)
        matching: set[int] = set()
        cap = 4 * self.SET_AT_MOST + 1  # an estimate: the ids of one site cluster, so cap
        if estimate <= self.SET_AT_MOST:
            matching = {r for (r,) in self.db.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?", [expr, cap])}
        if matching and len(matching) < cap:
            walk = self.db.execute("SELECT a.id FROM articles a" + (
                " WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {newest}",
                params)
            ids: list[int] = []
            for n, (article_id,) in enumerate(walk, 1):
                if article_id in matching and article_id not in seen:
                    ids.append(article_id)
                    if len(ids) == need:
                        break
                if n == self.WALK_AT_MOST:
                    ids = matches(newest)
                    break
            walk.close()
        else:
            # CROSS JOIN: the date index is the outer loop; the index answers per article.
            ids = keep(r for (r,) in self.db.execute(
                f"SELECT a.id FROM articles a CROSS JOIN {table} ON {table}.rowid = a.id "
                f"WHERE {table} MATCH ?{extra} ORDER BY {newest} LIMIT ?",
                [expr, *params, want]))
        return [(i, 0.0, "newest") for i in ids]

    def _probe(self, table: str, expr: str, probes: dict[tuple[str, str], list[int]],
               ) -> list[int]:
        """The ids of the ``RANK_AT_MOST + 1`` most recently archived matches of ``expr``
        (all of them if fewer), newest first; once per search (``probes``). Its length says
        whether the tier is selective; how far down the ids it reached, how broad it is."""
        key = (table, expr)
        if key not in probes:
            probes[key] = [r for (r,) in self.db.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?",
                [expr, self.RANK_AT_MOST + 1])]
        return probes[key]

    def count_matches(self, query: str, *, site: str | None = None,
                      date_from: str | None = None, date_to: str | None = None,
                      exact: bool = False, include_duplicates: bool = False,
                      at_most: int | None = None) -> int:
        """How many articles ``search`` with the same arguments would find (no limit).

        ``at_most``: stop counting past it (returns ``at_most + 1``): a common word's exact
        count costs a pass over a million matches, "more than 10,000" costs milliseconds.
        """
        where, params = _filters(site=site, date_from=date_from, date_to=date_to, alias="a.")
        if not include_duplicates:
            where.append("a.duplicate_of IS NULL")
        extra = (" AND " + " AND ".join(where)) if where else ""
        table = "articles_fts" if exact else "articles_folded_fts"
        try:
            cap = "" if at_most is None else f" LIMIT {int(at_most) + 1}"
            (n,) = self.db.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} JOIN articles a "
                f"ON a.id = {table}.rowid WHERE {table} MATCH ?{extra}{cap})",
                [prepare_query(query, folded=not exact), *params]).fetchone()
        except sqlite3.OperationalError as exc:
            raise QueryError(f"cannot run query {query!r}: {exc}") from exc
        return int(n)

    def stats(self) -> list[dict[str, Any]]:
        """Per-site counts, date range, flagged articles and the last run."""
        sql = """
        SELECT s.site,
               COUNT(a.id) AS articles,
               SUM(a.duplicate_of IS NOT NULL) AS duplicates,
               SUM(a.flags != '[]') AS flagged,
               SUM(a.cluster_id IS NOT NULL) AS syndicated,
               SUM(a.gone_at IS NOT NULL) AS gone,
               (SELECT COUNT(*) FROM crawl_runs p WHERE p.site = s.site
                 AND (p.status != 'ok' OR p.errors > 0)) AS problem_runs,
               (SELECT COUNT(*) FROM rejections j WHERE j.site = s.site) AS rejected,
               MIN(a.published_at) AS first_published,
               MAX(a.published_at) AS last_published,
               (SELECT COUNT(*) FROM revisions r JOIN articles x ON x.id = r.article_id
                 WHERE x.site = s.site) AS revisions,
               r.started_at AS last_run_started, r.status AS last_run_status,
               r.alerts AS last_run_alerts,
               r.new AS last_run_new, r.errors AS last_run_errors
        FROM (SELECT site FROM articles UNION SELECT site FROM crawl_runs) s
        LEFT JOIN articles a ON a.site = s.site
        LEFT JOIN crawl_runs r ON r.id = (
            SELECT id FROM crawl_runs WHERE site = s.site ORDER BY started_at DESC, id DESC
            LIMIT 1)
        GROUP BY s.site ORDER BY s.site
        """
        cursor = self.db.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- what the command line asks (crawler/cli/ speaks no SQL) ------------------------
    def runs_of(self, run_key: str, *, order_by: str = "site") -> list[dict[str, Any]]:
        """The crawl_runs rows of one invocation (its ``run_key``), as stored (``monitors``
        still JSON text): what a crawl or the distributed writer reports on. ``order_by``:
        ``"site"`` or ``"id"`` (anything else is a KeyError, never SQL)."""
        column = {"site": "site", "id": "id"}[order_by]
        return list(self.db["crawl_runs"].rows_where("run_key = ?", [run_key],
                                                     order_by=column))

    def article_count(self) -> int:
        """How many articles the archive holds, duplicates and gone ones included."""
        return int(self.db["articles"].count)

    def has_articles(self, site: str) -> bool:
        """Whether ``site`` has any article here (a cheap check before a long command)."""
        return self.db.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1",
                               [site]).fetchone() is not None

    def latest_articles(self, site: str, *, limit: int = 2) -> list[tuple[str | None, str]]:
        """``(published_at, title)`` of ``site``'s most recently published articles."""
        return [(published, title) for published, title in self.db.execute(
            "SELECT published_at, title FROM articles WHERE site = ? "
            "ORDER BY published_at DESC LIMIT ?", [site, limit]).fetchall()]


def _filters(*, site: str | None, date_from: str | None, date_to: str | None,
             alias: str = "") -> tuple[list[str], list[Any]]:
    """SQL conditions for the common --site/--from/--to filters (dates as YYYY-MM-DD)."""
    where: list[str] = []
    params: list[Any] = []
    if site:
        where.append(f"{alias}site = ?")
        params.append(site)
    if date_from:
        where.append(f"{alias}published_at >= ?")
        params.append(date_from)
    if date_to:
        # Inclusive of the whole day: "2023-06-05" keeps "2023-06-05T17:00:00+07:00".
        where.append(f"{alias}published_at < ?")
        params.append(date_to + "\uffff" if len(date_to) == 10 else date_to)
    return where, params


def _decode(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for key in JSON_COLUMNS:
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out
