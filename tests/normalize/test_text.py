"""Tests for crawler.normalize.text, anchored on real page texts of DOST sites.

The seed files in crawler/mirror/seeds are verbatim copies of visible page text (boilerplate
included) from five provincial sites; the unit tests below pin each rule and its traps.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from crawler.normalize.text import (
    Body,
    clean_body,
    clean_inline,
    extract_view_count,
    html_to_paragraphs,
    nfc,
    split_byline,
    text_to_paragraphs,
)

SEEDS = Path(__file__).resolve().parents[2] / "crawler" / "mirror" / "seeds"


def _seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _seed_paragraphs(prefix: str) -> list[str]:
    return text_to_paragraphs(_seed_text(prefix))


def _line_starting(prefix: str, start: str) -> str:
    """The cleaned seed line that starts with ``start`` (exactly one must exist)."""
    matches = [p for p in _seed_paragraphs(prefix) if p.startswith(start)]
    assert len(matches) >= 1, start
    return matches[0]


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


BODY = ["Câu mở đầu của bài viết.", "Đoạn thứ hai có nội dung thật."]


# --------------------------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------------------------

SEED_CASES = {
    "000": dict(
        title="Đồng chí Phó chủ tịch thường trực UBND tỉnh làm việc với Sở Khoa học và Công nghệ "
        "Vĩnh Phúc",
        first="Chiều ngày 12/11, đồng chí Vũ Việt Văn",
        last="Phát biểu kết luận buổi làm việc, đồng chí Vũ Việt Văn",
        author="Thu Huyên",
        source=None,
        view_count=None,
        count=4,
    ),
    "001": dict(
        title="Đưa cách mạng công nghiệp 4.0 tiến sâu vào các ngành, lĩnh lực",
        first="Đây là nhiệm vụ quan trọng",
        last="Phó Chủ tịch UBND tỉnh cũng đề nghị",
        author="Nguyên Ngọc",
        source=None,
        view_count=None,
        count=10,
    ),
    "002": dict(
        title="Nâng cao hiệu quả hoạt động lĩnh vực khoa học và công nghệ",
        first="Chiều 15-1, Sở Khoa học và Công nghệ",
        last="Tại hội nghị, Công đoàn Sở KH&CN",
        author="Trần Hằng",
        source=None,
        view_count=None,
        count=6,
    ),
    "003": dict(
        title="Đồng chí Nguyễn Thành Công - Phó chủ tịch UBND tỉnh làm việc với Sở Khoa học và "
        "Công nghệ",
        first="Ngày 05/6/2023, đồng chí Nguyễn Thành Công",
        last="Kết luận buổi làm việc, đồng chí Nguyễn Thành Công",
        author="Ánh Nguyệt - Tú Hảo",
        source=None,
        view_count=398,
        count=6,
    ),
    "004": dict(
        title="KH&CN Địa phương: Phát triển nhanh, bền vững dựa chủ yếu vào KH,CN&ĐMST",
        first="Hội nghị Giám đốc sở Khoa học và Công nghệ (KH&CN) toàn quốc năm 2024",
        last="Các đồng chí Lãnh đạo Bộ KH&CN chụp ảnh lưu niệm",
        author=None,
        source="most.gov.vn",
        view_count=31,
        count=24,
    ),
}

# Whole lines of page chrome seen in the seeds; none may survive as a paragraph.
SEED_BOILERPLATE = {
    "15/11/2021",
    "Các tin đã đưa ngày:",
    "Thứ Hai, 14/12/2020, 17:29 [GMT+7]",
    ".",
    "Lượt xem: 398",
    "anh tin bai",
    "Tin khác",
    "1 2 3 4 5 ...",
    "Thông tin mới nhất",
    "Thống kê truy cập",
    "• Đang online: 1",
    "• Hôm nay: 1",
    "• Trong tuần: 1",
    "• Tất cả: 1",
    "Đăng nhập",
    "Lượt xem: 31BÀI VIẾT KHÁC",
    "Từ viết tắt",
    "Xem với cỡ chữ",
    "Đọc bài viết",
    "Tương phản",
    "Theo most.gov.vn",
    "Thu Huyên",
    "Nguyên Ngọc",
    "Trần Hằng",
    "Ánh Nguyệt - Tú Hảo",
}
# Substrings that mark tail/sidebar content leaking into the body.
SEED_LEAKS = ["Lượt xem", "BÀI VIẾT KHÁC", "Đề án 844", "SƠN LA", "PAKN", "Chung nhan"]


def _seed_input(prefix: str) -> list[str]:
    paras = _seed_paragraphs(prefix)
    if prefix == "004":
        # Lines before the title are site header chrome (not generic boilerplate).
        start = next(i for i, p in enumerate(paras) if p.startswith("KH&CN Địa phương"))
        paras = paras[start:]
    return paras


@pytest.mark.parametrize("prefix", sorted(SEED_CASES))
def test_seed_body(prefix: str) -> None:
    case = SEED_CASES[prefix]
    body = clean_body(_seed_input(prefix), title=case["title"])

    assert body.paragraphs[0] == _line_starting(prefix, case["first"])
    assert body.paragraphs[-1] == _line_starting(prefix, case["last"])
    assert body.author == case["author"]
    assert body.source == case["source"]
    assert body.view_count == case["view_count"]
    assert len(body.paragraphs) == case["count"]
    assert body.text == "\n\n".join(body.paragraphs)

    for para in body.paragraphs:
        assert para not in SEED_BOILERPLATE
        assert para.strip(".…") != ""
        assert para != "0"
        assert not any(leak in para for leak in SEED_LEAKS)
        # Wording is kept: every paragraph is a verbatim (cleaned) line of the page.
        assert para in _seed_paragraphs(prefix)
    assert nfc(body.text) == body.text


def test_seed_000_tail_marker_and_date_removed() -> None:
    body = clean_body(_seed_input("000"), title=SEED_CASES["000"]["title"])
    assert "Các tin đã đưa ngày:" in body.removed
    assert "15/11/2021" in body.removed


def test_seed_001_duplicate_captions_kept_once() -> None:
    body = clean_body(_seed_input("001"), title=SEED_CASES["001"]["title"])
    assert body.paragraphs.count("Quang cảnh hội nghị.") == 1
    caption = "Phó Chủ tịch UBND tỉnh Nguyễn Thị Hạnh phát biểu giao nhiệm vụ cho ngành KH&CN."
    assert body.paragraphs.count(caption) == 1


def test_seed_001_title_with_quotes_matches_title_without() -> None:
    body = clean_body(
        _seed_input("001"), title="Đưa cách mạng công nghiệp 4.0 tiến sâu vào các ngành, lĩnh lực"
    )
    assert not body.paragraphs[0].startswith('"Đưa')


def test_seed_002_caption_in_middle_is_not_a_byline() -> None:
    body = clean_body(_seed_input("002"), title=SEED_CASES["002"]["title"])
    assert "Toàn cảnh hội nghị" in body.paragraphs[1:-1]


def test_seed_003_caption_equal_to_title_in_middle_is_kept() -> None:
    body = clean_body(_seed_input("003"), title=SEED_CASES["003"]["title"])
    caption = (
        "Đồng chí Nguyễn Thành Công - Phó Chủ tịch UBND tỉnh làm việc với Sở Khoa học và Công nghệ"
    )
    assert caption in body.paragraphs
    assert "anh tin bai" in body.removed


def test_seed_004_full_page_drops_accessibility_toolbar() -> None:
    body = clean_body(_seed_paragraphs("004"), title=SEED_CASES["004"]["title"])
    for tool in ("Từ viết tắt", "Xem với cỡ chữ", "Đọc bài viết", "Tương phản"):
        assert tool in body.removed
        assert tool not in body.paragraphs
    assert body.source == "most.gov.vn"
    assert body.view_count == 31
    assert body.paragraphs[-1].startswith("Các đồng chí Lãnh đạo Bộ KH&CN chụp ảnh")


def test_seed_004_nfd_input_gives_same_result() -> None:
    paras = _seed_input("004")
    expected = clean_body(paras, title=SEED_CASES["004"]["title"])
    got = clean_body([_nfd(p) for p in paras], title=_nfd(SEED_CASES["004"]["title"]))
    assert got == expected


# --------------------------------------------------------------------------------------------
# nfc / clean_inline / text_to_paragraphs
# --------------------------------------------------------------------------------------------


def test_nfc_composes_vietnamese() -> None:
    assert nfc(_nfd("Việt Nam")) == "Việt Nam"
    assert len(nfc(_nfd("ệ"))) == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\xa0\xa0 Thu\xa0Huyên\t ", "Thu Huyên"),
        ("Khoa\u200bhọc", "Khoahọc"),
        ("công\u00adnghệ", "côngnghệ"),
        ("a \t\n  b", "a b"),
        ("\ufeffĐầu dòng", "Đầu dòng"),
        ("x\u202fy\u3000z", "x y z"),
        (_nfd("Nguyễn Thành Công"), "Nguyễn Thành Công"),
        # A soft hyphen between a letter and its tone mark must not block recomposition.
        ("e\u00ad\u0301", "é"),
        (" \xa0 ", ""),
    ],
)
def test_clean_inline(raw: str, expected: str) -> None:
    assert clean_inline(raw) == expected
    # normalize_article relies on it: clean_body(..., cleaned=True) skips a second pass.
    assert clean_inline(expected) == expected


def test_clean_body_of_cleaned_paragraphs_skips_nothing_it_would_change() -> None:
    """What ``normalize_article`` passes as ``cleaned``, html_to_paragraphs' lines of every
    saved page, is left as it is by clean_inline: the Body is the same either way."""
    from tests.fixture_tool import fixture_dirs

    pages = [d / "page.html" for d in fixture_dirs()]
    assert len(pages) > 50
    for page in pages:
        lines = html_to_paragraphs(page.read_text(encoding="utf-8", errors="replace"))
        assert all(clean_inline(line) == line and line for line in lines), page
        assert clean_body(lines, cleaned=True) == clean_body(lines), page


def test_text_to_paragraphs_drops_blank_and_nbsp_lines() -> None:
    text = "Tiêu đề\r\n\r\n\xa0\n  Đoạn một.  \n\t\nĐoạn\xa0hai.\n"
    assert text_to_paragraphs(text) == ["Tiêu đề", "Đoạn một.", "Đoạn hai."]
    assert text_to_paragraphs("") == []


# --------------------------------------------------------------------------------------------
# html_to_paragraphs
# --------------------------------------------------------------------------------------------


def test_html_br_splits_paragraphs_without_empty_ones() -> None:
    assert html_to_paragraphs("<p>Dòng một<br>Dòng hai<br/><br/>Dòng ba</p>") == [
        "Dòng một",
        "Dòng hai",
        "Dòng ba",
    ]


def test_html_nested_divs_and_tail_text() -> None:
    html = "<div>Ngoài<div><div>Trong <span>cùng</span></div>sau</div>cuối</div>"
    assert html_to_paragraphs(html) == ["Ngoài", "Trong cùng", "sau", "cuối"]


def test_html_inline_elements_invent_no_spaces() -> None:
    html = "<p><b>Hà</b>Nội, <a href='#'>Sở</a><i>KH</i>&amp;CN và <b>Phú</b> Thọ</p>"
    assert html_to_paragraphs(html) == ["HàNội, SởKH&CN và Phú Thọ"]


def test_html_drops_script_style_and_friends_but_keeps_their_tail() -> None:
    html = (
        "<p>Trước<script>var a = 'Tin rác';</script>sau</p>"
        "<style>p { color: red }</style><noscript>Bật JavaScript</noscript>"
        "<template><p>Mẫu</p></template><iframe>khung</iframe><!-- ghi chú -->"
        "<p>Hết</p>"
    )
    assert html_to_paragraphs(html) == ["Trướcsau", "Hết"]


def test_html_blocks_headings_lists_tables_blockquote() -> None:
    html = (
        "<h2>Tiêu đề</h2><ul><li>Một</li><li>Hai</li></ul>"
        "<table><tr><td>Ô 1</td><td>Ô 2</td></tr><tr><td>Ô 3</td></tr></table>"
        "<blockquote>Trích</blockquote><figure><img alt='ttet1'><figcaption>Chú thích"
        "</figcaption></figure>"
    )
    assert html_to_paragraphs(html) == [
        "Tiêu đề",
        "Một",
        "Hai",
        "Ô 1 Ô 2",
        "Ô 3",
        "Trích",
        "Chú thích",
    ]


def test_html_full_document_head_is_not_body_text() -> None:
    html = (
        "<!DOCTYPE html><html><head><meta charset='windows-1258'><title>Tiêu đề trang</title>"
        "</head><body><p>Nội&nbsp;dung\u00a0bài</p></body></html>"
    )
    assert html_to_paragraphs(html) == ["Nội dung bài"]


def test_html_nfd_entities_and_empty_input() -> None:
    assert html_to_paragraphs(f"<p>{_nfd('Nghệ An')}&nbsp;&#7879;</p>") == ["Nghệ An ệ"]
    assert html_to_paragraphs("") == []
    assert html_to_paragraphs("   ") == []
    assert html_to_paragraphs("<!-- chỉ ghi chú -->") == []


def test_html_and_text_agree() -> None:
    html = "<div><p>Đoạn\xa0một.</p><p>Đoạn <b>hai</b>.</p></div>"
    text = "Đoạn\xa0một.\n\nĐoạn hai.\n"
    assert html_to_paragraphs(html) == text_to_paragraphs(text)


def test_html_deep_nesting_keeps_text() -> None:
    # Deeper than libxml2's default 256 limit and Python's default recursion limit.
    html = "<div>" * 1500 + "Sâu" + "</div>" * 1500
    assert html_to_paragraphs(html) == ["Sâu"]


# --------------------------------------------------------------------------------------------
# extract_view_count
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lượt xem: 398", 398),
        ("Đã xem: 12", 12),
        ("Lượt xem : 1.234", 1234),
        ("LƯỢT XEM: 1,234", 1234),
        ("Lượt xem: 31BÀI VIẾT KHÁC", 31),
        (_nfd("Lượt xem: 7"), 7),
        ("Bài viết không có bộ đếm.", None),
        ("", None),
    ],
)
def test_extract_view_count(text: str, expected: int | None) -> None:
    assert extract_view_count(text) == expected


# --------------------------------------------------------------------------------------------
# clean_body: tail markers
# --------------------------------------------------------------------------------------------

MARKERS = [
    "Tin khác",
    "Các tin khác",
    "BÀI VIẾT KHÁC",
    "Tin cùng chuyên mục",
    "Tin liên quan",
    "Bài viết liên quan",
    "Các tin đã đưa ngày:",
    "Thông tin mới nhất",
    "Thống kê truy cập",
    "Đang online",
]


@pytest.mark.parametrize("marker", MARKERS)
def test_tail_marker_cuts_rest(marker: str) -> None:
    body = clean_body([*BODY, marker, "Tiêu đề bài khác trong danh sách", "Một bài nữa"])
    assert body.paragraphs == BODY
    assert marker in body.removed
    assert "Một bài nữa" in body.removed


@pytest.mark.parametrize(
    "variant",
    [
        "tin khác",
        "TIN LIÊN QUAN",
        "» Tin khác",
        "• Các tin khác:",
        "Tin khác (5)",
        "Bài viết liên quan:",
        _nfd("Tin cùng chuyên mục"),
        _nfd("CÁC TIN ĐÃ ĐƯA NGÀY:"),
    ],
)
def test_tail_marker_variants_case_nfd_bullets(variant: str) -> None:
    body = clean_body([*BODY, variant, "Tiêu đề bài khác"])
    assert body.paragraphs == BODY


def test_marker_glued_to_view_count() -> None:
    body = clean_body([*BODY, "Theo most.gov.vn", "Lượt xem: 31BÀI VIẾT KHÁC", "Đề án 844"])
    assert body.paragraphs == BODY
    assert body.view_count == 31
    assert body.source == "most.gov.vn"
    assert "Đề án 844" not in body.paragraphs


def test_glued_pieces_after_cut_are_reported_as_removed() -> None:
    body = clean_body([*BODY, "Lượt xem: 31BÀI VIẾT KHÁCĐề án 844", "Tiêu đề khác"])
    assert body.paragraphs == BODY
    assert body.removed == ["Lượt xem: 31", "BÀI VIẾT KHÁCĐề án 844", "Tiêu đề khác"]


def test_marker_glued_to_author_name() -> None:
    body = clean_body([*BODY, "Thu HuyênTin khác", "Tiêu đề bài khác"])
    assert body.paragraphs == BODY
    assert body.author == "Thu Huyên"


def test_marker_glued_all_caps_followed_by_list_item() -> None:
    body = clean_body([*BODY, "BÀI VIẾT KHÁCĐề án 844: nâng cao năng lực"])
    assert body.paragraphs == BODY


@pytest.mark.parametrize(
    "sentence",
    [
        "Hôm nay có nhiều tin khác nhau về dịch bệnh được đăng tải.",
        "Ngoài ra còn nhiều tin khác đáng chú ý.",
        "Tin khác biệt giữa hai báo cáo đã được làm rõ.",
        "Tin liên quan đến vụ việc đã được cơ quan chức năng xác minh.",
        "Thông tin mới nhất từ Sở cho thấy tiến độ đạt 80%.",
        "Thống kê truy cập cổng thông tin cho thấy lượng người dùng tăng.",
        # "khách" (guest) starts with the letters of "khác": not a marker.
        "Tin khách quốc tế đến tỉnh tăng mạnh trong quý I.",
        "Bài khách mời tại hội thảo được đánh giá cao.",
    ],
)
def test_sentence_containing_marker_words_is_not_cut(sentence: str) -> None:
    paras = [BODY[0], sentence, BODY[1]]
    assert clean_body(paras).paragraphs == paras


def test_marker_before_any_content_does_not_wipe_body() -> None:
    body = clean_body(["Thống kê truy cập", *BODY])
    assert body.paragraphs == BODY


# --------------------------------------------------------------------------------------------
# clean_body: boilerplate lines
# --------------------------------------------------------------------------------------------

BOILERPLATE_LINES = [
    "Lượt xem: 398",
    "Đã xem: 12",
    "Lượt xem : 1.234",
    "Từ viết tắt",
    "Xem với cỡ chữ",
    "Đọc bài viết",
    "Tương phản",
    "Tương phản:",
    "1 2 3 4 5 ...",
    "1 2 3 4 5  ... ",
    "« 1 2 3 »",
    "Trang 1 2 3",
    ".",
    "…",
    "-",
    "|",
    "In bài viết",
    "Gửi email",
    "Chia sẻ",
    "Bản in",
    "Quay lại",
    "Về đầu trang",
    "In bài viết | Gửi email | Chia sẻ",
    "Hôm nay: 1",
    "Trong tuần: 1",
    "Tất cả: 1",
    "• Hôm nay: 1",
    "Đăng nhập",
    "15/11/2021",
    "Thứ Hai, 14/12/2020, 17:29 [GMT+7]",
    "Chủ Nhật, 17/03/2024",
    "anh tin bai",
    "ảnh tin bài",
    "image",
    "ttet1",
    "IMG_1234",
    "DSC01234.JPG",
    "\xa0",
]


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_boilerplate_line_dropped_anywhere(line: str) -> None:
    body = clean_body([BODY[0], line, BODY[1]])
    assert body.paragraphs == BODY
    if line.strip():
        assert clean_inline(line) in body.removed


@pytest.mark.parametrize("line", ["Lượt xem: 398", "Đã xem: 398", "Lượt xem : 398"])
def test_view_count_recorded(line: str) -> None:
    assert clean_body([line, *BODY]).view_count == 398


def test_first_view_count_wins() -> None:
    assert clean_body(["Lượt xem: 5", *BODY, "Lượt xem: 9"]).view_count == 5


@pytest.mark.parametrize(
    "line",
    [
        "Chia sẻ kinh nghiệm ứng dụng KH&CN trong sản xuất nông nghiệp.",
        "Quay lại thời điểm năm 2019, ngành KH&CN còn nhiều khó khăn.",
        "Hôm nay: Sở tổ chức hội nghị tổng kết.",
        "Tất cả: 12 đơn vị đã hoàn thành nhiệm vụ",
        "Trang 1 của báo cáo có nhiều số liệu.",
        "COVID-19",
        "Năm 2020",
        "Ảnh minh họa",
        "Ngày 05/6/2023, đồng chí Nguyễn Thành Công làm việc với Sở.",
        "Tương phản giữa hai vùng là rất rõ.",
    ],
)
def test_content_resembling_boilerplate_is_kept(line: str) -> None:
    paras = [BODY[0], line, BODY[1]]
    assert clean_body(paras).paragraphs == paras


def test_consecutive_duplicate_caption_kept_once() -> None:
    body = clean_body([BODY[0], "Quang cảnh hội nghị.", "Quang cảnh hội nghị.", BODY[1]])
    assert body.paragraphs == [BODY[0], "Quang cảnh hội nghị.", BODY[1]]


def test_duplicate_without_period_keeps_fuller_caption() -> None:
    body = clean_body([BODY[0], "Quang cảnh hội nghị", "Quang cảnh hội nghị.", BODY[1]])
    assert body.paragraphs == [BODY[0], "Quang cảnh hội nghị.", BODY[1]]


def test_non_consecutive_repeats_are_kept() -> None:
    paras = [BODY[0], "Quang cảnh hội nghị.", BODY[1], "Quang cảnh hội nghị.", "Kết thúc."]
    assert clean_body(paras).paragraphs == paras


# --------------------------------------------------------------------------------------------
# clean_body: title
# --------------------------------------------------------------------------------------------


def test_leading_title_dropped() -> None:
    body = clean_body(["Tiêu đề bài", *BODY], title="Tiêu đề bài")
    assert body.paragraphs == BODY
    assert "Tiêu đề bài" in body.removed


def test_leading_title_match_ignores_case_quotes_and_nfd() -> None:
    body = clean_body(['"Tiêu Đề Bài"', *BODY], title=_nfd("Tiêu đề bài"))
    assert body.paragraphs == BODY


def test_leading_title_with_date_stamp_prefix_dropped() -> None:
    body = clean_body(["date 2020-01 Tiêu đề bài", *BODY], title="Tiêu đề bài")
    assert body.paragraphs == BODY


def test_first_sentence_starting_with_title_words_is_kept() -> None:
    paras = ["Hội nghị tổng kết năm 2020 đã diễn ra sáng nay.", BODY[1]]
    assert clean_body(paras, title="Hội nghị tổng kết").paragraphs == paras


def test_title_line_not_leading_is_kept_and_no_title_keeps_all() -> None:
    paras = [BODY[0], "Tiêu đề bài", BODY[1]]
    assert clean_body(paras, title="Tiêu đề bài").paragraphs == paras
    assert clean_body(["Tiêu đề bài", *BODY]).paragraphs == ["Tiêu đề bài", *BODY]


# --------------------------------------------------------------------------------------------
# Byline
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Thu Huyên",
        "Ánh Nguyệt - Tú Hảo",
        "Nguyên Ngọc",
        "Trần Hằng",
        "PV",
        "Minh Anh (Sở KH&CN)",
        "Trung tâm Ứng dụng và Thống kê KH&CN",
        "Thu Huyên, Trần Hằng",
        "Thu Huyên và Trần Hằng",
        "Nguyễn Văn An",
    ],
)
def test_author_detected(name: str) -> None:
    rest, author, source = split_byline([*BODY, name])
    assert (rest, author, source) == (BODY, name, None)


def test_indented_author_detected() -> None:
    body = clean_body([*BODY, "\xa0" * 60 + " Ánh Nguyệt - Tú Hảo "])
    assert body.author == "Ánh Nguyệt - Tú Hảo"
    assert body.paragraphs == BODY


@pytest.mark.parametrize(
    "line",
    [
        "Đây là câu cuối cùng của bài viết.",
        "Toàn cảnh hội nghị",
        "Phát biểu kết luận buổi làm việc, đồng chí Vũ Việt Văn nhấn mạnh vai trò của KH&CN",
        "Sở KH&CN trao quyết định cho doanh nghiệp",
        "KẾT LUẬN",
        "Nguyễn Văn An.",
        "Năm 2024 Sở KH&CN",
        "Quang Cảnh Hội Nghị Tổng Kết Công Tác Năm Hai Nghìn",
        "Sở đã",
        "Hội nghị Tổng kết",
    ],
)
def test_non_byline_last_line(line: str) -> None:
    paras = [*BODY, line]
    assert split_byline(paras) == (paras, None, None)


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Theo most.gov.vn", "most.gov.vn"),
        ("Theo Báo Quảng Ninh", "Báo Quảng Ninh"),
        ("(Theo baochinhphu.vn)", "baochinhphu.vn"),
        ("Nguồn: mst.gov.vn", "mst.gov.vn"),
        ("Nguồn: Báo Phú Thọ", "Báo Phú Thọ"),
        ("Theo Báo Quảng Ninh.", "Báo Quảng Ninh"),
    ],
)
def test_source_detected(line: str, source: str) -> None:
    assert split_byline([*BODY, line]) == (BODY, None, source)


@pytest.mark.parametrize(
    "line",
    [
        "Theo đó, các đơn vị phải báo cáo trước ngày 15.",
        "Theo Quyết định số 12/QĐ-UBND.",
        "Theo Bộ trưởng Huỳnh Thành Đạt, hoạt động KH&CN đạt nhiều kết quả.",
    ],
)
def test_sentence_starting_with_theo_is_not_source(line: str) -> None:
    paras = [*BODY, line]
    assert split_byline(paras) == (paras, None, None)


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("Tác giả: Nguyễn Văn An", "Nguyễn Văn An"),
        ("Tác giả: ThS. Nguyễn Văn An", "ThS. Nguyễn Văn An"),
        ("Bài và ảnh: Thu Huyên", "Thu Huyên"),
        ("Bài: Thu Huyên", "Thu Huyên"),
    ],
)
def test_author_label(line: str, author: str) -> None:
    assert split_byline([*BODY, line]) == (BODY, author, None)


def test_weak_label_with_sentence_is_not_author() -> None:
    paras = [*BODY, "Bài: Hội nghị đã thành công tốt đẹp"]
    assert split_byline(paras) == (paras, None, None)


@pytest.mark.parametrize(
    "tail",
    [["Thu Huyên", "Theo Báo Quảng Ninh"], ["Theo Báo Quảng Ninh", "Thu Huyên"]],
)
def test_author_and_source_in_either_order(tail: list[str]) -> None:
    assert split_byline([*BODY, *tail]) == (BODY, "Thu Huyên", "Báo Quảng Ninh")


def test_author_with_source_on_one_line() -> None:
    assert split_byline([*BODY, "Minh Anh (Theo baochinhphu.vn)"]) == (
        BODY,
        "Minh Anh",
        "baochinhphu.vn",
    )


def test_only_final_lines_count_as_byline() -> None:
    paras = [BODY[0], "Thu Huyên", BODY[1]]
    assert split_byline(paras) == (paras, None, None)


def test_two_name_lines_take_only_the_last() -> None:
    rest, author, _ = split_byline([*BODY, "Ánh Nguyệt", "Tú Hảo"])
    assert author == "Tú Hảo"
    assert rest == [*BODY, "Ánh Nguyệt"]


def test_body_that_is_only_a_name_is_not_emptied() -> None:
    assert split_byline(["Thu Huyên"]) == (["Thu Huyên"], None, None)


def test_byline_found_after_boilerplate_removal() -> None:
    body = clean_body([*BODY, "Nguyên Ngọc", ".", ".", "In bài viết", "Lượt xem: 3"])
    assert body == Body(
        text="\n\n".join(BODY),
        paragraphs=BODY,
        author="Nguyên Ngọc",
        source=None,
        view_count=3,
        removed=[".", ".", "In bài viết", "Lượt xem: 3"],
    )


def test_photo_credit_among_byline_lines_is_dropped_and_author_kept():
    long_para = ("Hội nghị đánh giá kết quả hoạt động khoa học và công nghệ năm 2025, "
                 "triển khai nhiệm vụ năm 2026 với nhiều nội dung quan trọng.")
    rest, author, source = split_byline([long_para, "Tác giả: Minh Anh", "Ảnh: Hoàng Yến",
                                         "Nguồn: Báo Ninh Bình"])
    assert (rest, author, source) == ([long_para], "Minh Anh", "Báo Ninh Bình")
    # a caption that merely starts with "Ảnh:" and ends a sentence is not a credit
    rest, author, _ = split_byline([long_para, "Ảnh: Quang cảnh hội nghị."])
    assert rest[-1] == "Ảnh: Quang cảnh hội nghị." and author is None
