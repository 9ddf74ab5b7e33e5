"""Mirror of sokhcn.cantho.gov.vn, rendered after the site's public source (sites.md 2.9).

The markup follows manyud351/SoKHCN (``KHCNCT.Web``), CONFIRMED as source:

- ``Default.aspx`` with the Telerik ``RadScriptManager`` (its script tags and the WebForms
  hidden fields) and ``SiteWrapper.ascx`` (header "KHOA HỌC VÀ CÔNG NGHỆ / THÀNH PHỐ CẦN
  THƠ", the mega menu whose panels show the 4 latest items of each category as
  ``div.snew-title a``, the link slider, the footer with the copyright and address lines).
  No date in the header.
- ``pid`` picks the page: 57 = an article (``nid``), a category page (``cid``, ``p``);
  without ``pid`` the home page is shown, whatever else the query holds (GUESS: the
  wrapper's default). An unknown ``nid`` gives 200 and the title "Không tìm thấy thông tin"
  (CONFIRMED as source).
- ``chi-tiet.ascx``: breadcrumb placeholder ("Home / Library / Data", as in the source),
  ``div.snew`` with date ``dd/MM/yyyy HH:mm``, title, empty author ``div.font-pluss``, sapo,
  lead image, body, right-aligned source line; then the "File đính kèm" heading (an empty
  ``div`` when there is no file) and the file links; "CÙNG CHUYÊN MỤC" (by view count),
  "XEM NHIỀU", "TIN LIÊN QUAN". Body images from the old DNN site are absolute
  ``http://sokhcn.cantho.gov.vn/DesktopModules/…`` URLs (the code-behind rewrites them so).
- ``chuyen-muc-s1.ascx``: page 1 = 6 lead items without dates, then "TIN TIẾP THEO" (10 per
  page, each with ``dd/MM/yyyy HH:mm`` and a teaser); page p ≥ 2 skips the 6 lead items;
  the pager counts pages as ``ceil(total / 10)``, so the last page can be empty.

Invented (GUESS): ``pid``/``cid`` of the two categories (60/2, 61/3) and their names, the
pager's HTML, ids around ``nid=17522`` (REPORTED) growing with the date, which articles
have a lead image, body photo, file or a reprint source line, the editors' byline in the
``Source`` field, the sidebars' titles and the slider's links.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

DETAIL_PID = 57
LEAD_ITEMS = 6
OLD_HOST = "http://sokhcn.cantho.gov.vn"
# The smallest valid PDF: enough for a link checker, not content.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
CAPTIONS = ("Quang cảnh buổi làm việc.", "Đại biểu tham quan mô hình ứng dụng tiến bộ kỹ thuật.",
            "Lãnh đạo Sở phát biểu tại hội nghị.")
REPRINT_SOURCES = ("Theo Báo Cần Thơ", "Nguồn: Trung tâm Thông tin và Thống kê KH&CN")


def _sapo(article: MirrorArticle) -> str:
    text = article.paragraphs[0] if article.paragraphs else ""
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class CanthoModel(SiteModel):
    slug = "cantho"
    site_url = "https://sokhcn.cantho.gov.vn"
    categories = {"tin-hoat-dong": "Tin hoạt động", "tin-khcn": "Tin khoa học và công nghệ"}
    #: category → (pid of its portal page, cid)
    pages = {"tin-hoat-dong": (60, 2), "tin-khcn": (61, 3)}
    newest = datetime(2025, 11, 18, 10, 20, tzinfo=VN_TZ)
    first_id = 17480
    page_size = 10
    ids_by_date = True

    # -- URLs (GenerateUrl: extra keys first, then pid) ------------------------------------
    @staticmethod
    def url_of(article: MirrorArticle) -> str:
        return f"/default.aspx?nid={article.id}&pid={DETAIL_PID}"

    def category_url(self, category: str, page: int | None = None) -> str:
        pid, cid = self.pages[category]
        return (f"/default.aspx?cid={cid}&pid={pid}" if page is None
                else f"/default.aspx?cid={cid}&p={page}&pid={pid}")

    # -- what pages show -------------------------------------------------------------------
    @staticmethod
    def stamp(when: datetime) -> str:
        return f"{when:%d/%m/%Y %H:%M}"

    def lead_image(self, a: MirrorArticle) -> str | None:
        return f"/uploads/news/{a.published:%Y/%m}/{a.id}.jpg" if a.id % 2 == 0 else None

    def thumb(self, a: MirrorArticle) -> str:
        return self.lead_image(a) or "/assets/images/no-image.jpg"

    def sapo(self, a: MirrorArticle) -> str:
        return _sapo(a)

    def source_line(self, a: MirrorArticle) -> str:
        if a.source:
            return f"Theo {a.source}"
        if a.id % 7 == 0:
            return REPRINT_SOURCES[a.id % 2]
        return a.author

    def files(self, a: MirrorArticle) -> list[dict[str, str]]:
        if a.id % 4 != 0:
            return []
        return [{"href": f"/uploads/files/{a.published:%Y/%m}/KH-{a.id}.pdf",
                 "name": f"Kế hoạch số {a.id % 97 + 5}/KH-SKHCN"}]

    def body(self, a: MirrorArticle) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = [{"kind": "p", "text": p} for p in a.paragraphs]
        if a.id % 3 == 0:
            src = (f"{OLD_HOST}/DesktopModules/NEWS/Images/{a.id}_1.jpg" if a.id % 2
                   else f"/uploads/news/{a.published:%Y/%m}/{a.id}_1.jpg")
            blocks.insert(1, {"kind": "img", "src": src,
                              "caption": CAPTIONS[a.id % len(CAPTIONS)]})
        return blocks

    def latest(self, category: str, count: int = 4) -> list[MirrorArticle]:
        return self.in_category(category)[:count]

    def most_viewed(self, count: int = 6) -> list[MirrorArticle]:
        return sorted(self.articles, key=lambda a: (-a.view_count, a.id))[:count]

    def common(self) -> dict[str, Any]:
        return {"url_of": self.url_of, "menu": [
            {"name": name, "url": self.category_url(cat), "latest": self.latest(cat)}
            for cat, name in self.categories.items()],
            "notices": self.articles[3:8], "most_viewed": self.most_viewed()}

    # -- routes ----------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path.lower()
        if path.startswith("/uploads/files/") and path.endswith(".pdf"):
            return self.file(path)
        if path not in ("/", "/default.aspx"):
            return None
        pid = request.arg("pid") or ""
        if pid == str(DETAIL_PID):
            return self.detail(request.arg("nid") or "")
        for category, (cat_pid, _cid) in self.pages.items():
            if pid == str(cat_pid):
                raw = request.arg("p") or "1"
                return self.listing(category, int(raw) if raw.isdigit() and raw != "0" else 1)
        return MirrorReply(200, self.render("home.html", latest=self.articles[:10],
                                            **self.common()))

    def detail(self, raw_nid: str) -> MirrorReply:
        article = self.by_id.get(int(raw_nid)) if raw_nid.isdigit() else None
        if article is None:
            return MirrorReply(200, self.render("article.html", article=None, files=[],
                                                related=[], **self.common()))
        same = sorted(self.in_category(article.category),
                      key=lambda a: (-a.view_count, -a.id))[:10]
        related = [a for a in self.articles if a.id != article.id][:5]
        return MirrorReply(200, self.render(
            "article.html", article=article, blocks=self.body(article),
            files=self.files(article), same=same, related=related,
            category_url=self.category_url(article.category), **self.common()))

    def listing(self, category: str, page: int) -> MirrorReply:
        items = self.in_category(category)
        if page == 1:
            lead, rest = items[:LEAD_ITEMS], items[LEAD_ITEMS:LEAD_ITEMS + self.page_size]
        else:
            start = LEAD_ITEMS + (page - 1) * self.page_size
            lead, rest = [], items[start:start + self.page_size]
        pages = max(1, math.ceil(len(items) / self.page_size))
        return MirrorReply(200, self.render(
            "listing.html", category=category, category_name=self.categories[category],
            lead=lead, rest=rest, page=page, pages=pages,
            page_url=lambda n: self.category_url(category, n), **self.common()))

    def file(self, path: str) -> MirrorReply | None:
        for article in self.articles:
            if any(f["href"].lower() == path for f in self.files(article)):
                return MirrorReply(200, PDF, "application/pdf")
        return None


MODEL = CanthoModel
