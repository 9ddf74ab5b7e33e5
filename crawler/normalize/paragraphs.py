"""HTML or visible text to clean paragraphs, never changing the article's wording.

Block boundaries become paragraph breaks and inline markup is concatenated as a browser
renders it; the only transformation of letters is Unicode NFC (the sites mix precomposed and
decomposed Vietnamese).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lxml import etree

__all__ = ["clean_inline", "html_to_paragraphs", "nfc", "text_to_paragraphs"]

# --------------------------------------------------------------------------------------------
# Inline cleaning
# --------------------------------------------------------------------------------------------

# Characters that render as (or stand for) a plain space.
_SPACE_CHARS = (
    "\t\n\r\f\v\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\x85"
)
# Invisible characters that must vanish without leaving a space (they sit inside words).
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
_INLINE_TABLE = {ord(c): " " for c in _SPACE_CHARS} | {ord(c): None for c in _INVISIBLE_CHARS}
# Any character the table changes: most lines have none, and str.translate with a dict is a
# slow per-character lookup on non-ASCII text, so it runs only when one is there.
_INLINE_ODD_RE = re.compile("[" + re.escape(_SPACE_CHARS + _INVISIBLE_CHARS) + "]")


def nfc(s: str) -> str:
    """Unicode NFC: the sites mix precomposed and decomposed Vietnamese; storage uses NFC."""
    return unicodedata.normalize("NFC", s)


def clean_inline(s: str) -> str:
    """Normalise one line: NFC, odd spaces to ' ', invisible characters removed, runs collapsed.

    Soft hyphens and zero-width characters are removed *before* NFC so that a base letter and
    its combining tone mark separated by them recompose correctly.
    """
    if _INLINE_ODD_RE.search(s):
        s = s.translate(_INLINE_TABLE)
    # str.split() splits on exactly the characters the regex \s matches, runs collapsed.
    return " ".join(nfc(s).split())


# --------------------------------------------------------------------------------------------
# HTML / plain text to paragraphs
# --------------------------------------------------------------------------------------------

# Elements whose boundaries start a new paragraph.
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
# Table cells separate their text by a space (not a paragraph break: keeps a row together).
_CELL_TAGS = frozenset({"td", "th"})
# Elements whose content is never article text (their tail still is).
_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "head",
        "svg",
        "math",
        "object",
        # Not "embed": it is void in HTML, but libxml2 makes everything after a bare <embed>
        # its children, so dropping it dropped the rest of the article.
        "canvas",
        "audio",
        "video",
        "select",
        "button",
    }
)
# huge_tree: libxml2 otherwise silently drops everything nested deeper than 256 levels.
# lxml.etree's parser, not lxml.html's: the same libxml2 parse, but its elements need no
# Python class lookup each (lxml.html's HtmlElement classes), which the walk below paid for
# every element it visited; it reads only tags, text and tails.
_HTML_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
)


def _finish(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        cleaned = clean_inline(line)
        if cleaned:
            out.append(cleaned)
    return out


def html_to_paragraphs(html: str) -> list[str]:
    """Turn an HTML fragment or document into cleaned paragraphs.

    Block boundaries and ``<br>`` become paragraph breaks; inline elements are concatenated
    exactly as the browser would (``<b>Hà</b>Nội`` stays ``HàNội``), so we never invent spaces
    that the page did not have.  Walks iteratively (lxml's iterwalk), so deeply nested
    layouts cannot blow the recursion limit.
    """
    if not html or not html.strip():
        return []
    try:
        # lxml.html.document_fromstring's parse and its "Document is empty" error.
        root = etree.fromstring(html.encode("utf-8"), parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return []
    if root is None:
        return []

    paragraphs: list[str] = []
    current: list[str] = []
    pre_depth = 0

    def flush() -> None:
        if current:
            paragraphs.append("".join(current))
            current.clear()

    def add(text: str | None) -> None:
        if not text:
            return
        if pre_depth:
            # Preformatted text keeps its line structure.
            first, *rest = text.split("\n")
            current.append(first)
            for piece in rest:
                flush()
                current.append(piece)
        else:
            current.append(text)

    # lxml's own walk (start and end of every node, in document order; a skipped subtree
    # still ends), not a Python stack of (closing, element) pairs: the same visits, cheaper,
    # and no recursion however deep the layout nests.
    walker = etree.iterwalk(root, events=("start", "end"))
    skip = walker.skip_subtree
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if event == "start":
            if tag is None or tag in _DROP_TAGS or tag == "br":
                skip()  # only its tail counts, at its end
                continue
            if tag in _BLOCK_TAGS:
                flush()
            elif tag in _CELL_TAGS:
                current.append(" ")
            if tag == "pre":
                pre_depth += 1
            add(el.text)
            continue
        if tag is None or tag in _DROP_TAGS:
            add(el.tail)
            continue
        if tag == "br":
            flush()
            add(el.tail)
            continue
        if tag == "pre":
            pre_depth -= 1
        if tag in _BLOCK_TAGS:
            flush()
        elif tag in _CELL_TAGS:
            current.append(" ")
        add(el.tail)
    flush()
    return _finish(paragraphs)


def text_to_paragraphs(text: str) -> list[str]:
    """Split visible text into cleaned, non-empty lines (one paragraph per line)."""
    if not text:
        return []
    return _finish(text.splitlines())
