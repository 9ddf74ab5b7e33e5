"""``VnptModel``: the mirror of a provincial DOST site built on VNPT Portal (ASP.NET).

Modelled from research/sites.md 2.1 (VNPT markup, REPORTED by public scrapers of VNPT sites;
see crawler/platforms/vnpt.py). Which facts are CONFIRMED, REPORTED or GUESSES for a given
site, and where the sites differ, is recorded in that site's module. What the model renders
for every VNPT site:

- the home page, a list page per category ``/<category>`` and article pages
  ``/<category>/<slug>-<6 digits>``, with a header showing today's date (so an article's own
  date must be read from ``PostDate``) and a right column of the most viewed articles ("Tin
  xem nhiều") in a module of its own, which a list parser must leave alone;
- on a list page, the first page of the list module (``<list_module>_Default``), whose
  inline JS holds the paging parameters (``article_category_id``, ``categoryIds``,
  ``site_id``, ``page_size``, ``maxPage = parseInt(n)``);
- the paging endpoint ``POST
  /DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle``: a call lacking
  any of ``LOAD_ARTICLE_PARAMS`` is refused, an accepted one gets the items of that page.
  Which encodings the call may use (JSON answered ``{"d": html}``, form fields answered by
  the bare fragment) and how a refusal looks are the site's (``call_encodings``, ``fault``);
- article markup ``ArticleDetailControl`` / ``ArticleHeader`` / ``PostDate``
  ("dd/mm/yyyy HH:MM") / ``ArticleSummary`` (the first sentence) / ``ImgDetailImage`` /
  ``ArticleContent``, share links and "Các tin khác"; files and images under
  ``/upload/<portal id>/fck/<yyyymm>/``; keywords in ``<meta name="keywords">``.

Templates: crawler/mirror/templates/vnpt/ holds the layout and the pages; a site's own
templates extend them and fill the blocks where the site differs (see vnpt/base.html). The
list items are shared too, one template per list module (vnpt/_item_<list_module>.html),
so that a site can be switched to the other module.

Markup variants (``VnptModel.variants``; ``python -m crawler.mirror --site S --variant V``),
each changing one aspect of a site relative to its own default, so that a spider can be
tried on another known layout of the same CMS. Every VNPT site has all five; a variant
that is a site's own default leaves its pages as they are.

- ``UIArticleInMenu_Default``: the list module ``div.UIArticleInMenu_Default
  ul.ArticleList#ArticleList_<category id>`` with items ``li.row`` (title ``h2.Title a``,
  date ``div.Ngaydang``, summary ``p``, thumbnail ``div.col-lg-2 img.image``) on the list
  pages, ``div.UIArticleInMenu_Home ul.ArticleList`` on the home page, and the same items in
  the LoadArticle answer. REPORTED (sites.md 2.1: a public multi-layout Ninh Bình scraper,
  "Type11Parser", and public crawler configurations of Lào Cai's VNPT sites). Sơn La's own.
- ``UIListNews_Default``: the list module ``div.UIListNews_Default
  div.list-news#ListNews_<category id>`` with items ``div.item`` (title ``h3.Title a``,
  date ``div.Ngaydang``, summary ``p``), ``div.UIListNews_Home div.list-news`` on the home
  page, the same items in the LoadArticle answer. The module and ``.item a`` are REPORTED
  (sites.md 2.1 and 6: a public Ninh Bình scraper); the item's inner markup is a GUESS.
  Ninh Bình's own.
  Either list variant leaves the site's "Tin xem nhiều" column as it is (Sơn La's
  ``UIArticleHot_Default``, Ninh Bình's ``UIListNews_Hot``), outside the list module.
- ``Article-Detail-default``: the article's main block in the other detail layout,
  ``section.Article-Detail-default article.detailType2.Article-News`` with
  ``h1.entry-title``, ``time.post-date`` ("dd/mm/yyyy HH:MM"), ``div.post-summary``,
  ``img.post-image`` (the lead image) and ``div.post-content`` (the same paragraphs, body
  images, attachments and byline or credit lines as in ``ArticleContent``), then the share
  links; "Các tin khác" follows unchanged. REPORTED (sites.md 6) from the public multi-layout
  Ninh Bình scraper, which reads ``section.Article-Detail-default article.detailType2
  .Article-News`` with ``.entry-title``, ``time.post-date`` and ``div.post-content``; which
  site uses the layout is not stated. The scraper quotes ``h4.entry-title a`` (a link to
  the article); the ``h1`` heading here, ``div.post-summary``, ``img.post-image`` and the
  date format are GUESSES. The print/zoom toolbar and Sơn La's view count, chrome of the
  ArticleDetailControl layout, are not in it.
- ``ajax-json``: LoadArticle reads a JSON body only (``Content-Type: application/json``)
  and answers ASP.NET page-method style, ``{"d": "<fragment>"}`` as application/json; form
  fields get HTTP 500 ("Invalid JSON primitive.") in the site's own error format. REPORTED
  (sites.md 2.1: the hoinongdan.org.vn scraper sends JSON); the ``{"d": …}`` wrapping is a
  GUESS (usual for ASP.NET page methods).
- ``ajax-form``: LoadArticle reads form fields only and answers the bare HTML fragment; a
  JSON body gets HTTP 500 ("Input string was not in a correct format.") in the site's error
  format. REPORTED (sites.md 2.1: the Ninh Bình and Hải Phòng scrapers send form fields).
  Ninh Bình's own; Sơn La's default accepts both encodings.
  The listing page's inline JS sends the call in the encoding the site accepts (the first
  of ``call_encodings``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

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
FORMAT_ERROR = "Input string was not in a correct format."
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
ARTICLE_RE = re.compile(r"^/(?P<cat>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)-(?P<id>\d{6})/?$")


def _first_sentence(text: str) -> str:
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class VnptModel(SiteModel):
    #: The province, as the site names itself ("Sở Khoa học và Công nghệ tỉnh …").
    province: str = ""
    #: VNPT category ids, and the ``categoryIds`` string of a category (the category and its
    #: children) where it is more than the category's own id.
    category_ids: dict[str, int] = {}
    category_tree: dict[str, str] = {}
    #: Extra keywords of an article, by category.
    category_keywords: dict[str, tuple[str, ...]] = {}
    site_id: int = 0
    portal_id: int = 0
    page_size = 10
    #: How many items each category shows on the home page.
    home_items: int = 5
    #: The list module (``<list_module>_Home``, ``<list_module>_Default``), the element and
    #: class of its list of items, and the prefix of the list page's list id.
    list_module: str = "UIArticleInMenu"
    list_tag, list_class, list_id = "ul", "ArticleList", "ArticleList"
    #: The header's today date, e.g. "Thứ Năm, 20/11/2025".
    header_date_format: str = "{weekday}, {today:%d/%m/%Y}"
    #: What LoadArticle says of a body it cannot read, and of a call lacking ``{}``.
    unreadable_call: str = FORMAT_ERROR
    incomplete_call: str = FORMAT_ERROR
    #: The encodings LoadArticle reads ("json", "form"); the listing's JS sends the first.
    call_encodings: tuple[str, ...] = ("form",)
    #: The article page's main block: "ArticleDetailControl" or "Article-Detail-default".
    detail_layout: str = "ArticleDetailControl"

    variants = {
        "UIArticleInMenu_Default": {"list_module": "UIArticleInMenu", "list_tag": "ul",
                                    "list_class": "ArticleList", "list_id": "ArticleList"},
        "UIListNews_Default": {"list_module": "UIListNews", "list_tag": "div",
                               "list_class": "list-news", "list_id": "ListNews"},
        "Article-Detail-default": {"detail_layout": "Article-Detail-default"},
        "ajax-json": {"call_encodings": ("json",), "unreadable_call": "Invalid JSON primitive."},
        "ajax-form": {"call_encodings": ("form",), "unreadable_call": FORMAT_ERROR},
    }

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
        """Documents attached to the article (``url``, ``name``)."""
        raise NotImplementedError

    def body_images(self, a: MirrorArticle) -> list[dict[str, str]]:
        """Images placed after the first paragraph (``url``, ``caption``)."""
        raise NotImplementedError

    def view_rank(self, a: MirrorArticle) -> Any:
        """Sort key of "Tin xem nhiều": most viewed first, ties in article order."""
        return -a.view_count

    def most_viewed(self) -> list[dict[str, Any]]:
        return [self.item(a) for a in sorted(self.articles, key=self.view_rank)[:5]]

    def keywords(self, a: MirrorArticle) -> str:
        return ", ".join([self.categories[a.category], "Sở Khoa học và Công nghệ", self.province,
                          *self.category_keywords.get(a.category, ())])

    def header_date(self, today: datetime) -> str:
        return self.header_date_format.format(weekday=WEEKDAYS[today.weekday()], today=today)

    def page(self, template: str, **context: Any) -> MirrorReply:
        today = context.pop("today", None) or datetime.now(VN_TZ)
        context.setdefault("menu", [(f"/{k}", v) for k, v in self.categories.items()])
        return MirrorReply(200, self.render(
            template, today=today, header_date=self.header_date(today),
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
                (f"/{k}", v, [self.item(a) for a in self.in_category(k)[:self.home_items]])
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
        category_id = self.category_ids[category]
        return self.page(
            "listing.html", category=category, category_name=self.categories[category],
            category_id=category_id,
            category_tree=self.category_tree.get(category, str(category_id)),
            items=[self.item(a) for a in self.page_of(items, 1)],
            max_page=self.page_count(items), page_size=self.page_size)

    def article_context(self, a: MirrorArticle) -> dict[str, Any]:
        same = [x for x in self.in_category(a.category) if x.id != a.id][:5]
        return dict(
            a=a, category=a.category, category_name=self.categories[a.category],
            url=self.article_url(a), posted=f"{a.published:%d/%m/%Y %H:%M}", sapo=self.sapo(a),
            lead=self.upload(a, f"{a.id}.jpg"), images=self.body_images(a), files=self.files(a),
            keywords=self.keywords(a), others=[self.item(x) for x in same])

    def article(self, a: MirrorArticle) -> MirrorReply:
        return self.page("article.html", **self.article_context(a))

    # -- the LoadArticle endpoint --------------------------------------------------------
    def load_article(self, request: MirrorRequest) -> MirrorReply:
        """Read the call's fields, check them, answer with the items of the page."""
        if request.method != "POST":
            return self.fault("The HTTP verb GET used to access path "
                              f"'{PAGINATION_PATH}' is not allowed.", 405)
        fields = self.call_fields(request)
        if fields is None:
            return self.fault(self.unreadable_call)
        missing = [p for p in LOAD_ARTICLE_PARAMS if p not in fields]
        if missing:
            return self.fault(self.incomplete_call.format(missing[0]))
        try:
            category_id, page = int(fields["article_category_id"]), int(fields["page"])
            size = int(fields["page_size"])
        except (TypeError, ValueError):
            return self.fault(FORMAT_ERROR)
        category = next((k for k, v in self.category_ids.items() if v == category_id), None)
        items = self.in_category(category) if category else []
        start = (page - 1) * size
        return self.answer(request, self.render(
            "vnpt/_items.html", items=[self.item(a) for a in items[start:start + size]]))

    @staticmethod
    def call_encoding(request: MirrorRequest) -> str:
        """How the call is encoded: "json" (by its content type) or "form"."""
        return "json" if "json" in request.headers.get("content-type", "") else "form"

    def call_fields(self, request: MirrorRequest) -> dict[str, Any] | None:
        """The call's fields (form fields with blank values kept, or a JSON object); None for
        an encoding the site does not read (``call_encodings``) or a body it cannot read."""
        if self.call_encoding(request) not in self.call_encodings:
            return None
        try:
            fields = request.form()
        except ValueError:  # bad JSON or bytes that are not UTF-8
            return None
        return fields if isinstance(fields, dict) else None

    def answer(self, request: MirrorRequest, html: str) -> MirrorReply:
        """The reply to an accepted call: ``{"d": html}`` to a JSON call (an ASP.NET page
        method's answer), the bare HTML fragment of items to form fields."""
        if self.call_encoding(request) == "json":
            return MirrorReply(200, json.dumps({"d": html}, ensure_ascii=False),
                               "application/json; charset=utf-8")
        return MirrorReply(200, html)

    def fault(self, message: str, status: int = 500) -> MirrorReply:
        """The reply to a refused call."""
        raise NotImplementedError
