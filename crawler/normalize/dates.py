"""Day-first Vietnamese date parsing: compiled regexes first, dateparser only as a fallback.

Why not dateparser alone: it reads ``05/6/2023`` month-first unless told otherwise, turns the
PHP zero date ``-0001-11-30`` into year 1, fills a missing year from the wall clock, and costs
two orders of magnitude more per call. Provincial portals print a small set of numeric
layouts, so a few module-level regexes cover them with rules that are explicit and testable.

Contract: a value is always timezone-aware in ``VN_TZ``; anything doubtful becomes a flag
(``no_date``, ``date_unparsed``, ``date_impossible``, ``date_no_year``) instead of a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "FLAG_DATE_IMPOSSIBLE",
    "FLAG_DATE_NO_YEAR",
    "FLAG_DATE_UNPARSED",
    "FLAG_NO_DATE",
    "VN_TZ",
    "ParsedDate",
    "find_date",
    "parse_date",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

FLAG_NO_DATE = "no_date"
FLAG_DATE_UNPARSED = "date_unparsed"
FLAG_DATE_IMPOSSIBLE = "date_impossible"
FLAG_DATE_NO_YEAR = "date_no_year"

MIN_YEAR = 1900
MAX_YEAR = 2100
# Two-digit years: 00-69 -> 20xx, 70-99 -> 19xx (the POSIX strptime pivot; no wall clock).
_TWO_DIGIT_PIVOT = 70
_TWO_DIGITS = 2
# How far back the prefix (weekday, "ngày", a time of day...) may start before the date.
_PREFIX_WINDOW = 80


@dataclass(frozen=True)
class ParsedDate:
    """Result of parsing: either a VN-local aware ``value`` or a ``flag`` saying why not."""

    value: datetime | None
    raw: str | None
    flag: str | None
    method: str
    has_time: bool

    def isoformat(self) -> str | None:
        """ISO 8601 with offset, e.g. ``2021-11-15T00:00:00+07:00``; None when unparsed."""
        return self.value.isoformat() if self.value is not None else None


# --------------------------------------------------------------------------- regexes
# All patterns run on NFC text with re.IGNORECASE (Unicode-aware, so "THỨ" matches "thứ").

_LETTER = r"[^\W\d_]"
_NOT_LETTER = rf"(?!{_LETTER})"

_WEEKDAY = r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s*nhật|cn|t[2-7])"
_PART_OF_DAY = (
    r"(?:(?:rạng\s+)?(?:sáng|chiều|trưa|tối|đêm|khuya)(?:\s+(?:nay|qua|mai))?"
    r"|hôm(?:\s+(?:nay|qua))?)"
)
_MERIDIEM = r"(?:sa|ch|am|pm|a\.m\.|p\.m\.|sáng|chiều|tối|trưa|đêm)"
_MONTH_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12,
}  # fmt: skip
_MONTH_WORD_RE = r"(?:mười\s+một|mười\s+hai|mười|một|hai|ba|tư|bốn|năm|sáu|bảy|bẩy|tám|chín)"


def _time_re(p: str) -> str:
    """A time of day (``17:29``, ``08:30:15``, ``8h30``, ``8 giờ 30 phút``, ``02:30 CH``).

    Group names carry prefix ``p`` because the same fragment appears in two patterns.
    """
    return (
        rf"(?:(?<!\d)(?P<{p}h>\d{{1,2}}):(?P<{p}mi>\d{{2}})"
        rf"(?::(?P<{p}s>\d{{2}})(?:[.,]\d+)?)?(?!\d)"
        rf"|(?<!\d)(?P<{p}hh>\d{{1,2}})\s*(?:giờ|h|g){_NOT_LETTER}"
        rf"(?:\s*(?P<{p}hm>\d{{1,2}})(?!\d)\s*(?:phút|p|')?{_NOT_LETTER})?)"
        rf"(?:\s*(?P<{p}ap>{_MERIDIEM}){_NOT_LETTER})?"
    )


# The date itself. Alternatives are tried left to right at the leftmost position, so the
# more specific forms come first. Values are range-checked later, not here, so that
# "31/02/2021" is *recognised* (and flagged impossible) rather than left to dateparser.
_ANCHOR_RE = re.compile(
    rf"""
    (?P<iso>                                   # 2025-06-30T19:02:21Z, -0001-11-30 07:06:30
        (?<![\d./-])(?P<iy>-?\d{{4}})(?P<isep>[-/])(?P<imo>\d{{1,2}})(?P=isep)(?P<id>\d{{1,2}})
        (?!\d)
        (?:(?:T|\s+)(?P<ih>\d{{1,2}}):(?P<imi>\d{{2}})
            (?::(?P<is>\d{{2}})(?:[.,](?P<ifr>\d+))?)?(?!\d)
            (?:\s*(?P<iz>Z{_NOT_LETTER}|[+-]\d{{2}}(?::?\d{{2}})?(?!\d)))?
        )?
    )
    |(?P<dmy>                                  # 15/11/2021, 05-05-2021, 15.07.2024, 15/11/21
        (?<!\d)(?<!\d[/.])
        (?P<d>\d{{1,2}})(?:\s*[/-]\s*|\.)(?P<mo>\d{{1,2}})(?:\s*[/-]\s*|\.)(?P<y>\d{{4}}|\d{{2}})
        (?!\d)(?![/.-]\d)
    )
    |(?P<txt>                                  # 15 tháng 7 năm 2024, 15 tháng Bảy, 2024
        (?<!\d)(?P<td>\d{{1,2}})\s+tháng\s+
        (?P<tmo>\d{{1,2}}(?!\d)|{_MONTH_WORD_RE}{_NOT_LETTER})
        (?:\s*(?:,|năm|/|-)?\s*(?P<ty>\d{{4}})(?!\d))?
    )
    |(?P<ym>                                   # 15-1, 12/11 (year comes from context only)
        (?<!\d)(?<!\d[/.-])(?P<yd>\d{{1,2}})[/-](?P<ymo>\d{{1,2}})(?!\d)(?![/.-]\d)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Words/time that may sit right before a date and belong to it: "Thứ Ba, ngày ",
# "Chiều ngày ", "Cập nhật lúc 08:30 ngày ". Searched in a window ending at the date.
# At most one time and a few words, so a run of unrelated numbers cannot chain into it.
_PREFIX_SEP = r"[\s,;:|\-\u2013\u2014]*"
_PREFIX_WORD = rf"(?:(?<!\w)(?:{_WEEKDAY}|{_PART_OF_DAY}|ngày){_NOT_LETTER}{_PREFIX_SEP})"
_PREFIX_RE = re.compile(
    rf"{_PREFIX_WORD}{{0,3}}(?:{_time_re('p')}{_PREFIX_SEP})?{_PREFIX_WORD}{{0,3}}\Z",
    re.IGNORECASE,
)

# A time (and optional zone) right after the date: ", 17:29 [GMT+7]", " lúc 8h30",
# " 00:00:00 +00:00". A bare offset must be compact (+0700) so "10:30 - 5 người" is no zone.
_SUFFIX_RE = re.compile(
    rf"[\s,;|\-\u2013\u2014]*(?:(?:vào\s+)?lúc\s*|vào\s*)?{_time_re('q')}"
    r"(?:\s*[\[(]?\s*(?:gmt|utc)\s*(?P<zsign>[+-])\s*(?P<zh>\d{1,2})(?::?(?P<zm>\d{2}))?\s*[\])]?"
    r"|\s*(?P<zsign2>[+-])(?P<zh2>\d{2}):?(?P<zm2>\d{2})(?!\d))?",
    re.IGNORECASE,
)

# Decides has_time for dateparser results, which always carry a time component.
_TIME_HINT_RE = re.compile(
    rf"(?<!\d)\d{{1,2}}\s*(?::\d{{2}}|h{_NOT_LETTER}|g\d|giờ)|phút|giây", re.IGNORECASE
)

# Invisible characters portals leave in dates; mapped 1:1 to spaces so offsets survive.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


# --------------------------------------------------------------------------- helpers
class _Impossible(Exception):
    """A recognised date/time whose fields cannot exist (31/02, 25:00, year -1...)."""


_Clock = tuple[int, int, int, int]  # hour, minute, second, microsecond


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    value: datetime | None
    flag: str | None
    has_time: bool


def _normalize(text: str) -> str:
    """NFC + invisible characters to spaces; NFD input (common from Mac editors) is composed."""
    text = _INVISIBLE_RE.sub(" ", text)
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _normalize_mapped(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Like _normalize, plus per-character start/end offsets back into ``text``.

    Needed so find_date can return the exact original substring even for NFD input.
    Returns (normalized, None, None) when offsets are the identity.
    """
    text_ws = _INVISIBLE_RE.sub(" ", text)
    if unicodedata.is_normalized("NFC", text_ws):
        return text_ws, None, None
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text_ws)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text_ws[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text_ws[i:j])
        parts.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(parts), starts, ends


def _apply_meridiem(hour: int, marker: str | None) -> int:
    """SA/sáng = AM, CH/chiều/tối = PM; trưa and đêm follow everyday usage."""
    if not marker:
        return hour
    m = marker.lower().replace(".", "")
    if m in ("sa", "am", "sáng"):
        return 0 if hour == 12 else hour
    if m in ("ch", "pm", "chiều", "tối"):
        return hour + 12 if hour < 12 else hour
    if m == "trưa":  # "12 giờ trưa" = 12:00, "1 giờ trưa" = 13:00
        return hour + 12 if hour < 6 else hour
    if m == "đêm":  # "11 giờ đêm" = 23:00, "2 giờ đêm" = 02:00
        if hour == 12:
            return 0
        return hour + 12 if 6 <= hour < 12 else hour
    return hour


def _time_from(m: re.Match[str], p: str) -> tuple[int, int, int] | None:
    """(hour, minute, second) from a _time_re(p) match, meridiem applied; None if absent."""
    if m.group(p + "h") is not None:
        hour, minute = int(m.group(p + "h")), int(m.group(p + "mi"))
        second = int(m.group(p + "s") or 0)
    elif m.group(p + "hh") is not None:
        hour, minute, second = int(m.group(p + "hh")), int(m.group(p + "hm") or 0), 0
    else:
        return None
    return _apply_meridiem(hour, m.group(p + "ap")), minute, second


@lru_cache(maxsize=64)
def _offset(sign: str, hours: str, minutes: str | None) -> tzinfo:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta >= timedelta(hours=24):
        raise _Impossible
    return timezone(-delta if sign == "-" else delta)


def _iso_zone(z: str) -> tzinfo:
    if z.upper() == "Z":
        return UTC
    digits = z[1:].replace(":", "")
    return _offset(z[0], digits[:2], digits[2:] or None)


def _as_date(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _year_from_context(
    month: int, day: int, context_date: date | None, context_year: int | None
) -> int | None:
    """Explicit context only (never today): context_year wins, else the latest year that
    does not put the date after context_date (a listing page cannot show future posts)."""
    if context_year is not None:
        return context_year
    if context_date is None:
        return None
    ctx = _as_date(context_date)
    for year in range(ctx.year, ctx.year - 9, -1):  # 9 years always reaches a leap year
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= ctx:
            return year
    raise _Impossible


def _build(year: int, month: int, day: int, clock: _Clock | None, zone: tzinfo | None) -> datetime:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Impossible
    hour, minute, second, micro = clock or (0, 0, 0, 0)
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError as exc:
        raise _Impossible from exc
    if zone is None:
        return naive.replace(tzinfo=VN_TZ)
    return naive.replace(tzinfo=zone).astimezone(VN_TZ)


def _anchor_fields(m: re.Match[str]) -> tuple[int | None, int, int, _Clock | None, tzinfo | None]:
    """(year or None, month, day, clock, zone) from an _ANCHOR_RE match; unvalidated."""
    if m.group("iso") is not None:
        clock: _Clock | None = None
        zone: tzinfo | None = None
        if m.group("ih") is not None:
            frac = (m.group("ifr") or "")[:6].ljust(6, "0")
            clock = (int(m.group("ih")), int(m.group("imi")), int(m.group("is") or 0), int(frac))
            if m.group("iz"):
                zone = _iso_zone(m.group("iz"))
        return int(m.group("iy")), int(m.group("imo")), int(m.group("id")), clock, zone
    if m.group("dmy") is not None:
        year = int(m.group("y"))
        if len(m.group("y")) == _TWO_DIGITS:
            year += 2000 if year < _TWO_DIGIT_PIVOT else 1900
        return year, int(m.group("mo")), int(m.group("d")), None, None
    if m.group("txt") is not None:
        tmo = m.group("tmo")
        month = int(tmo) if tmo.isdigit() else _MONTH_WORDS[" ".join(tmo.lower().split())]
        year = int(m.group("ty")) if m.group("ty") else None
        return year, month, int(m.group("td")), None, None
    return None, int(m.group("ymo")), int(m.group("yd")), None, None


def _adjacent_time(
    norm: str, m: re.Match[str], prefix: re.Match[str] | None
) -> tuple[_Clock | None, tzinfo | None, int]:
    """Time written right after the date (preferred) or right before it; returns the new end."""
    suffix = _SUFFIX_RE.match(norm, m.end())
    if suffix is not None:
        hms = _time_from(suffix, "q")
        zone = None
        if suffix.group("zh") is not None:
            zone = _offset(suffix.group("zsign"), suffix.group("zh"), suffix.group("zm"))
        elif suffix.group("zh2") is not None:
            zone = _offset(suffix.group("zsign2"), suffix.group("zh2"), suffix.group("zm2"))
        return (*hms, 0) if hms else None, zone, suffix.end()
    hms = _time_from(prefix, "p") if prefix is not None else None
    return (*hms, 0) if hms else None, None, m.end()


def _interpret(
    norm: str,
    m: re.Match[str],
    floor: int,
    *,
    need_cue: bool,
    context: tuple[date | None, int | None],
) -> _Hit | None:
    """Turn one anchor match (+ adjacent prefix/suffix) into a hit; None if not date-like."""
    start, end = m.span()
    prefix = _PREFIX_RE.search(norm, max(floor, start - _PREFIX_WINDOW), start)
    if prefix is not None and prefix.start() < start:
        start = prefix.start()
    else:
        prefix = None
    has_time = m.group("ih") is not None
    try:
        year, month, day, clock, zone = _anchor_fields(m)
        if clock is None:
            clock, zone, end = _adjacent_time(norm, m, prefix)
            has_time = clock is not None
        if year is None:
            if need_cue and prefix is None and not has_time and m.group("ym") is not None:
                return None  # a bare "3/4" in running text is a fraction as often as a date
            year = _year_from_context(month, day, *context)
            if year is None:
                _build(2000, month, day, clock, None)  # leap year: possible at all?
                return _Hit(start, end, None, FLAG_DATE_NO_YEAR, has_time)
        value = _build(year, month, day, clock, zone)
    except _Impossible:
        return _Hit(start, end, None, FLAG_DATE_IMPOSSIBLE, has_time)
    return _Hit(start, end, value, None, has_time)


# --------------------------------------------------------------------------- dateparser
_SENTINEL_BASE = datetime(2000, 1, 1)
_NUMBER_RE = re.compile(r"\d+")


def _digits_agree(text: str, value: datetime) -> bool:
    """Day and year of an absolute dateparser result must be numbers written in the text.

    Guards against dateparser inventing fields, e.g. "tháng 13 năm 2020" -> 2020-01-03.
    """
    numbers = {int(n) for n in _NUMBER_RE.findall(text)}
    return value.day in numbers and (value.year in numbers or value.year % 100 in numbers)


def _dateparser_parse(text: str, reference: datetime | None) -> tuple[datetime | None, bool]:
    """Fallback for wordy absolute forms, then relative ones when the fetch time is known.

    Imported lazily: importing dateparser costs far more than the whole regex path.
    The absolute pass runs with a fixed sentinel base and no relative parser; the relative
    pass runs only with ``reference``. So the wall clock can never leak into a value.
    """
    import dateparser  # deliberately lazy: see docstring

    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RELATIVE_BASE": _SENTINEL_BASE,
        "PARSERS": ["custom-formats", "absolute-time"],
    }
    result = dateparser.parse(text, languages=["vi"], settings=settings)
    if result is not None and not _digits_agree(text, result):
        result = None
    if result is None and reference is not None:
        if reference.tzinfo is not None:
            reference = reference.astimezone(VN_TZ).replace(tzinfo=None)
        settings["RELATIVE_BASE"] = reference
        settings["PARSERS"] = ["relative-time"]
        result = dateparser.parse(text, languages=["vi"], settings=settings)
    if result is None:
        return None, False
    if result.tzinfo is None:
        result = result.replace(tzinfo=VN_TZ)
    result = result.astimezone(VN_TZ)
    has_time = _TIME_HINT_RE.search(text) is not None
    if not has_time:  # "hôm qua" -> that day at midnight, not the fetch time minus 24h
        result = datetime(result.year, result.month, result.day, tzinfo=VN_TZ)
    return result, has_time


# --------------------------------------------------------------------------- public API
def parse_date(
    raw: str | None,
    *,
    context_date: date | None = None,
    context_year: int | None = None,
    reference: datetime | None = None,
) -> ParsedDate:
    """Parse one date field (day-first), e.g. ``"Thứ Hai, 14/12/2020, 17:29 [GMT+7]"``.

    ``context_year``/``context_date`` supply the year for year-less forms ("Chiều 15-1");
    ``reference`` (the fetch time) enables relative forms ("2 giờ trước"). Neither is
    ever replaced by the current time.
    """
    if raw is None or not raw.strip():
        return ParsedDate(None, raw, FLAG_NO_DATE, "none", False)
    norm = _normalize(raw)
    m = _ANCHOR_RE.search(norm)
    if m is not None:
        hit = _interpret(norm, m, 0, need_cue=False, context=(context_date, context_year))
        if hit is not None:
            return ParsedDate(hit.value, raw, hit.flag, "regex", hit.has_time)
    value, has_time = _dateparser_parse(" ".join(norm.split()), reference)
    if value is None:
        return ParsedDate(None, raw, FLAG_DATE_UNPARSED, "none", False)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return ParsedDate(None, raw, FLAG_DATE_IMPOSSIBLE, "dateparser", has_time)
    return ParsedDate(value, raw, None, "dateparser", has_time)


def find_date(
    text: str | None,
    *,
    context_date: date | None = None,
    context_year: int | None = None,
) -> ParsedDate:
    """First date in a longer text (page header, lead paragraph); ``raw`` is that substring.

    Regex scan only: dateparser's search_dates finds "dates" in ordinary Vietnamese words
    and would be slow on long text. The first hit with a value wins; if none has one, the
    first flagged hit (impossible / no year) is returned so the caller learns why.
    Year-less "12/11" needs a cue before it ("ngày", "chiều", a weekday, a time).
    """
    if text is None or not text.strip():
        return ParsedDate(None, text, FLAG_NO_DATE, "none", False)
    norm, starts, ends = _normalize_mapped(text)
    chosen: _Hit | None = None
    floor = 0
    for m in _ANCHOR_RE.finditer(norm):
        hit = _interpret(norm, m, floor, need_cue=True, context=(context_date, context_year))
        if hit is None:
            continue
        floor = hit.end
        if hit.value is not None:
            chosen = hit
            break
        if chosen is None:
            chosen = hit
    if chosen is None:
        return ParsedDate(None, None, FLAG_DATE_UNPARSED, "none", False)
    hit = chosen
    if starts is None or ends is None:
        sub = text[hit.start : hit.end]
    else:
        sub = text[starts[hit.start] : ends[hit.end - 1]]
    return ParsedDate(hit.value, sub, hit.flag, "regex", hit.has_time)
