"""``NukeVietSpider``: sites built on NukeViet (Vietnamese open-source PHP CMS), news module.

Facts (research/sites.md, the Cao Bằng paragraph at the end of section 3):

- With URL rewriting off, every page of the news module is ``/index.php?language=vi&nv=news
  &op=<op>``, and ``op`` is itself a path (CONFIRMED for khcncaobang.gov.vn):
  ``<Category>`` is a category listing, ``<Category>/<alias>-<id>`` an article,
  ``savefile/<Category>/<alias>-<id>`` the "save this article" download of the same
  article (the CONFIRMED example), ``print/…`` its print view. Listing pages after the
  first are ``<Category>/page-N`` (GUESS, NukeViet 4's ``nv_alias_page``), which looks like
  an article op (alias "page", id N), so page ops are never articles.
- Because the path lives in a query parameter, a page's identity is its ``op`` value: this
  base reads, compares and rebuilds URLs through ``op`` and keeps the ``/`` in it literal, as
  NukeViet prints it. (The canonical URL of the archive percent-encodes it, ``op=a%2Fb``,
  one form for both spellings: see tests/spiders/test_caobang.py.)
- NukeViet 4 default theme (GUESS, all of it): listing items ``div.news_column`` with the
  title in ``h3 a`` and the time in the first ``li`` of ``div.text-muted``; article: title
  ``h1.title``, date ``span.h-date`` ("Thứ sáu - 15/01/2021 16:20"), lead ``div.hometext``,
  lead image ``figure.article``, body ``div#news-bodyhtml``, then the author and source as
  ``p.h5`` lines labelled "Tác giả:" and "Nguồn tin:"; breadcrumbs ``ul.breadcrumbs``.
- RSS at ``op=rss`` (GUESS); not used here: the category listings are complete and paged.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response

from crawler.items import RawArticle
from crawler.normalize.bylines import CREDIT_FIELD_RE, credit_kind
from crawler.platforms.selectors import SelectorSpider, detail_variant, listing_variant, text_of


class NukeVietSpider(SelectorSpider):
    """Base of NukeViet news sites; ``categories`` keys are listing URLs from the site root,
    e.g. ``/index.php?language=vi&nv=news&op=Khoa-hoc-cong-nghe``."""

    #: The module name (``nv=``) whose pages are crawled.
    module = "news"
    #: Article op: ``<Category>[/<Sub>]/<alias>-<id>``.
    article_op_re = re.compile(r"^(?P<cat>[^/]+(?:/[^/]+)*)/(?P<alias>[^/]+)-(?P<id>\d+)$")
    #: Listing page op: ``<Category>/page-N``.
    page_op_re = re.compile(r"^(?P<cat>.+)/page-(?P<page>\d+)$")
    #: Ops that are actions on an article (the article's op follows them), not articles.
    action_ops = frozenset({"savefile", "print", "sendmail", "rating"})
    #: Ops that are never articles (module functions).
    reserved_ops = frozenset({"rss", "tag", "topic", "search", "groups", "author",
                              "instant-rss", "sitemap", "content"})

    # -- listing: the news module's category views (GUESS: NukeViet 4 default theme; a site
    # picks one view per category in the admin panel, so all are plausible anywhere) -------
    listing_variants = (
        listing_variant("viewcat_page_new", "GUESS",
                        listing_item_css="div.news_column",
                        listing_link_css="h3 a",
                        listing_date_css="div.text-muted li:first-child",
                        listing_summary_css="",
                        pager_link_css="ul.pagination a::attr(href)"),
        listing_variant("viewcat_list_new", "GUESS",
                        listing_item_css="ul.related li",
                        listing_link_css="a",
                        listing_date_css="em.publtime, span.publtime",
                        listing_summary_css="",
                        pager_link_css="ul.pagination a::attr(href)"),
        listing_variant("viewcat_grid_new", "GUESS",
                        listing_item_css="div.thumbnail",
                        listing_link_css="div.caption h3 a, div.caption h4 a",
                        listing_date_css="",
                        listing_summary_css="",
                        pager_link_css="ul.pagination a::attr(href)"),
    )

    # -- article (GUESS: NukeViet 4 default theme, detail.tpl; no other layout is known) --
    detail_variants = (detail_variant(
        "detail.tpl", "GUESS",
        article_css="div.news_column",
        title_css="h1.title",
        date_css="span.h-date",
        summary_css="div.hometext",
        body_css="div#news-bodyhtml",
        lead_image_css="figure.article img",
        credit_css="p.h5",
        category_css="ul.breadcrumbs li:last-child a"),)
    credit_css: str

    # -- op values ---------------------------------------------------------------------------
    def op_of(self, url: str) -> str | None:
        """The ``op`` of a URL of this site's module (None for other modules or pages)."""
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        if query.get("nv", "").lower() != self.module:
            return None
        return query.get("op", "").strip().strip("/")

    @staticmethod
    def with_op(url: str, op: str) -> str:
        """``url`` with its ``op`` replaced; other parameters kept in order, ``/`` literal."""
        parts = urlsplit(url)
        pairs = [(k, op if k == "op" else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        if not any(k == "op" for k, _ in pairs):
            pairs.append(("op", op))
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='/-_.~')}" for k, v in pairs)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def article_op(self, op: str | None) -> str | None:
        """The article op of ``op`` (action prefixes removed), or None if not an article."""
        if not op:
            return None
        head, _, rest = op.partition("/")
        if head.lower() in self.action_ops:
            op, head = rest, rest.partition("/")[0]
        if head.lower() in self.reserved_ops or self.page_op_re.match(op):
            return None
        return op if self.article_op_re.match(op) else None

    # -- listing -----------------------------------------------------------------------------
    def is_article_url(self, url: str) -> bool:
        op = self.op_of(url)
        return op is not None and self.article_op(op) == op

    def article_href(self, href: str) -> str:
        """An article link; a "save"/"print" link of an article stands for the article."""
        href = self.link_href(href)
        op = self.op_of(href)
        article = self.article_op(op)
        return self.with_op(href, article) if article and article != op else href

    def listing_url(self, path: str, page: int) -> str:
        base = self.site_url.rstrip("/") + self.link_href(path)
        if page == 1:
            return base
        return self.with_op(base, f"{self.op_of(base)}/page-{page}")

    def pager_pages(self, response: Response) -> set[int]:
        pages: set[int] = set()
        for href in response.css(self.pager_link_css).getall() if self.pager_link_css else []:
            match = self.page_op_re.match(self.op_of(href.strip()) or "")
            if match:
                pages.add(int(match["page"]))
        return pages

    # -- article -----------------------------------------------------------------------------
    def credits(self, block: Selector) -> tuple[str | None, str | None]:
        """(author, source) from the labelled lines under the body."""
        author = source = None
        for line in block.css(self.credit_css):
            match = CREDIT_FIELD_RE.match(text_of(line) or "")
            if not match or not match["value"].strip():
                continue
            if credit_kind(match["label"]) == "source":
                source = source or match["value"].strip()
            else:
                author = author or match["value"].strip()
        return author, source

    def parse_article(self, response: Response) -> RawArticle:
        raw = super().parse_article(response)
        raw.author, raw.source = self.credits(self.article_block(response))
        return raw
