"""Bộ Khoa học và Công nghệ (the ministry, MST): mst.gov.vn on the mediacdn CMS.

Domain:
    ``mst.gov.vn`` (``www.mst.gov.vn`` an alias in the registry), the ministry portal since
    the merger with the former MIC (Nghị định 55/2025/NĐ-CP): CONFIRMED that the decree and
    the portal are cited (§1.1). The old MOST portal most.gov.vn ran a SharePoint CMS (§2.4).

Platform:
    The mediacdn CMS, same family as baochinhphu.vn: ``MediacdnSpider``
    (crawler/platforms/mediacdn.py). REPORTED (assets on ``mic.mediacdn.vn``; the family tie
    itself is a strong GUESS, §2.5).

Evidence:
    Registry: crawler/registry/sites.toml [mst]. Research: sites.md §1.1, §2.4, §2.5 and §6.

    - REPORTED (a public scraper's configuration, §2.5): the category page
      ``/tin-tuc-su-kien.htm``.
    - CONFIRMED in URLs cited by public code (§2.5): article URLs ``/<slug>-<id>.htm`` with
      18-digit ids ``197`` + yymmdd + HHMMSS + 3 digits and short legacy ids
      (``-197148521.htm``). The id's timestamp is used as date *context* only (see
      crawler/platforms/mediacdn.py).
    - REPORTED (§2.5, §6): list links ``div.box-category-item a[href]``; sapo
      ``div.detail-sapo`` with the meta description / og:description as fallback.
    - REPORTED (§2.5, §6): the per-day archive
      ``/tin-tuc-su-kien/xem-theo-ngay-<dd-mm-yyyy>.htm``; used by ``-a days=…`` /
      ``-a backfill_from=…``.
    - REPORTED (§1.1): documents on ``mic.mediacdn.vn/document/<yyyy>/<m>/<d>/<file>.pdf``.

Caveats:
    - Unknown: whether most.gov.vn redirects here.
    - GUESS: paging ``/tin-tuc-su-kien/trang-<n>.htm``; the article date markup
      ``span.publish-date`` ("16/06/2025 20:13"); every other class name of the listing and
      the article (see the platform module).
    - RSS or a sitemap (open question 6 in sites.md) is not used.
"""

from crawler.platforms.mediacdn import MediacdnSpider


class MstSpider(MediacdnSpider):
    name = "mst"
    site_url = "https://mst.gov.vn"
    id_prefix = "197"  # CONFIRMED (2.5)
    categories = {"/tin-tuc-su-kien.htm": "Tin tức - Sự kiện"}  # REPORTED
