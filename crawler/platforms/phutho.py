"""``NidSlugSpider``: the unidentified CMS of sokhoahoccongnghe.phutho.gov.vn (``/<slug>-n<id>``).

Why a platform of its own: the article URL form ``/<slug>-n<id>`` is CONFIRMED (sites.md
3.3: n764 about 2015, n2884 in 2018, n8447 in Oct 2025, so ids grow over time), but the CMS
behind it is unidentified. Its accessibility toolbar ("Từ viết tắt / Xem với cỡ chữ / Đọc bài
viết / Tương phản", seed 004) carries the same labels as a Vietnamese mojoPortal fork
(sites.md 2.7), whose URLs do not look like this at all; so the class names below borrow the
fork's (``h2.articletitle``, ``div.articletext``) as a GUESS and live in class attributes, to
be corrected in one place once the live HTML has been seen.

What this base knows about pages of the family (seed 004):

- The header prints a weekday and a date ("Chủ Nhật, 17/03/2024") above the article. The
  project treats it as the header's *today* date, never as a publish date: no selector of
  this base reads the header, and ``date_css`` is None because the seed article shows no
  date of its own. The date therefore comes from the listing ("Ngày dd/mm/yyyy" under each
  item, the form of the "BÀI VIẾT KHÁC" block), which ``ArchiveSpider.parse_article_page``
  copies into ``published_raw`` when the page has none. (If a live check shows the header
  date to be the article's own date, set ``date_css`` in the site spider; see the report.)
- The article ends with a source line ("Theo most.gov.vn"), then "Lượt xem: N" glued to the
  "BÀI VIẾT KHÁC" heading; the view counter is read from its own element, the source line is
  lifted out of the body by the normalizer.
- Image captions are separate lines under each image.

Listing pages are a GUESS: ``/<category>?page=N`` with a numbered pager; items laid out
like the "BÀI VIẾT KHÁC" block (image whose alt is the title, the title link, the lead,
"Ngày dd/mm/yyyy"), which is why seed 004 shows each title twice.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from scrapy.http import Response
from scrapy.selector import Selector

from crawler.items import RawArticle
from crawler.platforms.base import ArchiveSpider, ListingEntry


def _all_text(sel: Selector) -> str | None:
    """The text under ``sel`` exactly as the page has it (whitespace is cleaned later)."""
    text = "".join(sel.xpath(".//text()").getall()).strip()
    return text or None


def _text(sel: Selector | Response, css: str | None) -> str | None:
    """The raw text under the first match of ``css`` (None when there is no match)."""
    found = sel.css(css) if css else None
    return _all_text(found[0]) if found else None


class NidSlugSpider(ArchiveSpider):
    """Base of sites whose articles live at ``/<slug>-n<id>`` (Phú Thọ DOST)."""

    #: Article URL paths: CONFIRMED form ``/<slug>-n<id>``; anything else is not an article.
    article_path_re = re.compile(r"^/[^/]+-n(?P<id>\d+)/?$")
    #: Query parameter of the listing pager (GUESS).
    page_param = "page"

    # Listing page (all GUESS).
    listing_item_css = "div.list-news div.item-news"
    listing_link_css = "h3.title a"
    listing_date_css = "div.date"
    listing_summary_css = "div.des"
    pager_link_css = "ul.pagination a::attr(href)"

    # Article page (all GUESS, named after the mojoPortal fork of sites.md 2.7).
    article_css = "div.article-detail"
    title_css = "h2.articletitle"
    body_css = "div.articletext"
    #: No publish date on the article page (seed 004); never the header date.
    date_css: str | None = None
    view_css = "span.luot-xem"
    attachment_css = "div.article-file a[href]"

    # -- listing ---------------------------------------------------------------------------
    def is_article_url(self, url: str) -> bool:
        return bool(self.article_path_re.match(urlsplit(url).path))

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for item in response.css(self.listing_item_css):
            link = item.css(self.listing_link_css)
            href = link.attrib.get("href") if link else None
            if not href or not self.is_article_url(response.urljoin(href)):
                continue
            if href in seen:
                continue
            seen.add(href)
            entries.append(ListingEntry(
                url=href,
                title=_all_text(link[0]) or link.attrib.get("title"),
                date_raw=_text(item, self.listing_date_css),
                summary=_text(item, self.listing_summary_css),
            ))
        return entries

    def listing_url(self, path: str, page: int) -> str:
        base = self.site_url.rstrip("/") + path
        if page == 1:
            return base
        return f"{base}{'&' if '?' in base else '?'}{self.page_param}={page}"

    def pager_pages(self, response: Response) -> set[int]:
        """Page numbers the pager links to."""
        pages: set[int] = set()
        for href in response.css(self.pager_link_css).getall():
            values = parse_qs(urlsplit(href).query).get(self.page_param, [])
            pages.update(int(v) for v in values if v.isdigit())
        return pages

    def has_next_page(self, response: Response, page: int) -> bool:
        return any(p > page for p in self.pager_pages(response))

    # -- article ---------------------------------------------------------------------------
    def images(self, body: Selector, response: Response) -> list[dict[str, str | None]]:
        """Body images with their captions: ``figcaption``, else the image's alt/title."""
        found = []
        for img in body.css("img"):
            src = img.attrib.get("src") or img.attrib.get("data-src")
            if not src:
                continue
            figure = img.xpath("ancestor::figure[1]")
            caption = _text(figure[0], "figcaption") if figure else None
            found.append({"url": response.urljoin(src),
                          "caption": caption or img.attrib.get("alt") or img.attrib.get("title")})
        return found

    def parse_article(self, response: Response) -> RawArticle:
        scope = response.css(self.article_css)
        scope = scope[0] if scope else response
        body = scope.css(self.body_css)
        return self.raw_article(
            response,
            title=_text(scope, self.title_css),
            # Only the page's own date element, if a site has one; the header date is never read.
            published_raw=_text(scope, self.date_css),
            body_html=body.get(),
            view_count=_text(scope, self.view_css),
            images=self.images(body[0], response) if body else [],
            attachments=[{"url": response.urljoin(a.attrib["href"]),
                          "name": _all_text(a) or a.attrib["href"].rsplit("/", 1)[-1]}
                         for a in scope.css(self.attachment_css)],
        )
