"""The archive's Datasette plugin, loaded by ``dost-archive serve`` and ``make_datasette``.

- **Folded search.** The articles table searches ``articles_folded_fts`` (text folded by
  ``crawler.normalize.fold``: lowercase, no marks, đ → d). An ``asgi_wrapper`` rewrites the
  ``_search`` parameters of such a table with ``storage.search.prepare_query(q, folded=True)``
  before Datasette reads them — exactly what ``dost-archive search`` does — so "dong chi",
  "Đồng chí" and "đồng CHÍ" run the same query. It is the documented hook that sees the
  request first: Datasette's own search filter then runs unchanged on the folded term. A
  term FTS5 would reject (an unclosed NEAR, an unknown ``column:``) falls back to Datasette's
  escaped mode (every word quoted), so a search box never produces an error page. The typed
  term is put back in the search box by ``extra_template_vars``.
- **Pages** (``storage/templates/pages``): ``/article/{id}``, the safe view of an article,
  and ``/plots``, charts drawn as inline SVG on the server (no script, no CDN).
- **Jinja**: ``sanitize_html`` (nh3 again at render time: the stored HTML is not trusted),
  ``safe_url`` (only http(s) URLs become links), ``sql()``, ``load_article()`` and the SVG
  chart functions for the pages.
- ``render_cell``: an article's title links to its page; so does any ``article_id`` column of
  a query.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import math
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import escape_fts, tilde_decode
from markupsafe import Markup, escape

from crawler.items import FLAGS
from crawler.normalize.fold import fold
from crawler.normalize.html import sanitize_html as _sanitize
from storage.archive import Archive
from storage.datasette_hits import HITS
from storage.search import QueryError, prepare_query

TEMPLATES = Path(__file__).resolve().parent / "templates"
FOLDED_FTS = "articles_folded_fts"
PLUGIN_NAME = "dost_archive"
SEARCH_SCOPE_KEY = "dost_archive.search"  # the term as typed, for the search box
SEARCH_NOTICE_KEY = "dost_archive.search_notice"  # a broad search was bounded
# More matches than Archive.search ranks by bm25: the table shows a bounded set (below).
BROAD_AT = Archive.RANK_AT_MOST
SHOWN = 1_000
BOUNDED_ARG = "_bounded"  # a bounded search's typed term, kept for its next pages
_JSON_COLUMNS = ("images", "attachments", "tags", "flags")
_HTTP_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)


def register() -> None:
    """Register this module with Datasette's plugin manager (once per process)."""
    import sys

    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name=PLUGIN_NAME)


def archive_database(datasette: Any) -> str | None:
    """The name of the archive Datasette serves (its file stem), or None."""
    for name, db in datasette.databases.items():
        if name != "_internal" and not db.is_memory:
            return name
    return None


# -- folded search -----------------------------------------------------------------------
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


def _folded_table(datasette: Any, path: str) -> tuple[str, str] | None:
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


async def _bound_broad_search(db: Any, pairs: list[tuple[str, str]], *, raw: bool,
                              typed: str | None = None,
                              ) -> tuple[list[tuple[str, str]], str | None]:
    """A broad search (more than ``BROAD_AT`` matches) as a bounded one.

    Datasette runs ``id IN (every match)`` and then sorts, counts and facets them: for a
    common word at a million articles that is seconds, and past its time limit an error
    page. A broad term's ``SHOWN`` most recently archived matches (one pass down the index)
    are kept in the hit store (``storage/datasette_hits.py``) and the page becomes
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


def _resume_bounded(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
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


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Any:
        async def folded_search(scope: dict[str, Any], receive: Any, send: Any) -> None:
            query = scope.get("query_string", b"")
            searched = b"_search" in query or BOUNDED_ARG.encode() in query
            if scope.get("type") == "http" and searched:
                raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
                path = raw_path.partition(b"?")[0].decode("latin-1")
                found = _folded_table(datasette, path)
                if found:
                    meta = datasette.table_metadata(*found) or {}
                    pairs = _resume_bounded(parse_qsl(
                        scope["query_string"].decode("latin-1"), keep_blank_values=True))
                    mode = dict(pairs).get("_searchmode") or meta.get("searchmode")
                    new_pairs, typed = fold_search_args(pairs, raw=mode == "raw")
                    new_pairs, notice = await _bound_broad_search(
                        datasette.get_database(found[0]), new_pairs, raw=mode == "raw",
                        typed=typed)
                    scope = {**scope, "query_string": urlencode(new_pairs).encode("ascii"),
                             SEARCH_SCOPE_KEY: typed, SEARCH_NOTICE_KEY: notice}
            await app(scope, receive, send)

        return folded_search

    return wrap


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Every connection reads the hit store of bounded searches (``search_hits``)."""
    HITS.attach(conn)


