"""Mirror of sokhcn.sonla.gov.vn (post-merger Sơn La DOST) as a VNPT Portal site.

Modelled from research/sites.md 2.1 (VNPT markup, REPORTED for other VNPT sites) and 3.2
(URL shape ``/<section>/<slug>-<6-digit id>`` CONFIRMED; platform, category slugs, ids of
the categories and the site, the JSON encoding of LoadArticle and the PostDate format are
GUESSES). The LoadArticle endpoint accepts both encodings seen in public scrapers: a JSON
body is answered ASP.NET page-method style (``{"d": "<li …>"}``), form fields with the bare
HTML fragment. A call missing a parameter gets ASP.NET's 500 "Invalid web service call".

What is Sơn La's own on top of ``VnptModel`` (templates in templates/sonla/): the
``UIArticleInMenu_Default`` list module (``ul.ArticleList li.row``, items in the shared
templates/vnpt/_item_UIArticleInMenu.html), a ``UIArticleHot_Default`` "Tin xem nhiều"
module, the view count on article pages, body images as ``figure``, attached documents shown
in a pdf.js viewer, a ``div.author`` byline and ASP.NET's JSON errors. The VNPT markup
variants (``--variant``, crawler/mirror/sites/_vnpt.py) switch the list module, the detail
layout or the LoadArticle encoding.
"""

from __future__ import annotations

import json
from datetime import datetime

from crawler.mirror.data import MirrorArticle
from crawler.mirror.sites._vnpt import LOAD_ARTICLE_PARAMS, PAGINATION_PATH, VnptModel
from crawler.mirror.sites.base import MirrorReply
from crawler.normalize.dates import VN_TZ

__all__ = ["LOAD_ARTICLE_PARAMS", "MODEL", "PAGINATION_PATH", "SonlaModel"]


class SonlaModel(VnptModel):
    slug = "sonla"
    site_url = "https://sokhcn.sonla.gov.vn"
    province = "Sơn La"
    categories = {
        "tin-tuc-su-kien": "Tin tức - Sự kiện",
        "chuyen-doi-so": "Chuyển đổi số",
    }
    category_ids = {"tin-tuc-su-kien": 6523, "chuyen-doi-so": 6541}
    category_tree = {"tin-tuc-su-kien": "6523,6524,6525", "chuyen-doi-so": "6541"}
    category_keywords = {"chuyen-doi-so": ("chuyển đổi số",)}
    site_id = 104
    portal_id = 104345
    newest = datetime(2025, 11, 20, 16, 30, tzinfo=VN_TZ)
    first_id = 928000
    unreadable_call = "Invalid JSON primitive."
    incomplete_call = "Invalid web service call, missing value for parameter: '{}'."
    #: LoadArticle reads JSON (answered ``{"d": html}``) and form fields (bare HTML).
    call_encodings = ("json", "form")

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

    def fault(self, message: str, status: int = 500) -> MirrorReply:
        body = {"Message": message, "StackTrace": "",
                "ExceptionType": "System.InvalidOperationException"}
        return MirrorReply(status, json.dumps(body), "application/json; charset=utf-8",
                           {"jsonerror": "true"})


MODEL = SonlaModel
