"""Mirror of sokhoahoc.sonla.gov.vn, the old Sơn La DOST site, modelled on seed 003.

What is real and what is made up (see spiders/sonla_legacy.py for the tags):

- Article URLs ``/1288/30956/65206/<id>/tin-tuc-tong-hop/<slug>`` are the real form; ids are
  renumbered by publication date (``first_id + rank``, stable per article in every scenario)
  so that, as the real id 561753 of a 2020 article suggests, they only grow. A wrong slug for
  a known id redirects to the right one (GUESS).
- Article pages reproduce seed 003: title, "Lượt xem: N", the body (indented paragraphs, the
  "anh tin bai" image with its italic caption, a right-aligned byline after an empty
  paragraph), "Tin khác" with a pager, "Thông tin mới nhất", "Thống kê truy cập" with its
  visit counters, "Đăng nhập" and the footer with the department's address. No publish date
  is printed on the article page, as in the seed.
- The listing ``/1288/30956/65206/tin-tuc-tong-hop?page=N``, the date printed under each
  listing item and the "1 2 3 4 5 ..." pager links are GUESSES, as are all class names.
- Menus link the static page ``/lich-su-hinh-thanh-va-phat-trien`` (a real bare-slug page)
  and the sidebar links articles, so a listing parser must keep to its list container.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

PREFIX = "/1288/30956/65206"
ARTICLE_RE = re.compile(rf"^{PREFIX}/(?P<id>\d+)/(?P<category>[^/]+)/(?P<slug>[^/]+)/?$")
# The line under the photo of the seed article (seed 003).
SEED_CAPTION = ("Đồng chí Nguyễn Thành Công - Phó Chủ tịch UBND tỉnh làm việc với Sở Khoa học "
                "và Công nghệ")
STATIC_PAGES = {
    "/lich-su-hinh-thanh-va-phat-trien": (
        "Lịch sử hình thành và phát triển",
        "Sở Khoa học và Công nghệ tỉnh Sơn La là cơ quan chuyên môn thuộc Ủy ban nhân dân "
        "tỉnh, tham mưu, giúp Ủy ban nhân dân tỉnh quản lý nhà nước về khoa học và công nghệ."),
    "/chuc-nang-nhiem-vu": (
        "Chức năng, nhiệm vụ",
        "Tham mưu, giúp Ủy ban nhân dân tỉnh quản lý nhà nước về hoạt động khoa học và công "
        "nghệ; phát triển tiềm lực khoa học và công nghệ; tiêu chuẩn, đo lường, chất lượng."),
}


class SonlaLegacyModel(SiteModel):
    slug = "sonla_legacy"
    site_url = "https://sokhoahoc.sonla.gov.vn"
    categories = {"tin-tuc-tong-hop": "Tin tức tổng hợp"}
    # The generated articles spread over ~5.5 months before ``newest``; mid-September puts
    # the seed article (06/06/2023) in the middle of them rather than last.
    newest = datetime(2023, 9, 20, 8, 0, tzinfo=VN_TZ)
    first_id = 561700
    page_size = 10
    ids_by_date = True


    # -- URLs and page parts ---------------------------------------------------------------
    @staticmethod
    def url_of(article: MirrorArticle) -> str:
        return f"{PREFIX}/{article.id}/{article.category}/{article.slug}"

    @staticmethod
    def listing_path(category: str) -> str:
        return f"{PREFIX}/{category}"

    def image_path(self, article: MirrorArticle, k: int) -> str:
        p = article.published
        return f"/Uploads/images/{p.year}/{p.month}/{article.id}_{k}.jpg"

    def is_caption(self, text: str) -> bool:
        return text == SEED_CAPTION

    def others(self, article: MirrorArticle, count: int = 5) -> list[MirrorArticle]:
        """"Tin khác": the older articles of the category, then newer ones if too few."""
        same = self.in_category(article.category)
        pos = next(i for i, a in enumerate(same) if a.id == article.id)
        older = same[pos + 1:pos + 1 + count]
        return older + same[max(0, pos - (count - len(older))):pos]

    def context(self, **extra: Any) -> dict[str, Any]:
        return dict(latest=self.articles[:5], url_of=self.url_of,
                    listing_path=self.listing_path, image_path=self.image_path,
                    categories=self.categories, **extra)

    # -- routes ----------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path.rstrip("/") or "/"
        if path == "/":
            return self.listing(next(iter(self.categories)), 1)
        for category in self.categories:
            if path == self.listing_path(category):
                raw = request.arg("page", "1") or "1"
                return self.listing(category, int(raw) if raw.isdigit() else 1)
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            return MirrorReply(200, self.render("static.html",
                                                **self.context(title=title, text=text)))
        m = ARTICLE_RE.match(path)
        if m:
            article = self.by_id.get(int(m["id"]))
            if article is None:
                return None
            if (m["category"], m["slug"]) != (article.category, article.slug):
                return MirrorReply(301, "", headers={"Location": self.url_of(article)})
            same = self.in_category(article.category)
            return MirrorReply(200, self.render("article.html", **self.context(
                article=article, blocks=self.blocks(article), others=self.others(article),
                category=article.category, pages=self.page_count(same))))
        return None

    def listing(self, category: str, page: int) -> MirrorReply:
        items = self.in_category(category)
        return MirrorReply(200, self.render("listing.html", **self.context(
            category=category, items=self.page_of(items, page), page=page,
            pages=self.page_count(items))))


MODEL = SonlaLegacyModel
