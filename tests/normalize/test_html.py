from core.html import sanitize_html


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
