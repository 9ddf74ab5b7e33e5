"""Canonical URLs: one identity per article, whatever scheme, alias domain or tracking junk.

The canonical URL is the archive's primary key for an article. It must not change when a
site is reached over http instead of https, under an old domain that now redirects, with a
``utm_*`` tag, or with a session id in the URL (ASP.NET cookieless sessions, JSESSIONID).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that never select content: campaign tags, click ids, session ids.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
        "fbclid", "gclid", "dclid", "msclkid", "zarsrc", "gidzl", "_gl", "mc_cid", "mc_eid",
        "jsessionid", "phpsessid", "aspsessionid", "sessionid", "sid", "session_id",
    }
)

# Session ids carried in the path: ";jsessionid=…" and ASP.NET "/(S(abc123))/".
_PATH_SESSION = re.compile(r";jsessionid=[^/?#]*|/\(S\([A-Za-z0-9]+\)\)(?=/)", re.IGNORECASE)


def canonical_url(
    url: str,
    *,
    aliases: Mapping[str, str] | None = None,
    scheme: str = "https",
) -> str:
    """Return the identity form of ``url``.

    ``aliases`` maps alternative host names of one site (old domain, bare vs ``www``) to its
    primary host; ``scheme`` is the scheme every URL of the site is keyed under (``https``
    unless the site only ever served plain http). Fragments and tracking/session
    parameters are dropped; the query is sorted and percent-encoding normalised by w3lib, so
    ``Lists/%c4%90i%E1%BB%83m`` and ``Lists/Điểm`` give the same key.
    """
    url = url.strip()
    if not url:
        raise ValueError("empty URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    if aliases:
        host = aliases.get(host, host)
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    rebuilt = urlunsplit((scheme, netloc, path, parts.query, ""))
    cleaned = url_query_cleaner(
        rebuilt, parameterlist=_present_tracking(parts.query), remove=True, keep_fragments=False
    )
    return canonicalize_url(cleaned, keep_fragments=False)


def _present_tracking(query: str) -> list[str]:
    """The query keys to drop, matched case-insensitively (``JSESSIONID`` and ``jsessionid``)."""
    keys = {pair.split("=", 1)[0] for pair in query.split("&") if pair}
    return [k for k in keys if k.lower() in TRACKING_PARAMS or k.lower().startswith("utm_")]


def host_of(url: str) -> str:
    """Lower-cased host name of ``url`` (empty string if none)."""
    return (urlsplit(url).hostname or "").lower()
