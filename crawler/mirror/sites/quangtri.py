"""Mirror of sokhcn.quangtri.gov.vn (Quảng Trị DOST, absorbed Quảng Bình's on 1/7/2025) as a
Liferay portal.

What is real and what is made up (see spiders/quangtri.py for the tags):

- Article URLs ``/chi-tiet-tin/-/view-article/1/<13 digits>/<13 digits>`` are the real form
  (CONFIRMED). Here the first number is the category's id (1663228888354, the number of the
  real example, for "Tin tức - Sự kiện") and the second the article's id, a millisecond
  timestamp of its creation (GUESS: both numbers of the real example are Sept 2022 times,
  the new site's launch). An id only depends on the article's own date and number, so it is
  stable in every scenario. A URL with the wrong category id is a 404 (GUESS). The oldest
  article is the real example: ``…/1663228888354/1663239191717`` dated 05-05-2021 (CONFIRMED
  URL and date; its text comes from the pool), an article of the old site migrated when the
  new one started, so its id is younger than its date.
- The article page shows "Ngày đăng: dd-mm-yyyy" (CONFIRMED label and format) and the HTML
  title "Chi tiết tin - Sở Khoa học và Công nghệ" (CONFIRMED), not the article's title. The
  header prints the server's *today* as "Chủ Nhật ngày 05/12/2021" (CONFIRMED on the old
  site dostquangtri.gov.vn; modelled here too).
- Listing pages ``/tin-tuc-su-kien`` and ``/tin-tong-hop`` (GUESS, after the old site's
  "Tin tức - Sự kiện: Tin tổng hợp"), paged by the portlet's ``_<portlet>_cur=N`` parameter
  with Liferay's page iterator (GUESS after moit.gov.vn / vast.gov.vn, REPORTED there). The
  iterator's links are absolute, as Liferay renders portlet URLs.
- Images and files come from Documents & Media, ``/documents/<group>/<folder>/<title>/<uuid>
  ?t=<ms>`` (REPORTED for Bắc Ninh's Liferay).
- The right column holds a second asset publisher ("Tin mới nhất") with the same
  ``asset-abstract`` markup as the category list, so a parser must keep to the main column.
- Every class name is Liferay stock markup used as a GUESS.

Markup variants (``variants``; ``--variant NAME``), Liferay's other stock displays
(crawler/platforms/liferay.py), same articles, URLs, page iterator and date strings:

- ``title-list``: the main column's list as ``ul.title-list li`` (link, ``span.date``
  "dd-mm-yyyy"), as the home page shows its lists; the right column's "Tin mới nhất" keeps
  its ``asset-abstract`` markup, so a parser keeping to ``#column-1`` finds no abstract.
- ``asset-full-content``: the article as ``div.asset-full-content``: ``.metadata-categories
  a``, ``h1.header-title``, ``.metadata-publish-date`` ("Ngày đăng: dd-mm-yyyy"),
  ``.metadata-view-count``, ``div.asset-summary`` and the same ``div.journal-content-article``
  body (attachments stay in the body, as by default).
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import replace
from datetime import datetime
from functools import cached_property
from typing import Any

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

ARTICLE_RE = re.compile(r"^/chi-tiet-tin/-/view-article/1/(?P<cat>\d{13})/(?P<id>\d{13})/?$")
PORTLET = "CmsViewEcoITportlet_WAR_CmsViewEcoITportlet"
GROUP_ID = 20182
#: The real example (CONFIRMED URL and "Ngày đăng: 05-05-2021"); its time of day is a GUESS.
MIGRATED_LIFERAY_ID = 1663239191717
MIGRATED_DATE = datetime(2021, 5, 5, 8, 0, tzinfo=VN_TZ)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
STATIC_PAGES = {
    "/gioi-thieu": ("Giới thiệu", "Sở Khoa học và Công nghệ tỉnh Quảng Trị là cơ quan chuyên "
                    "môn thuộc Ủy ban nhân dân tỉnh, tham mưu, giúp Ủy ban nhân dân tỉnh quản "
                    "lý nhà nước về khoa học, công nghệ và chuyển đổi số."),
    "/lien-he": ("Liên hệ", "Sở Khoa học và Công nghệ tỉnh Quảng Trị."),
}


def header_date(day: datetime) -> str:
    """The header's today line, in the old site's form "Chủ Nhật ngày 05/12/2021"."""
    return f"{WEEKDAYS[day.weekday()]} ngày {day:%d/%m/%Y}"


def _first_sentence(text: str) -> str:
    match = re.match(r"(.{40,}?\.)\s", text)
    return match.group(1) if match else text


class QuangtriModel(SiteModel):
    slug = "quangtri"
    site_url = "https://sokhcn.quangtri.gov.vn"
    categories = {"tin-tuc-su-kien": "Tin tức - Sự kiện", "tin-tong-hop": "Tin tổng hợp"}
    category_ids = {"tin-tuc-su-kien": 1663228888354, "tin-tong-hop": 1663228912765}
    newest = datetime(2025, 11, 21, 15, 40, tzinfo=VN_TZ)
    first_id = 5000
    page_size = 10
    #: The listing and article templates; the variants switch them.
    listing_template = "listing.html"
    article_template = "article.html"
    variants = {
        "title-list": {"listing_template": "listing_title-list.html"},
        "asset-full-content": {"article_template": "article_asset-full-content.html"},
    }

    @cached_property
    def articles(self) -> list[MirrorArticle]:
        """The pool's articles; the oldest is the real example's: published 05-05-2021 on
        the old site and migrated to the new one, whose id is the migration time."""
        arts = SiteModel.articles.func(self)
        return [replace(a, published=MIGRATED_DATE, category="tin-tuc-su-kien")
                if a.id == self.migrated_id else a for a in arts]

    @property
    def migrated_id(self) -> int:
        return self.first_id + 1

    # -- ids and URLs ----------------------------------------------------------------------
    def liferay_id(self, a: MirrorArticle) -> int:
        """The article's 13-digit id: its creation time in ms (a few minutes after the
        publication time the editor set), stable for the article."""
        if a.id == self.migrated_id:
            return MIGRATED_LIFERAY_ID
        jitter = random.Random(f"quangtri-{a.id}").randint(60_000, 900_000)
        return int(a.published.timestamp()) * 1000 + jitter

    @cached_property
    def by_liferay_id(self) -> dict[int, MirrorArticle]:
        return {self.liferay_id(a): a for a in self.articles}

    def url_of(self, a: MirrorArticle) -> str:
        return (f"/chi-tiet-tin/-/view-article/1/{self.category_ids[a.category]}/"
                f"{self.liferay_id(a)}")

    def page_url(self, category: str, page: int) -> str:
        """The page iterator's link: absolute, namespaced by the portlet (GUESS)."""
        base = f"{self.site_url}/{category}"
        if page == 1:
            return base
        return (f"{base}?p_p_id={PORTLET}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
                f"&_{PORTLET}_cur={page}")

    def document(self, a: MirrorArticle, title: str, k: int = 0) -> str:
        """A Documents & Media URL: /documents/<group>/<folder>/<title>/<uuid>?t=<ms>."""
        uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{self.site_url}/{a.id}/{k}/{title}")
        folder = 1663300000000 + self.category_ids[a.category] % 100000
        return f"/documents/{GROUP_ID}/{folder}/{title}/{uid}?t={self.liferay_id(a) + 1000 + k}"

    def image_path(self, a: MirrorArticle, k: int) -> str:
        return self.document(a, f"{a.published:%Y%m%d}-{a.id}-{k}.jpg", k)

    # -- page parts ------------------------------------------------------------------------
    def date(self, a: MirrorArticle) -> str:
        return f"{a.published:%d-%m-%Y}"

    def item(self, a: MirrorArticle) -> dict[str, Any]:
        summary = _first_sentence(a.paragraphs[0]) if a.paragraphs else ""
        return {"url": self.url_of(a), "title": a.title, "date": self.date(a),
                "thumb": self.image_path(a, 0), "summary": summary}

    def blocks(self, a: MirrorArticle) -> list[dict[str, Any]]:
        """Paragraphs; every third article has a captioned photo after the first one."""
        out: list[dict[str, Any]] = []
        for i, text in enumerate(a.paragraphs):
            out.append({"kind": "p", "text": text})
            if i == 0 and a.id % 3 == 0:
                out.append({"kind": "img", "src": self.image_path(a, 1),
                            "caption": "Quang cảnh buổi làm việc."})
        return out

    def files(self, a: MirrorArticle) -> list[dict[str, str]]:
        if a.id % 4:
            return []
        number = a.id % 100
        return [{"url": self.document(a, f"Ke+hoach+so+{number}-KH-SKHCN.pdf", 9),
                 "name": f"Kế hoạch số {number}/KH-SKHCN"}]

    def newest_items(self) -> list[dict[str, Any]]:
        return [self.item(a) for a in self.articles[:5]]

    def page(self, template: str, **context: Any) -> MirrorReply:
        today = datetime.now(VN_TZ)
        context.setdefault("today_line", header_date(context.get("today", today)))
        context.setdefault("menu", [(f"/{k}", v) for k, v in self.categories.items()])
        return MirrorReply(200, self.render(template, newest_items=self.newest_items(),
                                            **context))

    # -- routes ----------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        if request.method not in ("GET", "HEAD"):
            return None
        # Liferay accepts a ;jsessionid path parameter on any URL.
        path = re.sub(r";jsessionid=[^/]*", "", request.path, flags=re.I).rstrip("/") or "/"
        if path in ("/", "/trang-chu"):
            return self.page("home.html", sections=[
                (f"/{k}", v, [self.item(a) for a in self.in_category(k)[:4]])
                for k, v in self.categories.items()])
        if path.lstrip("/") in self.categories:
            raw = request.arg(f"_{PORTLET}_cur", "1") or "1"
            return self.listing(path.lstrip("/"), int(raw) if raw.isdigit() else 1)
        if path in STATIC_PAGES:
            title, text = STATIC_PAGES[path]
            return self.page("static.html", title=title, text=text)
        match = ARTICLE_RE.match(path)
        if match:
            a = self.by_liferay_id.get(int(match["id"]))
            if a is not None and self.category_ids[a.category] == int(match["cat"]):
                return self.article(a)
        return None

    def listing(self, category: str, page: int) -> MirrorReply | None:
        items = self.in_category(category)
        pages = self.page_count(items)
        if not 1 <= page <= pages:
            page = 1  # Liferay shows the first page for an out-of-range cursor
        start = (page - 1) * self.page_size
        shown = self.page_of(items, page)
        return self.page(
            self.listing_template, category=category, category_name=self.categories[category],
            items=[self.item(a) for a in shown], page=page, pages=pages,
            page_url=self.page_url, total=len(items), first=start + 1,
            last=start + len(shown), portlet=PORTLET)

    def article(self, a: MirrorArticle) -> MirrorReply:
        same = [x for x in self.in_category(a.category) if x.id != a.id][:6]
        return self.page(
            self.article_template, a=a, category=a.category,
            category_name=self.categories[a.category],
            url=self.url_of(a), date=self.date(a), blocks=self.blocks(a),
            sapo=_first_sentence(a.paragraphs[0]) if a.paragraphs else "",
            files=self.files(a), others=[self.item(x) for x in same], portlet=PORTLET)


MODEL = QuangtriModel
