"""``LiferaySpider``: provincial portals built on Liferay Portal (Java portlets).

Facts (research/sites.md sections 2.6, 3.5 and the quirks table in 4):

- Friendly URLs carry ``/-/`` between the page and the portlet's own path:
  ``/chi-tiet-tin/-/view-article/1/<13 digits>/<13 digits>`` on sokhcn.quangtri.gov.vn
  (CONFIRMED). The two numbers look like millisecond timestamps used as ids (GUESS: the
  first a category id, the second the article id). ``article_path_re`` says which paths are
  articles; menus, static pages and sidebars link other forms.
- Listing pages are portlet lists with a Liferay page iterator. The page number travels in a
  namespaced parameter ``_<portletId>_cur=N`` (REPORTED for the ``CmsViewEcoITportlet``
  lists of moit.gov.vn and vast.gov.vn; GUESS for any given site). The next page's URL is
  taken from the pager's own links when the page has one, so an unknown portlet id or
  extra ``p_p_*`` parameters do not matter; ``portlet_id`` only builds page URLs without a
  pager at hand.
- Documents & Media files live at ``/documents/<groupId>/<folderId>/<title>/<uuid>?t=<ms>``
  (REPORTED for skhcn.bacninh.gov.vn): the path does not end with the file's extension, so
  attachments are recognised by the ``<title>`` segment.
- Liferay appends ``;jsessionid=…`` to links on a cookieless first visit (BACKGROUND): the
  session id is dropped from every link so that one article has one URL.
- Portal pages print the server's *today* in the header (CONFIRMED on the old Quảng Trị
  site: "Chủ Nhật ngày 05/12/2021" above an article of 14/01/2020). Nothing here reads the
  header: the date comes from the article block's own label (``Ngày đăng: dd-mm-yyyy``,
  CONFIRMED for Quảng Trị).
- The HTML ``<title>`` is the page's, not the article's ("Chi tiết tin - Sở Khoa học và
  Công nghệ", CONFIRMED), so the title is read inside the article block only.

Every class name below (``asset-abstract``, ``taglib-page-iterator``, ``journal-content-
article`` …) is Liferay's stock markup used as a GUESS for the site's theme; they are class
attributes so a live check corrects them in one place.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.platforms.selectors import (
    DOCUMENT_EXTENSIONS,
    SelectorSpider,
    detail_variant,
    listing_variant,
    text_of,
)

_JSESSIONID_RE = re.compile(r";jsessionid=[^?#/]*", re.IGNORECASE)


class LiferaySpider(SelectorSpider):
    """Base of Liferay sites; site spiders set ``name``, ``site_url``, ``categories`` and
    correct the selectors where their theme differs."""

    #: Article paths: ``/<page>/-/view-article/<n>/<category id>/<article id>`` (CONFIRMED
    #: form for Quảng Trị).
    article_path_re = re.compile(
        r"^/[^/]+/-/view-article/\d+/(?P<category_id>\d{10,})/(?P<article_id>\d{10,})/?$")

    # -- listing: Liferay's stock asset-publisher display styles (GUESS for any site) -----
    listing_variants = (
        listing_variant("asset-abstracts", "GUESS",
                        listing_item_css="div.portlet-body div.asset-abstract",
                        listing_link_css="h3.asset-title a",
                        listing_date_css=".metadata-publish-date",
                        listing_summary_css=".asset-summary",
                        pager_link_css="div.taglib-page-iterator a::attr(href)"),
        listing_variant("title-list", "GUESS",
                        listing_item_css="div.portlet-body ul.title-list li",
                        listing_link_css="a",
                        listing_date_css=".metadata-publish-date, span.date",
                        listing_summary_css="",
                        pager_link_css="div.taglib-page-iterator a::attr(href), "
                                       "ul.pagination a::attr(href)"),
    )
    #: The portlet whose ``_<portlet>_cur`` parameter numbers listing pages (GUESS).
    portlet_id = ""
    #: The page-number parameter: ``cur`` alone or namespaced ``_<portlet>_cur``.
    page_key_re = re.compile(r"^(?:_.+_)?cur$", re.IGNORECASE)

    # -- article ---------------------------------------------------------------------------
    detail_variants = (
        detail_variant("view-article", "GUESS",  # the site theme's article portlet
                       article_css="div.portlet-body div.view-article",
                       title_css="h1.article-title",
                       date_css=".article-date",
                       summary_css="div.article-sapo",
                       body_css="div.journal-content-article",
                       view_css="span.article-view",
                       category_css="div.article-category",
                       attachment_css="div.article-attachments a[href]"),
        detail_variant("asset-full-content", "GUESS",  # Liferay's stock full-content view
                       article_css="div.portlet-body div.asset-full-content",
                       title_css="h1.header-title, h3.header-title, h1.asset-title",
                       date_css=".metadata-publish-date",
                       summary_css=".asset-summary",
                       body_css="div.journal-content-article, div.asset-content",
                       view_css=".metadata-view-count",
                       category_css=".metadata-categories a",
                       attachment_css="div.asset-links a[href]"),
    )

    # -- links -----------------------------------------------------------------------------
    def link_href(self, href: str) -> str:
        """An href without Liferay's ``;jsessionid=`` path parameter."""
        return _JSESSIONID_RE.sub("", href.strip())

    # -- paging ----------------------------------------------------------------------------
    def listing_url(self, path: str, page: int) -> str:
        base = self.site_url.rstrip("/") + self.link_href(path)
        if page == 1:
            return base
        if not self.portlet_id:
            return f"{base}{'&' if '?' in base else '?'}cur={page}"
        ns = f"_{self.portlet_id}_"
        return (f"{base}{'&' if '?' in base else '?'}p_p_id={self.portlet_id}"
                f"&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&{ns}cur={page}")

    def _page_links(self, response: Response) -> dict[int, str]:
        """Page number → the pager's link to it."""
        found: dict[int, str] = {}
        if not self.pager_link_css:
            return found
        for href in response.css(self.pager_link_css).getall():
            href = href.strip()
            if not href or href.startswith(("javascript:", "#")):
                continue
            for key, value in parse_qsl(urlsplit(href).query):
                if self.page_key_re.match(key) and value.isdigit():
                    found.setdefault(int(value), href)
        return found

    def pager_pages(self, response: Response) -> set[int]:
        return set(self._page_links(response))

    def listing_request(self, path: str, category: str, page: int,
                        response: Response | None = None) -> scrapy.Request:
        """Page 1 from the category path; later pages from the pager's own link."""
        href = self._page_links(response).get(page) if response is not None else None
        if href is None:
            return super().listing_request(path, category, page, response)
        url = self.site_link(response, self.link_href(href))
        return scrapy.Request(self.fetch_url(url), callback=self.parse_listing,
                              cb_kwargs={"path": path, "category": category, "page": page})

    # -- article ---------------------------------------------------------------------------
    def attachment_links(self, block: Selector, body: SelectorList
                         ) -> list[tuple[str, str | None]]:
        """Besides plain document links: Documents & Media links, whose file name is the
        segment before the uuid (``/documents/20182/0/Ke+hoach.pdf/3f1e…?t=…``)."""
        links = super().attachment_links(block, body)
        for a in body.css("a[href]"):
            parts = urlsplit(a.attrib["href"]).path.rstrip("/").split("/")
            if (len(parts) >= 3 and "documents" in parts[:3]
                    and DOCUMENT_EXTENSIONS.search(parts[-2])):
                links.append((a.attrib["href"], text_of(a) or a.attrib.get("title")))
        return links
