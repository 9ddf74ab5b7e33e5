"""Mirror of sokhcn.ninhbinh.gov.vn (Ninh Bình DOST; absorbed Nam Định's and Hà Nam's on
1/7/2025) as a VNPT Portal site with the ``UIListNews_Default`` list module.

Modelled from research/sites.md 2.1 and 6 (see spiders/ninhbinh.py for the tags):

- REPORTED: list pages ``/tin-hoat-dong-cua-so`` and ``/tin-khcn-trong-nuoc``; list items
  ``.UIListNews_Default .item a`` (inside ``.list-news``); paging through ``POST
  /DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle`` with
  form-encoded fields, answered by a bare HTML fragment of items; detail markup
  ``ArticleDetailControl`` / ``ArticleHeader`` / ``PostDate`` / ``ArticleSummary`` /
  ``ArticleContent``; the body ends with "Tác giả:" and "Nguồn:" / "Ảnh:" credit lines.
- GUESS: article URLs ``/<category>/<slug>-<6 digits>`` (REPORTED shape, digit count
  guessed), the ids of categories and site, the item's inner markup (``h3.Title a``,
  ``div.Ngaydang``, ``p``), the PostDate format "20/11/2025 08:30", the header's today date.
- The endpoint reads form fields only: a JSON body gets ASP.NET's 500 page ("Input string
  was not in a correct format."), as does a form lacking a field. GUESS, chosen so that a
  spider sending the wrong encoding fails loudly.
- The right column has "Tin xem nhiều" in a ``UIListNews_Hot`` module with the same item
  markup, so a parser must keep to the ``UIListNews_Default`` module.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

PAGINATION_PATH = "/DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle"
LOAD_ARTICLE_PARAMS = (
    "article_category_id", "categoryIds", "site_id", "page", "page_size", "keyword",
    "date_begin", "date_end", "show_no", "show_post_date", "num_of_text", "show_view_count",
    "filter_order_in_list", "is_default", "new", "number_of_day", "no", "articlelang",
    "is_authenticated",
)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
ARTICLE_RE = re.compile(r"^/(?P<cat>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)-(?P<id>\d{6})/?$")
SOURCES = ("mst.gov.vn", "Báo Nhân Dân", "vista.gov.vn")
PHOTOGRAPHERS = ("Hoàng Yến", "Văn Hùng", "Minh Đức")
YSOD = """<!DOCTYPE html>
<html><head><title>{message}</title></head>
<body bgcolor="white"><span><h1>Server Error in '/' Application.
<hr width=100% size=1 color=silver></h1>
<h2><i>{message}</i></h2></span>
<b> Description: </b>An unhandled exception occurred during the execution of the current web
request.<br><br><b> Exception Details: </b>System.FormatException: {message}<br><br>
</body></html>"""


def _first_sentence(text: str) -> str:
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class NinhbinhModel(SiteModel):
    slug = "ninhbinh"
    site_url = "https://sokhcn.ninhbinh.gov.vn"
    categories = {
        "tin-hoat-dong-cua-so": "Tin hoạt động của Sở",
        "tin-khcn-trong-nuoc": "Tin KH&CN trong nước",
    }
    category_ids = {"tin-hoat-dong-cua-so": 2417, "tin-khcn-trong-nuoc": 2419}
    site_id = 61
    portal_id = 106231
    newest = datetime(2025, 11, 24, 16, 0, tzinfo=VN_TZ)
    first_id = 735100
    page_size = 10

    # -- views ---------------------------------------------------------------------------
    def article_url(self, a: MirrorArticle) -> str:
        return f"/{a.category}/{a.slug}-{a.id}"

    def upload(self, a: MirrorArticle, name: str) -> str:
        return f"/upload/{self.portal_id}/fck/{a.published:%Y%m}/{name}"

    def item(self, a: MirrorArticle) -> dict[str, Any]:
        summary = _first_sentence(a.paragraphs[0]) if a.paragraphs else ""
        if len(summary) > 200:
            summary = summary[:200].rsplit(" ", 1)[0] + "…"
        return {"url": self.article_url(a), "title": a.title, "date": f"{a.published:%d/%m/%Y}",
                "thumb": self.upload(a, f"{a.id}_thumb.jpg"), "summary": summary}

    def credits(self, a: MirrorArticle) -> list[str]:
        """The credit lines that end the body: author, then the source or the photographer."""
        lines = [f"Tác giả: {a.author}"] if a.author else []
        if a.category == "tin-khcn-trong-nuoc":
            lines.append(f"Nguồn: {a.source or SOURCES[a.id % len(SOURCES)]}")
        elif a.id % 4 == 0:
            lines.append(f"Ảnh: {PHOTOGRAPHERS[a.id % len(PHOTOGRAPHERS)]}")
        return lines

    def files(self, a: MirrorArticle) -> list[dict[str, str]]:
        if a.id % 5:
            return []
        return [{"url": self.upload(a, f"cong-van-{a.id}.pdf"),
                 "name": f"Công văn số {a.id % 1000}/SKHCN-QLKH"}]

    def body_images(self, a: MirrorArticle) -> list[dict[str, str]]:
        if a.id % 3:
            return []
        return [{"url": self.upload(a, f"{a.id}_1.jpg"),
                 "caption": "Các đại biểu tham dự hội nghị."}]

    def most_viewed(self) -> list[dict[str, Any]]:
        top = sorted(self.articles, key=lambda a: (-a.view_count, a.id))[:5]
        return [self.item(a) for a in top]

    def page(self, template: str, **context: Any) -> MirrorReply:
        today = context.pop("today", None) or datetime.now(VN_TZ)
        context.setdefault("menu", [(f"/{k}", v) for k, v in self.categories.items()])
        return MirrorReply(200, self.render(
            template, today=today,
            header_date=f"{WEEKDAYS[today.weekday()]}, ngày {today:%d/%m/%Y}",
            most_viewed=self.most_viewed(), **context))

    # -- routes --------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path.rstrip("/") or "/"
        if path.lower() == PAGINATION_PATH.lower():
            return self.load_article(request)
        if request.method not in ("GET", "HEAD"):
            return None
        if path == "/":
            return self.page("home.html", sections=[
                (f"/{k}", v, [self.item(a) for a in self.in_category(k)[:4]])
                for k, v in self.categories.items()])
        if path.lstrip("/") in self.categories:
            return self.listing(path.lstrip("/"))
        match = ARTICLE_RE.match(path)
        if match:
            a = self.by_id.get(int(match["id"]))
            if a is not None and a.category == match["cat"]:
                return self.article(a)
        return None

    def listing(self, category: str) -> MirrorReply:
        items = self.in_category(category)
        return self.page(
            "listing.html", category=category, category_name=self.categories[category],
            category_id=self.category_ids[category],
            items=[self.item(a) for a in self.page_of(items, 1)],
            max_page=self.page_count(items), page_size=self.page_size)

    def article_context(self, a: MirrorArticle) -> dict[str, Any]:
        same = [x for x in self.in_category(a.category) if x.id != a.id][:5]
        return dict(
            a=a, category=a.category, category_name=self.categories[a.category],
            url=self.article_url(a), posted=f"{a.published:%d/%m/%Y %H:%M}",
            sapo=_first_sentence(a.paragraphs[0]), lead=self.upload(a, f"{a.id}.jpg"),
            images=self.body_images(a), files=self.files(a), credits=self.credits(a),
            keywords=", ".join([self.categories[a.category], "Sở Khoa học và Công nghệ",
                                "Ninh Bình"]),
            others=[self.item(x) for x in same])

    def article(self, a: MirrorArticle) -> MirrorReply:
        return self.page("article.html", **self.article_context(a))

    def load_article(self, request: MirrorRequest) -> MirrorReply:
        """A form-reading handler: form fields in, a bare HTML fragment of items out."""
        if request.method != "POST":
            return MirrorReply(405, YSOD.format(message="The HTTP verb GET used to access "
                                                        f"path '{PAGINATION_PATH}' is not "
                                                        "allowed."))
        ctype = request.headers.get("content-type", "")
        try:
            form = {} if "json" in ctype else {
                k: v[0] for k, v in parse_qs(request.body.decode("utf-8"),
                                             keep_blank_values=True).items()}
        except UnicodeDecodeError:
            form = {}
        try:
            if any(p not in form for p in LOAD_ARTICLE_PARAMS):
                raise ValueError
            category_id, page = int(form["article_category_id"]), int(form["page"])
            size = int(form["page_size"])
        except ValueError:
            return MirrorReply(500, YSOD.format(
                message="Input string was not in a correct format."))
        category = next((k for k, v in self.category_ids.items() if v == category_id), None)
        items = self.in_category(category) if category else []
        start = (page - 1) * size
        return MirrorReply(200, self.render(
            "_items.html", items=[self.item(a) for a in items[start:start + size]]))


MODEL = NinhbinhModel
