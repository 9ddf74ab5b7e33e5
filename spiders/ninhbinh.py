"""Sở Khoa học và Công nghệ tỉnh Ninh Bình: sokhcn.ninhbinh.gov.vn (VNPT Portal).

Ninh Bình absorbed Nam Định and Hà Nam on 1/7/2025 (sites.md 1.3, CONFIRMED); the site
carries the merged department's news. Facts, tagged as in /work/shared/research/sites.md
(sections 2.1, 4 and 6):

- REPORTED (public Ninh Bình scrapers, 2.1 and 6): the host and the VNPT Portal platform;
  list pages ``/tin-hoat-dong-cua-so``, ``/tin-khcn-trong-nuoc`` (and
  ``/tin-hoat-dong-cua-tinh``, not crawled: the province's news, and a third category would
  make the unchanged re-crawl heavier); list items ``.UIListNews_Default .item a`` (also
  ``.list-news .item a``); paging by ``POST …/ArticleInMenuPagination.aspx/LoadArticle``
  with form-encoded fields (the Ninh Bình scraper's encoding) answered by a bare HTML
  fragment; detail ``div.ArticleHeader``, ``div.PostDate``, ``div.ArticleSummary``,
  ``div.ArticleContent``; the body ends with "Tác giả:" and "Nguồn:" / "Ảnh:" credit lines,
  which this spider lifts into ``author`` / ``source`` (the photographer's credit is dropped
  from the body: the archive has no field for it).
- REPORTED: article URLs ``/<category>/<slug>-<id>``; the 6-digit id is a GUESS.
- CONFIRMED (on en.sonla.gov.vn, another VNPT site): list dates ``dd/mm/yyyy``.
- GUESS: the item's inner markup (``h3.Title a``, ``div.Ngaydang``, ``p``), that the list
  module's inline JS carries the LoadArticle parameters as on other VNPT sites, the
  ``PostDate`` format ("20/11/2025 08:30"), and a header printing today's date, which is
  never read.
"""

from __future__ import annotations

import re

from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.items import RawArticle
from crawler.platforms.selectors import text_of
from crawler.platforms.vnpt import VnptSpider

#: A credit line ending the body: "Tác giả: X", "Nguồn: Y", "Ảnh: Z" (REPORTED).
CREDIT_RE = re.compile(r"^(?P<label>tác\s+giả|nguồn(?:\s+tin)?|ảnh)\s*:\s*(?P<value>\S.*)$",
                       re.IGNORECASE)


class NinhbinhSpider(VnptSpider):
    name = "ninhbinh"
    site_url = "https://sokhcn.ninhbinh.gov.vn"
    categories = {
        "/tin-hoat-dong-cua-so": "Tin hoạt động của Sở",  # REPORTED
        "/tin-khcn-trong-nuoc": "Tin KH&CN trong nước",  # REPORTED
    }
    article_path_re = re.compile(r"^/[a-z0-9-]+/[a-z0-9-]+-\d+/?$")  # REPORTED shape

    # The UIListNews_Default list variant (REPORTED); inner markup GUESS.
    listing_module_css = "div.UIListNews_Default"
    listing_item_css = "div.UIListNews_Default .item"
    ajax_item_css = "div.item"
    listing_link_css = "h3.Title a"
    listing_date_css = "div.Ngaydang"
    listing_summary_css = "p"
    pager_css = "div.UIListNews_Default ul.pagination li.page-item.page-number[data-page]"
    pagination_encoding = "form"  # REPORTED (Ninh Bình scraper)
    category_css = "div.breadcrumb a:last-of-type"  # GUESS

    # -- credit lines ------------------------------------------------------------------------
    @staticmethod
    def credit_lines(node: Selector) -> list[tuple[str, str]] | None:
        """(label, value) of each line of ``node`` if every line is a credit, else None.
        A label and its value may sit in separate elements ("<b>Tác giả:</b> Minh Anh")."""
        merged: list[str] = []
        for text in (" ".join(t.split()) for t in node.xpath(".//text()").getall()):
            if not text:
                continue
            if merged and merged[-1].endswith(":"):
                merged[-1] = f"{merged[-1]} {text}"
            else:
                merged.append(text)
        found = [CREDIT_RE.match(line) for line in merged]
        if not found or not all(found):
            return None
        return [(m["label"].lower(), m["value"].strip()) for m in found if m]

    def credit_nodes(self, body: Selector) -> list[tuple[Selector, list[tuple[str, str]]]]:
        """The credit paragraphs that end the body, with their credits, last first."""
        found = []
        for node in reversed(body.xpath("./*")):
            if not text_of(node):
                continue
            credits = self.credit_lines(node)
            if credits is None:
                break
            found.append((node, credits))
        return found

    def clean_body_html(self, body: Selector) -> str:
        """The body without toolbars (the platform's cleaning) and without its credits."""
        node = Selector(text=super().clean_body_html(body)).css("body > *")[0]
        for credit, _credits in self.credit_nodes(node):
            credit.drop()
        return node.get()

    def credits(self, body: SelectorList) -> tuple[str | None, str | None]:
        if not body:
            return None, None
        node = Selector(text=super().clean_body_html(body[0])).css("body > *")[0]
        author = source = None
        for _node, credits in self.credit_nodes(node):
            for label, value in credits:
                if label.startswith("nguồn"):
                    source = value
                elif label.startswith("tác"):
                    author = value
        return author, source

    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        author, source = self.credits(self.article_block(response).css(self.body_css))
        raw.author = raw.author or author
        raw.source = raw.source or source
        return raw
