"""``ArchiveSpider``: what every site spider shares, whatever its CMS.

Spider arguments (``scrapy crawl SITE -a base_url=… -a since=… -a full=1 -a max_pages=N``
and ``dost-archive crawl`` alike):

- ``base_url``: crawl a mirror of the site (e.g. the local test mirror) instead of the site.
  Requests go to the mirror; archived URLs are rewritten back to the site's own URLs, so a
  mirror crawl archives the same canonical URLs as a live one.
- ``since``: ISO date; listing entries dated earlier are not followed, and paging stops at a
  listing page that holds only such entries.
- ``full``: walk every listing page and re-fetch every article. When the walk was complete
  (no ``since``, no ``max_pages``), archived articles that no listing showed are then
  requested directly, so an article the site removed is noticed.
- ``max_pages``: cap on listing pages per category.

Incremental by default: listings are read newest first and a category stops paging at the
first listing page whose articles are all already archived with the same title. What is
"already archived" is read from the archive itself at start (the run hands it over:
``archive_opened``), so there is no second state store that could disagree with it.
Stopping trusts only articles a completed run vouches for (``Archive.vouched_articles``):
articles stored by a run that was killed or capped are not fetched again, but paging goes on
past them, since older articles may be missing below them.

Removed articles: an article request answered 404 or 410 yields a ``GoneArticle``; the store
pipeline sets ``gone_at`` on the archived article (its row and revisions stay). A later
successful fetch clears it, and gone articles are not "known", so one that reappears in a
listing is fetched again.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from core.fold import fold
from core.urls import canonical_url
from crawler.items import GoneArticle, RawArticle
from crawler.normalize.article import published_date
from crawler.normalize.dates import VN_TZ, parse_date
from crawler.normalize.encoding import unreadable
from crawler.normalize.paragraphs import clean_inline
from crawler.registry import load_registry

#: HTTP statuses that say an article was removed (not a passing server error).
GONE_STATUSES = (404, 410)
#: A listing read by the fallback pages on (without a pager to read) at most this far.
FALLBACK_MAX_PAGES = 100
#: Alarms of one kind logged as warnings (the rest at INFO; the run's alert counts them).
ALARMS_LOGGED = 5


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def title_key(title: str | None) -> str:
    """Compare listing titles with archived ones: folded, without a truncation ellipsis."""
    return fold(clean_inline(title or "")).rstrip(" .…")


@dataclass
class ListingEntry:
    """One article link on a listing page, with what the listing says about it."""

    url: str
    title: str | None = None
    date_raw: str | None = None
    summary: str | None = None
    #: Found by generic link discovery because no listing variant matched the page.
    fallback: bool = False

    @functools.cached_property
    def parsed_date(self) -> datetime | None:
        """The listing's date, read once (no context: the article page is not fetched yet).
        It only decides which links to follow; a fetched article is judged by the date it
        is stored with (``published_date``)."""
        return parse_date(self.date_raw).value if self.date_raw else None


@dataclass
class ListingRead:
    """What was made of one listing page: its entries, the variant that found them, every
    variant tried, and whether the entries come from the fallback (no variant found any)."""

    entries: list[ListingEntry]
    variant: Any = None
    tried: tuple[str, ...] = ()
    fallback: bool = False


@dataclass(frozen=True)
class Alarm:
    """Something a run must not stay quiet about: it makes the run ``degraded``, becomes an
    alert in ``crawl_runs`` and makes ``dost-archive crawl`` exit 1 (crawler/plumbing/run.py)."""

    kind: str      # "listing_no_variant", "detail_no_variant"
    url: str
    message: str


class ArchiveSpider(scrapy.Spider):
    """Base of all spiders. Subclasses set ``name`` (= registry slug) and ``site_url``."""

    #: The site's own root URL, e.g. "https://sokhcn.sonla.gov.vn".
    site_url: str = ""
    #: Listing pages to walk: path (from the site root) → category name.
    categories: dict[str, str] = {}
    #: Old servers that only speak TLS 1.2 with weak ciphers (REPORTED for vinhphuc.gov.vn).
    legacy_tls: bool = False

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        if cls.legacy_tls:
            settings.set("DOWNLOAD_TLS_MIN_VERSION", "TLSv1.2", priority="spider")
            settings.set("DOWNLOAD_TLS_MAX_VERSION", "TLSv1.2", priority="spider")
            settings.set("DOWNLOADER_CLIENT_TLS_CIPHERS", "DEFAULT@SECLEVEL=1",
                         priority="spider")

    def __init__(self, *args: Any, base_url: str | None = None, since: str | None = None,
                 full: Any = False, max_pages: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = getattr(self, "site", None) or self.name
        self.site_info = load_registry().get(self.site)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.since: date | None = date.fromisoformat(since) if since else None
        self.full = _truthy(full)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        self.known: dict[str, str] = {}
        # Canonical URLs the listings showed in this run, and whether the archived articles
        # they did not show have been requested (full crawls only).
        self.listed: set[str] = set()
        self.revisited = False
        #: Canonical URLs of ``known`` that a completed run vouches for (see load_known).
        self.vouched: set[str] = set()
        # What the run handed over when it opened (``archive_opened``).
        self._archived: dict[str, str] = {}
        self._revisit_targets: Callable[[], list[dict[str, Any]]] | None = None
        #: What this run must report (crawler/plumbing/run.py turns them into alerts).
        self.alarms: list[Alarm] = []
        #: Per category: the article URLs the listing fallback found, to know when to stop.
        self.fallback_seen: dict[str, set[str]] = {}
        if self.base_url:
            mirror = urlsplit(self.base_url)
            if mirror.scheme not in ("http", "https") or not mirror.hostname:
                raise ValueError(f"base_url must be an http(s) URL: {base_url!r}")
            self.allowed_domains = [mirror.hostname]
        elif self.site_info:
            self.allowed_domains = list(self.site_info.domains)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.revisit_unlisted, signal=signals.spider_idle)
        return spider

    # -- mirror mapping ------------------------------------------------------------------
    def _own_host(self, host: str) -> bool:
        own = set(self.site_info.domains) if self.site_info else set()
        own.add(urlsplit(self.site_url).hostname or "")
        return host.lower() in own

    def fetch_url(self, url: str) -> str:
        """Where to request ``url`` (a site URL): the site itself or the mirror."""
        parts = urlsplit(url)
        if not self.base_url or not self._own_host(parts.hostname or ""):
            return url
        mirror = urlsplit(self.base_url)
        return urlunsplit((mirror.scheme, mirror.netloc, mirror.path + parts.path,
                           parts.query, ""))

    def origin_url(self, url: str) -> str:
        """The site URL that a fetched ``url`` stands for (inverse of ``fetch_url``)."""
        if not self.base_url or not url.startswith(self.base_url):
            return url
        site = urlsplit(self.site_url)
        rest = urlsplit(url)
        path = rest.path[len(urlsplit(self.base_url).path):] or "/"
        return urlunsplit((site.scheme, site.netloc, path, rest.query, ""))

    def site_link(self, response: Response, href: str) -> str:
        """``href`` on ``response`` as a URL of the site itself."""
        return self.origin_url(response.urljoin(href))

    def canonical(self, url: str) -> str:
        return self.site_info.canonical_url(url) if self.site_info else canonical_url(url)

    # -- crawl flow ----------------------------------------------------------------------
    def archive_opened(self, *, known: Mapping[str, str | None], vouched: set[str],
                       revisit_targets: Callable[[], list[dict[str, Any]]]) -> None:
        """The run's hand-over when it opens (plumbing/run.py ``hand_over``): canonical URL →
        title of what the archive holds for this site, those of them a completed run vouches
        for, and how to read the archived articles a ``full`` walk revisits. The run owns the
        archive; a spider never opens it (tests/test_layers.py)."""
        self._archived = {url: title_key(title) for url, title in known.items()}
        self.vouched = set(vouched)
        self._revisit_targets = revisit_targets

    def load_known(self) -> dict[str, str]:
        """Canonical URL → title of what the archive already holds for this site.

        ``vouched`` holds those of them that a completed run vouches for. Only they can
        stop paging; an article stored by a killed run is skipped but paged past, so the
        older articles that run never reached are fetched now. Empty for a ``full`` crawl
        and for a spider the run handed nothing (no crawl run: seeding, tests).
        """
        if self.full or not getattr(self, "crawler", None):
            return {}
        return dict(self._archived)

    async def start(self) -> Any:
        self.known = self.load_known()
        for path, category in self.categories.items():
            yield self.listing_request(path, category, 1)

    def listing_url(self, path: str, page: int) -> str:
        """Site URL of listing page ``page`` (1-based) of a category. Platforms override."""
        base = self.site_url.rstrip("/") + path
        return base if page == 1 else f"{base}{'&' if '?' in base else '?'}page={page}"

    def listing_request(self, path: str, category: str, page: int,
                        response: Response | None = None) -> scrapy.Request | None:
        """The request for a listing page. Platforms with AJAX paging override this."""
        return scrapy.Request(self.fetch_url(self.listing_url(path, page)),
                              callback=self.parse_listing,
                              cb_kwargs={"path": path, "category": category, "page": page})

    def parse_listing(self, response: Response, path: str, category: str,
                      page: int) -> Iterator[scrapy.Request]:
        found = self.read_listing(response, fallback=self.may_fall_back(response, path, page))
        if found.fallback:
            self.listing_fell_back(response, found, path, page)
        elif found.variant is not None and len(found.tried) > 1:
            self.logger.info("%s: listing %s read with variant %s (tried %s)", self.site,
                             self.origin_url(response.url), found.variant.name,
                             ", ".join(found.tried))
        # Everything read under the variant that matched (its pager, its paging state), in
        # one go: the variant's attributes must not outlive this call (see ``using``).
        with self.using(found.variant):
            requests = list(self.listing_requests(response, found, path, category, page))
        yield from requests

    def listing_requests(self, response: Response, found: ListingRead, path: str,
                         category: str, page: int) -> Iterator[scrapy.Request]:
        entries = found.entries
        fresh = too_old = unvouched = 0
        for entry in entries:
            url = self.site_link(response, entry.url)
            self.listed.add(self.canonical(url))
            when = entry.parsed_date
            if self.since and when is not None and when.date() < self.since:
                too_old += 1
                self.crawler.stats.inc_value("listing/before_since")
                continue
            key = self.canonical(url)
            known = self.known.get(key)
            if not self.full and known is not None and self.same_title(known, entry.title):
                self.crawler.stats.inc_value("listing/known_skipped")
                unvouched += key not in self.vouched
                continue
            fresh += 1
            yield self.article_request(url, entry, category)
        # An archived article no completed run vouches for does not stop paging either.
        stop = self.stop_reason(entries, fresh + unvouched, too_old, page, response)
        if found.fallback and stop == "last page":
            stop = self.fallback_stop(response, found, path, page)
        if stop:
            self.logger.info("%s: listing %r stops at page %d (%s)", self.site, category,
                             page, stop)
            return
        request = self.listing_request(path, category, page + 1, response)
        if request is not None:  # None: the platform found no way to the next page (logged)
            yield request

    # -- variants and the fallback (platform bases with variants override) ---------------
    def read_listing(self, response: Response, fallback: bool = True) -> ListingRead:
        """The entries of a listing page. Bases that know several markup variants of their
        CMS try each, then (``fallback``) generic link discovery
        (crawler/platforms/selectors.py); this one has one way to read."""
        return ListingRead(self.listing_entries(response))

    def may_fall_back(self, response: Response, path: str, page: int) -> bool:
        """Whether a listing page no variant reads is read by the fallback: a category's
        first page, and its later pages only when the first needed it (past the end of a
        list a known variant finds nothing, rightly)."""
        return page == 1 or path in self.fallback_seen

    def using(self, variant: Any) -> contextlib.AbstractContextManager[Any]:
        """Read pages as ``variant`` lays them out for the duration of a ``with`` block."""
        return contextlib.nullcontext()

    def listing_fell_back(self, response: Response, found: ListingRead, path: str,
                          page: int) -> None:
        """No variant matched a listing page: log it, and raise an alarm on a first page."""
        self.fallback_seen.setdefault(path, set())
        url = self.origin_url(response.url)
        message = (f"no listing variant matched on {url}: tried {', '.join(found.tried)}; "
                   f"generic fallback found {len(found.entries)} links")
        if page == 1:
            self.alarm("listing_no_variant", url, message)
        else:
            self.logger.warning("%s: %s", self.site, message)
        self._count("listing/fallback_pages")

    def fallback_stop(self, response: Response, found: ListingRead, path: str,
                      page: int) -> str | None:
        """Whether a listing read by the fallback goes on to its next page: only while each
        page shows article links the earlier ones did not (no pager to read)."""
        seen = self.fallback_seen.setdefault(path, set())
        new = {self.canonical(self.site_link(response, e.url)) for e in found.entries} - seen
        seen |= new
        if not new:
            return "fallback: no new links"
        if page >= FALLBACK_MAX_PAGES:
            return f"fallback: {FALLBACK_MAX_PAGES} pages"
        return None

    def alarm(self, kind: str, url: str, message: str) -> None:
        """Record something the run must report (it makes the run ``degraded``). Logged as
        a warning for the first few of a kind, then at INFO (the alert counts the rest)."""
        same = sum(1 for a in self.alarms if a.kind == kind)
        self.logger.log(logging.WARNING if same < ALARMS_LOGGED else logging.INFO, "%s: %s",
                        self.site, message)
        self.alarms.append(Alarm(kind, url, message))
        self._count(f"alarm/{kind}")

    def _count(self, stat: str) -> None:
        """Count in the crawl's stats (a spider built outside a crawl has none)."""
        if getattr(self, "crawler", None):
            self.crawler.stats.inc_value(stat)

    def article_request(self, url: str, entry: ListingEntry, category: str | None,
                        **kwargs: Any) -> scrapy.Request:
        """The request for an article page (site URL ``url``)."""
        return scrapy.Request(self.fetch_url(url), callback=self.parse_article_page,
                              errback=self.article_failed,
                              cb_kwargs={"entry": entry, "category": category}, **kwargs)

    def article_failed(self, failure: Failure) -> Iterator[GoneArticle]:
        """404/410 → the article is gone; other failures are logged as Scrapy would."""
        request = failure.request  # type: ignore[attr-defined]
        url = self.origin_url(request.url)
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in GONE_STATUSES:
                self.logger.info("%s: %s answers %d: gone", self.site, url, status)
                yield GoneArticle(url=url, canonical_url=self.canonical(url), site=self.site,
                                  status=status,
                                  seen_at=datetime.now(VN_TZ).isoformat(timespec="seconds"))
                return
            self.logger.warning("%s: article %s answers HTTP %d", self.site, url, status)
            return
        self.logger.error("%s: cannot fetch article %s: %s", self.site, url,
                          failure.getErrorMessage())

    def revisit_unlisted(self) -> None:
        """After a complete ``full`` walk, request the archived articles that no listing
        showed: a removed article answers 404/410 and is marked gone; one that is only
        unlisted is seen again. Runs once, when the listings are exhausted."""
        if (self.revisited or not self.full or self.since or self.max_pages
                or not self.listed or not getattr(self, "crawler", None)
                or self._revisit_targets is None):
            return
        self.revisited = True
        targets = [t for t in self._revisit_targets() if t["canonical_url"] not in self.listed]
        if not targets:
            return
        self.logger.info("%s: %d archived articles not in any listing: requesting them",
                         self.site, len(targets))
        self.crawler.stats.set_value("listing/unlisted_revisits", len(targets))
        for t in targets:
            entry = ListingEntry(url=t["url"], title=t["title"], date_raw=t["published_raw"],
                                 summary=t["summary"])
            self.crawler.engine.crawl(self.article_request(t["url"], entry, t["category"]))
        raise DontCloseSpider

    @staticmethod
    def same_title(known_key: str, listing_title: str | None) -> bool:
        """Whether a listing title still matches the archived one (a changed title means the
        article was edited). Listings that cut titles short with an ellipsis match by prefix.
        """
        if listing_title is None:
            return True
        shown = clean_inline(listing_title)
        if shown.endswith(("...", "…")):
            return known_key.startswith(title_key(shown))
        return known_key == title_key(shown)

    def stop_reason(self, entries: list[ListingEntry], fresh: int, too_old: int, page: int,
                    response: Response) -> str | None:
        if not entries:
            return "no entries"
        if self.max_pages and page >= self.max_pages:
            return f"max_pages={self.max_pages}"
        if self.since and too_old == len(entries):
            return f"all entries before {self.since}"
        if not self.full and fresh == 0:
            return "only known articles"
        if not self.has_next_page(response, page):
            return "last page"
        return None

    def has_next_page(self, response: Response, page: int) -> bool:
        """Whether the listing has a page after ``page``. Platforms read their pager."""
        return True

    def parse_article_page(self, response: Response, entry: ListingEntry,
                           category: str) -> RawArticle | None:
        """The article's raw fields, completed from its listing entry where the page lacks
        them (several portals print the date only in the listing)."""
        if not isinstance(response, TextResponse):  # a file, binary served as text/html …
            content_type = response.headers.get(b"Content-Type") or b"no Content-Type"
            return self.raw_article(response, rejected=unreadable(response.body) or (
                f"not an HTML page: {content_type.decode('latin-1')}"))
        raw = self.read_article(response, entry)
        if raw is None:
            return None  # a link the fallback found that is not an article page
        if entry.fallback and "listing_fallback" not in raw.flags:
            raw.flags.append("listing_fallback")
        if entry.date_raw and (not raw.published_raw or raw.extractor == "generic-fallback"):
            # The listing's date, printed beside the link for this article, beats none and
            # beats the generic extractor's guess at which date on the page is the article's.
            raw.published_raw = entry.date_raw
        raw.date_context = raw.date_context or entry.date_raw
        raw.category = raw.category or category
        raw.title = raw.title or entry.title
        raw.summary = raw.summary or entry.summary
        if self.since and raw.published_raw:
            # Judged by the date the article is stored with (the page's, read with the
            # listing's date as context), unless the listing judged that date already: an
            # undated (or year-less) entry, or one whose page gives another date, may turn
            # out older than --since once fetched.
            when = published_date(raw).value
            listed = entry.parsed_date
            if (when is not None and when.date() < self.since
                    and (listed is None or listed.date() != when.date())):
                self.logger.info("%s: %s is dated %s, before since=%s: not archived",
                                 self.site, raw.url, raw.published_raw, self.since)
                self._count("since/dropped_after_fetch")
                return None
        return raw

    # -- platform hooks ------------------------------------------------------------------
    def listing_entries(self, response: Response) -> list[ListingEntry]:
        """Article links of a listing page, newest first. Platform bases implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement listing_entries")

    def read_article(self, response: Response, entry: ListingEntry) -> RawArticle | None:
        """The raw fields of an article page. Bases that know several markup variants try
        each, then the generic extractor (crawler/platforms/selectors.py); None when a page
        the listing fallback found is no article."""
        return self.parse_article(response)

    def parse_article(self, response: Response) -> RawArticle:
        """Pull the raw fields of one article page. Platform bases implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_article")

    # -- items ---------------------------------------------------------------------------
    def raw_article(self, response: Response, **fields: Any) -> RawArticle:
        """A RawArticle for ``response`` with the site, origin URL and fetch time filled in."""
        fields.setdefault("fetched_at", datetime.now(VN_TZ).isoformat(timespec="seconds"))
        return RawArticle(url=self.origin_url(response.url), site=self.site, **fields)
