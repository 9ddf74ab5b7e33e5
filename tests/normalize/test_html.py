import lxml.html
import pytest

from core.html import _make_links_absolute, sanitize_html


def test_scripts_event_handlers_and_javascript_urls_are_removed():
    html = (
        '<p onclick="steal()">Tin <b>mới</b> <a href="javascript:alert(1)">x</a>'
        '<img src="/a.jpg" onerror="alert(2)"><script>alert(3)</script>'
        '<iframe src="https://evil"></iframe><style>p{}</style></p>'
    )
    out = sanitize_html(html)
    for bad in ("onclick", "onerror", "javascript:", "<script", "alert(3)", "<iframe", "<style"):
        assert bad not in out
    assert "Tin <b>mới</b>" in out


def test_relative_links_become_absolute_against_the_page_url():
    out = sanitize_html('<p><a href="../files/a.pdf">Tải</a><img src="/img/1.jpg"></p>',
                        base_url="https://sokhcn.sonla.gov.vn/tin-tuc/bai-1")
    assert 'href="https://sokhcn.sonla.gov.vn/files/a.pdf"' in out
    assert 'src="https://sokhcn.sonla.gov.vn/img/1.jpg"' in out
    assert 'rel="noopener noreferrer nofollow"' in out


def test_data_urls_and_empty_input():
    assert "data:" not in sanitize_html('<img src="data:text/html;base64,PHNjcmlwdD4=">')
    assert sanitize_html("") == "" and sanitize_html(None) == ""


@pytest.mark.parametrize("html", [
    '<p><a href=" ../a.pdf ">a</a><img src="/i.jpg" lowsrc="l.jpg"><a href="#x">b</a></p>',
    '<p><a href="https://other.example/x">a</a><a href="">empty</a><a>none</a></p>',
    '<p style="background: URL(bg.png)"><a href="a.html">a</a></p>',
    '<p style="text-align: justify"><a href="a.html" style="color: red">a</a></p>',
    '<base href="https://elsewhere.example/dir/"><p><a href="a.html">a</a></p>',
    '<p><object codebase="/c/" data="d.swf"></object><a href="a.html">a</a></p>',
    '<p><meta http-equiv="refresh" content="0; url=/r"><a href="a.html">a</a></p>',
    '<p><style>p { background: url(s.png) }</style><a href="a.html">a</a></p>',
    '<p><svg><a xlink:href="x.svg">x</a></svg><form action="/f"></form></p>',
    '<p><a href="http://[bad">a</a></p>',
    '<p><a href="http://[::1]/ok">a</a><img src="//ｅxample.com/i.jpg"></p>',
])
def test_links_are_made_absolute_exactly_as_lxml_makes_them(html):
    """The sanitizer's own link pass gives lxml's make_links_absolute's tree, or its error
    (then the links stay relative)."""
    base = "https://sokhcn.sonla.gov.vn/tin-tuc/bai-1"

    def result(rewrite):
        frag = lxml.html.fragment_fromstring(html, create_parent="div",
                                             parser=lxml.html.HTMLParser(huge_tree=True))
        try:
            rewrite(frag)
        except ValueError as exc:
            return f"ValueError: {exc}"
        return lxml.html.tostring(frag, encoding="unicode")

    ours = result(lambda frag: _make_links_absolute(frag, base))
    assert ours == result(lambda frag: frag.make_links_absolute(base, resolve_base_href=False))


FAST_PATH_CASES = [
    "x",
    "   plain text, no tag",
    '<p><a href=" http://x.vn/a b ">x</a></p>',
    '<img src="/a/ảnh 1.jpg">',
    '<a href="HTTP://X.VN/A">u</a>',
    '<a href="../up">up</a>',
    '<a href="">e</a>',
    '<img src="  ">',
    '<a href="?p=2">q</a>',
    '<a href="#top">t</a>',
    '<a href="x\ty">t</a>',
    '<a href="http://[bad">a</a><img src="i.jpg">',
    '<a href="//ｅxample.com/i">e</a><img src="i">',
    '<a href="a b]">c</a><img src=i>',
    '<base href="http://other/"><a href="z">b</a>',
    '<a href="foo&amp;bar=1">amp</a>',
    '<a href="x\'y(z)*!~|^`{}[]\\">m</a>',
    '<a href="http://ex.vn/ả?q=ơ#ư">v</a>',
    '<a href="%E1%BA%A3">pe</a>',
    "  <p>x</p> ",
    "\n<p>x</p>",
    "&nbsp;<p>x</p>",
    "&nbsp;",
    "  text<b>y</b>",
    "text only",
    "<!-- c -->\n<p>x</p>",
    "<p>a</div><p>b",
    "<table><tr><td colspan=2><a href=x>t</a></table>",
    '<!DOCTYPE html><html><body><p><a href="a">a</a></p></body></html>',
]


@pytest.mark.parametrize("html", FAST_PATH_CASES)
def test_links_rewritten_inside_nh3_give_the_lxml_paths_output(html):
    """sanitize_html rewrites links in nh3's own pass; its output is byte for byte what the
    lxml pass (parse, make links absolute, serialize) then nh3 gave."""
    from core.html import _sanitize_via_lxml

    base = "https://sokhcn.sonla.gov.vn/tin-tức/bài 1.html?id=1&x=ý"
    assert sanitize_html(html, base_url=base) == _sanitize_via_lxml(html, base)


def test_every_saved_article_body_sanitizes_as_the_lxml_path_did():
    from core.html import _sanitize_via_lxml
    from crawler.parsing import spider_class
    from tests.fixture_tool import fixture_dirs, fixture_response, load_page

    checked = 0
    for folder in fixture_dirs():
        meta, _body = load_page(folder)
        if meta["kind"] != "article" or meta["site"] == "generic":
            continue
        raw = spider_class(meta["site"])().parse_article(fixture_response(folder))
        assert sanitize_html(raw.body_html, base_url=raw.url) == _sanitize_via_lxml(
            raw.body_html, raw.url
        ), folder
        checked += 1
    assert checked >= 25
