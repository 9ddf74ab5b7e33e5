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

What is Ninh Bình's own on top of ``VnptModel`` (templates in templates/ninhbinh/): the list
module above (items in the shared templates/vnpt/_item_UIListNews.html), the news categories
under "Tin tức" (menu and breadcrumb), four items per category on the home page, the credit
lines, "Văn bản kèm theo" links and the HTML error page. The VNPT markup variants
(``--variant``, crawler/mirror/sites/_vnpt.py) switch the list module, the detail layout or
the LoadArticle encoding.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites._vnpt import LOAD_ARTICLE_PARAMS, PAGINATION_PATH, VnptModel
from crawler.mirror.sites.base import MirrorReply
from crawler.normalize.dates import VN_TZ

__all__ = ["LOAD_ARTICLE_PARAMS", "MODEL", "PAGINATION_PATH", "NinhbinhModel"]

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


class NinhbinhModel(VnptModel):
    slug = "ninhbinh"
    site_url = "https://sokhcn.ninhbinh.gov.vn"
    province = "Ninh Bình"
    categories = {
        "tin-hoat-dong-cua-so": "Tin hoạt động của Sở",
        "tin-khcn-trong-nuoc": "Tin KH&CN trong nước",
    }
    category_ids = {"tin-hoat-dong-cua-so": 2417, "tin-khcn-trong-nuoc": 2419}
    site_id = 61
    portal_id = 106231
    newest = datetime(2025, 11, 24, 16, 0, tzinfo=VN_TZ)
    first_id = 735100
    home_items = 4
    list_module = "UIListNews"
    list_tag, list_class, list_id = "div", "list-news", "ListNews"
    header_date_format = "{weekday}, ngày {today:%d/%m/%Y}"

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

    def view_rank(self, a: MirrorArticle) -> Any:
        return (-a.view_count, a.id)

    def article_context(self, a: MirrorArticle) -> dict[str, Any]:
        return {**super().article_context(a), "credits": self.credits(a)}

    def fault(self, message: str, status: int = 500) -> MirrorReply:
        """ASP.NET's HTML error page (a JSON body or a missing field: a FormatException)."""
        return MirrorReply(status, YSOD.format(message=message))


MODEL = NinhbinhModel
