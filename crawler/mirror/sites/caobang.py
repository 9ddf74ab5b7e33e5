"""Mirror of khcncaobang.gov.vn (Cao Bằng DOST; Cao Bằng is unchanged by the 2025 merger), a
NukeViet 4 site served over plain http.

What is real and what is made up (see spiders/caobang.py for the tags):

- Every news page is ``/index.php?language=vi&nv=news&op=<op>`` (CONFIRMED form): ``op`` is
  ``<Category>`` for a listing, ``<Category>/page-N`` for its later pages (GUESS),
  ``<Category>/<Alias>-<id>`` for an article, ``savefile/<Category>/<Alias>-<id>`` for the
  article's "Lưu bài viết này" download (the CONFIRMED example is such a link) and
  ``print/…`` for its print view; ``op=rss`` and ``op=rss/<Category>`` are RSS 2.0 feeds
  (GUESS). A known id under the wrong alias or category redirects to the right URL (GUESS).
- Aliases keep the capitals of the title, as the CONFIRMED alias
  ``So-Khoa-hoc-va-Cong-nghe-tinh-Cao-Bang-Tong-ket-…-nam-2021-3313`` does. Ids are a
  sequence that grows with the date (3313 in January 2021).
- The oldest article is that real one: id 3313 in ``Khoa-hoc-cong-nghe`` (CONFIRMED), its
  title read back from the alias (GUESS for the diacritics), its first paragraph starting
  with the CONFIRMED "Chiều ngày 15/01/2021, Sở Khoa học và Công nghệ tỉnh Cao Bằng đã tổ
  chức Hội nghị tổng kết" (the end of that sentence and the following paragraphs are made
  up / from the pool). Its publish date, 18/01/2021 08:15, is a GUESS chosen to differ from
  the event date in the text, which must never be taken for it.
- Markup is NukeViet 4's default theme as remembered (GUESS): ``div.news_column`` panels,
  ``h1.title``, ``span.h-date`` "Thứ hai - 18/01/2021 08:15", ``div.hometext``,
  ``figure.article``, ``div#news-bodyhtml``, "Tác giả:" / "Nguồn tin:" lines, keywords,
  the rating widget, "Những tin mới hơn" / "Những tin cũ hơn" lists with dates, the
  "Thống kê truy cập" counter block and the "Powered by NukeViet" footer.

Markup variants (``variants``; ``--variant NAME``): the news module's other category views
(crawler/platforms/nukeviet.py; GUESSES as remembered from NukeViet 4's default theme), on
the listing pages only, same items and ``ul.pagination`` pager (the home page and the
article layout, which has no other known variant, stay):

- ``viewcat_list_new``: ``ul.related li`` with the title link and ``em.publtime``
  ("dd/mm/yyyy HH:MM", as the default prints it).
- ``viewcat_grid_new``: ``div.thumbnail`` boxes, the title in ``div.caption h3 a``; no date
  (the article page has it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from email.utils import format_datetime
from functools import cached_property
from typing import Any

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

MODULE = "news"
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
ARTICLE_OP_RE = re.compile(r"^(?P<cat>[^/]+)/(?P<alias>[^/]+)-(?P<id>\d+)$")
PAGE_OP_RE = re.compile(r"^(?P<cat>[^/]+)/page-(?P<page>\d+)$")
#: The real article (CONFIRMED id, category and alias; the title's diacritics are a GUESS).
REAL_ID = 3313
REAL_ALIAS = ("So-Khoa-hoc-va-Cong-nghe-tinh-Cao-Bang-Tong-ket-cong-tac-nam-2020-va-trien-"
              "khai-nhiem-vu-cong-tac-nam-2021")
REAL_TITLE = ("Sở Khoa học và Công nghệ tỉnh Cao Bằng Tổng kết công tác năm 2020 và triển khai "
              "nhiệm vụ công tác năm 2021")
REAL_LEAD = ("Chiều ngày 15/01/2021, Sở Khoa học và Công nghệ tỉnh Cao Bằng đã tổ chức Hội nghị "
             "tổng kết công tác năm 2020 và triển khai nhiệm vụ công tác năm 2021.")
REAL_PUBLISHED = datetime(2021, 1, 18, 8, 15, tzinfo=VN_TZ)
STATIC = {
    "about": ("Giới thiệu", "Sở Khoa học và Công nghệ tỉnh Cao Bằng là cơ quan chuyên môn thuộc "
              "Ủy ban nhân dân tỉnh Cao Bằng."),
    "contact": ("Liên hệ", "Sở Khoa học và Công nghệ tỉnh Cao Bằng, số 032 đường Hoàng Đình "
                "Giong, phường Thục Phán, tỉnh Cao Bằng."),
}


def nv_alias(title: str) -> str:
    """NukeViet's ``change_alias``: diacritics off, case kept, other characters to '-'."""
    text = title.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def _first_sentence(text: str) -> str:
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class CaobangModel(SiteModel):
    slug = "caobang"
    site_url = "http://khcncaobang.gov.vn"
    categories = {"Khoa-hoc-cong-nghe": "Khoa học công nghệ",
                  "Tin-hoat-dong": "Tin hoạt động"}
    newest = datetime(2025, 11, 18, 16, 20, tzinfo=VN_TZ)
    first_id = 4980
    page_size = 10
    ids_by_date = True
    #: The listing template; the variants switch it (the article layout has no variant).
    listing_template = "listing.html"
    variants = {
        "viewcat_list_new": {"listing_template": "listing_viewcat_list_new.html"},
        "viewcat_grid_new": {"listing_template": "listing_viewcat_grid_new.html"},
    }

    @cached_property
    def articles(self) -> list[MirrorArticle]:
        """The pool's articles, ids growing with the date; the oldest is the real 3313."""
        arts = SiteModel.articles.func(self)
        # An alias is made once, from the title the article was created with: editing the
        # title later does not move the article.
        base = self if self.scenario == "base" else type(self)("base")
        aliases = {a.id: nv_alias(a.title) for a in SiteModel.articles.func(base)}
        oldest = min(arts, key=lambda a: a.published)
        real = replace(oldest, id=REAL_ID, title=REAL_TITLE, slug=REAL_ALIAS,
                       published=REAL_PUBLISHED, category="Khoa-hoc-cong-nghe",
                       paragraphs=(REAL_LEAD, *oldest.paragraphs[1:]), author="Hoàng Yến",
                       source="")
        return [real if a is oldest else replace(a, slug=aliases.get(a.id, nv_alias(a.title)))
                for a in arts]

    # -- URLs --------------------------------------------------------------------------------
    @staticmethod
    def op_url(op: str) -> str:
        return f"/index.php?language=vi&nv={MODULE}&op={op}"

    def article_op(self, a: MirrorArticle) -> str:
        return f"{a.category}/{a.slug}-{a.id}"

    def url_of(self, a: MirrorArticle) -> str:
        return self.op_url(self.article_op(a))

    def page_op(self, category: str, page: int) -> str:
        return category if page == 1 else f"{category}/page-{page}"

    def upload(self, a: MirrorArticle, name: str, folder: str = "uploads") -> str:
        return f"/{folder}/news/{a.published:%Y_%m}/{name}"

    # -- page parts ----------------------------------------------------------------------------
    def publtime(self, a: MirrorArticle) -> str:
        return f"{WEEKDAYS[a.published.weekday()]} - {a.published:%d/%m/%Y %H:%M}"

    def lead_image(self, a: MirrorArticle) -> dict[str, str] | None:
        if a.id % 3:
            return None
        return {"src": self.upload(a, f"{a.slug.lower()[:40]}.jpg"),
                "caption": "Quang cảnh hội nghị."}

    def files(self, a: MirrorArticle) -> list[dict[str, str]]:
        if a.id % 4:
            return []
        return [{"url": self.upload(a, f"ke-hoach-{a.id}.pdf"),
                 "name": f"Kế hoạch số {a.id % 1000}/KH-SKHCN"}]

    def item(self, a: MirrorArticle) -> dict[str, Any]:
        return {"url": self.url_of(a), "title": a.title,
                "time": f"{a.published:%d/%m/%Y %H:%M}", "date": f"{a.published:%d/%m/%Y}",
                "thumb": self.upload(a, f"{a.id}.jpg", "assets"),
                "hometext": _first_sentence(a.paragraphs[0]), "hits": a.view_count}

    def context(self, **extra: Any) -> dict[str, Any]:
        extra.setdefault("menu", [(self.op_url(k), v) for k, v in self.categories.items()])
        extra.setdefault("op_url", self.op_url)
        return extra

    def html(self, template: str, **context: Any) -> MirrorReply:
        return MirrorReply(200, self.render(template, **self.context(**context)))

    # -- routes ------------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        if request.method not in ("GET", "HEAD") or request.path not in ("/", "/index.php"):
            return None
        nv = request.arg("nv")
        if nv is None:
            return self.home()
        if nv in STATIC:
            title, text = STATIC[nv]
            return self.html("static.html", title=title, text=text)
        if nv != MODULE:
            return None
        op = (request.arg("op") or "").strip("/")
        if not op:
            return self.home()
        head, _, rest = op.partition("/")
        if head == "rss":
            return self.rss(rest or None)
        if head in ("savefile", "print"):
            a = self.find(rest)
            return None if a is None else self.action(head, a)
        if op in self.categories:
            return self.listing(op, 1)
        page = PAGE_OP_RE.match(op)
        if page and page["cat"] in self.categories:
            return self.listing(page["cat"], int(page["page"]))
        match = ARTICLE_OP_RE.match(op)
        if match:
            a = self.by_id.get(int(match["id"]))
            if a is None:
                return None
            if op != self.article_op(a):
                return MirrorReply(301, "", headers={"Location": self.url_of(a)})
            return self.article(a)
        return None

    def find(self, op: str) -> MirrorArticle | None:
        match = ARTICLE_OP_RE.match(op)
        a = self.by_id.get(int(match["id"])) if match else None
        return a if a is not None and op == self.article_op(a) else None

    def home(self) -> MirrorReply:
        return self.html("home.html", sections=[
            (self.op_url(k), v, [self.item(a) for a in self.in_category(k)[:4]])
            for k, v in self.categories.items()])

    def listing(self, category: str, page: int) -> MirrorReply | None:
        items = self.in_category(category)
        pages = self.page_count(items)
        if not 1 <= page <= pages:
            return None
        return self.html(
            self.listing_template, category=category, category_name=self.categories[category],
            items=[self.item(a) for a in self.page_of(items, page)], page=page, pages=pages,
            page_url=lambda p: self.op_url(self.page_op(category, p)))

    def neighbours(self, a: MirrorArticle) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """"Những tin mới hơn" and "Những tin cũ hơn" of the category."""
        same = self.in_category(a.category)
        pos = next(i for i, x in enumerate(same) if x.id == a.id)
        newer = [self.item(x) for x in same[max(0, pos - 5):pos]]
        older = [self.item(x) for x in same[pos + 1:pos + 6]]
        return newer, older

    def article(self, a: MirrorArticle) -> MirrorReply:
        newer, older = self.neighbours(a)
        keywords = [(k, nv_alias(k).lower()) for k in
                    (self.categories[a.category], "Sở Khoa học và Công nghệ", "Cao Bằng")]
        return self.html(
            "article.html", a=a, category=a.category,
            category_name=self.categories[a.category], url=self.url_of(a),
            op=self.article_op(a), publtime=self.publtime(a),
            hometext=_first_sentence(a.paragraphs[0]), lead=self.lead_image(a),
            files=self.files(a), keywords=keywords, newer=newer, older=older)

    def action(self, kind: str, a: MirrorArticle) -> MirrorReply:
        """"Lưu bài viết này" (an HTML file download) or the print view of an article."""
        page = self.render("saved.html", a=a, url=self.site_url + self.url_of(a),
                           publtime=self.publtime(a), hometext=_first_sentence(a.paragraphs[0]),
                           printing=kind == "print")
        if kind == "print":
            return MirrorReply(200, page)
        return MirrorReply(200, page, "text/html; charset=utf-8",
                           {"Content-Disposition": f'attachment; filename="{a.slug}.html"'})

    def rss(self, category: str | None) -> MirrorReply | None:
        if category is not None and category not in self.categories:
            return None
        items = self.in_category(category) if category else self.articles
        xml = self.render(
            "rss.xml", category_name=self.categories.get(category or "", "Tin Tức"),
            link=self.site_url + self.op_url(category or "rss"),
            items=[{**self.item(a), "url": self.site_url + self.url_of(a),
                    "pubdate": format_datetime(a.published)} for a in items[:20]])
        return MirrorReply(200, xml, "application/rss+xml; charset=utf-8")


MODEL = CaobangModel
