"""Benchmark: the syndication-cluster decision on the labelled pairs, per threshold.

Why: ``core.near.THRESHOLD`` is chosen from tests/dedup/labelled_pairs.json (true
pairs: one article reposted with small edits; false pairs: different articles about the
same recurring event, one template with other figures, partial quotes, unrelated news). This
script prints what the choice rests on: precision and recall of the MinHash decision per
threshold, 3- against 5-word shingles, the LSH banding, the mirror's fill-in articles, and
the cost of a signature. Run: ``.venv/bin/python bench/bench_clusters.py``.
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import near
from crawler.mirror.sites import models

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "dedup" / "labelled_pairs.json"
THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(14)]


def precision_recall(scored: list[tuple[float, bool]], t: float) -> tuple[float, float, int]:
    said = [same for est, same in scored if est >= t]
    positives = sum(same for _, same in scored)
    false_merges = len(said) - sum(said)
    return (sum(said) / len(said) if said else 1.0), sum(said) / positives, false_merges


def main() -> None:
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))
    n_true = sum(p["same"] for p in pairs)
    print(f"{len(pairs)} labelled pairs: {n_true} true (reposts), {len(pairs) - n_true} false\n")

    print("exact Jaccard of the shingle sets, by shingle length (folded words)")
    print("  k   min true  max false  gap     median false")
    for k in (3, 5):
        js = [(near.exact_jaccard(p["a"], p["b"], k), p["same"]) for p in pairs]
        lo = min(j for j, s in js if s)
        hi = max(j for j, s in js if not s)
        med = statistics.median(j for j, s in js if not s)
        mark = "  <- used" if k == near.SHINGLE_WORDS else ""
        print(f"  {k}   {lo:.3f}     {hi:.3f}      {lo - hi:.3f}   {med:.3f}{mark}")

    near.signature(pairs[0]["a"])  # the first call imports datasketch: not timed
    start = time.perf_counter()
    sigs = [(near.signature(p["a"]), near.signature(p["b"])) for p in pairs]
    ms = (time.perf_counter() - start) / (2 * len(pairs)) * 1e3
    scored = [(near.jaccard(a, b), p["same"]) for (a, b), p in zip(sigs, pairs, strict=True)]
    print(f"\nMinHash decision ({near.NUM_PERM} permutations, {near.SHINGLE_WORDS}-shingles)")
    print("  threshold  precision  recall  false merges")
    for t in THRESHOLDS:
        p, r, fm = precision_recall(scored, t)
        mark = "  <- chosen" if abs(t - near.THRESHOLD) < 1e-9 else ""
        print(f"  {t:.2f}       {p:.3f}      {r:.3f}   {fm}{mark}")
    fine = [round(0.01 * i, 2) for i in range(101)]
    perfect = [t for t in fine if precision_recall(scored, t)[:2] == (1.0, 1.0)]
    enough = [t for t in fine if precision_recall(scored, t)[0] == 1.0
              and precision_recall(scored, t)[1] >= 0.9]
    print(f"  precision 1.0, recall 1.0   : {min(perfect):.2f}–{max(perfect):.2f}")
    print(f"  precision 1.0, recall >= 0.9: {min(enough):.2f}–{max(enough):.2f}")
    print(f"  chosen THRESHOLD            : {near.THRESHOLD}")
    hardest_true = min(e for e, s in scored if s)
    hardest_false = max(e for e, s in scored if not s)
    print(f"  hardest true pair {hardest_true:.3f}, hardest false pair {hardest_false:.3f}")

    print(f"\nLSH: {near.BANDS} bands x {near.ROWS} rows; P(candidate) by Jaccard")
    for j in (0.05, 0.2, 0.4, 0.5, near.THRESHOLD, 0.7, 0.9):
        print(f"  J={j:.2f}  {near.candidate_probability(j):.5f}")

    print("\nmirror (phutho + mst models): pairs whose text alone reaches the threshold")
    arts = []
    for site in ("phutho", "mst"):
        for a in models()[site]("base").articles:
            arts.append((site, a.id, a.published.isoformat(), near.signature(
                "\n\n".join(a.paragraphs))))
    shown = 0
    for x, y in itertools.combinations([a for a in arts if a[3] is not None], 2):
        est = near.jaccard(x[3], y[3])
        if est >= near.THRESHOLD:
            shown += 1
            keep = near.close_in_time(x[2], y[2])
            print(f"  {x[0]}#{x[1]} {x[2][:10]}  {y[0]}#{y[1]} {y[2][:10]}  J≈{est:.2f}  "
                  f"{'cluster' if keep else f'apart (> {near.MAX_DAYS_APART} days)'}")
    print(f"  {shown} pairs of {len(arts) * (len(arts) - 1) // 2}")
    print(f"\nsignature: {ms:.2f} ms per body (mean over the labelled texts)")


if __name__ == "__main__":
    main()
