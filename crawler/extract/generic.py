"""Site-independent extraction for pages no site spider knows yet.

Heuristics, in order of trust: metadata (og:title, article:published_time), the page's
main heading, the first date string *after* that heading (a header "today" date sits before
it), and the block whose paragraphs hold the most text with the fewest links. Items are
marked ``extractor = "generic"`` so an archivist can tell them from site-parsed ones.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from crawler.items import RawArticle
from crawler.normalize.dates import find_date
from crawler.normalize.text import extract_view_count

_DROP = ("script", "style", "noscript", "template", "iframe", "form", "nav", "header",
         "footer", "aside", "select", "button")
_BLOCK_CANDIDATES = ("div", "article", "section", "td", "main")
_NOISE_CLASS = re.compile(
    r"comment|sidebar|menu|footer|header|breadcrumb|share|social|related|other|tinkhac|"
    r"pager|pagination|banner|advert|widget|login|counter|thongke", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—]\s+[^-|–—]{3,80}$")


def _text(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _meta(doc: HtmlElement, *names: str) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = doc.xpath(f'//meta[@{attr}="{name}"]/@content')
            if found and found[0].strip():
                return found[0].strip()
    return None


def _title(doc: HtmlElement) -> tuple[str | None, HtmlElement | None]:
    for xp in ('//h1[normalize-space()]', '//*[contains(@class,"title")][self::h2 or self::h3]'
               '[normalize-space()]', '//*[contains(@class,"Title") or contains(@class,"title")]'
               '[not(descendant::a)][normalize-space()]'):
        found = doc.xpath(xp)
        if found:
            return _text(found[0]), found[0]
    og = _meta(doc, "og:title")
    if og:
        return og, None
    title = doc.findtext(".//title")
    return (_TITLE_SUFFIX.sub("", " ".join(title.split())) if title else None), None


def _date_after(doc: HtmlElement, anchor: HtmlElement | None) -> str | None:
    meta = _meta(doc, "article:published_time", "datePublished", "pubdate", "date")
    if meta:
        return meta
    for t in doc.xpath("//time[@datetime]"):
        return t.get("datetime")
    elements = list(doc.iter())
    start = elements.index(anchor) + 1 if anchor is not None and anchor in elements else 0
    for el in elements[start:start + 60]:
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        own = (el.text or "").strip()
        if own and len(own) < 120:
            found = find_date(own)
            if found.value is not None or found.flag in ("date_impossible",):
                return found.raw
    return None


def _score(el: HtmlElement) -> float:
    paragraphs = el.xpath("./p | ./div[not(div)] | ./span")
    text_len = sum(len(_text(p)) for p in paragraphs) or len(_text(el)) * 0.3
    link_len = sum(len(_text(a)) for a in el.xpath(".//a"))
    total = len(_text(el)) or 1
    penalty = 0.2 if _NOISE_CLASS.search(f"{el.get('class', '')} {el.get('id', '')}") else 1.0
    return text_len * (1 - link_len / total) * penalty


def _body(doc: HtmlElement) -> HtmlElement | None:
    best, best_score = None, 0.0
    for el in doc.iter(*_BLOCK_CANDIDATES):
        score = _score(el)
        if score > best_score:
            best, best_score = el, score
    return best


def extract(html: str, url: str, *, site: str = "generic",
            fetched_at: str | None = None) -> RawArticle:
    """Raw article fields of ``html`` (served at ``url``) by generic heuristics."""
    doc = lxml.html.document_fromstring(html or "<html></html>")
    title, anchor = _title(doc)
    published = _date_after(doc, anchor)
    counter = doc.xpath('//*[contains(text(), "Lượt xem") or contains(text(), "Đã xem")]')
    view_count = extract_view_count(_text(counter[0])) if counter else None
    for bad in doc.xpath("|".join(f"//{t}" for t in _DROP)):
        if anchor is None or (bad is not anchor and anchor not in bad.iterdescendants()):
            bad.drop_tree()
    body = _body(doc)
    if body is not None and anchor is not None and anchor in body.iterdescendants():
        anchor.drop_tree()
    images: list[dict[str, Any]] = []
    if body is not None:
        images = [{"url": img.get("src"), "caption": img.get("alt") or img.get("title")}
                  for img in body.iter("img") if img.get("src")]
    attachments = [
        {"url": a.get("href"), "name": _text(a) or None}
        for a in doc.xpath("//a[@href]")
        if re.search(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar)(\?|$)", a.get("href", ""), re.I)
    ]
    return RawArticle(
        url=url, site=site, title=title,
        summary=_meta(doc, "og:description", "description"),
        published_raw=published,
        body_html=lxml.html.tostring(body, encoding="unicode") if body is not None else None,
        images=images, attachments=attachments,
        tags=[t.strip() for t in (_meta(doc, "keywords") or "").split(",") if t.strip()],
        view_count=str(view_count) if view_count is not None else None,
        fetched_at=fetched_at, extractor="generic",
    )
