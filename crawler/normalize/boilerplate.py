"""Page chrome as data: the patterns that mark a line as boilerplate, and their tests.

Pages render the article with an accessibility toolbar, view counters, pagers, "Tin khác"
lists and visit statistics. A line is chrome only when it matches a whole-line rule, because
a lost sentence is worse than a stray line; the rules are tables here (tail markers, tool
phrases, pager words, placeholder alt texts, ``BOILERPLATE_RULES``) so a new one is a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.fold import fold
from crawler.normalize.paragraphs import clean_inline

__all__ = ["BOILERPLATE_RULES", "extract_view_count"]

# Headings that start the non-article tail of a page.  Longest first so alternation prefers
# "các tin khác" over "tin khác" at the same position.
_TAIL_MARKERS = sorted(
    [
        "tin khác",
        "các tin khác",
        "bài viết khác",
        "các bài viết khác",
        "bài khác",
        "tin cùng chuyên mục",
        "các tin cùng chuyên mục",
        "bài cùng chuyên mục",
        "tin liên quan",
        "các tin liên quan",
        "bài viết liên quan",
        "các bài viết liên quan",
        "các tin đã đưa ngày",
        "các tin đã đưa",
        "tin đã đưa",
        "thông tin mới nhất",
        "tin mới nhất",
        "tin mới hơn",
        "tin cũ hơn",
        "các tin mới hơn",
        "các tin cũ hơn",
        "tin đọc nhiều",
        "tin xem nhiều",
        "thống kê truy cập",
        "đang online",
    ],
    key=len,
    reverse=True,
)
_MARKER_ALT = "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in _TAIL_MARKERS)
# Word boundaries are checked by _marker_follow_ok: a glued capital ("KHÁCĐề") must match.
_MARKER_START_RE = re.compile(rf"(?:{_MARKER_ALT})", re.IGNORECASE)
# What may follow a marker for the line to be a heading rather than a sentence.
_MARKER_SEP_RE = re.compile(r"\s*[:：»›>|/\-–—(\[…]|\s*\.{2,}")

_VIEW_LABEL = r"(?:số\s+lượt\s+xem|lượt\s+xem|đã\s+xem|lượt\s+đọc|số\s+lần\s+xem)"
_VIEW_RE = re.compile(rf"{_VIEW_LABEL}\s*:?\s*(\d[\d.,]*)", re.IGNORECASE)
_VIEW_PREFIX_RE = re.compile(rf"^{_VIEW_LABEL}\s*:?\s*(\d[\d.,]*)(?:\s*lượt\b)?", re.IGNORECASE)

# Labels that may be glued (no space) to the end of the previous block in flattened text,
# e.g. "Lượt xem: 31BÀI VIẾT KHÁC" or "Thu HuyênTin khác".
_GLUE_RE = re.compile(rf"{_VIEW_LABEL}(?=\s*:?\s*\d)|(?:{_MARKER_ALT})", re.IGNORECASE)
_GLUE_BEFORE = frozenset('.!?…:;)]"”’»')


def _chars(test: Callable[[str], bool]) -> str:
    return re.escape("".join(c for c in map(chr, range(0x10000)) if test(c)))


# Where a label can be glued: a capital straight after a digit, a lowercase letter or closing
# punctuation. Few lines have one, so _split_glued tries the labels only at these points
# rather than searching every line for every label.
_GLUE_POINT_RE = re.compile(
    rf"(?<=[{_chars(lambda c: c.isdigit() or c.islower())}{re.escape(''.join(_GLUE_BEFORE))}])"
    rf"[{_chars(str.isupper)}]")

# Leading bullets / decoration stripped before whole-line matching.
_BULLETS_RE = re.compile(r"^[\s•·▪◦●○►▶▸»›«‹>\-–—*+|]+")

_TOOL_PHRASES = sorted(
    [
        r"từ viết tắt",
        r"(?:xem với\s+)?cỡ chữ(?:\s*a\s*[+-]?)*",
        r"đọc bài viết",
        r"nghe đọc bài(?: viết)?",
        r"tương phản",
        r"in bài viết",
        r"in bài",
        r"in trang",
        r"bản in",
        r"gửi e-?mail",
        r"gửi mail",
        r"gửi bài viết",
        r"gửi bài",
        r"gửi cho bạn bè",
        r"gửi bạn bè",
        r"chia sẻ(?: bài viết)?",
        r"quay lại",
        r"trở lại",
        r"trở về",
        r"về đầu trang",
        r"lên đầu trang",
        r"đầu trang",
        r"lưu bài viết",
        r"lưu tin",
        r"bình luận",
        r"xem thêm",
        r"đăng nhập",
        r"đăng xuất",
        r"facebook",
        r"twitter",
        r"zalo",
        r"tweet",
        r"e-?mail",
        r"print",
        r"share",
        r"trang chủ",
    ],
    key=len,
    reverse=True,
)
# A line made only of toolbar / share / navigation links, possibly several in a row.
_TOOLS_RE = re.compile(
    r"^(?:(?:" + "|".join(p.replace(" ", r"\s+") for p in _TOOL_PHRASES) + r")"
    r"(?:\s*[:|/•·,\-]\s*|\s+|$))+$",
    re.IGNORECASE,
)
# Breadcrumb: "Trang chủ > Tin tức > Hoạt động".
_BREADCRUMB_RE = re.compile(r"^trang\s+chủ\s*[>»/›|]", re.IGNORECASE)

_COUNTER_RE = re.compile(
    r"^(?:hôm\s+nay|hôm\s+qua|trong\s+tuần|tuần\s+này|tuần\s+trước|trong\s+tháng|tháng\s+này|"
    r"tháng\s+trước|năm\s+nay|tất\s+cả|tổng\s+lượt\s+truy\s+cập|lượt\s+truy\s+cập|"
    r"truy\s+cập|đang\s+online|đang\s+truy\s+cập|online|khách|thành\s+viên)"
    r"\s*:\s*\d[\d.,]*$",
    re.IGNORECASE,
)
_PAGER_WORDS = frozenset(
    {
        "...",
        "…",
        "«",
        "»",
        "‹",
        "›",
        "<",
        ">",
        "<<",
        ">>",
        "|",
        "/",
        "trang",
        "đầu",
        "cuối",
        "trước",
        "sau",
        "tiếp",
        "first",
        "last",
        "next",
        "prev",
        "previous",
    }
)
_PAGER_NUM_RE = re.compile(r"^[\[(]?\d{1,4}[\])]?$")
_PUNCT_ONLY_RE = re.compile(r"^[\W_]+$")

# A line that is only a date/time stamp, e.g. "15/11/2021", "Thứ Hai, 14/12/2020, 17:29 [GMT+7]".
_DATE_ONLY_RE = re.compile(
    r"^(?:(?:cập\s+nhật|ngày\s+đăng|ngày\s+cập\s+nhật|đăng\s+ngày|đăng\s+lúc|thời\s+gian"
    r"(?:\s+đăng)?|ngày\s+xuất\s+bản)\s*:?\s*)?"
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]m)?\s*[,\-|]?\s*)?"
    r"(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s+nhật|cn)\s*[,\-]?\s*)?"
    r"(?:ngày\s+)?\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}"
    r"(?:\s*[,\-|]?\s*(?:lúc\s+)?\d{1,2}(?::|h)\d{2}(?::\d{2})?\s*(?:[ap]m)?)?"
    r"(?:\s*[\[(]?\s*gmt\s*[+-]\s*\d{1,2}(?::?\d{2})?\s*[\])]?)?$",
    re.IGNORECASE,
)

# Alt texts that are placeholders, compared folded (no diacritics, đ → d).
_PLACEHOLDER_ALTS = frozenset(
    {
        "anh tin bai",
        "anh bai viet",
        "anh",
        "hinh",
        "hinh anh",
        "image",
        "img",
        "photo",
        "picture",
        "anh dai dien",
        "no image",
        "noimage",
        "thumbnail",
        "thumb",
        "banner",
        "logo",
    }
)
# A bare file stem such as "ttet1", "IMG_1234" or "DSC01234.JPG" standing alone.
_FILE_STEM_RE = re.compile(r"^(?=\S*\d)(?=\S*[A-Za-z])[A-Za-z0-9_\-]{2,40}$")
_FILE_NAME_RE = re.compile(r"^[\w\-. ]{1,80}\.(?:jpe?g|png|gif|webp|bmp|tiff?|svg)$", re.I)
# ...but not an acronym with a number such as "COVID-19".
_ACRONYM_NUM_RE = re.compile(r"^[A-Z]{2,}-\d+$")

# Junk that may surround the title on its line ("date 2020-01 <title>").
_TITLE_JUNK_RE = re.compile(
    r"^(?:date|ngày|cập\s+nhật|đăng)?[\s\d/:.,\-\[\]()+]*(?:gmt[\s\d+:\-\])]*)?$", re.IGNORECASE
)
_TITLE_STRIP = " \"'“”‘’«»„.:;!?…-–—"



def _parse_int(digits: str) -> int | None:
    """'1.234' / '1,234' / '31' -> int; thousands separators are dropped."""
    raw = re.sub(r"[.,]", "", digits)
    return int(raw) if raw.isdigit() else None


def extract_view_count(text: str) -> int | None:
    """Return N from the first 'Lượt xem: N' / 'Đã xem: N' in ``text`` (NFC or NFD), else None."""
    if not text:
        return None
    m = _VIEW_RE.search(clean_inline(text))
    return _parse_int(m.group(1)) if m else None


def _bare(line: str) -> str:
    """Line without leading bullets and surrounding separators, for whole-line matching."""
    return _BULLETS_RE.sub("", line).strip(" :|•·-–—")


def _marker_follow_ok(marker: str, rest: str) -> bool:
    """Is the text after a marker consistent with a heading (not a sentence going on)?"""
    if not rest.strip():
        return True
    if _MARKER_SEP_RE.match(rest):
        return True
    first = rest[0]
    if not first.isspace():
        # Glued straight onto the next block: "BÀI VIẾT KHÁCĐề án 844".
        return first.isupper() or first.isdigit()
    nxt = rest.lstrip()[0]
    # "BÀI VIẾT KHÁC Đề án 844": an all-caps heading followed by a new block.
    return marker.isupper() and (nxt.isupper() or nxt.isdigit())


def _is_tail_marker(line: str) -> bool:
    """True if ``line`` is (or starts with) a heading that begins the page's non-article tail."""
    bare = _BULLETS_RE.sub("", line)
    m = _MARKER_START_RE.match(bare)
    return bool(m) and _marker_follow_ok(m.group(0), bare[m.end() :])


