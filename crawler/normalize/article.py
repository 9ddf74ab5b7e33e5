"""RawArticle → Article: the one place where raw page fields become archive fields.

The normalize pipeline and ``dost-archive parse`` both call ``build_article``
(crawler/articles.py, which looks the site up in the registry) so that a saved page and a
crawled page give the same record. ``normalize_article`` takes the site entry as an argument:
normalize/ reads no registry (tests/test_layers.py).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urljoin

from core.article import Article
from core.html import sanitize_html
from core.urls import canonical_url
from crawler.items import RawArticle
from crawler.normalize.body import clean_body
from crawler.normalize.boilerplate import extract_view_count
from crawler.normalize.bylines import clean_author
from crawler.normalize.dates import VN_TZ, ParsedDate, parse_date
from crawler.normalize.paragraphs import clean_inline, html_to_paragraphs, nfc


class SiteFacts(Protocol):
    """What normalizing needs of a registry entry (crawler.registry.Site is one)."""

    @property
    def province(self) -> str: ...

    @property
    def province_current(self) -> str: ...

    def canonical_url(self, url: str) -> str: ...


# The fields whose change makes a new revision. View counts and fetch times do not.
HASHED_FIELDS = ("title", "summary", "published_at", "author", "source", "body_text")


def content_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the article's content fields, stable across runs and machines."""
    payload = json.dumps({k: fields.get(k) for k in HASHED_FIELDS}, ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def now_vn() -> str:
    return datetime.now(VN_TZ).isoformat(timespec="seconds")


def _opt(text: str | None) -> str | None:
    cleaned = clean_inline(text) if text else ""
    return cleaned or None


def published_date(raw: RawArticle, reference: datetime | None = None) -> ParsedDate:
    """The publish date as it is stored: ``published_raw`` read with its context (the
    listing's date for a year-less string, the year hint, the fetch time ``reference``, by
    default ``fetched_at``). The spider's --since check and ``build_article`` both read it
    here, so the filter and the stored date cannot disagree: with --since, the check and
    ``build_article`` share one parse (the cache holds the last few, as the fetch time
    ``reference`` differs per page)."""
    if reference is None and raw.fetched_at:
        reference = datetime.fromisoformat(raw.fetched_at)
    return _published(raw.published_raw, raw.date_context, raw.year_hint, reference)


@lru_cache(maxsize=64)
def _published(text: str | None, context: str | None, year_hint: int | None,
               reference: datetime | None) -> ParsedDate:
    """``published_date`` for the plain values (cached: ParsedDate is immutable)."""
    return parse_date(text, context_date=_context_date(context, year_hint),
                      context_year=year_hint, reference=reference)


def _context_date(context: str | None, year_hint: int | None) -> date | None:
    if not context:
        return None
    parsed = parse_date(context, context_year=year_hint)
    return parsed.value.date() if parsed.value else None


def _links(items: list[dict[str, Any]], base: str, text_key: str) -> list[dict[str, Any]]:
    """Absolute URLs, cleaned captions/names, first occurrence of each URL only."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        href = (item.get("url") or "").strip()
        if not href or href.startswith(("data:", "javascript:")):
            continue
        absolute = urljoin(base, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        entry = {**item, "url": absolute}
        entry[text_key] = _opt(item.get(text_key))
        out.append(entry)
    return out


def _to_int(value: str | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    digits = re.sub(r"[^\d]", "", value)
    return int(digits) if digits else None


def normalize_article(raw: RawArticle, site: SiteFacts | None) -> Article:
    """Normalize ``raw`` of registry entry ``site`` (None: a site the registry does not
    know); the Article's own validation adds flags for what is missing."""
    canonical = site.canonical_url(raw.url) if site else canonical_url(raw.url)
    fetched_at = raw.fetched_at or now_vn()
    reference = datetime.fromisoformat(fetched_at)
    flags = list(raw.flags)
    if site is None:
        flags.append("no_province")

    title = _opt(raw.title)
    body = clean_body(html_to_paragraphs(raw.body_html or ""), title=title, cleaned=True)
    published = published_date(raw, reference)
    if published.flag:
        flags.append(published.flag)
    updated = parse_date(raw.updated_raw, context_year=raw.year_hint, reference=reference)
    view_count = _to_int(raw.view_count) if raw.view_count else None
    if view_count is None and raw.view_count:
        view_count = extract_view_count(raw.view_count)

    fields: dict[str, Any] = {
        "url": raw.url,
        "canonical_url": canonical,
        "site": raw.site,
        "province": (site.province or None) if site else None,
        "province_current": (site.province_current or None) if site else None,
        "category": _opt(raw.category),
        "title": title,
        "summary": _opt(raw.summary),
        "published_at": published.isoformat(),
        # Kept as the page had it (NFC only), so any reading of it can be re-checked.
        "published_raw": nfc(raw.published_raw).strip() or None if raw.published_raw else None,
        "updated_at": updated.isoformat(),
        "author": clean_author(_opt(raw.author)) or body.author,
        "source": _opt(raw.source) or body.source,
        "body_text": body.text,
        "body_html": sanitize_html(raw.body_html, base_url=raw.url),
        "images": _links(raw.images, raw.url, "caption"),
        "attachments": _links(raw.attachments, raw.url, "name"),
        "view_count": view_count if view_count is not None else body.view_count,
        "tags": list(dict.fromkeys(t for t in (_opt(t) for t in raw.tags) if t)),
        "fetched_at": fetched_at,
        "extractor": raw.extractor,
        "flags": flags,
    }
    fields["content_hash"] = content_hash(fields)
    return Article(**fields)


def __getattr__(name: str) -> Any:
    """``build_article`` moved to crawler/articles.py (it reads the registry); the old import
    path keeps working, lazily, so importing this module reads no registry."""
    if name == "build_article":
        from crawler.articles import build_article

        return build_article
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
