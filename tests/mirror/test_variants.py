"""Markup variants of the VNPT mirror (crawler/mirror/sites/_vnpt.py), served over HTTP.

Each test starts ``Mirror(sites, variants=…)`` on 127.0.0.1 and reads its pages with httpx
and parsel, as a spider would: the list modules ``UIArticleInMenu_Default`` /
``UIListNews_Default``, the ``Article-Detail-default`` detail layout and the LoadArticle
encodings ``ajax-json`` / ``ajax-form``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import httpx
import pytest
from parsel import Selector, SelectorList

from crawler.mirror.server import Mirror
from crawler.mirror.sites._vnpt import LOAD_ARTICLE_PARAMS, PAGINATION_PATH, VnptModel
from crawler.mirror.sites.ninhbinh import NinhbinhModel
from crawler.mirror.sites.sonla import SonlaModel
from tests.mirror_process import mirror_process

VNPT_VARIANTS = ("Article-Detail-default", "UIArticleInMenu_Default", "UIListNews_Default",
                 "ajax-form", "ajax-json")
MODELS: dict[str, type[VnptModel]] = {"sonla": SonlaModel, "ninhbinh": NinhbinhModel}
CATEGORY = {"sonla": "tin-tuc-su-kien", "ninhbinh": "tin-hoat-dong-cua-so"}
FORM = "application/x-www-form-urlencoded; charset=UTF-8"
JSON = "application/json; charset=utf-8"


@contextmanager
def served(*sites: str, variants: tuple[str, ...] = ()) -> Iterator[httpx.Client]:
    """A client whose base URL is the first site's mirror (all of ``sites`` are served)."""
    with Mirror(sites, variants=variants) as mirror, httpx.Client(
            base_url=mirror.urls[sites[0]], trust_env=False, timeout=10) as client:
        yield client


def get(client: httpx.Client, path: str) -> Selector:
    reply = client.get(path)
    assert reply.status_code == 200, (path, reply.status_code)
    return Selector(text=reply.text)


def call_fields(site: str, page: int) -> dict[str, object]:
    """Every LoadArticle field, as the listing page's JS sends them, for ``page``."""
    model = MODELS[site]
    category_id = model.category_ids[CATEGORY[site]]
    fields: dict[str, object] = {
        "article_category_id": category_id,
        "categoryIds": model.category_tree.get(CATEGORY[site], str(category_id)),
        "site_id": model.site_id, "page": page, "page_size": model.page_size, "keyword": "",
        "date_begin": "", "date_end": "", "show_no": "False", "show_post_date": "True",
        "num_of_text": 200, "show_view_count": "False", "filter_order_in_list": "False",
        "is_default": "False", "new": "False", "number_of_day": 3, "no": -model.page_size,
        "articlelang": "vi-VN", "is_authenticated": "False",
    }
    assert tuple(fields) == LOAD_ARTICLE_PARAMS
    return fields


def load_article(client: httpx.Client, site: str, page: int, encoding: str) -> httpx.Response:
    fields = call_fields(site, page)
    if encoding == "json":
        return client.post(PAGINATION_PATH, content=json.dumps(fields),
                           headers={"Content-Type": JSON})
    return client.post(PAGINATION_PATH, content=urlencode(fields),
                       headers={"Content-Type": FORM})


def fragment(reply: httpx.Response) -> Selector:
    """The items of an accepted LoadArticle answer (``{"d": …}`` or the bare fragment)."""
    assert reply.status_code == 200, reply.text[:300]
    if reply.headers["content-type"].startswith("application/json"):
        return Selector(text=reply.json()["d"])
    assert reply.headers["content-type"].startswith("text/html")
    return Selector(text=reply.text)


def assert_site_fault(site: str, reply: httpx.Response) -> None:
    """A refused call: HTTP 500 in the site's own error format."""
    assert reply.status_code == 500
    if site == "sonla":  # ASP.NET's JSON error
        assert reply.headers["jsonerror"] == "true"
        assert reply.headers["content-type"].startswith("application/json")
        assert reply.json()["ExceptionType"] == "System.InvalidOperationException"
    else:  # Ninh Bình: ASP.NET's HTML error page
        assert reply.headers["content-type"].startswith("text/html")
        assert "Server Error in '/' Application." in reply.text


def without_header_date(html: str) -> str:
    return re.sub(r'<span class="header-date">[^<]*</span>', "", html)


