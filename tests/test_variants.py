"""Markup variants and the fallback on their own: what every platform base declares, how a
page is read (preferred variant, another, the fallback) and the alarm each failure raises.
End to end, against the mirror: tests/e2e/test_variants_crawl.py."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

import crawler.platforms as platforms_pkg
from crawler.parsing import spider_class
from crawler.platforms.base import ListingEntry
from crawler.platforms.selectors import SelectorSpider
from crawler.platforms.vnpt import LAST_TRY_META, PAGINATION_META, VnptSpider
from spiders.ninhbinh import NinhbinhSpider
from spiders.sonla import SonlaSpider

SITE = "https://sokhcn.sonla.gov.vn"
EVIDENCE = ("CONFIRMED", "CONFIRMED as source", "REPORTED", "GUESS")


def platform_bases() -> list[type[SelectorSpider]]:
    import importlib
    import pkgutil

    found = []
    for info in pkgutil.iter_modules(platforms_pkg.__path__):
        module = importlib.import_module(f"crawler.platforms.{info.name}")
        found += [obj for _, obj in inspect.getmembers(module, inspect.isclass)
                  if issubclass(obj, SelectorSpider) and obj is not SelectorSpider
                  and obj.__module__ == module.__name__
                  and "listing_variants" in vars(obj) | vars(obj.__mro__[1])]
    return sorted(set(found), key=lambda c: c.__name__)


def site_spiders() -> list[type]:
    from crawler.mirror.sites import models

    return [spider_class(s) for s in sorted(set(models()) - {"generic"})]


def page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=f"<html><body>{body}</body></html>".encode(),
                        encoding="utf-8", request=scrapy.Request(url))


# -- what the bases declare ---------------------------------------------------------------
@pytest.mark.parametrize("base", platform_bases(), ids=lambda c: c.__name__)
def test_every_platform_base_lists_its_variants_uniformly(base):
    for kind in ("listing", "detail"):
        variants = getattr(base, f"{kind}_variants")
        assert variants, f"{base.__name__} lists no {kind} variant"
        assert len({v.name for v in variants}) == len(variants)
        # Every variant of a kind sets the same attributes: trying one never leaves another
        # variant's selector in place.
        assert len({frozenset(v.attrs) for v in variants}) == 1, [
            (v.name, sorted(v.attrs)) for v in variants]
        assert all(v.kind == kind and v.evidence in EVIDENCE for v in variants)
        assert all(hasattr(base, key) for v in variants for key in v.attrs)


def test_vnpt_knows_both_list_modules_both_encodings_and_both_detail_layouts():
    assert [v.name for v in VnptSpider.listing_variants] == ["UIArticleInMenu_Default",
                                                              "UIListNews_Default"]
    assert [v.name for v in VnptSpider.detail_variants] == ["ArticleDetailControl",
                                                             "Article-Detail-default"]
    assert set(VnptSpider.pagination_encodings) == {"json", "form"}


@pytest.mark.parametrize("spider", site_spiders(), ids=lambda c: c.name)
def test_a_site_spider_takes_its_preferred_variants_attributes(spider):
    for kind in ("listing", "detail"):
        preferred = spider.preferred_variant(kind)
        for key, value in preferred.attrs.items():
            if key not in vars(spider):  # a site's own correction wins
                assert getattr(spider, key) == value, (spider.name, key)


def test_ninhbinh_and_sonla_differ_only_in_data():
    code = {cls: {k for k, v in vars(cls).items() if callable(v) and not k.startswith("__")}
            for cls in (NinhbinhSpider, SonlaSpider)}
    assert code == {NinhbinhSpider: set(), SonlaSpider: set()}
    assert NinhbinhSpider.preferred_variant("listing").name == "UIListNews_Default"
    assert SonlaSpider.preferred_variant("listing").name == "UIArticleInMenu_Default"


def test_an_unknown_preferred_variant_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="UIArticleInMenu_Default, UIListNews_Default"):
        type("Bad", (VnptSpider,), {"name": "bad", "listing_variant": "nope"})


def test_using_a_variant_shadows_and_restores_attributes():
    spider = SonlaSpider()
    other = VnptSpider.listing_variants[1]
    with spider.using(other):
        assert spider.listing_item_css == "div.UIListNews_Default .item"
        with spider.using(VnptSpider.detail_variants[1]):
            assert spider.title_css == ".entry-title"
            assert spider.listing_item_css == "div.UIListNews_Default .item"
        assert spider.title_css == "div.ArticleHeader"
    assert spider.listing_item_css == SonlaSpider.listing_item_css
    assert "listing_item_css" not in vars(spider)


# -- reading pages ------------------------------------------------------------------------
LIST_NEWS = """<div class="UIListNews_Default"><div class="list-news">
  <div class="item"><h3 class="Title"><a href="/tin-tuc-su-kien/bai-mot-928001">Bài một</a></h3>
  <div class="Ngaydang">20/11/2025</div><p>Mở đầu.</p></div>
  <div class="item"><h3 class="Title"><a href="/tin-tuc-su-kien/bai-hai-928002">Bài hai</a></h3>
  <div class="Ngaydang">19/11/2025</div></div></div></div>"""


def test_a_listing_in_another_known_variant_is_read_by_it():
    found = SonlaSpider().read_listing(page(f"{SITE}/tin-tuc-su-kien", LIST_NEWS))
    assert found.variant.name == "UIListNews_Default" and not found.fallback
    assert found.tried == ("UIArticleInMenu_Default", "UIListNews_Default")
    assert [(e.title, e.date_raw, e.fallback) for e in found.entries] == [
        ("Bài một", "20/11/2025", False), ("Bài hai", "19/11/2025", False)]


REDESIGNED = """<nav><a href="/gioi-thieu">Giới thiệu</a><a href="/tin-tuc-su-kien">Tin</a></nav>
<section class="news-v3">
  <article><a href="/tin-tuc-su-kien/bai-mot-928001"><img src="/a.jpg" alt="Bài một"></a>
    <h4><a href="/tin-tuc-su-kien/bai-mot-928001">Bài một</a></h4>
    <p>Ngày 18/11/2025, Sở tổ chức hội nghị.</p><span>Ngày đăng: 20/11/2025</span></article>
  <article><h4><a href="/tin-tuc-su-kien/bai-hai-928002">Bài hai về ngày 18/5</a></h4>
    <span>19/11/2025</span></article>
