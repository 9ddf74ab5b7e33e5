"""``NumericPathSpider``: the unidentified portal of the old Sơn La DOST site.

Why a platform of its own: sokhoahoc.sonla.gov.vn (superseded by sokhcn.sonla.gov.vn) runs a
portal nobody has identified (sites.md 3.2: no public code mentions its ``/1288/30956/`` paths).
What is known of it:

- Article URLs are four numbers, a category slug and the article slug:
  ``/1288/30956/65206/561753/tin-tuc-tong-hop/<slug>`` (CONFIRMED). The fourth number is
  probably the article id (GUESS); the first three probably name the site and its menu.
- Static pages have bare slugs: ``/lich-su-hinh-thanh-va-phat-trien`` (CONFIRMED). Menus link
  to them from every page, so a listing keeps only links of the article form above, and only
  inside its own list container (the "Thông tin mới nhất" sidebar links articles too).
- The visible text after the title is "Lượt xem: N", then the body (CONFIRMED); the body ends
  with a right-aligned byline ("Ánh Nguyệt - Tú Hảo"), then "Tin khác", a "1 2 3 4 5 ..."
  pager, "Thông tin mới nhất", "Thống kê truy cập" with visit counters (seed 003).
- The article page shows no publish date (seed 003). Its body often *starts* with a date
  ("Ngày 05/6/2023, …"): that is the date of the event, not of publication, and nothing here
  reads it. The date comes from the listing entry, which ``ArchiveSpider.parse_article_page``
  copies into ``published_raw`` when the page has none.
- Images carry the placeholder alt "anh tin bai" (seed 003); the caption is the italic line
  under the image.

Every HTML class name below, the listing URL and its ``?page=N`` pager are GUESSES: no HTML of
this site has been seen. They sit in class attributes so that one live look fixes them.
"""

from __future__ import annotations

import re

from parsel import Selector

from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant


class NumericPathSpider(SelectorSpider):
    """Base of the old Sơn La portal: ``/<n>/<n>/<n>/<id>/<category>/<slug>`` articles."""

    #: CONFIRMED article path form; the ``id`` group is a GUESS at what the number means.
    article_path_re = re.compile(r"^/\d+/\d+/\d+/(?P<id>\d+)/[^/]+/[^/]+/?$")
    page_param = "page"  # GUESS

    # One variant of each kind (all GUESS): the portal is unidentified, no other is known.
    listing_variants = (listing_variant(
        "box-news-list", "GUESS",
        listing_item_css="div.box-news-list div.news-item",
        listing_link_css="a.news-title",
        listing_date_css="span.news-date",
        listing_summary_css="div.news-sapo",
        pager_link_css="div.paging a::attr(href)"),)
    detail_variants = (detail_variant(
        "news-detail", "GUESS",
        article_css="div.news-detail",
        title_css="h1.news-detail-title",
        view_css="div.news-detail-view",
        body_css="div.news-detail-content",
        #: "": the article page shows no publish date (seed 003); the body's first date is
        #: the event's, never read.
        date_css="",
        attachment_css="div.news-detail-files a[href]"),)
    #: Alt texts that say nothing about the image (seed 003 shows "anh tin bai").
    placeholder_alts = frozenset({"anh tin bai", "ảnh tin bài"})

    def image_caption(self, img: Selector) -> str | None:
        """The italic line right under the image's paragraph, else a meaningful alt text."""
        caption = self.caption_under(img)
        if caption:
            return caption
        alt = (img.attrib.get("alt") or img.attrib.get("title") or "").strip()
        return alt if alt and alt.lower() not in self.placeholder_alts else None
