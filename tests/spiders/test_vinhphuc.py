"""sokhcn.vinhphuc.gov.vn (SharePoint ``/noidung/`` flavour): the site's traps.

- the date stands alone under the title; the header shows today's date;
- the "Các tin đã đưa ngày:" archive block after the body is not article text;
- a list name with spaces and diacritics arrives percent-encoded (listing) or raw (archive
  block), and ``itemid`` may come in any case: one canonical URL either way;
- ItemIDs are per-list sequences: the same ItemID in two lists is two articles;
- the server wants TLS 1.2 with weak ciphers (REPORTED).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from scrapy.utils.test import get_crawler

from crawler.mirror.sites.vinhphuc import VinhPhucModel
from crawler.platforms.base import ListingEntry, title_key
from spiders.vinhphuc import VinhPhucSpider
from tests.fixture_tool import FIXTURES, fixture_response, parse_fixture

HERE = FIXTURES / "vinhphuc"
SEED = HERE / "article-seed-itemid-1"
TINTUC = HERE / "article-tintuc-itemid-14"
LIST_HOAT_DONG = HERE / "listing-tin-hoat-dong-p1"
LIST_TINTUC_LAST = HERE / "listing-tintuc-p2"
ENCODED_LIST = "/noidung/tintuc/Lists/Tin%20ho%E1%BA%A1t%20%C4%91%E1%BB%99ng/"
RAW_LIST = "/noidung/tintuc/Lists/Tin hoạt động/"


@pytest.fixture
def spider() -> VinhPhucSpider:
    return VinhPhucSpider()


def test_seed_article_is_the_real_text_with_its_own_date_not_the_header_date():
    art = parse_fixture(SEED)
    page = fixture_response(SEED)
    header = page.css("span.header-date::text").get()
    assert re.fullmatch(r"(Thứ \w+|Chủ Nhật), ngày \d\d/\d\d/\d{4}", header)
    assert art["title"] == ("Đồng chí Phó chủ tịch thường trực UBND tỉnh làm việc với Sở "
                            "Khoa học và Công nghệ Vĩnh Phúc")
    assert art["published_raw"] == "15/11/2021"
    assert art["published_at"] == "2021-11-15T00:00:00+07:00"
    assert art["published_raw"] not in header
    assert art["author"] == "Thu Huyên"
    assert art["category"] == "Tin hoạt động"
    assert art["body_text"].startswith("Chiều ngày 12/11, đồng chí Vũ Việt Văn")
    assert art["body_text"].endswith("xem xét nghiên cứu giải quyết theo quy định.")
    assert art["flags"] == []


@pytest.mark.parametrize("folder", [SEED, TINTUC], ids=["seed", "tintuc"])
def test_archive_block_and_page_chrome_are_not_body(folder):
    art = parse_fixture(folder)
    page = fixture_response(folder)
    older_titles = page.css("ul.tinkhac-list a::text").getall()
    assert older_titles, "the fixture should show the archive block's older items"
    assert "Các tin đã đưa ngày" in page.text
    for text in (art["body_text"], art["body_html"]):
        assert "Các tin đã đưa" not in text
        assert "Thống kê truy cập" not in text and "Đang online" not in text
        assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" not in text
        assert "__VIEWSTATE" not in text and "ctl00" not in text
        for title in older_titles:
            assert title not in text
    assert art["author"] not in art["body_text"].splitlines()[-1]


def test_listing_of_the_vietnamese_list_gives_encoded_urls_and_dates(spider):
    entries = parse_fixture(LIST_HOAT_DONG)
    assert len(entries) == 10
    assert all(e["url"].startswith("https://sokhcn.vinhphuc.gov.vn" + ENCODED_LIST
                                   + "View_Detail.aspx?ItemID=") for e in entries)
    assert all(re.fullmatch(r"\(\d\d/\d\d/\d{4}\)", e["date_raw"]) for e in entries)
    ids = [int(e["url"].rsplit("=", 1)[1]) for e in entries]
    assert ids == sorted(ids, reverse=True), "listing must be newest first"


def test_raw_encoded_and_lowercase_hrefs_give_one_canonical_url(spider):
    """The archive block links raw ("Tin hoạt động", spaces and all); the listing encodes."""
    page = fixture_response(SEED)
    raw_hrefs = page.css("ul.tinkhac-list a::attr(href)").getall()
    assert raw_hrefs and all(RAW_LIST in h for h in raw_hrefs)
    listed = {e.url.rsplit("=", 1)[1]: spider.canonical(spider.site_link(page, e.url))
              for e in spider.listing_entries(fixture_response(LIST_HOAT_DONG))}
    checked = 0
    for href in raw_hrefs:
        item = href.rsplit("=", 1)[1]
        variants = {href, href.replace(RAW_LIST, ENCODED_LIST),
                    href.replace("ItemID", "itemid"),
                    href.replace(RAW_LIST, re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(),
                                                  ENCODED_LIST))}
        keys = {spider.canonical(spider.site_link(page, spider.article_href(v))) for v in variants}
        assert len(keys) == 1, keys
        if item in listed:
            assert keys == {listed[item]}
            checked += 1
    assert checked, "some archive-block items should also be on listing page 1"


def test_article_href_encodes_the_list_name_and_spells_the_id_key_once(spider):
    fixed = spider.article_href(f"{RAW_LIST}View_Detail.aspx?itemid=3")
    assert fixed == f"{ENCODED_LIST}View_Detail.aspx?ItemID=3"
    assert spider.article_href(fixed) == fixed


def test_same_item_id_in_two_lists_is_two_articles(spider):
    a = "https://sokhcn.vinhphuc.gov.vn/noidung/tintuc/Lists/TinTuc/View_Detail.aspx?ItemID=3"
    b = f"https://sokhcn.vinhphuc.gov.vn{ENCODED_LIST}View_Detail.aspx?ItemID=3"
    assert spider.canonical(a) != spider.canonical(b)
    assert spider.category_of(a) == "Tin tức - Sự kiện"
    assert spider.category_of(b) == "Tin hoạt động"
    model = VinhPhucModel()
    pairs = {(a.category, model.item_ids[a.id]) for a in model.articles}
    assert len(pairs) == len(model.articles)
    assert {n for c, n in pairs if c == "tin-hoat-dong"} & {
        n for c, n in pairs if c == "tin-tuc-su-kien"}


def test_item_ids_stay_put_when_the_site_adds_articles():
    base, later = VinhPhucModel(), VinhPhucModel("update")
    new_ids = {a.id: later.item_ids[a.id] for a in later.articles}
    assert all(new_ids[a.id] == base.item_ids[a.id] for a in base.articles)
    assert len(later.articles) == len(base.articles) + 3


def test_http_and_https_are_one_article(spider):
    path = f"{ENCODED_LIST}View_Detail.aspx?ItemID=1"
    assert (spider.canonical("http://sokhcn.vinhphuc.gov.vn" + path)
            == spider.canonical("https://sokhcn.vinhphuc.gov.vn" + path)
            == parse_fixture(SEED)["canonical_url"])


def test_listing_requests_are_encoded_paged_and_sent_to_the_mirror():
    spider = VinhPhucSpider(base_url="http://127.0.0.1:8123")
    path = f"{RAW_LIST}View_List.aspx"
    assert path in spider.categories
    first = spider.listing_request(path, "Tin hoạt động", 1)
    second = spider.listing_request(path, "Tin hoạt động", 2)
    assert first.url == f"http://127.0.0.1:8123{ENCODED_LIST}View_List.aspx"
    assert second.url == f"http://127.0.0.1:8123{ENCODED_LIST}View_List.aspx?Page=2"
    assert spider.origin_url(second.url) == (
        f"https://sokhcn.vinhphuc.gov.vn{ENCODED_LIST}View_List.aspx?Page=2")
    assert unquote(second.url).endswith("Tin hoạt động/View_List.aspx?Page=2")


def test_pager_says_when_there_is_a_next_page(spider):
    assert spider.has_next_page(fixture_response(LIST_HOAT_DONG), 1)
    assert not spider.has_next_page(fixture_response(LIST_TINTUC_LAST), 2)


def test_a_listing_of_known_articles_stops_the_crawl():
    crawler = get_crawler(VinhPhucSpider)
    spider = VinhPhucSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    page = fixture_response(LIST_HOAT_DONG)
    entries = spider.listing_entries(page)
    spider.known = {spider.canonical(spider.site_link(page, e.url)): title_key(e.title)
                    for e in entries}
    spider.vouched = set(spider.known)  # archived by a completed run
    out = list(spider.parse_listing(page, path=f"{RAW_LIST}View_List.aspx",
                                    category="Tin hoạt động", page=1))
    assert out == []
    spider.known.pop(next(iter(spider.known)))
    out = list(spider.parse_listing(page, path=f"{RAW_LIST}View_List.aspx",
                                    category="Tin hoạt động", page=1))
    assert len(out) == 2  # the one unknown article, then page 2
    assert out[-1].url.endswith(f"{ENCODED_LIST}View_List.aspx?Page=2")


def test_listing_date_completes_an_article_without_one(spider):
    page = fixture_response(TINTUC)
    page = page.replace(body=page.body.replace(b'class="ngaydang"', b'class="x"'))
    entry = ListingEntry(url=page.url, title=None, date_raw="(15/06/2025)")
    raw = spider.parse_article_page(page, entry=entry, category="Tin tức - Sự kiện")
    assert raw.published_raw == "(15/06/2025)"


def test_legacy_tls_settings_reach_the_crawler():
    settings = get_crawler(VinhPhucSpider).settings
    assert VinhPhucSpider.legacy_tls is True
    assert settings.get("DOWNLOADER_CLIENT_TLS_CIPHERS") == "DEFAULT@SECLEVEL=1"
    assert "TLSv1.2" in (settings.get("DOWNLOADER_CLIENT_TLS_METHOD"),
                         settings.get("DOWNLOAD_TLS_MAX_VERSION"))
