"""ArchiveSpider: mirror URL mapping, incremental stop rules, listing → article flow."""

from __future__ import annotations

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import RawArticle
from crawler.platforms.base import ArchiveSpider, ListingEntry, title_key


class Listing(ArchiveSpider):
    name = "phutho"  # a registered site: aliases and canonical host come from the registry
    site_url = "https://sokhoahoccongnghe.phutho.gov.vn"
    categories = {"/tin-tuc": "Tin tức"}

    def listing_entries(self, response):
        return [
            ListingEntry(
                url=a.attrib["href"],
                title=a.css("::text").get(),
                date_raw=a.attrib.get("data-date"),
            )
            for a in response.css("a.item")
        ]

    def parse_article(self, response):
        return self.raw_article(response, title=response.css("h1::text").get())


def spider(**kwargs) -> Listing:
    crawler = get_crawler(Listing)
    s = Listing.from_crawler(crawler, **kwargs)
    return s


LISTING = """<html><body>
<a class="item" href="/bai-moi-n3" data-date="Ngày 20/03/2024">Bài mới</a>
<a class="item" href="http://sokhcn.phutho.gov.vn/bai-cu-n2" data-date="Ngày 10/03/2024">Bài cũ</a>
<a class="item" href="/bai-xua-n1" data-date="Ngày 01/01/2024">Bài xưa</a>
</body></html>""".encode()


def listing_response(s: Listing, base: str = "https://sokhoahoccongnghe.phutho.gov.vn"):
    request = scrapy.Request(f"{base}/tin-tuc")
    return HtmlResponse(url=request.url, body=LISTING, request=request)


def requests_of(results):
    return [r for r in results if isinstance(r, scrapy.Request)]


def followed(s: Listing) -> list[str]:
    return [
        r.url for r in requests_of(s.parse_listing(listing_response(s), "/tin-tuc", "Tin tức", 1))
    ]


def test_mirror_mapping_round_trips():
    s = spider(base_url="http://127.0.0.1:8000")
    site_url = "https://sokhoahoccongnghe.phutho.gov.vn/bai-n1?x=1"
    assert s.fetch_url(site_url) == "http://127.0.0.1:8000/bai-n1?x=1"
    assert s.origin_url("http://127.0.0.1:8000/bai-n1?x=1") == site_url
    # alias domain of the site: fetched from the mirror too; off-site links are left alone
    assert s.fetch_url("http://sokhcn.phutho.gov.vn/a").startswith("http://127.0.0.1:8000/")
    assert s.fetch_url("https://mst.gov.vn/a.htm") == "https://mst.gov.vn/a.htm"
    assert s.allowed_domains == ["127.0.0.1"]
    assert spider().allowed_domains == ["sokhoahoccongnghe.phutho.gov.vn", "sokhcn.phutho.gov.vn"]


def test_bad_base_url_is_refused():
    with pytest.raises(ValueError):
        spider(base_url="ftp://x")


def test_listing_follows_new_articles_and_pages_on():
    s = spider()
    out = requests_of(s.parse_listing(listing_response(s), "/tin-tuc", "Tin tức", 1))
    assert [r.url for r in out] == [
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-moi-n3",
        "http://sokhcn.phutho.gov.vn/bai-cu-n2",
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-xua-n1",
        "https://sokhoahoccongnghe.phutho.gov.vn/tin-tuc?page=2",
    ]


KNOWN = {
    f"https://sokhoahoccongnghe.phutho.gov.vn/{p}": title_key(t)
    for p, t in [("bai-moi-n3", "Bài mới"), ("bai-cu-n2", "Bài cũ"), ("bai-xua-n1", "Bài xưa")]
}


def test_a_page_of_known_articles_stops_paging():
    s = spider()
    s.known, s.vouched = dict(KNOWN), set(KNOWN)
    assert requests_of(s.parse_listing(listing_response(s), "/tin-tuc", "Tin tức", 1)) == []


