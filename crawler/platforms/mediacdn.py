"""``MediacdnSpider``: the mediacdn-based CMS of the ministry portal (mst.gov.vn).

Facts (research/sites.md section 2.5 and section 6; tags as there):

- Category pages are ``/<slug>.htm`` or ``/<slug>/<sub>.htm`` (``/tin-tuc-su-kien.htm``),
  REPORTED by a public scraper's configuration. Articles are ``/<slug>-<digits>.htm``
  (CONFIRMED in URLs cited by public code); the configuration's regex is
  ``^/.+-\\d{8,}\\.htm$`` (REPORTED).
- Two id styles (CONFIRMED): 18 digits, ``197`` + ``yymmdd`` + ``HHMMSS`` + 3 digits
  (``197250616201306032`` = 2025-06-16 20:13:06), and short legacy ids (``-197148521.htm``).
  The 18-digit id carries the publish timestamp; this base reads it as *context only*
  (``year_hint`` and ``date_context`` of the RawArticle), never as the published date: that
  comes from the page's own date string, else from the listing's (``published_raw`` is
  always a string the site printed).
- Listing links ``div.box-category-item a[href]`` (REPORTED): the first link of an item is
  the thumbnail, whose ``title`` attribute is the article title, so the title is read from
  it when the link has no text. Sapo ``div.detail-sapo``, falling back to
  ``<meta name="description">`` / ``og:description`` (REPORTED).
- Per-day archive pages ``/<category>/xem-theo-ngay-<dd-mm-yyyy>.htm`` (REPORTED, public
  scraper code): the backfill path. Spider arguments ``-a days=2025-06-14:2025-06-16``
  (one day, or an inclusive range in either order) or ``-a backfill_from=YYYY-MM-DD``
  (to today, or to ``-a backfill_to=YYYY-MM-DD``) walk the per-day pages of every category
  instead of its paged listing, newest day first; the incremental rules still apply (an
  archived article with the same title is not fetched again unless ``-a full=1``).
- GUESS: category paging ``/<category>/trang-<n>.htm`` with a numbered pager
  (``div.list-pager``); one per-day page per day (no paging); the listing item's
  ``span.box-category-time`` / ``p.box-category-sapo``; the article block
  ``div.detail-container`` with ``h1.detail-title``, ``span.publish-date``
  ("16/06/2025 20:13"), ``div.detail-content``, ``div.detail-author``, ``div.detail-cate``;
  related-news boxes embedded in the body (``div[type=RelatedNewsBox]``, the mediacdn
  editor's markup on baochinhphu.vn) that are not article text. Documents live on
  ``mic.mediacdn.vn/document/<yyyy>/<m>/<d>/<file>.pdf`` (REPORTED) and are linked from the
  body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.items import RawArticle
from crawler.normalize.dates import VN_TZ
from crawler.platforms.fastsel import parse_html
from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant

#: 18-digit ids: a 3-digit portal prefix, the publish timestamp ``yymmddHHMMSS``, 3 digits.
TIMESTAMP_ID_RE = re.compile(r"^(?P<prefix>\d{3})(?P<stamp>\d{12})\d{3}$")
DAY_ARCHIVE_RE = re.compile(r"/xem-theo-ngay-(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})\.htm$")
PAGE_RE = re.compile(r"/trang-(?P<n>\d+)\.htm$")


def article_id(url: str, pattern: re.Pattern[str] | None = None) -> str | None:
    """The numeric id at the end of an article URL (``…-197250616201306032.htm``)."""
    match = (pattern or MediacdnSpider.article_path_re).match(urlsplit(url).path)
    return match["id"] if match else None


def id_timestamp(article_id: str | None, prefix: str | None = None) -> datetime | None:
    """The publish timestamp an 18-digit id carries; None for legacy or malformed ids."""
    match = TIMESTAMP_ID_RE.match(article_id or "")
    if not match or (prefix and match["prefix"] != prefix):
        return None
    try:
        return datetime.strptime(match["stamp"], "%y%m%d%H%M%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return None


def day_range(days: str | None = None, backfill_from: str | None = None,
              backfill_to: str | None = None, today: date | None = None) -> list[date]:
    """The days a backfill walks, newest first.

    ``days``: ``YYYY-MM-DD`` or ``YYYY-MM-DD:YYYY-MM-DD`` (inclusive, either order);
    ``backfill_from``: from that day to ``backfill_to`` (default: today).
    """
    if days and backfill_from:
        raise ValueError("give either days or backfill_from, not both")
    if days:
        first, _, last = days.partition(":")
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(
            (last or first).strip())
    elif backfill_from:
        start = date.fromisoformat(backfill_from)
        end = (date.fromisoformat(backfill_to) if backfill_to
               else today or datetime.now(VN_TZ).date())
    else:
        return []
    start, end = min(start, end), max(start, end)
    return [end - timedelta(days=k) for k in range((end - start).days + 1)]


class MediacdnSpider(SelectorSpider):
    """Base of sites on the mediacdn CMS; a site sets ``name``, ``site_url``, ``categories``
    (``{"/tin-tuc-su-kien.htm": "Tin tức - Sự kiện"}``) and ``id_prefix``."""

    #: REPORTED regex ``^/.+-\d{8,}\.htm$``; the id group covers both id styles.
    article_path_re = re.compile(r"^/(?:[^/]+/)*[^/]+-(?P<id>\d{8,})\.htm$")
    #: The portal's id prefix (``197`` on mst.gov.vn, CONFIRMED); None accepts any.
    id_prefix: str | None = None

    # -- listing ---------------------------------------------------------------------------
    listing_variants = (
        listing_variant("box-category", "REPORTED",  # item and link REPORTED; the rest GUESS
                        listing_item_css="div.box-category-item",
                        listing_link_css="a[href]",
                        listing_date_css="span.box-category-time",
                        listing_summary_css="p.box-category-sapo",
                        pager_link_css="div.list-pager a::attr(href)"),
        listing_variant("box-stream", "GUESS",  # the stream lists of other mediacdn portals
                        listing_item_css="div.box-stream-item",
                        listing_link_css="a.box-stream-link-title, a[href]",
                        listing_date_css="span.box-stream-time",
                        listing_summary_css="p.box-stream-sapo",
                        pager_link_css="div.list-pager a::attr(href)"),
    )

    # -- article -----------------------------------------------------------------------------
    detail_variants = (
        detail_variant("detail-container", "REPORTED",  # sapo REPORTED; the rest GUESS
                       article_css="div.detail-container",
                       title_css="h1.detail-title",
                       date_css="span.publish-date",
                       summary_css="div.detail-sapo",
                       body_css="div.detail-content",
                       author_css="div.detail-author",
                       category_css="div.detail-cate a"),
        detail_variant("detail__bem", "GUESS",  # newer mediacdn templates' BEM class names
                       article_css="div.detail__main, article.detail",
                       title_css="h1.detail__title",
                       date_css="div.detail__time, span.detail__time",
                       summary_css="h2.detail__sapo, div.detail__sapo",
                       body_css="div.detail__content",
                       author_css="div.detail__author",
                       category_css="div.detail__category a"),
    )
    #: Embedded boxes inside the body that are not article text.
    body_noise_css: tuple[str, ...] = ("div[type='RelatedNewsBox']", "div.relate-container",
                                       "script", "style")

    def __init__(self, *args: Any, days: str | None = None, backfill_from: str | None = None,
                 backfill_to: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days = day_range(days, backfill_from, backfill_to)

    # -- paging ----------------------------------------------------------------------------
    def listing_url(self, path: str, page: int) -> str:
        """``/tin-tuc-su-kien.htm`` → ``/tin-tuc-su-kien/trang-<n>.htm`` (GUESS)."""
        base = self.site_url.rstrip("/") + path
        if page == 1:
            return base
        return f"{base.removesuffix('.htm')}/trang-{page}.htm"

    def pager_pages(self, response: Response) -> set[int]:
        pages: set[int] = set()
        for href in response.css(self.pager_link_css).getall():
            match = PAGE_RE.search(urlsplit(href).path)
            if match:
                pages.add(int(match["n"]))
        return pages

    def has_next_page(self, response: Response, page: int) -> bool:
        if self.is_day_archive(response.url):
            return False  # GUESS: a day's articles fit on one page
        return super().has_next_page(response, page)

    # -- backfill by day -------------------------------------------------------------------
    def day_archive_path(self, category_path: str, day: date) -> str:
        """``/tin-tuc-su-kien.htm`` → ``/tin-tuc-su-kien/xem-theo-ngay-16-06-2025.htm``."""
        return f"{category_path.removesuffix('.htm')}/xem-theo-ngay-{day:%d-%m-%Y}.htm"

    def may_fall_back(self, response: Response, path: str, page: int) -> bool:
        """Not on a per-day archive page: many days have no article (a backfill walks them
        all); a layout change shows on the category listings of a normal crawl."""
        return not self.is_day_archive(response.url) and super().may_fall_back(
            response, path, page)

    @staticmethod
    def is_day_archive(url: str) -> bool:
        return bool(DAY_ARCHIVE_RE.search(urlsplit(url).path))

    async def start(self) -> Any:
        if not self.days:
            async for request in super().start():
                yield request
            return
        self.known = self.load_known()
        for request in self.day_requests():
            yield request

    def day_requests(self) -> Iterator[scrapy.Request]:
        """One request per category and day, newest day first."""
        for day in self.days:
            for path, category in self.categories.items():
                day_path = self.day_archive_path(path, day)
                yield scrapy.Request(
                    self.fetch_url(self.site_url.rstrip("/") + day_path),
                    callback=self.parse_listing,
                    cb_kwargs={"path": day_path, "category": category, "page": 1})

    # -- article ---------------------------------------------------------------------------
    def summary(self, response: Response, block: Selector) -> str | None:
        """The sapo, else the description meta tags (REPORTED fallback order)."""
        sapo = self._read(block, self.summary_css)
        if sapo:
            return sapo
        for xpath in ("//meta[@name='description']/@content",
                      "//meta[@property='og:description']/@content"):
            value = (response.xpath(xpath).get() or "").strip()
            if value:
                return value
        return None

    def body_html(self, body: SelectorList) -> str | None:
        """The body without its noise; ``parse_article`` asks twice (for the body HTML and
        for the images in it), the copy is made once per body and noise selectors."""
        if not body:
            return None
        key = (body, self.body_noise_css)
        cached = self._cleaned_body
        if cached is not None and cached[0] is body and cached[1] == key[1]:
            return cached[2]
        html: str = self.without_noise(body[0]).get()
        self._cleaned_body = (*key, html)
        return html

    #: (body SelectorList, body_noise_css, its cleaned HTML) of the last body cleaned.
    _cleaned_body: tuple[SelectorList, tuple[str, ...], str] | None = None

    def image_nodes(self, block: Selector, body: SelectorList) -> list[Selector]:
        """Body images, except those of the related-news boxes dropped from the body."""
        html = self.body_html(body)
        return list(parse_html(html).css("img")) if html else []

    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        raw.summary = self.summary(response, self.article_block(response))
        stamp = id_timestamp(article_id(raw.url, self.article_path_re), self.id_prefix)
        if stamp is not None:
            # Context for year-less date strings only; never the published date itself.
            raw.year_hint = stamp.year
            raw.date_context = stamp.strftime("%Y-%m-%d %H:%M:%S")
        return raw
