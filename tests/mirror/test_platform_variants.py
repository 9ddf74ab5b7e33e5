"""Markup variants of the SharePoint, Liferay, NukeViet and mediacdn mirrors, over HTTP.

Each platform's spider base lists the markup variants known for its CMS
(``listing_variants`` / ``detail_variants``, crawler/platforms/); a site spider prefers one.
The mirror of each site serves the site in every *other* variant of its platform
(``SiteModel.variants``, crawler/mirror/sites/). Every test starts ``Mirror`` on 127.0.0.1
and reads its pages with httpx, as a crawl would:

- with parsel and the selectors of the variants themselves: the variant's selectors find on
  the variant's page what the site's own selectors find on the default page, and the site's
  own selectors find nothing there (the variant really differs);
- with the site spider itself (``read_listing``, ``read_article``, its pager and its way
  to the next page): every listing page is read with the variant, to the last page, and
  every article with the variant, with the same fields as from the default pages;
- byte for byte (the clock frozen): a listing variant leaves article pages alone, a detail
  variant leaves listing and home pages alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

import crawler.mirror.sites.base as mirror_base
import crawler.mirror.sites.quangtri as mirror_quangtri
from crawler.mirror.server import Mirror
from crawler.mirror.sites import models
from crawler.normalize.dates import VN_TZ
from crawler.platforms.base import ListingEntry
from crawler.platforms.selectors import SelectorSpider, Variant, text_of
from spiders.caobang import CaobangSpider
from spiders.mst import MstSpider
from spiders.quangninh import QuangNinhSpider
from spiders.quangtri import QuangtriSpider
from spiders.vinhphuc import VinhPhucSpider
from tests.mirror_process import mirror_process

SPIDERS: dict[str, type[SelectorSpider]] = {
    "vinhphuc": VinhPhucSpider, "quangninh": QuangNinhSpider, "quangtri": QuangtriSpider,
    "caobang": CaobangSpider, "mst": MstSpider,
}
#: (site, kind, variant): every variant of its platform that a site does not use itself.
CASES = [
    ("vinhphuc", "listing", "news-item"),
    ("vinhphuc", "detail", "news-detail"),
    ("quangninh", "listing", "ListNews-table"),
    ("quangninh", "detail", "ChiTietTin-table"),
    ("quangtri", "listing", "title-list"),
    ("quangtri", "detail", "asset-full-content"),
    ("caobang", "listing", "viewcat_list_new"),
    ("caobang", "listing", "viewcat_grid_new"),
    ("mst", "listing", "box-stream"),
    ("mst", "detail", "detail__bem"),
]
LISTING = [(s, n) for s, k, n in CASES if k == "listing"]
DETAIL = [(s, n) for s, k, n in CASES if k == "detail"]
#: Listing variants without a date selector (the article page has the date).
UNDATED = {"viewcat_grid_new"}
#: Detail variants that read no category: the crawl takes the listing's (see quangninh.py).
NO_CATEGORY = {"ChiTietTin-table"}
#: A home page that is a list of the listing markup (a listing variant changes it too).
HOME_IS_LISTING = {"mst"}
HOME = {"quangninh": "/So/sokhoahoccongnghe/"}


def variant(site: str, name: str) -> Variant:
    spider = SPIDERS[site]
    return next(v for v in (*spider.listing_variants, *spider.detail_variants)
                if v.name == name)


def own_attrs(site: str, name: str) -> dict[str, Any]:
    """The site's own selectors for what variant ``name`` sets: the spider class's
    attributes (its preferred variant, with the site's corrections)."""
    return {key: getattr(SPIDERS[site], key) for key in variant(site, name).attrs}


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Header dates that do not move while a test compares two renderings."""
    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls(2025, 11, 22, 9, 30, tzinfo=VN_TZ)

    for module in (mirror_base, mirror_quangtri):
        monkeypatch.setattr(module, "datetime", Frozen)


@contextmanager
def served(site: str, variants: tuple[str, ...] = ()) -> Iterator[tuple[str, httpx.Client]]:
    with Mirror([site], variants=variants) as mirror, httpx.Client(
            trust_env=False, timeout=10) as client:
        yield mirror.urls[site], client


def fetch(client: httpx.Client, url: str) -> HtmlResponse:
    reply = client.get(url)
    assert reply.status_code == 200, (url, reply.status_code)
    return HtmlResponse(url, body=reply.content, encoding="utf-8")


def items(page: Selector | HtmlResponse, attrs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(href, title) of every list item that ``attrs``' selectors find on a listing page,
    read as SelectorSpider.listing_entries reads them."""
    found = []
    for item in page.css(attrs["listing_item_css"]):
        link = item.css(attrs["listing_link_css"])
        if link and link.attrib.get("href"):
            found.append((link.attrib["href"], text_of(link[0]) or link.attrib.get("title")))
    return found


# -- walking a site with its spider --------------------------------------------------------
@cache
def walk(site: str, variants: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]],
                                                                dict[str, dict[str, Any]]]:
    """Every listing page of every category as the site spider walks it (its variants, its
    pager, its next-page request), and every article it finds, read by the spider."""
    pages: list[dict[str, Any]] = []
    articles: dict[str, dict[str, Any]] = {}
    with served(site, variants) as (base_url, client):
        spider = SPIDERS[site](base_url=base_url)
        for path, category in spider.categories.items():
            page, url = 1, spider.fetch_url(spider.listing_url(path, 1))
            while True:
                response = fetch(client, url)
                found = spider.read_listing(response, fallback=False)
                entries = [(spider.site_link(response, e.url), e.title, e.date_raw)
                           for e in found.entries]
                pages.append({"category": category, "page": page, "entries": entries,
                              "variant": found.variant.name if found.variant else None})
                for entry, (site_url, _title, _date) in zip(found.entries, entries, strict=True):
                    raw = spider.read_article(fetch(client, spider.fetch_url(site_url)), entry)
                    assert raw is not None, site_url
                    articles[site_url] = {
                        "variant": raw.variant, "title": raw.title,
                        "published": raw.published_raw, "summary": raw.summary,
                        "body": text_of(Selector(text=raw.body_html or "")),
                        "images": raw.images, "attachments": raw.attachments,
                        "author": raw.author, "source": raw.source,
                        "view_count": raw.view_count, "category": raw.category,
                        "tags": raw.tags}
                with spider.using(found.variant):
                    more = bool(found.entries) and spider.has_next_page(response, page)
                    request = spider.listing_request(path, category, page + 1, response) \
                        if more else None
                if request is None:
                    break
                page, url = page + 1, request.url
    return pages, articles


