"""sokhcn.quangtri.gov.vn (Liferay): the traps of section 2.6 checked on saved pages.

- the header prints the server's today ("Chủ Nhật ngày 05/12/2021") above the article; the
  date must come from "Ngày đăng: dd-mm-yyyy";
- the HTML <title> is "Chi tiết tin - Sở Khoa học và Công nghệ", not the article's title;
- article URLs are ``/chi-tiet-tin/-/view-article/1/<13 digits>/<13 digits>``; the right
  column's "Tin mới nhất" uses the same asset-abstract markup as the category list;
- listing pages are paged by a namespaced ``_<portlet>_cur`` parameter, followed from the
  page iterator's own absolute links; Documents & Media file URLs end with a uuid.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.quangtri import MODEL, PORTLET, header_date
from crawler.normalize.article import build_article
from crawler.normalize.dates import VN_TZ
from spiders.quangtri import QuangtriSpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
    response_for,
)
from tests.mirror_model import serve

SITE = "https://sokhcn.quangtri.gov.vn"
HERE = FIXTURES / "quangtri"
MIGRATED = HERE / "article_1663239191717_migrated"
WITH_FILE = HERE / "article_1763369410568_image_file"
P1, P2 = HERE / "listing_tin_tuc_su_kien_p1", HERE / "listing_tin_tuc_su_kien_p2"
ARTICLE_URL = re.compile(
    r"^https://sokhcn\.quangtri\.gov\.vn/chi-tiet-tin/-/view-article/1/\d{13}/\d{13}$")
HEADER_DATE = re.compile(r"(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ Nhật) ngày \d\d/\d\d/\d{4}")


@pytest.fixture
def spider():
    return QuangtriSpider()


# -- dates ---------------------------------------------------------------------------------
def test_the_confirmed_article_dates_from_its_label_not_from_the_header():
    meta, body = load_page(MIGRATED)
    assert meta["url"] == SITE + "/chi-tiet-tin/-/view-article/1/1663228888354/1663239191717"
    page = response_for(meta, body)
    assert HEADER_DATE.fullmatch(page.css("div.today-date::text").get())
    art = parse_fixture(MIGRATED)
    assert art["published_raw"] == "Ngày đăng: 05-05-2021"
    assert art["published_at"] == "2021-05-05T00:00:00+07:00"


def test_header_today_is_never_the_publish_date(spider):
    model = MODEL()
    a = model.by_liferay_id[1663239191717]
    # The page as the old site printed it on 05/12/2021 (a Sunday), sites.md 3.5.
    day = datetime(2021, 12, 5, 9, 0, tzinfo=VN_TZ)
    ctx = dict(a=a, category=a.category, category_name=model.categories[a.category],
               url=model.url_of(a), date=model.date(a), blocks=model.blocks(a), sapo="",
               files=model.files(a), others=[], portlet=PORTLET, today=day)
    page = HtmlResponse(url=SITE + model.url_of(a), encoding="utf-8",
                        body=model.page("article.html", **ctx).data)
    assert page.css("div.today-date::text").get() == "Chủ Nhật ngày 05/12/2021"
    raw = spider.parse_article(page)
    assert raw.published_raw == "Ngày đăng: 05-05-2021"
    raw.fetched_at = FETCHED_AT
    article = build_article(raw)
    assert article.published_at == "2021-05-05T00:00:00+07:00"
    assert "2021-12-05" not in repr(article.to_dict())


def test_mirror_header_is_the_servers_today():
    before = header_date(datetime.now(VN_TZ))
    reply = MODEL().respond(MirrorRequest("GET", "/tin-tuc-su-kien", {}))
    after = header_date(datetime.now(VN_TZ))
    line = HtmlResponse(url=SITE, body=reply.data, encoding="utf-8").css(
        "div.today-date::text").get()
    assert line in (before, after)


# -- title and body ------------------------------------------------------------------------
def test_title_is_the_articles_not_the_pages():
    page = fixture_response(MIGRATED)
    assert page.css("title::text").get() == "Chi tiết tin - Sở Khoa học và Công nghệ"
    art = parse_fixture(MIGRATED)
    assert art["title"] == ("Tuyển chọn tổ chức, cá nhân chủ trì nhiệm vụ khoa học và công "
                            "nghệ cấp tỉnh")
    assert art["category"] == "Tin tức - Sự kiện"


def test_body_is_the_article_only_with_author_lifted():
    art = parse_fixture(WITH_FILE)
    text = art["body_text"]
    assert text.startswith("Tại Hội nghị, đại diện lãnh đạo các đơn vị chức năng thuộc Bộ")
    for chrome in ("Ngày đăng", "Lượt xem", "Cỡ chữ", "In bài viết", "Gửi email", "Chia sẻ",
                   "Facebook", "Tin khác", "Tin mới nhất", "Thống kê truy cập",
                   "Đang truy cập", "ỦY BAN NHÂN DÂN", "Liferay", "Trang chủ", "Xem thêm",
                   "Thu Huyên"):
        assert chrome not in text, chrome
    assert not HEADER_DATE.search(text)
    assert (art["author"], art["view_count"]) == ("Thu Huyên", 529)
    assert art["summary"] == text.split("\n\n")[0]


def test_documents_and_media_urls_are_absolute_images_and_attachments():
    art = parse_fixture(WITH_FILE)
    (image,) = art["images"]
    assert re.fullmatch(rf"{SITE}/documents/20182/\d+/20251117-5028-1\.jpg/[0-9a-f-]{{36}}"
                        r"\?t=\d{13}", image["url"])
    assert image["caption"] == "Quang cảnh buổi làm việc."
    (attachment,) = art["attachments"]
    assert attachment["name"] == "Kế hoạch số 28/KH-SKHCN"
    assert re.fullmatch(rf"{SITE}/documents/20182/\d+/Ke\+hoach\+so\+28-KH-SKHCN\.pdf/"
                        r"[0-9a-f-]{36}\?t=\d{13}", attachment["url"])


# -- listing -------------------------------------------------------------------------------
def test_listing_is_the_main_columns_list_newest_first():
    page = fixture_response(P1)
    # The right column's "Tin mới nhất" is an asset publisher with the same markup.
    assert len(page.css("div.asset-abstract")) == 15
    entries = parse_fixture(P1)
    model = MODEL()
    assert [e["url"] for e in entries] == [
        SITE + model.url_of(a) for a in model.in_category("tin-tuc-su-kien")[:10]]
    assert all(ARTICLE_URL.match(e["url"]) for e in entries)
    dates = [datetime.strptime(e["date_raw"], "%d-%m-%Y") for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert all(e["title"] and e["summary"] for e in entries)


def test_last_page_holds_the_confirmed_migrated_article():
    entries = parse_fixture(P2)
    assert len(entries) == 5
    assert entries[-1]["url"].endswith("/1663228888354/1663239191717")
    assert entries[-1]["date_raw"] == "05-05-2021"


def test_next_page_comes_from_the_page_iterators_link(spider):
    first, last = fixture_response(P1), fixture_response(P2)
    assert spider.has_next_page(first, 1) and not spider.has_next_page(last, 2)
    request = spider.listing_request("/tin-tuc-su-kien", "Tin tức - Sự kiện", 2, first)
    query = parse_qs(urlsplit(request.url).query)
    assert request.url.startswith(SITE + "/tin-tuc-su-kien?")
    assert query[f"_{PORTLET}_cur"] == ["2"] and query["p_p_id"] == [PORTLET]
    # Against a mirror, the iterator's absolute site links are fetched from the mirror.
    mirrored = QuangtriSpider(base_url="http://127.0.0.1:8123")
    request = mirrored.listing_request("/tin-tuc-su-kien", "x", 2, first)
    assert request.url.startswith("http://127.0.0.1:8123/tin-tuc-su-kien?p_p_id=")


def test_page_urls_without_a_pager_use_the_namespaced_cur_parameter(spider):
    assert spider.listing_url("/tin-tong-hop", 1) == SITE + "/tin-tong-hop"
    url = spider.listing_url("/tin-tong-hop", 3)
    assert parse_qs(urlsplit(url).query)[f"_{PORTLET}_cur"] == ["3"]
    assert spider.page_key_re.match("cur") and spider.page_key_re.match(f"_{PORTLET}_cur")
    assert not spider.page_key_re.match("_101_delta")


def test_walking_each_category_reaches_every_article():
    model, spider = MODEL(), QuangtriSpider()
    for path in spider.categories:
        request = spider.listing_request(path, spider.categories[path], 1)
        urls, pages = [], 0
        while request is not None:
            pages += 1
            follow = None
            for out in spider.parse_listing(serve(model, request), **request.cb_kwargs):
                if out.callback == spider.parse_listing:
                    follow = out
                else:
                    urls.append(out.url)
            request = follow
        expected = [SITE + model.url_of(a) for a in model.in_category(path.strip("/"))]
        assert urls == expected and pages == 2


def test_jsessionid_is_dropped_from_links(spider):
    html = ('<div id="column-1"><div class="portlet-body"><div class="asset-abstract">'
            '<h3 class="asset-title"><a href="/chi-tiet-tin/-/view-article/1/1663228888354/'
            '1763369410568;jsessionid=8F3A9C01B2">Bài</a></h3>'
            '<span class="metadata-publish-date">17-11-2025</span></div></div></div>')
    page = HtmlResponse(url=SITE + "/tin-tuc-su-kien", body=html.encode(), encoding="utf-8")
    (entry,) = spider.listing_entries(page)
    assert entry.url == "/chi-tiet-tin/-/view-article/1/1663228888354/1763369410568"


def test_links_that_are_not_articles_are_skipped(spider):
    html = ('<div id="column-1"><div class="portlet-body">'
            '<div class="asset-abstract"><h3 class="asset-title"><a href="/gioi-thieu">GT</a>'
            '</h3></div><div class="asset-abstract"><h3 class="asset-title">'
            '<a href="/web/guest/-/asset_publisher/x/content/bai">Bài</a></h3></div>'
            '</div></div>')
    page = HtmlResponse(url=SITE + "/tin-tuc-su-kien", body=html.encode(), encoding="utf-8")
    assert spider.listing_entries(page) == []


# -- mirror --------------------------------------------------------------------------------
def test_mirror_ids_are_creation_times_and_stable_across_scenarios():
    base, update = MODEL(), MODEL("update")
    for a in base.articles[:-1]:
        created = base.liferay_id(a) / 1000 - a.published.timestamp()
        assert 0 < created < 3600
    old = {a.id: base.url_of(a) for a in base.articles}
    assert all(update.url_of(a) == old[a.id] for a in update.articles if a.id in old)
    assert len([a for a in update.articles if a.id not in old]) == 3


def test_mirror_refuses_a_wrong_category_id():
    model = MODEL()
    a = model.articles[0]
    good = model.url_of(a)
    wrong = good.replace(str(model.category_ids[a.category]), "1663228000000")
    assert model.respond(MirrorRequest("GET", good, {})).status == 200
    assert model.respond(MirrorRequest("GET", wrong, {})).status == 404
