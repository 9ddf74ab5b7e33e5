"""dost.hochiminhcity.gov.vn (TP.HCM DOST, WordPress-like): the site's traps.

- one article is linked over http and over https, with and without the trailing slash:
  one canonical URL;
- lists answer ``/hoat-dong-so-khcn/?page=N`` and ``/hoat-dong-so-khcn?page=N``;
- image captions holding only the file stem ("ttet1") are not captions, real ones are;
- files under ``/documents/<id>/``; old ``default.aspx`` links are not articles;
- the header prints today's date.
"""

from __future__ import annotations

import re

import pytest

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.hochiminh import MODEL
from crawler.normalize.text import clean_body, html_to_paragraphs
from spiders.hochiminh import HochiminhSpider, file_stem
from tests.fixture_tool import FIXTURES, fixture_response, parse_fixture

HERE = FIXTURES / "hochiminh"
STEMS = HERE / "article_stem_captions_file"
TTET = HERE / "article_ttet_caption"
DUPLICATE = HERE / "article_duplicate_slug"
LISTING_1, LISTING_2 = HERE / "listing_p1", HERE / "listing_p2"
SITE = "https://dost.hochiminhcity.gov.vn"
HOST = "dost.hochiminhcity.gov.vn"


@pytest.fixture
def spider() -> HochiminhSpider:
    return HochiminhSpider()


# -- one URL per article --------------------------------------------------------------------
def test_http_and_https_urls_of_one_article_canonicalize_to_one(spider):
    path = "/hoat-dong-so-khcn/ngay-hoi-khoi-nghiep-doi-moi-sang-tao-tinh-lan-thu-7/"
    variants = [f"http://{HOST}{path}", f"https://{HOST}{path}", f"HTTP://{HOST.upper()}{path}",
                f"http://{HOST}{path}?utm_source=zalo", f"https://{HOST}{path}#top"]
    assert {spider.canonical(u) for u in variants} == {SITE + path}


def test_links_are_rewritten_to_https_and_the_trailing_slash(spider):
    path = "/tin-tuc-khcn/ung-dung-hoa-hoc-xanh-trong-che-bien-nong-san"
    assert spider.article_href(f"http://{HOST}{path}") == f"{SITE}{path}/"
    assert spider.article_href(f"https://{HOST}{path}/") == f"{SITE}{path}/"
    assert spider.article_href(path) == path + "/"
    # Another host's scheme is left alone.
    assert spider.article_href("http://example.org/a/b") == "http://example.org/a/b/"


def test_listing_links_over_http_become_the_https_canonical_urls(spider):
    page = fixture_response(LISTING_1)
    hrefs = page.css("h3.post-title a::attr(href)").getall()
    assert any(h.startswith("http://") for h in hrefs) and any(
        h.startswith("https://") for h in hrefs)
    entries = parse_fixture(LISTING_1)
    model = MODEL()
    items = model.in_category("hoat-dong-so-khcn")[:10]
    assert [e["url"] for e in entries] == [SITE + model.url_of(a) for a in items]
    assert [e["date_raw"] for e in entries] == [model.day(a.published) for a in items]


def test_a_mirror_crawl_requests_http_links_from_the_mirror():
    spider = HochiminhSpider(base_url="http://127.0.0.1:8123")
    url = spider.article_href(f"http://{HOST}/thong-bao/x/")
    assert spider.fetch_url(url) == "http://127.0.0.1:8123/thong-bao/x/"
    assert spider.origin_url("http://127.0.0.1:8123/thong-bao/x/") == f"{SITE}/thong-bao/x/"


def test_slashless_article_url_redirects_to_the_slash_form():
    model = MODEL()
    article = model.articles[0]
    reply = model.respond(MirrorRequest("GET", model.url_of(article).rstrip("/"), {}))
    assert reply.status == 301 and reply.headers["Location"] == model.url_of(article)


def test_duplicate_titles_get_distinct_slugs():
    art = parse_fixture(DUPLICATE)
    assert art["url"].endswith("-nam-2025-2/")
    model = MODEL()
    same = [a for a in model.articles if a.title == art["title"]]
    assert len(same) == 2
    assert len({model.url_of(a) for a in same}) == 2


# -- which links are articles ---------------------------------------------------------------
def test_article_sections_and_other_links(spider):
    for path in ("/hoat-dong-so-khcn/x/", "/tin-tuc-khcn/y", "/thong-bao/z/"):
        assert spider.is_article_url(SITE + path), path
    for path in ("/hoat-dong-so-khcn/", "/hoat-dong-so-khcn", "/gioi-thieu/co-cau/",
                 "/documents/123/ke-hoach.pdf", "/default.aspx?tabid=71",
                 "/documents/123/ttet1.jpg"):
        assert not spider.is_article_url(SITE + path), path


