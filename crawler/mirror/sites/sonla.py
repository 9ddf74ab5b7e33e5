"""Mirror of sokhcn.sonla.gov.vn (post-merger Sơn La DOST) as a VNPT Portal site.

Modelled from research/sites.md 2.1 (VNPT markup, REPORTED for other VNPT sites) and 3.2
(URL shape ``/<section>/<slug>-<6-digit id>`` CONFIRMED; platform, category slugs, ids of
the categories and the site, the JSON encoding of LoadArticle and the PostDate format are
GUESSES). The LoadArticle endpoint accepts both encodings seen in public scrapers: a JSON
body is answered ASP.NET page-method style (``{"d": "<li …>"}``), form fields with the bare
HTML fragment. A call missing a parameter gets ASP.NET's 500 "Invalid web service call".
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

PAGINATION_PATH = "/DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle"
#: Every parameter of the page method; ASP.NET refuses a call that lacks one.
LOAD_ARTICLE_PARAMS = (
    "article_category_id", "categoryIds", "site_id", "page", "page_size", "keyword",
    "date_begin", "date_end", "show_no", "show_post_date", "num_of_text", "show_view_count",
    "filter_order_in_list", "is_default", "new", "number_of_day", "no", "articlelang",
    "is_authenticated",
)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
ARTICLE_RE = re.compile(r"^/(?P<cat>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)-(?P<id>\d{6})/?$")


def _first_sentence(text: str) -> str:
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class SonlaModel(SiteModel):
    slug = "sonla"
    site_url = "https://sokhcn.sonla.gov.vn"
    categories = {
        "tin-tuc-su-kien": "Tin tức - Sự kiện",
        "chuyen-doi-so": "Chuyển đổi số",
    }
    #: VNPT category ids and the ``categoryIds`` string (the category and its children).
    category_ids = {"tin-tuc-su-kien": 6523, "chuyen-doi-so": 6541}
    category_tree = {"tin-tuc-su-kien": "6523,6524,6525", "chuyen-doi-so": "6541"}
    site_id = 104
    portal_id = 104345
    newest = datetime(2025, 11, 20, 16, 30, tzinfo=VN_TZ)
    first_id = 928000
    page_size = 10

    # -- views ---------------------------------------------------------------------------
    def article_url(self, a: MirrorArticle) -> str:
        return f"/{a.category}/{a.slug}-{a.id}"

    def sapo(self, a: MirrorArticle) -> str:
        return _first_sentence(a.paragraphs[0]) if a.paragraphs else ""

    def teaser(self, a: MirrorArticle, length: int = 200) -> str:
        text = self.sapo(a)
        return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"

    def upload(self, a: MirrorArticle, name: str) -> str:
        return f"/upload/{self.portal_id}/fck/{a.published:%Y%m}/{name}"

    def item(self, a: MirrorArticle) -> dict[str, Any]:
        """What a listing row shows of an article."""
        return {"url": self.article_url(a), "title": a.title, "date": f"{a.published:%d/%m/%Y}",
                "thumb": self.upload(a, f"{a.id}_thumb.jpg"), "summary": self.teaser(a)}

    def files(self, a: MirrorArticle) -> list[dict[str, str]]:
        """Attached documents: every fourth article carries a plan shown in pdf.js."""
        found = [{"url": self.upload(a, name), "name": text} for name, text in a.attachments]
        if a.id % 4 == 0:
            found.append({"url": self.upload(a, f"ke-hoach-{a.id}.pdf"),
                          "name": f"Kế hoạch số {a.id % 1000}/KH-SKHCN"})
            found.append({"url": self.upload(a, f"phu-luc-{a.id}.docx"),
                          "name": "Phụ lục kèm theo"})
        return found

    def body_images(self, a: MirrorArticle) -> list[dict[str, str]]:
        found = [{"url": path, "caption": caption} for path, caption in a.images]
        if a.id % 3 == 0:
            found.append({"url": self.upload(a, f"{a.id}_1.jpg"),
                          "caption": "Quang cảnh buổi làm việc."})
        return found

    def most_viewed(self) -> list[dict[str, Any]]:
        top = sorted(self.articles, key=lambda a: a.view_count, reverse=True)[:5]
        return [self.item(a) for a in top]

    def page(self, template: str, **context: Any) -> MirrorReply:
        today = datetime.now(VN_TZ)
        context.setdefault("menu", [(f"/{k}", v) for k, v in self.categories.items()])
        return MirrorReply(200, self.render(
            template, today=today, header_date=f"{WEEKDAYS[today.weekday()]}, "
                                               f"{today:%d/%m/%Y}",
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
                (f"/{k}", v, [self.item(a) for a in self.in_category(k)[:5]])
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
            category_id=self.category_ids[category], category_tree=self.category_tree[category],
            items=[self.item(a) for a in self.page_of(items, 1)],
            max_page=self.page_count(items), page_size=self.page_size)

    def article(self, a: MirrorArticle) -> MirrorReply:
        same = [x for x in self.in_category(a.category) if x.id != a.id][:5]
        keywords = ", ".join([self.categories[a.category], "Sở Khoa học và Công nghệ",
                              "Sơn La", *(["chuyển đổi số"] if a.category == "chuyen-doi-so"
                                          else [])])
        return self.page(
            "article.html", a=a, category=a.category, category_name=self.categories[a.category],
            url=self.article_url(a), posted=f"{a.published:%d/%m/%Y %H:%M}", sapo=self.sapo(a),
            lead=self.upload(a, f"{a.id}.jpg"), images=self.body_images(a), files=self.files(a),
            keywords=keywords, others=[self.item(x) for x in same])

    def load_article(self, request: MirrorRequest) -> MirrorReply:
        """The page method: JSON in → {"d": html} out; form fields in → bare HTML out."""
        if request.method != "POST":
            return self.method_error("The HTTP verb GET used to access path '"
                                     f"{PAGINATION_PATH}' is not allowed.", 405)
        is_json = "json" in request.headers.get("content-type", "")
        try:
            # Form fields are read keeping blank values ("keyword=" is a parameter too).
            form = request.form() if is_json else {
                k: v[0] for k, v in parse_qs(request.body.decode("utf-8"),
                                             keep_blank_values=True).items()}
        except (ValueError, UnicodeDecodeError):
            return self.method_error("Invalid JSON primitive.")
        if not isinstance(form, dict):
            return self.method_error("Invalid JSON primitive.")
        missing = [p for p in LOAD_ARTICLE_PARAMS if p not in form]
        if missing:
            return self.method_error(
                f"Invalid web service call, missing value for parameter: '{missing[0]}'.")
        try:
            category_id, page = int(form["article_category_id"]), int(form["page"])
            size = int(form["page_size"])
        except (TypeError, ValueError):
            return self.method_error("Input string was not in a correct format.")
        category = next((k for k, v in self.category_ids.items() if v == category_id), None)
        items = self.in_category(category) if category else []
        start = (page - 1) * size
        html = self.render("_items.html",
                           items=[self.item(a) for a in items[start:start + size]])
        if is_json:
            return MirrorReply(200, json.dumps({"d": html}, ensure_ascii=False),
                               "application/json; charset=utf-8")
        return MirrorReply(200, html)

    @staticmethod
    def method_error(message: str, status: int = 500) -> MirrorReply:
        body = {"Message": message, "StackTrace": "",
                "ExceptionType": "System.InvalidOperationException"}
        return MirrorReply(status, json.dumps(body), "application/json; charset=utf-8",
                           {"jsonerror": "true"})


MODEL = SonlaModel
