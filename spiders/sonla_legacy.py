"""Sơn La DOST, old site: sokhoahoc.sonla.gov.vn (superseded by sokhcn.sonla.gov.vn).

Facts (tags as in research/sites.md (shared notes); section numbers cited):

- Host ``sokhoahoc.sonla.gov.vn`` and the article URL form
  ``/1288/30956/65206/561753/tin-tuc-tong-hop/<slug>``: CONFIRMED (3.2). That the last number
  is the article id: GUESS (3.2). Category slug ``tin-tuc-tong-hop``: CONFIRMED (in that URL).
- Static pages with bare slugs (``/lich-su-hinh-thanh-va-phat-trien``): CONFIRMED (3.2); the
  listing keeps only links of the article form, inside the list container.
- "Lượt xem: N" right after the title, then the body: CONFIRMED (3.2). Byline at the end,
  "Tin khác", pager "1 2 3 4 5 ...", "Thông tin mới nhất", "Thống kê truy cập": CONFIRMED as
  text (seed 003), HTML classes unknown (3.2).
- No publish date on the article page (seed 003): CONFIRMED as text. The body's first words
  ("Ngày 05/6/2023, …") are the event date and are never read as the publish date.
- Listing URL ``/1288/30956/65206/tin-tuc-tong-hop`` with ``?page=N``, a date printed under
  each listing item, and every CSS class: GUESS (nothing of this site's HTML has been seen).
- Whether the old host still answers or redirects to sokhcn.sonla.gov.vn: unknown (1.4).
"""

from crawler.platforms.sonla_legacy import NumericPathSpider


class SonlaLegacySpider(NumericPathSpider):
    name = "sonla_legacy"
    site_url = "https://sokhoahoc.sonla.gov.vn"
    categories = {"/1288/30956/65206/tin-tuc-tong-hop": "Tin tức tổng hợp"}  # path GUESS