def test_every_other_variant_of_the_platform_is_served() -> None:
    for site, spider in SPIDERS.items():
        known = {v.name for v in (*spider.listing_variants, *spider.detail_variants)}
        own = {spider.preferred_variant("listing").name, spider.preferred_variant("detail").name}
        assert set(models()[site].variants) == known - own, site
        assert {n for s, _k, n in CASES if s == site} == known - own, site
        assert models()[site]().chosen_variants == ()


@pytest.mark.parametrize(("site", "kind", "name"), CASES, ids=[f"{s}-{n}" for s, _, n in CASES])
def test_the_spider_reads_every_page_with_the_variant(site: str, kind: str, name: str) -> None:
    spider = SPIDERS[site]
    own = {k: spider.preferred_variant(k).name for k in ("listing", "detail")}
    pages, articles = walk(site)
    got_pages, got_articles = walk(site, (name,))
    # The default site is read with the site's own variants, every article of it.
    assert {p["variant"] for p in pages} == {own["listing"]}
    assert {a["variant"] for a in articles.values()} == {own["detail"]}
    assert len(articles) == len(models()[site]().articles)

    # The variant: every listing page to the last one, the same entries page by page.
    assert {p["variant"] for p in got_pages} == {name if kind == "listing" else own["listing"]}
    assert [(p["category"], p["page"]) for p in got_pages] == \
        [(p["category"], p["page"]) for p in pages]
    for old, new in zip(pages, got_pages, strict=True):
        assert [e[:2] for e in new["entries"]] == [e[:2] for e in old["entries"]]
        if name in UNDATED:
            assert {e[2] for e in new["entries"]} == {None}
        else:  # the date strings as the site prints them
            assert [e[2] for e in new["entries"]] == [e[2] for e in old["entries"]]

    # Every article, read with the variant, with the same fields.
    assert got_articles.keys() == articles.keys()
    assert {a["variant"] for a in got_articles.values()} == \
        {name if kind == "detail" else own["detail"]}
    for url, old in articles.items():
        new = dict(got_articles[url], variant=old["variant"])
        if name in NO_CATEGORY:
            assert old["category"] and new["category"] is None
            new["category"] = old["category"]
        assert new == old, url
    assert all(a["title"] and a["published"] and a["body"] for a in got_articles.values())