# -- Jinja: filters and page helpers -----------------------------------------------------
def safe_url(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL (so it may become a link), else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    return url if _HTTP_URL.match(url) else None


def sanitize_filter(html: Any, base_url: Any = None) -> Markup:
    """Archived HTML, sanitized again with nh3 now, whatever the archive holds."""
    if not isinstance(html, str):
        return Markup("")
    return Markup(_sanitize(html, base_url=safe_url(base_url)))


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if not isinstance(value, str) or not value.strip():
        return []
    try:
        decoded = json.loads(value)
    except ValueError:
        return [value]
    return decoded if isinstance(decoded, list) else [decoded]


def _links(value: Any) -> list[dict[str, Any]]:
    """Images or attachments ({url, caption|name}) from a JSON column, whatever its shape."""
    out = []
    for item in _json_list(value):
        entry = dict(item) if isinstance(item, Mapping) else {"url": item}
        url = entry.get("url")
        entry["url"] = url if isinstance(url, str) else json.dumps(url, ensure_ascii=False)
        entry["href"] = safe_url(entry["url"])
        entry["label"] = str(entry.get("name") or entry.get("caption") or "")
        out.append(entry)
    return out


async def load_article(datasette: Any, database: str | None, article_id: Any
                       ) -> dict[str, Any] | None:
    """An article with its JSON columns decoded, its cluster, duplicates and copies."""
    if database is None:
        return None
    try:
        aid = int(str(article_id))
    except ValueError:
        return None
    db = datasette.get_database(database)
    row = (await db.execute("select * from articles where id = ?", [aid])).first()
    if row is None:
        return None
    article = dict(row)
    for key in _JSON_COLUMNS:
        article[key] = _json_list(article.get(key))
    article["images"] = _links(article["images"])
    article["attachments"] = _links(article["attachments"])
    article["flags"] = [{"name": str(f), "meaning": FLAGS.get(str(f), "")}
                        for f in article["flags"]]
    article["href"] = safe_url(article.get("url"))
    brief = "select id, site, title, published_at from articles"
    article["cluster"] = []
    if article.get("cluster_id") is not None:
        article["cluster"] = [dict(r) for r in (await db.execute(
            f"{brief} where cluster_id = ? and id != ? order by published_at, id",
            [article["cluster_id"], aid])).rows]
    article["original"] = None
    if article.get("duplicate_of") is not None:
        first = (await db.execute(f"{brief} where id = ?", [article["duplicate_of"]])).first()
        article["original"] = dict(first) if first else None
    article["copies"] = [dict(r) for r in (await db.execute(
        f"{brief} where duplicate_of = ? order by id", [aid])).rows]
    return article


def paragraphs(text: Any) -> list[str]:
    """Plain text split at blank lines (for articles without HTML)."""
    if not isinstance(text, str):
        return []
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _inline_script_hashes(datasette: Any) -> list[str]:
    """CSP hashes of the inline script every Datasette page carries (the menu closer)."""
    source, _, _ = datasette.jinja_env.loader.get_source(datasette.jinja_env,
                                                         "_close_open_menus.html")
    scripts = re.findall(r"<script>(.*?)</script>", source, re.DOTALL)
    return ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
            for s in scripts]


