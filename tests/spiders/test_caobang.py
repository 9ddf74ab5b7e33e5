"""khcncaobang.gov.vn (NukeViet, http only): the traps of the Cao Bằng facts on saved pages.

- the page path lives in a query parameter (``op=<Category>/<Alias>-<id>``): article and
  listing detection read ``op``; ``<Category>/page-N`` looks like an article op and is not;
  the CONFIRMED ``savefile/…`` link is the article's download, standing for the article;
- canonical URLs keep ``op`` whole (one identity for ``/`` and ``%2F``) under ``http``;
- the article text opens with a dated event ("Chiều ngày 15/01/2021"), which is not the
  publish date; the header clock is not either.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.caobang import MODEL, REAL_ALIAS
from crawler.normalize.article import build_article
from crawler.platforms.base import ListingEntry
from spiders.caobang import CaobangSpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
)
from tests.mirror_model import serve

SITE = "http://khcncaobang.gov.vn"
HERE = FIXTURES / "caobang"
REAL = HERE / "article_3313_real"
WITH_FILE = HERE / "article_5004_image_file"
P1, P2 = HERE / "listing_khoa_hoc_cong_nghe_p1", HERE / "listing_khoa_hoc_cong_nghe_p2"
NEWS = SITE + "/index.php?language=vi&nv=news&op="
REAL_OP = f"Khoa-hoc-cong-nghe/{REAL_ALIAS}-3313"
CONFIRMED_URL = (
    "http://khcncaobang.gov.vn/index.php?language=vi&nv=news&op=savefile/Khoa-hoc-cong-nghe/"
    "So-Khoa-hoc-va-Cong-nghe-tinh-Cao-Bang-Tong-ket-cong-tac-nam-2020-va-trien-khai-nhiem-vu-"
    "cong-tac-nam-2021-3313")


def get(model, url: str):
    parts = urlsplit(url)
    return model.respond(MirrorRequest("GET", unquote(parts.path) or "/",
                                       parse_qs(parts.query)))


@pytest.fixture
def spider():
    return CaobangSpider()


# -- op values -----------------------------------------------------------------------------
@pytest.mark.parametrize("op, article", [
    (REAL_OP, True),
    ("Khoa-hoc-cong-nghe", False),                    # a category listing
    ("Khoa-hoc-cong-nghe/page-2", False),             # its page 2: alias "page", id 2
    (f"savefile/{REAL_OP}", False),                   # the download of an article
    (f"print/{REAL_OP}", False),
    ("rss", False), ("rss/Khoa-hoc-cong-nghe", False), ("tag/cao-bang", False),
])
def test_article_detection_reads_the_op_parameter(spider, op, article):
    assert spider.is_article_url(NEWS + op) is article


def test_other_modules_and_bare_paths_are_not_articles(spider):
    assert not spider.is_article_url(SITE + "/index.php?language=vi&nv=about")
    assert not spider.is_article_url(SITE + "/index.php?language=vi&nv=laws&op=a/b-12")
    assert not spider.is_article_url(SITE + "/Khoa-hoc-cong-nghe/bai-viet-12")


def test_the_confirmed_savefile_link_stands_for_its_article(spider):
    assert spider.article_href(CONFIRMED_URL) == NEWS + REAL_OP
    assert spider.article_href(NEWS + f"print/{REAL_OP}") == NEWS + REAL_OP
    html = (f'<div class="news_column"><h3><a href="{CONFIRMED_URL}">Tổng kết</a></h3>'
            '<div class="text-muted"><ul><li>18/01/2021 08:15</li></ul></div></div>')
    page = HtmlResponse(url=NEWS + "Khoa-hoc-cong-nghe", body=html.encode(), encoding="utf-8")
    (entry,) = spider.listing_entries(page)
    assert entry.url == NEWS + REAL_OP


def test_canonical_url_keeps_op_whole_under_http(spider):
    url = NEWS + REAL_OP
    canonical = spider.canonical(url)
    assert canonical.startswith("http://khcncaobang.gov.vn/index.php?")
    assert parse_qs(urlsplit(canonical).query) == {"language": ["vi"], "nv": ["news"],
                                                   "op": [REAL_OP]}
    # The same article however the slash is written, on either host, over https too.
    for variant in (url.replace(f"op={REAL_OP}", "op=" + REAL_OP.replace("/", "%2F")),
                    url.replace("://khcncaobang", "://www.khcncaobang"),
                    url.replace("http://", "https://") + "&utm_source=zalo"):
        assert spider.canonical(variant) == canonical
    assert spider.canonical(NEWS + "Khoa-hoc-cong-nghe/Khac-3314") != canonical


# -- dates ---------------------------------------------------------------------------------
def test_the_dated_event_in_the_body_is_not_the_publish_date():
    art = parse_fixture(REAL)
    assert art["body_text"].startswith(
        "Chiều ngày 15/01/2021, Sở Khoa học và Công nghệ tỉnh Cao Bằng đã tổ chức Hội nghị "
        "tổng kết")
    assert art["published_raw"] == "Thứ hai - 18/01/2021 08:15"
    assert art["published_at"] == "2021-01-18T08:15:00+07:00"


def test_without_h_date_the_listing_date_is_used_never_the_body_or_the_clock(spider):
    meta, body = load_page(REAL)
    html = re.sub(r'<span class="h-date">[^<]*</span>', "", body.decode())
    page = HtmlResponse(url=meta["url"], body=html.encode(), encoding="utf-8")
    assert page.css("span#digclock::text").get()  # the header clock is still there
    raw = spider.parse_article(page)
    assert raw.published_raw is None
    raw = spider.parse_article_page(page, ListingEntry(meta["url"], date_raw="18/01/2021 08:15"),
                                    "Khoa học công nghệ")
    raw.fetched_at = FETCHED_AT
    assert build_article(raw).published_at == "2021-01-18T08:15:00+07:00"


def test_header_clock_shows_the_servers_today():
    clock = fixture_response(REAL).css("span#digclock::text").get()
    assert re.fullmatch(r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d\d/\d\d/\d{4} \d\d:\d\d",
                        clock)
    assert clock.split(", ")[1][:10] not in (parse_fixture(REAL)["published_raw"] or "")


# -- article -------------------------------------------------------------------------------
def test_article_fields_and_no_page_chrome_in_the_body():
    art = parse_fixture(REAL)
    assert art["url"] == NEWS + REAL_OP
    assert art["title"] == ("Sở Khoa học và Công nghệ tỉnh Cao Bằng Tổng kết công tác năm 2020 "
                            "và triển khai nhiệm vụ công tác năm 2021")
    assert (art["author"], art["source"], art["category"]) == (
        "Hoàng Yến", None, "Khoa học công nghệ")
    assert art["summary"].startswith("Chiều ngày 15/01/2021")
    for chrome in ("Tác giả", "Từ khóa", "Tổng số điểm", "Click để đánh giá",
                   "Những tin mới hơn", "Những tin cũ hơn", "Thống kê truy cập",
                   "Đang truy cập", "Tin mới", "NukeViet", "Trang nhất", "JavaScript",
                   "Lưu bài viết", "Hoàng Yến"):
        assert chrome not in art["body_text"], chrome
    assert art["tags"] == ["Khoa học công nghệ", "Sở Khoa học và Công nghệ", "Cao Bằng"]


def test_lead_image_and_upload_attachment_are_absolute_http():
    art = parse_fixture(WITH_FILE)
    assert art["images"] == [{
        "url": f"{SITE}/uploads/news/2025_10/ho-tro-doanh-nghiep-xay-dung-va-phat-tri.jpg",
        "caption": "Quang cảnh hội nghị."}]
    assert art["attachments"] == [{"url": f"{SITE}/uploads/news/2025_10/ke-hoach-5004.pdf",
                                   "name": "Kế hoạch số 4/KH-SKHCN"}]
    assert "Quang cảnh hội nghị." not in art["body_text"]  # the caption sits above the body


# -- listing -------------------------------------------------------------------------------
def test_listing_entries_are_the_category_items_newest_first():
    page = fixture_response(P1)
    assert page.css("ul.block_news a")  # the "Tin mới" sidebar links articles too
    entries = parse_fixture(P1)
    model = MODEL()
    assert [e["url"] for e in entries] == [
        SITE + model.url_of(a) for a in model.in_category("Khoa-hoc-cong-nghe")[:10]]
    dates = [datetime.strptime(e["date_raw"], "%d/%m/%Y %H:%M") for e in entries]
    assert dates == sorted(dates, reverse=True)
    last = parse_fixture(P2)[-1]
    assert last["url"] == NEWS + REAL_OP and last["date_raw"] == "18/01/2021 08:15"


def test_page_two_is_a_page_op_with_a_literal_slash(spider):
    path = next(iter(spider.categories))
    assert spider.listing_url(path, 1) == NEWS + "Khoa-hoc-cong-nghe"
    assert spider.listing_url(path, 2) == NEWS + "Khoa-hoc-cong-nghe/page-2"
    mirrored = CaobangSpider(base_url="http://127.0.0.1:8123")
    request = mirrored.listing_request(path, "Khoa học công nghệ", 2)
    assert request.url == ("http://127.0.0.1:8123/index.php?language=vi&nv=news"
                           "&op=Khoa-hoc-cong-nghe/page-2")
    assert spider.has_next_page(fixture_response(P1), 1) and not spider.has_next_page(
        fixture_response(P2), 2)


def test_walking_each_category_reaches_every_article():
    model, spider = MODEL(), CaobangSpider()
    for path in spider.categories:
        request = spider.listing_request(path, spider.categories[path], 1)
        urls = []
        while request is not None:
            follow = None
            for out in spider.parse_listing(serve(model, request), **request.cb_kwargs):
                if out.callback == spider.parse_listing:
                    follow = out
                else:
                    urls.append(out.url)
            request = follow
        category = parse_qs(urlsplit(path).query)["op"][0]
        assert urls == [SITE + model.url_of(a) for a in model.in_category(category)]


# -- mirror --------------------------------------------------------------------------------
def test_mirror_serves_the_confirmed_savefile_url_as_a_download():
    reply = get(MODEL(), CONFIRMED_URL)
    assert reply.status == 200
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    assert "Chiều ngày 15/01/2021" in reply.data.decode()


def test_mirror_rss_lists_article_urls_the_spider_accepts(spider):
    reply = get(MODEL(), NEWS + "rss")
    assert reply.content_type.startswith("application/rss+xml")
    items = ET.fromstring(reply.data).findall("./channel/item")
    assert len(items) == 20
    assert all(spider.is_article_url(i.findtext("link")) for i in items)
    assert items[0].findtext("pubDate").endswith("+0700")


def test_mirror_redirects_a_wrong_alias_and_keeps_aliases_when_titles_change():
    model = MODEL()
    reply = get(model, NEWS + "Khoa-hoc-cong-nghe/Ten-cu-3313")
    assert (reply.status, reply.headers["Location"]) == (301, model.url_of(model.by_id[3313]))
    update = MODEL("update")
    edited = [a for a in update.articles if a.title.endswith("(cập nhật)")]
    assert len(edited) == 2
    assert all(update.url_of(a) == model.url_of(model.by_id[a.id]) for a in edited)
