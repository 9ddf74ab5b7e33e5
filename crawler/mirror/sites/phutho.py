"""Mirror of sokhoahoccongnghe.phutho.gov.vn (Phú Thọ DOST), modelled on seed 004.

What is real and what is made up (see spiders/phutho.py for the tags):

- ``/<slug>-n<id>`` article URLs are the real form; ids grow with the publication date as on
  the real site (n764 ≈ 2015 … n8447 in Oct 2025), so this model renumbers the articles of
  ``build_articles`` by date: ``first_id + rank``. The renumbering only depends on the
  article's own date, so an article keeps its id in every scenario. A wrong slug for a known
  id redirects to the right one (GUESS).
- Article pages reproduce seed 004: the two-line banner with the province/department names
  (twice: desktop and mobile), the header date line, which is the server's *today*
  ("Chủ Nhật, 17/03/2024" in the seed), the "Từ viết tắt / Xem với cỡ chữ / Đọc bài viết /
  Tương phản" toolbar, title, body with captioned images, "Theo most.gov.vn" (a reprint shows
  its source line instead of an author line), "Lượt xem: N" glued to "BÀI VIẾT KHÁC", then
  six other articles, each with the title twice (image alt + link), the lead and
  "Ngày dd/mm/yyyy", then the banner links, "Liên kết trang" and the PAKN counters.
  No publish date is printed on the article page, as in the seed. Lines that sit under a
  photo in seed 004 (``SEED_CAPTIONS``) become captioned images wherever they appear (the
  generated articles borrow seed paragraphs, so some of them get a photo too).
- The listing ``/tin-tuc-su-kien?page=N`` (GUESS) uses the "BÀI VIẾT KHÁC" item layout and a
  numbered pager; a "Tin xem nhiều" sidebar links articles outside the list.
- Class names are GUESSES shared with crawler/platforms/phutho.py.
"""

from __future__ import annotations

import re
from datetime import datetime

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

ARTICLE_RE = re.compile(r"^/(?P<slug>[^/]+)-n(?P<id>\d+)/?$")
# Lines of the seed article that sit under a photo on the real page (seed 004).
SEED_CAPTIONS = (
    "Thứ trưởng Bộ KH&CN Nguyễn Hoàng Giang cho biết, thành tựu chung",
    "Các đồng chí Thứ trưởng Bộ KH&CN trao đổi, chia sẻ",
    "Bộ trưởng Huỳnh Thành Đạt, Thứ trưởng Nguyễn Hoàng Giang tặng hoa",
    "Các đồng chí Lãnh đạo Bộ KH&CN chụp ảnh lưu niệm",
)
STATIC_PAGES = {
    "/gioi-thieu": ("Giới thiệu", "Sở Khoa học và Công nghệ tỉnh Phú Thọ là cơ quan chuyên "
                    "môn thuộc Ủy ban nhân dân tỉnh, tham mưu, giúp Ủy ban nhân dân tỉnh quản "
                    "lý nhà nước về khoa học và công nghệ."),
    "/lien-he": ("Liên hệ", "Sở Khoa học và Công nghệ tỉnh Phú Thọ."),
}


class PhuthoModel(SiteModel):
    slug = "phutho"
    site_url = "https://sokhoahoccongnghe.phutho.gov.vn"
    categories = {"tin-tuc-su-kien": "Tin tức - Sự kiện"}
    # Seed article 16/03/2024 and the real "BÀI VIẾT KHÁC" items (27/03–11/04/2024) sit
    # among the generated ones.
    newest = datetime(2024, 6, 30, 9, 0, tzinfo=VN_TZ)
    first_id = 7000
    page_size = 10
    ids_by_date = True


    # -- URLs and page parts ---------------------------------------------------------------
    @staticmethod
    def url_of(article: MirrorArticle) -> str:
        return f"/{article.slug}-n{article.id}"

    def image_path(self, article: MirrorArticle, k: int) -> str:
        p = article.published
        return f"/upload/{p.year}/{p.month:02d}/{article.id}-{k}.jpg"

    def is_caption(self, text: str) -> bool:
        return text.startswith(SEED_CAPTIONS)

    def others(self, article: MirrorArticle, count: int = 6) -> list[MirrorArticle]:
        """"BÀI VIẾT KHÁC": the next articles of the category (newer first), then older."""
        same = self.in_category(article.category)
        pos = next(i for i, a in enumerate(same) if a.id == article.id)
        newer = same[max(0, pos - count):pos]
        older = same[pos + 1:pos + 1 + count - len(newer)]
        return newer + older

    def most_viewed(self, count: int = 5) -> list[MirrorArticle]:
        return sorted(self.articles, key=lambda a: (-a.view_count, a.id))[:count]

    # -- routes ----------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path.rstrip("/") or "/"
        if path == "/":
            return self.listing(next(iter(self.categories)), 1, home=True)
        if path.lstrip("/") in self.categories:
            raw = request.arg("page", "1") or "1"
            return self.listing(path.lstrip("/"), int(raw) if raw.isdigit() else 1)
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            return MirrorReply(200, self.render("static.html", title=title, text=text,
                                                 most_viewed=self.most_viewed()))
        m = ARTICLE_RE.match(path)
        if m:
            article = self.by_id.get(int(m["id"]))
            if article is None:
                return None
            if m["slug"] != article.slug:
                return MirrorReply(301, "", headers={"Location": self.url_of(article)})
            return MirrorReply(200, self.render(
                "article.html", article=article, blocks=self.blocks(article),
                others=self.others(article), url_of=self.url_of, image_path=self.image_path,
                category_name=self.categories[article.category]))
        return None

    def listing(self, category: str, page: int, home: bool = False) -> MirrorReply:
        items = self.in_category(category)
        return MirrorReply(200, self.render(
            "listing.html", category=category, category_name=self.categories[category],
            items=self.page_of(items, page), page=page, pages=self.page_count(items),
            url_of=self.url_of, image_path=self.image_path, most_viewed=self.most_viewed(),
            home=home))


MODEL = PhuthoModel
