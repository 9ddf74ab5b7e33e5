"""Field accuracy of an extractor against reviewed expected output (the fixtures).

Shared by bench/bench_extract.py (figures for the README) and the accuracy test, so both
judge extractions the same way:
- title: equal after whitespace/NFC cleaning;
- date: the same calendar day as the gold ``published_at`` (both None counts as right);
- author: equal (both None counts as right);
- body: token F1 with the gold body_text of at least 0.90.
"""

from __future__ import annotations

import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crawler.normalize.paragraphs import clean_inline

FIELDS = ("title", "date", "author", "body")
BODY_F1_OK = 0.90
Extraction = dict[str, str | None]  # title, date (YYYY-MM-DD), author, body


def tokens(text: str | None) -> Counter:
    return Counter(re.findall(r"\w+", (text or "").lower()))


def f1(gold: str | None, got: str | None) -> float:
    g, o = tokens(gold), tokens(got)
    if not g and not o:
        return 1.0
    common = sum((g & o).values())
    if not common:
        return 0.0
    precision, recall = common / sum(o.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def day(value: str | None) -> str | None:
    return value[:10] if value else None


@dataclass
class Score:
    pages: int
    right: Counter
    mean_body_f1: float
    seconds_per_page: float

    def accuracy(self, field: str) -> float:
        return self.right[field] / self.pages if self.pages else 0.0


def score(extract: Callable[[dict[str, Any], bytes], Extraction],
          pages: Iterable[tuple[dict[str, Any], bytes, dict[str, Any]]],
          repeat: int = 1) -> Score:
    """Run ``extract(meta, body)`` on every (meta, body, gold) page and count what is right."""
    right: Counter = Counter()
    f1s: list[float] = []
    times: list[float] = []
    for meta, body, gold in pages:
        start = time.perf_counter()
        for _ in range(repeat):
            got = extract(meta, body)
        times.append((time.perf_counter() - start) / repeat)
        right["title"] += clean_inline(gold["title"] or "") == clean_inline(got["title"] or "")
        right["date"] += day(gold["published_at"]) == got["date"]
        right["author"] += (gold["author"] or None) == (got["author"] or None)
        body_f1 = f1(gold["body_text"], got["body"])
        f1s.append(body_f1)
        right["body"] += body_f1 >= BODY_F1_OK
    return Score(len(f1s), right, statistics.mean(f1s) if f1s else 0.0,
                 statistics.mean(times) if times else 0.0)


# -- the real-text set (tests/fixtures/realtext) -------------------------------------------
#: Fields judged on the real-text set: truth.json was written by reading the stored page.
REALTEXT_FIELDS = ("title", "date", "author", "source", "body", "furniture")
REAL_TEXT_DIR = "realtext"


def _norm(text: str | None) -> str:
    """Compared text: NFC, whitespace collapsed, case and typographic quotes ignored."""
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    return " ".join(text.split()).casefold()


@dataclass
class RealScore:
    pages: int
    right: Counter
    #: Per page, the fields it got wrong: (folder name, field, what was expected, what came).
    misses: list[tuple[str, str, str, str]]

    def accuracy(self, field: str) -> float:
        return self.right[field] / self.pages if self.pages else 0.0


def judge_realtext(truth: dict[str, Any], got: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    """Per field: right or not, and what came. ``got`` has title, date (YYYY-MM-DD), author,
    source, body (text). Body: all three truth sentences are in it; furniture: none of the
    four page-furniture strings is in it; author and source: equal when the truth has one,
    else nothing (a byline invented from furniture is wrong)."""
    body = _norm(got.get("body"))
    out: dict[str, tuple[bool, str]] = {
        "title": (_norm(truth["title"]) == _norm(got.get("title")), got.get("title") or ""),
        "date": ((truth.get("date") or None) == (got.get("date") or None),
                 got.get("date") or ""),
    }
    for field in ("author", "source"):
        want, came = truth.get(field), got.get(field)
        ok = (_norm(want) == _norm(came)) if want else not came
        out[field] = (ok, came or "")
    missing = [s for s in truth["sentences"] if _norm(s) not in body]
    out["body"] = (not missing, f"missing: {missing[0][:70]}…" if missing else "")
    # Furniture matched as printed, case kept: "KHOA HỌC VÀ CÔNG NGHỆ" as a block heading is
    # furniture, "khoa học và công nghệ" in a sentence is text.
    exact = " ".join(unicodedata.normalize("NFC", got.get("body") or "").split())
    present = [f for f in truth["furniture"]
               if f.strip() and " ".join(unicodedata.normalize("NFC", f).split()) in exact]
    out["furniture"] = (not present, f"in body: {present[0][:70]}" if present else "")
    return out


def score_realtext(extract: Callable[[dict[str, Any], bytes], dict[str, Any]],
                   pages: Iterable[tuple[str, dict[str, Any], bytes, dict[str, Any]]]
                   ) -> RealScore:
    """Run ``extract(meta, body)`` on every (name, meta, body, truth) page and judge it."""
    right: Counter = Counter()
    misses: list[tuple[str, str, str, str]] = []
    n = 0
    for name, meta, body, truth in pages:
        n += 1
        try:
            got = extract(meta, body)
        except Exception as exc:  # an extractor that crashes gets every field wrong
            got = {"title": f"<{type(exc).__name__}: {exc}>"}
        for field, (ok, came) in judge_realtext(truth, got).items():
            right[field] += ok
            if not ok:
                want = truth.get(field) if field in ("title", "date", "author", "source") \
                    else ""
                misses.append((name, field, str(want or ""), came))
    return RealScore(n, right, misses)
