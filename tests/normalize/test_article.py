"""build_article: raw page fields → one normalized Article."""

import unicodedata

from crawler.items import RawArticle
from crawler.normalize.article import build_article

BODY = (
    "<div><p>Lượt xem: 1.234</p>"
    "<p>Chiều 15-1, Sở Khoa học và Công nghệ (KH&amp;CN) tổ chức hội nghị cán bộ, công chức, "
    "viên chức triển khai nhiệm vụ năm 2020 với nhiều nội dung quan trọng cho năm mới.</p>"
    "<p><img src='/a.jpg' alt='Toàn cảnh hội nghị'></p><p>Toàn cảnh hội nghị</p>"
    "<p>Năm 2019, công tác tham mưu và thực hiện các nhiệm vụ chuyên môn đã đạt được nhiều "
    "kết quả nổi bật.</p><p>Trần Hằng</p><p>Theo most.gov.vn</p>"
    "<h3>Tin khác</h3><ul><li>Bài khác</li></ul><script>alert(1)</script></div>"
)


def raw(**overrides):
    fields = dict(
        url="http://sokhcn.phutho.gov.vn/nang-cao-hieu-qua-n764?utm_source=zalo",
        site="phutho", title="  Nâng cao hiệu quả hoạt động  ", published_raw="Chiều 15-1",
        body_html=BODY, fetched_at="2026-11-22T09:00:00+07:00", year_hint=2020,
        images=[{"url": "/a.jpg", "caption": " Toàn cảnh  hội nghị "}, {"url": "/a.jpg"}],
        attachments=[{"url": "files/qd.pdf", "name": "QĐ số 1"},
                     {"url": "javascript:void(0)", "name": "x"}],
    )
    fields.update(overrides)
    return RawArticle(**fields)


def test_build_article_normalizes_every_field():
    a = build_article(raw())
    assert a.canonical_url == "https://sokhoahoccongnghe.phutho.gov.vn/nang-cao-hieu-qua-n764"
    assert a.url.startswith("http://sokhcn.phutho.gov.vn/")  # as fetched
    assert (a.province, a.province_current) == ("Phú Thọ", "Phú Thọ")
    assert a.title == "Nâng cao hiệu quả hoạt động"
    assert a.published_at == "2020-01-15T00:00:00+07:00" and a.published_raw == "Chiều 15-1"
    assert a.author == "Trần Hằng" and a.source == "most.gov.vn" and a.view_count == 1234
    assert a.body_text.startswith("Chiều 15-1, Sở Khoa học")
    assert a.body_text.endswith("nhiều kết quả nổi bật.")
    assert "Tin khác" not in a.body_text and "<script" not in a.body_html
    assert a.images == [{"url": "http://sokhcn.phutho.gov.vn/a.jpg",
                         "caption": "Toàn cảnh hội nghị"}]
    assert a.attachments == [{"url": "http://sokhcn.phutho.gov.vn/files/qd.pdf",
                              "name": "QĐ số 1"}]
    assert a.flags == [] and a.extractor == "site"


def test_year_less_date_without_context_is_flagged_not_guessed():
    a = build_article(raw(year_hint=None))
    assert a.published_at is None and a.published_raw == "Chiều 15-1"
    assert "date_no_year" in a.flags and "no_date" not in a.flags


def test_listing_date_gives_the_year():
    a = build_article(raw(year_hint=None, date_context="16/01/2020"))
    assert a.published_at == "2020-01-15T00:00:00+07:00"


def test_php_zero_date_is_a_flag():
    a = build_article(raw(published_raw="-0001-11-30 07:06:30"))
    assert a.published_at is None and "date_impossible" in a.flags
    assert a.published_raw == "-0001-11-30 07:06:30"


def test_nfd_input_is_stored_nfc():
    a = build_article(raw(title=unicodedata.normalize("NFD", "Nghệ thuật số hoá")))
    assert a.title == unicodedata.normalize("NFC", "Nghệ thuật số hoá")


def test_content_hash_ignores_view_count_and_fetch_time_but_not_text():
    a = build_article(raw())
    b = build_article(raw(view_count="99", fetched_at="2026-12-01T00:00:00+07:00"))
    c = build_article(raw(title="Tiêu đề khác"))
    assert a.content_hash == b.content_hash != c.content_hash


def test_unregistered_site_is_flagged_and_keeps_its_url():
    a = build_article(raw(site="unknown_site", url="https://khcn.example.gov.vn/a?b=1#c"))
    assert a.canonical_url == "https://khcn.example.gov.vn/a?b=1"
    assert a.province is None and "no_province" in a.flags
