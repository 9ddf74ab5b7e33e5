"""JSON table pages compute their facets only when asked (the hook is in ``browse/plugin.py``).

Why: a table's default facets (``facets:`` in ``storage/metadata.yml``) are one SQL query
each plus Python that builds every value's toggle link; at a million articles that is most
of a JSON search's time (~25 ms waiting on the six facet queries, ~12 ms building 112 links),
and an API client paging through rows reads none of it. Datasette 1.0 makes facet results in
JSON an extra (``?_extra=facet_results``); this does the same on 0.65.

A ``.json`` request of a table whose metadata names default facets gets Datasette's own
``_nofacet=1`` (what its CSV export adds) unless it asks for facets: any ``_facet*``
parameter (``_facet=site``, ``_facet_array=flags``, ``_facet_size=5``), or ``_extra``
naming ``facet_results`` (repeated or comma-separated, as in 1.0). The response keeps its
shape (``facet_results`` is ``{}``); rows, filters, search and pagination are unchanged, and
so is the HTML page, which shows every facet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from datasette.utils import tilde_decode

FACETS_EXTRA = "facet_results"
NOFACET_ARG = "_nofacet"


def asks_for_facets(pairs: Sequence[tuple[str, str]]) -> bool:
    """Does this query string ask for facets: a ``_facet*`` parameter or the extra?"""
    for key, value in pairs:
        if key.startswith("_facet"):
            return True
        if key == "_extra" and FACETS_EXTRA in (v.strip() for v in value.split(",")):
            return True
    return False


def json_table_with_facets(datasette: Any, path: str) -> bool:
    """Is ``path`` the JSON of a table (``/db/table.json``) whose metadata names facets?"""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not parts[1].endswith(".json"):
        return False
    db_route, table = tilde_decode(parts[0]), tilde_decode(parts[1].removesuffix(".json"))
    for name, db in datasette.databases.items():
        if db.route == db_route:
            return bool((datasette.table_metadata(name, table) or {}).get("facets"))
    return False


def facets_on_request(datasette: Any, scope: dict[str, Any]) -> dict[str, Any]:
    """The ASGI scope with ``_nofacet=1`` added when it is a JSON table request that does
    not ask for facets; any other scope unchanged (cheap for them: the path is checked
    first)."""
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8")
    path = raw_path.partition(b"?")[0].decode("latin-1")
    if scope.get("type") != "http" or not path.endswith(".json"):
        return scope
    query = scope.get("query_string", b"")
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    if (asks_for_facets(pairs) or any(k == NOFACET_ARG for k, _ in pairs)
            or not json_table_with_facets(datasette, path)):
        return scope
    added = f"{NOFACET_ARG}=1".encode("ascii")
    return {**scope, "query_string": query + b"&" + added if query else added}