# -- the list modules ------------------------------------------------------------------------
def assert_items(items: SelectorList[Selector], title: str) -> None:
    """List items, each with a title link, a dd/mm/yyyy date, a summary and a thumbnail."""
    assert items
    for item in items:
        assert item.css(f"{title}::attr(href)").get()
        assert item.css("div.Ngaydang::text").re(r"\d{2}/\d{2}/\d{4}")
        assert item.css("p::text").get()
        assert item.css("img.image")


def assert_list_news(page: Selector, module: str = "div.UIListNews_Default") -> None:
    assert_items(page.css(f"{module} div.list-news div.item"), "h3.Title a")
    assert not page.css(f"{module} ul.ArticleList, {module} li.row, {module} h2.Title")


def assert_article_in_menu(page: Selector, module: str = "div.UIArticleInMenu_Default") -> None:
    assert_items(page.css(f"{module} ul.ArticleList li.row"), "h2.Title a")
    assert page.css(f"{module} li.row div.col-lg-2 img.image")
    assert not page.css(f"{module} div.list-news, {module} div.item, {module} h3.Title")


def default_links(site: str, page: int) -> list[str]:
    """The article links of LoadArticle ``page`` on the site without variants."""
    with served(site) as client:
        answer = fragment(load_article(client, site, page, "form"))
    return answer.css(".Title a::attr(href)").getall()


def pane_text(page: Selector) -> list[str]:
    """The text of the page's main column, one stripped string per text node."""
    return [t.strip() for t in page.css("div.ContentPane *::text").getall() if t.strip()]


def test_sonla_with_the_ui_list_news_module() -> None:
    category = CATEGORY["sonla"]
    with served("sonla", variants=("UIListNews_Default",)) as client:
        listing = get(client, f"/{category}")
        assert_list_news(listing)
        assert listing.css(f"div.UIListNews_Default div.list-news#ListNews_"
                           f"{SonlaModel.category_ids[category]}")
        assert len(listing.css("div.UIListNews_Default div.item h3.Title a")) == 10
        assert not listing.css("div.UIArticleInMenu_Default")
        # The pager and its inline JS follow the module.
        assert listing.css("div.UIListNews_Default ul.pagination li.page-number[data-page]")
        js = " ".join(listing.css("div.UIListNews_Default script::text").getall())
        assert '$(".UIListNews_Default .page-number")' in js
        assert "JSON.stringify(param)" in js  # Sơn La's own encoding is unchanged
        # Sơn La's "Tin xem nhiều" column stays as it is, outside the list module.
        hot = listing.css("div.RightPane div.UIArticleHot_Default ul.ArticleList li.row")
        assert len(hot) == 5 and hot.css("h2.Title a")
        assert not listing.css("div.UIListNews_Default div.UIArticleHot_Default")

        home = get(client, "/")
        assert len(home.css("div.UIListNews_Home")) == len(SonlaModel.categories)
        assert_list_news(home, "div.UIListNews_Home")
        assert not home.css("div.UIArticleInMenu_Home")

        answer = fragment(load_article(client, "sonla", 2, "form"))
        assert_items(answer.css("body > div.item"), "h3.Title a")
        assert not answer.css("li.row, h2.Title")
        links = answer.css("div.item h3.Title a::attr(href)").getall()
    assert links == default_links("sonla", 2)  # the same articles, in the other markup


def test_ninhbinh_with_the_ui_article_in_menu_module() -> None:
    category = CATEGORY["ninhbinh"]
    with served("ninhbinh", variants=("UIArticleInMenu_Default",)) as client:
        listing = get(client, f"/{category}")
        assert_article_in_menu(listing)
        assert listing.css(f"div.UIArticleInMenu_Default ul.ArticleList#ArticleList_"
                           f"{NinhbinhModel.category_ids[category]}")
        assert len(listing.css("div.UIArticleInMenu_Default li.row h2.Title a")) == 10
        assert not listing.css("div.UIListNews_Default")
        js = " ".join(listing.css("div.UIArticleInMenu_Default script::text").getall())
        assert '$(".UIArticleInMenu_Default .page-number")' in js
        assert "data: param," in js and "JSON.stringify" not in js
        # Ninh Bình's "Tin xem nhiều" keeps the item markup in its UIListNews_Hot module.
        hot = listing.css("div.RightPane div.UIListNews_Hot div.list-news div.item h3.Title a")
        assert len(hot) == 5
        assert not listing.css("div.UIArticleInMenu_Default div.UIListNews_Hot")

        home = get(client, "/")
        assert len(home.css("div.UIArticleInMenu_Home")) == len(NinhbinhModel.categories)
        assert_article_in_menu(home, "div.UIArticleInMenu_Home")
        assert not home.css("div.UIListNews_Home")

        answer = fragment(load_article(client, "ninhbinh", 2, "form"))
        assert_items(answer.css("body > li.row"), "h2.Title a")
        assert not answer.css("div.item, h3.Title")
        links = answer.css("li.row h2.Title a::attr(href)").getall()
    assert links == default_links("ninhbinh", 2)


