"""Mirror of dost.hochiminhcity.gov.vn (TP.HCM DOST), a WordPress-like site (sites.md 3.5).

What is modelled on facts and what is invented (tags as in spiders/hochiminh.py):

- Lists ``/hoat-dong-so-khcn/?page=N`` (CONFIRMED) answered with and without the trailing
  slash; the pager links use the slash-less form ``/hoat-dong-so-khcn?page=N`` (the other
  CONFIRMED form). The second list, ``/tin-tuc-khcn/``, is a GUESS.
- Articles ``/<section>/<slug>/`` (REPORTED); a slug without the trailing slash redirects
  to the slash form (GUESS, WordPress behaviour). Slugs are unique per site: a later
  article with a title already used gets ``-2`` (WordPress behaviour); slugs never change
  when a title is edited.
- Listing titles link to absolute URLs on the site's host, some over http and some over
  https (CONFIRMED that both are seen), the thumbnails to root-relative ones.
- Images under ``/documents/<id>/<stem>.jpg`` (GUESS, next to the REPORTED files) whose
  caption is the file stem ("ttet1", CONFIRMED as page text); some images have a real
  caption. Files ``/documents/<id>/<file>.pdf`` (REPORTED) in an attachments block, served
  as PDF.
- Invented: the header with today's weekday date, menus, "Tin liên quan", "Tin mới" sidebar,
  the footer (with an old ``default.aspx`` link, CONFIRMED that such links remain), the
  "Ngày đăng: dd/mm/yyyy HH:MM" and "Lượt xem: N" lines, the byline at the end of the body.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from typing import Any

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
HOST = "dost.hochiminhcity.gov.vn"
ARTICLE_RE = re.compile(r"^/(?P<cat>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)(?P<slash>/?)$")
DOCUMENT_RE = re.compile(r"^/documents/(?P<doc>\d+)/(?P<name>[^/]+)$")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
REAL_CAPTIONS = ("Quang cảnh hội nghị.", "Các đại biểu tham quan gian hàng công nghệ.",
                 "Lãnh đạo Sở trao quyết định cho các đơn vị.")


def _excerpt(article: MirrorArticle, length: int = 220) -> str:
    text = article.paragraphs[0] if article.paragraphs else ""
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + " […]"


class HochiminhModel(SiteModel):
    slug = "hochiminh"
    site_url = "https://dost.hochiminhcity.gov.vn"
    categories = {"hoat-dong-so-khcn": "Hoạt động Sở KH&CN", "tin-tuc-khcn": "Tin tức KH&CN"}
    newest = datetime(2025, 11, 19, 15, 0, tzinfo=VN_TZ)
    first_id = 3200
    page_size = 10

    # -- identity --------------------------------------------------------------------------
    @cached_property
    def slugs(self) -> dict[int, str]:
        """Data id → slug, unique site-wide: the older article keeps the plain slug."""
        taken: set[str] = set()
        out: dict[int, str] = {}
        for a in sorted(self.articles, key=lambda a: (a.published, a.id)):
            slug, n = a.slug, 2
            while slug in taken:
                slug, n = f"{a.slug}-{n}", n + 1
            taken.add(slug)
            out[a.id] = slug
        return out

    @cached_property
    def by_path(self) -> dict[tuple[str, str], MirrorArticle]:
        return {(a.category, self.slugs[a.id]): a for a in self.articles}

    def url_of(self, a: MirrorArticle) -> str:
        return f"/{a.category}/{self.slugs[a.id]}/"

    def link_of(self, a: MirrorArticle) -> str:
        """The title link as the listing prints it: absolute, http or https."""
        scheme = "http" if (a.id // 2) % 3 == 0 else "https"
        return f"{scheme}://{HOST}{self.url_of(a)}"

    # -- what pages show -------------------------------------------------------------------
    @staticmethod
    def header_date(today: datetime) -> str:
        return f"{WEEKDAYS[today.weekday()]}, {today:%d/%m/%Y}"

    @staticmethod
    def day(when: datetime) -> str:
        return f"{when:%d/%m/%Y}"

    @staticmethod
    def stamp(when: datetime) -> str:
        return f"{when:%d/%m/%Y %H:%M}"

    def doc_id(self, a: MirrorArticle, k: int) -> int:
        return 91000 + a.id * 10 + k

    def stem(self, a: MirrorArticle, k: int) -> str:
        forms = (f"ttet{k}", f"IMG_{4000 + a.id % 1000}", f"hoithao{a.id % 10}{k}")
        return forms[(a.id + k) % len(forms)]

    def thumb(self, a: MirrorArticle) -> str:
        return f"/documents/{self.doc_id(a, 0)}/{self.stem(a, 0)}.jpg"

    def excerpt(self, a: MirrorArticle) -> str:
        return _excerpt(a)

    def body(self, a: MirrorArticle) -> list[dict[str, Any]]:
        """Paragraphs with photos: file-stem captions, and sometimes a real caption."""
        blocks: list[dict[str, Any]] = [{"kind": "p", "text": p} for p in a.paragraphs]
        if a.id % 5 in (0, 2, 3):
            stem = self.stem(a, 1)
            blocks.insert(1, {"kind": "img", "src": f"/documents/{self.doc_id(a, 1)}/{stem}.jpg",
                              "alt": stem, "caption": stem})
        if a.id % 3 == 0:
            stem = self.stem(a, 2)
            blocks.insert(len(blocks) - 1, {
                "kind": "img", "src": f"/documents/{self.doc_id(a, 2)}/{stem}.jpg", "alt": stem,
                "caption": REAL_CAPTIONS[a.id % len(REAL_CAPTIONS)]})
        return blocks

    def files(self, a: MirrorArticle) -> list[dict[str, str]]:
        if a.id % 7 not in (0, 3):
            return []
        return [{"href": f"/documents/{self.doc_id(a, 9)}/ke-hoach-{a.id}.pdf",
                 "name": f"Kế hoạch số {a.id % 89 + 10}/KH-SKHCN"}]

    def related(self, a: MirrorArticle, count: int = 5) -> list[MirrorArticle]:
        return [o for o in self.in_category(a.category) if o.id != a.id][:count]

    def common(self) -> dict[str, Any]:
        return {"url_of": self.url_of, "latest": self.articles[:5]}

    # -- routes ----------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path
        if path == "/":
            return MirrorReply(200, self.render("home.html", items=self.articles[:10],
                                                **self.common()))
        name = path.strip("/")
        if name in self.categories:
            raw = request.arg("page") or "1"
            return self.listing(name, int(raw) if raw.isdigit() and raw != "0" else 1)
        m = DOCUMENT_RE.match(path)
        if m:
            return self.document(int(m["doc"]), m["name"])
        m = ARTICLE_RE.match(path)
        if m and m["cat"] in self.categories:
            article = self.by_path.get((m["cat"], m["slug"]))
            if article is None:
                return None
            if not m["slash"]:
                return MirrorReply(301, "", headers={"Location": self.url_of(article)})
            return MirrorReply(200, self.render(
                "article.html", article=article, blocks=self.body(article),
                files=self.files(article), related=self.related(article),
                category_name=self.categories[article.category], **self.common()))
        return None

    def listing(self, category: str, page: int) -> MirrorReply | None:
        items = self.in_category(category)
        pages = self.page_count(items)
        if page > pages:
            return None
        return MirrorReply(200, self.render(
            "listing.html", category=category, category_name=self.categories[category],
            items=self.page_of(items, page), page=page, pages=pages, link_of=self.link_of,
            **self.common()))

    def document(self, doc: int, name: str) -> MirrorReply | None:
        for a in self.articles:
            for f in self.files(a):
                if f["href"] == f"/documents/{doc}/{name}":
                    return MirrorReply(200, PDF, "application/pdf")
        return None


MODEL = HochiminhModel
