"""Sanitized article HTML: nothing archived from a site may run in an archivist's browser."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
import nh3
from lxml import etree
from lxml.html import defs

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


# One parser and one cleaner for every call (lxml locks a parser per parse; nh3's Cleaner is
# ammonia's builder, made once instead of from the option sets on every call).
_PARSER = lxml.html.HTMLParser(huge_tree=True)  # huge_tree: see crawler/extract/generic.py
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_LINK_ATTRS = defs.link_attrs
# Elements whose links lxml's ``iterlinks`` finds by their tag, not only in link attributes.
_SPECIAL_TAGS = frozenset({"object", "meta", "param", "style"})
# What iterlinks reads a style attribute's links with (case-insensitive) needs this to match.
_CSS_URL_RE = re.compile(r"url\(", re.IGNORECASE)
_BASE_HREF = etree.XPath("//base[@href]|//x:base[@href]",
                         namespaces={"x": "http://www.w3.org/1999/xhtml"})


def _make_links_absolute(root: lxml.html.HtmlElement, base_url: str) -> None:
    """``root.make_links_absolute(base_url, resolve_base_href=False)``, at half the cost.

    Why: lxml's ``iterlinks`` tries its 16 link attributes on every element; a body has a
    few links in a dozen elements. Here each element's own attributes are looked at once,
    and elements without any are skipped. A tree with anything iterlinks reads in other ways
    (``object``, ``meta``, ``param``, ``style`` elements, a style attribute with ``url(``)
    or a ``<base href>`` (``rewrite_links`` applies it even without ``resolve_base_href``)
    goes to lxml's own method, so the result is always lxml's.
    """
    links = []
    for el in root.iter(etree.Element):
        items = el.items()
        if not items and el.tag != "style":
            continue
        if el.tag in _SPECIAL_TAGS:
            break
        for name, value in items:
            if name == "style" and _CSS_URL_RE.search(value):
                break
            if name in _LINK_ATTRS:
                links.append((el, name, value))
        else:
            continue
        break  # an element only lxml reads right
    else:
        if not _BASE_HREF(root):
            for el, name, link in links:
                new = urljoin(base_url, link.strip())
                if new != link:
                    el.set(name, new)
            return
    root.make_links_absolute(base_url, resolve_base_href=False)


def sanitize_html(html: str | None, *, base_url: str | None = None) -> str:
    """Return ``html`` with scripts, event handlers, styles and non-http(s) URLs removed.

    Relative links and image sources are made absolute against ``base_url`` first, so the
    archived HTML still points at the site it came from.
    """
    if not html or not html.strip():
        return ""
    if base_url:
        try:
            frag = lxml.html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
            _make_links_absolute(frag, base_url)
            html = lxml.html.tostring(frag, encoding="unicode")
        except (ValueError, lxml.etree.ParserError):
            pass  # nh3 below still makes it safe; links simply stay relative
    return _CLEANER.clean(html).strip()
