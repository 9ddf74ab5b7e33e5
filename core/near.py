"""Near-duplicate detection for syndicated news: shingles, MinHash signatures, LSH bands.

The same ministry article is reposted by several provinces with small edits (a reworded
lead, captions or a paragraph dropped, hoá/hóa, another byline). Two bodies are copies of
one article when the Jaccard similarity of their shingle sets is at least ``THRESHOLD``,
estimated from MinHash signatures (datasketch); the archive finds candidates with LSH bands
(``band_keys``) and verifies them with ``jaccard``. Nothing here writes SQL: storage.Archive
stores signatures and bands and sets ``cluster_id``.

Choices, each measured on tests/dedup/labelled_pairs.json (``bench/bench_clusters.py``):

- **Folded text** (core.fold): tone placement (hoá/hóa), case and accents do
  not count as edits.
- **Word 5-shingles.** A Vietnamese "word" here is a syllable, so 3 syllables are mostly a
  formula ("sở khoa học", "khoa học và"): with 3-shingles unrelated and same-event articles
  share twice as much (median 0.09 against 0.05 on the labelled false pairs; 0.038 against
  0.009 over every pair of mirror articles) for no better separation of the labelled pairs
  (gap 0.195 against 0.197). 5 is also what large-scale web deduplication uses.
- **128 permutations** (standard error of the estimate ≤ 0.045), cut into 42 bands of 3
  rows: a pair at the threshold becomes a candidate with probability 0.99996, an unrelated
  pair (Jaccard 0.05) with 0.005.
- **Bodies shorter than ``MIN_CHARS`` never cluster.** Under 300 characters (about 60
  syllables) a body is a notice or a caption-like stub ("Thông báo … xem file đính kèm"):
  a few dozen shingles, where one changed date or number moves the Jaccard by 0.1 or more
  and two different notices from one template look alike. Exact copies still cluster through
  ``duplicate_of``.
- **Copies are published close together.** Two near-identical bodies dated more than
  ``MAX_DAYS_APART`` days apart are not clustered: a repost follows its source by days (Phú
  Thọ's repost of the ministry's report is dated the day after the conference), while text
  reused a year later is a recurring event or a template, not a repost. When either date
  is unknown the text alone decides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

from core.fold import fold

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # datasketch 2.0's default, named so stored signatures stay comparable
BANDS, ROWS = 42, 3  # 126 of the 128 values go into bands
# Chosen from the labelled pairs (tests/dedup/test_near.py): the thresholds that give
# precision 1.0 and recall 1.0 run from 0.54 to 0.69 on the MinHash estimates (0.49 to 0.67
# on the exact Jaccard); 0.6 is their middle. Precision 1.0 with recall ≥ 0.9: 0.54–0.75.
THRESHOLD = 0.6
MIN_CHARS = 300
MAX_DAYS_APART = 60
Signature: TypeAlias = "LeanMinHash"  # what ``signature`` returns; stored by ``to_bytes``
_WORD = re.compile(r"\w+")
_DTYPE = "<u4"  # the affine32 scheme's hash values, little-endian on disk


@cache
def _lib() -> tuple[Any, Any]:
    """(datasketch, numpy), imported on first use: datasketch imports scipy (~0.4 s), which
    ``search`` and the other commands that open the archive without writing never need."""
    import datasketch
    import numpy

    return datasketch, numpy


def words(text: str) -> list[str]:
    """The folded words of ``text`` (lowercase, no marks, đ → d; punctuation dropped)."""
    return _WORD.findall(fold(text or ""))


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The set of ``k``-word shingles of the folded text (one shingle if shorter than k)."""
    w = words(text)
    if len(w) <= k:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + k]) for i in range(len(w) - k + 1)}


def exact_jaccard(a: str, b: str, k: int = SHINGLE_WORDS) -> float:
    """The true Jaccard similarity of two texts' shingle sets (for measurements)."""
    x, y = shingles(a, k), shingles(b, k)
    return len(x & y) / len(x | y) if x or y else 0.0


def clusterable(text: str | None) -> bool:
    """Whether a body carries enough text to be compared at all (see ``MIN_CHARS``)."""
    return len((text or "").strip()) >= MIN_CHARS


@cache
def _permutations() -> Any:
    """The permutation parameters of (NUM_PERM, SEED, SCHEME), made once: datasketch would
    draw them again for every signature (a fifth of its cost)."""
    datasketch, _ = _lib()
    return datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def prepare() -> None:
    """Import datasketch and make the permutations now, not at the first signature (for a
    process whose first signatures should not wait: the archive writer)."""
    _permutations()


def signature(text: str | None, k: int = SHINGLE_WORDS) -> Signature | None:
    """The MinHash signature of a body, or None when it is too short to cluster."""
    if not clusterable(text):
        return None
    datasketch, _ = _lib()
    m = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME,
                           permutations=_permutations())
    m.update_batch([s.encode("utf-8") for s in shingles(text or "", k)])
    return datasketch.LeanMinHash(m)


def to_bytes(sig: Signature) -> bytes:
    """The signature as stored (``article_minhash.signature``): 128 little-endian uint32."""
    _, numpy = _lib()
    return numpy.asarray(sig.hashvalues, dtype=_DTYPE).tobytes()


def from_bytes(blob: bytes) -> Signature:
    datasketch, numpy = _lib()
    return datasketch.LeanMinHash(seed=SEED, hashvalues=numpy.frombuffer(blob, dtype=_DTYPE),
                                  scheme=SCHEME)


def jaccard(a: Signature, b: Signature) -> float:
    """The MinHash estimate of the Jaccard similarity of two signatures."""
    return float(a.jaccard(b))


def band_keys(sig: Signature) -> list[tuple[int, int]]:
    """(band, key) for each LSH band: two signatures sharing any key are candidates.

    The key is the first 8 bytes of BLAKE2b over the band's ``ROWS`` values, as a signed
    64-bit integer (SQLite's INTEGER).
    """
    _, numpy = _lib()
    values = numpy.asarray(sig.hashvalues, dtype=_DTYPE)
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "little", signed=True)))
    return keys


def candidate_probability(similarity: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """The probability that LSH makes a pair with this Jaccard similarity a candidate."""
    return 1.0 - (1.0 - similarity ** rows) ** bands


def close_in_time(a: str | None, b: str | None, max_days: int | None = MAX_DAYS_APART) -> bool:
    """Whether two ISO publication dates are within ``max_days`` (True if either is unknown)."""
    if max_days is None or not a or not b:
        return True
    try:
        apart = abs(datetime.fromisoformat(a) - datetime.fromisoformat(b))
    except (TypeError, ValueError):
        return True
    return apart.days <= max_days


def is_near_copy(a: Signature, b: Signature, a_published: str | None = None,
                 b_published: str | None = None, threshold: float = THRESHOLD) -> bool:
    """The archive's decision for a candidate pair: text similar enough, dates close enough."""
    return jaccard(a, b) >= threshold and close_in_time(a_published, b_published)


def same_article(a: str, b: str, threshold: float = THRESHOLD) -> bool:
    """The text decision alone: both bodies long enough and estimated Jaccard ≥ threshold."""
    sa, sb = signature(a), signature(b)
    return sa is not None and sb is not None and jaccard(sa, sb) >= threshold


def components(ids: Iterable[int], edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (sorted lists, sorted by first id) of an undirected graph."""
    parent = {i: i for i in ids}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in parent:
        groups.setdefault(find(i), []).append(i)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])
