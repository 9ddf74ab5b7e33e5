"""Sanitized article HTML: nothing archived from a site may run in an archivist's browser."""

from __future__ import annotations

import re
import threading
from html import unescape
from urllib.parse import quote, urljoin

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
_CLEANER_OPTIONS: dict = {
    "tags": _TAGS,
    "attributes": _ATTRIBUTES,
    "url_schemes": {"http", "https", "mailto"},
    "link_rel": "noopener noreferrer nofollow",
    "strip_comments": True,
}
_CLEANER = nh3.Cleaner(**_CLEANER_OPTIONS)
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


# What libxml2's HTML serializer leaves unescaped in an href or src: printable ASCII (it
# percent-encodes blanks, DEL and every non-ASCII byte, UTF-8, upper-case hex).
_URI_SAFE = "".join(map(chr, range(0x21, 0x7F)))
# Inputs the fast path does not mirror exactly: a whole document (lxml keeps only its body), a
# <base href> (lxml resolves links against it), a link with a bracket (urljoin may reject it
# as a bad IPv6 host, which left every link relative, where nh3 drops that one link first).
_WHOLE_DOCUMENT_RE = re.compile(r"\s*<(?:html|!doctype)", re.IGNORECASE)
_LXML_ONLY_RE = re.compile(
    r"<base[\s/>]|(?:href|src)\s*=\s*(?:\"[^\"]*[\[\]]|'[^']*[\[\]]|[^\s\"'>]*[\[\]])",
    re.IGNORECASE,
)
_BASE_TAG_RE = re.compile("<base", re.IGNORECASE)  # a literal: re scans it fast


def _may_need_lxml(html: str) -> bool:
    """A necessary condition for ``_LXML_ONLY_RE``, in C-speed substring scans: the regex has
    no literal prefix, so on its own it costs half of this module's time per page."""
    return "[" in html or "]" in html or _BASE_TAG_RE.search(html) is not None


# The page URL of the sanitize_html call running on this thread, for the cleaner's callback.
_CALL = threading.local()


def _absolute_link(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute callback: an href or src made absolute as lxml's make_links_absolute
    makes it, then escaped as lxml serializes it (the old path's output, byte for byte)."""
    if attribute != "href" and attribute != "src":
        return value
    try:
        link = urljoin(_CALL.base_url, value.strip())
    except ValueError:  # e.g. "http://[bad": lxml's pass raised, and every link stayed relative
        _CALL.failed = True
        return value
    return (
        link
        if link.isascii() and link.isprintable() and " " not in link
        else quote(link, safe=_URI_SAFE)
    )


# The same rules, rewriting links on the way (nh3 calls back only for attributes it keeps).
_LINKING_CLEANER = nh3.Cleaner(**_CLEANER_OPTIONS, attribute_filter=_absolute_link)


def _sanitize_via_lxml(html: str, base_url: str) -> str:
    """Links made absolute on lxml's tree, then nh3: the reference for the fast path."""
    try:
        frag = lxml.html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
        _make_links_absolute(frag, base_url)
        html = lxml.html.tostring(frag, encoding="unicode")
    except (ValueError, AssertionError, lxml.etree.ParserError):  # (lxml asserts one body)
        pass  # nh3 below still makes it safe; links simply stay relative
    return _CLEANER.clean(html).strip()


def sanitize_html(html: str | None, *, base_url: str | None = None) -> str:
    """Return ``html`` with scripts, event handlers, styles and non-http(s) URLs removed.

    Relative links and image sources are made absolute against ``base_url`` first, so the
    archived HTML still points at the site it came from. The fragment comes back in one
    ``div``, as lxml's fragment parser wrapped it. Links are rewritten inside nh3's own pass
    (no lxml parse and serialization of the body: two thirds of this function's time), with
    the old path's exact output (tests/normalize/test_html.py compares the two).
    """
    if not html or not html.strip():
        return ""
    if not base_url:
        return _CLEANER.clean(html).strip()
    if _WHOLE_DOCUMENT_RE.match(html) or (_may_need_lxml(html) and _LXML_ONLY_RE.search(html)):
        return _sanitize_via_lxml(html, base_url)
    lead = html.find("<")
    if lead < 0:  # no tag: the whole string is leading text
        lead = len(html)
    if lead and not unescape(html[:lead]).strip():  # lxml drops blank leading text
        html = html[lead:]
    _CALL.base_url, _CALL.failed = base_url, False
    cleaned = _LINKING_CLEANER.clean(html)
    if _CALL.failed:
        return _CLEANER.clean(html).strip()
    return f"<div>{cleaned}</div>".strip()
