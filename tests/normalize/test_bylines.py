"""The one credit/byline module: its shared labels, patterns and helpers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.normalize.bylines import (
    AUTHOR_BLOCK_RE,
    CREDIT_FIELD_RE,
    CREDIT_LINE_RE,
    credit_kind,
    split_source_line,
    strip_author_label,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("label", "kind"), [
    ("Tác giả", "author"), ("TÁC GIẢ", "author"), ("Nguồn", "source"),
    ("Nguồn tin", "source"), ("Theo", "source"), ("Ảnh", "photo"),
])
def test_a_label_says_what_it_credits(label, kind):
    assert credit_kind(label) == kind


def test_credit_patterns_read_label_and_value():
    assert CREDIT_FIELD_RE.match("Nguồn tin: Báo Sơn La").group("label", "value") == (
        "Nguồn tin", "Báo Sơn La")
    assert CREDIT_FIELD_RE.match("Ảnh: X") is None
    assert CREDIT_LINE_RE.match("Ảnh: Hoàng Yến")["value"] == "Hoàng Yến"
    assert CREDIT_LINE_RE.match("Tác giả:") is None  # the value must be there
    assert AUTHOR_BLOCK_RE.match("Theo baochinhphu.vn")["value"] == "baochinhphu.vn"


@pytest.mark.parametrize(("line", "expected"), [
    ("Theo Báo Cần Thơ", (None, "Báo Cần Thơ")),
    ("(Nguồn: most.gov.vn)", (None, "most.gov.vn")),
    ("Tác giả: Minh Anh", ("Minh Anh", None)),
    ("Tin ảnh: Minh Anh", ("Minh Anh", None)),
    ("Minh  Anh", ("Minh Anh", None)),
    ("", (None, None)),
    (None, (None, None)),
])
def test_a_one_field_credit_is_an_author_or_a_source(line, expected):
    assert split_source_line(line) == expected


def test_an_author_element_loses_its_label():
    assert strip_author_label("Tác giả: Minh Anh") == "Minh Anh"
    assert strip_author_label("Bài: Thu Huyên ") == "Thu Huyên"
    assert strip_author_label("Minh Anh") == "Minh Anh"


def test_credit_labels_have_one_home():
    """No spider or base spells a credit label regex of its own: they import bylines."""
    fragment = re.compile(r"tác\\s|nguồn\(\?|tác giả\||\(\?:theo", re.IGNORECASE)
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("crawler", "spiders")
        for path in (REPO / folder).rglob("*.py")
        if path.name != "bylines.py" and fragment.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
