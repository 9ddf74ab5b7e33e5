"""sokhcn.ninhbinh.gov.vn (VNPT Portal, ``UIListNews_Default`` lists): form-encoded AJAX
paging answered by a bare HTML fragment, credit lines ending the body, the header date.

The mirror model answers the spider's own Scrapy requests in-process, so the tests see what
the spider sends (method, headers, form body) and what the portal answers.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse

from crawler.mirror.sites.ninhbinh import LOAD_ARTICLE_PARAMS, PAGINATION_PATH, NinhbinhModel
from crawler.parsing import parse_saved_page
from crawler.platforms.vnpt import PAGINATION_META
from spiders.ninhbinh import NinhbinhSpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
)
from tests.mirror_model import serve

SITE = "https://sokhcn.ninhbinh.gov.vn"
HERE = FIXTURES / "ninhbinh"
P1 = HERE / "listing_tin_hoat_dong_cua_so_p1"
AJAX_P2 = HERE / "listing_tin_hoat_dong_cua_so_p2_ajax_form"
PHOTO_CREDIT = HERE / "article_735128"
SOURCE_CREDIT = HERE / "article_735125"
ARTICLE_URL = re.compile(r"^https://sokhcn\.ninhbinh\.gov\.vn/(tin-hoat-dong-cua-so|"
                         r"tin-khcn-trong-nuoc)/[a-z0-9-]+-\d{6}$")


def walk(spider, model, path):
    request = spider.listing_request(path, spider.categories[path], 1)
    answers, urls = [], []
    while request is not None:
        response = serve(model, request)
        answers.append(response)
        follow = None
        for out in spider.parse_listing(response, **request.cb_kwargs):
            if out.callback == spider.parse_listing:
                follow = out
            else:
                urls.append(out.url)
        request = follow
    return answers, urls


@pytest.fixture
def spider():
    return NinhbinhSpider()


# -- listing -------------------------------------------------------------------------------
def test_listing_takes_the_uilistnews_default_module_only(spider):
    page = fixture_response(P1)
    # "Tin xem nhiều" (UIListNews_Hot) uses the same .item markup in the right column.
    assert len(page.css(".item")) == 15
    entries = parse_fixture(P1)
    assert len(entries) == 10
    assert all(ARTICLE_URL.match(e["url"]) and "/tin-hoat-dong-cua-so/" in e["url"]
               for e in entries)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", e["date_raw"]) for e in entries)
    assert all(e["title"] and e["summary"] for e in entries)


def test_pagination_parameters_come_from_the_list_modules_js(spider):
    assert spider.pagination_params(fixture_response(P1)) == {
        "article_category_id": 2417, "categoryIds": "2417", "site_id": 61, "page_size": 10,
        "max_page": 2}


def test_page_two_is_a_form_post_with_every_field(spider):
    request = spider.listing_request("/tin-hoat-dong-cua-so", "Tin hoạt động của Sở", 2,
                                     fixture_response(P1))
    assert (request.method, request.url) == ("POST", SITE + PAGINATION_PATH)
    assert request.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert request.headers[b"Referer"] == f"{SITE}/tin-hoat-dong-cua-so".encode()
    form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
    assert set(form) == set(LOAD_ARTICLE_PARAMS)
    assert (form["article_category_id"], form["site_id"], form["page"], form["no"]) == (
        "2417", "61", "2", "-10")
    # The saved fixture is exactly this request's answer.
    meta, _body = load_page(AJAX_P2)
    assert meta["data"] == request.body.decode()
    assert meta["request_content_type"] == "application/x-www-form-urlencoded"


def test_the_form_answer_is_a_bare_fragment_with_the_rest_of_the_category():
    response = fixture_response(AJAX_P2)
    assert response.text.lstrip().startswith('<div class="item">')
    entries = parse_fixture(AJAX_P2)
    assert len(entries) == 4
    assert not {e["url"] for e in entries} & {e["url"] for e in parse_fixture(P1)}


def test_a_short_ajax_page_is_the_last(spider):
    meta, body = load_page(AJAX_P2)
    params = spider.pagination_params(fixture_response(P1))
    request = scrapy.Request(meta["url"], method="POST", meta={PAGINATION_META: params})
    response = TextResponse(meta["url"], body=body, encoding="utf-8", request=request)
    assert len(spider.listing_entries(response)) == 4
    assert spider.has_next_page(response, 2) is False
    assert spider.has_next_page(fixture_response(P1), 1) is True


def test_the_portal_refuses_json_so_the_site_must_use_form(spider):
    model = NinhbinhModel()
    first = serve(model, spider.listing_request("/tin-khcn-trong-nuoc", "x", 1))
    json_spider = NinhbinhSpider()
    json_spider.pagination_encoding = "json"
    request = json_spider.listing_request("/tin-khcn-trong-nuoc", "x", 2, first)
    assert json.loads(request.body)["article_category_id"] == 2419
    refused = serve(model, request, status=500)
    assert "Input string was not in a correct format" in refused.text
    ok = serve(model, spider.listing_request("/tin-khcn-trong-nuoc", "x", 2, first))
    assert len(spider.listing_entries(ok)) == 4


def test_walking_each_category_reaches_every_article(spider):
    model = NinhbinhModel()
    for path in spider.categories:
        answers, urls = walk(spider, model, path)
        assert urls == [SITE + model.article_url(a) for a in model.in_category(path.strip("/"))]
        assert len(answers) == 2 and answers[1].request.method == "POST"


# -- article -------------------------------------------------------------------------------
def test_author_and_source_credit_lines_are_lifted_out_of_the_body():
    art = parse_fixture(SOURCE_CREDIT)
    assert (art["author"], art["source"]) == ("Ngọc Lan - Văn Hùng", "vista.gov.vn")
    assert art["category"] == "Tin KH&CN trong nước"
    _meta, body = load_page(SOURCE_CREDIT)
    assert "Tác giả: Ngọc Lan - Văn Hùng" in body.decode()
    for line in ("Tác giả", "Nguồn:", "vista.gov.vn", "Chia sẻ", "Zalo"):
        assert line not in art["body_text"], line
        assert line not in art["body_html"], line


def test_a_photo_credit_after_the_author_does_not_stay_in_the_body():
    art = parse_fixture(PHOTO_CREDIT)
    _meta, body = load_page(PHOTO_CREDIT)
    assert "<strong>Ảnh: Minh Đức</strong>" in body.decode()
    assert (art["author"], art["source"]) == ("Thu Huyên", None)
    assert "Ảnh:" not in art["body_text"] and "Minh Đức" not in art["body_text"]
    assert not art["body_text"].endswith("Thu Huyên")


def test_credit_like_lines_inside_the_body_are_kept(spider):
    html = """<html><body><div class="ArticleDetailControl">
      <div class="ArticleHeader"><h1>Hội thảo</h1></div><div class="PostDate">20/11/2025 08:30</div>
      <div class="ArticleContent"><p>Nguồn: vốn sự nghiệp khoa học năm 2025 được giao đủ.</p>
        <p>Nội dung chính của hội thảo về khoa học và công nghệ tỉnh Ninh Bình.</p>
        <p><strong>Tác giả:</strong> Minh Anh</p><p> </p><p><em>Nguồn: Báo Ninh Bình</em></p>
        <div class="UISocialShare">Chia sẻ: Facebook</div></div></div></body></html>"""
    url = f"{SITE}/tin-hoat-dong-cua-so/hoi-thao-735200"
    raw = spider.parse_article(HtmlResponse(url=url, body=html.encode(), encoding="utf-8"))
    assert (raw.author, raw.source) == ("Minh Anh", "Báo Ninh Bình")
    assert "Nguồn: vốn sự nghiệp" in raw.body_html
    assert "Báo Ninh Bình" not in raw.body_html and "Chia sẻ" not in raw.body_html


def test_credits_on_one_paragraph_split_at_line_breaks(spider):
    html = """<html><body><div class="ArticleDetailControl">
      <div class="ArticleHeader"><h1>Hội thảo</h1></div>
      <div class="ArticleContent"><p>Nội dung chính của hội thảo.</p>
        <p style="text-align:right"><b>Tác giả:</b> Minh Anh<br>Ảnh: Văn Hùng<br>Nguồn: Báo
        Ninh Bình</p></div></div></body></html>"""
    url = f"{SITE}/tin-hoat-dong-cua-so/hoi-thao-735201"
    raw = spider.parse_article(HtmlResponse(url=url, body=html.encode(), encoding="utf-8"))
    assert (raw.author, raw.source) == ("Minh Anh", "Báo Ninh Bình")
    assert "Văn Hùng" not in raw.body_html and "Nội dung chính" in raw.body_html


def test_publish_date_is_postdate_not_the_header_date():
    meta, body = load_page(SOURCE_CREDIT)
    header = re.search(r'class="header-date">([^<]+)<', body.decode()).group(1)
    assert re.fullmatch(r"(Thứ \w+|Chủ Nhật), ngày \d\d/\d\d/\d{4}", header)
    article = parse_saved_page("ninhbinh", body, meta["url"], fetched_at=FETCHED_AT)
    assert (article.published_raw, article.published_at) == (
        "07/11/2025 08:00", "2025-11-07T08:00:00+07:00")


def test_images_and_download_links_are_absolute():
    art = parse_fixture(HERE / "article_735120")
    assert [i["url"] for i in art["images"]] == [
        f"{SITE}/upload/106231/fck/202510/735120.jpg",
        f"{SITE}/upload/106231/fck/202510/735120_1.jpg"]
    assert art["images"][1]["caption"] == "Các đại biểu tham dự hội nghị."
    assert art["attachments"] == [{"url": f"{SITE}/upload/106231/fck/202510/cong-van-735120.pdf",
                                   "name": "Công văn số 120/SKHCN-QLKH"}]
