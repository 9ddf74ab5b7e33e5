"""Old Sơn La DOST site (``/1288/30956/65206/<id>/<category>/<slug>``): the traps of seed 003.

- the body starts with the event date ("Ngày 05/6/2023, …"), never the publish date; the page
  has no publish date, so the date comes from the listing;
- menus link static bare-slug pages and the sidebar links articles: neither is a listing entry;
- "Lượt xem", the byline, "Tin khác", the pager, "Thống kê truy cập" stay out of the body.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.sonla_legacy import MODEL
from crawler.normalize.article import build_article
from spiders.sonla_legacy import SonlaLegacySpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
    response_for,
)

HERE = FIXTURES / "sonla_legacy"
SEED = HERE / "article_seed_nguyen_thanh_cong"
ARTICLE_URL = re.compile(
    r"^https://sokhoahoc\.sonla\.gov\.vn/1288/30956/65206/\d+/tin-tuc-tong-hop/[a-z0-9-]+$")
LISTING = "/1288/30956/65206/tin-tuc-tong-hop"


@pytest.fixture
def spider():
    return SonlaLegacySpider()


# -- dates ---------------------------------------------------------------------------------
def test_event_date_in_the_body_is_not_the_publish_date():
    art = parse_fixture(SEED)
    assert art["body_text"].startswith("Ngày 05/6/2023, đồng chí Nguyễn Thành Công")
    assert art["published_raw"] is None and art["published_at"] is None
    assert art["flags"] == ["no_date"]


def test_publish_date_comes_from_the_listing_entry(spider):
    meta, body = load_page(SEED)
    listing = fixture_response(HERE / "listing_p2")
    (entry,) = [e for e in spider.listing_entries(listing)
                if spider.site_link(listing, e.url) == meta["url"]]
    assert entry.date_raw == "(06/06/2023)"
    raw = spider.parse_article_page(response_for(meta, body), entry, "Tin tức tổng hợp")
    raw.fetched_at = FETCHED_AT
    article = build_article(raw)
    assert article.published_at == "2023-06-06T00:00:00+07:00"  # not the event's 05/06
    assert article.category == "Tin tức tổng hợp"
    assert article.flags == []


# -- body ----------------------------------------------------------------------------------
def test_seed_article_fields():
    art = parse_fixture(SEED)
    assert art["title"] == ("Đồng chí Nguyễn Thành Công - Phó chủ tịch UBND tỉnh làm việc với Sở "
                            "Khoa học và Công nghệ")
    assert art["view_count"] == 398
    assert art["author"] == "Ánh Nguyệt - Tú Hảo"
    assert art["body_text"].endswith("bổ sung phù hợp với quy định của pháp luật.")
    for chrome in ("Lượt xem", "Ánh Nguyệt", "Tin khác", "Thông tin mới nhất",
                   "Thống kê truy cập", "Đang online", "Tất cả:", "Đăng nhập", "Trang chủ",
                   "Lịch sử hình thành", "Địa chỉ:", "Website:", "anh tin bai",
                   "Chung nhan Tin Nhiem Mang", "Đồng chí Giám đốc Sở làm việc"):
        assert chrome not in art["body_text"], chrome
    assert "\n\n1 2 3" not in art["body_text"]


def test_image_caption_is_the_italic_line_not_the_placeholder_alt():
    art = parse_fixture(SEED)
    (image,) = art["images"]
    assert image["url"].startswith("https://sokhoahoc.sonla.gov.vn/Uploads/images/")
    assert image["caption"] == ("Đồng chí Nguyễn Thành Công - Phó Chủ tịch UBND tỉnh làm việc "
                                "với Sở Khoa học và Công nghệ")
    page = fixture_response(SEED)
    assert page.css("div.news-detail-content img::attr(alt)").get() == "anh tin bai"


def test_url_and_id_of_articles(spider):
    meta, _ = load_page(SEED)
    assert ARTICLE_URL.match(meta["url"])
    assert spider.article_path_re.match(
        "/1288/30956/65206/561753/tin-tuc-tong-hop/"
        "so-kh-cn-tinh-son-la-phat-dong-huong-ung-ngay-kh-cn-viet-nam-2020")["id"] == "561753"


# -- listing -------------------------------------------------------------------------------
def test_listing_keeps_article_links_of_the_list_only():
    page = fixture_response(HERE / "listing_p1")
    # The page links a bare-slug static page (menu) and articles in the sidebar.
    assert page.css('a[href="/lich-su-hinh-thanh-va-phat-trien"]')
    assert page.css("div.box-latest a")
    entries = parse_fixture(HERE / "listing_p1")
    assert len(entries) == 10
    assert all(ARTICLE_URL.match(e["url"]) for e in entries)
    model = MODEL()
    assert [e["url"] for e in entries] == [
        MODEL.site_url + model.url_of(a) for a in model.articles[:10]]
    dates = [datetime.strptime(e["date_raw"], "(%d/%m/%Y)") for e in entries]
    assert dates == sorted(dates, reverse=True)


def test_sidebar_articles_are_not_entries_of_page_2():
    page = fixture_response(HERE / "listing_p2")
    sidebar = {page.urljoin(h) for h in page.css("div.box-latest a::attr(href)").getall()}
    entries = {e["url"] for e in parse_fixture(HERE / "listing_p2")}
    assert len(sidebar) == 5 and len(entries) == 10
    assert not sidebar & entries


def test_static_and_category_links_inside_the_list_are_skipped(spider):
    html = ('<div class="box-news-list">'
            '<div class="news-item"><a class="news-title" href="/lich-su-hinh-thanh-va-phat-trien"'
            '>Lịch sử hình thành và phát triển</a></div>'
            f'<div class="news-item"><a class="news-title" href="{LISTING}">Tin tức</a></div>'
            '<div class="news-item"><a class="news-title" '
            'href="/1288/30956/65206/561800/tin-tuc-tong-hop/bai-a">Bài A</a>'
            '<span class="news-date">(01/10/2023)</span></div></div>')
    page = HtmlResponse(url="https://sokhoahoc.sonla.gov.vn" + LISTING, body=html.encode(),
                        encoding="utf-8")
    entries = spider.listing_entries(page)
    assert [(e.url, e.title, e.date_raw) for e in entries] == [
        ("/1288/30956/65206/561800/tin-tuc-tong-hop/bai-a", "Bài A", "(01/10/2023)")]


def test_pager_and_listing_urls(spider):
    assert spider.has_next_page(fixture_response(HERE / "listing_p1"), 1)
    assert spider.has_next_page(fixture_response(HERE / "listing_p2"), 2)
    last = MODEL().respond(MirrorRequest("GET", LISTING, {"page": ["3"]}))
    page = HtmlResponse(url="https://sokhoahoc.sonla.gov.vn" + LISTING + "?page=3",
                        body=last.data, encoding="utf-8")
    assert not spider.has_next_page(page, 3)
    assert len(spider.listing_entries(page)) == 8
    mirrored = SonlaLegacySpider(base_url="http://127.0.0.1:8124")
    request = mirrored.listing_request(LISTING, "Tin tức tổng hợp", 2)
    assert request.url == "http://127.0.0.1:8124" + LISTING + "?page=2"


def test_ellipsis_link_of_a_long_pager_counts_as_a_next_page(spider):
    html = ('<div class="paging"><span class="active">5</span> '
            f'<a href="{LISTING}?page=4">4</a> <a href="{LISTING}?page=6">...</a></div>')
    page = HtmlResponse(url="https://sokhoahoc.sonla.gov.vn" + LISTING + "?page=5",
                        body=html.encode(), encoding="utf-8")
    assert spider.has_next_page(page, 5)
    assert not spider.has_next_page(page, 6)


# -- mirror --------------------------------------------------------------------------------
def test_mirror_ids_grow_with_the_date_and_the_seed_sits_among_the_others():
    model = MODEL()
    by_date = sorted(model.articles, key=lambda a: a.published)
    assert [a.id for a in by_date] == sorted(a.id for a in model.articles)
    seed = next(a for a in model.articles if a.author == "Ánh Nguyệt - Tú Hảo")
    assert seed.published.date().isoformat() == "2023-06-06"
    assert model.articles.index(seed) not in (0, len(model.articles) - 1)
    update = MODEL("update")
    old = {(a.slug, a.published): a.id for a in model.articles}
    kept = [a for a in update.articles if (a.slug, a.published) in old]
    assert len(kept) == len(model.articles)
    assert all(old[a.slug, a.published] == a.id for a in kept)


def test_mirror_serves_the_static_page_and_redirects_a_wrong_slug():
    model = MODEL()
    assert model.respond(
        MirrorRequest("GET", "/lich-su-hinh-thanh-va-phat-trien", {})).status == 200
    art = model.articles[3]
    reply = model.respond(MirrorRequest(
        "GET", f"/1288/30956/65206/{art.id}/tin-tuc-tong-hop/sai", {}))
    assert (reply.status, reply.headers["Location"]) == (301, model.url_of(art))