</section>
<aside><h3>Tin xem nhiều</h3><a href="/chuyen-doi-so/bai-ba-928003">Bài ba</a></aside>
<a href="/upload/104345/fck/202511/ke-hoach-928002.pdf">Kế hoạch</a>"""


def test_no_known_variant_falls_back_to_article_links_with_their_items_dates():
    found = SonlaSpider().read_listing(page(f"{SITE}/tin-tuc-su-kien", REDESIGNED))
    assert found.fallback and found.variant is None
    assert found.tried == ("UIArticleInMenu_Default", "UIListNews_Default")
    # Article links only (not menus, not documents), once each; the date printed alone in
    # the item, not the teaser's event date nor a date in the title; the undated sidebar
    # link of a dated list is dropped (its article has its own listing page).
    assert [(e.url, e.title, e.date_raw, e.fallback) for e in found.entries] == [
        ("/tin-tuc-su-kien/bai-mot-928001", "Bài một", "Ngày đăng: 20/11/2025", True),
        ("/tin-tuc-su-kien/bai-hai-928002", "Bài hai về ngày 18/5", "19/11/2025", True)]


def test_the_fallback_reads_only_a_categorys_first_page_or_pages_after_a_fallback():
    spider = SonlaSpider()
    empty = page(f"{SITE}/tin-tuc-su-kien?page=2", REDESIGNED)
    assert spider.may_fall_back(empty, "/tin-tuc-su-kien", 1)
    assert not spider.may_fall_back(empty, "/tin-tuc-su-kien", 2)  # an empty last page
    spider.fallback_seen["/tin-tuc-su-kien"] = set()
    assert spider.may_fall_back(empty, "/tin-tuc-su-kien", 2)


def test_alarm_a_first_listing_page_no_variant_reads():
    spider = SonlaSpider()
    response = page(f"{SITE}/tin-tuc-su-kien", "<p>Trang đang bảo trì.</p>")
    out = list(spider.parse_listing(response, path="/tin-tuc-su-kien",
                                    category="Tin tức - Sự kiện", page=1))
    assert out == []
    [alarm] = spider.alarms
    assert alarm.kind == "listing_no_variant" and alarm.url == f"{SITE}/tin-tuc-su-kien"
    assert alarm.message == (f"no listing variant matched on {SITE}/tin-tuc-su-kien: tried "
                             "UIArticleInMenu_Default, UIListNews_Default; generic fallback "
                             "found 0 links")


def test_no_alarm_for_an_empty_page_after_a_first_page_a_variant_read():
    spider = SonlaSpider()
    response = page(f"{SITE}/tin-tuc-su-kien?page=3", "<p>Không có tin.</p>")
    assert list(spider.parse_listing(response, path="/tin-tuc-su-kien",
                                     category="Tin tức - Sự kiện", page=3)) == []
    assert spider.alarms == []


ARTICLE = """<h1>{title}</h1><p class="meta">Cập nhật: 20/11/2025 08:30</p>
<div class="content-v3">{body}</div>"""
BODY = "".join(f"<p>Đoạn {i}: Sở Khoa học và Công nghệ tỉnh Sơn La tổ chức hội nghị tổng kết "
               f"công tác năm, triển khai nhiệm vụ khoa học và công nghệ năm tới.</p>"
               for i in range(4))


def test_alarm_an_article_page_no_variant_reads_and_the_generic_extractor_stands_in():
    spider = SonlaSpider()
    url = f"{SITE}/tin-tuc-su-kien/bai-mot-928001"
    title = "Hội nghị tổng kết công tác khoa học và công nghệ năm 2025"
    raw = spider.read_article(page(url, ARTICLE.format(title=title, body=BODY)),
                              ListingEntry(url=url))
    assert raw.extractor == "generic-fallback" and raw.variant == "generic"
    assert "detail_fallback" in raw.flags and raw.title == title
    assert "Đoạn 3" in raw.body_html
    [alarm] = spider.alarms
    assert alarm.kind == "detail_no_variant" and alarm.url == url
    assert alarm.message == (f"no article variant found a title and a body on {url}: tried "
                             "ArticleDetailControl, Article-Detail-default; the generic "
                             "extractor read it")


def test_an_article_in_another_known_variant_is_read_by_it_without_alarm():
    spider = SonlaSpider()
    url = f"{SITE}/tin-tuc-su-kien/bai-mot-928001"
    html = ('<section class="Article-Detail-default"><article class="detailType2 Article-News">'
            '<h1 class="entry-title">Bài một</h1><time class="post-date">20/11/2025 08:30'
            f'</time><div class="post-content">{BODY}</div></article></section>')
    raw = spider.read_article(page(url, html), ListingEntry(url=url))
    assert (raw.variant, raw.extractor, raw.title) == ("Article-Detail-default", "site",
                                                      "Bài một")
    assert raw.published_raw == "20/11/2025 08:30" and spider.alarms == []


def test_a_fallback_link_to_a_page_that_is_no_article_is_dropped_quietly():
    spider = SonlaSpider()
    url = f"{SITE}/gioi-thieu/lich-su-1"
    raw = spider.read_article(page(url, "<h1>Giới thiệu</h1><p>Liên hệ.</p>"),
                              ListingEntry(url=url, fallback=True))
    assert raw is None and spider.alarms == []


def test_a_page_nobody_reads_is_kept_flagged_and_alarmed():
    spider = SonlaSpider()
    url = f"{SITE}/tin-tuc-su-kien/trong-928009"
    raw = spider.read_article(page(url, "<div>…</div>"), ListingEntry(url=url, title="Tin"))
    assert raw is not None and raw.extractor == "site" and not raw.body_html
    assert [a.kind for a in spider.alarms] == ["detail_no_variant"]
    assert spider.alarms[0].message.endswith("the generic extractor found no article either")


def test_a_refused_page_call_is_sent_in_the_other_encoding_then_alarmed():
    spider = NinhbinhSpider()
    params: dict[str, Any] = {"article_category_id": 2417, "site_id": 61, "page_size": 10}
    kwargs = {"path": "/tin-hoat-dong-cua-so", "category": "Tin hoạt động của Sở", "page": 2}
    first = spider.pagination_request(params, 2, "https://x/", cb_kwargs=kwargs)
    assert first.meta["dont_retry"] and first.headers.get("Content-Type") == \
        b"application/x-www-form-urlencoded"

    def refuse(request: scrapy.Request) -> Failure:
        response = HtmlResponse(url=request.url, status=500, request=request, body=b"")
        failure = Failure(HttpError(response))
        failure.request = request  # type: ignore[attr-defined]
        return failure

    [json_call] = spider.pagination_failed(refuse(first))
    assert json_call.headers.get("Content-Type").startswith(b"application/json")
    [last] = spider.pagination_failed(refuse(json_call))  # both refused: once more, retried
    assert last.meta[LAST_TRY_META] and "dont_retry" not in last.meta
    assert last.meta[PAGINATION_META] == params and spider.alarms == []
    assert list(spider.pagination_failed(refuse(last))) == []
    [alarm] = spider.alarms
    assert alarm.kind == "paging_failed"
    assert "refused page 2 of 'Tin hoạt động của Sở' in every encoding: tried form, json, " \
           "form (HTTP 500)" in alarm.message
