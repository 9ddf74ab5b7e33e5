"""Phú Thọ DOST (``/<slug>-n<id>``): the traps of seed 004, checked on saved pages.

- the header prints a weekday date (the server's today) that must never become the publish
  date; the article page has no other date, so the date comes from the listing;
- the page chrome (province/department banner, toolbar, "Lượt xem: N" glued to
  "BÀI VIẾT KHÁC", the other articles) stays out of the body;
- ``sokhcn.phutho.gov.vn`` is an alias of the main host.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.phutho import MODEL
from crawler.normalize.article import build_article
from crawler.normalize.dates import VN_TZ
from spiders.phutho import PhuthoSpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
    response_for,
)

HERE = FIXTURES / "phutho"
SEED = HERE / "article_seed_kh_cn_dia_phuong"
HEADER_DATE = re.compile(r"(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ Nhật), \d\d/\d\d/\d{4}")


@pytest.fixture
def spider():
    return PhuthoSpider()


def entry_for(spider, listing_folder, url):
    listing = fixture_response(listing_folder)
    for entry in spider.listing_entries(listing):
        if spider.site_link(listing, entry.url) == url:
            return entry
    raise AssertionError(f"{url} not on {listing_folder.name}")


# -- dates ---------------------------------------------------------------------------------
def test_header_date_is_the_servers_today_and_never_the_publish_date(spider):
    model = MODEL()
    seed = next(a for a in model.articles if a.source == "most.gov.vn")
    # Render the seed page as the real site did on the day of seed 004.
    html = model.render("article.html", article=seed, blocks=model.blocks(seed),
                        others=model.others(seed), url_of=model.url_of,
                        image_path=model.image_path, category_name="Tin tức - Sự kiện",
                        today=datetime(2024, 3, 17, tzinfo=VN_TZ))
    page = HtmlResponse(url=MODEL.site_url + model.url_of(seed), body=html.encode(),
                        encoding="utf-8")
    assert page.css("div.header-date::text").get() == "Chủ Nhật, 17/03/2024"
    raw = spider.parse_article(page)
    assert raw.published_raw is None
    raw.fetched_at = FETCHED_AT
    article = build_article(raw)
    assert article.published_at is None
    assert "no_date" in article.flags
    assert "2024-03-17" not in repr(article.to_dict())


def test_mirror_header_date_is_the_servers_current_date():
    model = MODEL()
    before = datetime.now(VN_TZ).strftime("%d/%m/%Y")
    reply = model.respond(MirrorRequest("GET", model.url_of(model.articles[5]), {}))
    after = datetime.now(VN_TZ).strftime("%d/%m/%Y")
    page = HtmlResponse(url=MODEL.site_url, body=reply.data, encoding="utf-8")
    header = page.css("div.header-date::text").get()
    assert HEADER_DATE.fullmatch(header) and header[-10:] in (before, after)


def test_saved_seed_page_has_a_header_date_but_no_publish_date():
    meta, body = load_page(SEED)
    header = response_for(meta, body).css("div.header-date::text").get()
    assert HEADER_DATE.fullmatch(header)
    parsed = parse_fixture(SEED)
    assert parsed["published_at"] is None and parsed["published_raw"] is None
    assert parsed["flags"] == ["no_date"]


def test_publish_date_comes_from_the_listing_entry(spider):
    meta, body = load_page(SEED)
    entry = entry_for(spider, HERE / "listing_p3", meta["url"])
    assert entry.date_raw == "Ngày 16/03/2024"
    raw = spider.parse_article_page(response_for(meta, body), entry, "Tin tức - Sự kiện")
    raw.fetched_at = FETCHED_AT
    article = build_article(raw)
    assert article.published_at == "2024-03-16T00:00:00+07:00"
    assert article.published_raw == "Ngày 16/03/2024"
    assert article.category == "Tin tức - Sự kiện"
    assert article.summary.startswith("Hội nghị Giám đốc sở Khoa học và Công nghệ")
    assert "no_date" not in article.flags


def test_other_articles_dates_on_the_page_are_not_taken():
    # "BÀI VIẾT KHÁC" prints "Ngày dd/mm/yyyy" under six other articles.
    _meta, body = load_page(SEED)
    assert len(re.findall(r"Ngày \d\d/\d\d/\d{4}", body.decode())) == 6
    assert parse_fixture(SEED)["published_raw"] is None


# -- body ----------------------------------------------------------------------------------
def test_seed_body_is_the_article_only():
    art = parse_fixture(SEED)
    assert art["title"] == ("KH&CN Địa phương: Phát triển nhanh, bền vững dựa chủ yếu vào "
                            "KH,CN&ĐMST")
    text = art["body_text"]
    assert text.startswith("Hội nghị Giám đốc sở Khoa học và Công nghệ (KH&CN) toàn quốc năm "
                           "2024 đã được Bộ KH&CN tổ chức tại Hà Nội ngày 15/3/2024.")
    assert text.endswith("Các đồng chí Lãnh đạo Bộ KH&CN chụp ảnh lưu niệm cùng các đại biểu "
                         "tham dự Hội nghị.")
    for chrome in ("Uy ban nhân dân", "ủy ban nhân dân tỉnh phú thọ", "Sở khoa học và công nghệ",
                   "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH",
                   "Từ viết tắt", "Xem với cỡ chữ", "Đọc bài viết", "Tương phản", "Lượt xem",
                   "BÀI VIẾT KHÁC", "Đề án 844", "Theo most.gov.vn", "PAKN", "Liên kết trang",
                   "Trang chủ"):
        assert chrome not in text, chrome
    assert not HEADER_DATE.search(text)
    assert (art["source"], art["author"], art["view_count"]) == ("most.gov.vn", None, 31)


def test_image_captions_are_separate_lines_and_image_urls_are_absolute():
    art = parse_fixture(SEED)
    paragraphs = art["body_text"].split("\n\n")
    assert len(art["images"]) == 4
    for image in art["images"]:
        assert image["url"].startswith("https://sokhoahoccongnghe.phutho.gov.vn/upload/")
        assert image["caption"] in paragraphs


def test_generated_article_keeps_its_byline_out_of_the_body():
    art = parse_fixture(HERE / "article_tuyen_chon")
    assert art["author"] == "Minh Anh"
    assert not art["body_text"].endswith("Minh Anh")


# -- listing -------------------------------------------------------------------------------
def test_listing_entries_are_the_list_items_only_newest_first(spider):
    entries = parse_fixture(HERE / "listing_p1")
    assert len(entries) == 10
    model = MODEL()
    assert [e["url"] for e in entries] == [
        MODEL.site_url + model.url_of(a) for a in model.articles[:10]]
    for e in entries:
        assert re.search(r"-n\d+$", e["url"]), e["url"]
        assert re.fullmatch(r"Ngày \d\d/\d\d/\d{4}", e["date_raw"])
        assert e["title"] and e["summary"]
    dates = [datetime.strptime(e["date_raw"], "Ngày %d/%m/%Y") for e in entries]
    assert dates == sorted(dates, reverse=True)
    # The "Tin xem nhiều" sidebar links articles too, and the menu links /gioi-thieu.
    page = fixture_response(HERE / "listing_p1")
    assert page.css("div.most-viewed a")
    assert page.css('a[href="/gioi-thieu"]')


def test_pager_paging_and_last_page(spider):
    first, last = fixture_response(HERE / "listing_p1"), fixture_response(HERE / "listing_p3")
    assert spider.has_next_page(first, 1)
    assert not spider.has_next_page(last, 3)
    mirrored = PhuthoSpider(base_url="http://127.0.0.1:8123")
    request = mirrored.listing_request("/tin-tuc-su-kien", "Tin tức - Sự kiện", 2)
    assert request.url == "http://127.0.0.1:8123/tin-tuc-su-kien?page=2"
    assert spider.listing_url("/tin-tuc-su-kien", 1) == (
        "https://sokhoahoccongnghe.phutho.gov.vn/tin-tuc-su-kien")


# -- hosts ---------------------------------------------------------------------------------
def test_alias_host_canonicalizes_to_the_main_host(spider):
    html = ('<div class="list-news"><div class="item-news"><h3 class="title">'
            '<a href="https://sokhcn.phutho.gov.vn/bai-viet-thu-n7100">Bài viết thử</a></h3>'
            '<div class="date">Ngày 01/07/2024</div></div></div>')
    page = HtmlResponse(url="https://sokhoahoccongnghe.phutho.gov.vn/tin-tuc-su-kien",
                        body=html.encode(), encoding="utf-8")
    (entry,) = spider.listing_entries(page)
    url = spider.site_link(page, entry.url)
    assert url == "https://sokhcn.phutho.gov.vn/bai-viet-thu-n7100"
    assert spider.canonical(url) == (
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-viet-thu-n7100")
    assert spider.canonical("http://sokhcn.phutho.gov.vn/bai-viet-thu-n7100?utm_source=x") == (
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-viet-thu-n7100")
    # A mirror crawl fetches an alias link from the mirror too.
    mirrored = PhuthoSpider(base_url="http://127.0.0.1:8123")
    assert mirrored.fetch_url(url) == "http://127.0.0.1:8123/bai-viet-thu-n7100"


def test_links_that_are_not_articles_are_skipped(spider):
    html = ('<div class="list-news">'
            '<div class="item-news"><h3 class="title"><a href="/gioi-thieu">Giới thiệu</a></h3>'
            '</div><div class="item-news"><h3 class="title"><a href="/tin-a-n12">A</a></h3>'
            '<div class="date">Ngày 02/07/2024</div></div></div>')
    page = HtmlResponse(url="https://sokhoahoccongnghe.phutho.gov.vn/tin-tuc-su-kien",
                        body=html.encode(), encoding="utf-8")
    assert [e.url for e in spider.listing_entries(page)] == ["/tin-a-n12"]


# -- mirror --------------------------------------------------------------------------------
def test_mirror_ids_grow_with_the_date_and_stay_stable_across_scenarios():
    base, update = MODEL(), MODEL("update")
    by_date = sorted(base.articles, key=lambda a: a.published)
    assert [a.id for a in by_date] == sorted(a.id for a in base.articles)
    old_ids = {(a.slug, a.published): a.id for a in base.articles}
    kept = [a for a in update.articles if (a.slug, a.published) in old_ids]
    assert len(kept) == len(base.articles)
    assert all(old_ids[a.slug, a.published] == a.id for a in kept)
    seed = next(a for a in base.articles if a.source)
    assert seed.published.date().isoformat() == "2024-03-16"
    assert base.articles.index(seed) not in (0, len(base.articles) - 1)


def test_mirror_redirects_a_wrong_slug_and_404s_an_unknown_id():
    model = MODEL()
    art = model.articles[0]
    reply = model.respond(MirrorRequest("GET", f"/khac-n{art.id}", {}))
    assert (reply.status, reply.headers["Location"]) == (301, model.url_of(art))
    assert model.respond(MirrorRequest("GET", "/khac-n1", {})).status == 404
