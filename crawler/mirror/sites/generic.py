"""Mirror of a DOST site nobody has identified (seed 002), for the generic spider.

Seed 002 is the visible text of a real DOST article whose site is unknown: the page showed
" date 2020-01" before the title (a month stamp, no day), the lead starts "Chiều 15-1, …"
(the day, no year), a caption line "Toàn cảnh hội nghị", and the byline "Trần Hằng". This
model serves such a site under the reserved documentation domain ``unidentified.example``
(RFC 2606) — the real host is unknown — with a WordPress-like layout that no site spider
knows: a home page with a menu, a category listing, an RSS feed linked from every page, a
sitemap listed in robots.txt, static pages that are not articles, and article pages dated
only by their month stamp and their lead ("Sáng 12-11, …"), as the seed is. Every markup
detail here is a GUESS by construction; the point is that the generic path copes.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

ARTICLE_RE = re.compile(r"^/tin-tuc/(?P<slug>[^/]+)-(?P<id>\d+)\.html$")
STATIC_PAGES = {
    "/gioi-thieu.html": ("Giới thiệu", "Sở Khoa học và Công nghệ là cơ quan chuyên môn thuộc "
                         "Ủy ban nhân dân tỉnh."),
    "/lien-he.html": ("Liên hệ", "Điện thoại: 0200.3852.000."),
}
PARTS_OF_DAY = ("Sáng", "Chiều")


class GenericModel(SiteModel):
    slug = "generic"
    site_url = "https://sokhcn.unidentified.example"
    categories = {"tin-tuc": "Tin tức - Sự kiện"}
    newest = datetime(2020, 3, 20, 9, 0, tzinfo=VN_TZ)
    first_id = 2400
    ids_by_date = True

    @staticmethod
    def url_of(article: MirrorArticle) -> str:
        return f"/tin-tuc/{article.slug}-{article.id}.html"

    def image_path(self, article: MirrorArticle, k: int) -> str:
        return f"/wp-content/uploads/{article.published:%Y/%m}/{article.id}-{k}.jpg"

    def is_caption(self, text: str) -> bool:
        return text == "Toàn cảnh hội nghị"

    def lead(self, article: MirrorArticle) -> list[str]:
        """The paragraphs, the first one opening with "Sáng d-m, " as the seed's does."""
        first = article.paragraphs[0]
        if re.match(r"^(Sáng|Chiều) \d{1,2}-\d{1,2},", first):
            return list(article.paragraphs)
        when = article.published
        part = PARTS_OF_DAY[article.id % 2]
        opening = f"{part} {when.day}-{when.month}, " + first[0].lower() + first[1:]
        return [opening, *article.paragraphs[1:]]

    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path
        if path == "/robots.txt":
            return MirrorReply(200, "User-agent: *\nAllow: /\n\nSitemap: "
                               f"{self.site_url}/sitemap.xml\n", "text/plain; charset=utf-8")
        if path == "/":
            return MirrorReply(200, self.render("home.html", items=self.articles[:10],
                                                url_of=self.url_of))
        if path in ("/tin-tuc", "/tin-tuc/"):
            raw = request.arg("page", "1") or "1"
            page = int(raw) if raw.isdigit() else 1
            items = self.in_category("tin-tuc")
            return MirrorReply(200, self.render(
                "listing.html", items=self.page_of(items, page), page=page,
                pages=self.page_count(items), url_of=self.url_of))
        if path == "/feed/":
            return MirrorReply(200, self.render(
                "feed.xml", items=self.articles[:10], url_of=self.url_of,
                rfc822=format_datetime), "application/rss+xml; charset=utf-8")
        if path == "/sitemap.xml":
            return MirrorReply(200, self.render("sitemap.xml", items=self.articles,
                                                url_of=self.url_of),
                               "application/xml; charset=utf-8")
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            return MirrorReply(200, self.render("static.html", title=title, text=text))
        m = ARTICLE_RE.match(path)
        if m:
            article = self.by_id.get(int(m["id"]))
            if article is None or article.slug != m["slug"]:
                return None
            body = [b if b["kind"] != "p" or i else {**b, "text": self.lead(article)[0]}
                    for i, b in enumerate(self.blocks(article))]
            return MirrorReply(200, self.render("article.html", article=article, blocks=body,
                                                recent=self.articles[:5], url_of=self.url_of))
        return None


MODEL = GenericModel