def _split_glued(line: str) -> list[str]:
    """Split a line where a view counter or tail marker is glued to the previous block.

    Flattened page text often lacks a separator between blocks ("Lượt xem: 31BÀI VIẾT KHÁC").
    A split happens only where a capitalised label directly follows a digit, a lowercase letter
    or closing punctuation *without a space*, and the label reads like a heading/counter.
    """
    pieces: list[str] = []
    start = 0
    for point in _GLUE_POINT_RE.finditer(line):
        pos = point.start()
        m = _GLUE_RE.match(line, pos)
        if m is None or pos <= start:
            continue
        label = m.group(0)
        if _MARKER_START_RE.fullmatch(label) and not _marker_follow_ok(label, line[m.end() :]):
            continue
        pieces.append(line[start:pos])
        start = pos
    pieces.append(line[start:])
    return [p.strip() for p in pieces if p.strip()]


def _is_pager(bare: str) -> bool:
    tokens = bare.split()
    if not tokens:
        return False
    numbers = 0
    nav = 0
    for tok in tokens:
        low = tok.casefold()
        if _PAGER_NUM_RE.match(tok):
            numbers += 1
        elif low in _PAGER_WORDS:
            nav += 1
        else:
            return False
    return numbers >= 2 or (numbers >= 1 and nav >= 1)


