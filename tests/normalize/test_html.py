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
