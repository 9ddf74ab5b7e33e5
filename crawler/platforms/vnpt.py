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
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import FormRequest, JsonRequest, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import RawArticle
from crawler.normalize.bylines import AUTHOR_BLOCK_RE, CREDIT_LINE_RE, credit_kind
from crawler.platforms.base import ListingRead
from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant, text_of

PAGINATION_META = "vnpt_pagination"
ENCODING_META, TRIED_META = "vnpt_encoding", "vnpt_encodings_tried"
LAST_TRY_META = "vnpt_last_try"


def labelled_lines(node: Selector) -> list[str]:
    """The text lines of ``node``, a label-only line joined to the next: "Tác giả:" and its
    name may sit in separate elements ("<b>Tác giả:</b> Minh Anh")."""
    merged: list[str] = []
    for text in (" ".join(t.split()) for t in node.xpath(".//text()").getall()):
        if not text:
            continue
        if merged and merged[-1].endswith(":"):
            merged[-1] = f"{merged[-1]} {text}"
        else:
            merged.append(text)
    return merged


class VnptSpider(SelectorSpider):
    """Base spider for VNPT Portal sites; site spiders set ``name``, ``site_url``,
    ``categories`` and, where the site differs, the attributes below."""

    # -- listing: the list modules seen on VNPT sites (REPORTED, sites.md 2.1 and 6) -------
    listing_variants = (
        listing_variant(
            "UIArticleInMenu_Default", "REPORTED",
            listing_module_css="div.UIArticleInMenu_Default",
            listing_item_css="div.UIArticleInMenu_Default ul.ArticleList li.row",
            ajax_item_css="li.row",  # the items of an AJAX answer (no module container)
            listing_link_css="h2.Title a",
            listing_date_css="div.Ngaydang",
            listing_summary_css="p",
            pager_css="div.UIArticleInMenu_Default ul.pagination "
                      "li.page-item.page-number[data-page]"),
        listing_variant(
            # REPORTED: ``.UIListNews_Default .item a`` (Ninh Bình scraper); the item's inner
            # markup (title link in ``.Title``, ``div.Ngaydang``, ``p``) is a GUESS.
            "UIListNews_Default", "REPORTED",
            listing_module_css="div.UIListNews_Default",
            listing_item_css="div.UIListNews_Default .item",
            ajax_item_css="div.item",
            listing_link_css=".Title a",
            listing_date_css="div.Ngaydang",
            listing_summary_css="p",
            pager_css="div.UIListNews_Default ul.pagination "
                      "li.page-item.page-number[data-page]"),
    )
    listing_module_css: str
    ajax_item_css: str
    pager_css: str
    #: Articles are ``/<category>/<slug>-<id>`` (REPORTED by public VNPT crawler configs).
    article_path_re = re.compile(r"^/[a-z0-9-]+/[a-z0-9-]+-\d+/?$")

    # -- AJAX pagination -----------------------------------------------------------------
    pagination_path = "/DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle"
    #: "json": JSON body, answer {"d": "<html>"}; "form": form-encoded, answer bare HTML.
    #: The site's guess is tried first; the other when the portal refuses it.
    pagination_encoding = "json"
    pagination_encodings = ("json", "form")
    #: The encoding the site was seen to accept in this run (None: not yet known).
    working_encoding: str | None = None
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

    # -- article: the detail layouts seen on VNPT sites ----------------------------------
    detail_variants = (
        detail_variant(
            "ArticleDetailControl", "REPORTED",  # two public Ninh Bình scrapers
            article_css="div.ArticleDetailControl",
            title_css="div.ArticleHeader",
            date_css="div.PostDate",
            summary_css="div.ArticleSummary",
            lead_image_css="img.ImgDetailImage",
            body_css="div.ArticleContent"),
        detail_variant(
            # REPORTED by a multi-layout Ninh Bình scraper (which sites use it is not
            # stated): ``section.Article-Detail-default article.detailType2``,
            # ``.entry-title``, ``time.post-date``, ``div.post-content``; the sapo and lead
            # image classes are a GUESS.
            "Article-Detail-default", "REPORTED",
            article_css="section.Article-Detail-default article.detailType2",
            title_css=".entry-title",
            date_css="time.post-date",
            summary_css="div.post-summary",
            lead_image_css="img.post-image",
            body_css="div.post-content"),
    )
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
                        response: Response | None = None) -> scrapy.Request | None:
        if page == 1:
            return super().listing_request(path, category, page, response)
        params = self.pagination_params(response) if response is not None else None
        if params is None:
            self.logger.warning("%s: no LoadArticle parameters on %s: listing %r cannot go "
                                "past page %d", self.site, response and response.url,
                                category, page - 1)
            return None
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
                           cb_kwargs: dict[str, Any], encoding: str | None = None,
                           last_try: bool = False) -> scrapy.Request:
        """The LoadArticle call for ``page``, encoded as ``encoding`` (default: the one that
        last worked on this site, else the site's ``pagination_encoding``); a refused call
        is sent again in the other encoding (``pagination_failed``).

        Until an encoding has worked on this site, a call is not retried: a refusal is the
        portal saying "wrong encoding", and retrying it would only log errors. If every
        encoding is refused, one ``last_try`` in the site's own encoding is retried as usual
        (a server error that passes is not taken for a refusal)."""
        encoding = encoding or self.working_encoding or self.pagination_encoding
        url = self.fetch_url(self.site_url.rstrip("/") + self.pagination_path)
        headers = {"Referer": referer, "X-Requested-With": "XMLHttpRequest"}
        body = self.pagination_body(params, page)
        # The parameters ride on the request (not on the spider): every category has its own.
        meta: dict[str, Any] = {PAGINATION_META: params, ENCODING_META: encoding}
        if last_try:
            meta[LAST_TRY_META] = True
        elif self.working_encoding is None:
            meta["dont_retry"] = True
        common: dict[str, Any] = {"callback": self.parse_listing,
                                  "errback": self.pagination_failed, "cb_kwargs": cb_kwargs,
                                  "meta": meta, "dont_filter": True}
        if encoding == "json":
            headers["Content-Type"] = "application/json; charset=utf-8"
            return JsonRequest(url, data=body, headers=headers,
                               dumps_kwargs={"sort_keys": False, "ensure_ascii": False},
                               **common)
        if encoding == "form":
            return FormRequest(url, formdata={k: str(v) for k, v in body.items()},
                               headers=headers, **common)
        raise ValueError(f"unknown pagination_encoding {encoding!r}")

    def pagination_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A refused LoadArticle call (scrapers disagree on its encoding, sites.md 2.1):
        the same page in the next encoding not yet tried; when every one was refused, the
        listing cannot page, an alarm."""
        request = failure.request  # type: ignore[attr-defined]
        used = request.meta.get(ENCODING_META, self.pagination_encoding)
        tried = [*request.meta.get(TRIED_META, ()), used]
        kwargs = request.cb_kwargs
        left = [e for e in self.pagination_encodings if e not in tried]
        why = (f"HTTP {failure.value.response.status}" if failure.check(HttpError)
               else failure.getErrorMessage())
        if request.meta.get(LAST_TRY_META):
            self.alarm("paging_failed", self.origin_url(request.url),
                       f"LoadArticle refused page {kwargs['page']} of {kwargs['category']!r} "
                       f"in every encoding: tried {', '.join(tried)} ({why}); the listing "
                       f"stops at page {kwargs['page'] - 1}")
            return
        self.logger.warning("%s: LoadArticle refused %s encoding (%s) for %r page %d: "
                            "trying %s", self.site, used, why, kwargs["category"],
                            kwargs["page"], left[0] if left else "it once more")
        retry = self.pagination_request(request.meta[PAGINATION_META], kwargs["page"],
                                        request.headers.get("Referer", b"").decode(),
                                        cb_kwargs=kwargs,
                                        encoding=left[0] if left else self.pagination_encoding,
                                        last_try=not left)
        retry.meta[TRIED_META] = tried
        yield retry

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

    def listing_document(self, response: Response) -> Selector:
        """A listing page, or the fragment an AJAX answer carries."""
        if self.is_ajax_answer(response):
            return Selector(text=self.ajax_fragment(response) or "<html></html>")
        return response.selector

    def listing_items(self, response: Response) -> list[Selector]:
        if self.is_ajax_answer(response):
            return list(self.listing_document(response).css(self.ajax_item_css))
        return list(response.css(self.listing_item_css))

    def read_listing(self, response: Response, fallback: bool = True) -> ListingRead:
        """As the base reads it; an AJAX answer with entries also tells which encoding of
        the LoadArticle call the site accepts, used for its later calls."""
        found = super().read_listing(response, fallback)
        encoding = self._request_meta(response).get(ENCODING_META)
        if found.entries and encoding and encoding != self.working_encoding:
            if encoding != self.pagination_encoding:
                self.logger.info("%s: LoadArticle answers %s-encoded calls", self.site,
                                 encoding)
            self.working_encoding = encoding
        return found

    # -- article -------------------------------------------------------------------------
    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        block = self.article_block(response)
        raw.title = text_of(block.css(self.title_css).css("h1, h2")) or raw.title
        raw.author, raw.source = self.author_and_source(block)
        body = block.css(self.body_css)
        if body:
            # One cleaned copy of the body: its credit lines give author and source, then
            # leave it; what remains is the stored body HTML.
            node = self.without_noise(body[0])
            found = self.credit_nodes(node)
            author, source = self.credits(found)
            raw.author = raw.author or author
            raw.source = raw.source or source
            for credit, _credits in found:
                credit.drop()
            raw.body_html = node.get()
        return raw

    def author_and_source(self, root: Selector) -> tuple[str | None, str | None]:
        """Author and source from the author block: "Minh Anh", "Tác giả: X", "Nguồn: Y"."""
        author = source = None
        for block in root.css(self.author_css):
            for line in labelled_lines(block):
                match = AUTHOR_BLOCK_RE.match(line)
                if match and credit_kind(match["label"]) == "source":
                    source = source or match["value"].strip()
                elif match:
                    author = author or match["value"].strip()
                else:
                    author = author or line
        return author, source

    # -- credit lines ending the body (REPORTED for Ninh Bình, harmless elsewhere) ---------
    @staticmethod
    def credit_lines(node: Selector) -> list[tuple[str, str]] | None:
        """(label, value) of each line of ``node`` if every line is a credit ("Tác giả: X",
        "Nguồn: Y", "Ảnh: Z"), else None."""
        found = [CREDIT_LINE_RE.match(line) for line in labelled_lines(node)]
        if not found or not all(found):
            return None
        return [(m["label"].lower(), m["value"].strip()) for m in found if m]

    def credit_nodes(self, body: Selector) -> list[tuple[Selector, list[tuple[str, str]]]]:
        """The credit paragraphs that end the body, with their credits, last first."""
        found = []
        for node in reversed(body.xpath("./*")):
            if not text_of(node):
                continue
            credits = self.credit_lines(node)
            if credits is None:
                break
            found.append((node, credits))
        return found

    @staticmethod
    def credits(found: list[tuple[Selector, list[tuple[str, str]]]]
                ) -> tuple[str | None, str | None]:
        """(author, source) from the credit lines ``credit_nodes`` found ("Ảnh:" is
        dropped: the archive has no field for a photographer)."""
        author = source = None
        for _node, credits in found:
            for label, value in credits:
                kind = credit_kind(label)
                if kind == "source":
                    source = value
                elif kind == "author":
                    author = value
        return author, source

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
