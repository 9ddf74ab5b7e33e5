"""Phú Thọ DOST: sokhoahoccongnghe.phutho.gov.vn (alias sokhcn.phutho.gov.vn).

Facts (tags as in research/sites.md (shared notes); section numbers cited):

- Host ``sokhoahoccongnghe.phutho.gov.vn``: CONFIRMED (3.3). ``sokhcn.phutho.gov.vn`` is
  registered as an alias (crawler/registry/sites.toml) so a link on it canonicalizes to the
  main host; that the alias resolves at all is a GUESS (no public trace of it, 3.3).
- Article URLs ``/<slug>-n<id>``: CONFIRMED (3.3; n764 ≈ 2015, n2884 ≈ 2018, n8447 Oct 2025).
  Whether any slug is accepted for an id (or redirects to the right one): GUESS.
- Visible order on an article page: header with the province/department names, a weekday
  date line, the toolbar "Từ viết tắt / Xem với cỡ chữ / Đọc bài viết / Tương phản", title,
  body with image captions as separate lines: CONFIRMED (3.3, seed 004). The article ends
  with "Theo most.gov.vn", "Lượt xem: 31" glued to "BÀI VIẾT KHÁC", whose items show the
  title twice, a lead and "Ngày dd/mm/yyyy": CONFIRMED as text (seed 004), not tied to markup.
- The header date line is treated as the page's *today* date, never a publish date (DESIGN
  convention; for this site a GUESS, 3.3 "Caution"). The article page shows no other date
  (seed 004), so the date comes from the listing's "Ngày dd/mm/yyyy": GUESS that category
  listings print it as "BÀI VIẾT KHÁC" does.
- Listing path ``/tin-tuc-su-kien`` with ``?page=N`` and a numbered pager: GUESS.
- Every CSS class (``h2.articletitle``, ``div.articletext``, ``div.item-news`` …): GUESS,
  named after the mojoPortal fork whose toolbar labels match (2.7); see
  crawler/platforms/phutho.py.
"""

from crawler.platforms.phutho import NidSlugSpider


class PhuthoSpider(NidSlugSpider):
    name = "phutho"
    site_url = "https://sokhoahoccongnghe.phutho.gov.vn"
    categories = {"/tin-tuc-su-kien": "Tin tức - Sự kiện"}  # GUESS
