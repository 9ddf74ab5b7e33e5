"""``VnptSpider``: provincial portals built on VNPT Portal (ASP.NET, ``DesktopModule/UI*``).

Facts (research/sites.md section 2.1; REPORTED by public scrapers of sokhcn.ninhbinh.gov.vn,
Hải Phòng ward portals, laocai.gov.vn and hoinongdan.org.vn, none checked live here):

- Category listing ``/<category-slug>``: ``div.UIArticleInMenu_Default ul.ArticleList li.row``,
  title link ``h2.Title a``, date ``div.Ngaydang`` (dd/mm/yyyy, CONFIRMED on en.sonla.gov.vn
  lists), summary in the first ``p``; the thumbnail ``div.col-lg-2 img.image`` is not kept
  (``ListingEntry`` has no field for it; the article's own lead image is).
- Pages after the first come from ``POST /DesktopModule/UIArticleInMenu/
  ArticleInMenuPagination.aspx/LoadArticle``. Its parameters sit in the listing page's
  inline JS (``article_category_id: 123``, ``categoryIds: "…"``, ``site_id: 4``,
  ``page_size: 10``, ``maxPage = parseInt(7)``). Scrapers disagree on the encoding: form
  fields answered by a bare HTML fragment, or a JSON body answered the ASP.NET page-method
  way, ``{"d": "<li class=\\"row\\">…"}``. ``pagination_encoding`` picks one per site.
- Detail page: ``div.ArticleDetailControl`` wrapping ``div.ArticleHeader``, ``div.PostDate``,
  ``div.ArticleSummary``, ``img.ImgDetailImage``, ``div.ArticleContent``; noise ``div.tool``,
  ``div.UISocialShare``; author block ``div.author`` / ``div.tac_gia_news``; files under
  ``/upload…`` linked by ``a.link-download``, by plain links, or shown in a pdf.js ``iframe``
  whose ``file=`` parameter is the document; keywords in ``<meta name="keywords">``.

Everything site-specific is a class attribute, so a site spider is a few lines.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import FormRequest, JsonRequest, Response

from crawler.items import RawArticle
from crawler.platforms.selectors import SelectorSpider, text_of

PAGINATION_META = "vnpt_pagination"
_LABEL_RE = re.compile(r"^\s*(?P<label>tác\s+giả|nguồn(?:\s+tin)?|theo)\s*:?\s*(?P<value>.+)$",
                       re.IGNORECASE)


class VnptSpider(SelectorSpider):
    """Base spider for VNPT Portal sites; site spiders set ``name``, ``site_url``,
    ``categories`` and, where the site differs, the attributes below."""

    # -- listing -------------------------------------------------------------------------
    listing_module_css = "div.UIArticleInMenu_Default"
    listing_item_css = "div.UIArticleInMenu_Default ul.ArticleList li.row"
    #: List items in an AJAX answer (a fragment without the module container).
    ajax_item_css = "li.row"
    listing_link_css = "h2.Title a"
    listing_date_css = "div.Ngaydang"
    listing_summary_css = "p"
    pager_css = "div.UIArticleInMenu_Default ul.pagination li.page-item.page-number[data-page]"

    # -- AJAX pagination -----------------------------------------------------------------
    pagination_path = "/DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle"
    #: "json": JSON body, answer {"d": "<html>"}; "form": form-encoded, answer bare HTML.
    pagination_encoding = "json"
    pagination_regexes: dict[str, str] = {
        "article_category_id": r"article_category_id:\s*(\d+)",
        "categoryIds": r'categoryIds:\s*"([^"]+)"',
        "site_id": r"site_id:\s*(\d+)",
        "page_size": r"page_size:\s*(\d+)",
        "max_page": r"maxPage\s*=\s*parseInt\((\d+)\)",
    }
    #: The fixed fields the portal's own JS sends with every page request.
    pagination_defaults: dict[str, Any] = {
        "keyword": "",
        "date_begin": "",
        "date_end": "",
        "show_no": "False",
        "show_post_date": "True",
        "num_of_text": 200,
        "show_view_count": "False",
        "filter_order_in_list": "False",
        "is_default": "False",
        "new": "False",
        "number_of_day": 3,
        "articlelang": "vi-VN",
        "is_authenticated": "False",
    }

    # -- article -------------------------------------------------------------------------
    article_css = "div.ArticleDetailControl"
    title_css = "div.ArticleHeader"
    date_css = "div.PostDate"
    summary_css = "div.ArticleSummary"
    lead_image_css = "img.ImgDetailImage"
    body_css = "div.ArticleContent"
    author_css = "div.author, div.tac_gia_news"
    view_css = ""
    category_css = ""
    #: Removed from the body HTML before it is stored (author blocks are read first).
    body_noise_css = ("div.tool", "div.UISocialShare", "div.author", "div.tac_gia_news",
                      "script", "style")
    attachment_css = "a.link-download"
    attachment_extensions = (".pdf", ".doc", ".docx", ".xls", ".xlsx")
    viewer_css = "iframe[src*='file=']"

    # -- paging --------------------------------------------------------------------------
    def listing_request(self, path: str, category: str, page: int,
                        response: Response | None = None) -> scrapy.Request:
        if page == 1:
            return super().listing_request(path, category, page, response)
        params = self.pagination_params(response) if response is not None else None
        if params is None:
            raise ValueError(f"{self.name}: no pagination parameters for {path!r} page {page}")
        referer = self.fetch_url(self.listing_url(path, 1))
        return self.pagination_request(params, page, referer,
                                       cb_kwargs={"path": path, "category": category,
                                                  "page": page})

    def pagination_body(self, params: dict[str, Any], page: int) -> dict[str, Any]:
        """The fields of the LoadArticle call for ``page``, in the order the portal sends."""
        size = int(params["page_size"])
        body: dict[str, Any] = {
            "article_category_id": int(params["article_category_id"]),
            "categoryIds": params.get("categoryIds", str(params["article_category_id"])),
            "site_id": int(params["site_id"]),
            "page": page,
            "page_size": size,
        }
        body.update(self.pagination_defaults)
        body["no"] = -size
        # The portal's own field order: "no" sits before the language fields.
        for key in ("articlelang", "is_authenticated"):
            if key in body:
                body[key] = body.pop(key)
        return body

    def pagination_request(self, params: dict[str, Any], page: int, referer: str,
                           cb_kwargs: dict[str, Any]) -> scrapy.Request:
        url = self.fetch_url(self.site_url.rstrip("/") + self.pagination_path)
        headers = {"Referer": referer, "X-Requested-With": "XMLHttpRequest"}
        body = self.pagination_body(params, page)
        # The parameters ride on the request (not on the spider): every category has its own.
        meta = {PAGINATION_META: params}
        if self.pagination_encoding == "json":
            headers["Content-Type"] = "application/json; charset=utf-8"
            return JsonRequest(url, data=body, headers=headers, callback=self.parse_listing,
                               cb_kwargs=cb_kwargs, meta=meta, dont_filter=True,
                               dumps_kwargs={"sort_keys": False, "ensure_ascii": False})
        if self.pagination_encoding == "form":
            return FormRequest(url, formdata={k: str(v) for k, v in body.items()},
                               headers=headers, callback=self.parse_listing,
                               cb_kwargs=cb_kwargs, meta=meta, dont_filter=True)
        raise ValueError(f"unknown pagination_encoding {self.pagination_encoding!r}")

    def pagination_params(self, response: Response) -> dict[str, Any] | None:
        """LoadArticle parameters: read from a listing page's JS, or carried by the request
        of an AJAX answer. None when the page has no AJAX pager."""
        carried = self._request_meta(response).get(PAGINATION_META)
        if carried:
            return carried
        if self.is_ajax_answer(response):
            return None
        # The listing module's own scripts first: other modules may carry look-alike values.
        module_js = " ".join(response.css(f"{self.listing_module_css} script::text").getall())
        found: dict[str, Any] = {}
        for text in (module_js, response.text):
            found = {}
            for key, pattern in self.pagination_regexes.items():
                match = re.search(pattern, text)
                if match:
                    value = match.group(1)
                    found[key] = value if key == "categoryIds" or not value.isdigit() \
                        else int(value)
            if all(k in found for k in ("article_category_id", "site_id")):
                break
        else:
            return None
        found.setdefault("page_size", len(self.listing_items(response)) or 10)
        if "max_page" not in found:
            pages = [int(p) for p in response.css(self.pager_css).xpath("@data-page").getall()
                     if p.strip().isdigit()]
            if pages:
                found["max_page"] = max(pages)
        return found

    def has_next_page(self, response: Response, page: int) -> bool:
        params = self.pagination_params(response)
        if not params:
            return False
        if len(self.listing_items(response)) < int(params["page_size"]):
            return False
        max_page = params.get("max_page")
        return max_page is None or page < int(max_page)

    @staticmethod
    def _request_meta(response: Response) -> dict[str, Any]:
        try:
            return response.meta
        except AttributeError:  # a response built without a request (saved fixtures)
            return {}

    # -- listing -------------------------------------------------------------------------
    def is_ajax_answer(self, response: Response) -> bool:
        return (urlsplit(response.url).path.lower().endswith(self.pagination_path.lower())
                or PAGINATION_META in self._request_meta(response))

    def ajax_fragment(self, response: Response) -> str:
        """The HTML of an AJAX answer: the page method's ``d`` or the bare fragment."""
        text = response.text
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                return text
            if isinstance(data, dict):
                return str(data.get("d") or "")
        return text

    def listing_items(self, response: Response) -> list[Selector]:
        if self.is_ajax_answer(response):
            return list(Selector(text=self.ajax_fragment(response) or "<html></html>")
                        .css(self.ajax_item_css))
        return list(response.css(self.listing_item_css))

    # -- article -------------------------------------------------------------------------
    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        block = self.article_block(response)
        raw.title = text_of(block.css(self.title_css).css("h1, h2")) or raw.title
        raw.author, raw.source = self.author_and_source(block)
        return raw

    def body_html(self, body: SelectorList) -> str | None:
        return self.clean_body_html(body[0]) if body else None

    def clean_body_html(self, body: Selector) -> str:
        """The body container's HTML without toolbars, share buttons and author blocks."""
        copy = Selector(text=body.get())
        node = copy.css("body > *")[0]
        for css in self.body_noise_css:
            for noise in node.css(css):
                noise.drop()
        return node.get()

    def author_and_source(self, root: Selector) -> tuple[str | None, str | None]:
        """Author and source from the author block: "Minh Anh", "Tác giả: X", "Nguồn: Y"."""
        author = source = None
        for block in root.css(self.author_css):
            lines = [t.strip() for t in block.xpath(".//text()").getall() if t.strip()]
            # "Tác giả:" and its name may be separate nodes: join label-only lines forward.
            merged: list[str] = []
            for line in lines:
                if merged and merged[-1].rstrip().endswith(":"):
                    merged[-1] = f"{merged[-1]} {line}"
                else:
                    merged.append(line)
            for line in merged:
                match = _LABEL_RE.match(line)
                if match and match["label"].lower().startswith(("nguồn", "theo")):
                    source = source or match["value"].strip()
                elif match:
                    author = author or match["value"].strip()
                else:
                    author = author or line
        return author, source

    def image_nodes(self, block: Selector, body: SelectorList) -> list[Selector]:
        """The lead image above the body, then the body's images."""
        return [*block.css(self.lead_image_css), *body.css("img")]

    def attachment_links(self, block: Selector, body: SelectorList
                         ) -> list[tuple[str, str | None]]:
        """Download links, document links, and the file an embedded pdf.js viewer shows."""
        links = super().attachment_links(block, body)
        links += [(a.attrib["href"], text_of(a) or a.attrib.get("title"))
                  for a in block.css("a[href]")
                  if urlsplit(a.attrib["href"]).path.lower().endswith(self.attachment_extensions)]
        for frame in block.css(self.viewer_css):
            query = parse_qs(urlsplit(frame.attrib.get("src", "")).query)
            links += [(url, frame.attrib.get("title")) for url in query.get("file", [])[:1]]
        return links
