"""sokhcn.sonla.gov.vn (VNPT Portal): AJAX paging in both encodings, header date, noise.

The mirror model is called in-process: Scrapy requests built by the spider are answered by
``crawler.mirror.sites.sonla`` without a socket, so the tests see exactly what the spider
sends (method, headers, body) and what the portal answers.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import pytest
import scrapy
from scrapy.http import HtmlResponse, TextResponse

from crawler.mirror.sites.base import MirrorRequest
from crawler.mirror.sites.sonla import LOAD_ARTICLE_PARAMS, PAGINATION_PATH, SonlaModel
from crawler.normalize.dates import parse_date
from crawler.parsing import parse_saved_page
from crawler.platforms.vnpt import PAGINATION_META
from spiders.sonla import SonlaSpider
from tests.fixture_tool import (
    FETCHED_AT,
    FIXTURES,
    fixture_response,
    load_page,
    parse_fixture,
)
from tests.mirror_model import serve

SITE = "https://sokhcn.sonla.gov.vn"
LISTING_P1 = FIXTURES / "sonla" / "listing_tin_tuc_su_kien_p1"
AJAX_P2 = FIXTURES / "sonla" / "listing_tin_tuc_su_kien_p2_ajax"
ARTICLE_FILES = FIXTURES / "sonla" / "article_928028_attachments"
ARTICLE_IMAGE = FIXTURES / "sonla" / "article_928023"
ARTICLE_URL = re.compile(r"^https://sokhcn\.sonla\.gov\.vn/(tin-tuc-su-kien|chuyen-doi-so)/"
                         r"[a-z0-9-]+-\d{6}$")


def walk_category(spider: SonlaSpider, model: SonlaModel, path: str):
    """Follow a category through every listing page the way the crawl does."""
    request = spider.listing_request(path, spider.categories[path], 1)
    answers, articles = [], []
    while request is not None:
        response = serve(model, request)
        answers.append(response)
        follow = None
        for out in spider.parse_listing(response, **request.cb_kwargs):
            if out.callback == spider.parse_listing:
                follow = out
            else:
                articles.append(out.url)
        request = follow
    return answers, articles


# -- listing page 1 ----------------------------------------------------------------------

def test_listing_takes_only_the_category_module_newest_first():
    response = fixture_response(LISTING_P1)
    entries = SonlaSpider().listing_entries(response)
    # The page also lists "Tin xem nhiều" in a ul.ArticleList li.row of another module.
    assert "Tin xem nhiều" in response.text
    assert len(entries) == 10
    urls = [SonlaSpider().site_link(response, e.url) for e in entries]
    assert all(ARTICLE_URL.match(u) and "/tin-tuc-su-kien/" in u for u in urls), urls
    assert len(set(urls)) == 10
    dates = [parse_date(e.date_raw).value for e in entries]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", e.date_raw) for e in entries)
    assert dates == sorted(dates, reverse=True)
    assert all(e.title and e.summary for e in entries)


def test_pagination_parameters_come_from_the_listing_modules_inline_js():
    params = SonlaSpider().pagination_params(fixture_response(LISTING_P1))
    assert params == {"article_category_id": 6523, "categoryIds": "6523,6524,6525",
                      "site_id": 104, "page_size": 10, "max_page": 2}


def test_json_page_request_is_an_aspnet_page_method_call():
    spider = SonlaSpider()
    response = fixture_response(LISTING_P1)
    request = spider.listing_request("/tin-tuc-su-kien", "Tin tức - Sự kiện", 2, response)
    assert request.method == "POST"
    assert request.url == SITE + PAGINATION_PATH
    assert request.headers[b"Content-Type"].startswith(b"application/json")
    assert request.headers[b"X-Requested-With"] == b"XMLHttpRequest"
    assert request.headers[b"Referer"] == f"{SITE}/tin-tuc-su-kien".encode()
    body = json.loads(request.body)
    assert set(body) == set(LOAD_ARTICLE_PARAMS)
    assert (body["article_category_id"], body["categoryIds"], body["site_id"]) == (
        6523, "6523,6524,6525", 104)
    assert (body["page"], body["page_size"], body["no"]) == (2, 10, -10)
    assert body["articlelang"] == "vi-VN" and body["keyword"] == ""
    assert request.cb_kwargs == {"path": "/tin-tuc-su-kien", "category": "Tin tức - Sự kiện",
                                 "page": 2}
    assert request.meta[PAGINATION_META]["max_page"] == 2


def test_form_page_request_sends_the_same_fields_form_encoded():
    spider = SonlaSpider()
    spider.pagination_encoding = "form"
    request = spider.listing_request("/tin-tuc-su-kien", "Tin tức - Sự kiện", 2,
                                     fixture_response(LISTING_P1))
    assert request.method == "POST"
    assert request.headers[b"Content-Type"] == b"application/x-www-form-urlencoded"
    assert request.headers[b"Referer"] == f"{SITE}/tin-tuc-su-kien".encode()
    form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
    assert set(form) == set(LOAD_ARTICLE_PARAMS)
    assert (form["article_category_id"], form["page"], form["no"]) == ("6523", "2", "-10")


def test_unknown_encoding_is_refused():
    spider = SonlaSpider()
    spider.pagination_encoding = "xml"
    with pytest.raises(ValueError, match="pagination_encoding"):
        spider.listing_request("/tin-tuc-su-kien", "x", 2, fixture_response(LISTING_P1))


def test_page_requests_go_to_the_mirror_with_a_mirror_referer():
    spider = SonlaSpider(base_url="http://127.0.0.1:8123")
    request = spider.listing_request("/tin-tuc-su-kien", "Tin tức - Sự kiện", 2,
                                     fixture_response(LISTING_P1))
    assert request.url == "http://127.0.0.1:8123" + PAGINATION_PATH
    assert request.headers[b"Referer"] == b"http://127.0.0.1:8123/tin-tuc-su-kien"


# -- AJAX answers ------------------------------------------------------------------------

def test_json_answer_fixture_yields_the_rest_of_the_category():
    response = fixture_response(AJAX_P2)
    assert json.loads(response.text)["d"].lstrip().startswith('<li class="row">')
    entries = parse_fixture(AJAX_P2)
    assert len(entries) == 4
    assert all(ARTICLE_URL.match(e["url"]) and "/tin-tuc-su-kien/" in e["url"]
               for e in entries)
    first_page = {e["url"] for e in parse_fixture(LISTING_P1)}
    assert not first_page & {e["url"] for e in entries}


def test_a_short_ajax_page_is_the_last_one():
    meta, body = load_page(AJAX_P2)
    params = SonlaSpider().pagination_params(fixture_response(LISTING_P1))
    request = scrapy.Request(meta["url"], method="POST", meta={PAGINATION_META: params})
    response = TextResponse(meta["url"], body=body, encoding="utf-8", request=request,
                            headers={"Content-Type": meta["content_type"]})
    spider = SonlaSpider()
    assert spider.pagination_params(response) == params
    assert spider.has_next_page(response, 2) is False
    assert spider.has_next_page(fixture_response(LISTING_P1), 1) is True


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_both_encodings_walk_every_category_against_the_mirror(encoding):
    model = SonlaModel()
    spider = SonlaSpider()
    spider.pagination_encoding = encoding
    for path in spider.categories:
        answers, urls = walk_category(spider, model, path)
        expected = [SITE + model.article_url(a) for a in model.in_category(path.strip("/"))]
        assert urls == expected
        assert len(answers) == model.page_count(model.in_category(path.strip("/"))) == 2
        ajax = answers[1]
        if encoding == "json":
            assert ajax.headers[b"Content-Type"].startswith(b"application/json")
            assert "d" in json.loads(ajax.text)
        else:
            assert ajax.headers[b"Content-Type"].startswith(b"text/html")
            assert ajax.text.lstrip().startswith('<li class="row">')


def test_pagination_state_travels_with_each_categorys_requests():
    """Two categories interleaved on one spider: page 2 of each uses its own category id."""
    model = SonlaModel()
    spider = SonlaSpider()
    first = {path: serve(model, spider.listing_request(path, name, 1))
             for path, name in spider.categories.items()}
    bodies = {path: json.loads(spider.listing_request(path, "x", 2, resp).body)
              for path, resp in first.items()}
    assert bodies["/tin-tuc-su-kien"]["article_category_id"] == 6523
    assert bodies["/chuyen-doi-so"]["article_category_id"] == 6541
    assert bodies["/chuyen-doi-so"]["categoryIds"] == "6541"
    assert not any(isinstance(v, dict) and "article_category_id" in v
                   for v in vars(spider).values())


def test_mirror_endpoint_refuses_incomplete_calls_and_get():
    model = SonlaModel()
    body = {p: "" for p in LOAD_ARTICLE_PARAMS if p != "page"}
    reply = model.respond(MirrorRequest("POST", PAGINATION_PATH, {}, json.dumps(body).encode(),
                                        {"content-type": "application/json"}))
    assert reply.status == 500
    assert "missing value for parameter: 'page'" in json.loads(reply.data)["Message"]
    assert model.respond(MirrorRequest("GET", PAGINATION_PATH, {})).status == 405


# -- article pages -----------------------------------------------------------------------

def test_article_date_is_postdate_not_the_header_today_date():
    meta, body = load_page(ARTICLE_FILES)
    html = body.decode()
    header = re.search(r'class="header-date">([^<]+)<', html).group(1)
    assert re.fullmatch(r"(Thứ \w+|Chủ Nhật), \d\d/\d\d/\d{4}", header)
    article = parse_saved_page("sonla", body, meta["url"], fetched_at=FETCHED_AT)
    assert article.published_raw == "14/11/2025 13:30"
    assert article.published_at == "2025-11-14T13:30:00+07:00"
    assert header.split(", ")[1] not in (article.published_raw or "")


def test_article_body_has_no_page_chrome_and_author_is_lifted_out():
    meta, body = load_page(ARTICLE_FILES)
    article = parse_saved_page("sonla", body, meta["url"], fetched_at=FETCHED_AT)
    assert article.title == "Hội nghị triển khai nhiệm vụ khoa học và công nghệ năm 2025"
    assert article.author == "Thu Huyên"
    assert article.view_count == 298
    assert article.category == "Tin tức - Sự kiện"
    assert article.body_text.startswith("Để tiếp tục đề xuất các giải pháp")
    for chrome in ("Lượt xem", "Chia sẻ", "Facebook", "Các tin khác", "Thống kê truy cập",
                   "Tin xem nhiều", "In bài viết", "A+", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
                   "Thu Huyên", "Trang chủ"):
        assert chrome not in article.body_text, chrome
    assert "<iframe" not in article.body_html and "sharer" not in article.body_html
    assert article.tags == ["Tin tức - Sự kiện", "Sở Khoa học và Công nghệ", "Sơn La"]


def test_attachments_from_download_links_and_the_pdfjs_viewer():
    meta, body = load_page(ARTICLE_FILES)
    article = parse_saved_page("sonla", body, meta["url"], fetched_at=FETCHED_AT)
    assert 'viewer.html?file=/upload/' in body.decode()
    assert article.attachments == [
        {"url": f"{SITE}/upload/104345/fck/202511/ke-hoach-928028.pdf",
         "name": "Kế hoạch số 28/KH-SKHCN"},
        {"url": f"{SITE}/upload/104345/fck/202511/phu-luc-928028.docx",
         "name": "Phụ lục kèm theo"},
    ]


def test_lead_and_body_images_are_absolute_with_captions():
    meta, body = load_page(ARTICLE_IMAGE)
    article = parse_saved_page("sonla", body, meta["url"], fetched_at=FETCHED_AT)
    assert article.images == [
        {"url": f"{SITE}/upload/104345/fck/202510/928023.jpg",
         "caption": "Đánh giá chỉ số đổi mới sáng tạo cấp địa phương năm 2025"},
        {"url": f"{SITE}/upload/104345/fck/202510/928023_1.jpg",
         "caption": "Quang cảnh buổi làm việc."},
    ]
    assert article.category == "Chuyển đổi số"
    assert article.published_at == "2025-10-14T11:30:00+07:00"


def test_viewer_only_file_with_encoded_parameter_and_labelled_author_block():
    html = """<html><head><meta name="Keywords" content="OCOP; truy xuất nguồn gốc"></head>
    <body><div class="ArticleDetailControl">
      <div class="ArticleHeader">Truy xuất nguồn gốc sản phẩm OCOP</div>
      <div class="PostDate">06/11/2025 08:30</div>
      <div class="ArticleContent"><p>Nội dung bài viết về truy xuất nguồn gốc.</p>
        <iframe title="Quyết định 123"
                src="/Scripts/pdfjs/web/viewer.html?file=%2Fupload%2F{FILE}"></iframe>
        <div class="tac_gia_news"><span>Tác giả:</span> <b>Ngọc Lan</b><br>Nguồn: Báo Sơn La</div>
        <div class="tool">In bài viết</div>
      </div></div></body></html>""".replace("{FILE}", "104345%2Ffck%2Ffiles%2FQD%2520123.pdf")
    url = f"{SITE}/tin-tuc-su-kien/truy-xuat-nguon-goc-san-pham-ocop-928100"
    raw = SonlaSpider().parse_article(HtmlResponse(url=url, body=html.encode(),
                                                   encoding="utf-8"))
    assert raw.title == "Truy xuất nguồn gốc sản phẩm OCOP"
    assert (raw.author, raw.source) == ("Ngọc Lan", "Báo Sơn La")
    assert raw.attachments == [{"url": f"{SITE}/upload/104345/fck/files/QD%20123.pdf",
                                "name": "Quyết định 123"}]
    assert "tac_gia_news" not in raw.body_html and "In bài viết" not in raw.body_html
    assert raw.tags == ["OCOP", "truy xuất nguồn gốc"]