# -- listing variants, by their own selectors ------------------------------------------------
def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def listing_paths(site: str) -> list[str]:
    """Every listing page of every category that the spider walks on the default site, as
    the spider builds its URL (path and query)."""
    spider = SPIDERS[site]()
    path = {category: p for p, category in spider.categories.items()}
    return [path_of(spider.listing_url(path[p["category"]], p["page"])) for p in walk(site)[0]]


def pager_pages(site: str, response: HtmlResponse, attrs: Mapping[str, Any]) -> set[int]:
    spider = SPIDERS[site]()
    with spider.using(Variant("test", "listing", "", attrs)):
        return spider.pager_pages(response)


@pytest.mark.parametrize(("site", "name"), LISTING, ids=[f"{s}-{n}" for s, n in LISTING])
def test_listing_variant_selectors(site: str, name: str) -> None:
    mine, own = variant(site, name).attrs, own_attrs(site, name)
    paths = listing_paths(site)
    with served(site) as (base_url, client):
        before = [fetch(client, base_url + path) for path in paths]
        home_before = fetch(client, base_url + HOME.get(site, "/"))
    with served(site, (name,)) as (base_url, client):
        after = [fetch(client, base_url + path) for path in paths]
        home_after = fetch(client, base_url + HOME.get(site, "/"))
    total, paged = 0, set()
    for old, new in zip(before, after, strict=True):
        expected = items(old, own)
        assert expected and items(new, mine) == expected, new.url
        assert items(new, own) == [], new.url  # the site's own list markup is gone
        # The variant's pager selector finds the pages the site's own finds.
        assert pager_pages(site, new, mine) == pager_pages(site, old, own)
        paged |= pager_pages(site, new, mine)
        total += len(expected)
    assert total == len(models()[site]().articles)
    assert paged  # the pager leads on (page 1 may be the bare listing URL)
    if site in HOME_IS_LISTING:  # other home pages stay as they are (see below)
        assert items(home_after, mine) == items(home_before, own) != []
        assert items(home_after, own) == []


def test_quangtri_title_list_keeps_the_right_column() -> None:
    """Only the main column's list changes; the right column's look-alike "Tin mới nhất"
    stays an asset-abstract list, which the site's own selector (``#column-1 …``) skips."""
    mine = variant("quangtri", "title-list").attrs
    with served("quangtri", ("title-list",)) as (base_url, client):
        page = fetch(client, base_url + "/tin-tuc-su-kien")
    assert page.css("#column-1 ul.title-list li") and \
        len(page.css(mine["listing_item_css"])) == len(page.css("#column-1 ul.title-list li"))
    assert not page.css("#column-1 div.asset-abstract")
    assert len(page.css("#column-2 div.portlet-body div.asset-abstract h3.asset-title a")) == 5
    assert page.css("#column-1 div.taglib-page-iterator a[href*='_cur=2']")


def test_mst_day_archive_pages_follow_the_list_variant() -> None:
    model = models()["mst"]()
    day = model.articles[0].published.date()
    expected = [(model.url_of(a), a.title) for a in model.on_day("tin-tuc-su-kien", day)]
    mine = variant("mst", "box-stream").attrs
    with served("mst", ("box-stream",)) as (base_url, client):
        spider = MstSpider(base_url=base_url, days=day.isoformat())
        url = spider.fetch_url(spider.site_url + spider.day_archive_path(
            "/tin-tuc-su-kien.htm", day))
        page = fetch(client, url)
        empty = fetch(client, spider.fetch_url(spider.site_url + spider.day_archive_path(
            "/tin-tuc-su-kien.htm", date(2000, 1, 1))))
        found = spider.read_listing(page, fallback=False)
    assert expected and items(page, mine) == expected
    assert found.variant.name == "box-stream"
    assert [(urlsplit(spider.site_link(page, e.url)).path, e.title) for e in found.entries] \
        == expected
    assert not items(empty, mine) and empty.css("div.box-stream p.box-stream-empty")
    assert not items(page, own_attrs("mst", "box-stream"))


