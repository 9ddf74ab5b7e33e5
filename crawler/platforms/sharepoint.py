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
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from scrapy.http import Response

from crawler.items import RawArticle
from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant

# Characters left as they are when a path is percent-encoded (RFC 3986 path characters).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def quote_path(path: str) -> str:
    """Percent-encode a (possibly raw Vietnamese) URL path; idempotent on encoded paths."""
    return quote(unquote(path), safe=_PATH_SAFE)


def quote_href(href: str) -> str:
    """``href`` (absolute or relative) with its path percent-encoded, the rest untouched."""
    parts = urlsplit(href.strip())
    return urlunsplit((parts.scheme, parts.netloc, quote_path(parts.path), parts.query,
                       parts.fragment))


class SharePointSpider(SelectorSpider):
    """What both SharePoint flavours share, with both flavours' markup as variants (all
    GUESS: a vendor reusing its other flavour's web parts is as likely as anything else)."""

    listing_variants = (
        # A table of items, title link then "(dd/mm/yyyy)" (the Vĩnh Phúc flavour's guess).
        listing_variant("ListNews-table", "GUESS",
                        listing_item_css="table.ListNews tr.item",
                        listing_link_css="a.title",
                        listing_date_css="span.date",
                        listing_summary_css="div.summary",
                        pager_link_css="div.paging a::attr(href)"),
        # News items with title link, "dd/mm/yyyy HH:MM" and a teaser (Quảng Ninh's guess).
        listing_variant("news-item", "GUESS",
                        listing_item_css="div.list-news div.news-item",
                        listing_link_css="h3.news-title a",
                        listing_date_css="span.news-date",
                        listing_summary_css="p.news-sapo",
                        pager_link_css="div.pager a::attr(href)"),
    )
    detail_variants = (
        # The View_Detail web part as a table; the date row alone on its line under the
        # title (CONFIRMED as page text), the archive block last.
        detail_variant("ChiTietTin-table", "GUESS",
                       article_css="table.ChiTietTin",
                       title_css="td.tieude",
                       date_css="td.ngaydang",
                       summary_css="",
                       body_css="td.noidung",
                       category_css="",
                       attachment_css="td.dinhkem a[href]"),
        # Section heading, title, date, body, attachments (Quảng Ninh's guess).
        detail_variant("news-detail", "GUESS",
                       article_css="div.news-detail",
                       title_css="h1.news-detail-title",
                       date_css="span.news-detail-date",
                       summary_css="",
                       body_css="div.news-detail-content",
                       category_css="div.section-title",
                       attachment_css="div.news-attachments a[href]"),
    )
    page_param = "Page"
    #: Query key that selects the article ("ItemID", "nid"): hrefs are rewritten to it.
    id_param: str = ""

    def link_href(self, href: str) -> str:
        return quote_href(href)

    def article_href(self, href: str) -> str:
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


class SharePointListSpider(SharePointSpider):
    """``/noidung/<sub>/Lists/<List>/View_Detail.aspx?ItemID=N`` (Vĩnh Phúc family).

    ``categories`` maps a list's listing page (e.g. ``/noidung/tintuc/Lists/TinTuc/
    View_List.aspx``; the list name may be raw Vietnamese with spaces) to its category.
    """

    id_param = "ItemID"
    page_param = "Page"
    listing_variant = "ListNews-table"
    detail_variant = "ChiTietTin-table"
    #: CONFIRMED shape: ``/noidung/<sub>/Lists/<List>/View_Detail.aspx``.
    article_path_re = re.compile(r"^/.+/Lists/[^/]+/View_Detail\.aspx$", re.IGNORECASE)

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
    listing_variant = "news-item"
    detail_variant = "news-detail"
    #: CONFIRMED shape: ``[/<subsite>]/Trang/ChiTietTinTuc.aspx?nid=N``.
    article_path_re = re.compile(r"^/(?:.+/)?Trang/ChiTietTinTuc\.aspx$", re.IGNORECASE)
