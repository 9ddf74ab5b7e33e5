"""Sanitized article HTML: nothing archived from a site may run in an archivist's browser."""

from __future__ import annotations

import lxml.html
import nh3

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


def sanitize_html(html: str | None, *, base_url: str | None = None) -> str:
    """Return ``html`` with scripts, event handlers, styles and non-http(s) URLs removed.

    Relative links and image sources are made absolute against ``base_url`` first, so the
    archived HTML still points at the site it came from.
    """
    if not html or not html.strip():
        return ""
    if base_url:
        try:
            frag = lxml.html.fragment_fromstring(  # huge_tree: see crawler/extract/generic.py
                html, create_parent="div", parser=lxml.html.HTMLParser(huge_tree=True))
            frag.make_links_absolute(base_url, resolve_base_href=False)
            html = lxml.html.tostring(frag, encoding="unicode")
        except (ValueError, lxml.etree.ParserError):
            pass  # nh3 below still makes it safe; links simply stay relative
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return cleaned.strip()
