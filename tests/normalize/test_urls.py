import pytest

from core.urls import canonical_url
from crawler.registry import load_registry


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # http and https are one article
        ("http://sokhcn.sonla.gov.vn/tin-tuc/a-928344", "https://sokhcn.sonla.gov.vn/tin-tuc/a-928344"),
        # fragment dropped, host lower-cased, default port dropped
        ("https://SOKHCN.Sonla.gov.vn:443/tin-tuc/a-1#comments", "https://sokhcn.sonla.gov.vn/tin-tuc/a-1"),
        # tracking parameters dropped, real ones kept and sorted
        ("https://a.gov.vn/x?utm_source=fb&b=2&fbclid=abc&a=1&UTM_Campaign=z",
         "https://a.gov.vn/x?a=1&b=2"),
        # session ids dropped: query, ;jsessionid path parameter, ASP.NET cookieless session
        ("https://a.gov.vn/x?JSESSIONID=77&ItemID=3", "https://a.gov.vn/x?ItemID=3"),
        ("https://a.gov.vn/web/x;jsessionid=ABC123?id=1", "https://a.gov.vn/web/x?id=1"),
        ("https://a.gov.vn/(S(abcdef123))/Trang/ChiTiet.aspx?nid=5",
         "https://a.gov.vn/Trang/ChiTiet.aspx?nid=5"),
        # the only parameter is tracking: no dangling "?"
        ("https://a.gov.vn/x?utm_medium=email", "https://a.gov.vn/x"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_percent_encoded_and_unicode_sharepoint_list_names_are_one_url():
    encoded = "http://sokhcn.vinhphuc.gov.vn/noidung/Lists/%c4%90i%E1%BB%83m%20tham%20quan/View_Detail.aspx?ItemID=3"
    raw = "https://sokhcn.vinhphuc.gov.vn/noidung/Lists/Điểm tham quan/View_Detail.aspx?ItemID=3"
    assert canonical_url(encoded) == canonical_url(raw)
    assert "%C4%90i%E1%BB%83m%20tham%20quan" in canonical_url(raw)


def test_query_order_does_not_matter_but_values_do():
    assert canonical_url("https://a.gov.vn/?b=1&a=2") == canonical_url("https://a.gov.vn/?a=2&b=1")
    assert canonical_url("https://a.gov.vn/?nid=1") != canonical_url("https://a.gov.vn/?nid=2")


def test_alias_domains_of_one_site_map_to_its_primary_domain():
    phutho = load_registry()["phutho"]
    a = phutho.canonical_url("http://sokhcn.phutho.gov.vn/trien-khai-n8447")
    b = phutho.canonical_url("https://sokhoahoccongnghe.phutho.gov.vn/trien-khai-n8447")
    assert a == b == "https://sokhoahoccongnghe.phutho.gov.vn/trien-khai-n8447"


def test_other_hosts_are_not_aliased():
    phutho = load_registry()["phutho"]
    assert phutho.canonical_url("https://phutho.gov.vn/x").startswith("https://phutho.gov.vn/")


@pytest.mark.parametrize("bad", ["", "   ", "/relative/path", "javascript:alert(1)", "ftp://a.gov.vn/x"])
def test_non_http_urls_are_refused(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)