def article_csp(datasette: Any) -> str:
    """Content-Security-Policy of the article page: a second wall behind the sanitizer.

    No inline script runs but Datasette's own (allowed by hash), no event handler, no
    ``javascript:`` URL, no frame or plugin; images may come from the original sites.
    """
    scripts = " ".join(["'self'", *_inline_script_hashes(datasette)])
    return ("default-src 'none'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: http: https:; "
            "connect-src 'self'; font-src 'self'; frame-src 'none'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    env.filters["sanitize_html"] = sanitize_filter
    env.filters["safe_url"] = safe_url


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None,
                        view_name: str, request: Any, datasette: Any) -> Any:
    name = archive_database(datasette)
    if view_name not in ("page", "index"):
        extra: dict[str, Any] = {"archive_db": name}
        if request is not None and request.scope.get(SEARCH_SCOPE_KEY):
            extra["search"] = request.scope[SEARCH_SCOPE_KEY]  # as typed, not folded
            extra["search_notice"] = request.scope.get(SEARCH_NOTICE_KEY)
        return extra

    async def sql(query: str, params: Mapping[str, Any] | Sequence[Any] | None = None
                  ) -> list[dict[str, Any]]:
        if name is None:
            return []
        results = await datasette.get_database(name).execute(query, params or {})
        return [dict(r) for r in results.rows]

    async def article(article_id: Any) -> dict[str, Any] | None:
        return await load_article(datasette, name, article_id)

    async def canned_queries() -> list[dict[str, Any]]:
        if name is None:
            return []
        queries = await datasette.get_canned_queries(name, None)
        return [{"name": k, "title": q.get("title") or k} for k, q in queries.items()]

    return {
        "archive_db": name,
        "sql": sql,
        "load_article": article,
        "canned_queries": canned_queries,
        "paragraphs": paragraphs,
        "article_csp": lambda: article_csp(datasette),
        "month_heatmap_svg": month_heatmap_svg,
        "runs_per_day_svg": runs_per_day_svg,
        "run_bars_svg": run_bars_svg,
    }


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | None:
    """Article titles (and query columns named ``article_id``) link to /article/{id}."""
    if table == "articles" and column == "title" and database == archive_database(datasette):
        try:
            article_id = int(row["id"])
        except (KeyError, IndexError, TypeError, ValueError):
            return None
        label = value if isinstance(value, str) and value.strip() else "(no title)"
    elif table is None and column == "article_id" and isinstance(value, int):
        article_id, label = value, str(value)
    else:
        return None
    href = datasette.urls.path(f"/article/{article_id}")
    return Markup(f'<a href="{escape(href)}">{escape(label)}</a>')


# -- charts (inline SVG, drawn here so pages need no script) -----------------------------
WIDTH = 1200
STATUS_COLORS = {"ok": "#2f9e44", "degraded": "#fab005", "errors": "#f08c00",
                 "failed": "#e03131", "interrupted": "#c2255c", "running": "#868e96"}
OTHER_COLOR = "#7048e8"
FONT = 'font-family="Helvetica Neue, Helvetica, DejaVu Sans, sans-serif"'


def _ticks(top: float, count: int = 5) -> list[int]:
    """Round tick values from 0 to at least ``top`` (1, 2 or 5 × 10^k apart)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _days(first: str, last: str) -> list[str]:
    from datetime import date, timedelta

    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def _blue(t: float) -> str:
    """A colour from light to dark blue for 0 < t <= 1."""
    light, dark = (208, 228, 245), (8, 48, 107)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(light, dark, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(width: float, height: float, label: str, body: Iterable[str], **data: Any) -> Markup:
    attrs = "".join(f' data-{k.replace("_", "-")}="{escape(v)}"' for k, v in data.items())
    return Markup(
        f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width:{width:.0f}px" aria-label="{escape(label)}"{attrs} {FONT}>'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _empty(label: str, message: str) -> Markup:
    return _svg(WIDTH, 60, label, [
        f'<text x="10" y="35" font-size="16" fill="#555">{escape(message)}</text>'], total=0)


def month_heatmap_svg(rows: Sequence[Mapping[str, Any]], *, row_key: str = "province",
                      month_key: str = "month", value_key: str = "articles",
                      label: str = "Articles per month, by province") -> Markup:
    """A heat map: one row per province, one column per month (gaps kept), total at right."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        month = str(r[month_key] or "")[:7]
        if not re.match(r"^\d{4}-\d{2}$", month):
            continue
        key = (str(r[row_key] or "(no province)"), month)
        counts[key] = counts.get(key, 0) + int(r[value_key] or 0)
    if not counts:
        return _empty(label, "No dated articles yet.")
    months = _months(min(m for _, m in counts), max(m for _, m in counts))
    totals: dict[str, int] = {}
    for (name, _), n in counts.items():
        totals[name] = totals.get(name, 0) + n
    names = sorted(totals, key=lambda n: (n.startswith("("), fold(n)))
    top = max(counts.values())
    left, right, head, cell_h = 190, 70, 34, 24
    cell_w = max(3.0, min(32.0, (WIDTH - left - right) / len(months)))
    plot_w = cell_w * len(months)
    width = left + plot_w + right
    height = head + cell_h * len(names) + 64
    out = []
    for i, month in enumerate(months):  # year labels and year boundaries
        if month.endswith("-01") or i == 0:
            x = left + i * cell_w
            out.append(f'<line x1="{x:.1f}" y1="{head - 14}" x2="{x:.1f}" '
                       f'y2="{head + cell_h * len(names)}" stroke="#adb5bd" stroke-width="1"/>')
            # The first, partial year is labelled only if its label fits before the next.
            room = (13 - int(month[5:7])) * cell_w
            if month.endswith("-01") or room >= 46 or i + 12 >= len(months):
                out.append(f'<text x="{x + 3:.1f}" y="{head - 4}" font-size="13" '
                           f'fill="#333">{month[:4]}</text>')
    for j, name in enumerate(names):
        y = head + j * cell_h
        out.append(f'<text x="{left - 8}" y="{y + cell_h * 0.68:.1f}" font-size="14" '
                   f'text-anchor="end" fill="#222">{escape(name)}</text>')
        for i, month in enumerate(months):
            n = counts.get((name, month), 0)
            fill = _blue(math.sqrt(n / top)) if n else "#f1f3f5"
            out.append(
                f'<rect class="cell" x="{left + i * cell_w:.2f}" y="{y + 1}" '
                f'width="{max(cell_w - 1, 1):.2f}" height="{cell_h - 2}" fill="{fill}" '
                f'data-row="{escape(name)}" data-month="{month}" data-count="{n}">'
                f"<title>{escape(name)} · {month}: {n} article{'s' if n != 1 else ''}</title>"
                "</rect>")
        out.append(f'<text x="{left + plot_w + 8:.1f}" y="{y + cell_h * 0.68:.1f}" '
                   f'font-size="13" fill="#333" class="total">{totals[name]}</text>')
    out.append(f'<text x="{left + plot_w + 8:.1f}" y="{head - 4}" font-size="12" '
               'fill="#666">total</text>')
    legend_y = head + cell_h * len(names) + 22
    out.append(f'<text x="{left}" y="{legend_y + 13}" font-size="13" fill="#333">'
               'articles in a month:</text>')
    steps = sorted({1, max(1, round(top / 4)), max(1, round(top / 2)), top})
    for k, n in enumerate(steps):
        x = left + 150 + k * 70
        out.append(f'<rect x="{x}" y="{legend_y}" width="18" height="18" '
                   f'fill="{_blue(math.sqrt(n / top))}"/>')
        out.append(f'<text x="{x + 24}" y="{legend_y + 14}" font-size="13" '
                   f'fill="#333">{n}</text>')
    x = left + 150 + len(steps) * 70
    out.append(f'<rect x="{x}" y="{legend_y}" width="18" height="18" fill="#f1f3f5" '
               'stroke="#dee2e6"/>')
    out.append(f'<text x="{x + 24}" y="{legend_y + 14}" font-size="13" fill="#333">none</text>')
    return _svg(width, height, label, out, total=sum(counts.values()), rows=len(names),
                months=len(months))


