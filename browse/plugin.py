"""The archive's Datasette plugin, loaded by ``dost-archive serve`` and ``make_datasette``:
the Datasette hooks only; what they call lives beside them in ``browse/``.

- **Search** (``table_search``): an ``asgi_wrapper`` folds the search of the articles table
  and bounds a broad one before Datasette reads the request; the typed term is put back in
  the search box by ``extra_template_vars``, and every connection attaches the hit store of
  bounded searches (``hits``, as ``search_hits``) in ``prepare_connection``.
- **JSON facets on request** (``json_facets``): the same ``asgi_wrapper`` turns a table's
  default facets off in its JSON unless the request asks for them (``_facet=…`` or
  ``_extra=facet_results``, as in Datasette 1.0); the HTML page shows them all.
- **Pages** (``browse/templates/pages``, data from ``pages``): ``/article/{id}``, the safe
  view of an article, and ``/plots``, charts drawn as inline SVG on the server (``charts``).
- **Jinja**: ``sanitize_html`` (nh3 again at render time: the stored HTML is not trusted),
  ``safe_url`` (only http(s) URLs become links), ``sql()``, ``load_article()`` and the SVG
  chart functions for the pages.
- ``render_cell``: an article's title links to its page; so does any ``article_id`` column of
  a query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from browse.charts import month_heatmap_svg, run_bars_svg, runs_per_day_svg
from browse.hits import HITS
from browse.json_facets import facets_on_request
from browse.pages import (
    archive_database,
    article_csp,
    load_article,
    paragraphs,
    safe_url,
    sanitize_filter,
)
from browse.table_search import SEARCH_NOTICE_KEY, SEARCH_SCOPE_KEY, rewrite_scope, searches

TEMPLATES = Path(__file__).resolve().parent / "templates"
PLUGIN_NAME = "dost_archive"


def register() -> None:
    """Register this module with Datasette's plugin manager (once per process)."""
    import sys

    from datasette.plugins import pm

    module = sys.modules[__name__]
    if not pm.is_registered(module):
        pm.register(module, name=PLUGIN_NAME)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    def wrap(app: Any) -> Any:
        async def rewritten(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if searches(scope):
                scope = await rewrite_scope(datasette, scope)
            await app(facets_on_request(datasette, scope), receive, send)

        return rewritten

    return wrap


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Every connection reads the hit store of bounded searches (``search_hits``)."""
    HITS.attach(conn)


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

