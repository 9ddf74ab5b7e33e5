"""``NumericPathSpider``: the unidentified portal of the old Sơn La DOST site.

Why a platform of its own: sokhoahoc.sonla.gov.vn (superseded by sokhcn.sonla.gov.vn) runs a
portal nobody has identified (sites.md 3.2: no public code mentions its ``/1288/30956/`` paths).
What is known of it:

- Article URLs are four numbers, a category slug and the article slug:
  ``/1288/30956/65206/561753/tin-tuc-tong-hop/<slug>`` (CONFIRMED). The fourth number is
  probably the article id (GUESS); the first three probably name the site and its menu.
- Static pages have bare slugs: ``/lich-su-hinh-thanh-va-phat-trien`` (CONFIRMED). Menus link
  to them from every page, so a listing keeps only links of the article form above, and only
  inside its own list container (the "Thông tin mới nhất" sidebar links articles too).
- The visible text after the title is "Lượt xem: N", then the body (CONFIRMED); the body ends
  with a right-aligned byline ("Ánh Nguyệt - Tú Hảo"), then "Tin khác", a "1 2 3 4 5 ..."
  pager, "Thông tin mới nhất", "Thống kê truy cập" with visit counters (seed 003).
- The article page shows no publish date (seed 003). Its body often *starts* with a date
  ("Ngày 05/6/2023, …"): that is the date of the event, not of publication, and nothing here
  reads it. The date comes from the listing entry, which ``ArchiveSpider.parse_article_page``
  copies into ``published_raw`` when the page has none.
- Images carry the placeholder alt "anh tin bai" (seed 003); the caption is the italic line
  under the image.

Every HTML class name below, the listing URL and its ``?page=N`` pager are GUESSES: no HTML of
this site has been seen. They sit in class attributes so that one live look fixes them.
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


class NumericPathSpider(ArchiveSpider):
    """Base of the old Sơn La portal: ``/<n>/<n>/<n>/<id>/<category>/<slug>`` articles."""

    #: CONFIRMED article path form; the ``id`` group is a GUESS at what the number means.
    article_path_re = re.compile(r"^/\d+/\d+/\d+/(?P<id>\d+)/[^/]+/[^/]+/?$")
    page_param = "page"

    # Listing page (all GUESS).
    listing_item_css = "div.box-news-list div.news-item"
    listing_link_css = "a.news-title"
    listing_date_css = "span.news-date"
    listing_summary_css = "div.news-sapo"
    pager_link_css = "div.paging a::attr(href)"

    # Article page (all GUESS).
    article_css = "div.news-detail"
    title_css = "h1.news-detail-title"
    view_css = "div.news-detail-view"
    body_css = "div.news-detail-content"
    #: None: the article page shows no publish date (seed 003); the body's first date is the
    #: event's, never read.
    date_css: str | None = None
    attachment_css = "div.news-detail-files a[href]"
    #: Alt texts that say nothing about the image (seed 003 shows "anh tin bai").
    placeholder_alts = frozenset({"anh tin bai", "ảnh tin bài"})

    # -- listing ---------------------------------------------------------------------------
    def is_article_url(self, url: str) -> bool:
        return bool(self.article_path_re.match(urlsplit(url).path))

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for item in response.css(self.listing_item_css):
            link = item.css(self.listing_link_css)
            href = link.attrib.get("href") if link else None
            # Bare-slug static pages and category pages are not articles.
            if not href or href in seen or not self.is_article_url(response.urljoin(href)):
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
        """Page numbers the "1 2 3 4 5 ..." pager links to (the "..." links further on)."""
        pages: set[int] = set()
        for href in response.css(self.pager_link_css).getall():
            values = parse_qs(urlsplit(href).query).get(self.page_param, [])
            pages.update(int(v) for v in values if v.isdigit())
        return pages

    def has_next_page(self, response: Response, page: int) -> bool:
        return any(p > page for p in self.pager_pages(response))

    # -- article ---------------------------------------------------------------------------
    def caption_for(self, img: Selector) -> str | None:
        """The italic line right under the image's paragraph, else a meaningful alt text."""
        holder = img.xpath("ancestor::p[1]")
        if holder:
            following = holder[0].xpath("following-sibling::*[1][self::p]")
            if following and following[0].xpath("./em|./i") and not following[0].xpath(
                    "./text()[normalize-space()]"):
                caption = _all_text(following[0])
                if caption:
                    return caption
        alt = (img.attrib.get("alt") or img.attrib.get("title") or "").strip()
        return alt if alt and alt.lower() not in self.placeholder_alts else None

    def parse_article(self, response: Response) -> RawArticle:
        scope = response.css(self.article_css)
        scope = scope[0] if scope else response
        body = scope.css(self.body_css)
        images = []
        for img in body.css("img"):
            src = img.attrib.get("src")
            if src:
                images.append({"url": response.urljoin(src), "caption": self.caption_for(img)})
        return self.raw_article(
            response,
            title=_text(scope, self.title_css),
            published_raw=_text(scope, self.date_css),
            body_html=body.get(),
            view_count=_text(scope, self.view_css),
            images=images,
            attachments=[{"url": response.urljoin(a.attrib["href"]),
                          "name": _all_text(a) or a.attrib["href"].rsplit("/", 1)[-1]}
                         for a in scope.css(self.attachment_css)],
        )
