"""Mirror of the Quảng Ninh DOST subsite of www.quangninh.gov.vn (sites.md 2.3, 3.4).

What is modelled on facts and what is invented:

- Articles ``/So/sokhoahoccongnghe/Trang/ChiTietTinTuc.aspx?nid=N`` (CONFIRMED); ``nid`` is
  a per-subsite sequence around 7400-8100 (CONFIRMED: 7403, 7513, 8129 seen). Ids follow
  creation, not publication, so they are not strictly in date order.
- Page text: a section heading first ("TIN TRONG TỈNH", "NHỮNG VẤN ĐỀ CHUNG"), then the
  title and the body, the author's name last (CONFIRMED as page text; seed 001). Image
  captions appear twice in the text (seed 001), reproduced as a figure caption followed by
  a caption paragraph.
- Dates ``dd/mm/yyyy HH:MM`` (CONFIRMED for the provincial portal; the seed's "Thứ Hai,
  14/12/2020, 17:29 [GMT+7]" form is not confirmed for this site and is not used).
- Attachments ``/So/sokhoahoccongnghe/Lists/TinTuc/Attachments/<nid>/<file>`` with
  Vietnamese file names percent-encoded (REPORTED); which articles carry one is invented, and
  so is the one whose file is gone (``GONE``: linked, answered 404, as dead links are), and
  each file's bytes (a minimal PDF naming its article, so two files never share bytes).
- Listing ``/So/sokhoahoccongnghe/Trang/tin-tuc-su-kien.aspx?Page=N`` (GUESS, after the
  provincial portal's ``/Trang/tin-tuc-su-kien.aspx``), all HTML class names, the header
  "today" date, menus and footer: GUESS.

Markup variants (``variants``; ``--variant NAME``): the other SharePoint flavour's markup
(crawler/platforms/sharepoint.py), as the Vĩnh Phúc mirror renders it by default, with the
same articles, URLs, paging and date strings ("dd/mm/yyyy HH:MM"); all GUESSES:

- ``ListNews-table``: listing pages as ``table.ListNews tr.item`` (``a.title``,
  ``span.date``, ``div.summary``) with the ``div.paging`` pager; the home page stays.
- ``ChiTietTin-table``: the article as ``table.ChiTietTin``: the section heading
  (``td.chuyenmuc``), ``td.tieude``, ``td.ngaydang``, ``td.noidung`` (the same body) and
  the attachments in ``td.dinhkem``; "Các tin khác" stays after it. The variant reads no
  category (its ``category_css`` is empty), so a crawl files these articles under the
  listing's category, not under the section heading.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites.base import MirrorReply, MirrorRequest, SiteModel
from crawler.normalize.dates import VN_TZ

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
SUBSITE = "/So/sokhoahoccongnghe"
OTHER_ITEMS = 6
# The smallest valid PDF a viewer opens: enough for a link checker, not content.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# The article whose attachment link is dead: the page links the file, the server says 404.
GONE = 7411


def pdf(nid: int) -> bytes:
    """The file attached to article ``nid``: the minimal PDF with a comment naming it."""
    return PDF.replace(b"\n", f"\n%nid {nid}\n".encode(), 1)


class QuangNinhModel(SiteModel):
    slug = "quangninh"
    site_url = "https://www.quangninh.gov.vn"
    categories = {"tin-trong-tinh": "TIN TRONG TỈNH",
                  "nhung-van-de-chung": "NHỮNG VẤN ĐỀ CHUNG"}
    newest = datetime(2021, 3, 1, 10, 15, tzinfo=VN_TZ)
    first_id = 7400
    page_size = 10
    #: The listing and article templates; the variants switch them.
    listing_template = "listing.html"
    article_template = "article.html"
    variants = {
        "ListNews-table": {"listing_template": "listing_ListNews-table.html"},
        "ChiTietTin-table": {"article_template": "article_ChiTietTin-table.html"},
    }

    # -- what the pages show -------------------------------------------------------------
    @staticmethod
    def stamp(when: datetime) -> str:
        return f"{when:%d/%m/%Y %H:%M}"

    def header_date(self, today: datetime) -> str:
        return f"{WEEKDAYS[today.weekday()]}, {today:%d/%m/%Y}"

    def attachments(self, art: MirrorArticle) -> list[tuple[str, str]]:
        """(href, file name) of an article's attachments: every third article has a plan."""
        if art.attachments:
            names = [name for name, _text in art.attachments]
        elif art.id % 3 == 1 and not art.images:
            names = [f"Kế hoạch số {art.id % 97 + 3}-KH-SKHCN năm {art.published.year}.pdf"]
        else:
            names = []
        return [(quote(f"{SUBSITE}/Lists/TinTuc/Attachments/{art.id}/{name}"), name)
                for name in names]

    # -- routing -------------------------------------------------------------------------
    def route(self, request: MirrorRequest) -> MirrorReply | None:
        path = request.path.lower()
        sub = SUBSITE.lower()
        if path in (sub, f"{sub}/", f"{sub}/trang/default.aspx"):
            return MirrorReply(body=self.render("home.html", latest=self.articles[:8],
                                                title="Trang chủ"))
        if path == f"{sub}/trang/tin-tuc-su-kien.aspx":
            return self.listing(request)
        if path == f"{sub}/trang/chitiettintuc.aspx":
            return self.detail(request)
        if path.startswith(f"{sub}/lists/tintuc/attachments/"):
            return self.attachment(request)
        return None

    def listing(self, request: MirrorRequest) -> MirrorReply:
        try:
            page = max(1, int(request.arg("Page", "1") or "1"))
        except ValueError:
            page = 1
        return MirrorReply(body=self.render(
            self.listing_template, items=self.page_of(self.articles, page), page=page,
            pages=self.page_count(self.articles), title="Tin tức - Sự kiện"))

    def detail(self, request: MirrorRequest) -> MirrorReply | None:
        raw = request.arg("nid") or ""
        art = self.by_id.get(int(raw)) if raw.isdigit() else None
        if art is None:
            return None
        same = [a for a in self.in_category(art.category) if a.id != art.id]
        return MirrorReply(body=self.render(
            self.article_template, art=art, section=self.categories[art.category],
            files=self.attachments(art), others=same[:OTHER_ITEMS], title=art.title))

    def attachment(self, request: MirrorRequest) -> MirrorReply | None:
        parts = request.path.split("/")
        if len(parts) < 2 or not parts[-2].isdigit():
            return None
        art = self.by_id.get(int(parts[-2]))
        if art is None or parts[-1] not in [name for _href, name in self.attachments(art)]:
            return None
        if art.id == GONE:
            return None
        return MirrorReply(200, pdf(art.id), "application/pdf")


MODEL = QuangNinhModel
