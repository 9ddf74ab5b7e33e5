"""Sở KH&CN Vĩnh Phúc, sokhcn.vinhphuc.gov.vn: SharePoint, ``/noidung/`` flavour.

Domain:
    ``sokhcn.vinhphuc.gov.vn``; it answers on http and https (CONFIRMED), canonical URLs use
    https. The province was merged into Phú Thọ on 1/7/2025.

Platform:
    SharePoint, the Vĩnh Phúc ``/noidung/`` family: ``SharePointListSpider``
    (crawler/platforms/sharepoint.py; registry platform ``sharepoint_vinhphuc``).

Evidence:
    Registry: crawler/registry/sites.toml [vinhphuc]. Research: sites.md §2.2, §3.1 and the
    quirks table in §4.

    - CONFIRMED: articles are SharePoint list items at
      ``/noidung/<sub>/Lists/<List>/View_Detail.aspx?ItemID=N`` (e.g.
      ``/noidung/ky-yeu/Lists/KyYeuDeTaiDuAnKHCN/View_Detail.aspx?ItemID=3``); ItemIDs are
      per-list sequences, so the list path is part of the identity.
    - CONFIRMED: the page text is the title, the date alone on its own line (``17/05/2013``,
      ``15/11/2021``: dd/mm/yyyy, no time), the body ending with the author's name ("Thu
      Huyên"), then the "Các tin đã đưa ngày:" date-archive filter and older items
      "Title (dd/mm/yyyy)"; that block is not article text.
    - REPORTED: list names may be Vietnamese with spaces, percent-encoded in links
      ("Điểm tham quan" on vinhphuc.gov.vn); raw and encoded hrefs must give one URL.
    - REPORTED for vinhphuc.gov.vn: the server needs TLS 1.2 with ``DEFAULT@SECLEVEL=1``
      ciphers (``legacy_tls``).

Caveats:
    - GUESS for this subdomain: that it needs the same legacy TLS as vinhphuc.gov.vn
      (``legacy_tls`` is set).
    - GUESS: the DOST news list names (``/noidung/tintuc/Lists/TinTuc`` and
      ``/noidung/tintuc/Lists/Tin hoạt động``); the listing page ``View_List.aspx?Page=N``
      (newest first); every HTML class name (see crawler/platforms/sharepoint.py).
    - GUESS: the site froze when the province was merged into Phú Thọ (1/7/2025); the
      ``/APIVP/api/DSTinTuc/QUERYDATA`` JSON API of vinhphuc.gov.vn (REPORTED there) is not
      known to exist on this subdomain, so the HTML lists are walked instead.
"""

from __future__ import annotations

from crawler.platforms.sharepoint import SharePointListSpider


class VinhPhucSpider(SharePointListSpider):
    """Sở KH&CN Vĩnh Phúc (CONFIRMED URL shape; GUESS list names and markup)."""

    name = "vinhphuc"
    site_url = "https://sokhcn.vinhphuc.gov.vn"
    legacy_tls = True
    categories = {
        "/noidung/tintuc/Lists/TinTuc/View_List.aspx": "Tin tức - Sự kiện",
        "/noidung/tintuc/Lists/Tin hoạt động/View_List.aspx": "Tin hoạt động",
    }
