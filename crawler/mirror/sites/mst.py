"""Mirror of mst.gov.vn, the ministry portal on the mediacdn CMS (sites.md 1.1, 2.5).

What is modelled on facts and what is invented (see spiders/mst.py for the tags):

- Article URLs ``/<slug>-<id>.htm`` (CONFIRMED). Ids are built from the publish time the
  way the real ones are: ``197`` + ``yymmddHHMMSS`` + 3 digits (CONFIRMED form); the seconds
  and the last 3 digits come from the data id, so an article keeps its URL in every
  scenario. The two oldest generated articles carry short legacy ids (``197`` + 6 digits,
  the CONFIRMED form of ``-197148521.htm``); which articles have them is invented. A wrong
  slug for a known id redirects to the right one (GUESS).
- The category page ``/tin-tuc-su-kien.htm`` (REPORTED) with ``/tin-tuc-su-kien/trang-<n>.htm``
  paging (GUESS) and the per-day archive ``/tin-tuc-su-kien/xem-theo-ngay-<dd-mm-yyyy>.htm``
  (REPORTED) listing that day's articles, newest first, on one page (GUESS).
- List items ``div.box-category-item`` (REPORTED) whose first link is the thumbnail with the
  title in its ``title`` attribute; sapo ``div.detail-sapo`` (REPORTED) repeated in the
  description meta tags (REPORTED as the fallback).
- The seed repost: Phú Thọ's seed 004 article ends "Theo most.gov.vn". This mirror carries
  the ministry's own version: the same title, the full text of seed 004 between its title
  and "Theo most.gov.vn" (all seven photo captions as figure captions; the Phú Thọ mirror
  leaves out the three short ones, so the two texts are nearly, not exactly, the same),
  dated 15/03/2024 17:30, one day before the Phú Thọ repost. Its sapo and the author line
  (a ministry unit) are invented. It replaces the oldest generated
  article, so both scenarios hold it at the same URL.
- Invented: the header with today's date, menus, "Đọc nhiều" sidebar, "Tin cùng chuyên mục",
  tags, footer; photos on ``mic.mediacdn.vn`` with mediacdn editor figures; related-news
  boxes embedded in some bodies (mediacdn's ``type="RelatedNewsBox"`` markup); documents on
  ``mic.mediacdn.vn/document/<yyyy>/<m>/<d>/<file>.pdf`` (REPORTED host and path form) linked
  from some bodies.

Markup variants (``variants``; ``--variant NAME``), of crawler/platforms/mediacdn.py; GUESSES:

- ``box-stream``: list items ``div.box-stream-item`` (the thumbnail link with the title in
  its ``title``, ``a.box-stream-link-title``, ``span.box-stream-time`` "dd/mm/yyyy HH:MM",
  ``p.box-stream-sapo``) on every page that lists items: the home page, the category pages
  and the per-day archive pages; the pager stays.
- ``detail__bem``: the article block ``div.detail__main`` with ``div.detail__category a``,
  ``h1.detail__title``, ``div.detail__time``, ``h2.detail__sapo``, ``div.detail__content``
  (the same body) and ``div.detail__author``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from crawler.mirror.data import (
    MirrorArticle,
    _paragraphs,
    _seed,
    _slugify,
    build_articles,
    seed_articles,
)
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
ARTICLE_RE = re.compile(r"^/(?P<slug>[a-z0-9-]+)-(?P<id>\d{8,})\.htm$")
CATEGORY_RE = re.compile(r"^/(?P<cat>[a-z0-9-]+)(?:/trang-(?P<page>\d+))?\.htm$")
DAY_RE = re.compile(r"^/(?P<cat>[a-z0-9-]+)/xem-theo-ngay-(?P<d>\d{1,2})-(?P<m>\d{1,2})-"
                    r"(?P<y>\d{4})\.htm$")
CDN = "https://mic.mediacdn.vn"
# Lines of the seed article that sit under a photo on the Phú Thọ page (seed 004); the
# three short ones are left out of the Phú Thọ mirror's text, the ministry's page has them.
SEED_CAPTIONS = (
    "Toàn cảnh Hội nghị.",
    "Lãnh đạo các đơn vị thuộc Bộ KH&CN tham luận tại Hội nghị.",
    "Các Giám đốc Sở KH&CN trao đổi, thảo luận tại Hội nghị.",
    "Thứ trưởng Bộ KH&CN Nguyễn Hoàng Giang cho biết, thành tựu chung",
    "Các đồng chí Thứ trưởng Bộ KH&CN trao đổi, chia sẻ",
    "Bộ trưởng Huỳnh Thành Đạt, Thứ trưởng Nguyễn Hoàng Giang tặng hoa",
    "Các đồng chí Lãnh đạo Bộ KH&CN chụp ảnh lưu niệm",
)
SEED_PUBLISHED = datetime(2024, 3, 15, 17, 30, tzinfo=VN_TZ)
SEED_SAPO = ("Ngày 15/3/2024, tại Hà Nội, Bộ Khoa học và Công nghệ tổ chức Hội nghị Giám đốc "
             "sở Khoa học và Công nghệ toàn quốc năm 2024.")
SEED_AUTHOR = "Trung tâm Truyền thông KH&CN"
PHOTO_CAPTIONS = ("Quang cảnh buổi làm việc.", "Các đại biểu tham dự hội nghị.",
                  "Lãnh đạo Bộ phát biểu chỉ đạo.")
LEGACY_IDS = 2


def _sapo(article: MirrorArticle) -> str:
    text = article.paragraphs[0] if article.paragraphs else ""
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class MstModel(SiteModel):
    slug = "mst"
    site_url = "https://mst.gov.vn"
    categories = {"tin-tuc-su-kien": "Tin tức - Sự kiện"}
    newest = datetime(2025, 11, 20, 16, 45, tzinfo=VN_TZ)
    first_id = 4000  # data ids only; URLs carry ids built from the dates
    page_size = 10
    #: The listing (also the home and per-day pages) and article templates; the variants
    #: switch them.
    listing_template = "listing.html"
    article_template = "article.html"
    variants = {
        "box-stream": {"listing_template": "listing_box-stream.html"},
        "detail__bem": {"article_template": "article_detail__bem.html"},
    }

    # -- the articles ----------------------------------------------------------------------
    @cached_property
    def articles(self) -> list[MirrorArticle]:
        arts = build_articles(self.slug, tuple(self.categories), newest=self.newest,
                              first_id=self.first_id, scenario=self.scenario)
        seed = seed_articles()["phutho"]
        oldest = arts[-1]
        repost = replace(
            oldest, title=seed["title"], slug=_slugify(seed["title"]), published=SEED_PUBLISHED,
            paragraphs=_paragraphs(_seed("004"), "Hội nghị Giám đốc", "Theo most.gov.vn"),
            summary=SEED_SAPO, author=SEED_AUTHOR, source="",
            extra={"seed": "phutho"})
        arts = [*arts[:-1], repost]
        return sorted(arts, key=lambda a: a.published, reverse=True)

    @cached_property
    def url_ids(self) -> dict[int, str]:
        """Data id → the id the URL carries (18-digit timestamp id, or a legacy one)."""
        generated = [a for a in self.articles if not a.extra.get("seed")]
        oldest = {a.id for a in sorted(generated, key=lambda a: a.published)[:LEGACY_IDS]}
        ids: dict[int, str] = {}
        for a in self.articles:
            if a.id in oldest:
                ids[a.id] = f"197{148000 + a.id % 1000:06d}"
            else:
                stamp = a.published + timedelta(seconds=(a.id * 7) % 60)
                ids[a.id] = f"197{stamp:%y%m%d%H%M%S}{(a.id * 37) % 1000:03d}"
        return ids

    @cached_property
    def by_url_id(self) -> dict[str, MirrorArticle]:
        return {self.url_ids[a.id]: a for a in self.articles}

    # -- what pages show -------------------------------------------------------------------
    def url_of(self, article: MirrorArticle) -> str:
        return f"/{article.slug}-{self.url_ids[article.id]}.htm"

    @staticmethod
    def stamp(when: datetime) -> str:
        return f"{when:%d/%m/%Y %H:%M}"

    @staticmethod
    def header_date(today: datetime) -> str:
        return f"{WEEKDAYS[today.weekday()]}, ngày {today:%d/%m/%Y}"

    def sapo(self, article: MirrorArticle) -> str:
        return article.summary if article.extra.get("seed") else _sapo(article)

    def image_path(self, article: MirrorArticle, k: int) -> str:
        p = article.published
        return f"{CDN}/296737894367017984/{p.year}/{p.month}/{p.day}/{article.slug[:40]}-{k}.jpg"

    def is_caption(self, text: str) -> bool:
        return text.startswith(SEED_CAPTIONS)

    def body(self, article: MirrorArticle) -> list[dict[str, Any]]:
        """Paragraphs, photos with captions, a related-news box and a document link."""
        blocks = self.blocks(article)
        if not article.extra.get("seed") and article.id % 3 == 0:
            blocks.insert(1, {"kind": "img", "src": self.image_path(article, 1),
                              "caption": PHOTO_CAPTIONS[article.id % len(PHOTO_CAPTIONS)]})
        if article.id % 5 == 0 and len(blocks) > 2:
            blocks.insert(2, {"kind": "related", "items": self.related(article)})
        if article.id % 4 == 0:
            p = article.published
            blocks.append({"kind": "file", "text": f"Toàn văn Kế hoạch số {article.id % 97 + 3}"
                                                   f"/KH-BKHCN",
                           "href": f"{CDN}/document/{p.year}/{p.month}/{p.day}/"
                                   f"ke-hoach-{article.id}.pdf"})
        return blocks

    def related(self, article: MirrorArticle, count: int = 3) -> list[MirrorArticle]:
        return [a for a in self.articles if a.id != article.id][:count]

    def most_read(self, count: int = 5) -> list[MirrorArticle]:
        return sorted(self.articles, key=lambda a: (-a.view_count, a.id))[:count]

    def same_category(self, article: MirrorArticle, count: int = 6) -> list[MirrorArticle]:
        same = self.in_category(article.category)
        pos = same.index(article)
        return [a for a in same[pos + 1:] + same[:pos]][:count]

    def on_day(self, category: str, day: date) -> list[MirrorArticle]:
        return [a for a in self.in_category(category) if a.published.date() == day]

    # -- routes ----------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path
        if path in ("/", "/index.htm"):
            return self.listing(next(iter(self.categories)), 1, home=True)
        m = DAY_RE.match(path)
        if m and m["cat"] in self.categories:
            try:
                day = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return None
            return self.day_page(m["cat"], day)
        m = CATEGORY_RE.match(path)
        if m and m["cat"] in self.categories:
            return self.listing(m["cat"], int(m["page"] or 1))
        m = ARTICLE_RE.match(path)
        if m:
            article = self.by_url_id.get(m["id"])
            if article is None:
                return None
            if m["slug"] != article.slug:
                return MirrorReply(301, "", headers={"Location": self.url_of(article)})
            return self.detail(article)
        return None

    def common(self) -> dict[str, Any]:
        return {"url_of": self.url_of, "most_read": self.most_read(), "sapo": self.sapo}

    def listing(self, category: str, page: int, home: bool = False) -> MirrorReply | None:
        items = self.in_category(category)
        pages = self.page_count(items)
        if page < 1 or page > pages:
            return None
        return MirrorReply(200, self.render(
            self.listing_template, category=category, category_name=self.categories[category],
            items=self.page_of(items, page), page=page, pages=pages, home=home, day=None,
            **self.common()))

    def day_page(self, category: str, day: date) -> MirrorReply:
        return MirrorReply(200, self.render(
            self.listing_template, category=category, category_name=self.categories[category],
            items=self.on_day(category, day), page=1, pages=1, home=False, day=day,
            **self.common()))

    def detail(self, article: MirrorArticle) -> MirrorReply:
        return MirrorReply(200, self.render(
            self.article_template, article=article, blocks=self.body(article),
            category_name=self.categories[article.category],
            others=self.same_category(article), **self.common()))


MODEL = MstModel