def test_a_variant_that_is_the_sites_default_changes_nothing() -> None:
    own = {"sonla": ("UIArticleInMenu_Default",),
           "ninhbinh": ("UIListNews_Default", "ajax-form")}
    for site, variants in own.items():
        pages: list[list[str]] = []
        for chosen in ((), variants):
            with served(site, variants=chosen) as client:
                listing = get(client, f"/{CATEGORY[site]}")
                article = listing.css(".Title a::attr(href)").get()
                pages.append([without_header_date(client.get(path).text)
                              for path in ("/", f"/{CATEGORY[site]}", article)]
                             + [load_article(client, site, 2, "form").text])
        assert pages[0] == pages[1], site


def test_one_variant_for_several_sites() -> None:
    """Every chosen site that knows the variant serves it; one that does not ignores it."""
    with Mirror(["sonla", "ninhbinh", "caobang"], variants=("UIListNews_Default",)) as mirror, \
            Mirror(["caobang"]) as plain, httpx.Client(trust_env=False, timeout=10) as client:
        for site in ("sonla", "ninhbinh"):
            page = Selector(text=client.get(f"{mirror.urls[site]}/{CATEGORY[site]}").text)
            assert_list_news(page)
        caobang = client.get(mirror.urls["caobang"] + "/").text
        assert without_header_date(caobang) == without_header_date(
            client.get(plain.urls["caobang"] + "/").text)


# -- the detail layout ------------------------------------------------------------------------
@pytest.mark.parametrize("site", ["sonla", "ninhbinh"])
def test_article_detail_default_layout(site: str) -> None:
    with served(site) as client:
        listing = get(client, f"/{CATEGORY[site]}")
        urls = listing.css(".Title a::attr(href)").getall()
        before = {url: get(client, url) for url in urls}
    with served(site, variants=("Article-Detail-default",)) as client:
        after = {url: get(client, url) for url in urls}
        # The list module is the site's own.
        listing = get(client, f"/{CATEGORY[site]}")
        if site == "ninhbinh":
            assert_list_news(listing)
        else:
            assert_article_in_menu(listing)

    checked = {"images": 0, "files": 0, "credits": 0}
    for url in urls:
        old, new = before[url], after[url]
        assert not new.css(".ArticleDetailControl, .ArticleHeader, .PostDate, .ArticleContent")
        art = new.css("div.ContentPane > section.Article-Detail-default > "
                      "article.detailType2.Article-News")
        assert len(art) == 1
        assert art.css("h1.entry-title::text").get() == \
            old.css("div.ArticleHeader h1::text").get()
        assert art.css("time.post-date::text").get() == \
            old.css("div.PostDate::text").get().strip()
        assert art.css("div.post-summary::text").get() == \
            old.css("div.ArticleSummary::text").get()
        assert art.css("img.post-image::attr(src)").get() == \
            old.css("img.ImgDetailImage::attr(src)").get()
        body, old_body = art.css("div.post-content"), old.css("div.ArticleContent")
        assert body.xpath("./*").getall() == \
            old_body.xpath("./*[not(contains(@class, 'UISocialShare'))]").getall()
        checked["images"] += len(body.css("img"))
        checked["files"] += len(body.css("a.link-download"))
        checked["credits"] += len(body.css("div.author, p[style*=right]"))
        # The same text but the print/zoom toolbar and the view count, the same URLs.
        toolbar = {t.strip() for t in old.css("div.row.post-info div.tool *::text, "
                                              "div.row.post-info div.tool::text, "
                                              "div.ArticleViewCount::text").getall()}
        assert pane_text(new) == [t for t in pane_text(old) if t not in toolbar]
        urls_of = "div.ContentPane *[href], div.ContentPane *[src]"
        assert new.css(urls_of).xpath("@href | @src").getall() == [
            u for u in old.css(urls_of).xpath("@href | @src").getall()
            if not u.startswith("javascript:")]
        assert new.css("div.UIArticleRelated_Default").get() == \
            old.css("div.UIArticleRelated_Default").get()
        assert new.xpath("//head").get() == old.xpath("//head").get()
    assert all(checked.values()), checked  # images, attachments and bylines were compared


