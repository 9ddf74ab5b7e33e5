"""Benchmark: parse_date's regex path vs plain dateparser on realistic portal date strings.

Why: the regex path exists because dateparser is slow and misreads some forms; this script
keeps both claims measurable. Run: ``.venv/bin/python bench/bench_dates.py [-n N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.normalize.dates import VN_TZ, parse_date


def _vn(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)  # type: ignore[misc]


# (raw, expected aware datetime or None for "must not produce a date")
CASES: list[tuple[str, datetime | None]] = [
    ("15/11/2021", _vn(2021, 11, 15)),
    ("Thứ Hai, 14/12/2020, 17:29 [GMT+7]", _vn(2020, 12, 14, 17, 29)),
    ("Thứ ba, ngày 02/12/2025 15:54 GMT+7", _vn(2025, 12, 2, 15, 54)),
    ("Ngày 05/6/2023", _vn(2023, 6, 5)),
    ("Ngày đăng: 05-05-2021", _vn(2021, 5, 5)),
    ("Cập nhật lúc 08:30 ngày 05/06/2023", _vn(2023, 6, 5, 8, 30)),
    ("Cập nhật: Thứ Ba, ngày 14/01/2020", _vn(2020, 1, 14)),
    ("22/09/2022 15:15", _vn(2022, 9, 22, 15, 15)),
    ("10:15 05/06/2023", _vn(2023, 6, 5, 10, 15)),
    ("2025-06-30T19:02:21", _vn(2025, 6, 30, 19, 2, 21)),
    ("2025-06-30T12:02:21Z", datetime(2025, 6, 30, 12, 2, 21, tzinfo=UTC)),
    ("17/05/2013", _vn(2013, 5, 17)),
    ("(01/10/2020)", _vn(2020, 10, 1)),
    ("Chủ Nhật, 17/03/2024", _vn(2024, 3, 17)),
    ("15.07.2024", _vn(2024, 7, 15)),
    ("ngày 15 tháng 7 năm 2024", _vn(2024, 7, 15)),
    ("15/11/2021 02:30 CH", _vn(2021, 11, 15, 14, 30)),
    ("15/11/21", _vn(2021, 11, 15)),
    ("-0001-11-30 07:06:30", None),  # PHP zero date
    ("31/02/2021", None),
]


def _agrees(got: datetime | None, expected: datetime | None) -> bool:
    """Same instant (naive results are read as Vietnam local time), or both empty."""
    if got is None or expected is None:
        return got is expected
    if got.tzinfo is None:
        got = got.replace(tzinfo=VN_TZ)
    return got == expected


def _time_per_call(fn: Callable[[str], object], strings: list[str], n: int) -> float:
    """Microseconds per parse, best of 3 rounds of ``n`` passes over ``strings``."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            for s in strings:
                fn(s)
        best = min(best, time.perf_counter() - start)
    return best / (n * len(strings)) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=100, help="passes over the list per round")
    args = ap.parse_args()
    strings = [raw for raw, _ in CASES]

    # correctness and path, before any timing (and before dateparser is imported)
    ours = [parse_date(raw) for raw in strings]
    via_regex = sum(r.method == "regex" for r in ours)
    ours_ok = sum(_agrees(r.value, exp) for r, (_, exp) in zip(ours, CASES, strict=True))

    t0 = time.perf_counter()
    import dateparser

    import_ms = (time.perf_counter() - t0) * 1e3

    def plain(s: str) -> datetime | None:
        return dateparser.parse(s, languages=["vi"], settings={"DATE_ORDER": "DMY"})

    theirs = [plain(raw) for raw in strings]  # also warms dateparser's caches
    theirs_ok = sum(_agrees(v, exp) for v, (_, exp) in zip(theirs, CASES, strict=True))

    us_ours = _time_per_call(parse_date, strings, args.n)
    us_theirs = _time_per_call(plain, strings, args.n)

    width = max(len(s) for s in strings)
    print(f"{len(strings)} strings, {args.n} passes x 3 rounds (best round)\n")
    print(f"{'raw':<{width}}  {'parse_date':<27} {'dateparser (plain)':<27}")
    for raw, r, v, (_, exp) in zip(strings, ours, theirs, CASES, strict=True):
        a = (r.isoformat() or r.flag or "") + ("" if _agrees(r.value, exp) else "  X")
        b = (v.isoformat() if v else "None") + ("" if _agrees(v, exp) else "  X")
        print(f"{raw:<{width}}  {a:<27} {b}")
    print()
    print(f"parse_date (regex path)  : {us_ours:9.1f} us/date   correct {ours_ok}/{len(CASES)}")
    print(f"dateparser.parse (plain) : {us_theirs:9.1f} us/date   correct {theirs_ok}/{len(CASES)}")
    print(f"speed-up                 : {us_theirs / us_ours:9.1f} x")
    print(f"parse_date via regex     : {via_regex}/{len(CASES)} strings")
    print(f"dateparser import        : {import_ms:9.1f} ms (paid once; regex path never pays it)")


if __name__ == "__main__":
    main()
