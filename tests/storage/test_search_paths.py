"""The fast search paths give what ranking every match would give.

``Archive.search`` ranks a tier by bm25 only when it is selective and otherwise lists it
newest first through one of two bounded walks. Here the thresholds are forced so that every
path runs on a small archive, and each result is compared with a reference computed the slow,
obvious way: every match of every tier fetched, filtered and sorted in Python.
"""

import random

import pytest

from storage.search import phrase_query, prepare_query

WORDS = ("khoa học", "công nghệ", "hóa học", "hoá học", "thủy lợi", "thuỷ lợi", "đồng chí",
         "động", "chỉ", "hội nghị", "chuyển đổi số", "sở hữu trí tuệ", "Sơn La", "Phú Thọ")
SITES = ("sonla", "phutho", "vinhphuc")
QUERIES = ("khoa học", "khoa hoc", "hóa học", "hoa hoc", "dong chi", "thuỷ lợi", "Sơn La",
           "chuyen doi so", '"sở hữu trí tuệ"', "hoc OR loi", "chuy*", "title:khoa")
FILTERS = ({}, {"site": "sonla"}, {"date_from": "2021-01-01"},
           {"date_from": "2020-06-01", "date_to": "2022-06-30", "site": "phutho"},
           {"include_duplicates": True})


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from crawler.items import Article
    from crawler.normalize.article import content_hash
    from storage import Archive

    rng = random.Random(7)
    arch = Archive(tmp_path_factory.mktemp("paths") / "archive.db")
    for i in range(160):
        body = ". ".join(" ".join(rng.sample(WORDS, 4)) for _ in range(rng.randint(1, 4)))
        if i % 17 == 0:  # a few identical bodies: duplicates
            body = "Hội nghị khoa học và công nghệ tỉnh Sơn La"
        url = f"https://sokhcn.sonla.gov.vn/tin/{i}"
        fields = {"url": url, "canonical_url": url, "site": SITES[i % 3],
                  "province": "Sơn La", "province_current": "Sơn La",
                  "title": " ".join(rng.sample(WORDS, 2)).capitalize(), "body_text": body,
                  # dates in random order of ids, some shared, some missing
                  "published_at": (None if i % 23 == 5 else
                                   f"20{rng.randint(19, 24)}-0{rng.randint(1, 9)}-1"
                                   f"{rng.randint(0, 2)}T08:00:00+07:00"),
                  "fetched_at": "2026-11-22T09:00:00+07:00"}
        fields["content_hash"] = content_hash(fields)
        arch.upsert_article(Article(**fields))
    yield arch
    arch.close()


def reference(archive, query, *, rank_at_most, limit=20, exact=False, site=None,
              date_from=None, date_to=None, include_duplicates=False):
    """Every match of every tier, filtered and ordered in Python (rules: Archive.search)."""
    def all_matches(table, expr):
        return archive.db.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?",
                                  [expr]).fetchall()

    tiers = []
    for table, folded in [("articles_fts", False)] + ([] if exact else
                                                       [("articles_folded_fts", True)]):
        phrase, words = phrase_query(query, folded=folded), prepare_query(query, folded=folded)
        if phrase and len(all_matches(table, words)) <= rank_at_most:
            tiers.append((table, phrase))
        tiers.append((table, words))
    out: list[int] = []
    for table, expr in tiers:
        newest = len(all_matches(table, expr)) > rank_at_most
        rows = archive.db.execute(
            f"SELECT a.id, bm25({table}, 10.0, 4.0, 1.0), a.published_at, a.site, "
            f"a.duplicate_of FROM {table} JOIN articles a ON a.id = {table}.rowid "
            f"WHERE {table} MATCH ?", [expr]).fetchall()
        rows = [r for r in rows if r[0] not in out
                and (include_duplicates or r[4] is None)
                and (site is None or r[3] == site)
                and (date_from is None or (r[2] or "") >= date_from)
                and (date_to is None or (r[2] is not None and r[2][:10] <= date_to))]
        if newest:
            rows.sort(key=lambda r: r[0], reverse=True)  # most recently archived first
            if "*" not in expr:  # newest published first; stable, so undated last by id
                rows.sort(key=lambda r: r[2] or "", reverse=True)
        else:
            rows.sort(key=lambda r: (r[1], r[0]))
        out += [r[0] for r in rows]
    return out[:limit]


PATHS = {  # (RANK_AT_MOST, SET_AT_MOST, WALK_AT_MOST) forcing each path
    "bm25": (10**9, 10**9, 10**9),
    "newest, match set + date walk": (0, 10**9, 10**9),
    "newest, walk cut short, from the match side": (0, 10**9, 3),
    "newest, date walk asking the index": (0, 0, 10**9),
    "mixed: selective tiers by bm25, broad ones newest first": (30, 60, 10**9),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("filters", FILTERS, ids=str)
@pytest.mark.parametrize("exact", [False, True])
def test_each_path_equals_the_full_computation(archive, path, filters, exact, monkeypatch):
    rank_at_most, set_at_most, walk_at_most = PATHS[path]
    rank_at_most = min(rank_at_most, 10**6)
    monkeypatch.setattr(archive, "RANK_AT_MOST", rank_at_most)
    monkeypatch.setattr(archive, "SET_AT_MOST", set_at_most)
    monkeypatch.setattr(archive, "WALK_AT_MOST", walk_at_most)
    compared = 0
    for query in QUERIES:
        for limit in (5, 20):
            hits = archive.search(query, limit=limit, exact=exact, **filters)
            expected = reference(archive, query, rank_at_most=rank_at_most, limit=limit,
                                 exact=exact, **filters)
            assert [h.id for h in hits] == expected, (query, limit)
            assert {h.ranked_by for h in hits} <= (
                {"bm25"} if path == "bm25" else {"bm25", "newest", "archived"}
                if path.startswith("mixed") else {"newest", "archived"})
            compared += len(expected)
    assert compared > 50  # the queries do match: the comparison is not empty


def test_broad_and_selective_tiers_are_told_apart(archive, monkeypatch):
    monkeypatch.setattr(archive, "RANK_AT_MOST", 30)
    common = archive.search("khoa hoc")  # in most of the 160 articles
    rare = archive.search('"sở hữu trí tuệ" "chuyển đổi số" "Phú Thọ"')
    assert common and {h.ranked_by for h in common} == {"newest"}
    assert rare and {h.ranked_by for h in rare} == {"bm25"}
    dates = [h.published_at or "" for h in common]
    assert dates == sorted(dates, reverse=True)
    prefix = archive.search("chuy*")
    assert {h.ranked_by for h in prefix} == {"archived"}
    assert [h.id for h in prefix] == sorted((h.id for h in prefix), reverse=True)