# -- detail variants, by their own selectors --------------------------------------------------
def read(scope: Selector, css: str) -> str | None:
    found = scope.css(css) if css else None
    return text_of(found[0]) if found else None


def block(page: HtmlResponse, attrs: Mapping[str, Any]) -> Selector:
    found = page.css(attrs["article_css"])
    assert len(found) == 1, page.url
    return found[0]


@pytest.mark.parametrize(("site", "name"), DETAIL, ids=[f"{s}-{n}" for s, n in DETAIL])
def test_detail_variant_selectors(site: str, name: str) -> None:
    mine, own = variant(site, name).attrs, own_attrs(site, name)
    _pages, articles = walk(site)
    with served(site) as (base_url, client):
        spider = SPIDERS[site](base_url=base_url)
        before = {url: fetch(client, spider.fetch_url(url)) for url in articles}
    with served(site, (name,)) as (base_url, client):
        spider = SPIDERS[site](base_url=base_url)
        after = {url: fetch(client, spider.fetch_url(url)) for url in articles}
    for url, old_page in before.items():
        new_page = after[url]
        old, new = block(old_page, own), block(new_page, mine)
        for key in ("title_css", "date_css", "summary_css", "view_css", "author_css"):
            if mine.get(key) and own.get(key):
                assert read(new, mine[key]) == read(old, own[key]), (url, key)
        assert read(new, mine["title_css"]) and read(new, mine["date_css"])
        if mine.get("category_css"):  # in the block, else anywhere on the page
            assert (read(new, mine["category_css"]) or read(new_page.selector,
                                                            mine["category_css"])) == \
                articles[url]["category"]
        # The same body: the body element's children, markup and all.
        old_body, new_body = old.css(own["body_css"]), new.css(mine["body_css"])
        assert len(new_body) == 1
        assert new_body.xpath("./*").getall() == old_body[0].xpath("./*").getall()
        # The site's own article block is gone, and so is a title it could read (the body
        # class may be shared: Liferay's journal-content-article is in both layouts).
        assert not new_page.css(own["article_css"]), url
        assert not new_page.css(own["title_css"]), url
        # Nothing but the article block changes.
        assert new_page.xpath("//head").get() == old_page.xpath("//head").get()


def test_quangninh_attachments_in_the_table_layout() -> None:
    mine = variant("quangninh", "ChiTietTin-table").attrs
    model = models()["quangninh"]()
    with_files = [a for a in model.articles if model.attachments(a)]
    assert with_files
    with served("quangninh", ("ChiTietTin-table",)) as (base_url, client):
        for art in with_files:
            page = fetch(client, f"{base_url}/So/sokhoahoccongnghe/Trang/ChiTietTinTuc.aspx"
                                 f"?nid={art.id}")
            links = block(page, mine).css(mine["attachment_css"])
            assert [(a.attrib["href"], text_of(a)) for a in links] == model.attachments(art)


# -- what each kind of variant leaves alone ----------------------------------------------------
def same_pages(site: str, name: str, paths: list[str]) -> None:
    texts = []
    for chosen in ((), (name,)):
        with served(site, chosen) as (base_url, client):
            texts.append([client.get(base_url + path).text for path in paths])
    assert texts[0] == texts[1]


@pytest.mark.parametrize(("site", "kind", "name"), CASES, ids=[f"{s}-{n}" for s, _, n in CASES])
def test_a_variant_changes_only_its_kind_of_page(site: str, kind: str, name: str,
                                                 frozen_clock: None) -> None:
    if kind == "listing":
        home = [] if site in HOME_IS_LISTING else [HOME.get(site, "/")]
        same_pages(site, name, [path_of(u) for u in list(walk(site)[1])[::5]] + home)
    else:
        same_pages(site, name, [HOME.get(site, "/"), *listing_paths(site)])


