"""Article is validated where it is built: flags for what is missing, errors for what is wrong."""

import pytest

from crawler.items import Article


def test_a_complete_article_has_no_flags(make_article):
    assert make_article().flags == []


@pytest.mark.parametrize(
    ("overrides", "flag"),
    [
        ({"title": ""}, "no_title"),
        ({"title": "   "}, "no_title"),
        ({"published_at": None}, "no_date"),
        ({"body_text": ""}, "no_body"),
        ({"body_text": "Ngắn."}, "short_body"),
        ({"published_at": "2027-01-01T00:00:00+07:00"}, "date_in_future"),
    ],
)
def test_missing_or_impossible_fields_become_flags(make_article, overrides, flag):
    article = make_article(**overrides)
    assert flag in article.flags


def test_a_date_flag_from_the_parser_replaces_no_date(make_article):
    article = make_article(published_at=None, flags=["date_impossible"])
    assert article.flags == ["date_impossible"]


def test_a_few_hours_ahead_is_clock_skew_not_the_future(make_article):
    assert make_article(published_at="2026-11-22T15:00:00+07:00").flags == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"url": ""},
        {"site": ""},
        {"fetched_at": ""},
        {"extractor": "magic"},
        {"flags": ["not_a_flag"]},
        {"published_at": "2023-06-05T00:00:00"},  # no UTC offset
    ],
)
def test_structural_errors_are_refused(make_article, overrides):
    with pytest.raises(ValueError):
        make_article(**overrides)


def test_field_order_is_the_contract():
    assert Article.field_names() == [
        "url", "canonical_url", "site", "province", "province_current", "category", "title",
        "summary", "published_at", "published_raw", "updated_at", "author", "source",
        "body_text", "body_html", "images", "attachments", "view_count", "tags",
        "content_hash", "fetched_at", "extractor", "flags",
    ]
