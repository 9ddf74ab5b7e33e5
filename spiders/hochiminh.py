"""Sở Khoa học và Công nghệ TP. Hồ Chí Minh: dost.hochiminhcity.gov.vn.

Domain:
    ``dost.hochiminhcity.gov.vn``: CONFIRMED (§3.5). The same article answers over http and
    https (CONFIRMED, §4); canonical URLs use https. The city absorbed Bình Dương and Bà
    Rịa–Vũng Tàu on 1/7/2025 (CONFIRMED, §1.3); their DOST sites (khcnbinhduong.gov.vn …)
    are separate sites, not crawled here.

Platform:
    A WordPress-like portal whose article URLs are ``/<section>/<slug>/`` with no numeric
    id (registry platform ``hochiminh``); read through the selector base ``SelectorSpider``
    (crawler/platforms/selectors.py).

Evidence:
    Registry: crawler/registry/sites.toml [hochiminh]. Research: sites.md §1.3, §1.4, §3.5
    and the quirks table in §4.

    - CONFIRMED (§3.5): lists ``/hoat-dong-so-khcn/?page=N`` and
      ``/hoat-dong-so-khcn?page=N``.
    - REPORTED (§3.5, public code): articles ``/hoat-dong-so-khcn/<slug>/``,
      ``/tin-tuc-khcn/<slug>/``, ``/thong-bao/<slug>/``.
    - REPORTED (§3.5): files ``/documents/<id>/<file>.pdf``.
    - CONFIRMED as page text (§3.5): image captions that are only the file stem ("ttet1");
      not kept as captions.
    - CONFIRMED (§1.4): old ASP.NET ``default.aspx`` links in old pages; ignored.

Caveats:
    - GUESS: the list page ``/tin-tuc-khcn/``, after the CONFIRMED ``/hoat-dong-so-khcn/``
      one.
    - GUESS: every CSS class and the date formats (WordPress-like markup).
"""

from crawler.platforms.hochiminh import SectionSlugSpider


class HochiminhSpider(SectionSlugSpider):
    name = "hochiminh"
    site_url = "https://dost.hochiminhcity.gov.vn"
    article_sections = ("hoat-dong-so-khcn", "tin-tuc-khcn", "thong-bao")  # REPORTED
    categories = {
        "/hoat-dong-so-khcn/": "Hoạt động Sở KH&CN",  # CONFIRMED path; name GUESS
        "/tin-tuc-khcn/": "Tin tức KH&CN",  # GUESS: list of a REPORTED article section
    }
