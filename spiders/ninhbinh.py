"""Sở Khoa học và Công nghệ tỉnh Ninh Bình: sokhcn.ninhbinh.gov.vn (VNPT Portal).

Domain:
    ``sokhcn.ninhbinh.gov.vn`` (REPORTED by public Ninh Bình scrapers, §2.1 and §6). Ninh
    Bình absorbed Nam Định and Hà Nam on 1/7/2025 (sites.md §1.3, CONFIRMED); the site
    carries the merged department's news.

Platform:
    VNPT Portal (REPORTED, §2.1 and §6): ``VnptSpider`` (crawler/platforms/vnpt.py).
    Everything not set here, including the other known list and detail variants of VNPT
    Portal and the fallback when none matches, is the platform base's.

Evidence:
    Registry: crawler/registry/sites.toml [ninhbinh]. Research: sites.md §1.3, §2.1, §4 and
    §6.

    - REPORTED (public Ninh Bình scrapers, §2.1 and §6): list pages ``/tin-hoat-dong-cua-so``,
      ``/tin-khcn-trong-nuoc`` (and ``/tin-hoat-dong-cua-tinh``, not crawled: the province's
      news, and a third category would make the unchanged re-crawl heavier); the
      ``UIListNews_Default`` list module (also ``.list-news .item a``); paging by
      ``POST …/ArticleInMenuPagination.aspx/LoadArticle`` with form-encoded fields (the Ninh
      Bình scraper's encoding) answered by a bare HTML fragment; the
      ``ArticleDetailControl`` detail markup; the body ends with "Tác giả:" and "Nguồn:" /
      "Ảnh:" credit lines (the VNPT base lifts them into ``author`` / ``source``).
    - REPORTED: article URLs ``/<category>/<slug>-<id>``.
    - CONFIRMED (on en.sonla.gov.vn, another VNPT site): list dates ``dd/mm/yyyy``.

Caveats:
    - GUESS: that the id is 6 digits.
    - GUESS: the item's inner markup, that the list module's inline JS carries the
      LoadArticle parameters as on other VNPT sites, the ``PostDate`` format ("20/11/2025
      08:30"), the breadcrumb, and a header printing today's date, which is never read.
"""

from __future__ import annotations

from crawler.platforms.vnpt import VnptSpider


class NinhbinhSpider(VnptSpider):
    name = "ninhbinh"
    site_url = "https://sokhcn.ninhbinh.gov.vn"
    categories = {
        "/tin-hoat-dong-cua-so": "Tin hoạt động của Sở",  # REPORTED
        "/tin-khcn-trong-nuoc": "Tin KH&CN trong nước",  # REPORTED
    }
    listing_variant = "UIListNews_Default"  # REPORTED
    pagination_encoding = "form"  # REPORTED (Ninh Bình scraper)
    category_css = "div.breadcrumb a:last-of-type"  # GUESS
