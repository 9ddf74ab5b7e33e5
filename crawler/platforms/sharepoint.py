"""SharePoint portals of Vietnamese provinces: the two flavours DOST sites run on.

Both flavours are Microsoft SharePoint sites with a Vietnamese vendor's custom pages on top
(research/sites.md sections 2.2 and 2.3). What they share, and what this module's
``SharePointSpider`` implements once:

- listing pages are server-rendered HTML, newest first, paged with a query parameter;
- article pages show a title, a date string, the rich-text body of the list item, and
  around it page chrome that is not the article (header with today's date, menus, "other
  news" blocks, visit statistics, footer);
- query keys are case-insensitive on the server (ASP.NET), so ``itemid=3`` and ``ItemID=3``
  are the same page: hrefs are rewritten to one spelling of the id key before they are
  requested, which keeps one canonical URL per article;
- list and file names may be Vietnamese with spaces; they reach us percent-encoded or raw,
  and both must give the same URL (``quote_path``).

The flavours:

``SharePointListSpider``: ``/noidung/<sub>/Lists/<List>/View_Detail.aspx?ItemID=N``
    (sokhcn.vinhphuc.gov.vn, the vinhphuc.gov.vn family; URL shape CONFIRMED, 2.2/3.1).
    ItemIDs are per-list sequences, so the list path is part of an article's identity.
    The date stands alone on its own line under the title (``17/05/2013``, CONFIRMED); the
    page ends with the "Các tin đã đưa ngày:" date-archive filter and older items
    "Title (dd/mm/yyyy)" (CONFIRMED as page text): that block is not body text.

``SharePointTrangSpider``: ``/<subsite>/Trang/ChiTietTinTuc.aspx?nid=N`` ("Trang" is the
    localised "Pages" library; quangninh.gov.vn and its ``/So/<dept>/`` subsites, CONFIRMED,
    2.3/3.4). A section heading ("TIN TRONG TỈNH") comes before the title (CONFIRMED as page
    text) and names the category; dates read ``22/09/2022 15:15`` (CONFIRMED on the
    provincial portal); attachments live under ``Lists/TinTuc/Attachments/<nid>/<file>``
    (REPORTED).

The HTML class names of both flavours have not been seen (no saved page exists, sites.md
section 5): every selector below is a GUESS kept in a class attribute, so that a check
against the live site changes attributes, not code.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.items import RawArticle
from crawler.platforms.base import ArchiveSpider, ListingEntry

# Characters left as they are when a path is percent-encoded (RFC 3986 path characters).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_ATTACHMENT_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|rar|zip|7z)$", re.IGNORECASE)


def quote_path(path: str) -> str:
    """Percent-encode a (possibly raw Vietnamese) URL path; idempotent on encoded paths."""
    return quote(unquote(path), safe=_PATH_SAFE)


def quote_href(href: str) -> str:
    """``href`` (absolute or relative) with its path percent-encoded, the rest untouched."""
    parts = urlsplit(href.strip())
    return urlunsplit((parts.scheme, parts.netloc, quote_path(parts.path), parts.query,
                       parts.fragment))


def text_of(selection: Selector | SelectorList | None) -> str:
    """Visible text of a selection, whitespace collapsed (raw otherwise: no NFC, no cleanup)."""
    if selection is None:
        return ""
    return " ".join(" ".join(selection.xpath(".//text()").getall()).split())


class SharePointSpider(ArchiveSpider):
    """What both SharePoint flavours share. Subclasses set the selectors (all GUESS)."""

    # -- listing page ----------------------------------------------------------------------
    #: One element per article on a listing page.
    listing_item_css: str = ""
    #: Inside an item: the article link (its text is the title).
    listing_link_css: str = "a"
    #: Inside an item: the date as printed.
    listing_date_css: str = ""
    #: Inside an item: the teaser text, if the listing shows one.
    listing_summary_css: str = ""
    #: Page number parameter of listing pages (page 1 is the bare listing URL).
    page_param: str = "Page"
    #: The pager; has_next_page looks for a link to the next page number in it.
    pager_css: str = ""

    # -- article page ----------------------------------------------------------------------
    #: The article block; every selector below is read inside it.
    article_css: str = ""
    title_css: str = ""
    date_css: str = ""
    #: The rich-text body of the list item (what goes to body_html).
    body_css: str = ""
    #: The section heading naming the category, if the page shows one.
    category_css: str = ""
    #: Attachment links (besides links to documents inside the body).
    attachment_css: str = ""
    #: Query key that selects the article ("ItemID", "nid"): hrefs are rewritten to it.
    id_param: str = ""

    # -- paging ----------------------------------------------------------------------------
    def listing_url(self, path: str, page: int) -> str:
        base = self.site_url.rstrip("/") + quote_href(path)
        if page == 1:
            return base
        return f"{base}{'&' if '?' in base else '?'}{self.page_param}={page}"

    def has_next_page(self, response: Response, page: int) -> bool:
        wanted = str(page + 1)
        if not self.pager_css:
            return False
        for href in response.css(self.pager_css).css("a::attr(href)").getall():
            query = dict((k.lower(), v) for k, v in parse_qsl(urlsplit(href).query))
            if query.get(self.page_param.lower()) == wanted:
                return True
        return False

    # -- listing ---------------------------------------------------------------------------
    def fix_href(self, href: str) -> str:
        """One spelling of an article href: path percent-encoded (``Lists/Tin hoạt động``
        and ``Lists/Tin%20ho%E1%BA%A1t…`` alike), id key spelled ``id_param``
        (``itemid=3`` → ``ItemID=3``)."""
        parts = urlsplit(quote_href(href))
        query = parts.query
        if self.id_param and query:
            pairs = [(self.id_param if k.lower() == self.id_param.lower() else k, v)
                     for k, v in parse_qsl(query, keep_blank_values=True)]
            query = urlencode(pairs)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        entries: list[ListingEntry] = []
        for item in response.css(self.listing_item_css):
            link = item.css(self.listing_link_css)
            href = link.attrib.get("href") if link else None
            if not href:
                continue
            entries.append(ListingEntry(
                url=self.fix_href(href),
                title=text_of(link[0]) or link.attrib.get("title"),
                date_raw=self._item_text(item, self.listing_date_css),
                summary=self._item_text(item, self.listing_summary_css),
            ))
        return entries

    @staticmethod
    def _item_text(item: Selector, css: str) -> str | None:
        return (text_of(item.css(css)) or None) if css else None

    # -- article ---------------------------------------------------------------------------
    def article_block(self, response: Response) -> Selector | SelectorList:
        block = response.css(self.article_css) if self.article_css else None
        return block[0] if block else response

    def images(self, response: Response, body: SelectorList) -> list[dict[str, Any]]:
        """Images of the body with their captions (figcaption, else alt/title text)."""
        out = []
        for img in body.css("img"):
            src = img.attrib.get("src") or img.attrib.get("data-src")
            if not src:
                continue
            figure = img.xpath("ancestor::figure[1]")
            caption = text_of(figure.css("figcaption")) if figure else ""
            caption = caption or img.attrib.get("alt") or img.attrib.get("title") or ""
            out.append({"url": self.site_link(response, quote_href(src)),
                        "caption": caption or None})
        return out

    def attachments(self, response: Response, block: Any, body: SelectorList
                    ) -> list[dict[str, Any]]:
        """Attachment links of the article block and document links inside the body."""
        links = (block.css(self.attachment_css) if self.attachment_css else []) or []
        links = [*links, *(a for a in body.css("a[href]")
                           if _ATTACHMENT_EXT.search(urlsplit(a.attrib["href"]).path))]
        out, seen = [], set()
        for a in links:
            href = (a.attrib.get("href") or "").strip()
            url = self.site_link(response, quote_href(href)) if href else ""
            if not url or url in seen:
                continue
            seen.add(url)
            name = text_of(a) or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            out.append({"url": url, "name": name})
        return out

    def parse_article(self, response: Response) -> RawArticle:
        block = self.article_block(response)
        body = block.css(self.body_css)
        return self.raw_article(
            response,
            title=text_of(block.css(self.title_css)) or None,
            published_raw=text_of(block.css(self.date_css)) or None,
            body_html=body[0].get() if body else None,
            category=(text_of(block.css(self.category_css)) or None
                      if self.category_css else None),
            images=self.images(response, body),
            attachments=self.attachments(response, block, body),
        )


class SharePointListSpider(SharePointSpider):
    """``/noidung/<sub>/Lists/<List>/View_Detail.aspx?ItemID=N`` (Vĩnh Phúc family).

    ``categories`` maps a list's listing page (e.g. ``/noidung/tintuc/Lists/TinTuc/
    View_List.aspx``; the list name may be raw Vietnamese with spaces) to its category.
    """

    id_param = "ItemID"
    page_param = "Page"
    # Listing (GUESS): a table of items, title link then "(dd/mm/yyyy)".
    listing_item_css = "table.ListNews tr.item"
    listing_link_css = "a.title"
    listing_date_css = "span.date"
    listing_summary_css = "div.summary"
    pager_css = "div.paging"
    # Article (GUESS): the View_Detail web part is a table; the date row is alone on its
    # line under the title (CONFIRMED as page text), the archive block comes last.
    article_css = "table.ChiTietTin"
    title_css = "td.tieude"
    date_css = "td.ngaydang"
    body_css = "td.noidung"
    attachment_css = "td.dinhkem a[href]"

    def category_of(self, url: str) -> str | None:
        """The category of the list an article URL belongs to (the list is in the URL)."""
        path = unquote(urlsplit(url).path).casefold()
        for listing, name in self.categories.items():
            list_dir = unquote(urlsplit(listing).path).rsplit("/", 1)[0].casefold() + "/"
            if path.startswith(list_dir):
                return name
        return None

    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        raw.category = raw.category or self.category_of(raw.url)
        return raw


class SharePointTrangSpider(SharePointSpider):
    """``/<subsite>/Trang/ChiTietTinTuc.aspx?nid=N`` (Quảng Ninh family)."""

    id_param = "nid"
    page_param = "Page"
    # Listing (GUESS): news items with title link, "dd/mm/yyyy HH:MM" and a teaser.
    listing_item_css = "div.list-news div.news-item"
    listing_link_css = "h3.news-title a"
    listing_date_css = "span.news-date"
    listing_summary_css = "p.news-sapo"
    pager_css = "div.pager"
    # Article (GUESS): section heading, title, date, body, attachments.
    article_css = "div.news-detail"
    category_css = "div.section-title"
    title_css = "h1.news-detail-title"
    date_css = "span.news-detail-date"
    body_css = "div.news-detail-content"
    attachment_css = "div.news-attachments a[href]"
