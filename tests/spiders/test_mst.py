"""mst.gov.vn (the ministry, mediacdn CMS): the site's traps, checked on saved pages.

- 18-digit ids carry the publish timestamp (``197`` + yymmddHHMMSS + 3 digits); legacy ids
  are short. The id is date *context* only, never the published date;
- list links are ``div.box-category-item a[href]``, whose first link is the thumbnail
  (title in its ``title`` attribute); paging ``/<category>/trang-<n>.htm``;
- the sapo falls back to the description meta tags;
- related-news boxes inside the body are not article text ("Tin liên quan" would otherwise
  cut the body short);
- the header prints today's date;
- per-day archive pages ``/<category>/xem-theo-ngay-<dd-mm-yyyy>.htm`` drive a backfill;
- the ministry's version of the article Phú Thọ reposted "Theo most.gov.vn".
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.mirror.data import seed_articles
from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.mst import MODEL
from crawler.normalize.article import build_article
from crawler.normalize.dates import VN_TZ
from crawler.platforms.base import ListingEntry
from crawler.platforms.mediacdn import day_range, id_timestamp
from spiders.mst import MstSpider
from storage import Archive
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
)
from tests.mirror_process import mirror_process

HERE = FIXTURES / "mst"
SEED = HERE / "article_seed_repost"
RELATED = HERE / "article_related_box_file"
LEGACY = HERE / "article_legacy_id"
LISTING_1, LISTING_3 = HERE / "listing_p1", HERE / "listing_p3"
DAY = HERE / "listing_day_15_03_2024"
SITE = "https://mst.gov.vn"
REPO = Path(__file__).resolve().parents[2]


def edited(folder: Path, *drop: str) -> HtmlResponse:
    """The saved page with the elements matching the regexes in ``drop`` removed."""
    meta, body = load_page(folder)
    html = body.decode("utf-8")
    for pattern in drop:
        html, n = re.subn(pattern, "", html, flags=re.S)
        assert n, pattern
    return HtmlResponse(url=meta["url"], body=html.encode("utf-8"), encoding="utf-8")


@pytest.fixture
def spider() -> MstSpider:
    return MstSpider()


# -- ids ----------------------------------------------------------------------------------
def test_18_digit_id_carries_the_publish_timestamp():
    assert id_timestamp("197250616201306032", "197") == datetime(2025, 6, 16, 20, 13, 6,
                                                                 tzinfo=VN_TZ)
    assert id_timestamp("197251104085210147") == datetime(2025, 11, 4, 8, 52, 10, tzinfo=VN_TZ)
    assert id_timestamp("197148521") is None  # legacy id: no timestamp
    assert id_timestamp("102250616201306032", "197") is None  # another portal's prefix
    assert id_timestamp("197251340201306032") is None  # month 13: not a timestamp


def test_id_gives_year_hint_and_context_but_not_the_published_date(spider):
    art = spider.parse_article(fixture_response(RELATED))
    assert art.year_hint == 2025
    assert art.date_context == "2025-09-27 18:45:00"
    assert art.published_raw == "27/09/2025 18:45"  # the page's own string
    # Without the page's date, the id is still only context: no published date is made up.
    bare = spider.parse_article(edited(RELATED, r'<span class="publish-date">[^<]*</span>'))
    assert bare.published_raw is None and bare.year_hint == 2025
    bare.fetched_at = FETCHED_AT
    article = build_article(bare)
    assert article.published_at is None and "no_date" in article.flags
    # …and the listing's date string is what the base class falls back to.
    entry = ListingEntry(url=bare.url, title=None, date_raw="27/09/2025 18:45")
    raw = spider.parse_article_page(edited(RELATED, r'<span class="publish-date">[^<]*</span>'),
                                    entry, "Tin tức - Sự kiện")
    raw.fetched_at = FETCHED_AT
    assert build_article(raw).published_at == "2025-09-27T18:45:00+07:00"


def test_legacy_id_article_has_no_year_hint_and_keeps_its_date(spider):
    raw = spider.parse_article(fixture_response(LEGACY))
    assert raw.url.endswith("-197148003.htm")
    assert raw.year_hint is None and raw.date_context is None
    art = parse_fixture(LEGACY)
    assert art["published_at"] == "2025-06-05T14:45:00+07:00"
    assert art["flags"] == []


def test_article_urls_of_both_id_styles_are_articles_and_category_pages_are_not(spider):
    for path in ("/x-197250616201306032.htm", "/x-197148521.htm", "/a/b-197148521.htm"):
        assert spider.is_article_url(SITE + path), path
    for path in ("/tin-tuc-su-kien.htm", "/tin-tuc-su-kien/trang-2.htm",
                 "/tin-tuc-su-kien/xem-theo-ngay-16-06-2025.htm",
                 "/van-ban-phap-luat/du-thao/1652.htm"):
        assert not spider.is_article_url(SITE + path), path


# -- the header's date ----------------------------------------------------------------------
def test_header_date_is_today_and_never_the_publish_date():
    page = fixture_response(SEED)
    header = page.css("span.header-date::text").get()
    assert re.fullmatch(r"(Thứ \w+|Chủ Nhật), ngày \d\d/\d\d/\d{4}", header)
    model = MODEL()
    html = model.render("article.html", article=model.articles[-1],
                        blocks=model.body(model.articles[-1]), category_name="Tin tức - Sự kiện",
                        others=[], today=datetime(2025, 12, 1, tzinfo=VN_TZ), **model.common())
    raw = MstSpider().parse_article(HtmlResponse(url=SITE + "/x-197240315173047037.htm",
                                                 body=html.encode(), encoding="utf-8"))
    assert "01/12/2025" in html and raw.published_raw == "15/03/2024 17:30"


# -- the seed repost ------------------------------------------------------------------------
def test_ministry_version_of_the_phu_tho_repost():
    art = parse_fixture(SEED)
    seed = seed_articles()["phutho"]
    assert art["title"] == seed["title"]
    assert art["published_at"] == "2024-03-15T17:30:00+07:00"
    assert art["author"] == "Trung tâm Truyền thông KH&CN" and art["source"] is None
    original = "\n\n".join(seed["paragraphs"])
    assert art["body_text"].startswith("Hội nghị Giám đốc sở Khoa học và Công nghệ (KH&CN) "
                                       "toàn quốc năm 2024 đã được Bộ KH&CN tổ chức tại Hà Nội")
    ratio = difflib.SequenceMatcher(None, art["body_text"], original, autojunk=False).ratio()
    assert 0.95 < ratio < 1, ratio  # nearly, not exactly, the Phú Thọ text
    # The ministry's page keeps all seven photo captions of seed 004, the repost four.
    captions = [i["caption"] for i in art["images"]]
    assert len(captions) == 7 and "Toàn cảnh Hội nghị." in captions
    assert set(captions) - set(seed["paragraphs"]) == {
        "Toàn cảnh Hội nghị.", "Lãnh đạo các đơn vị thuộc Bộ KH&CN tham luận tại Hội nghị.",
        "Các Giám đốc Sở KH&CN trao đổi, thảo luận tại Hội nghị."}
    assert all(c in art["body_text"].split("\n\n") for c in captions)
    assert all(i["url"].startswith("https://mic.mediacdn.vn/") for i in art["images"])
    # The ministry published it the day before the Phú Thọ repost (16/03/2024).
    assert seed["published"].date() == date(2024, 3, 16)


@pytest.mark.parametrize("folder", [SEED, RELATED, LEGACY], ids=["seed", "related", "legacy"])
def test_page_chrome_is_not_body(folder):
    art = parse_fixture(folder)
    page = fixture_response(folder)
    chrome = page.css("li.item-most-read a::text, li.same-item a::text").getall()
    assert chrome
    for text in (art["body_text"], art["body_html"]):
        for junk in ("BỘ KHOA HỌC VÀ CÔNG NGHỆ", "Đọc nhiều", "Tin cùng chuyên mục", "Từ khóa",
                     "Chia sẻ Facebook", "In bài", "Cơ quan chủ quản", "Tin liên quan", *chrome):
            assert junk not in text, junk


# -- sapo -----------------------------------------------------------------------------------
def test_sapo_then_meta_description_then_og_description(spider):
    sapo = "Ngày 15/3/2024, tại Hà Nội, Bộ Khoa học và Công nghệ tổ chức Hội nghị Giám đốc"
    assert spider.parse_article(fixture_response(SEED)).summary.startswith(sapo)
    no_sapo = edited(SEED, r'<div class="detail-sapo"[^>]*>.*?</div>')
    assert spider.parse_article(no_sapo).summary.startswith(sapo)  # meta description
    only_og = edited(SEED, r'<div class="detail-sapo"[^>]*>.*?</div>',
                     r'<meta name="description"[^>]*>')
    assert spider.parse_article(only_og).summary.startswith(sapo)  # og:description
    none = edited(SEED, r'<div class="detail-sapo"[^>]*>.*?</div>',
                  r'<meta name="description"[^>]*>', r'<meta property="og:description"[^>]*>')
    assert spider.parse_article(none).summary is None


# -- body -----------------------------------------------------------------------------------
def test_related_news_box_in_the_body_is_dropped_not_a_tail_marker():
    page = fixture_response(RELATED)
    box = page.css("div.detail-content div[type='RelatedNewsBox'] a::text").getall()
    assert box and "Tin liên quan" in page.css("div.detail-content").get()
    art = parse_fixture(RELATED)
    for title in box:
        assert title.strip() not in art["body_text"]
    # Left in, "Tin liên quan" would have cut everything after it; the end is still there.
    assert art["body_text"].endswith("Toàn văn Kế hoạch số 46/KH-BKHCN")
    assert len(art["body_text"].split("\n\n")) == 5
    # Its thumbnails are not the article's images.
    assert [i["caption"] for i in art["images"]] == ["Quang cảnh buổi làm việc."]


def test_document_on_the_ministry_cdn_is_an_attachment():
    art = parse_fixture(RELATED)
    assert art["attachments"] == [{
        "url": "https://mic.mediacdn.vn/document/2025/9/27/ke-hoach-4020.pdf",
        "name": "Toàn văn Kế hoạch số 46/KH-BKHCN"}]


# -- listing --------------------------------------------------------------------------------
def test_listing_entries_newest_first_titles_from_the_thumbnail_link(spider):
    entries = parse_fixture(LISTING_1)
    model = MODEL()
    assert [e["url"] for e in entries] == [SITE + model.url_of(a) for a in model.articles[:10]]
    assert [e["title"] for e in entries] == [a.title for a in model.articles[:10]]
    # The first a[href] of an item is the thumbnail: no text, the title is its attribute.
    first = fixture_response(LISTING_1).css("div.box-category-item")[0].css("a[href]")[0]
    assert not "".join(first.css("::text").getall()).strip() and first.attrib["title"]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", e["date_raw"]) for e in entries)
    # The "Đọc nhiều" sidebar links articles too (some not on this page): not entries.
    page = fixture_response(LISTING_1)
    linked = {page.urljoin(h) for h in page.css("a::attr(href)").getall()
              if spider.is_article_url(page.urljoin(h))}
    assert linked - {e["url"] for e in entries}
    assert len(entries) == len(page.css("div.box-category-item")) == 10


def test_paging_is_path_based(spider):
    assert spider.listing_url("/tin-tuc-su-kien.htm", 1) == SITE + "/tin-tuc-su-kien.htm"
    assert spider.listing_url("/tin-tuc-su-kien.htm", 3) == SITE + "/tin-tuc-su-kien/trang-3.htm"
    assert spider.has_next_page(fixture_response(LISTING_1), 1)
    assert not spider.has_next_page(fixture_response(LISTING_3), 3)
    mirror = MstSpider(base_url="http://127.0.0.1:8123")
    request = mirror.listing_request("/tin-tuc-su-kien.htm", "Tin tức - Sự kiện", 2)
    assert request.url == "http://127.0.0.1:8123/tin-tuc-su-kien/trang-2.htm"


def test_last_listing_page_holds_the_legacy_ids_and_the_2024_repost():
    entries = parse_fixture(LISTING_3)
    assert entries[-1]["url"].endswith("-197240315173047037.htm")
    assert sum(1 for e in entries if re.search(r"-197\d{6}\.htm$", e["url"])) == 2


# -- backfill by day ------------------------------------------------------------------------
def test_day_range_arguments():
    assert day_range("2025-06-14:2025-06-16") == [date(2025, 6, 16), date(2025, 6, 15),
                                                  date(2025, 6, 14)]
    assert day_range("2025-06-16:2025-06-14") == day_range("2025-06-14:2025-06-16")
    assert day_range("2025-06-16") == [date(2025, 6, 16)]
    assert day_range(backfill_from="2025-11-18", today=date(2025, 11, 20)) == [
        date(2025, 11, 20), date(2025, 11, 19), date(2025, 11, 18)]
    assert day_range(backfill_from="2025-06-01", backfill_to="2025-06-02") == [
        date(2025, 6, 2), date(2025, 6, 1)]
    assert day_range() == []
    with pytest.raises(ValueError):
        day_range("2025-06-01", "2025-06-02")


def test_backfill_requests_walk_the_per_day_pages_newest_first():
    spider = MstSpider(base_url="http://127.0.0.1:8123", days="2025-06-14:2025-06-16")
    urls = [r.url for r in spider.day_requests()]
    assert urls == [f"http://127.0.0.1:8123/tin-tuc-su-kien/xem-theo-ngay-{d}-06-2025.htm"
                    for d in (16, 15, 14)]


def test_day_archive_page_lists_that_days_articles_and_has_no_next_page(spider):
    entries = parse_fixture(DAY)
    assert [e["title"] for e in entries] == [seed_articles()["phutho"]["title"]]
    assert entries[0]["date_raw"] == "15/03/2024 17:30"
    assert not spider.has_next_page(fixture_response(DAY), 1)
    empty = MODEL().respond(MirrorRequest("GET", "/tin-tuc-su-kien/xem-theo-ngay-16-03-2024.htm",
                                          {}))
    page = HtmlResponse(url=SITE + "/tin-tuc-su-kien/xem-theo-ngay-16-03-2024.htm",
                        body=empty.data, encoding="utf-8")
    assert empty.status == 200 and spider.listing_entries(page) == []


@pytest.mark.slow
def test_backfill_crawl_of_a_day_range_against_the_mirror(tmp_path):
    db = tmp_path / "mst.db"
    model = MODEL()
    first, last = date(2025, 11, 2), date(2025, 11, 17)
    wanted = {SITE + model.url_of(a) for a in model.articles
              if first <= a.published.date() <= last}
    assert len(wanted) == 3
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with mirror_process("mst") as urls:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "mst", "-a", f"base_url={urls['mst']}",
             "-a", f"days={first}:{last}", "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
             "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
    assert {r["canonical_url"] for r in rows} == wanted
    assert all(first.isoformat() <= r["published_at"][:10] <= last.isoformat() for r in rows)