def _y_axis(out: list[str], left: float, top: float, plot_w: float, plot_h: float,
            ticks: list[int], title: str) -> None:
    for t in ticks:
        y = top + plot_h - plot_h * t / ticks[-1]
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" '
                   f'stroke="{"#868e96" if t == 0 else "#e9ecef"}" stroke-width="1"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="13" text-anchor="end" '
                   f'fill="#333">{t}</text>')
    out.append(f'<text x="{left - 48}" y="{top + plot_h / 2:.1f}" font-size="13" fill="#333" '
               f'text-anchor="middle" transform="rotate(-90 {left - 48} '
               f'{top + plot_h / 2:.1f})">{escape(title)}</text>')


def _legend(out: list[str], x: float, y: float, items: Sequence[tuple[str, str]],
            marks: Sequence[tuple[str, str]] = ()) -> None:
    """Colour swatches, then triangle marks, left to right from (x, y)."""
    for label, color in items:
        out.append(f'<rect x="{x:.1f}" y="{y - 12}" width="14" height="14" fill="{color}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{y}" font-size="13" fill="#333">'
                   f"{escape(label)}</text>")
        x += 34 + 8 * len(label)
    for label, color in marks:
        out.append(f'<path d="M{x:.1f} {y + 1} l7 -13 l7 13 z" fill="{color}"/>')
        out.append(f'<text x="{x + 20:.1f}" y="{y}" font-size="13" fill="#333">'
                   f"{escape(label)}</text>")
        x += 34 + 8 * len(label)


