"""What the project's pages (``browse/templates/pages``) and table views read: an article
with its cluster, duplicates and copies (``/article/{id}``), the safe URL and HTML filters
(the stored HTML is not trusted: nh3 again at render time), plain-text paragraphs and the
article page's Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from core.article import FLAGS
from core.html import sanitize_html as _sanitize

_JSON_COLUMNS = ("images", "attachments", "tags", "flags")
_HTTP_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)


def archive_database(datasette: Any) -> str | None:
    """The name of the archive Datasette serves (its file stem), or None."""
    for name, db in datasette.databases.items():
        if name != "_internal" and not db.is_memory:
            return name
    return None


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
