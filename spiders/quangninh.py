"""Sở KH&CN Quảng Ninh: the ``/So/sokhoahoccongnghe/`` subsite of www.quangninh.gov.vn.

Domain:
    ``www.quangninh.gov.vn``, the provincial portal, under its ``/So/sokhoahoccongnghe/``
    subsite; the canonical host is www.quangninh.gov.vn (``quangninh.gov.vn`` is an alias in
    the registry).

Platform:
    SharePoint "Trang" pages (``/Trang/ChiTietTinTuc.aspx?nid=``): ``SharePointTrangSpider``
    (crawler/platforms/sharepoint.py).

Evidence:
    Registry: crawler/registry/sites.toml [quangninh]. Research: sites.md §2.3, §3.4 and the
    quirks table in §4.

    - CONFIRMED: SharePoint "Trang" pages; articles at
      ``/So/sokhoahoccongnghe/Trang/ChiTietTinTuc.aspx?nid=N`` with ``nid`` a per-subsite
      sequence (7403, 7513, 8129 seen).
    - CONFIRMED as page text: a section heading comes first ("TIN TRONG TỈNH", "NHỮNG VẤN ĐỀ
      CHUNG") and is used as the category; then the title (sometimes in quotes) and the body;
      the author or unit line ends the body. Image captions show twice in the page text
      (seed 001); the normalizer keeps one.
    - CONFIRMED for the provincial portal: dates read ``22/09/2022 15:15`` (dd/mm/yyyy HH:MM).
    - REPORTED: attachments at ``/So/sokhoahoccongnghe/Lists/TinTuc/Attachments/<nid>/<file>``,
      file names Vietnamese and percent-encoded.

Caveats:
    - The date form "Thứ Hai, 14/12/2020, 17:29 [GMT+7]" of seed 001 is NOT confirmed for
      this site (the date parser reads both).
    - GUESS: the listing ``/So/sokhoahoccongnghe/Trang/tin-tuc-su-kien.aspx?Page=N`` (after
      the provincial portal's ``/Trang/tin-tuc-su-kien.aspx``), newest first; every HTML class
      name (see crawler/platforms/sharepoint.py); whether the subsite still updates after the
      2025 DOST/DIC merger.
"""

from __future__ import annotations

from crawler.platforms.sharepoint import SharePointTrangSpider


class QuangNinhSpider(SharePointTrangSpider):
    """Sở KH&CN Quảng Ninh (CONFIRMED URL shape; GUESS listing URL and markup)."""

    name = "quangninh"
    site_url = "https://www.quangninh.gov.vn"
    categories = {"/So/sokhoahoccongnghe/Trang/tin-tuc-su-kien.aspx": "Tin tức - Sự kiện"}
