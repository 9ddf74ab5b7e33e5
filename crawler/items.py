"""Items: what a spider pulls from a page (``RawArticle``) and what the archive keeps (``Article``,
now in core.article).

Spiders fill ``RawArticle`` with strings exactly as the page shows them. The normalize
pipeline turns it into an ``Article``, whose construction validates it: whatever is missing
or impossible becomes a flag, and the article is kept (DESIGN.md: flags instead of drops).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The article model moved to core.article (issue 17); these names stay importable here.
from core.article import (
    EXTRACTORS,
    FALLBACK_FLAGS,
    FLAGS,
    FUTURE_TOLERANCE,
    SHORT_BODY_CHARS,
    Article,
)

__all__ = [
    "EXTRACTORS", "FALLBACK_FLAGS", "FLAGS", "FUTURE_TOLERANCE", "SHORT_BODY_CHARS", "Article",
    "CaptureRecord", "GoneArticle", "RawArticle",
]


@dataclass
class RawArticle:
    """Raw fields of one article page, as the spider saw them (no cleaning)."""

    url: str
    site: str
    title: str | None = None
    summary: str | None = None
    published_raw: str | None = None
    updated_raw: str | None = None
    author: str | None = None
    source: str | None = None
    body_html: str | None = None
    category: str | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    view_count: str | None = None
    tags: list[str] = field(default_factory=list)
    fetched_at: str | None = None
    extractor: str = "site"
    # Explicit context for year-less dates ("Chiều 15-1"): a listing date or a year from the URL.
    date_context: str | None = None
    year_hint: int | None = None
    flags: list[str] = field(default_factory=list)
    # Which markup variant of the site's CMS the page was read with ("generic" for the
    # generic extractor); for logs and check-live, not stored.
    variant: str | None = None
    # The raw capture (``captures`` row, a WARC record) this page was read from; set by
    # crawler.warc.CaptureLinkMiddleware during a crawl, or by reparse.
    capture_id: int | None = None
    # Set when the page is not an article at all (a PDF where an article page should be):
    # the normalize pipeline records it as a rejection with this reason.
    rejected: str | None = None


@dataclass
class CaptureRecord:
    """A response a distributed crawler wrote to its own WARC file (crawler/plumbing/warc.py
    ``WorkerWarcRecorder``): crosses Redis ahead of the response's items, and the archive
    writer indexes it in ``captures``. Articles name it by ``record_id``."""

    url: str
    origin_url: str
    status: int
    mime: str | None
    page: str
    warc_file: str
    record_id: str
    offset: int
    length: int
    payload_digest: str
    captured_at: str
    context: dict[str, Any] = field(default_factory=dict)
    kind: str = "response"


@dataclass
class GoneArticle:
    """An article URL that now answers 404/410: the archive keeps the article and records
    when (``gone_at``) and how (``status``) it disappeared."""

    url: str
    canonical_url: str
    site: str
    status: int
    seen_at: str
