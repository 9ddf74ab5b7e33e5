"""sokhcn.cantho.gov.vn (ASP.NET WebForms + Telerik, public source): the site's traps.

- one page ``default.aspx``: ``pid`` picks the page type, ``nid`` the article; both stay in
  the canonical URL, key case, key order and path case do not matter, other keys go;
- category links (``cid``/``pid``) and article links (``nid``) share the page: only ``nid``
  links are articles; the mega menu repeats ``div.snew-title`` article links on every page;
- page 1 of a category: 6 lead items without dates, then dated "TIN TIẾP THEO" items; the
  pager counts pages without the lead items, so the last page can be empty;
- the detail page: two ``div.date-title`` (the date, and the "File đính kèm" heading), an
  empty author ``div``, the byline or source in a right-aligned ``div``, file links outside
  the article block, images from the old DNN site as absolute http URLs;
- an unknown ``nid`` answers 200 "Không tìm thấy thông tin".
"""

from __future__ import annotations

import re

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.cantho import MODEL
from crawler.normalize.article import build_article
from crawler.platforms.base import ListingEntry
from spiders.cantho import CanthoSpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    parse_fixture,
)

HERE = FIXTURES / "cantho"
FILE = HERE / "article_nid_17496_file"
REPRINT = HERE / "article_nid_17500_reprint"
PLAIN = HERE / "article_nid_17497"
OLD_IMAGE = HERE / "article_nid_17493_old_image"
LISTING_1, LISTING_2 = HERE / "listing_p1", HERE / "listing_p2_empty"
LISTING_CAT3 = HERE / "listing_cat3_p1"
SITE = "https://sokhcn.cantho.gov.vn"
STAMP = re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d")


def served(target: str) -> HtmlResponse:
    path, _, query = target.partition("?")
    args = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    reply = MODEL().respond(MirrorRequest("GET", path, {k: [v] for k, v in args.items()}))
    assert reply.status == 200
    return HtmlResponse(url=SITE + target, body=reply.data, encoding="utf-8")


@pytest.fixture
def spider() -> CanthoSpider:
    return CanthoSpider()


# -- URLs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("href", [
    "/default.aspx?nid=17522&pid=57",
    "default.aspx?nid=17522&pid=57",
    "Default.aspx?pid=57&nid=17522",
    "/DEFAULT.ASPX?NID=17522&PID=57",
    "/default.aspx?nid=17522&pid=57&p=2&cid=3",
    "/default.aspx?nid=17522",  # pid selects the page type: the detail page's is added
])
def test_article_links_get_one_form_with_both_keys(spider, href):
    assert spider.article_href(href) == "/default.aspx?nid=17522&pid=57"


def test_canonical_url_keeps_nid_and_pid(spider):
    urls = ["http://sokhcn.cantho.gov.vn/default.aspx?pid=57&nid=17522",
            "https://sokhcn.cantho.gov.vn/default.aspx?nid=17522&pid=57"]
    assert {spider.canonical(u) for u in urls} == {SITE + "/default.aspx?nid=17522&pid=57"}
    assert spider.canonical(SITE + "/default.aspx?nid=17522&pid=57") != spider.canonical(
        SITE + "/default.aspx?nid=17523&pid=57")


def test_article_links_are_told_from_category_and_menu_links(spider):
    assert spider.is_article_url(SITE + "/default.aspx?nid=17522&pid=57")
    for url in ("/default.aspx?cid=2&pid=60", "/default.aspx?cid=2&p=2&pid=60",
                "/default.aspx?pid=59", "/default.aspx", "/3", "/10.danhsachhoidap.html",
                "/default.aspx?nid=&pid=57"):
        assert not spider.is_article_url(SITE + url), url


def test_without_pid_the_server_shows_another_page():
    article = served("/default.aspx?nid=17496&pid=57")
    assert article.css("div.snew div.snew-title::text").get().strip()
    home = served("/default.aspx?nid=17496")
    assert not home.css("div.snew")


def test_listing_url_paging_parameter_is_p(spider):
    assert spider.listing_url("/default.aspx?cid=2&pid=60", 1) == (
        SITE + "/default.aspx?cid=2&pid=60")
    assert spider.listing_url("/default.aspx?cid=2&pid=60", 2) == (
        SITE + "/default.aspx?cid=2&pid=60&p=2")
    assert served("/default.aspx?cid=2&pid=60&p=1").css("div.content-first")


# -- listing --------------------------------------------------------------------------------
def test_page_one_has_six_undated_lead_items_then_dated_ones():
    entries = parse_fixture(LISTING_1)
    model = MODEL()
    items = model.in_category("tin-hoat-dong")
    assert [e["url"] for e in entries] == [SITE + model.url_of(a) for a in items[:16]]
    assert [e["date_raw"] for e in entries[:6]] == [None] * 6
    assert all(STAMP.fullmatch(e["date_raw"]) for e in entries[6:])
    assert entries[0]["summary"]  # the big lead item's abstract
    assert entries[6]["summary"] and entries[6]["date_raw"] == model.stamp(items[6].published)


