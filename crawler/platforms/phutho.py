"""``NidSlugSpider``: the unidentified CMS of sokhoahoccongnghe.phutho.gov.vn (``/<slug>-n<id>``).

Why a platform of its own: the article URL form ``/<slug>-n<id>`` is CONFIRMED (sites.md
3.3: n764 about 2015, n2884 in 2018, n8447 in Oct 2025, so ids grow over time), but the CMS
behind it is unidentified. Its accessibility toolbar ("Từ viết tắt / Xem với cỡ chữ / Đọc bài
viết / Tương phản", seed 004) carries the same labels as a Vietnamese mojoPortal fork
(sites.md 2.7), whose URLs do not look like this at all; so the class names below borrow the
fork's (``h2.articletitle``, ``div.articletext``) as a GUESS and live in class attributes, to
be corrected in one place once the live HTML has been seen.

What this base knows about pages of the family (seed 004):

- The header prints a weekday and a date ("Chủ Nhật, 17/03/2024") above the article. The
  project treats it as the header's *today* date, never as a publish date: no selector of
  this base reads the header, and ``date_css`` is None because the seed article shows no
  date of its own. The date therefore comes from the listing ("Ngày dd/mm/yyyy" under each
  item, the form of the "BÀI VIẾT KHÁC" block), which ``ArchiveSpider.parse_article_page``
  copies into ``published_raw`` when the page has none. (If a live check shows the header
  date to be the article's own date, set ``date_css`` in the site spider; see the report.)
- The article ends with a source line ("Theo most.gov.vn"), then "Lượt xem: N" glued to the
  "BÀI VIẾT KHÁC" heading; the view counter is read from its own element, the source line is
  lifted out of the body by the normalizer.
- Image captions are separate lines under each image.

Listing pages are a GUESS: ``/<category>?page=N`` with a numbered pager; items laid out
like the "BÀI VIẾT KHÁC" block (image whose alt is the title, the title link, the lead,
"Ngày dd/mm/yyyy"), which is why seed 004 shows each title twice.
"""

from __future__ import annotations

import re

from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant


class NidSlugSpider(SelectorSpider):
    """Base of sites whose articles live at ``/<slug>-n<id>`` (Phú Thọ DOST)."""

    #: Article URL paths: CONFIRMED form ``/<slug>-n<id>``; anything else is not an article.
    article_path_re = re.compile(r"^/[^/]+-n(?P<id>\d+)/?$")
    page_param = "page"  # GUESS

    # One variant of each kind: the CMS is unidentified, so no other layout is known.
    listing_variants = (listing_variant(
        "list-news", "GUESS",
        listing_item_css="div.list-news div.item-news",
        listing_link_css="h3.title a",
        listing_date_css="div.date",
        listing_summary_css="div.des",
        pager_link_css="ul.pagination a::attr(href)"),)
    detail_variants = (detail_variant(
        "articletext", "GUESS",  # named after the mojoPortal fork of sites.md 2.7
        article_css="div.article-detail",
        title_css="h2.articletitle",
        body_css="div.articletext",
        #: No publish date on the article page (seed 004); never the header date.
        date_css="",
        view_css="span.luot-xem",
        attachment_css="div.article-file a[href]"),)
