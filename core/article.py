"""The archive's article model: ``Article``, its flags and its validation.

Neutral ground (issue 17): storage/ stores Articles and crawler/ builds them, so the model
lives below both. Construction validates: whatever is missing or impossible becomes a flag,
and the article is kept (DESIGN.md: flags instead of drops).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

# Flags an Article can carry. Date flags come from crawler.normalize.dates.
FLAGS: dict[str, str] = {
    "no_title": "no title found",
    "no_date": "no publication date on the page",
    "date_unparsed": "a date string was found but could not be read",
    "date_impossible": "the page's date is impossible (e.g. the PHP zero date -0001-11-30)",
    "date_no_year": "the date has no year and no context supplied one",
    "date_from_text": "no date element: the date was read from the article's opening words "
                      "(an event date) — generic extraction only",
    "date_in_future": "published_at is later than the time the page was fetched",
    "no_body": "no article text found",
    "short_body": "article text is shorter than 200 characters",
    "no_province": "the site is not in the registry, so the province is unknown",
    "listing_fallback": "no known listing variant of the site's CMS matched: the link was "
                        "found by generic link discovery",
    "detail_fallback": "no known article variant of the site's CMS read the page: it was "
                       "extracted by the generic extractor (extractor generic-fallback)",
}

#: Extractors an article can come from: the site's own parser (one of its CMS variants), the
#: generic spider, or the generic extractor standing in for a site parser that found nothing.
EXTRACTORS = ("site", "generic", "generic-fallback")
#: Flags that say an article came through the fallback (crawler/platforms/selectors.py).
FALLBACK_FLAGS = ("listing_fallback", "detail_fallback")

# Tolerance for clocks and time zones before a date counts as "in the future".
FUTURE_TOLERANCE = timedelta(hours=12)
SHORT_BODY_CHARS = 200


@dataclass
class Article:
    """One normalized article: the contract's fields, in the contract's order (DESIGN.md)."""

    url: str
    canonical_url: str
    site: str
    province: str | None = None
    province_current: str | None = None
    category: str | None = None
    title: str | None = None
    summary: str | None = None
    published_at: str | None = None
    published_raw: str | None = None
    updated_at: str | None = None
    author: str | None = None
    source: str | None = None
    body_text: str = ""
    body_html: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    view_count: int | None = None
    tags: list[str] = field(default_factory=list)
    content_hash: str = ""
    fetched_at: str = ""
    extractor: str = "site"
    flags: list[str] = field(default_factory=list)

    # Provenance, not a field of the contract: the capture the article was extracted from.
    # A plain class attribute (no annotation), so it is neither in to_dict() nor in parse's
    # JSON; the normalize pipeline copies it from the RawArticle for the store pipeline.
    capture_id = None

    def __post_init__(self) -> None:
        if not self.url or not self.canonical_url or not self.site:
            raise ValueError("an Article needs url, canonical_url and site")
        if self.extractor not in EXTRACTORS:
            raise ValueError(f"extractor must be one of {EXTRACTORS}, not {self.extractor!r}")
        if not self.fetched_at:
            raise ValueError("an Article needs fetched_at (when the page was seen)")
        self.flags = sorted(set(self.flags) | set(self.check()))
        unknown = set(self.flags) - set(FLAGS)
        if unknown:
            raise ValueError(f"unknown flags {sorted(unknown)}; known: {sorted(FLAGS)}")

    def check(self) -> list[str]:
        """Flags for what is missing or impossible in this article."""
        found: list[str] = []
        if not (self.title or "").strip():
            found.append("no_title")
        if not (self.body_text or "").strip():
            found.append("no_body")
        elif len(self.body_text) < SHORT_BODY_CHARS:
            found.append("short_body")
        if self.published_at is None:
            if not any(f.startswith("date_") and f != "date_from_text" for f in self.flags):
                found.append("no_date")
        else:
            published = datetime.fromisoformat(self.published_at)
            if published.tzinfo is None:
                raise ValueError(f"published_at must carry a UTC offset: {self.published_at}")
            if published > datetime.fromisoformat(self.fetched_at) + FUTURE_TOLERANCE:
                found.append("date_in_future")
        return found

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
