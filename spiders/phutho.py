"""Phú Thọ DOST: sokhoahoccongnghe.phutho.gov.vn (alias sokhcn.phutho.gov.vn).

Domain:
    ``sokhoahoccongnghe.phutho.gov.vn``: CONFIRMED (§3.3). ``sokhcn.phutho.gov.vn`` is
    registered as an alias so a link on it canonicalizes to the main host.

Platform:
    An unidentified CMS with ``/<slug>-n<id>`` article URLs: ``NidSlugSpider``
    (crawler/platforms/phutho.py). Its class names are borrowed from the Vietnamese mojoPortal
    fork whose toolbar labels match (§2.7).

Evidence:
    Registry: crawler/registry/sites.toml [phutho]. Research: sites.md §2.7 and §3.3; seed
    004.

    - CONFIRMED (§3.3): article URLs ``/<slug>-n<id>`` (n764 ≈ 2015, n2884 ≈ 2018, n8447 Oct
      2025).
    - CONFIRMED (§3.3, seed 004): the visible order on an article page: header with the
      province/department names, a weekday date line, the toolbar "Từ viết tắt / Xem với cỡ
      chữ / Đọc bài viết / Tương phản", title, body with image captions as separate lines.
    - CONFIRMED as text (seed 004), not tied to markup: the article ends with "Theo
      most.gov.vn", "Lượt xem: 31" glued to "BÀI VIẾT KHÁC", whose items show the title
      twice, a lead and "Ngày dd/mm/yyyy". The article page shows no other date (seed 004).

Caveats:
    - GUESS: that the alias ``sokhcn.phutho.gov.vn`` resolves at all (no public trace of it,
      §3.3).
    - GUESS: whether any slug is accepted for an id (or redirects to the right one).
    - The header date line is treated as the page's *today* date, never a publish date
      (DESIGN convention; for this site a GUESS, §3.3 "Caution"). So the date comes from the
      listing's "Ngày dd/mm/yyyy": GUESS that category listings print it as "BÀI VIẾT KHÁC"
      does.
    - GUESS: the listing path ``/tin-tuc-su-kien`` with ``?page=N`` and a numbered pager.
    - GUESS: every CSS class (``h2.articletitle``, ``div.articletext``, ``div.item-news`` …),
      named after the mojoPortal fork (§2.7); see crawler/platforms/phutho.py.
"""

from crawler.platforms.phutho import NidSlugSpider


class PhuthoSpider(NidSlugSpider):
    name = "phutho"
    site_url = "https://sokhoahoccongnghe.phutho.gov.vn"
    categories = {"/tin-tuc-su-kien": "Tin tức - Sự kiện"}  # GUESS
