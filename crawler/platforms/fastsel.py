"""parsel's ``Selector`` without its per-call costs, for the spiders' hot paths.

Why: a site spider reads ~20 selectors per article page. parsel's ``xpath`` copies its
namespace map, looks its compiled query up, and builds each result through the full
``Selector.__init__`` (argument checks; Scrapy's subclass also registers every one with its
live-object tracker); ``text_of`` made one Selector per text node. That overhead was most of
our parsing time (bench/README.md, "Extraction"). ``PageSelector`` is a parsel ``Selector``
(every method a platform hook uses works unchanged) whose ``css``/``xpath`` run the same
queries (the same CSS translation, the same namespaces, ``smart_strings`` off) on the same
lxml tree, so results are identical; only the wrapping is cheaper.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree
from parsel import Selector, SelectorList, css2xpath
from scrapy.http import Response

__all__ = ["PageSelector", "page_selector", "parse_html", "text_nodes"]

# parsel's default namespaces (``Selector._default_namespaces``); like parsel, the EXSLT sets
# namespace is registered only for a query that uses its prefix.
_NAMESPACES = dict(Selector._default_namespaces)
_RE_NS = {"re": _NAMESPACES["re"]}


@lru_cache(maxsize=2048)
def _compiled(query: str) -> etree.XPath:
    namespaces = _NAMESPACES if "set:" in query else _RE_NS
    return etree.XPath(query, namespaces=namespaces, smart_strings=False)


_TEXT = _compiled(".//text()")


class PageSelector(Selector):
    """An HTML ``Selector`` whose queries and results skip parsel's per-call overhead."""

    __slots__ = ()

    @classmethod
    def wrap(cls, root: Any, expr: str | None = None) -> PageSelector:
        """What ``Selector(root=root, type="html")`` makes, without its checks."""
        sel = object.__new__(cls)
        sel.root = root
        sel.type = "html"
        sel.namespaces = _NAMESPACES  # shared; register_namespace replaces it, never edits it
        sel._expr = expr
        sel._huge_tree = True
        sel._text = None
        return sel

    def xpath(self, query: str, namespaces: Any = None, **kwargs: Any) -> SelectorList[Any]:
        root = self.root
        if (namespaces is not None or kwargs or self.namespaces is not _NAMESPACES
                or not hasattr(root, "xpath")):
            return super().xpath(query, namespaces, **kwargs)
        try:
            result = _compiled(query)(root)
        except etree.XPathError as exc:
            raise ValueError(f"XPath error: {exc} in {query}") from None
        if not isinstance(result, list):
            result = [result]
        wrap = self.wrap
        return SelectorList([wrap(x, query) for x in result])

    def css(self, query: str) -> SelectorList[Any]:
        return self.xpath(css2xpath(query))

    def register_namespace(self, prefix: str, uri: str) -> None:
        self.namespaces = {**self.namespaces, prefix: uri}


def page_selector(response: Response) -> Selector:
    """The response's document as a ``PageSelector`` (the same parsed tree Scrapy keeps);
    a non-HTML response keeps its own selector."""
    sel = response.selector
    if sel.type != "html":
        return sel
    return PageSelector.wrap(sel.root)


def parse_html(html: str) -> Selector:
    """``Selector(text=html)`` (parsel's parse of the string, its type detection included),
    as a ``PageSelector`` when it is HTML."""
    sel = Selector(text=html)
    return PageSelector.wrap(sel.root) if sel.type == "html" else sel


def text_nodes(selection: Any) -> list[str]:
    """``selection.xpath(".//text()").getall()`` for a Selector or SelectorList, without a
    Selector per text node."""
    if isinstance(selection, Selector):
        root = selection.root
        return _TEXT(root) if hasattr(root, "xpath") else []
    if isinstance(selection, SelectorList):
        return [t for sel in selection for t in text_nodes(sel)]
    return selection.xpath(".//text()").getall()  # type: ignore[no-any-return]
