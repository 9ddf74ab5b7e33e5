"""Mirror of sokhcn.vinhphuc.gov.vn: SharePoint, ``/noidung/`` flavour (sites.md 2.2, 3.1).

What is modelled on facts and what is invented:

- Article URLs ``/noidung/<sub>/Lists/<List>/View_Detail.aspx?ItemID=N`` (CONFIRMED shape);
  ItemIDs count per list from 1, so the same ItemID exists in both lists (SharePoint list
  item ids). The list names ``TinTuc`` and ``Tin hoạt động`` are GUESSES (the DOST news
  lists are not known); the second carries spaces and diacritics and is linked
  percent-encoded, as vinhphuc.gov.vn does with "Điểm tham quan" (REPORTED).
- Article page: title, the date alone on its own line (dd/mm/yyyy), the body ending with
  the author's name, then the "Các tin đã đưa ngày:" date-archive filter followed by older
  items "Title (dd/mm/yyyy)" (CONFIRMED as page text, seed 000). The HTML around it (a
  table web part, class names) is a GUESS, as are the header "today" date, the menus and the
  "Thống kê truy cập" block.
- Listing ``/noidung/<sub>/Lists/<List>/View_List.aspx?Page=N``, newest first: GUESS.
- The site froze when the province was abolished (1/7/2025): the newest article is from
  June 2025.

Markup variants (``variants``; ``--variant NAME``): the other SharePoint flavour's markup
(crawler/platforms/sharepoint.py), as the Quảng Ninh mirror renders it by default, with the
same articles, URLs, paging and date strings ("(dd/mm/yyyy)"); all GUESSES, as the defaults:

- ``news-item``: listing pages as ``div.list-news div.news-item`` (``h3.news-title a``,
  ``span.news-date``, ``p.news-sapo``) with the ``div.pager`` pager; the home page's list is
  not a listing module and stays.
- ``news-detail``: the article as ``div.news-detail`` (``div.section-title`` naming the list,
  ``h1.news-detail-title``, ``span.news-detail-date``, ``div.news-detail-content`` holding
  the same body), the "Các tin đã đưa ngày:" archive block after it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from urllib.parse import quote

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
ARCHIVE_ITEMS = 6


class VinhPhucModel(SiteModel):
    slug = "vinhphuc"
    site_url = "https://sokhcn.vinhphuc.gov.vn"
    categories = {"tin-hoat-dong": "Tin hoạt động", "tin-tuc-su-kien": "Tin tức - Sự kiện"}
    #: category slug → SharePoint list (sub-site and list name, as the server knows it)
    lists = {"tin-hoat-dong": "/noidung/tintuc/Lists/Tin hoạt động",
             "tin-tuc-su-kien": "/noidung/tintuc/Lists/TinTuc"}
    newest = datetime(2025, 6, 25, 9, 0, tzinfo=VN_TZ)
    first_id = 1
    page_size = 10
    #: The listing and article templates; the variants switch them.
    listing_template = "listing.html"
    article_template = "article.html"
    variants = {
        "news-item": {"listing_template": "listing_news-item.html"},
        "news-detail": {"article_template": "article_news-detail.html"},
    }

    # -- the lists -----------------------------------------------------------------------
    @cached_property
    def item_ids(self) -> dict[int, int]:
        """Article id → its ItemID in its list: per-list sequences, oldest item first."""
        ids: dict[int, int] = {}
        for category in self.categories:
            oldest_first = sorted(self.in_category(category), key=lambda a: (a.published, a.id))
            for n, art in enumerate(oldest_first):
                ids[art.id] = self.first_id + n
        return ids

    def list_href(self, category: str, page: str = "View_List.aspx") -> str:
        """Root-relative link into a list, percent-encoded as SharePoint writes it."""
        return quote(f"{self.lists[category]}/{page}")

    def article_href(self, art: MirrorArticle, *, encoded: bool = True) -> str:
        path = f"{self.lists[art.category]}/View_Detail.aspx"
        return f"{quote(path) if encoded else path}?ItemID={self.item_ids[art.id]}"

    def find(self, category: str, item_id: int) -> MirrorArticle | None:
        for art in self.in_category(category):
            if self.item_ids[art.id] == item_id:
                return art
        return None

    def header_date(self, today: datetime) -> str:
        return f"{WEEKDAYS[today.weekday()]}, ngày {today:%d/%m/%Y}"

    # -- routing -------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        if request.path in ("/", "/Pages/default.aspx"):
            return MirrorReply(body=self.render(
                "home.html", latest=self.articles[:8], title="Trang chủ"))
        for category, list_path in self.lists.items():
            if request.path.lower() == f"{list_path}/View_List.aspx".lower():
                return self.listing(request, category)
            if request.path.lower() == f"{list_path}/View_Detail.aspx".lower():
                return self.detail(request, category)
        return None

    def listing(self, request: MirrorRequest, category: str) -> MirrorReply:
        try:
            page = max(1, int(request.arg("Page", "1") or "1"))
        except ValueError:
            page = 1
        items = self.in_category(category)
        return MirrorReply(body=self.render(
            self.listing_template, category=category, name=self.categories[category],
            items=self.page_of(items, page), page=page, pages=self.page_count(items),
            title=self.categories[category]))

    def detail(self, request: MirrorRequest, category: str) -> MirrorReply | None:
        raw = request.arg("ItemID")
        if raw is None or not raw.isdigit():
            return None
        art = self.find(category, int(raw))
        if art is None:
            return None
        in_list = self.in_category(category)
        at = in_list.index(art)
        # Items published before this one; the oldest item shows the newest ones instead.
        older = (in_list[at + 1:] + in_list[:at])[:ARCHIVE_ITEMS]
        return MirrorReply(body=self.render(
            self.article_template, art=art, category=category, name=self.categories[category],
            older=older, title=art.title))


MODEL = VinhPhucModel
