"""Sở Khoa học và Công nghệ thành phố Cần Thơ: sokhcn.cantho.gov.vn.

Domain:
    ``sokhcn.cantho.gov.vn``. The city absorbed neighbouring provinces on 1/7/2025 (sites.md
    §1.3 lists the merger wave; Cần Thơ's part in it is BACKGROUND): the host is unchanged as
    far as is known.

Platform:
    A custom ASP.NET WebForms + Telerik portal (one ``default.aspx`` page, ``pid``/``nid``/
    ``cid``/``p`` query keys) whose source is public (registry platform ``cantho_aspnet``);
    read through the selector base ``SelectorSpider`` (crawler/platforms/selectors.py).

Evidence:
    Registry: crawler/registry/sites.toml [cantho]. Research: sites.md §1.3, §2.9 and §4.

    - The site's source code is public (manyud351/SoKHCN, ASP.NET WebForms + Telerik):
      CONFIRMED as source; that the live site runs it: REPORTED (§2.9). The meta description
      reads "Sở Khoa học và Công nghệ thành phố Cần Thơ" (CONFIRMED as source, §2.9); pages
      declare UTF-8 (CONFIRMED as source, §4).
    - REPORTED (§2.9, public code): the article URL ``/default.aspx?nid=17522&pid=57``.
      ``pid=57`` is the detail page in every news link of the source (CONFIRMED as source);
      both keys stay in the canonical URL.
    - CONFIRMED as source (``SiteEntities/Pages/chi-tiet.ascx``, §2.9): the detail markup
      ``div.snew`` / ``div.date-title`` / ``div.snew-title`` / ``div.font-pluss`` /
      ``div.snew-head`` / ``div.snew-content`` / source line / "File đính kèm" links; the
      date format ``dd/MM/yyyy HH:mm`` (its code-behind).
    - CONFIRMED as source (``chuyen-muc-s1.ascx``), not seen live: the listing markup (lead
      items, "TIN TIẾP THEO" with ``div.date-created``) and the ``p`` paging parameter.

Caveats:
    - GUESS: the two category pages' ``pid``/``cid`` numbers and names, the pager HTML, the
      key order in generated URLs, and what editors put in the ``Source`` field. Paging is
      modelled as plain ``p=N`` GET links, as the source builds them, not as Telerik
      postbacks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.items import RawArticle
from crawler.normalize.bylines import split_source_line
from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant, text_of


class CanthoSpider(SelectorSpider):
    """The KHCNCT portal, ``default.aspx`` with ``pid``/``nid``/``cid``/``p``: a custom
    ASP.NET WebForms + Telerik portal only this site runs, so it is the spider's own code,
    not a platform base.

    The site's source is public (manyud351/SoKHCN, project ``KHCNCT.Web``; research/sites.md
    2.9), so much of the markup below is CONFIRMED *as source*; that the live site still runs
    this code is REPORTED (its URL form ``/default.aspx?nid=17522&pid=57`` is cited by public
    code). What the source shows:

    - One page, ``default.aspx``, renders every page type: ``pid`` picks the portal page (and
      with it the page control), ``nid`` the news item, ``cid`` the category, ``p`` the listing
      page. Articles are ``GenerateUrl(57, "nid=" + Id)`` (CONFIRMED as source: every news link
      is built so), i.e. ``default.aspx?nid=<id>&pid=57`` (REPORTED live form). Both keys are
      part of an article's identity: without ``pid`` the server shows another page. Links are
      therefore rewritten to ``/default.aspx?nid=<id>&pid=<pid>`` (path lower-cased: IIS is
      case-insensitive; other keys dropped), and a link is an article only if it carries a
      numeric ``nid`` (menu and category links carry ``pid``/``cid`` only).
    - Detail control ``SiteEntities/Pages/chi-tiet.ascx``: wrapper ``div.snew`` with
      ``div.date-title`` (``CreatedTime`` as ``dd/MM/yyyy HH:mm``), ``div.snew-title``,
      ``div.font-pluss`` (author: its code is commented out, so it is empty), ``div.snew-head``
      (sapo), the lead image ``asp:Image imgNews`` (an ``img`` whose id ends ``imgNews``),
      ``div.snew-content`` (body; ``src="/DesktopModules/`` rewritten to an absolute
      ``http://sokhcn.cantho.gov.vn/DesktopModules/``), then a right-aligned ``div`` with the
      ``Source`` field. After ``div.snew``: a second ``div.date-title`` "File đính kèm" followed
      by the attachment links ``<a href=FilePath>FileName</a>``; then "CÙNG CHUYÊN MỤC".
      An unknown ``nid`` answers 200 with the title "Không tìm thấy thông tin".
    - Category control ``chuyen-muc-s1.ascx``: page 1 shows 6 lead items without dates (one
      big, two beside it, three below: ``div.snew-title a``) and then "TIN TIẾP THEO", items
      ``div.snew-title-next a`` each followed by ``div.date-created`` (``dd/MM/yyyy HH:mm``) and
      ``div.snew-contextual``; later pages only the "TIN TIẾP THEO" part, offset by the 6 lead
      items. Order: ``PublishFrom desc, CreatedTime desc`` (newest first). Paging:
      ``GenerateUrl(pid, "cid=…", "p={0}")`` with "Trang:" and numbered links; the page count
      is computed without the 6-item offset, so the last page may be empty.
    - The mega menu (``vmenu.ascx``) also shows the 4 latest items of each menu category as
      ``div.snew-title a``: listing items are read inside the category control only.

    GUESS: the pager's HTML (``NT.Lib.Utilities.GenratePagingString`` is not in the repository),
    the exact order of keys in generated URLs (taken from the REPORTED ``nid=…&pid=57``), the
    category ``pid``/``cid`` numbers, the page size (10), and what editors type in ``Source``
    (a byline "Minh Anh", or "Theo …" / "Nguồn: …" for a reprint). Listing pages are plain GET
    links (``p=N``), not Telerik postbacks, so no ``__VIEWSTATE`` round trip is needed.
    """

    name = "cantho"
    site_url = "https://sokhcn.cantho.gov.vn"
    categories = {
        "/default.aspx?cid=2&pid=60": "Tin hoạt động",  # GUESS: ids and name
        "/default.aspx?cid=3&pid=61": "Tin khoa học và công nghệ",  # GUESS: ids and name
    }

    #: The portal page that renders a news item (CONFIRMED as source, REPORTED live).
    detail_pid = "57"
    #: Keys that identify an article, in the order generated URLs use (REPORTED form).
    id_keys = ("nid", "pid")
    page_param = "p"  # CONFIRMED as source

    # -- listing (CONFIRMED as source, chuyen-muc-s1.ascx; no other layout is known) -------
    listing_variants = (listing_variant(
        "chuyen-muc-s1", "CONFIRMED as source",
        #: Lead items (page 1) and "TIN TIẾP THEO" items, inside the category control only.
        listing_item_css=("div.content-first div.first-content div.snew-title, "
                          "div.content-first div.first-foot div.snew-title, "
                          "div.snews-next div.snew-title-next"),
        listing_link_css="a[href]"),)
    #: The date and the teaser are siblings after the title ``div``, not inside it.
    listing_date_xpath = ("following-sibling::*[1]"
                          "[self::div[contains(concat(' ', @class, ' '), ' date-created ')]]")
    listing_summary_xpath = ("following-sibling::*[position() <= 2]"
                             "[self::div[contains(@class, 'snew-abstract')] or "
                             ".//div[contains(@class, 'snew-contextual')]][1]")
    pager_link_css = "div.snews-next a[href]::attr(href)"  # GUESS: links in the paging text

    # -- article (CONFIRMED as source, chi-tiet.ascx; no other layout is known) -----------
    detail_variants = (detail_variant(
        "chi-tiet", "CONFIRMED as source",
        article_css="div.snew",
        title_css="div.snew-title",
        date_css="div.date-title",
        author_css="div.font-pluss",
        summary_css="div.snew-head",
        body_css="div.snew-content",
        lead_image_css="img[id$='imgNews']"),)
    #: The editor's caption is an italic-only paragraph under the image (GUESS: RadEditor).
    italic_captions = True
    #: The right-aligned ``div`` holding the ``Source`` field, last in ``div.snew``.
    source_xpath = "./div[contains(translate(@style, ' ', ''), 'text-align:right')]"
    attachment_heading = "File đính kèm"
    not_found_title = "Không tìm thấy thông tin"

    # -- URLs ------------------------------------------------------------------------------
    def article_href(self, href: str) -> str:
        """``Default.aspx?pid=57&nid=17522&p=2`` → ``/default.aspx?nid=17522&pid=57``."""
        parts = urlsplit(href.strip())
        pairs = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
        if not pairs.get("nid", "").isdigit():
            return href.strip()
        query = urlencode([(k, pairs.get(k) or self.detail_pid) for k in self.id_keys])
        path = parts.path.lower()
        if not path.startswith("/") and not parts.netloc:
            path = "/" + path.rsplit("/", 1)[-1]
        return urlunsplit((parts.scheme, parts.netloc, path, query, ""))

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        keys = {k.lower(): v for k, v in parse_qsl(parts.query)}
        return parts.path.lower().endswith("/default.aspx") and keys.get("nid", "").isdigit()

    # -- listing ---------------------------------------------------------------------------
    def entry_date(self, item: Selector) -> str | None:
        found = item.xpath(self.listing_date_xpath)
        return text_of(found[0]) if found else None

    def entry_summary(self, item: Selector) -> str | None:
        found = item.xpath(self.listing_summary_xpath)
        return text_of(found[0]) if found else None

    # -- article ---------------------------------------------------------------------------
    def attachments(self, response: Response, block: Selector,
                    body: SelectorList) -> list[dict[str, Any]]:
        """The links after the "File đính kèm" heading (outside ``div.snew``), then document
        links inside the body."""
        heading = response.xpath(
            f"//div[contains(@class, 'date-title')]"
            f"[normalize-space()='{self.attachment_heading}']")
        links = list(heading[0].xpath("following-sibling::a[@href]")) if heading else []
        out: dict[str, dict[str, Any]] = {}
        for href, name in [(a.attrib["href"], text_of(a)) for a in links] + \
                self.attachment_links(block, body):
            if href.strip() and not href.strip().startswith(("javascript:", "#")):
                url = self.site_link(response, self.link_href(href))
                out.setdefault(url, {"url": url, "name": name or url.rsplit("/", 1)[-1]})
        return list(out.values())

    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        block = self.article_block(response)
        byline, source = split_source_line(text_of(block.xpath(self.source_xpath)))
        raw.author = raw.author or byline
        raw.source = source
        if raw.title == self.not_found_title:
            raw.title = None  # the server's "not found" page, not an article title
        return raw