def test_menu_sidebars_and_other_modules_are_not_entries(spider):
    # The mega menu shows the latest items of the *first* category on every page: on the
    # second category's page they would be foreign entries.
    page = fixture_response(LISTING_CAT3)
    menu = {page.urljoin(h) for h in page.css("div.menu div.snew-title a::attr(href)").getall()}
    sidebar = {page.urljoin(h) for h in page.css(
        "a.list-group-item::attr(href), div.snew-list-item a::attr(href)").getall()}
    entries = {spider.site_link(page, e.url) for e in spider.listing_entries(page)}
    assert menu and sidebar
    assert not entries & menu
    model = MODEL()
    assert entries == {SITE + model.url_of(a) for a in model.in_category("tin-khcn")}


def test_pager_counts_without_the_lead_items_so_the_last_page_is_empty(spider):
    assert spider.has_next_page(fixture_response(LISTING_1), 1)
    assert fixture_response(LISTING_2).css("span.selected-page::text").get() == "2"
    assert parse_fixture(LISTING_2) == []
    assert spider.stop_reason([], 0, 0, 2, fixture_response(LISTING_2)) == "no entries"


def test_since_drops_an_undated_lead_item_found_older_once_fetched():
    spider = CanthoSpider(since="2025-10-01")
    page = fixture_response(FILE)  # dated 25/09/2025
    assert spider.parse_article_page(page, ListingEntry(url=page.url), "Tin hoạt động") is None
    dated = ListingEntry(url=page.url, date_raw="25/09/2025 03:20")
    assert spider.parse_article_page(page, dated, "Tin hoạt động") is not None
    assert CanthoSpider().parse_article_page(page, ListingEntry(url=page.url), "x") is not None


# -- article --------------------------------------------------------------------------------
def test_date_title_inside_the_article_block_is_the_date():
    page = fixture_response(FILE)
    headings = [" ".join(t.split()) for t in page.css("div.date-title").xpath("string()").getall()]
    assert headings[1] == "File đính kèm" and STAMP.fullmatch(headings[0])
    art = parse_fixture(FILE)
    assert art["published_raw"] == "25/09/2025 03:20"
    assert art["published_at"] == "2025-09-25T03:20:00+07:00"
    assert art["title"] == "Hội đồng tư vấn xét duyệt thuyết minh đề tài về thuỷ lợi nội đồng"


def test_byline_or_source_comes_from_the_right_aligned_line():
    assert fixture_response(PLAIN).css("div.font-pluss::text").get().strip() == ""
    assert (parse_fixture(FILE)["author"], parse_fixture(FILE)["source"]) == ("Thu Huyên", None)
    assert (parse_fixture(REPRINT)["author"], parse_fixture(REPRINT)["source"]) == (
        None, "Báo Cần Thơ")
    old = parse_fixture(OLD_IMAGE)
    assert (old["author"], old["source"]) == (None, "Trung tâm Thông tin và Thống kê KH&CN")


def test_attachments_are_the_links_after_the_file_heading():
    art = parse_fixture(FILE)
    assert art["attachments"] == [{"url": SITE + "/uploads/files/2025/09/KH-17496.pdf",
                                   "name": "Kế hoạch số 41/KH-SKHCN"}]
    assert parse_fixture(PLAIN)["attachments"] == []
    reply = MODEL().respond(MirrorRequest("GET", "/uploads/files/2025/09/KH-17496.pdf", {}))
    assert reply.status == 200 and reply.data.startswith(b"%PDF")


def test_lead_image_caption_line_and_old_absolute_images():
    art = parse_fixture(FILE)
    assert art["images"] == [
        {"url": SITE + "/uploads/news/2025/09/17496.jpg", "caption": None},
        {"url": SITE + "/uploads/news/2025/09/17496_1.jpg", "caption": "Quang cảnh buổi làm việc."},
    ]
    old = parse_fixture(OLD_IMAGE)
    assert old["images"] == [{
        "url": "http://sokhcn.cantho.gov.vn/DesktopModules/NEWS/Images/17493_1.jpg",
        "caption": "Quang cảnh buổi làm việc."}]


@pytest.mark.parametrize("folder", [FILE, REPRINT, PLAIN, OLD_IMAGE],
                         ids=["file", "reprint", "plain", "old-image"])
def test_page_chrome_is_not_body(folder):
    art = parse_fixture(folder)
    page = fixture_response(folder)
    others = [t.strip() for t in page.css("div.snew-list-item a::text").getall()]
    assert others
    for text in (art["body_text"], art["body_html"]):
        for junk in ("Library", "CÙNG CHUYÊN MỤC", "XEM NHIỀU", "THÔNG BÁO", "TIN LIÊN QUAN",
                     "File đính kèm", "Bản quyền", "Lý Thường kiệt", "THÀNH PHỐ CẦN THƠ",
                     "__VIEWSTATE", "Theo Báo Cần Thơ", "Xem thêm", *others):
            assert junk not in text, junk
    assert art["flags"] == []


def test_unknown_nid_is_not_an_article(spider):
    page = served("/default.aspx?nid=99&pid=57")
    assert "Không tìm thấy thông tin" in page.text
    raw = spider.parse_article(page)
    raw.fetched_at = FETCHED_AT
    article = build_article(raw)
    assert article.title is None and {"no_title", "no_body"} <= set(article.flags)
