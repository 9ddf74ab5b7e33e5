"""Sở Khoa học và Công nghệ TP. Hồ Chí Minh: dost.hochiminhcity.gov.vn.

Domain:
    ``dost.hochiminhcity.gov.vn``: CONFIRMED (§3.5). The same article answers over http and
    https (CONFIRMED, §4); canonical URLs use https. The city absorbed Bình Dương and Bà
    Rịa–Vũng Tàu on 1/7/2025 (CONFIRMED, §1.3); their DOST sites (khcnbinhduong.gov.vn …)
    are separate sites, not crawled here.

Platform:
    A WordPress-like portal whose article URLs are ``/<section>/<slug>/`` with no numeric
    id (registry platform ``hochiminh``); read through the selector base ``SelectorSpider``
    (crawler/platforms/selectors.py).

Evidence:
    Registry: crawler/registry/sites.toml [hochiminh]. Research: sites.md §1.3, §1.4, §3.5
    and the quirks table in §4.

    - CONFIRMED (§3.5): lists ``/hoat-dong-so-khcn/?page=N`` and
      ``/hoat-dong-so-khcn?page=N``.
    - REPORTED (§3.5, public code): articles ``/hoat-dong-so-khcn/<slug>/``,
      ``/tin-tuc-khcn/<slug>/``, ``/thong-bao/<slug>/``.
    - REPORTED (§3.5): files ``/documents/<id>/<file>.pdf``.
    - CONFIRMED as page text (§3.5): image captions that are only the file stem ("ttet1");
      not kept as captions.
    - CONFIRMED (§1.4): old ASP.NET ``default.aspx`` links in old pages; ignored.

Caveats:
    - GUESS: the list page ``/tin-tuc-khcn/``, after the CONFIRMED ``/hoat-dong-so-khcn/``
      one.
    - GUESS: every CSS class and the date formats (WordPress-like markup).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

from parsel import Selector

from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant


def file_stem(url: str) -> str:
    """``/documents/123/ttet1.jpg`` → ``ttet1`` (percent-decoded)."""
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[0] if "." in name else name


class HochiminhSpider(SelectorSpider):
    """``/<section>/<slug>/`` articles and ``?page=N`` lists: a layout only this site has,
    so it is the spider's own code, not a platform base.

    Facts (research/sites.md 1.4, 3.5 and the quirks table in section 4; tags as there):

    - Lists ``/hoat-dong-so-khcn/?page=7`` and, without the trailing slash,
      ``/hoat-dong-so-khcn?page=36``: CONFIRMED. Both forms answer; the pager may use either.
    - Articles ``/<section>/<slug>/`` with sections ``hoat-dong-so-khcn``, ``tin-tuc-khcn`` and
      ``thong-bao``: REPORTED (public code). The slug is the only identity (no numeric id), so
      an article link is rewritten to one form: the site's scheme, the trailing slash.
    - The same article was seen over http and https: CONFIRMED. The registry keys the site
      under https, so both canonicalize to one URL; links on the site's own host are requested
      over https directly.
    - Files ``/documents/<id>/<file>.pdf``: REPORTED (public code); linked from the body.
    - Image captions show as separate lines holding the file stem ("ttet1"): CONFIRMED as page
      text, i.e. alt/caption text is the file name. Such a caption is not kept: the normalizer
      drops bare file-stem lines from the body text, and ``image_caption`` here drops a caption
      equal to the image's file stem (a real caption is kept).
    - Old ASP.NET ``default.aspx`` links remain in old pages (CONFIRMED); they are not articles
      of this site's current form and are never followed.

    GUESS: the markup, WordPress-like: items ``article.post-item`` (``h3.post-title a``,
    ``span.post-date`` "dd/mm/yyyy", ``div.post-excerpt``), the pager ``ul.pagination``, the
    article block ``div.post-detail`` (``h1.post-title``, ``span.post-date``
    "Ngày đăng: dd/mm/yyyy HH:MM", ``span.post-views``, ``div.post-content``,
    ``div.post-attachments``, breadcrumb category), figures with ``figcaption``; the header's
    weekday date (today's, never read).
    """

    name = "hochiminh"
    site_url = "https://dost.hochiminhcity.gov.vn"
    #: Article sections (REPORTED); links elsewhere are not articles.
    article_sections: tuple[str, ...] = ("hoat-dong-so-khcn", "tin-tuc-khcn", "thong-bao")
    categories = {
        "/hoat-dong-so-khcn/": "Hoạt động Sở KH&CN",  # CONFIRMED path; name GUESS
        "/tin-tuc-khcn/": "Tin tức KH&CN",  # GUESS: list of a REPORTED article section
    }
    article_path_re = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?P<slug>[^/.?]+)/?$")
    page_param = "page"  # CONFIRMED

    # One variant of each kind (all GUESS, WordPress-like): no other layout is known.
    listing_variants = (listing_variant(
        "post-item", "GUESS",
        listing_item_css="div.list-news article.post-item",
        listing_link_css="h3.post-title a",
        listing_date_css="span.post-date",
        listing_summary_css="div.post-excerpt",
        pager_link_css="ul.pagination a::attr(href)"),)
    detail_variants = (detail_variant(
        "post-detail", "GUESS",
        article_css="div.post-detail",
        title_css="h1.post-title",
        date_css="div.post-meta span.post-date",
        view_css="div.post-meta span.post-views",
        body_css="div.post-content",
        category_css="div.breadcrumbs a.current",
        attachment_css="div.post-attachments a[href]"),)

    def is_article_url(self, url: str) -> bool:
        match = self.article_path_re.match(urlsplit(url).path)
        return bool(match) and (not self.article_sections
                                or match["section"] in self.article_sections)

    def article_href(self, href: str) -> str:
        """One form per article: trailing slash; own-host links on the site's scheme
        (``http://dost…/x/y`` → ``https://dost…/x/y/``)."""
        parts = urlsplit(href.strip())
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        scheme = parts.scheme
        if parts.netloc and self._own_host(parts.hostname or ""):
            scheme = urlsplit(self.site_url).scheme
        return urlunsplit((scheme, parts.netloc, path, parts.query, ""))

    def image_caption(self, img: Selector) -> str | None:
        """The figure caption or alt text, unless it is only the image's file stem."""
        caption = super().image_caption(img)
        src = img.attrib.get("src") or img.attrib.get("data-src") or ""
        if caption and " ".join(caption.split()).casefold() == file_stem(src).casefold():
            return None
        return caption