def test_old_aspnet_links_on_the_page_are_not_entries(spider):
    page = fixture_response(LISTING_1)
    assert page.css("a[href*='default.aspx']")
    assert not [e for e in spider.listing_entries(page) if "default.aspx" in e.url]


# -- paging ---------------------------------------------------------------------------------
def test_both_list_forms_answer_and_the_pager_uses_the_slashless_one(spider):
    model = MODEL()
    for path in ("/hoat-dong-so-khcn/", "/hoat-dong-so-khcn"):
        reply = model.respond(MirrorRequest("GET", path, {"page": ["2"]}))
        assert reply.status == 200 and "Trang 2" in reply.data.decode()
    assert spider.listing_url("/hoat-dong-so-khcn/", 7) == SITE + "/hoat-dong-so-khcn/?page=7"
    pager = fixture_response(LISTING_1).css("ul.pagination a::attr(href)").getall()
    assert "/hoat-dong-so-khcn?page=2" in pager
    assert spider.has_next_page(fixture_response(LISTING_1), 1)
    assert not spider.has_next_page(fixture_response(LISTING_2), 2)
    assert len(parse_fixture(LISTING_2)) == len(model.in_category("hoat-dong-so-khcn")) - 10


# -- captions that are file stems -----------------------------------------------------------
def test_file_stem():
    assert file_stem("/documents/123/ttet1.jpg") == "ttet1"
    assert file_stem("https://x/documents/9/IMG_4213.JPG") == "IMG_4213"
    assert file_stem("/documents/9/h%E1%BB%99i-ngh%E1%BB%8B-2.png") == "hội-nghị-2"


def test_file_stem_caption_is_not_kept_real_caption_is():
    page = fixture_response(TTET)
    assert page.css("figcaption::text").get() == "ttet1"
    art = parse_fixture(TTET)
    assert art["images"] == [{"url": SITE + "/documents/123271/ttet1.jpg", "caption": None}]
    assert "ttet1" not in art["body_text"].split("\n\n")
    art = parse_fixture(STEMS)
    assert [i["caption"] for i in art["images"]] == [None, "Quang cảnh hội nghị."]
    paragraphs = art["body_text"].split("\n\n")
    assert "IMG_4213" not in paragraphs and "Quang cảnh hội nghị." in paragraphs


def test_the_normalizer_drops_bare_file_stem_lines_from_the_body():
    html = fixture_response(TTET).css("div.post-content").get()
    raw = html_to_paragraphs(html)
    assert "ttet1" in raw
    assert "ttet1" not in clean_body(raw).paragraphs


# -- article --------------------------------------------------------------------------------
def test_article_fields_and_header_date():
    art = parse_fixture(STEMS)
    assert art["title"] == "Công bố quyết định bổ nhiệm Phó Giám đốc Sở"
    assert art["published_raw"] == "Ngày đăng: 27/08/2025 18:00"
    assert art["published_at"] == "2025-08-27T18:00:00+07:00"
    assert art["category"] == "Tin tức KH&CN"
    assert art["author"] == "Ngọc Lan - Văn Hùng" and art["view_count"] == 209
    assert art["attachments"] == [{"url": SITE + "/documents/123139/ke-hoach-3213.pdf",
                                   "name": "Kế hoạch số 19/KH-SKHCN"}]
    header = fixture_response(STEMS).css("span.today::text").get()
    assert re.fullmatch(r"(Thứ \w+|Chủ Nhật), \d\d/\d\d/\d{4}", header)
    assert header[-10:] not in (art["published_raw"] or "")


@pytest.mark.parametrize("folder", [STEMS, TTET, DUPLICATE], ids=["stems", "ttet", "dup"])
def test_page_chrome_is_not_body(folder):
    art = parse_fixture(folder)
    page = fixture_response(folder)
    others = page.css("section.related-posts a::text, section.widget-latest a::text").getall()
    assert others
    for text in (art["body_text"], art["body_html"]):
        for junk in ("ỦY BAN NHÂN DÂN", "Ngày đăng", "Lượt xem", "In bài viết", "Tin liên quan",
                     "Tài liệu đính kèm", "Tin mới", "Trang thông tin cũ", "Facebook",
                     *[o for o in others if o != art["title"]]):
            assert junk not in text, junk
    assert art["flags"] == []


def test_attachment_is_served_by_the_mirror():
    model = MODEL()
    reply = model.respond(MirrorRequest("GET", "/documents/123139/ke-hoach-3213.pdf", {}))
    assert reply.status == 200 and reply.data.startswith(b"%PDF")
    assert model.respond(MirrorRequest("GET", "/documents/123139/other.pdf", {})).status == 404
