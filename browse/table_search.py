"""Folded, bounded search of the articles table in Datasette (the hooks are in
``browse/plugin.py``).

- **Folded search.** The articles table searches ``articles_folded_fts`` (text folded by
  ``core.fold``: lowercase, no marks, đ → d). The plugin's ``asgi_wrapper``
  rewrites the ``_search`` parameters of such a table with
  ``storage.search.prepare_query(q, folded=True)`` before Datasette reads them — exactly what
  ``dost-archive search`` does — so "dong chi", "Đồng chí" and "đồng CHÍ" run the same
  query. It is the documented hook that sees the request first: Datasette's own search
  filter then runs unchanged on the folded term. A term FTS5 would reject (an unclosed NEAR,
  an unknown ``column:``) falls back to Datasette's escaped mode (every word quoted), so a
  search box never produces an error page.
- **Bounded broad search.** More than ``BROAD_AT`` matches: the ``SHOWN`` most recently
  archived are kept in the hit store (``browse/hits.py``) and the page shows those; its next
  pages carry the typed term (``BOUNDED_ARG``) and are resumed as the search itself.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.utils import escape_fts, tilde_decode

from browse.hits import HITS
from core.fold import fold
from storage.archive import Archive
from storage.search import QueryError, prepare_query

FOLDED_FTS = "articles_folded_fts"
SEARCH_SCOPE_KEY = "dost_archive.search"  # the term as typed, for the search box
SEARCH_NOTICE_KEY = "dost_archive.search_notice"  # a broad search was bounded
# More matches than Archive.search ranks by bm25: the table shows a bounded set (below).
BROAD_AT = Archive.RANK_AT_MOST
SHOWN = 1_000
BOUNDED_ARG = "_bounded"  # a bounded search's typed term, kept for its next pages


def _fts5_accepts(expression: str) -> bool:
    """Would FTS5 run this MATCH expression? Checked on an empty in-memory index."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE q USING fts5(title, summary, body_text)")
        conn.execute("SELECT rowid FROM q WHERE q MATCH ?", [expression]).fetchall()
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _is_search_key(key: str) -> bool:
    return key.startswith("_search") and key != "_searchmode"


def fold_search_args(pairs: Sequence[tuple[str, str]], *, raw: bool
                     ) -> tuple[list[tuple[str, str]], str | None]:
    """Query-string pairs with every ``_search*`` value folded for the folded index.

    ``raw``: the table runs FTS5 syntax as typed (``searchmode: raw``), so values go through
    ``prepare_query`` (operators and phrases kept, joined words quoted); if FTS5 would still
    reject one, every value is only folded and ``_searchmode=escaped`` is added. Blank
    search values are dropped (an empty search box means "everything"). Returns the new
    pairs and the ``_search`` value as typed.
    """
    typed = next((v for k, v in pairs if k == "_search" and v.strip()), None)
    values = [v for k, v in pairs if _is_search_key(k) and v.strip()]
    prepared: list[str] | None = None
    if raw:
        try:
            prepared = [prepare_query(v, folded=True) for v in values]
        except QueryError:
            prepared = None
        if prepared is not None and not all(_fts5_accepts(p) for p in prepared):
            prepared = None
    escaped = prepared is None
    folded = iter(prepared if prepared is not None else [_words(fold(v)) for v in values])
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if key == "_searchmode" and escaped and raw:
            continue
        if _is_search_key(key):
            searched = next(folded) if value.strip() else ""
            if searched:  # Datasette would run an empty one as MATCH "": a syntax error
                out.append((key, searched))
            continue
        out.append((key, value))
    if escaped and raw and values:
        out.append(("_searchmode", "escaped"))
    return out, typed


def _words(value: str) -> str:
    """``value`` for Datasette's escaped search. An unbalanced double quote is dropped: its
    escape_fts passes a lone ``"`` on to FTS5, which answers with a syntax error."""
    return (value.replace('"', " ") if value.count('"') % 2 else value).strip()


def folded_table(datasette: Any, path: str) -> tuple[str, str] | None:
    """(database, table) if ``path`` is a table page whose search uses the folded index."""
    parts = path.strip("/").split("/")
    if len(parts) != 2:
        return None
    db_route, table = tilde_decode(parts[0]), tilde_decode(parts[1].split(".", 1)[0])
    for name, db in datasette.databases.items():
        if db.route == db_route:
            meta = datasette.table_metadata(name, table) or {}
            if meta.get("fts_table") == FOLDED_FTS:
                return name, table
    return None