def test_articles_of_an_unfinished_run_are_skipped_but_paged_past():
    # A killed run stored this page's articles, not the older pages: no completed run vouches
    # for them, so they are not fetched again but the listing goes on to page 2.
    s = spider()
    s.known, s.vouched = dict(KNOWN), set(KNOWN) - {
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-xua-n1"}
    assert followed(s) == ["https://sokhoahoccongnghe.phutho.gov.vn/tin-tuc?page=2"]


def test_a_known_article_with_a_changed_title_is_fetched_again():
    s = spider()
    s.known = {
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-moi-n3": title_key("Bài mới (cũ)"),
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-cu-n2": title_key("Bài cũ"),
        "https://sokhoahoccongnghe.phutho.gov.vn/bai-xua-n1": title_key("Bài xưa"),
    }
    urls = followed(s)
    assert urls[0].endswith("bai-moi-n3") and len(urls) == 2  # the article and the next page


def test_a_listing_that_cuts_titles_short_still_matches():
    assert Listing.same_title(title_key("Hội nghị tổng kết năm 2024"), "Hội nghị tổng kết...")
    assert not Listing.same_title(title_key("Hội nghị tổng kết năm 2024"), "Hội nghị tổng kết")


def test_full_ignores_known_articles():
    s = spider(full="1")
    s.known = {"https://sokhoahoccongnghe.phutho.gov.vn/bai-moi-n3": title_key("Bài mới")}
    assert len(requests_of(s.parse_listing(listing_response(s), "/tin-tuc", "Tin tức", 1))) == 4


def test_since_skips_older_entries_and_stops_when_all_are_older():
    s = spider(since="2024-03-05")
    urls = followed(s)
    assert len(urls) == 3 and not any("bai-xua" in u for u in urls)
    s = spider(since="2024-12-31")
    assert requests_of(s.parse_listing(listing_response(s), "/tin-tuc", "Tin tức", 1)) == []


def test_max_pages_caps_paging():
    s = spider(max_pages="1")
    urls = followed(s)
    assert not any("page=2" in u for u in urls)


def test_article_takes_date_category_and_summary_from_its_listing_entry():
    s = spider(base_url="http://127.0.0.1:9")
    page = HtmlResponse(url="http://127.0.0.1:9/bai-moi-n3", body="<h1>Bài mới</h1>".encode())
    entry = ListingEntry(
        url="/bai-moi-n3", title="Bài mới", date_raw="Ngày 20/03/2024", summary="Tóm tắt"
    )
    raw = s.parse_article_page(page, entry, "Tin tức")
    assert isinstance(raw, RawArticle)
    assert raw.url == "https://sokhoahoccongnghe.phutho.gov.vn/bai-moi-n3"
    assert (raw.published_raw, raw.category, raw.summary) == (
        "Ngày 20/03/2024",
        "Tin tức",
        "Tóm tắt",
    )


class DatedPage(Listing):
    """A page that prints its own date in ``span.date``."""

    def parse_article(self, response):
        return self.raw_article(response, title=response.css("h1::text").get(),
                                published_raw=response.css("span.date::text").get())


@pytest.mark.parametrize(("listed", "printed", "kept", "stored"), [
    # The page gives another, older date than its listing: it is stored with it, so --since
    # drops it once fetched.
    ("Ngày 20/03/2024", "Ngày 01/03/2024", False, "2024-03-01"),
    # ... or a newer one: kept, stored with the page's date.
    ("Ngày 10/03/2024", "Ngày 15/03/2024", True, "2024-03-15"),
    # A year-less page date takes its year from the listing's date, for both.
    ("Ngày 20/03/2024", "Chiều 1-3", False, "2024-03-01"),
    ("Ngày 20/03/2024", "Chiều 18-3", True, "2024-03-18"),
    # An undated entry: the page's date decides.
    (None, "Ngày 01/03/2024", False, "2024-03-01"),
])
def test_since_and_the_stored_date_agree(listed, printed, kept, stored):
    from crawler.normalize.article import build_article

    def read(**kwargs):
        crawler = get_crawler(DatedPage)
        s = DatedPage.from_crawler(crawler, base_url="http://127.0.0.1:9", **kwargs)
        page = HtmlResponse(url="http://127.0.0.1:9/bai-n3", encoding="utf-8",
                            body=f"<h1>Bài</h1><span class='date'>{printed}</span>".encode())
        return s.parse_article_page(page, ListingEntry(url="/bai-n3", date_raw=listed), "Tin")

    raw = read()
    assert build_article(raw).published_at.startswith(stored)
    assert (read(since="2024-03-05") is not None) is kept
    assert (stored >= "2024-03-05") is kept


def test_legacy_tls_is_a_per_spider_setting():
    class Old(Listing):
        legacy_tls = True

    crawler = get_crawler(Old)
    assert crawler.settings.get("DOWNLOAD_TLS_MIN_VERSION") == "TLSv1.2"
    assert crawler.settings.get("DOWNLOAD_TLS_MAX_VERSION") == "TLSv1.2"
    assert crawler.settings.get("DOWNLOADER_CLIENT_TLS_CIPHERS") == "DEFAULT@SECLEVEL=1"
    plain = get_crawler(Listing).settings
    assert plain.get("DOWNLOADER_CLIENT_TLS_CIPHERS") != "DEFAULT@SECLEVEL=1"
