"""Sở Khoa học và Công nghệ tỉnh Sơn La, post-merger site: sokhcn.sonla.gov.vn.

What is known and how well (research/sites.md sections 2.1 and 3.2):

- Host ``sokhcn.sonla.gov.vn`` and the article URL shape ``/<section>/<slug>-<6-digit id>``
  (``/english/organizational-structure-…-928344``): CONFIRMED. The content cites Thông tư
  10/2025/TT-BKHCN, so the site carries articles from mid-2025 on, after the DOST–DIC merger
  (hence a "Chuyển đổi số" section: GUESS).
- The 6-digit id is shared with en.sonla.gov.vn (``…-933452``), i.e. one id sequence across
  the province's VNPT sites: CONFIRMED for the URLs; that the platform is VNPT Portal is a
  GUESS (strong), so every selector below comes from the VNPT platform base and is REPORTED
  for other VNPT sites (Ninh Bình, Hải Phòng, Lào Cai), not seen on this host.
- Listing dates ``dd/mm/yyyy``: CONFIRMED on en.sonla.gov.vn lists. The detail-page
  ``div.PostDate`` format ("06/11/2025 08:30") is a GUESS.
- Vietnamese category slugs ``/tin-tuc-su-kien`` and ``/chuyen-doi-so``: GUESS (the usual
  VNPT slugs of the section names; not seen on this host).
- LoadArticle encoding: JSON body answered as ``{"d": "…"}`` is a GUESS (ASP.NET page
  methods usually want JSON; hoinongdan.org.vn's scraper sends JSON, Ninh Bình's and Hải
  Phòng's send form fields). Switch ``pagination_encoding`` to "form" if the live site
  answers JSON with an error page.
- The header prints today's date ("Thứ Năm, 20/11/2025"), as many VN portals do: GUESS for
  this host; the date is taken from ``div.PostDate`` only, never from the header.
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