async def bound_broad_search(db: Any, pairs: list[tuple[str, str]], *, raw: bool,
                            typed: str | None = None,
                            ) -> tuple[list[tuple[str, str]], str | None]:
    """A broad search (more than ``BROAD_AT`` matches) as a bounded one.

    Datasette runs ``id IN (every match)`` and then sorts, counts and facets them: for a
    common word at a million articles that is seconds, and past its time limit an error
    page. A broad term's ``SHOWN`` most recently archived matches (one pass down the index)
    are kept in the hit store (``browse/hits.py``) and the page becomes
    ``_where=id IN (those)``, which the table then sorts newest published first as usual;
    the page says so (``search_notice``) and carries the typed term in ``BOUNDED_ARG`` for
    its next pages. A selective term is left alone.
    """
    values = [(k, v) for k, v in pairs if k == "_search"]
    if len(values) != 1 or any(_is_search_key(k) and k != "_search" for k, _ in pairs):
        return pairs, None
    term = values[0][1]
    expression = term if raw else escape_fts(term)

    async def newest(table: str, match: str) -> list[int]:
        """The most recently archived matches, one more than BROAD_AT at most."""
        return [r[0] for r in await db.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?",
            [match, BROAD_AT + 1])]

    try:
        ids: list[int] = []
        if "*" in expression and typed:
            # A short prefix folded ("thắ*" → "tha*") expands to hundreds of terms, each
            # evaluation a quarter of a second at a million articles; as typed it is a few.
            # When the typed prefix alone is broad, its matches are the ones shown.
            ids = await newest("articles_fts", prepare_query(typed, folded=False))
        if len(ids) <= BROAD_AT:
            ids = await newest(FOLDED_FTS, expression)
    except Exception:  # Datasette's own search then reports the bad term
        return pairs, None
    if len(ids) <= BROAD_AT:
        return pairs, None
    shown = ids[:SHOWN]
    key = HITS.key(db.name, expression, typed, len(shown), shown[0])
    await asyncio.to_thread(HITS.put, key, shown)
    bounded = [(k, v) for k, v in pairs if not _is_search_key(k)]
    bounded += [("_where", HITS.condition(key)), (BOUNDED_ARG, typed or term)]
    return bounded, (f"More than {BROAD_AT:,} articles match: shown are the "
                     f"{len(shown):,} most recently archived of them. Add words or filters "
                     "to narrow the search, or run `dost-archive search` (newest first over "
                     "every match).")


def resume_bounded(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A next page of a bounded search as the search itself (``_search`` = the typed term).

    The bounded page's own ``_where`` is dropped and found again, so a page whose ids were
    evicted from the hit store, or outlived the server, still shows them.
    """
    typed = next((v for k, v in pairs if k == BOUNDED_ARG), None)
    if typed is None or any(k == "_search" for k, _ in pairs):
        return [(k, v) for k, v in pairs if k != BOUNDED_ARG]
    kept = [(k, v) for k, v in pairs
            if k != BOUNDED_ARG and not (k == "_where" and HITS.key_of(v))]
    return [*kept, ("_search", typed)]


def searches(scope: Mapping[str, Any]) -> bool:
    """Might this request search a table (cheap: the query string only)?"""
    query = scope.get("query_string", b"")
    return scope.get("type") == "http" and (b"_search" in query
                                            or BOUNDED_ARG.encode() in query)


async def rewrite_scope(datasette: Any, scope: dict[str, Any]) -> dict[str, Any]:
    """The ASGI scope of a search of a folded table, rewritten before Datasette reads it:
    a bounded search's next page resumed, the terms folded, a broad search bounded; the
    typed term and any notice kept in the scope for the page. Other requests unchanged."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
    path = raw_path.partition(b"?")[0].decode("latin-1")
    found = folded_table(datasette, path)
    if not found:
        return scope
    meta = datasette.table_metadata(*found) or {}
    pairs = resume_bounded(parse_qsl(scope["query_string"].decode("latin-1"),
                                     keep_blank_values=True))
    mode = dict(pairs).get("_searchmode") or meta.get("searchmode")
    new_pairs, typed = fold_search_args(pairs, raw=mode == "raw")
    new_pairs, notice = await bound_broad_search(datasette.get_database(found[0]), new_pairs,
                                                 raw=mode == "raw", typed=typed)
    return {**scope, "query_string": urlencode(new_pairs).encode("ascii"),
            SEARCH_SCOPE_KEY: typed, SEARCH_NOTICE_KEY: notice}

