"""Sơn La DOST, old site: sokhoahoc.sonla.gov.vn (superseded by sokhcn.sonla.gov.vn).

Domain:
    ``sokhoahoc.sonla.gov.vn`` (CONFIRMED, §3.2), superseded by sokhcn.sonla.gov.vn (spider
    ``sonla``).

Platform:
    An unidentified portal with numeric path segments: ``NumericPathSpider``
    (crawler/platforms/sonla_legacy.py), a base of its own because no public code names the
    CMS.

Evidence:
    Registry: crawler/registry/sites.toml [sonla_legacy]. Research: sites.md §1.4 and §3.2;
    seed 003.

    - CONFIRMED (§3.2): the article URL form
      ``/1288/30956/65206/561753/tin-tuc-tong-hop/<slug>``; the category slug
      ``tin-tuc-tong-hop`` (in that URL).
    - CONFIRMED (§3.2): static pages with bare slugs (``/lich-su-hinh-thanh-va-phat-trien``);
      the listing keeps only links of the article form, inside the list container.
    - CONFIRMED (§3.2): "Lượt xem: N" right after the title, then the body. CONFIRMED as text
      (seed 003), HTML classes unknown (§3.2): byline at the end, "Tin khác", pager
      "1 2 3 4 5 ...", "Thông tin mới nhất", "Thống kê truy cập".
    - CONFIRMED as text (seed 003): no publish date on the article page. The body's first
      words ("Ngày 05/6/2023, …") are the event date and are never read as the publish date.

Caveats:
    - GUESS (§3.2): that the last number of the article URL is the article id.
    - GUESS: the listing URL ``/1288/30956/65206/tin-tuc-tong-hop`` with ``?page=N``, a date
      printed under each listing item, and every CSS class (nothing of this site's HTML has
      been seen).
    - Unknown (§1.4): whether the old host still answers or redirects to
      sokhcn.sonla.gov.vn.
"""

from crawler.platforms.sonla_legacy import NumericPathSpider


class SonlaLegacySpider(NumericPathSpider):
    name = "sonla_legacy"
    site_url = "https://sokhoahoc.sonla.gov.vn"
    categories = {"/1288/30956/65206/tin-tuc-tong-hop": "Tin tức tổng hợp"}  # path GUESS
