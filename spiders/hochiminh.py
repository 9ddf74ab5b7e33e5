"""Sở Khoa học và Công nghệ TP. Hồ Chí Minh: dost.hochiminhcity.gov.vn.

Facts (tags as in research/sites.md (shared notes); section numbers cited):

- Host ``dost.hochiminhcity.gov.vn``: CONFIRMED (3.5). The city absorbed Bình Dương and Bà
  Rịa–Vũng Tàu on 1/7/2025 (CONFIRMED, 1.3); their DOST sites (khcnbinhduong.gov.vn …) are
  separate sites, not crawled here.
- Lists ``/hoat-dong-so-khcn/?page=N`` and ``/hoat-dong-so-khcn?page=N``: CONFIRMED (3.5).
- Articles ``/hoat-dong-so-khcn/<slug>/``, ``/tin-tuc-khcn/<slug>/``, ``/thong-bao/<slug>/``:
  REPORTED (3.5, public code). The list page ``/tin-tuc-khcn/`` is a GUESS after the
  CONFIRMED ``/hoat-dong-so-khcn/`` one.
- The same article over http and https: CONFIRMED (section 4); canonical URLs use https.
- Files ``/documents/<id>/<file>.pdf``: REPORTED (3.5).
- Image captions that are only the file stem ("ttet1"): CONFIRMED as page text (3.5); not
  kept as captions.
- Old ASP.NET ``default.aspx`` links in old pages: CONFIRMED (1.4); ignored.
- Every CSS class and the date formats: GUESS (WordPress-like, see
  crawler/platforms/hochiminh.py).
"""

from crawler.platforms.hochiminh import SectionSlugSpider


class HochiminhSpider(SectionSlugSpider):
    name = "hochiminh"
    site_url = "https://dost.hochiminhcity.gov.vn"
    article_sections = ("hoat-dong-so-khcn", "tin-tuc-khcn", "thong-bao")  # REPORTED
    categories = {
        "/hoat-dong-so-khcn/": "Hoạt động Sở KH&CN",  # CONFIRMED path; name GUESS
        "/tin-tuc-khcn/": "Tin tức KH&CN",  # GUESS: list of a REPORTED article section
    }
