"""Sở Khoa học và Công nghệ tỉnh Quảng Trị: sokhcn.quangtri.gov.vn (Liferay).

Domain:
    ``sokhcn.quangtri.gov.vn``; the old site was dostquangtri.gov.vn (§1.4). Quảng Trị
    absorbed Quảng Bình on 1/7/2025 (sites.md §1.3, CONFIRMED); the site carries the merged
    department's news.

Platform:
    Liferay (stock markup and a ``CmsViewEcoITportlet`` list portlet): ``LiferaySpider``
    (crawler/platforms/liferay.py).

Evidence:
    Registry: crawler/registry/sites.toml [quangtri]. Research: sites.md §1.3, §1.4, §2.6,
    §3.5 and the quirks table in §4.

    - CONFIRMED (§2.6, seen at /chi-tiet-tin/-/view-article/1/1663228888354/1663239191717):
      article URLs ``/chi-tiet-tin/-/view-article/1/<13 digits>/<13 digits>`` (``/-/`` = a
      Liferay friendly URL); the visible label ``Ngày đăng: 05-05-2021`` (dd-mm-yyyy); the
      HTML title "Chi tiết tin - Sở Khoa học và Công nghệ", which is the page's and never the
      article's title.
    - CONFIRMED on the old site dostquangtri.gov.vn (§1.4, §3.5, §4): the header prints
      today's date ("Chủ Nhật ngày 05/12/2021") above the article.
    - REPORTED (§2.6, for moit.gov.vn / vast.gov.vn ``CmsViewEcoITportlet`` lists): listing
      pages are paged by a namespaced ``_<portlet>_cur=N`` parameter.
    - REPORTED (§2.6, Bắc Ninh's Liferay): Documents & Media file URLs
      ``/documents/<group>/<folder>/<title>/<uuid>?t=<ms>``.

Caveats:
    - GUESS that the new site prints today's date in its header too; the spider reads the
      date only from the article block's "Ngày đăng" label.
    - GUESS: the two 13-digit numbers are a category id and the article id, both millisecond
      timestamps (the example's are both from Sept 2022, the likely launch of the new site).
    - GUESS for this site: the ``_<portlet>_cur=N`` paging, as is the portlet id; the spider
      follows the page iterator's own links, so only the ``cur`` suffix has to be right.
    - GUESS: the listing paths ``/tin-tuc-su-kien`` and ``/tin-tong-hop`` (after the old
      site's "Tin tức - Sự kiện: Tin tổng hợp", §3.5), and every class name (Liferay stock
      markup: ``asset-abstract``, ``taglib-page-iterator``, ``journal-content-article``; the
      article portlet's ``view-article`` block; the main column ``#column-1``, which keeps
      the right column's "Tin mới nhất" asset publisher out of the listing).
"""

from __future__ import annotations

from crawler.platforms.liferay import LiferaySpider


class QuangtriSpider(LiferaySpider):
    name = "quangtri"
    site_url = "https://sokhcn.quangtri.gov.vn"
    categories = {
        "/tin-tuc-su-kien": "Tin tức - Sự kiện",  # GUESS
        "/tin-tong-hop": "Tin tổng hợp",  # GUESS (old site's section name, 3.5)
    }
    portlet_id = "CmsViewEcoITportlet_WAR_CmsViewEcoITportlet"  # GUESS (REPORTED elsewhere)
    #: Only the main column's list: the right column has a look-alike "Tin mới nhất" list.
    listing_item_css = "#column-1 div.portlet-body div.asset-abstract"  # GUESS
