"""Bylines and credits: the one home of "Tác giả: X", "Nguồn: Y", "Theo Z" parsing.

Articles end with a byline ("Thu Huyên", "Theo most.gov.vn") and some templates print
labelled credit fields. A byline is reported only when it clearly looks like one: a wrong
author is worse than none, so when unsure the line stays article text.
"""

from __future__ import annotations

import re

from crawler.normalize.paragraphs import clean_inline

__all__ = [
    "AUTHOR_BLOCK_RE",
    "AUTHOR_LABEL",
    "CREDIT_FIELD_RE",
    "CREDIT_LINE_RE",
    "PHOTO_LABEL",
    "PIECE_LABEL",
    "REPRINT_LABEL",
    "SOURCE_LABEL",
    "TEXT_AND_PHOTO_LABEL",
    "WRITER_LABEL",
    "clean_author",
    "credit_kind",
    "split_byline",
    "split_source_line",
    "strip_author_label",
]

# --------------------------------------------------------------------------------------------
# Credit labels: how the sites label a credit, as regex fragments (case-insensitive use)
# --------------------------------------------------------------------------------------------

#: "Tác giả: X": the author.
AUTHOR_LABEL = r"tác\s+giả"
#: "Người viết: X": the author, in a rarer wording.
WRITER_LABEL = r"người\s+viết"
#: "Nguồn: X" / "Nguồn tin: X": where a reprint comes from.
SOURCE_LABEL = r"nguồn(?:\s+tin)?"
#: "Theo X": a reprint's source, usually without a colon.
REPRINT_LABEL = r"theo"
#: "Ảnh: X": the photographer (the archive has no field for one).
PHOTO_LABEL = r"ảnh"
#: "Bài: X" / "Tin: X": a weak label, whose value must look like a name.
PIECE_LABEL = r"bài|tin"
#: "Bài và ảnh: X", "Tin, ảnh: X": one author for text and photos.
TEXT_AND_PHOTO_LABEL = r"(?:bài|tin)\s*(?:,|và|&)\s*ảnh"

#: A labelled credit field: "Tác giả: X" / "Nguồn tin: Y" (NukeViet's lines under the body).
CREDIT_FIELD_RE = re.compile(
    rf"^\s*(?P<label>{AUTHOR_LABEL}|{SOURCE_LABEL})\s*:\s*(?P<value>.*)$", re.IGNORECASE)
#: A credit line ending a body, "Ảnh: Z" too; the value must be there (VNPT, Ninh Bình).
CREDIT_LINE_RE = re.compile(
    rf"^(?P<label>{AUTHOR_LABEL}|{SOURCE_LABEL}|{PHOTO_LABEL})\s*:\s*(?P<value>\S.*)$",
    re.IGNORECASE)
#: A line of an author block, whose colon may be missing and where "Theo" is a source (VNPT).
AUTHOR_BLOCK_RE = re.compile(
    rf"^\s*(?P<label>{AUTHOR_LABEL}|{SOURCE_LABEL}|{REPRINT_LABEL})\s*:?\s*(?P<value>.+)$",
    re.IGNORECASE)
#: The label before a name in an author element ("Tác giả: X", "Bài: X"; generic extractor).
_AUTHOR_PREFIX_RE = re.compile(
    rf"^(?:{AUTHOR_LABEL}|{PIECE_LABEL}|{WRITER_LABEL})\s*:\s*", re.IGNORECASE)
#: A one-field credit that is a reprint: "Theo X", "(Nguồn: X)" (Cần Thơ's ``Source`` field).
_SOURCE_FIELD_RE = re.compile(
    rf"^\s*\(?\s*(?:{REPRINT_LABEL}|{SOURCE_LABEL}\s*:)\s*(?P<src>.+?)\s*\)?\.?\s*$",
    re.IGNORECASE)
#: A one-field credit that names the author: "Tác giả: X", "Tin ảnh: X" (Cần Thơ).
_AUTHOR_FIELD_RE = re.compile(
    rf"^\s*(?:{AUTHOR_LABEL}|(?:tin|bài)\s*,?\s*{PHOTO_LABEL})\s*:\s*(?P<name>.+)$",
    re.IGNORECASE)


def credit_kind(label: str) -> str:
    """What a credit label credits: "source" (Nguồn, Theo), "photo" (Ảnh) or "author"."""
    low = label.lower()
    if low.startswith(("nguồn", "theo")):
        return "source"
    return "photo" if low.startswith("ảnh") else "author"


def strip_author_label(text: str) -> str:
    """An author element's text without its label: "Tác giả: Minh Anh" → "Minh Anh"."""
    return _AUTHOR_PREFIX_RE.sub("", text).strip()


def split_source_line(line: str | None) -> tuple[str | None, str | None]:
    """(author, source) from a one-field credit: "Theo X"/"Nguồn: X" is a source,
    "Tác giả: X" or a bare line is a byline."""
    line = " ".join((line or "").split())
    if not line:
        return None, None
    match = _SOURCE_FIELD_RE.match(line)
    if match:
        return None, match["src"]
    match = _AUTHOR_FIELD_RE.match(line)
    return (match["name"] if match else line), None


# --------------------------------------------------------------------------------------------
# Byline lines ending a body (split_byline)
# --------------------------------------------------------------------------------------------

_SOURCE_THEO_RE = re.compile(
    rf"^\(?\s*{REPRINT_LABEL}\s+(?P<src>[^()]+?)\s*\)?\s*\.?$", re.IGNORECASE)
_SOURCE_NGUON_RE = re.compile(
    rf"^\(?\s*{SOURCE_LABEL}\s*:\s*(?P<src>[^()]+?)\s*\)?\s*\.?$", re.IGNORECASE
)
# "Tác giả: X", "Bài và ảnh: X": an explicit label, so X only needs to be plausible.
_AUTHOR_LABEL_RE = re.compile(
    rf"^(?:{AUTHOR_LABEL}|{WRITER_LABEL}|{TEXT_AND_PHOTO_LABEL})\s*:\s*(?P<name>.+?)$",
    re.IGNORECASE,
)
# "Bài: X" / "Tin: X": a weaker label, X must look like a name.
_WEAK_AUTHOR_LABEL_RE = re.compile(rf"^(?:{PIECE_LABEL})\s*:\s*(?P<name>.+?)$", re.IGNORECASE)
# "Ảnh: Hoàng Yến" among the byline lines: a photo credit, neither author nor article text.
_PHOTO_CREDIT_RE = re.compile(
    rf"^(?:{PHOTO_LABEL}|hình\s+{PHOTO_LABEL})\s*:\s*[^.!?]{{1,60}}$", re.IGNORECASE)
_LABELLED_NAME_BAD_RE = re.compile(r"[!?;\"“”]")
# "Minh Anh (Theo baochinhphu.vn)": an author and a source on one line.
_NAME_WITH_SOURCE_RE = re.compile(
    rf"^(?P<name>[^()]+?)\s*\(\s*(?:{REPRINT_LABEL}\s+|nguồn\s*:\s*)(?P<src>[^()]+?)\s*\)\.?$",
    re.IGNORECASE,
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
