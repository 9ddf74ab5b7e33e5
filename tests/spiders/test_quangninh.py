"""www.quangninh.gov.vn/So/sokhoahoccongnghe (SharePoint "Trang" flavour): the site's traps.

- the section heading before the title is the category; the header shows today's date;
- dates are ``dd/mm/yyyy HH:MM``; the title may be in quotes;
- each image caption shows twice (figure caption + caption paragraph): one is kept;
- attachments under ``Lists/TinTuc/Attachments/<nid>/`` with Vietnamese file names;
- listing links are page-relative (``ChiTietTinTuc.aspx?nid=N``) and doubled by thumbnails;
- quangninh.gov.vn is an alias of www.quangninh.gov.vn.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from crawler.mirror.sites.quangninh import QuangNinhModel
from spiders.quangninh import QuangNinhSpider
from tests.fixture_tool import FIXTURES, fixture_response, parse_fixture

HERE = FIXTURES / "quangninh"
SEED = HERE / "article-seed-nid-7428"
ATTACHED = HERE / "article-attachment-nid-7426"
OTHER = HERE / "article-nid-7427"
LISTING_1, LISTING_2, LISTING_LAST = (HERE / f"listing-p{n}" for n in (1, 2, 3))
SITE = "https://www.quangninh.gov.vn"
ARTICLE = "/So/sokhoahoccongnghe/Trang/ChiTietTinTuc.aspx?nid="
LISTING = "/So/sokhoahoccongnghe/Trang/tin-tuc-su-kien.aspx"


@pytest.fixture
def spider() -> QuangNinhSpider:
    return QuangNinhSpider()


def test_seed_article_title_date_author_category():
    art = parse_fixture(SEED)
    assert art["url"] == SITE + ARTICLE + "7428"
    assert art["title"] == ("\"Đưa cách mạng công nghiệp 4.0 tiến sâu vào các ngành, "
                            "lĩnh lực\"")
    assert art["published_raw"] == "14/12/2020 17:29"
    assert art["published_at"] == "2020-12-14T17:29:00+07:00"
    assert art["author"] == "Nguyên Ngọc"
    assert art["category"] == "TIN TRONG TỈNH"
    assert art["body_text"].startswith("Đây là nhiệm vụ quan trọng được Phó Chủ tịch UBND")
    assert art["body_text"].endswith("nhất là hoạt động sản xuất, kinh doanh.")
    assert "Nguyên Ngọc" not in art["body_text"]
    assert art["flags"] == []


def test_header_today_date_is_not_the_publish_date():
    page = fixture_response(SEED)
    header = page.css("span.top-date::text").get()
    assert re.fullmatch(r"(Thứ \w+|Chủ Nhật), \d\d/\d\d/\d{4}", header)
    art = parse_fixture(SEED)
    assert header.split(", ")[1] not in art["published_raw"]


def test_image_caption_shown_twice_is_kept_once():
    page = fixture_response(SEED)
    caption = "Quang cảnh hội nghị."
    shown = [t.strip() for t in page.css("div.news-detail-content ::text").getall()]
    assert shown.count(caption) == 2
    art = parse_fixture(SEED)
    assert art["body_text"].split("\n\n").count(caption) == 1
    assert art["images"] == [{
        "url": SITE + "/So/sokhoahoccongnghe/PublishingImages/2020/12/hoi-nghi.jpg",
        "caption": caption}]


@pytest.mark.parametrize("folder", [SEED, ATTACHED, OTHER], ids=["seed", "attached", "other"])
def test_chrome_around_the_article_is_not_body(folder):
    art = parse_fixture(folder)
    page = fixture_response(folder)
    others = page.css("div.other-news li a::text").getall()
    assert others
    for text in (art["body_text"], art["body_html"]):
        for junk in ("CÁC TIN KHÁC", "TIN TRONG TỈNH", "NHỮNG VẤN ĐỀ CHUNG", "Tệp đính kèm",
                     "Thống kê truy cập", "Website liên kết", "CƠ QUAN CHỦ QUẢN",
                     "CỔNG THÔNG TIN ĐIỆN TỬ", "__VIEWSTATE", *others):
            assert junk not in text, junk
    assert not re.search(r"^\.$", art["body_text"], re.M)


def test_the_section_heading_names_the_category():
    assert parse_fixture(OTHER)["category"] == "NHỮNG VẤN ĐỀ CHUNG"
    assert parse_fixture(ATTACHED)["category"] == "TIN TRONG TỈNH"


def test_attachment_is_absolute_encoded_and_named_in_vietnamese():
    art = parse_fixture(ATTACHED)
    assert len(art["attachments"]) == 1
    file = art["attachments"][0]
    assert file["url"].startswith(SITE + "/So/sokhoahoccongnghe/Lists/TinTuc/Attachments/7426/")
    assert " " not in file["url"] and "%20" in file["url"]
    assert file["name"] == "Kế hoạch số 57-KH-SKHCN năm 2021.pdf"
    assert unquote(file["url"]).endswith("/" + file["name"])
    assert parse_fixture(SEED)["attachments"] == []


def test_attachment_is_served_by_the_mirror():
    from crawler.mirror.sites.base import MirrorRequest

    model = QuangNinhModel()
    art = model.by_id[7426]
    [(href, _name)] = model.attachments(art)
    reply = model.respond(MirrorRequest("GET", unquote(href), {}))
    assert reply.status == 200 and reply.content_type == "application/pdf"
    assert reply.data.startswith(b"%PDF")
    wrong = unquote(href).replace("/7426/", "/7427/")
    assert model.respond(MirrorRequest("GET", wrong, {})).status == 404


def test_listing_entries_are_unique_absolute_and_dated(spider):
    entries = parse_fixture(LISTING_1)
    page = fixture_response(LISTING_1)
    assert len(page.css("div.news-item a[href*=ChiTietTinTuc]")) == 2 * len(entries)
    assert len(entries) == 10 and len({e["url"] for e in entries}) == 10
    assert all(e["url"].startswith(SITE + ARTICLE) for e in entries)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", e["date_raw"]) for e in entries)
    assert all(e["title"] and e["summary"] for e in entries if "7428" not in e["url"])
    assert SITE + ARTICLE + "7428" in {e["url"] for e in parse_fixture(LISTING_2)}


def test_listing_is_newest_first_across_pages(spider):
    from crawler.normalize.dates import parse_date

    dates = [parse_date(e["date_raw"]).value
             for folder in (LISTING_1, LISTING_2, LISTING_LAST) for e in parse_fixture(folder)]
    assert len(dates) == len(QuangNinhModel().articles)
    assert dates == sorted(dates, reverse=True)


def test_paging_requests_and_pager(spider):
    assert spider.listing_url(LISTING, 1) == SITE + LISTING
    assert spider.listing_url(LISTING, 2) == SITE + LISTING + "?Page=2"
    assert spider.has_next_page(fixture_response(LISTING_1), 1)
    assert spider.has_next_page(fixture_response(LISTING_2), 2)
    assert not spider.has_next_page(fixture_response(LISTING_LAST), 3)


def test_alias_host_and_mirror_mapping():
    spider = QuangNinhSpider(base_url="http://127.0.0.1:8124")
    bare = "https://quangninh.gov.vn" + ARTICLE + "7428"
    assert spider.canonical(bare) == spider.canonical("http://www.quangninh.gov.vn"
                                                      + ARTICLE + "7428")
    assert spider.canonical(bare) == parse_fixture(SEED)["canonical_url"]
    assert spider.fetch_url(bare) == "http://127.0.0.1:8124" + ARTICLE + "7428"
    assert spider.origin_url("http://127.0.0.1:8124" + ARTICLE + "7428") == (
        SITE + ARTICLE + "7428")
    request = spider.listing_request(LISTING, "Tin tức - Sự kiện", 2)
    assert request.url == "http://127.0.0.1:8124" + LISTING + "?Page=2"


def test_id_key_spelling_is_fixed(spider):
    assert spider.article_href("ChiTietTinTuc.aspx?NID=7426") == "ChiTietTinTuc.aspx?nid=7426"
