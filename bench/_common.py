"""What the benchmarks share: the large mirror, crawl subprocesses, RSS samples, the table.

Every crawl runs in its own process (``bench/_crawl.py``), as ``dost-archive crawl`` does, so
a benchmark can time it, read its Scrapy stats and sample its memory from outside.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.mirror_process import mirror_process  # noqa: E402

CRAWL = Path(__file__).with_name("_crawl.py")
#: Mirrored sites that have a spider of their own (the generic site is read by discovery).
SPIDER_SITES = ("cantho", "caobang", "hochiminh", "mst", "ninhbinh", "phutho", "quangninh",
                "quangtri", "sonla", "sonla_legacy", "vinhphuc")


def load_note() -> str:
    """The machine's load when a figure was measured (other work shares the 2 cores)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


@contextmanager
def large_mirror(sites: Sequence[str], articles: int | None, *,
                 render_once: bool = True) -> Iterator[dict[str, str]]:
    """The mirror of ``sites`` with ``articles`` per site, built before any crawl is timed
    (each site builds its articles on its first request). ``render_once`` (the default): each
    page is rendered on its first request and served as bytes after, as a real site's
    rendering happens on its machine, not on the crawler's two cores (bench/README.md)."""
    with mirror_process(*sites, articles=articles, render_once=render_once) as urls:
        for url in urls.values():
            # A site whose home page is missing still built its articles to answer 404.
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/", timeout=120).read()
        yield urls


@dataclass
class CrawlResult:
    wall_seconds: float
    sites: dict[str, dict[str, Any]]
    #: the crawl process's own figures: vm_hwm_kb (peak RSS), samples [(s, responses, kB)]
    process: dict[str, Any] = field(default_factory=dict)

    def total(self, key: str) -> int:
        return sum(int(s.get(key) or 0) for s in self.sites.values())

    @property
    def elapsed(self) -> float:
        """Seconds from the first spider opening to the last closing (Scrapy's own clock)."""
        return max(float(s.get("elapsed_time_seconds") or 0) for s in self.sites.values())

    @property
    def pages_per_second(self) -> float:
        return self.total("downloader/response_count") / self.elapsed


def run_crawl(jobs: dict[str, str], db: Path, *, variant: str = "pipeline", full: bool = False,
              sample_every: float | None = None, profile: Path | None = None,
              extra: Sequence[str] = ()) -> CrawlResult:
    """Crawl ``jobs`` (site → mirror URL) into ``db`` in a subprocess; its stats per site.
    ``sample_every``: the crawl process records (seconds, responses, VmRSS) that often."""
    stats_file = db.with_suffix(".stats.json")
    args = [sys.executable, str(CRAWL), "--db", str(db), "--variant", variant,
            "--stats", str(stats_file), *extra]
    for site, url in jobs.items():
        args += ["--job", f"{site}={url}"]
    if full:
        args.append("--full")
    if profile:
        args += ["--profile", str(profile)]
    if sample_every:
        args += ["--sample", str(sample_every)]
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"crawl failed ({proc.returncode}): {proc.stderr[-3000:]}")
    sites = json.loads(stats_file.read_text())
    process = sites.pop("_process", {})
    return CrawlResult(wall, sites, process)


def print_table(title: str, rows: Sequence[tuple[str, str, str, bool | None]]) -> None:
    """``rows``: (figure, measured, target, passed); passed None = reported, no target."""
    print(f"\n{title}")
    w0 = max(len(r[0]) for r in [("figure",), *rows])
    w1 = max(len(r[1]) for r in [("", "measured"), *rows])
    w2 = max(len(r[2]) for r in [("", "", "target"), *rows])
    print(f"  {'figure':<{w0}}  {'measured':>{w1}}  {'target':<{w2}}  result")
    for name, measured, target, passed in rows:
        verdict = "" if passed is None else ("PASS" if passed else "MISS")
        print(f"  {name:<{w0}}  {measured:>{w1}}  {target:<{w2}}  {verdict}")
    print(f"  ({load_note()})")