def _is_placeholder(bare: str) -> bool:
    if fold(bare) in _PLACEHOLDER_ALTS:
        return True
    if _FILE_NAME_RE.match(bare):
        return True
    return bool(_FILE_STEM_RE.match(bare)) and not _ACRONYM_NUM_RE.match(bare)


#: The whole-line chrome rules, applied to a line without its bullets: (why, test). A line
#: matching any of them never carries article content.
BOILERPLATE_RULES: tuple[tuple[str, Callable[[str], object]], ...] = (
    ("toolbar, share and navigation links (In bài, Chia sẻ, Cỡ chữ A+ A-)", _TOOLS_RE.match),
    ("a breadcrumb (Trang chủ > Tin tức > …)", _BREADCRUMB_RE.match),
    ("a visit-statistics counter (Hôm nay: 123)", _COUNTER_RE.match),
    ("a line that is only a date/time stamp", _DATE_ONLY_RE.match),
    ("a pager (1 2 3 … Trang sau)", _is_pager),
    ("a placeholder alt text or a bare image file name", _is_placeholder),
)


def _is_boilerplate(line: str) -> bool:
    """Whole-line chrome that never carries article content (see BOILERPLATE_RULES)."""
    if _PUNCT_ONLY_RE.match(line):
        return True
    bare = _bare(line)
    if not bare:
        return True
    if len(bare) > 200:
        return False
    return any(test(bare) for _why, test in BOILERPLATE_RULES)


def _title_key(s: str) -> str:
    return clean_inline(s).casefold().strip(_TITLE_STRIP)


def _is_title_line(line: str, title: str) -> bool:
    """Line equal to the title, possibly with a date stamp glued before/after it."""
    key, tkey = _title_key(line), _title_key(title)
    if not tkey:
        return False
    if key == tkey:
        return True
    if key.endswith(tkey):
        return bool(_TITLE_JUNK_RE.match(key[: -len(tkey)].strip()))
    if key.startswith(tkey):
        return bool(_TITLE_JUNK_RE.match(key[len(tkey) :].strip()))
    return False


def _dup_key(line: str) -> str:
    return line.casefold().rstrip(" .…:")