# -- the LoadArticle encodings -----------------------------------------------------------------
@pytest.mark.parametrize("site", ["sonla", "ninhbinh"])
def test_ajax_json_reads_json_only(site: str) -> None:
    with served(site, variants=("ajax-json",)) as client:
        refused = load_article(client, site, 2, "form")
        assert_site_fault(site, refused)
        assert "Invalid JSON primitive." in refused.text
        answer = load_article(client, site, 2, "json")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        items = Selector(text=answer.json()["d"]).css(".Title a::attr(href)").getall()
        assert items == default_links(site, 2)
        incomplete = client.post(PAGINATION_PATH, content=json.dumps({"page": 2}),
                                 headers={"Content-Type": JSON})
        assert_site_fault(site, incomplete)
        js = " ".join(get(client, f"/{CATEGORY[site]}").css("script::text").getall())
        assert "data: JSON.stringify(param)," in js
        assert 'contentType: "application/json; charset=utf-8"' in js
        assert "data: param," not in js


@pytest.mark.parametrize("site", ["sonla", "ninhbinh"])
def test_ajax_form_reads_form_fields_only(site: str) -> None:
    with served(site, variants=("ajax-form",)) as client:
        refused = load_article(client, site, 2, "json")
        assert_site_fault(site, refused)
        assert "Input string was not in a correct format." in refused.text
        answer = load_article(client, site, 2, "form")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert not answer.text.lstrip().startswith("{")
        assert Selector(text=answer.text).css(".Title a::attr(href)").getall() == \
            default_links(site, 2)
        js = " ".join(get(client, f"/{CATEGORY[site]}").css("script::text").getall())
        assert "data: param," in js and "JSON.stringify" not in js


def test_sonla_default_reads_both_encodings() -> None:
    with served("sonla") as client:
        as_json = load_article(client, "sonla", 2, "json")
        as_form = load_article(client, "sonla", 2, "form")
    assert as_json.json()["d"] == as_form.text


def test_variants_combine() -> None:
    variants = ("UIListNews_Default", "Article-Detail-default", "ajax-json")
    with served("sonla", variants=variants) as client:
        listing = get(client, f"/{CATEGORY['sonla']}")
        assert_list_news(listing)
        url = listing.css("div.UIListNews_Default h3.Title a::attr(href)").get()
        assert get(client, url).css("section.Article-Detail-default h1.entry-title")
        assert_site_fault("sonla", load_article(client, "sonla", 2, "form"))
        assert Selector(text=load_article(client, "sonla", 2, "json").json()["d"]).css(
            "div.item h3.Title a")


# -- names ------------------------------------------------------------------------------------
def test_every_vnpt_model_knows_the_variants() -> None:
    for model in MODELS.values():
        assert tuple(sorted(model.variants)) == VNPT_VARIANTS
        assert model().chosen_variants == ()


def test_unknown_variant_of_a_model() -> None:
    with pytest.raises(ValueError) as caught:
        SonlaModel("base", ("UIListNews_Default", "nope"))
    message = str(caught.value)
    assert "'nope'" in message
    assert all(name in message for name in VNPT_VARIANTS)


def test_unknown_variant_of_the_mirror() -> None:
    with pytest.raises(ValueError) as caught:
        Mirror(["sonla", "ninhbinh"], variants=("UIListNews_Default", "nope"))
    message = str(caught.value)
    assert "nope" in message and all(name in message for name in VNPT_VARIANTS)
    # A variant that none of the chosen sites knows is an error, even a VNPT one.
    with pytest.raises(ValueError, match="known variants: none"):
        Mirror(["phutho"], variants=("UIListNews_Default",))
    with pytest.raises(ValueError, match=r"known variants: viewcat_grid_new, viewcat_list_new$"):
        Mirror(["caobang"], variants=("UIListNews_Default",))


def test_cli_refuses_an_unknown_variant() -> None:
    done = subprocess.run([sys.executable, "-m", "crawler.mirror", "--site", "sonla",
                           "--variant", "nope"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mirror: ") and "nope" in lines[0]
    assert "UIListNews_Default" in lines[0]


def test_mirror_process_with_variants() -> None:
    with mirror_process("sonla", "ninhbinh",
                        variants=("UIListNews_Default", "ajax-json")) as urls, \
            httpx.Client(trust_env=False, timeout=10) as client:
        for site in ("sonla", "ninhbinh"):
            assert_list_news(Selector(text=client.get(
                f"{urls[site]}/{CATEGORY[site]}").text))
            refused = client.post(urls[site] + PAGINATION_PATH,
                                  content=urlencode(call_fields(site, 2)),
                                  headers={"Content-Type": FORM})
            assert_site_fault(site, refused)
