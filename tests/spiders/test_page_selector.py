"""PageSelector (crawler/platforms/fastsel.py) answers every query as parsel's Selector does."""

from __future__ import annotations

import pytest
from parsel import Selector

from crawler.platforms.fastsel import PageSelector, page_selector, parse_html, text_nodes
from crawler.platforms.selectors import _KEYWORDS_XPATH, _keywords, text_of
from tests.fixture_tool import fixture_dirs, fixture_response

QUERIES = [
    ("css", "div"), ("css", "a[href]"), ("css", "a::attr(href)"), ("css", "p::text"),
    ("css", "h1, h2, .title"), ("css", "body > *"), ("css", "img"), ("css", "nonexistent"),
    ("xpath", "//meta[translate(@name,'KEYWORDS','keywords')='keywords']/@content"),
    ("xpath", "normalize-space(string())"), ("xpath", "count(//a)"), ("xpath", "boolean(//p)"),
    ("xpath", "//a[re:test(@href, '\\.pdf$', 'i')]"), ("xpath", "//comment()"),
    ("xpath", ".//text()"), ("xpath", "//p[1]/following-sibling::*[1][self::p]"),
]
PAGES = [d for d in fixture_dirs() if d.parent.name in ("sonla", "phutho", "mst", "cantho")]


def _answers(sel: Selector) -> list:
    out = []
    for kind, query in QUERIES:
        found = getattr(sel, kind)(query)
        out.append((type(found).__name__, found.getall(),
                    [x.css("a::attr(href)").getall() for x in found
                     if isinstance(getattr(x.root, "tag", None), str)]))
    return out


@pytest.mark.parametrize("folder", PAGES, ids=lambda d: f"{d.parent.name}/{d.name}")
def test_every_query_gives_parsels_answer(folder):
    response = fixture_response(folder)
    ours = page_selector(response)
    if response.selector.type != "html":  # an AJAX answer in JSON: Scrapy's selector, as is
        assert ours is response.selector
        return
    assert isinstance(ours, PageSelector)
    assert _answers(ours) == _answers(Selector(text=response.text))
    assert text_nodes(ours.css("p")) == ours.css("p").xpath(".//text()").getall()
    assert text_of(ours.css("body")) == " ".join(
        " ".join(response.css("body").xpath(".//text()").getall()).split())


def test_errors_variables_and_namespaces_behave_as_parsels():
    page = parse_html('<p class="a">x</p><p>y</p>')
    with pytest.raises(ValueError, match="XPath error"):
        page.xpath("//p[")
    assert page.xpath("//p[@class=$c]/text()", c="a").getall() == ["x"]
    page.register_namespace("q", "urn:q")
    assert page.namespaces["q"] == "urn:q"
    assert "q" not in parse_html("<p/>").namespaces  # the shared map was not edited
    assert page.xpath("//p/text()").getall() == ["x", "y"]
    assert not isinstance(parse_html('{"a": 1}'), PageSelector)  # JSON stays JSON, as parsel


@pytest.mark.parametrize("html", [
    '<meta name="KeyWords" content="a, b">', '<meta name="keywords"><meta name="KEYWORDS" '
    'content="x">', '<meta name="kEywords" content="">', '<meta name="keywordsx" content="q">',
    "<p>none</p>", '<body><p><meta name="Keywords" content="in body"></p></body>',
    '<meta name="ＫEYWORDS" content="w">',
])
def test_keywords_walk_finds_what_the_keywords_xpath_finds(html):
    page = parse_html(html)
    assert _keywords(page) == (page.xpath(_KEYWORDS_XPATH).get() or "")