def test_no_variant_renders_the_default_site(frozen_clock: None) -> None:
    """Choosing nothing, or a variant another chosen site knows, changes nothing."""
    with Mirror(["caobang", "mst"], variants=("box-stream",)) as mirror, \
            Mirror(["caobang"]) as plain, httpx.Client(trust_env=False, timeout=10) as client:
        for path in ("/", "/index.php?language=vi&nv=news&op=Khoa-hoc-cong-nghe"):
            assert client.get(mirror.urls["caobang"] + path).text == \
                client.get(plain.urls["caobang"] + path).text
        assert items(fetch(client, mirror.urls["mst"] + "/tin-tuc-su-kien.htm"),
                     variant("mst", "box-stream").attrs)


# -- scenarios, several sites, the subprocess ------------------------------------------------
def test_removed_articles_in_a_variant() -> None:
    """Scenario "gone" in a variant: the removed articles answer 404 and 410, the others
    render in the variant (the check for 410 renders the base site in the same variant)."""
    name = "ChiTietTin-table"
    model = models()["quangninh"]("gone", (name,))
    with Mirror(["quangninh"], scenario="gone", variants=(name,)) as mirror, httpx.Client(
            base_url=mirror.urls["quangninh"] + "/So/sokhoahoccongnghe/Trang/",
            trust_env=False, timeout=10) as client:
        statuses = [client.get(f"ChiTietTinTuc.aspx?nid={a.id}").status_code
                    for a in model.removed]
        kept = fetch(client, f"{client.base_url}ChiTietTinTuc.aspx?nid={model.articles[0].id}")
    assert statuses == [404, 410]
    raw = QuangNinhSpider().read_article(kept, ListingEntry(url=kept.url))
    assert raw is not None and raw.variant == name and raw.title == model.articles[0].title


def test_sharepoint_sites_swap_their_markup() -> None:
    """One mirror, both SharePoint flavours, each in the other's markup."""
    variants = ("news-item", "ListNews-table", "news-detail", "ChiTietTin-table")
    with Mirror(["vinhphuc", "quangninh"], variants=variants) as mirror, httpx.Client(
            trust_env=False, timeout=10) as client:
        vinhphuc = fetch(client, mirror.urls["vinhphuc"]
                         + "/noidung/tintuc/Lists/TinTuc/View_List.aspx")
        quangninh = fetch(client, mirror.urls["quangninh"]
                          + "/So/sokhoahoccongnghe/Trang/tin-tuc-su-kien.aspx")
        assert items(vinhphuc, variant("vinhphuc", "news-item").attrs)
        assert items(quangninh, variant("quangninh", "ListNews-table").attrs)
        assert not items(vinhphuc, own_attrs("vinhphuc", "news-item"))
        assert not items(quangninh, own_attrs("quangninh", "ListNews-table"))
        first = vinhphuc.urljoin(vinhphuc.css("div.news-item h3.news-title a::attr(href)").get())
        assert fetch(client, first).css("div.news-detail h1.news-detail-title")
        first = quangninh.urljoin(quangninh.css("table.ListNews a.title::attr(href)").get())
        assert fetch(client, first).css("table.ChiTietTin td.tieude")


def test_mirror_process_serves_platform_variants() -> None:
    with mirror_process("caobang", "quangtri",
                        variants=("viewcat_list_new", "asset-full-content")) as urls, \
            httpx.Client(trust_env=False, timeout=10) as client:
        listing = fetch(client, urls["caobang"]
                        + "/index.php?language=vi&nv=news&op=Khoa-hoc-cong-nghe")
        assert len(items(listing, variant("caobang", "viewcat_list_new").attrs)) == 10
        quangtri = fetch(client, urls["quangtri"] + "/tin-tuc-su-kien")
        href = quangtri.css("#column-1 h3.asset-title a::attr(href)").get()
        path = re.sub(r"^https?://[^/]+", "", href)
        article = fetch(client, urls["quangtri"] + path)
        assert article.css("div.portlet-body div.asset-full-content h1.header-title")
