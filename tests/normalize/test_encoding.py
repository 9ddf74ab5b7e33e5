"""Pages decoded by their bytes where their charsets lie (crawler/normalize/encoding.py).

Each case is also what plain Scrapy gets wrong or right, so the rules stay justified."""

from __future__ import annotations

import unicodedata

import pytest
from scrapy.http import HtmlResponse, Response

from crawler.mirror.hostile import cp1258
from crawler.normalize.encoding import decode_truly, true_encoding, unreadable

TITLE = "Sở Khoa học và Công nghệ tỉnh Đắk Lắk tổng kết năm"
UTF8_PAGE = f"<html><head><title>{TITLE}</title></head><body><h1>{TITLE}</h1></body></html>"


def page(meta: str = "") -> str:
    return UTF8_PAGE.replace("<head>", f"<head>{meta}")


CASES = [
    # (what, body, Content-Type, does plain Scrapy read it right?)
    ("UTF-8 under an iso-8859-1 header", page().encode(), "text/html; charset=iso-8859-1",
     False),
    ("UTF-8 under a windows-1258 header", page().encode(), "text/html; charset=windows-1258",
     False),
    ("UTF-8 under a false UTF-16 header", page().encode(), "text/html; charset=utf-16", False),
    ("windows-1258 under <meta charset=utf-8>", cp1258(page("<meta charset='utf-8'>")),
     "text/html", False),
    ("windows-1258 under a UTF-8 header", cp1258(page()), "text/html; charset=utf-8", False),
    ("windows-1258 under an iso-8859-1 header", cp1258(page()),
     "text/html; charset=iso-8859-1", False),
    ("windows-1258 declared nowhere", cp1258(page()), "text/html", None),
    ("windows-1258 declared in <meta>", cp1258(page(
        "<meta http-equiv='Content-Type' content='text/html; charset=windows-1258'>")),
     "text/html", True),
    ("windows-1258 declared in the header", cp1258(page()),
     "text/html; charset=windows-1258", True),
    ("UTF-8 with a BOM under an iso-8859-1 header", b"\xef\xbb\xbf" + page().encode(),
     "text/html; charset=iso-8859-1", True),
    ("UTF-16 with a BOM", page().encode("utf-16"), "text/html", True),
    ("UTF-8, declared right", page().encode(), "text/html; charset=utf-8", True),
]


@pytest.mark.parametrize(("what", "body", "content_type", "scrapy_right"), CASES,
                         ids=[c[0] for c in CASES])
def test_pages_are_read_right_whatever_they_declare(what, body, content_type, scrapy_right):
    plain = HtmlResponse(url="https://x.example/a", body=body,
                         headers={"Content-Type": content_type})
    if scrapy_right is not None:  # (undeclared windows-1258: charset-normalizer guesses)
        read = plain.css("h1::text").get() or ""
        assert (unicodedata.normalize("NFC", read) == TITLE) is scrapy_right, what
    fixed = decode_truly(plain)
    assert unicodedata.normalize("NFC", fixed.css("h1::text").get()) == TITLE, what
    assert fixed.body == body  # the bytes (and so the WARC capture) are untouched


def test_broken_utf8_stays_utf8_with_replacement_characters():
    body = page().encode().replace("Đắk".encode(), b"\xc4\x90\xe1\xba")  # a cut sequence
    fixed = decode_truly(HtmlResponse(url="https://x.example/", body=body,
                                      headers={"Content-Type": "text/html; charset=utf-8"}))
    text = fixed.css("h1::text").get()
    assert "\ufffd" in text and text.startswith("Sở Khoa học") and text.endswith("tổng kết năm")


def test_ascii_pages_keep_their_declaration():
    assert true_encoding(b"<p>plain</p>", "iso-8859-1") is None
    assert true_encoding(b"<p>plain</p>", None) is None
    assert true_encoding(b"<p>plain</p>", "utf-16") == "utf-8"  # no NUL byte: not UTF-16


@pytest.mark.parametrize(("body", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not an HTML page: PNG image"),
    (b"%PDF-1.7\n", "not an HTML page: PDF document"),
    (b"PK\x03\x04rest", "not an HTML page: ZIP archive"),
    (b"\x1f\x8b\x08\x00", "not an HTML page: gzip data"),
    (b"<p " + b" ".join(b"a%d=1" % i for i in range(20_000)) + b">x</p>",
     "pathological markup: a tag with 20000 attributes"),
])
def test_unreadable_payloads_become_plain_responses(body, reason):
    assert unreadable(body) == reason
    fixed = decode_truly(HtmlResponse(url="https://x.example/", body=body,
                                      headers={"Content-Type": "text/html"}))
    assert type(fixed) is Response and fixed.body == body


def test_ordinary_pages_are_readable():
    assert unreadable(page().encode()) is None
    assert unreadable(b"<img src='" + b"A" * 200_000 + b"'>") is None  # long, one attribute
    assert unreadable(b"") is None
