"""Sở Khoa học và Công nghệ tỉnh Sơn La, post-merger site: sokhcn.sonla.gov.vn.

Domain:
    ``sokhcn.sonla.gov.vn`` (CONFIRMED), the successor of the old site sokhoahoc.sonla.gov.vn
    (spider ``sonla_legacy``).

Platform:
    VNPT Portal: ``VnptSpider`` (crawler/platforms/vnpt.py). That the site runs VNPT Portal
    is a GUESS (strong), so every selector comes from the VNPT platform base and is REPORTED
    for other VNPT sites (Ninh Bình, Hải Phòng, Lào Cai), not seen on this host.

Evidence:
    Registry: crawler/registry/sites.toml [sonla]. Research: sites.md §2.1 and §3.2.

    - CONFIRMED: the host and the article URL shape ``/<section>/<slug>-<6-digit id>``
      (``/english/organizational-structure-…-928344``). The content cites Thông tư
      10/2025/TT-BKHCN, so the site carries articles from mid-2025 on, after the DOST–DIC
      merger.
    - CONFIRMED for the URLs: the 6-digit id is shared with en.sonla.gov.vn (``…-933452``),
      i.e. one id sequence across the province's VNPT sites.
    - CONFIRMED on en.sonla.gov.vn lists: listing dates ``dd/mm/yyyy``.

Caveats:
    - GUESS: a "Chuyển đổi số" section (after the DOST–DIC merger).
    - GUESS: the detail-page ``div.PostDate`` format ("06/11/2025 08:30").
    - GUESS: the Vietnamese category slugs ``/tin-tuc-su-kien`` and ``/chuyen-doi-so`` (the
      usual VNPT slugs of the section names; not seen on this host).
    - GUESS: the LoadArticle encoding, a JSON body answered as ``{"d": "…"}`` (ASP.NET page
      methods usually want JSON; hoinongdan.org.vn's scraper sends JSON, Ninh Bình's and Hải
      Phòng's send form fields). Switch ``pagination_encoding`` to "form" if the live site
      answers JSON with an error page.
    - GUESS for this host: the header prints today's date ("Thứ Năm, 20/11/2025"), as many VN
      portals do; the date is taken from ``div.PostDate`` only, never from the header.
"""

from __future__ import annotations

from crawler.platforms.vnpt import VnptSpider


class SonlaSpider(VnptSpider):
    name = "sonla"
    site_url = "https://sokhcn.sonla.gov.vn"
    categories = {
        "/tin-tuc-su-kien": "Tin tức - Sự kiện",  # GUESS
        "/chuyen-doi-so": "Chuyển đổi số",  # GUESS: ex-DIC topic after 1/3/2025
    }
    pagination_encoding = "json"  # GUESS
    view_css = "div.ArticleViewCount"  # GUESS
    category_css = "div.breadcrumb a:last-of-type"  # GUESS