def runs_per_day_svg(rows: Sequence[Mapping[str, Any]], *,
                     label: str = "Crawl runs per day, by status") -> Markup:
    """Stacked bars: crawl runs (one per site per crawl) each day, coloured by status."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        day = str(r["day"] or "")
        if re.match(r"^\d{4}-\d{2}-\d{2}$", day):
            key = (day, str(r["status"]))
            counts[key] = counts.get(key, 0) + int(r["runs"] or 0)
    if not counts:
        return _empty(label, "No crawl runs yet.")
    days = _days(min(d for d, _ in counts), max(d for d, _ in counts))
    statuses = [s for s in STATUS_COLORS if any(k[1] == s for k in counts)]
    statuses += sorted({s for _, s in counts} - set(statuses))
    per_day = {d: sum(n for (day, _), n in counts.items() if day == d) for d in days}
    ticks = _ticks(max(per_day.values()))
    left, top, plot_h, bottom = 70, 36, 200, 40
    plot_w = WIDTH - left - 20
    slot = plot_w / len(days)
    bar = min(48.0, slot * 0.8)
    out: list[str] = []
    _y_axis(out, left, top, plot_w, plot_h, ticks, "runs")
    every = max(1, math.ceil(len(days) / 16))
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for status in statuses:
            n = counts.get((day, status), 0)
            if not n:
                continue
            h = plot_h * n / ticks[-1]
            y -= h
            color = STATUS_COLORS.get(status, OTHER_COLOR)
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}" fill="{color}" data-day="{day}" '
                       f'data-status="{escape(status)}" data-count="{n}">'
                       f"<title>{day}: {n} {escape(status)} run{'s' if n != 1 else ''}"
                       "</title></rect>")
        if i % every == 0 or i == len(days) - 1:
            text = day if i == 0 or day[5:] == "01-01" else day[5:]
            out.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{top + plot_h + 20}" '
                       f'font-size="13" text-anchor="middle" fill="#333">{text}</text>')
    _legend(out, left, 20, [(s, STATUS_COLORS.get(s, OTHER_COLOR)) for s in statuses])
    return _svg(WIDTH, top + plot_h + bottom, label, out,
                total=sum(counts.values()), days=len(days))


def run_bars_svg(rows: Sequence[Mapping[str, Any]], *,
                 label: str = "New and updated articles per crawl run") -> Markup:
    """One bar per run (oldest left): new articles, updated ones stacked on top.

    Runs that did not end ok or had errors get a red mark under their bar.
    """
    runs = [dict(r) for r in rows]
    if not runs:
        return _empty(label, "No crawl runs yet.")
    ticks = _ticks(max(int(r["new"] or 0) + int(r["updated"] or 0) for r in runs) or 1)
    left, top, plot_h, bottom = 70, 58, 200, 120
    plot_w = WIDTH - left - 20
    slot = plot_w / len(runs)
    bar = min(48.0, slot * 0.75)
    out: list[str] = []
    _y_axis(out, left, top, plot_w, plot_h, ticks, "articles")
    for i, run in enumerate(runs):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        new, updated = int(run["new"] or 0), int(run["updated"] or 0)
        started = str(run["started_at"] or "")
        title = (f"run {run['id']} · {run['site']} · {started[:16].replace('T', ' ')} UTC · "
                 f"{run['status']}: {new} new, {updated} updated, {run['errors'] or 0} errors")
        for n, color, kind in ((new, "#1c7ed6", "new"), (updated, "#74c0fc", "updated")):
            if not n:
                continue
            h = plot_h * n / ticks[-1]
            y -= h
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}" fill="{color}" data-run="{run["id"]}" '
                       f'data-kind="{kind}" data-count="{n}"><title>{escape(title)}</title>'
                       "</rect>")
        cx = left + (i + 0.5) * slot
        if run["status"] != "ok" or (run["errors"] or 0) > 0:
            out.append(f'<path class="problem" d="M{cx - 6:.1f} {top + plot_h + 15} '
                       f'l6 -11 l6 11 z" fill="#e03131"><title>{escape(title)}</title></path>')
        if started[:10] != str(runs[i - 1]["started_at"] or "")[:10] or i == 0:
            out.append(f'<line x1="{left + i * slot:.1f}" y1="{top - 18}" '
                       f'x2="{left + i * slot:.1f}" y2="{top + plot_h + 4}" stroke="#adb5bd" '
                       f'stroke-dasharray="3 3"/><text x="{left + i * slot + 4:.1f}" '
                       f'y="{top - 6}" font-size="12" fill="#555">{escape(started[:10])}</text>')
        site = str(run["site"])
        site = site if len(site) <= 16 else site[:15] + "…"
        out.append(f'<text x="{cx + 4:.1f}" y="{top + plot_h + 24}" font-size="12" fill="#333" '
                   f'text-anchor="end" transform="rotate(-50 {cx + 4:.1f} {top + plot_h + 24})">'
                   f"{escape(site)}</text>")
    _legend(out, left, 20, [("new", "#1c7ed6"), ("updated", "#74c0fc")],
            [("run not ok or with errors", "#e03131")])
    return _svg(WIDTH, top + plot_h + bottom, label, out, runs=len(runs),
                total=sum(int(r["new"] or 0) for r in runs))
