"""Text normalisation for article bodies of Vietnamese DOST news sites.

Pages on these sites render the article together with page chrome (accessibility toolbar,
view counters, pagers, "Tin khác" lists, visit statistics) and end the article with a byline
("Thu Huyên", "Theo most.gov.vn").  This module turns HTML or visible text into clean
paragraphs, strips that chrome and lifts the byline into structured fields, without ever
changing the wording of the article itself (NFC is the only transformation of letters).

Heuristics are deliberately conservative: a boilerplate line must match a whole-line pattern,
and a byline is only reported when it clearly looks like one.  When unsure we keep the line
and report ``None``, because a lost sentence or a wrong author is worse than a stray line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

__all__ = [
    "Body",
    "clean_body",
    "clean_inline",
    "extract_view_count",
    "html_to_paragraphs",
    "nfc",
    "split_byline",
    "text_to_paragraphs",
]

# --------------------------------------------------------------------------------------------
# Inline cleaning
# --------------------------------------------------------------------------------------------

# Characters that render as (or stand for) a plain space.
_SPACE_CHARS = (
    "\t\n\r\f\v\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\x85"
)
# Invisible characters that must vanish without leaving a space (they sit inside words).
_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
_INLINE_TABLE = {ord(c): " " for c in _SPACE_CHARS} | {ord(c): None for c in _INVISIBLE_CHARS}
# Any character the table changes: most lines have none, and str.translate with a dict is a
# slow per-character lookup on non-ASCII text, so it runs only when one is there.
_INLINE_ODD_RE = re.compile("[" + re.escape(_SPACE_CHARS + _INVISIBLE_CHARS) + "]")
_WS_RE = re.compile(r"\s+")


def nfc(s: str) -> str:
    """Unicode NFC: the sites mix precomposed and decomposed Vietnamese; storage uses NFC."""
    return unicodedata.normalize("NFC", s)


def clean_inline(s: str) -> str:
    """Normalise one line: NFC, odd spaces to ' ', invisible characters removed, runs collapsed.

    Soft hyphens and zero-width characters are removed *before* NFC so that a base letter and
    its combining tone mark separated by them recompose correctly.
    """
    if _INLINE_ODD_RE.search(s):
        s = s.translate(_INLINE_TABLE)
    # str.split() splits on exactly the characters the regex \s matches, runs collapsed.
    return " ".join(nfc(s).split())


# --------------------------------------------------------------------------------------------
# HTML / plain text to paragraphs
# --------------------------------------------------------------------------------------------

# Elements whose boundaries start a new paragraph.
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
# Table cells separate their text by a space (not a paragraph break: keeps a row together).
_CELL_TAGS = frozenset({"td", "th"})
# Elements whose content is never article text (their tail still is).
_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "head",
        "svg",
        "math",
        "object",
        # Not "embed": it is void in HTML, but libxml2 makes everything after a bare <embed>
        # its children, so dropping it dropped the rest of the article.
        "canvas",
        "audio",
        "video",
        "select",
        "button",
    }
)
# huge_tree: libxml2 otherwise silently drops everything nested deeper than 256 levels.
_HTML_PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
)


def _finish(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        cleaned = clean_inline(line)
        if cleaned:
            out.append(cleaned)
    return out


def html_to_paragraphs(html: str) -> list[str]:
    """Turn an HTML fragment or document into cleaned paragraphs.

    Block boundaries and ``<br>`` become paragraph breaks; inline elements are concatenated
    exactly as the browser would (``<b>Hà</b>Nội`` stays ``HàNội``), so we never invent spaces
    that the page did not have.  Walks iteratively, so deeply nested layouts cannot blow the
    recursion limit.
    """
    if not html or not html.strip():
        return []
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):
        return []

    paragraphs: list[str] = []
    current: list[str] = []
    pre_depth = 0

    def flush() -> None:
        if current:
            paragraphs.append("".join(current))
            current.clear()

    def add(text: str | None) -> None:
        if not text:
            return
        if pre_depth:
            # Preformatted text keeps its line structure.
            first, *rest = text.split("\n")
            current.append(first)
            for piece in rest:
                flush()
                current.append(piece)
        else:
            current.append(text)

    # Stack items: (is_closing, element).
    stack: list[tuple[bool, etree._Element]] = [(False, root)]
    while stack:
        closing, el = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if closing:
            if tag == "pre":
                pre_depth -= 1
            if tag in _BLOCK_TAGS:
                flush()
            elif tag in _CELL_TAGS:
                current.append(" ")
            add(el.tail)
            continue
        if tag is None or tag in _DROP_TAGS:
            add(el.tail)
            continue
        if tag == "br":
            flush()
            add(el.tail)
            continue
        if tag in _BLOCK_TAGS:
            flush()
        elif tag in _CELL_TAGS:
            current.append(" ")
        if tag == "pre":
            pre_depth += 1
        add(el.text)
        stack.append((True, el))
        stack.extend((False, child) for child in reversed(el))
    flush()
    return _finish(paragraphs)


def text_to_paragraphs(text: str) -> list[str]:
    """Split visible text into cleaned, non-empty lines (one paragraph per line)."""
    if not text:
        return []
    return _finish(text.splitlines())


# --------------------------------------------------------------------------------------------
# Boilerplate patterns
# --------------------------------------------------------------------------------------------

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

# Alt texts that are placeholders, compared without diacritics.
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


# --------------------------------------------------------------------------------------------
# Byline patterns
# --------------------------------------------------------------------------------------------

_SOURCE_THEO_RE = re.compile(r"^\(?\s*theo\s+(?P<src>[^()]+?)\s*\)?\s*\.?$", re.IGNORECASE)
_SOURCE_NGUON_RE = re.compile(
    r"^\(?\s*nguồn(?:\s+tin)?\s*:\s*(?P<src>[^()]+?)\s*\)?\s*\.?$", re.IGNORECASE
)
# "Tác giả: X", "Bài và ảnh: X": an explicit label, so X only needs to be plausible.
_AUTHOR_LABEL_RE = re.compile(
    r"^(?:tác\s+giả|người\s+viết|bài\s*(?:,|và|&)\s*ảnh|tin\s*(?:,|và|&)\s*ảnh)"
    r"\s*:\s*(?P<name>.+?)$",
    re.IGNORECASE,
)
# "Bài: X" / "Tin: X": a weaker label, X must look like a name.
_WEAK_AUTHOR_LABEL_RE = re.compile(r"^(?:bài|tin)\s*:\s*(?P<name>.+?)$", re.IGNORECASE)
# "Ảnh: Hoàng Yến" among the byline lines: a photo credit, neither author nor article text.
_PHOTO_CREDIT_RE = re.compile(r"^(?:ảnh|hình\s+ảnh)\s*:\s*[^.!?]{1,60}$", re.IGNORECASE)
_LABELLED_NAME_BAD_RE = re.compile(r"[!?;\"“”]")
# "Minh Anh (Theo baochinhphu.vn)": an author and a source on one line.
_NAME_WITH_SOURCE_RE = re.compile(
    r"^(?P<name>[^()]+?)\s*\(\s*(?:theo\s+|nguồn\s*:\s*)(?P<src>[^()]+?)\s*\)\.?$", re.IGNORECASE
)
_DOMAIN_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}(?:/\S*)?$", re.IGNORECASE
)
_TRAILING_PAREN_RE = re.compile(r"\s*\((?P<inner>[^()]{1,40})\)$")
_NAME_SEP_RE = re.compile(r"\s+[-–—&]\s+|\s*,\s+|\s+và\s+")
_NAME_FORBIDDEN_RE = re.compile(r"[\d\"“”'‘’:;!?…/|@#%*=<>\[\]{}]")
# Case-sensitive on purpose: a unit byline starts with a capitalised unit type.
_ORG_KEYWORD_RE = re.compile(
    r"^(?:Trung\s+tâm|Văn\s+phòng|Chi\s+cục|Tạp\s+chí|Cổng|Ban|Bộ\s+phận|Công\s+đoàn|Đoàn|"
    r"Phòng|Sở|Viện|Trạm|Tổ|Hội|Trường|Cục|Bộ|Báo|Đài|UBND)\s+(?P<next>\S)"
)
_ORG_CONNECTORS = frozenset({"và", "&", "thuộc", "của"})
_MAX_PERSON_LEN = 60
_MAX_ORG_LEN = 80


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


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


def _ascii_fold(s: str) -> str:
    """Lowercase without diacritics, for comparing placeholder alt texts."""
    decomposed = unicodedata.normalize("NFD", s.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
    if _ascii_fold(bare) in _PLACEHOLDER_ALTS:
        return True
    if _FILE_NAME_RE.match(bare):
        return True
    return bool(_FILE_STEM_RE.match(bare)) and not _ACRONYM_NUM_RE.match(bare)


def _is_boilerplate(line: str) -> bool:
    """Whole-line chrome that never carries article content."""
    if _PUNCT_ONLY_RE.match(line):
        return True
    bare = _bare(line)
    if not bare:
        return True
    if len(bare) > 200:
        return False
    return bool(
        _TOOLS_RE.match(bare)
        or _BREADCRUMB_RE.match(bare)
        or _COUNTER_RE.match(bare)
        or _DATE_ONLY_RE.match(bare)
        or _is_pager(bare)
        or _is_placeholder(bare)
    )


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


# --------------------------------------------------------------------------------------------
# Byline detection
# --------------------------------------------------------------------------------------------


def _is_cap_word(tok: str) -> bool:
    """'Huyên', 'Ánh', 'A', 'VnExpress': starts upper-case, letters only."""
    return tok[0].isupper() and tok.replace(".", "").isalpha() and not tok.endswith(".")


def _is_acronym(tok: str) -> bool:
    """'PV', 'TTXVN', 'KH&CN'."""
    letters = tok.replace("&", "")
    return 2 <= len(tok) <= 8 and letters.isalpha() and letters.isupper()


#: Block headings and labels printed in capitals, never a name: phrases (a name may hold
#: "Công", "Văn", "Trang" or "Thông"), and words no Vietnamese name holds.
_CAPS_NOT_NAME_PHRASES = (
    "TIN KHÁC", "LIÊN QUAN", "BÀI VIẾT", "CHUYÊN MỤC", "TIN MỚI", "ĐỌC NHIỀU", "XEM NHIỀU",
    "THÔNG BÁO", "VĂN BẢN", "LIÊN KẾT", "TRANG CHỦ", "GIỚI THIỆU", "SỰ KIỆN", "TIN TỨC",
    "HOẠT ĐỘNG", "KHOA HỌC", "CÔNG NGHỆ", "THỐNG KÊ", "TRUY CẬP", "LƯỢT XEM", "NỔI BẬT",
    "TIÊU ĐIỂM", "QUẢNG CÁO", "MỚI NHẤT", "KẾT LUẬN", "MỞ ĐẦU", "PHỤ LỤC", "THAM KHẢO",
    "GHI CHÚ", "ĐẶT VẤN ĐỀ")
_CAPS_NOT_NAME_WORDS = frozenset(("TIN", "BÀI", "VIDEO", "ẢNH", "SỞ", "TỈNH", "KHÁC"))


def _is_person(part: str) -> bool:
    """1–6 capitalised words ('Thu Huyên'), or a lone acronym ('PV', 'TTXVN')."""
    tokens = part.split()
    if not 1 <= len(tokens) <= 6:
        return False
    if len(tokens) == 1 and _is_acronym(tokens[0]):
        return True
    if 2 <= len(tokens) <= 4 and all(t.isupper() and t.isalpha() for t in tokens):
        # A byline in capitals ("CÔNG NGÔN", "VŨ HÙNG"), as newspapers print them; not a
        # block heading ("TIN KHÁC", "BÀI VIẾT LIÊN QUAN").
        line = " ".join(tokens)
        return not (any(p in line for p in _CAPS_NOT_NAME_PHRASES)
                    or any(t in _CAPS_NOT_NAME_WORDS for t in tokens))
    return all(_is_cap_word(t) and not (len(t) > 1 and t.isupper()) for t in tokens)


def _is_org(part: str) -> bool:
    """Unit byline such as 'Trung tâm Ứng dụng và Thống kê KH&CN'.

    Vietnamese proper names capitalise each compound word's first syllable only, so a
    lower-case syllable must follow a capitalised one; two lower-case syllables in a row
    ('Toàn cảnh hội nghị') mean ordinary prose, not a name.
    """
    if len(part) > _MAX_ORG_LEN:
        return False
    km = _ORG_KEYWORD_RE.match(part)
    # The word after the unit type is capitalised ("Sở KH&CN", not "Sở đã").
    if not km or not km.group("next").isupper():
        return False
    tokens = part.split()
    if len(tokens) > 14:
        return False
    prev_cap = False
    for i, tok in enumerate(tokens):
        if _is_acronym(tok) or _is_cap_word(tok):
            prev_cap = True
        elif tok in _ORG_CONNECTORS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not nxt or not (_is_acronym(nxt) or _is_cap_word(nxt)):
                return False
            prev_cap = False
        elif tok.isalpha() and tok.islower() and prev_cap:
            prev_cap = False
        else:
            return False
    return True


def _looks_like_byline_name(line: str) -> bool:
    """Conservative test for an author/unit byline line (no label)."""
    text = line.strip()
    if not text or len(text) > _MAX_ORG_LEN or text[-1] in ".,;:!?…-":
        return False
    paren = _TRAILING_PAREN_RE.search(text)
    core = text[: paren.start()].strip() if paren else text
    if paren:
        inner = paren.group("inner").strip()
        if not inner or inner[-1] in ".,;:!?…" or re.match(r"(?i)theo\s|nguồn", inner):
            return False
    if not core or _NAME_FORBIDDEN_RE.search(core) or "(" in core or ")" in core:
        return False
    if _is_org(core):
        return True
    if len(text) > _MAX_PERSON_LEN:
        return False
    parts = _NAME_SEP_RE.split(core)
    return all(p and (_is_person(p) or _is_org(p)) for p in parts)


def _clean_source(src: str) -> str:
    return src.strip().strip("()").strip().rstrip(".").strip()


def _parse_source(line: str) -> str | None:
    """'Theo most.gov.vn', '(Theo baochinhphu.vn)', 'Nguồn: Báo Phú Thọ' -> the source."""
    m = _SOURCE_NGUON_RE.match(line)
    if m:
        # An explicit "Nguồn:" label is trusted; only absurd lengths are rejected.
        src = _clean_source(m.group("src"))
        return src if 0 < len(src) <= 100 else None
    m = _SOURCE_THEO_RE.match(line)
    if not m:
        return None
    src = _clean_source(m.group("src"))
    if _DOMAIN_RE.match(src):
        return src
    # "Theo Báo Quảng Ninh" yes; "Theo đó, ..." / "Theo Quyết định số 12/QĐ" no.
    tokens = src.split()
    if not (1 <= len(tokens) <= 8) or len(src) > _MAX_ORG_LEN:
        return None
    if not src[0].isupper() or _NAME_FORBIDDEN_RE.search(src) or "," in src:
        return None
    return src


def _parse_byline_line(line: str) -> tuple[str | None, str | None] | None:
    """Return (author, source) if ``line`` is a byline line, else None."""
    text = line.strip()
    src = _parse_source(text)
    if src:
        return None, src
    m = _NAME_WITH_SOURCE_RE.match(text)
    if m and _looks_like_byline_name(m.group("name")):
        src = _parse_source(f"Theo {m.group('src')}") or _clean_source(m.group("src"))
        return m.group("name").strip(), src
    m = _AUTHOR_LABEL_RE.match(text)
    if m:
        name = m.group("name").strip().rstrip(".").strip()
        plausible = 0 < len(name) <= _MAX_ORG_LEN and len(name.split()) <= 12
        if plausible and not _LABELLED_NAME_BAD_RE.search(name):
            return name, None
        return None
    m = _WEAK_AUTHOR_LABEL_RE.match(text)
    if m:
        name = m.group("name").strip()
        return (name, None) if _looks_like_byline_name(name) else None
    if _looks_like_byline_name(text):
        return text, None
    return None


_AUTHOR_UI_RE = re.compile(r"\s*(?:Xem các bài viết của tác giả|và \d+ tác giả khác)\b.*$",
                           re.IGNORECASE)
_AUTHOR_NOTE_RE = re.compile(r"\s*\((?:tổng hợp|th|lược dịch|tổng hợp và lược dịch)\)\s*$",
                             re.IGNORECASE)
_AUTHOR_ROLE_RE = re.compile(
    r"\s+[-–—,]\s+(?:Giám đốc|Phó|Trưởng|Chủ tịch|Phóng viên|PV\b|Chuyên viên|Cán bộ|"
    r"Nguyên|Bí thư|Thư ký|Tổng biên tập)\b.*$", re.IGNORECASE)
_AUTHOR_DATE_TAIL_RE = re.compile(
    r"\s*[-–—|,]?\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(?:\s*,?\s*\d{1,2}[:h]\d{2}(?::\d{2})?)?"
    r"\s*$")


def clean_author(author: str | None) -> str | None:
    """An author field as a name: without what templates print beside it — the date and
    time ("Nguyên Minh - 07/03/2026 08:47"), links ("Xem các bài viết của tác giả", "và 1
    tác giả khác"), a "(tổng hợp)" note, a role after a dash ("… - Giám đốc Sở KH&CN")."""
    if not author:
        return author
    text = clean_inline(author)
    for pattern in (_AUTHOR_UI_RE, _AUTHOR_DATE_TAIL_RE, _AUTHOR_NOTE_RE, _AUTHOR_ROLE_RE):
        text = pattern.sub("", text).strip()
    return text or None


def split_byline(paragraphs: list[str]) -> tuple[list[str], str | None, str | None]:
    """Detect an author and/or source in the last one or two paragraphs.

    Returns (paragraphs without the byline lines, author, source).  At most one author line and
    one source line are taken, in either order; at least one paragraph must remain, since a
    body that is only a name is more likely a caption than a byline.
    """
    rest = list(paragraphs)
    author: str | None = None
    source: str | None = None
    for _ in range(3):
        if len(rest) < 2:
            break
        if _PHOTO_CREDIT_RE.match(rest[-1].strip()):
            rest.pop()  # a photo credit among the byline lines: not article text
            continue
        parsed = _parse_byline_line(rest[-1])
        if parsed is None:
            break
        new_author, new_source = parsed
        if (new_author and author) or (new_source and source):
            break
        author = author or new_author
        source = source or new_source
        rest.pop()
    return rest, author, source


# --------------------------------------------------------------------------------------------
# Body cleaning
# --------------------------------------------------------------------------------------------


@dataclass
class Body:
    """A cleaned article body plus the metadata lifted out of it."""

    text: str
    paragraphs: list[str]
    author: str | None
    source: str | None
    view_count: int | None
    removed: list[str] = field(default_factory=list)


def clean_body(paragraphs: list[str], *, title: str | None = None) -> Body:
    """Strip page chrome from article paragraphs and lift out byline and view count.

    Order matters: cut the tail first (so sidebar lists never reach the byline check), drop
    whole-line boilerplate and duplicate captions, drop a leading title line, and only then
    look for the byline at the very end.
    """
    removed: list[str] = []
    kept: list[str] = []
    view_count: int | None = None

    lines = [c for p in paragraphs if (c := clean_inline(p))]
    for idx, line in enumerate(lines):
        pieces = _split_glued(line)
        cut = False
        for pos, raw in enumerate(pieces):
            piece = raw
            bare = _bare(piece)
            vm = _VIEW_PREFIX_RE.match(bare)
            if vm:
                if view_count is None:
                    view_count = _parse_int(vm.group(1))
                removed.append(bare[: vm.end()])
                piece = bare[vm.end() :].strip()
                if not piece:
                    continue
            if _is_tail_marker(piece):
                has_content = any(not (title and _is_title_line(k, title)) for k in kept)
                if has_content:
                    removed.append(piece)
                    removed.extend(pieces[pos + 1 :])
                    cut = True
                    break
                # A marker before any content belongs to a header widget: drop only it.
                removed.append(piece)
                continue
            if _is_boilerplate(piece):
                removed.append(piece)
                continue
            if kept and _dup_key(kept[-1]) == _dup_key(piece):
                # Alt text rendered next to the identical caption: keep the fuller one.
                if len(piece) > len(kept[-1]):
                    removed.append(kept[-1])
                    kept[-1] = piece
                else:
                    removed.append(piece)
                continue
            kept.append(piece)
        if cut:
            removed.extend(lines[idx + 1 :])
            break

    if title and kept and _is_title_line(kept[0], title):
        removed.append(kept.pop(0))

    rest, author, source = split_byline(kept)
    return Body(
        text="\n\n".join(rest),
        paragraphs=rest,
        author=author,
        source=source,
        view_count=view_count,
        removed=removed,
    )
