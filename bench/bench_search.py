"""Benchmark: search latency (p50/p95) on an archive of 1,000,000 synthetic articles.

Why: the archive is meant to hold every provincial DOST article for decades; a search has to
stay interactive at that size, exact and accent-insensitive alike.

**The archive.** Built once and cached (``$TMPDIR/dost-bench/search-N-vK.db``, reused if
present; ``--rebuild`` makes it again). The schema is the real one (``storage.Archive`` creates
and migrates it); rows go in through a bulk path: ``executemany`` INSERTs into ``articles``;
then both FTS5 indexes are made by FTS5's ``'rebuild'`` (the folded one from the
``articles_folded`` view, the same SQL the schema's insert triggers run row by row, three times
faster; the triggers are dropped for the load and put back). A rebuilt index is compact
(few b-tree segments), like a long-lived archive's after FTS5's automatic merges. Not
written, because search does not read them: ``body_html``, revisions, MinHash signatures,
captures. ``Archive.upsert_article`` would take hours for a million rows (MinHash,
sqlite-utils, one transaction per article).

**The text.** Vietnamese, recombined: titles from the mirror's title bank with a province
and a year; 3–6 body paragraphs of sentences made of clauses drawn from the mirror's seed
articles (``crawler.mirror.data._clause_pool``); one sentence naming a person (family,
middle and given names from common lists), an office and one of the 63 provinces; one
decision number (``Quyết định số 4711/QĐ-UBND``). About 1.5 KB of body per article, dates
2005–2025, sites from the registry. Rare terms therefore exist (a decision number, a full
name); common ones match most of the archive, as "khoa học" does in real DOST news.

**The queries.** Through ``Archive.search``, the code behind ``dost-archive search``
(default ``--limit 20``, snippets included): common words, rare terms, phrases, accent-less
input, prefixes, ``--exact`` queries and filtered ones, each run ``--repeat`` times after a
warm-up (so the file is in the OS cache: warm figures).

    .venv/bin/python bench/bench_search.py [--articles N] [--repeat R] [--rebuild] [--profile]
        [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import statistics
import tempfile
import time
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

from _common import print_table

from crawler.mirror.data import TITLE_BANK, _clause_pool
from crawler.registry import load_dosts, load_registry
from storage import Archive

TARGET_P95_MS = 50.0
GENERATOR_VERSION = 2  # bump when the generated text changes (a new cache file)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Công", "Xuân",
          "Hoàng", "Thành")
GIVEN = ("An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Duy", "Đạt", "Giang", "Hà", "Hải",
         "Hạnh", "Hằng", "Hiếu", "Hoa", "Hòa", "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Nhung", "Phong", "Phúc", "Phương", "Quân", "Sơn",
         "Tâm", "Thắng", "Thảo", "Thủy", "Trang", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
         "Yến", "Khôi", "Lực", "Nghĩa", "Quyết", "Toàn", "Uyên", "Vân", "Xuyến", "Thuận")
OFFICES = ("Giám đốc Sở Khoa học và Công nghệ", "Phó Giám đốc Sở Khoa học và Công nghệ",
           "Phó Chủ tịch UBND", "Chủ tịch UBND", "Trưởng phòng Quản lý khoa học",
           "Chánh Thanh tra Sở", "Giám đốc Trung tâm Ứng dụng tiến bộ khoa học và công nghệ",
           "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng")
ACTIONS = ("phát biểu chỉ đạo tại hội nghị", "chủ trì buổi làm việc",
           "đánh giá cao kết quả đạt được", "đề nghị các đơn vị tiếp tục phối hợp chặt chẽ",
           "trao giấy chứng nhận cho các tổ chức, cá nhân", "kiểm tra tiến độ thực hiện dự án")
# (category, query, exact): every query is run through Archive.search.
QUERIES = (
    ("common", "khoa học", False),
    ("common", "công nghệ", False),
    ("common", "hội nghị tỉnh", False),
    ("common", "Sở", False),
    ("rare", "4711/QĐ-UBND", False),
    ("rare", "Xuyến", False),
    ("rare", '"Dương Ngọc Xuyến"', False),
    ("phrase", '"đổi mới sáng tạo"', False),
    ("phrase", '"chuyển đổi số"', False),
    ("phrase", '"sở hữu trí tuệ"', False),
    ("accent-less", "dong chi", False),
    ("accent-less", "hoa hoc", False),
    ("accent-less", "chuyen doi so", False),
    ("accent-less", "nguyen van thang", False),
    ("prefix", "khởi*", False),
    ("prefix", "nghiem*", False),
    ("prefix", "Thắ*", False),
    ("exact", "hoá học", True),
    ("exact", "Đồng chí", True),
    ("exact", "thuỷ", True),
    ("filtered", "khoa học --site sonla", False),
    ("filtered", "khoa học --from 2024-01-01", False),
)


# -- the synthetic archive -----------------------------------------------------------------
class Generator:
    """Deterministic Vietnamese articles: same seed, same archive."""

    def __init__(self, seed: int = 20251122) -> None:
        self.rng = random.Random(seed)
        self.clauses = _clause_pool()
        self.sites = [(s.slug, s.province, s.province_current, s.primary_domain)
                      for s in load_registry().values()]
        self.provinces = sorted({d.province for d in load_dosts().values()
                                 if d.era == "pre2025"})
        self.start = datetime(2005, 1, 1)

    def name(self) -> str:
        r = self.rng
        return f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def sentence(self) -> str:
        s = ", ".join(self.rng.sample(self.clauses, self.rng.randint(1, 3)))
        return s[0].upper() + s[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def article(self, i: int) -> tuple:
        r = self.rng
        slug, province, province_current, domain = r.choice(self.sites)
        place = r.choice(self.provinces)
        when = self.start + timedelta(minutes=r.randint(0, 21 * 365 * 24 * 60))
        title = r.choice(TITLE_BANK).format(y=when.year, n=r.randint(1, 20))
        if r.random() < 0.5:
            title += f" tại tỉnh {place}"
        paragraphs = [self.paragraph() for _ in range(r.randint(3, 6))]
        person = (f"Đồng chí {self.name()}, {r.choice(OFFICES)} tỉnh {place} "
                  f"đã {r.choice(ACTIONS)}.")
        decision = (f"Theo Quyết định số {r.randint(1, 9999)}/QĐ-UBND ngày "
                    f"{when:%d/%m/%Y}, {self.sentence()[0].lower()}{self.sentence()[1:]}")
        paragraphs.insert(r.randint(0, len(paragraphs)), person)
        paragraphs.insert(r.randint(1, len(paragraphs)), decision)
        body = unicodedata.normalize("NFC", "\n\n".join(paragraphs))
        title = unicodedata.normalize("NFC", title)
        summary = paragraphs[0].split(". ")[0][:200]
        url = f"https://{domain}/tin-tuc/bai-viet-{i}.html"
        published = when.strftime("%Y-%m-%dT%H:%M:00+07:00")
        digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()
        return (i, url, url, slug, province, province_current, "tin-tuc", title, summary,
                published, f"{when:%d/%m/%Y}", self.name(), body, digest,
                "2026-01-01T00:00:00+07:00", "site", "[]", "[]", "[]", "[]",
                published, published, published, 1, when.year)


COLUMNS = ("id", "url", "canonical_url", "site", "province", "province_current", "category",
           "title", "summary", "published_at", "published_raw", "author", "body_text",
           "content_hash", "fetched_at", "extractor", "flags", "images", "attachments", "tags",
           "first_seen_at", "last_seen_at", "last_changed_at", "revision_count",
           "published_year")


def build(path: Path, n: int) -> None:
    """Create the archive at ``path`` with ``n`` articles (see the module docstring)."""
    partial = path.with_suffix(".partial")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    Archive(partial).close()  # the real schema, migrated
    conn = sqlite3.connect(partial)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB
    # The insert triggers index row by row; FTS5's 'rebuild' makes the same index from the
    # content tables three times faster. They are put back before the file is used.
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND name LIKE '%\\_fts\\_ai' ESCAPE '\\'").fetchall()
    assert len(triggers) == 2, triggers
    for name, _sql in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    gen = Generator()
    insert = (f"INSERT INTO articles ({', '.join(COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(COLUMNS))})")
    start = time.perf_counter()
    chunk = 10_000
    for first in range(1, n + 1, chunk):
        rows = [gen.article(i) for i in range(first, min(first + chunk, n + 1))]
        with conn:
            conn.executemany(insert, rows)
        done = first + len(rows) - 1
        print(f"\r  inserted {done:>9,}/{n:,} articles "
              f"({done / (time.perf_counter() - start):,.0f}/s)", end="", flush=True)
    print("\n  indexing (FTS5 rebuild of articles_fts and articles_folded_fts) …", flush=True)
    with conn:
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO articles_folded_fts(articles_folded_fts) VALUES ('rebuild')")
        for _name, sql in triggers:
            conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    os.replace(partial, path)
    print(f"  built in {time.perf_counter() - start:.0f} s: {path} "
          f"({path.stat().st_size / 1e9:.2f} GB)")


# -- the queries ---------------------------------------------------------------------------
def split_filters(query: str) -> tuple[str, dict[str, str]]:
    words, kwargs = query.split(" --"), {}
    for opt in words[1:]:
        key, value = opt.split(" ", 1)
        kwargs[{"site": "site", "from": "date_from", "to": "date_to"}[key]] = value
    return words[0], kwargs


def matches(archive: Archive, query: str, exact: bool) -> int:
    """How many articles the query matches (the rows bm25 must rank), untimed."""
    from storage.search import prepare_query

    table = "articles_fts" if exact else "articles_folded_fts"
    return archive.db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                              [prepare_query(query, folded=not exact)]).fetchone()[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_queries(archive: Archive, repeat: int) -> dict[str, list[float]]:
    per_category: dict[str, list[float]] = {}
    print(f"  {'kind':<12} {'query':<30} {'matches':>9} {'hits':>5} {'p50 ms':>8} "
          f"{'max ms':>8}")
    for category, raw, exact in QUERIES:
        query, kwargs = split_filters(raw)
        hits = archive.search(query, exact=exact, **kwargs)  # warm-up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            archive.search(query, exact=exact, **kwargs)
            times.append((time.perf_counter() - start) * 1000)
        per_category.setdefault(category, []).extend(times)
        shown = raw + (" (exact)" if exact else "")
        print(f"  {category:<12} {shown:<30} {matches(archive, query, exact):>9,} "
              f"{len(hits):>5} {statistics.median(times):>8.1f} {max(times):>8.1f}")
    return per_category


def run_datasette(db: Path, repeat: int, *, page: str = ".json") -> list[float]:
    """The default (folded) queries through Datasette, as ``dost-archive serve`` configures it
    (the plugin's folded and bounded search): 20 rows, no count. ``page``: ``".json"`` for
    the JSON API (the target), ``""`` for the HTML table page a browser gets (facets,
    template), measured so the figure for people is on record too."""
    import asyncio
    from urllib.parse import urlencode

    from crawler.cli import make_datasette

    ds = make_datasette(str(db))
    times: list[float] = []

    async def go() -> None:
        await ds.invoke_startup()
        print(f"\n  Datasette ({db.stem}/articles{page}?_search=…&_size=20&_nocount=1)")
        for category, raw, exact in QUERIES:
            if exact:
                continue
            query, kwargs = split_filters(raw)
            params = {"_search": query, "_size": 20, "_nocount": 1}
            if "site" in kwargs:
                params["site"] = kwargs["site"]
            if "date_from" in kwargs:
                params["published_at__gte"] = kwargs["date_from"]
            path = f"/{db.stem}/articles{page}?{urlencode(params)}"
            await ds.client.get(path)  # warm-up
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = await ds.client.get(path)
                runs.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            times.extend(runs)
            print(f"  {category:<12} {raw:<30} {statistics.median(runs):>8.1f} "
                  f"{max(runs):>8.1f} ms")

    asyncio.run(go())
    return times


def profile_slowest(archive: Archive) -> None:
    """Where a common-word search spends its time: the FTS match alone, the ranking, and
    the whole Archive.search; and SQLite's plan for the folded query."""
    from storage.search import prepare_query

    q = "khoa học"
    folded = prepare_query(q, folded=True)
    exact = prepare_query(q, folded=False)
    steps = [
        ("count folded matches", "SELECT count(*) FROM articles_folded_fts "
         "WHERE articles_folded_fts MATCH ?", [folded]),
        ("top 20 by bm25, FTS table alone", "SELECT rowid FROM articles_folded_fts "
         "WHERE articles_folded_fts MATCH ? ORDER BY bm25(articles_folded_fts, 10.0, 4.0, 1.0) "
         "LIMIT 20", [folded]),
        ("top 20 by rank, FTS table alone", "SELECT rowid FROM articles_folded_fts "
         "WHERE articles_folded_fts MATCH ? ORDER BY rank LIMIT 20", [folded]),
        ("+ join articles, duplicate_of filter", "SELECT a.id FROM articles_folded_fts JOIN "
         "articles a ON a.id = articles_folded_fts.rowid WHERE articles_folded_fts MATCH ? "
         "AND a.duplicate_of IS NULL ORDER BY bm25(articles_folded_fts, 10.0, 4.0, 1.0) "
         "LIMIT 20", [folded]),
        ("+ exact-match subquery (Archive.search)", "SELECT a.id, "
         "bm25(articles_folded_fts, 10.0, 4.0, 1.0) AS rank, (e.rowid IS NOT NULL) AS exact "
         "FROM articles_folded_fts JOIN articles a ON a.id = articles_folded_fts.rowid "
         "LEFT JOIN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) e "
         "ON e.rowid = a.id WHERE articles_folded_fts MATCH ? AND a.duplicate_of IS NULL "
         "ORDER BY exact DESC, rank LIMIT 20", [exact, folded]),
    ]
    print(f"\nWhere a common-word search ({q!r}) spends its time:")
    for label, sql, args in steps:
        start = time.perf_counter()
        archive.db.execute(sql, args).fetchall()
        print(f"  {(time.perf_counter() - start) * 1000:>8.1f} ms  {label}")
    start = time.perf_counter()
    archive.search(q)
    print(f"  {(time.perf_counter() - start) * 1000:>8.1f} ms  Archive.search (with snippets)")
    print("  query plan of Archive.search's folded query:")
    for row in archive.db.execute("EXPLAIN QUERY PLAN " + steps[-1][1], steps[-1][2]):
        print(f"    {row[-1]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", type=Path, help="the archive to build or reuse")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--profile", action="store_true",
                    help="break a common-word search down and print its query plan")
    ap.add_argument("--quick", action="store_true", help="5,000 articles, 2 runs (smoke run)")
    ap.add_argument("--no-datasette", action="store_true",
                    help="skip the same queries through Datasette (JSON API and HTML page)")
    args = ap.parse_args()
    if args.quick:
        args.articles, args.repeat = 5_000, 2
    cache = Path(tempfile.gettempdir()) / "dost-bench"
    db = args.db or cache / f"search-{args.articles}-v{GENERATOR_VERSION}.db"
    if args.rebuild or not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {args.articles:,} synthetic articles into {db}")
        build(db, args.articles)
    else:
        print(f"reusing {db} ({db.stat().st_size / 1e9:.2f} GB)")
    with Archive(db, create=False) as archive:
        count = archive.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(f"{count:,} articles; {args.repeat} timed runs per query after a warm-up\n")
        per_category = run_queries(archive, args.repeat)
        if args.profile:
            profile_slowest(archive)
    datasette = [] if args.no_datasette else run_datasette(db, args.repeat)
    html = [] if args.no_datasette else run_datasette(db, args.repeat, page="")
    every = [t for times in per_category.values() for t in times]
    rows = [(f"p50 / p95, {cat} ({len(times)} runs)",
             f"{percentile(times, 0.5):.1f} / {percentile(times, 0.95):.1f} ms", "", None)
            for cat, times in per_category.items()]
    exact_times = per_category.get("exact", [])
    folded_times = [t for cat, times in per_category.items() if cat != "exact" for t in times]
    rows += [
        ("p50, all queries", f"{percentile(every, 0.5):.1f} ms", "", None),
        ("p95, folded (default) queries", f"{percentile(folded_times, 0.95):.1f} ms",
         f"< {TARGET_P95_MS:.0f} ms", percentile(folded_times, 0.95) < TARGET_P95_MS),
        ("p95, exact queries", f"{percentile(exact_times, 0.95):.1f} ms",
         f"< {TARGET_P95_MS:.0f} ms", percentile(exact_times, 0.95) < TARGET_P95_MS),
        ("p95, all queries", f"{percentile(every, 0.95):.1f} ms", f"< {TARGET_P95_MS:.0f} ms",
         percentile(every, 0.95) < TARGET_P95_MS),
    ]
    if datasette:
        rows.append(("p50 / p95, Datasette JSON, folded queries",
                     f"{percentile(datasette, 0.5):.1f} / {percentile(datasette, 0.95):.1f} ms",
                     f"p95 < {TARGET_P95_MS:.0f} ms", percentile(datasette, 0.95) < TARGET_P95_MS))
    if html:
        rows.append(("p50 / p95, Datasette HTML page, same queries",
                     f"{percentile(html, 0.5):.1f} / {percentile(html, 0.95):.1f} ms", "", None))
    print_table(f"Search latency, {count:,} articles (Archive.search, limit 20)", rows)


if __name__ == "__main__":
    main()
