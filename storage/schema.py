"""Archive schema as ordered migrations (sqlite-utils ``Migrations``).

Never edit a migration that has shipped: add a new one. An archive made by any earlier
version then opens after the upgrade, with its data intact (tests/storage/test_migrations.py).
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("dost_archive")

# The exact index keeps accents and tone marks apart; the folded index is over text folded by
# core.fold (lowercase, no marks, đ → d), so "dong chi" finds "Đồng chí".
EXACT_TOKENIZER = "unicode61 remove_diacritics 0"
FOLDED_TOKENIZER = "unicode61 remove_diacritics 2"
FTS_COLUMNS = ("title", "summary", "body_text")


def _fts_triggers(table: str, fts: str, key: str) -> str:
    """Triggers that keep an external-content FTS5 index in step with ``table``.

    Unlike sqlite-utils' own triggers, the update trigger fires only when an indexed column
    changes, so the common "seen again, unchanged" update does not rewrite the index.
    """
    cols = ", ".join(FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    return f"""
    CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN
        INSERT INTO {fts}(rowid, {cols}) VALUES (new.{key}, {new});
    END;
    CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN
        INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{key}, {old});
    END;
    CREATE TRIGGER {table}_fts_au AFTER UPDATE OF {cols} ON {table} BEGIN
        INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.{key}, {old});
        INSERT INTO {fts}(rowid, {cols}) VALUES (new.{key}, {new});
    END;
    """


@migrations(name="m001_initial")
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sites"].create(
        {
            "slug": str, "name": str, "province": str, "province_current": str,
            "domains": str, "scheme": str, "platform": str, "status": str, "spider": str,
            "evidence": str, "updated_at": str,
        },
        pk="slug",
    )
    db["crawl_runs"].create(
        {
            "id": int, "run_key": str, "site": str, "started_at": str, "finished_at": str,
            "status": str, "finish_reason": str, "pages": int, "items": int, "new": int,
            "updated": int, "unchanged": int, "duplicates": int, "rejected": int,
            "errors": int, "args": str, "message": str,
        },
        pk="id",
        not_null={"site", "started_at", "status"},
        defaults={"status": "running", "pages": 0, "items": 0, "new": 0, "updated": 0,
                  "unchanged": 0, "duplicates": 0, "rejected": 0, "errors": 0},
    )
    db["crawl_runs"].create_index(["site", "started_at"])
    db["articles"].create(
        {
            "id": int, "url": str, "canonical_url": str, "site": str, "province": str,
            "province_current": str, "category": str, "title": str, "summary": str,
            "published_at": str, "published_raw": str, "updated_at": str, "author": str,
            "source": str, "body_text": str, "body_html": str, "images": str,
            "attachments": str, "view_count": int, "tags": str, "content_hash": str,
            "fetched_at": str, "extractor": str, "flags": str,
            "first_seen_at": str, "last_seen_at": str, "last_changed_at": str,
            "revision_count": int, "duplicate_of": int, "first_run_id": int,
            "last_run_id": int,
        },
        pk="id",
        not_null={"url", "canonical_url", "site", "content_hash", "fetched_at"},
        foreign_keys=[("duplicate_of", "articles", "id")],
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["site", "published_at"])
    db["articles"].create_index(["published_at"])
    db["revisions"].create(
        {
            "id": int, "article_id": int, "revision": int, "content_hash": str,
            "seen_at": str, "run_id": int, "url": str, "title": str, "summary": str,
            "published_at": str, "published_raw": str, "updated_at": str, "author": str,
            "source": str, "body_text": str, "body_html": str, "images": str,
            "attachments": str, "tags": str, "extractor": str, "flags": str,
        },
        pk="id",
        not_null={"article_id", "revision", "content_hash", "seen_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["revisions"].create_index(["article_id", "revision"], unique=True)
    db["rejections"].create(
        {"id": int, "run_id": int, "site": str, "url": str, "reason": str, "seen_at": str},
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    # Folded copy of the searchable text, keyed by article id; written by storage.Archive.
    # No foreign key: the trigger below removes a folded row with its article.
    db["articles_folded"].create(
        {"id": int, "title": str, "summary": str, "body_text": str}, pk="id"
    )
    db["articles"].enable_fts(FTS_COLUMNS, tokenize=EXACT_TOKENIZER)
    db["articles_folded"].enable_fts(FTS_COLUMNS, tokenize=FOLDED_TOKENIZER)
    db.executescript(_fts_triggers("articles", "articles_fts", "id"))
    db.executescript(_fts_triggers("articles_folded", "articles_folded_fts", "id"))
    db.executescript(
        """
        CREATE TRIGGER articles_folded_gone AFTER DELETE ON articles BEGIN
            DELETE FROM articles_folded WHERE id = old.id;
        END;
        """
    )


@migrations(name="m002_gone_and_cluster")
def m002_gone_and_cluster(db: sqlite_utils.Database) -> None:
    """Columns for removed articles (``gone_at``) and syndication clusters (``cluster_id``)."""
    db["articles"].add_column("gone_at", str)
    db["articles"].add_column("cluster_id", int)
    db["articles"].create_index(["cluster_id"])


@migrations(name="m003_dosts")
def m003_dosts(db: sqlite_utils.Database) -> None:
    """The departments (63 before 1 July 2025, 34 after) with lineage and websites."""
    db["dosts"].create(
        {"slug": str, "name": str, "era": str, "province": str, "province_current": str,
         "successor": str, "predecessors": str, "sites": str, "status": str, "evidence": str,
         "updated_at": str},
        pk="slug",
    )
    db["dosts"].create_index(["era", "province_current"])


@migrations(name="m004_published_year")
def m004_published_year(db: sqlite_utils.Database) -> None:
    """A plain ``published_year`` column, so Datasette can facet and plot by year."""
    db["articles"].add_column("published_year", int)
    db.execute("UPDATE articles SET published_year = CAST(substr(published_at, 1, 4) AS INTEGER)"
               " WHERE published_at IS NOT NULL")
    db["articles"].create_index(["published_year"])


@migrations(name="m005_minhash")
def m005_minhash(db: sqlite_utils.Database) -> None:
    """MinHash signatures and LSH bands of article bodies, for syndication clusters.

    Written by ``storage.Archive`` (core/near.py computes them); bodies too short to
    compare have none. ``article_bands`` is indexed on (band, hash) — with the article id, so
    the candidate lookup of a new article reads the index alone, never the archive. No
    foreign keys: the trigger removes an article's rows with it (like ``articles_folded``).
    An archive made before this migration gets its signatures from ``Archive.recluster()``.
    """
    db["article_minhash"].create({"article_id": int, "signature": bytes}, pk="article_id")
    db["article_bands"].create({"band": int, "hash": int, "article_id": int},
                               not_null={"band", "hash", "article_id"})
    db["article_bands"].create_index(["band", "hash", "article_id"], unique=True)
    db.executescript(
        """
        CREATE TRIGGER articles_minhash_gone AFTER DELETE ON articles BEGIN
            DELETE FROM article_bands WHERE article_id = old.id;
            DELETE FROM article_minhash WHERE article_id = old.id;
        END;
        """
    )


@migrations(name="m006_run_monitors")
def m006_run_monitors(db: sqlite_utils.Database) -> None:
    """Monitor results per run (JSON list) and how many of them failed."""
    db["crawl_runs"].add_column("monitors", str)
    db["crawl_runs"].add_column("alerts", int)


@migrations(name="m007_captures")
def m007_captures(db: sqlite_utils.Database) -> None:
    """Raw captures (WARC records) of the responses a crawl used, and pointers to them.

    One row per WARC record written: the file (relative to the archive's WARC directory),
    the record id and its byte offset/length for direct reads, the payload digest, and for a
    ``revisit`` record the capture that holds the identical payload (``refers_to``).
    ``context`` keeps what the crawl knew besides the page (listing entry, category), so
    ``dost-archive reparse`` can re-run the parser exactly as the crawl did. Articles and
    revisions point at the capture they were extracted from; ``reparsed_at`` marks a
    revision made by re-extraction rather than by a change on the site; ``gone_status`` is
    the HTTP status that set ``gone_at``.
    """
    db["captures"].create(
        {"id": int, "run_id": int, "site": str, "kind": str, "page": str, "url": str,
         "origin_url": str, "status": int, "mime": str, "warc_file": str, "record_id": str,
         "offset": int, "length": int, "payload_digest": str, "refers_to": int,
         "captured_at": str, "context": str},
        pk="id", foreign_keys=[("refers_to", "captures", "id")],
    )
    db["captures"].create_index(["payload_digest"])
    db["captures"].create_index(["origin_url"])
    db["articles"].add_column("capture_id", int)
    db["articles"].add_column("gone_status", int)
    db["revisions"].add_column("capture_id", int)
    db["revisions"].add_column("reparsed_at", str)
    db["crawl_runs"].add_column("gone", int)


# The letters fold() maps that FTS5's ``remove_diacritics 2`` cannot (they are letters, not
# marks): core/fold.py ``_SPECIAL`` as of m008. Frozen with the migration: if
# fold() changes, a new migration rebuilds the index (tests/storage/test_schema.py checks).
M008_LETTERS = (("đ", "d"), ("Đ", "d"), ("ð", "d"), ("Ð", "d"), ("ı", "i"), ("ł", "l"),
                ("Ł", "l"), ("ø", "o"), ("Ø", "o"))


def _tokenizer_folded(expr: str) -> str:
    """SQL that folds ``expr`` for the folded index with built-in functions only: the special
    letters replaced; case and marks are the tokenizer's (``remove_diacritics 2``)."""
    for letter, plain in M008_LETTERS:
        expr = f"replace({expr}, '{letter}', '{plain}')"
    return expr


@migrations(name="m008_folded_view")
def m008_folded_view(db: sqlite_utils.Database) -> None:
    """The folded index reads a view, not a stored copy of the text (a quarter of the file).

    ``articles_folded`` was a table holding every article's title, summary and body folded
    in Python (2.5 KB an article, 26 % of a million-article archive) only to be the external
    content of ``articles_folded_fts``. Folding is lowercase + no marks + đ → d; the index's
    tokenizer (``unicode61 remove_diacritics 2``) already does the first two, so SQL's
    built-in ``replace()`` does the rest: ``articles_folded`` becomes a view, and the
    triggers on ``articles`` feed the index the same expression. No custom SQL function:
    plain sqlite3 / sqlite-utils can still write the archive and keep both indexes right.
    The index's tokens are the same as before (tests/storage/test_schema.py compares them).
    """
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(_tokenizer_folded(f"new.{c}") for c in FTS_COLUMNS)
    old = ", ".join(_tokenizer_folded(f"old.{c}") for c in FTS_COLUMNS)
    view_cols = ", ".join(f"{_tokenizer_folded(c)} AS {c}" for c in FTS_COLUMNS)
    fts = "articles_folded_fts"
    db.executescript(f"""
    DROP TRIGGER IF EXISTS articles_folded_fts_ai;
    DROP TRIGGER IF EXISTS articles_folded_fts_ad;
    DROP TRIGGER IF EXISTS articles_folded_fts_au;
    DROP TRIGGER IF EXISTS articles_folded_gone;
    DROP TABLE IF EXISTS {fts};
    DROP TABLE IF EXISTS articles_folded;
    CREATE VIEW articles_folded AS SELECT id, {view_cols} FROM articles;
    CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='articles_folded',
        content_rowid='id', tokenize='{FOLDED_TOKENIZER}');
    INSERT INTO {fts}({fts}) VALUES ('rebuild');
    CREATE TRIGGER articles_folded_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});
    END;
    CREATE TRIGGER articles_folded_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});
    END;
    CREATE TRIGGER articles_folded_fts_au AFTER UPDATE OF {cols} ON articles BEGIN
        INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});
        INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});
    END;
    """)


@migrations(name="m009_capture_record_index")
def m009_capture_record_index(db: sqlite_utils.Database) -> None:
    """Captures found by their WARC record id: in distributed mode an article names the
    capture a crawler wrote by that id (the crawler cannot know the row's)."""
    db["captures"].create_index(["record_id"])