#: Where a function's own time is counted: our files by path prefix (first match) …
OURS = (
    ("crawler/normalize/", "ours: normalize (text, dates, URLs, HTML sanitizing)"),
    ("crawler/dedup/", "ours: MinHash signatures (crawler/dedup)"),
    ("crawler/plumbing/warc.py", "ours: WARC recorder (crawler/plumbing/warc.py)"),
    ("crawler/platforms/", "ours: spiders (crawler/platforms)"),
    ("storage/", "ours: storage (storage/archive.py)"),
    ("", "ours: other (pipelines, run, items, registry)"),
)
#: … and everything else by a fragment of its file name or built-in name.
THEIRS = (
    ("sqlite_utils", "sqlite-utils (Python side of inserts)"),
    ("sqlite3", "SQLite (execute, commit: C)"),
    ("datasketch", "datasketch + numpy"),
    ("numpy", "datasketch + numpy"),
    ("warcio", "warcio + zlib + hashing"),
    ("zlib", "warcio + zlib + hashing"),
    ("hashlib", "warcio + zlib + hashing"),
    ("base64", "warcio + zlib + hashing"),
    ("nh3", "nh3 sanitizer"),
    ("parsel", "parsel/lxml (selectors)"),
    ("lxml", "parsel/lxml (selectors)"),
    ("w3lib", "w3lib"),
    ("scrapy", "Scrapy"),
    ("twisted", "Twisted + asyncio (reactor, sockets)"),
    ("asyncio", "Twisted + asyncio (reactor, sockets)"),
    ("socket", "Twisted + asyncio (reactor, sockets)"),
    ("selectors.py", "Twisted + asyncio (reactor, sockets)"),
)


def _component(filename: str, name: str) -> str:
    if filename.startswith(str(ROOT)) and "/.venv/" not in filename:
        rel = Path(filename).relative_to(ROOT).as_posix()
        return next(label for prefix, label in OURS if rel.startswith(prefix))
    where = f"{filename}:{name}"
    return next((label for frag, label in THEIRS if frag in where), "other (stdlib, …)")


def profile_summary(path: Path, top: int = 15) -> None:
    """Own time of a cProfile dump grouped by component, then the top functions."""
    import pstats

    stats = pstats.Stats(str(path))
    groups: dict[str, float] = {}
    rows = []
    for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        group = _component(filename, name)
        groups[group] = groups.get(group, 0.0) + tottime
        rows.append((tottime, f"{Path(filename).name}:{line}({name})"))
    total = sum(groups.values())
    print(f"  profile (cProfile: {total:.1f} s of own time; it slows Python code about 2×)")
    for label, secs in sorted(groups.items(), key=lambda kv: -kv[1]):
        if secs / total >= 0.01:
            print(f"    {secs / total:>6.1%}  {label}")
    print("  top functions by own time:")
    for secs, name in sorted(rows, reverse=True)[:top]:
        print(f"    {secs:>7.2f} s  {name}")
    ours = []
    for (filename, line, name), (_cc, ncalls, _tt, cumtime, _callers) in stats.stats.items():
        if filename.startswith(str(ROOT)) and "/.venv/" not in filename:
            ours.append((cumtime, ncalls, f"{_qualname(filename, line, name)}"))
    print(f"  our functions by inclusive time (share of the {stats.total_tt:.1f} s profiled):")
    for cumtime, ncalls, name in sorted(ours, reverse=True)[:top]:
        print(f"    {cumtime / stats.total_tt:>6.1%}  {cumtime:>7.2f} s  {ncalls:>7}×  {name}")


def _qualname(filename: str, line: int, name: str) -> str:
    """``storage/archive.py:Archive.upsert_article`` for a profiled function of ours."""
    rel = Path(filename).relative_to(ROOT).as_posix()
    try:
        lines = Path(filename).read_text(encoding="utf-8").splitlines()[:line]
    except OSError:
        return f"{rel}:{name}"
    indent = len(lines[-1]) - len(lines[-1].lstrip()) if lines else 0
    for text in reversed(lines[:-1]):
        stripped = text.lstrip()
        if indent and stripped.startswith("class ") and len(text) - len(stripped) < indent:
            return f"{rel}:{stripped[6:].split('(')[0].split(':')[0]}.{name}"
        if text and not text[0].isspace() and not stripped.startswith(("@", "#", ")")):
            break
    return f"{rel}:{name}"
