"""``SelectorSpider``: listing and article pages read with CSS selectors kept in attributes.

Most DOST portals are server-rendered: a listing page holds one element per article (link,
date, teaser) and a pager; an article page holds a title, maybe a date, a body container,
images and attachment links. What differs from CMS to CMS is the selectors, so they are class
attributes: a platform base sets them, a site spider corrects them, and a check against the
live site changes attributes, not code. Every URL taken from a page goes through
``site_link``, so a mirror crawl archives the site's own URLs, never the mirror's.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from parsel import Selector, SelectorList
from scrapy.http import Response

from crawler.extract.generic import analyse
from crawler.items import RawArticle
from crawler.normalize.dates import find_date
from crawler.platforms.base import ArchiveSpider, ListingEntry, ListingRead
from crawler.platforms.fastsel import page_selector, parse_html, text_nodes

DOCUMENT_EXTENSIONS = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|rar|zip|7z)$", re.IGNORECASE)


def text_of(selection: Selector | SelectorList | Response | None) -> str | None:
    """Visible text of a selection, whitespace collapsed; None when there is none.

    Only whitespace is touched: NFC, boilerplate and date reading are the pipelines' work.
    """
    if selection is None:
        return None
    text = " ".join(" ".join(text_nodes(selection)).split())
    return text or None


_KEYWORDS_XPATH = "//meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content"
#: What ``translate(@name, 'KEYWORDS', 'keywords')`` folds: these capitals, nothing else.
_KEYWORDS_CASE = str.maketrans("KEYWORDS", "keywords")


def _keywords(page: Selector) -> str:
    """The content of the page's first meta tag named keywords, as ``_KEYWORDS_XPATH``
    finds it, by a walk over the meta elements alone (the XPath tests every node: the
    costliest query of an article page)."""
    root = page.root
    if not isinstance(getattr(root, "tag", None), str) or root.getparent() is not None:
        return page.xpath(_KEYWORDS_XPATH).get() or ""
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is not None and (meta.get("name") or "").translate(_KEYWORDS_CASE) \
                == "keywords":
            return content
    return ""


@dataclass(frozen=True, eq=False)
class Variant:
    """One known way a CMS lays out its listing pages (``kind`` "listing") or its article
    pages ("detail"): a name, how sure we are of it (CONFIRMED / REPORTED / GUESS, as in the
    research notes) and the selector attributes it sets on the spider. Every variant of one
    kind of a platform sets the same attributes (tests/test_variants.py checks it)."""

    name: str
    kind: str
    evidence: str
    attrs: Mapping[str, Any]


def listing_variant(name: str, evidence: str, **attrs: Any) -> Variant:
    return Variant(name, "listing", evidence, MappingProxyType(attrs))


def detail_variant(name: str, evidence: str, **attrs: Any) -> Variant:
    return Variant(name, "detail", evidence, MappingProxyType(attrs))


#: Words beside a date in an element that holds only a date ("Ngày đăng:", "Cập nhật").
MAX_DATE_LABEL_WORDS = 3


def has_text(html: str | None) -> bool:
    """Whether an HTML fragment holds any visible text."""
    return bool(html) and bool(parse_html(html).xpath("normalize-space(string())").get())


def _list_item(link: Any, url: str, article_links: dict[Any, str]) -> Any:
    """The largest ancestor of ``link`` (an lxml element) whose article links all go to
    ``url``; None when even its parent links another article."""
    item = None
    node = link.getparent()
    while node is not None and node.tag not in ("body", "html"):
        if any(article_links.get(a, url) != url for a in node.iter("a")):
            break
        item, node = node, node.getparent()
    return item


def _item_date(item: Any) -> str | None:
    """The date a list item prints, outside its links (a title may hold "18/5"): one that
    stands alone in its element, maybe after a label ("Ngày 26/05/2024", "Ngày đăng:
    20/11/2025"), before one inside a sentence (a teaser opening "Ngày 28/3/2024, …" gives
    the event's date)."""
    first = None
    for text in item.xpath(".//text()[not(ancestor::a)]"):
        text = " ".join(text.split())
        found = find_date(text) if text else None
        if found is None or found.value is None or not found.raw:
            continue
        if len(text.replace(found.raw, " ").split()) <= MAX_DATE_LABEL_WORDS:
            return text
        first = first or found.raw
    return first


class SelectorSpider(ArchiveSpider):
    """Selector-driven listing and article parsing; platforms set the attributes.

    A platform base lists the markup variants known for its CMS (``listing_variants``,
    ``detail_variants``); a site spider names the one it is known or guessed to use
    (``listing_variant``, ``detail_variant``; default: the first), whose attributes become
    the class's own, so a site spider's explicit attribute still corrects its variant. On
    every page the preferred variant is tried first, then the others in order. When none
    finds anything, the listing falls back to generic link discovery (``fallback_entries``)
    and the article to the generic extractor; both are flagged and raise an alarm.
    """

    #: Known markup variants of the platform, tried in this order after the preferred one.
    listing_variants: tuple[Variant, ...] = ()
    detail_variants: tuple[Variant, ...] = ()
    #: The variant the site is known (or guessed) to use, by name; "" = the first one.
    listing_variant: str = ""
    detail_variant: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make the preferred variants' attributes the class's own (for code and tests that
        read a page without trying variants), unless the class sets one itself."""
        super().__init_subclass__(**kwargs)
        for kind in ("listing", "detail"):
            own = cls.__dict__
            if f"{kind}_variant" not in own and f"{kind}_variants" not in own:
                continue
            preferred = cls.preferred_variant(kind)
            for key, value in (preferred.attrs.items() if preferred else ()):
                if key not in own:
                    setattr(cls, key, value)

    @classmethod
    def preferred_variant(cls, kind: str) -> Variant | None:
        variants: tuple[Variant, ...] = getattr(cls, f"{kind}_variants")
        name: str = getattr(cls, f"{kind}_variant")
        if not variants:
            return None
        if not name:
            return variants[0]
        for found in variants:
            if found.name == name:
                return found
        raise ValueError(f"{cls.__name__}: no {kind} variant {name!r}; known: "
                         f"{', '.join(v.name for v in variants)}")

    def variants_in_order(self, kind: str) -> list[Variant]:
        """The preferred variant, then the others; one nameless variant for a base that
        lists none (its attributes are then the only way it reads pages)."""
        preferred = self.preferred_variant(kind)
        if preferred is None:
            return [Variant("default", kind, "", MappingProxyType({}))]
        return [preferred, *(v for v in getattr(self, f"{kind}_variants") if v is not preferred)]

    @contextlib.contextmanager
    def using(self, variant: Variant | None) -> Iterator[None]:
        """Read pages as ``variant`` lays them out inside the ``with`` block.

        The variant's attributes shadow the class's on the instance and are restored on
        leaving. Only ever around synchronous code (never across a ``yield`` of a callback):
        Scrapy interleaves callbacks only there, so no other page sees them. The preferred
        variant is the class's own attributes (with the site's corrections): nothing to set.
        """
        if variant is None or variant is self.preferred_variant(variant.kind):
            yield
            return
        saved = {k: self.__dict__[k] for k in variant.attrs if k in self.__dict__}
        for key, value in variant.attrs.items():
            setattr(self, key, value)
        try:
            yield
        finally:
            for key in variant.attrs:
                if key in saved:
                    setattr(self, key, saved[key])
                else:
                    self.__dict__.pop(key, None)

    # -- reading with variants -------------------------------------------------------------
    def read_listing(self, response: Response, fallback: bool = True) -> ListingRead:
        """Entries of a listing page by the first variant that finds any; else, when
        ``fallback``, the links generic discovery finds (each entry flagged)."""
        tried: list[str] = []
        for variant in self.variants_in_order("listing"):
            with self.using(variant):
                entries = self.listing_entries(response)
            tried.append(variant.name)
            if entries:
                self._count(f"listing/variant/{variant.name}")
                return ListingRead(entries, variant, tuple(tried))
        if not fallback:
            return ListingRead([], None, tuple(tried))
        return ListingRead(self.fallback_entries(response), None, tuple(tried), fallback=True)

    def listing_document(self, response: Response) -> Selector:
        """The part of a listing answer that holds its links (an AJAX answer's fragment)."""
        return page_selector(response)

    def fallback_entries(self, response: Response) -> list[ListingEntry]:
        """Article links of a listing page found without knowing its markup: each link on it
        to the site's own host that the site's article URL test accepts (``is_article_url``;
        where a base has none, every own page, which ``read_article`` then judges with the
        generic extractor's article test), in page order, once each. The date is the first
        one printed in the link's list item: its largest ancestor that links no other
        article (as in every list layout seen: a title link, maybe an image link to the
        same article, a date, a teaser)."""
        found: dict[str, list[tuple[str, Selector]]] = {}
        by_element: dict[Any, str] = {}
        for link in self.listing_document(response).css("a[href]"):
            href = link.attrib["href"].strip()
            if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
                continue
            href = self.article_href(href)
            url = self.site_link(response, href)
            parts = urlsplit(url)
            if (not self._own_host(parts.hostname or "")
                    or DOCUMENT_EXTENSIONS.search(parts.path) or not self.is_article_url(url)):
                continue
            by_element[link.root] = url
            found.setdefault(url, []).append((href, link))
        entries = []
        for url, links in found.items():
            # The same article may be linked from a sidebar too: the list item with a date
            # is the listing's entry; the first link gives the title.
            dates = (_item_date(item) for item in (_list_item(link.root, url, by_element)
                                                    for _href, link in links) if item is not None)
            titles = [text_of(link) for _href, link in links]
            titles += [link.attrib.get("title") or link.xpath("string(.//img/@alt)").get()
                       for _href, link in links]
            entries.append(ListingEntry(
                url=links[0][0], title=next((t.strip() for t in titles if t and t.strip()),
                                            None),
                fallback=True, date_raw=next((d for d in dates if d), None)))
        dated = [e for e in entries if e.date_raw]
        if len(dated) * 2 >= len(entries):
            # A dated list: its undated links are a sidebar's ("Tin xem nhiều"), whose
            # articles are listed, with their dates, on their own listing pages.
            return dated
        return entries

    @property
    def has_article_test(self) -> bool:
        """Whether the base tells article URLs from others (a path pattern or its own test)."""
        return (self.article_path_re is not None
                or type(self).is_article_url is not SelectorSpider.is_article_url)

    def read_article(self, response: Response, entry: ListingEntry) -> RawArticle | None:
        """The article by the first detail variant that finds a title and a body; else by
        the generic extractor (``extractor`` "generic-fallback", flagged, alarmed). A page
        the listing fallback found that no one reads as an article is None (a static page);
        one a listing variant found stays what the preferred variant made of it, alarmed."""
        tried: list[str] = []
        first: RawArticle | None = None
        for variant in self.variants_in_order("detail"):
            with self.using(variant):
                raw = self.parse_article(response)
            tried.append(variant.name)
            first = first or raw
            if raw.title and has_text(raw.body_html):
                raw.variant = variant.name
                self._count(f"detail/variant/{variant.name}")
                if len(tried) > 1:
                    self.logger.info("%s: %s read with article variant %s (tried %s)",
                                     self.site, raw.url, variant.name, ", ".join(tried))
                return raw
        assert first is not None
        page = analyse(response.text, first.url, site=self.site, fetched_at=first.fetched_at)
        # An article by its content, or by its URL when the base tells article URLs apart
        # (the generic test is strict: a short report among many links fails it).
        usable = page.is_article or bool(self.has_article_test and page.raw.title
                                          and has_text(page.raw.body_html))
        if entry.fallback and not usable:
            self._count("fallback/not_article")  # a static page the fallback linked to
            return None
        what = "the generic extractor read it" if usable else \
            "the generic extractor found no article either"
        self.alarm("detail_no_variant", first.url,
                   f"no article variant found a title and a body on {first.url}: tried "
                   f"{', '.join(tried)}; {what}")
        if not usable:
            return first
        raw = page.raw
        raw.extractor, raw.variant = "generic-fallback", "generic"
        raw.flags.append("detail_fallback")
        raw.category = first.category
        self._count("detail/variant/generic")
        return raw

    # -- listing page ----------------------------------------------------------------------
    #: One element per article on a listing page.
    listing_item_css: str = ""
    #: Inside an item: the article link (its text is the title).
    listing_link_css: str = "a"
    #: Inside an item: the date as printed, and the teaser ("" if the listing has none).
    listing_date_css: str = ""
    listing_summary_css: str = ""
    #: Article URL paths; links of another form (menus, static pages) are not articles.
    article_path_re: re.Pattern[str] | None = None
    #: Query parameter numbering listing pages (page 1 is the bare listing URL).
    page_param: str = "page"
    #: Pager link targets, e.g. ``"div.paging a::attr(href)"``.
    pager_link_css: str = ""

    # -- article page ----------------------------------------------------------------------
    #: The article block; the selectors below are read inside it (the page if none).
    article_css: str = ""
    title_css: str = ""
    #: The page's own date ("" when the page shows none: the listing's date is used then).
    date_css: str = ""
    summary_css: str = ""
    #: The rich-text body: what goes to body_html.
    body_css: str = ""
    author_css: str = ""
    view_css: str = ""
    #: The category heading: in the article block, else anywhere on the page.
    category_css: str = ""
    #: Attachment links besides links to documents inside the body.
    attachment_css: str = ""
    #: Elements inside the body that are not article text (toolbars, share buttons, related
    #: news boxes): ``without_noise`` drops them where a base cleans its body.
    body_noise_css: tuple[str, ...] = ()
    #: The lead image shown above the body, in the article block ("" = none): it comes
    #: before the body's images.
    lead_image_css: str = ""
    #: Whether an italic-only paragraph right under an image's paragraph is its caption
    #: (an editor habit of RadEditor-era portals), read before the figure caption or alt.
    italic_captions: bool = False

    # -- listing ---------------------------------------------------------------------------
    def link_href(self, href: str) -> str:
        """An href as it should be requested. Platforms normalise encoding here."""
        return href.strip()

    def article_href(self, href: str) -> str:
        """An article link as it should be requested (platforms fix id keys here)."""
        return self.link_href(href)

    def is_article_url(self, url: str) -> bool:
        return self.article_path_re is None or bool(
            self.article_path_re.match(urlsplit(url).path))

    def listing_items(self, response: Response) -> list[Selector]:
        return list(page_selector(response).css(self.listing_item_css))

    def listing_entries(self, response: Response) -> list[ListingEntry]:
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for item in self.listing_items(response):
            link = item.css(self.listing_link_css)
            href = link.attrib.get("href") if link else None
            if not href or href.strip().startswith(("javascript:", "#")):
                continue
            href = self.article_href(href)
            if href in seen or not self.is_article_url(response.urljoin(href)):
                continue
            seen.add(href)
            entries.append(ListingEntry(
                url=href,
                title=text_of(link[0]) or link.attrib.get("title"),
                date_raw=self.entry_date(item),
                summary=self.entry_summary(item),
            ))
        return entries

    def entry_date(self, item: Selector) -> str | None:
        """The date a listing item prints, as printed."""
        return self._read(item, self.listing_date_css)

    def entry_summary(self, item: Selector) -> str | None:
        """The teaser a listing item shows, if any."""
        return self._read(item, self.listing_summary_css)

    def listing_url(self, path: str, page: int) -> str:
        base = self.site_url.rstrip("/") + self.link_href(path)
        if page == 1:
            return base
        return f"{base}{'&' if '?' in base else '?'}{self.page_param}={page}"

    def pager_pages(self, response: Response) -> set[int]:
        """Page numbers the pager links to (the parameter name matched case-insensitively)."""
        pages: set[int] = set()
        key = self.page_param.lower()
        for href in (page_selector(response).css(self.pager_link_css).getall()
                     if self.pager_link_css else []):
            for k, v in parse_qsl(urlsplit(href).query):
                if k.lower() == key and v.isdigit():
                    pages.add(int(v))
        return pages

    def has_next_page(self, response: Response, page: int) -> bool:
        return any(p > page for p in self.pager_pages(response))

    # -- article ---------------------------------------------------------------------------
    #: (response, article_css, block) of the last article block found.
    _last_block: tuple[Response, str, Selector] | None = None

    def article_block(self, response: Response) -> Selector:
        """The article block (the page if none). Kept for the last response: parse_article
        and the platforms' additions to it each ask, and it is a query over the whole page."""
        last = self._last_block
        if last is not None and last[0] is response and last[1] == self.article_css:
            return last[2]
        page = page_selector(response)
        found = page.css(self.article_css) if self.article_css else None
        block = found[0] if found else page
        self._last_block = (response, self.article_css, block)
        return block

    def _read(self, scope: Selector, css: str) -> str | None:
        """Text of the first match of ``css`` in ``scope``."""
        found = scope.css(css) if css else None
        return text_of(found[0]) if found else None

    def without_noise(self, body: Selector) -> Selector:
        """A copy of the body container without the elements of ``body_noise_css``."""
        node = parse_html(body.get()).css("body > *")[0]
        for css in self.body_noise_css:
            for noise in node.css(css):
                noise.drop()
        return node

    @staticmethod
    def caption_under(img: Selector) -> str | None:
        """The text of an italic-only paragraph right under the image's paragraph, if any."""
        holder = img.xpath("ancestor::p[1]")
        following = holder[0].xpath("following-sibling::*[1][self::p]") if holder else []
        if following and following[0].xpath("./em|./i") and not following[0].xpath(
                "./text()[normalize-space()]"):
            return text_of(following[0])
        return None

    def image_caption(self, img: Selector) -> str | None:
        """The italic line under the image (where ``italic_captions``), else a figure's
        caption, else the image's alt or title text."""
        if self.italic_captions:
            caption = self.caption_under(img)
            if caption:
                return caption
        figure = img.xpath("ancestor::figure[1]")
        caption = text_of(figure[0].css("figcaption")) if figure else None
        return caption or img.attrib.get("alt") or img.attrib.get("title") or None

    def image_nodes(self, block: Selector, body: SelectorList) -> list[Selector]:
        """The lead image (``lead_image_css``) above the body, then the body's images."""
        lead = list(block.css(self.lead_image_css)) if self.lead_image_css else []
        return [*lead, *body.css("img")]

    def images(self, response: Response, block: Selector,
               body: SelectorList) -> list[dict[str, Any]]:
        out = []
        for img in self.image_nodes(block, body):
            src = img.attrib.get("src") or img.attrib.get("data-src")
            if src and src.strip():
                out.append({"url": self.site_link(response, self.link_href(src)),
                            "caption": self.image_caption(img)})
        return out

    def attachment_links(self, block: Selector, body: SelectorList) -> list[tuple[str, str | None]]:
        """(href, link text) of attachment links and of document links in the body."""
        links = list(block.css(self.attachment_css)) if self.attachment_css else []
        links += [a for a in body.css("a[href]")
                  if DOCUMENT_EXTENSIONS.search(urlsplit(a.attrib["href"]).path)]
        return [(a.attrib.get("href", ""), text_of(a) or a.attrib.get("title")) for a in links]

    def attachments(self, response: Response, block: Selector,
                    body: SelectorList) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for href, name in self.attachment_links(block, body):
            href = href.strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            url = self.site_link(response, self.link_href(href))
            if url not in out:
                out[url] = {"url": url,
                            "name": name or unquote(urlsplit(url).path.rsplit("/", 1)[-1])}
        return list(out.values())

    def body_html(self, body: SelectorList) -> str | None:
        return body[0].get() if body else None

    def tags(self, response: Response) -> list[str]:
        content = _keywords(page_selector(response))
        return [t.strip() for t in re.split(r"[,;]", content) if t.strip()]

    def parse_article(self, response: Response) -> RawArticle:
        block = self.article_block(response)
        body = block.css(self.body_css)
        return self.raw_article(
            response,
            title=self._read(block, self.title_css),
            published_raw=self._read(block, self.date_css),
            summary=self._read(block, self.summary_css),
            body_html=self.body_html(body),
            author=self._read(block, self.author_css),
            view_count=self._read(block, self.view_css),
            category=(self._read(block, self.category_css)
                      or self._read(page_selector(response), self.category_css)),
            images=self.images(response, block, body),
            attachments=self.attachments(response, block, body),
            tags=self.tags(response),
        )
