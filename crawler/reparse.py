"""``dost-archive reparse``: re-extract archived articles from their raw captures, offline.

Each article points at the capture (WARC record) it was last extracted from. Reparse reads
that record's payload, rebuilds the response under the article's own URL, and calls the
same spider callback with the same arguments (listing entry, category) the crawl used —
they are stored with the capture — then normalizes as a crawl does. A result whose content
differs becomes a new revision marked ``reparsed_at``; an unchanged one changes nothing. So
an improved parser upgrades the whole archive without touching the network, and the old
reading stays in ``revisions``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse

from crawler.articles import build_article
from crawler.items import RawArticle
from crawler.normalize.dates import VN_TZ
from crawler.platforms.base import ArchiveSpider, ListingEntry
from crawler.plumbing.decoding import decode_truly
from crawler.plumbing.warc import CaptureMissing, read_capture, warc_dir_for
from storage import Archive


@dataclass
class ReparseSummary:
    """What a reparse did; ``problems`` holds one line per article it could not redo."""

    articles: int = 0
    changed: int = 0
    unchanged: int = 0
    no_capture: int = 0
    failed: int = 0
    changed_urls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _spider_for(site: str, origin_url: str, cache: dict[str, ArchiveSpider]) -> ArchiveSpider:
    """A spider instance for ``site``, not attached to any crawl (no network, no crawler)."""
    if site not in cache:
        from crawler.parsing import ParseError, spider_class
        from crawler.registry import load_registry
        from spiders.generic import GenericSiteSpider

        try:
            cache[site] = spider_class(site)()
        except ParseError:
            if site in load_registry():
                cache[site] = GenericSiteSpider(site=site)
            else:
                parts = urlsplit(origin_url)
                cache[site] = GenericSiteSpider(start_url=f"{parts.scheme}://{parts.netloc}/")
    return cache[site]


def _arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Callback arguments as the crawl passed them (listing entries rebuilt)."""
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        if isinstance(value, dict) and value.get("__type__") == "ListingEntry":
            out[key] = ListingEntry(**{k: v for k, v in value.items() if k != "__type__"})
        else:
            out[key] = value
    return out


def _raw_articles(result: Any) -> list[RawArticle]:
    if result is None:
        return []
    if isinstance(result, RawArticle):
        return [result]
    if isinstance(result, Iterable) and not isinstance(result, str | bytes | dict):
        return [r for r in result if isinstance(r, RawArticle)]
    return []


def reextract(spider: ArchiveSpider, capture: dict[str, Any], headers: Any,
              body: bytes) -> RawArticle | None:
    """The RawArticle the crawl's callback gives for this payload today."""
    content_type = headers.get_header("Content-Type") if headers is not None else None
    # Decoded as the crawl decoded it (crawler.middlewares.TrueEncodingMiddleware).
    response = decode_truly(HtmlResponse(
        url=capture["origin_url"], body=body,
        headers={"Content-Type": content_type} if content_type else {}))
    context = capture["context"] or {}
    callback = getattr(spider, context.get("callback") or "parse_article_page", None)
    if callback is None:
        raise ValueError(f"{type(spider).__name__} has no callback {context.get('callback')!r}")
    kwargs = _arguments(context.get("kwargs") or {})
    if callback.__name__ == "parse_article_page" and "entry" not in kwargs:
        kwargs.update(entry=ListingEntry(url=capture["origin_url"]), category=None)
    found = _raw_articles(callback(response, **kwargs))
    return found[0] if found else None


def reparse(db: str | Path, *, site: str | None = None, warc_dir: str | Path | None = None,
            progress: Callable[[int, int], None] | None = None) -> ReparseSummary:
    """Re-extract the archived articles (of ``site``) from their captures; see the module."""
    directory = Path(warc_dir) if warc_dir else warc_dir_for(db)
    summary = ReparseSummary()
    spiders: dict[str, ArchiveSpider] = {}
    with Archive(db, create=False) as archive:
        rows = list(archive.captured_articles(site))
        for done, row in enumerate(rows, start=1):
            summary.articles += 1
            if progress:
                progress(done, len(rows))
            if row["capture_id"] is None:
                summary.no_capture += 1
                continue
            capture = archive.capture(row["capture_id"])
            try:
                if capture is None:
                    raise CaptureMissing(f"capture {row['capture_id']} is not in the archive")
                payload = capture if capture["kind"] == "response" else archive.capture(
                    capture["refers_to"])
                if payload is None:
                    raise CaptureMissing(f"revisit {capture['id']} refers to nothing")
                headers, body = read_capture(directory, payload)
                spider = _spider_for(row["site"], capture["origin_url"], spiders)
                raw = reextract(spider, capture, headers, body)
                if raw is None:
                    raise ValueError("the parser no longer finds an article on this page")
                raw.fetched_at = datetime.fromisoformat(capture["captured_at"]).astimezone(
                    VN_TZ).isoformat(timespec="seconds")
                article = build_article(raw)
                if article.canonical_url != row["canonical_url"]:
                    raise ValueError(f"the page now reads as {article.canonical_url}")
            except (CaptureMissing, ValueError, OSError) as exc:
                summary.failed += 1
                summary.problems.append(f"{row['canonical_url']}: {exc}")
                continue
            result = archive.upsert_article(article, capture_id=row["capture_id"],
                                            reparsed=True)
            if result.status == "unchanged":
                summary.unchanged += 1
            else:
                summary.changed += 1
                summary.changed_urls.append(row["canonical_url"])
    return summary
