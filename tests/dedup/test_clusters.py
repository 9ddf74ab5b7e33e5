"""Syndication clusters in the archive: set at write time, kept on edits, rebuilt on demand."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import sqlite_utils

from core import near
from crawler.mirror.data import seed_articles
from storage import Archive
from storage.archive import CANDIDATES_SQL
from storage.schema import migrations
from tests.e2e.test_mirror_crawls import crawl
from tests.mirror_process import mirror_process

PAIRS = json.loads(Path(__file__).with_name("labelled_pairs.json").read_text(encoding="utf-8"))
SEED_TITLE = seed_articles()["phutho"]["title"]


def pair(why_prefix: str) -> dict:
    return next(p for p in PAIRS if p["why"].startswith(why_prefix))


REPOST = pair("Seed 004: the ministry's article")  # a: ministry, b: Phú Thọ's repost
RECURRING = pair("Same recurring event a year apart: Quảng Ninh's")  # 2020 and 2021 reviews
UNRELATED = pair("Unrelated articles: seed 001")


@pytest.fixture
def put(archive, make_article):
    """Upsert an article with ``body`` at a URL made from ``key``; returns its id."""

    def upsert(key: str, body: str, *, site: str = "phutho",
               published: str | None = "2024-03-16T00:00:00+07:00", **fields) -> int:
        url = f"https://{site}.example.gov.vn/tin-tuc/{key}"
        article = make_article(url=url, canonical_url=url, site=site, body_text=body,
                               published_at=published, title=fields.pop("title", key), **fields)
        return archive.upsert_article(article).article_id

    return upsert


def cluster_ids(archive: Archive) -> dict[int, int | None]:
    return dict(archive.db.execute("SELECT id, cluster_id FROM articles ORDER BY id"))


def test_near_copies_at_two_sites_share_a_cluster_and_both_are_kept(archive, put):
    first = put("bo", REPOST["a"], site="mst", published="2024-03-15T17:30:00+07:00")
    repost = put("tinh", REPOST["b"], site="phutho", published="2024-03-16T00:00:00+07:00")
    assert archive.db["articles"].count == 2  # never dropped
    assert cluster_ids(archive) == {first: first, repost: first}
    rows = archive.cluster(repost)
    assert [r["id"] for r in rows] == [first, repost]
    assert {r["site"] for r in rows} == {"mst", "phutho"}
    assert all(r["duplicate_of"] is None for r in rows)  # near, not exact, copies
    assert archive.db["article_minhash"].count == 2
    assert archive.db["article_bands"].count == 2 * near.BANDS


def test_a_third_copy_joins_the_cluster_of_the_first(archive, put):
    first = put("a", REPOST["a"], site="mst")
    put("b", REPOST["b"], site="phutho")
    third = put("c", pair("Seed 004 reposted with the old tone placement")["b"], site="caobang")
    assert set(cluster_ids(archive).values()) == {first}
    assert len(archive.cluster(third)) == 3


def test_same_recurring_event_does_not_cluster(archive, put):
    # Dates a few days apart on purpose: the text alone must keep them apart.
    put("tong-ket-2020", RECURRING["a"], published="2020-12-14T17:29:00+07:00")
    later = put("tong-ket-2021", RECURRING["b"], published="2020-12-20T10:00:00+07:00")
    put("khac", UNRELATED["b"], published="2020-12-18T10:00:00+07:00")
    assert set(cluster_ids(archive).values()) == {None}
    assert [r["id"] for r in archive.cluster(later)] == [later]  # a cluster of one
    assert archive.cluster(999) == []


def test_copies_published_far_apart_do_not_cluster_unless_a_date_is_unknown(archive, put):
    body = REPOST["a"]
    a = put("2024", body, published="2024-03-28T00:00:00+07:00")
    put("2025", body + " Cập nhật.", published="2025-08-28T02:45:00+07:00")
    assert set(cluster_ids(archive).values()) == {None}
    undated = put("khong-ngay", body + " Bản khác.", published=None)
    assert cluster_ids(archive)[undated] == a


def test_short_bodies_never_cluster_but_exact_copies_do(archive, put):
    notice = "Sở Khoa học và Công nghệ thông báo lịch tiếp công dân tháng 6/2024. Xem file."
    a = put("tb-1", notice)
    put("tb-2", notice + " Trân trọng.")  # near-identical, too short to compare
    assert set(cluster_ids(archive).values()) == {None}
    assert archive.db["article_minhash"].count == 0
    copy = put("tb-1-ban-sao", notice, title="tb-1")  # same content_hash at another URL
    row = archive.db["articles"].get(copy)
    assert row["duplicate_of"] == a and row["cluster_id"] == a
    assert archive.db["articles"].get(a)["cluster_id"] == a


def test_a_new_copy_merges_two_clusters_it_links(archive, put):
    paras = seed_articles()["phutho"]["paragraphs"]
    text = {k: "\n\n".join(paras[s:e]) for k, (s, e) in
            {"a": (0, 12), "b": (3, 15), "c": (6, 18)}.items()}
    sig = {k: near.signature(v) for k, v in text.items()}
    assert near.is_near_copy(sig["a"], sig["b"]) and near.is_near_copy(sig["b"], sig["c"])
    assert not near.is_near_copy(sig["a"], sig["c"])
    a = put("a", text["a"])
    a2 = put("a-copy", text["a"], title="a")  # exact copy: cluster {a, a2}
    c = put("c", text["c"])
    c2 = put("c-copy", text["c"], title="c")  # cluster {c, c2}
    assert cluster_ids(archive) == {a: a, a2: a, c: c, c2: c}
    b = put("b", text["b"])  # near-copy of a and of c: one cluster, the first copy's id
    assert set(cluster_ids(archive).values()) == {a}
    assert [r["id"] for r in archive.cluster(c2)] == [a, a2, c, c2, b]


def test_an_edited_article_is_evaluated_again(archive, put):
    first = put("bo", REPOST["a"], site="mst")
    repost = put("tinh", REPOST["b"])
    assert cluster_ids(archive) == {first: first, repost: first}
    # The repost's page is replaced by other news: it leaves, and a cluster of one is none.
    put("tinh", UNRELATED["b"])
    assert cluster_ids(archive) == {first: None, repost: None}
    assert archive.db["article_bands"].count == 2 * near.BANDS  # old keys replaced
    # Corrected back to the repost (with a closing line): it joins again.
    put("tinh", REPOST["b"] + "\n\nBài viết được cập nhật thêm thông tin.")
    assert cluster_ids(archive) == {first: first, repost: first}


def test_editing_the_first_copy_leaves_the_others_clustered(archive, put):
    first = put("bo", REPOST["a"], site="mst")
    second = put("tinh-1", REPOST["b"])
    third = put("tinh-2", pair("Seed 004 reposted with the old tone placement")["b"])
    put("bo", UNRELATED["a"], site="mst")  # the first copy is now something else
    assert cluster_ids(archive) == {first: None, second: second, third: second}


def test_unchanged_articles_are_not_signed_again(archive, put, monkeypatch):
    put("bo", REPOST["a"])
    before = archive.db.execute("SELECT signature FROM article_minhash").fetchall()

    def fail(*args, **kwargs):
        raise AssertionError("unchanged article re-signed")

    monkeypatch.setattr(near, "signature", fail)
    put("bo", REPOST["a"])  # same content: the cheap path
    assert archive.db.execute("SELECT signature FROM article_minhash").fetchall() == before


def test_recluster_restores_wiped_clusters(archive, put):
    put("bo", REPOST["a"], site="mst")
    put("tinh", REPOST["b"])
    put("tinh-2", pair("Seed 001 with the old tone placement")["a"])
    put("tinh-3", pair("Seed 001 with the old tone placement")["b"], site="quangninh")
    put("khac", RECURRING["b"])
    notice = "Thông báo nghỉ lễ. " * 3
    put("tb", notice)
    put("tb-copy", notice, title="tb")
    expected = cluster_ids(archive)
    assert len(set(expected.values()) - {None}) == 3
    # As an archive made before m005 (or after a threshold change) looks.
    archive.db.execute("UPDATE articles SET cluster_id = NULL")
    archive.db.execute("DELETE FROM article_bands")
    archive.db.execute("DELETE FROM article_minhash")
    calls = []
    assert archive.recluster(progress=lambda done, total: calls.append((done, total))) == 3
    assert cluster_ids(archive) == expected
    assert calls[-1] == (7, 7) and len(calls) == 7
    assert archive.db["article_bands"].count == 5 * near.BANDS
    assert archive.recluster() == 3 and cluster_ids(archive) == expected  # idempotent


def test_candidate_lookup_is_an_index_search_not_a_scan(archive, put):
    put("bo", REPOST["a"])
    plan = [r[3] for r in archive.db.execute(
        "EXPLAIN QUERY PLAN " + CANDIDATES_SQL, [0] * (2 * near.BANDS) + [1])]
    assert ("SEARCH b USING COVERING INDEX idx_article_bands_band_hash_article_id "
            "(band=? AND hash=?)") in plan, plan
    # The only scans are of the 42 probe keys themselves.
    scans = [step for step in plan if step.startswith("SCAN")]
    assert all(step == "SCAN probe" or "CONSTANT ROWS" in step for step in scans), plan


def test_archive_made_before_m005_opens_and_reclusters(db_path, make_article):
    old = sqlite_utils.Database(db_path)
    migrations.apply(old, stop_before="m005_minhash")
    for key, body in (("bo", REPOST["a"]), ("tinh", REPOST["b"])):
        url = f"https://x.gov.vn/{key}"
        row = make_article(url=url, canonical_url=url, body_text=body).to_dict()
        for col in ("images", "attachments", "tags", "flags"):
            row[col] = "[]"
        old["articles"].insert(row)
    old.close()
    with Archive(db_path) as archive:
        assert "m005_minhash" in archive.schema_version
        assert archive.db["article_minhash"].count == 0  # nothing signed yet
        assert archive.recluster() == 1
        assert set(cluster_ids(archive).values()) == {1}


def test_deleting_an_article_removes_its_signature_and_bands(archive, put):
    article_id = put("bo", REPOST["a"])
    archive.db.execute("DELETE FROM revisions WHERE article_id = ?", [article_id])
    archive.db["articles"].delete(article_id)
    assert archive.db["article_minhash"].count == 0 and archive.db["article_bands"].count == 0
    assert archive.integrity_ok()


@pytest.mark.slow
def test_mirror_seed_article_and_its_ministry_original_share_a_cluster(tmp_path):
    """phutho and mst crawled into one archive: the seed repost is the one cluster.

    The mirror's fill-in articles are three paragraphs drawn from one small pool, so some
    phutho and mst fill-ins carry the same text (one pair: the same three paragraphs in
    another order). Text alone makes them copies; they are kept apart because they are dated
    more than a year apart (near.MAX_DAYS_APART).
    """
    db = tmp_path / "archive.db"
    with mirror_process("phutho", "mst") as urls:
        for site in ("phutho", "mst"):
            assert crawl(site, urls[site], db)["status"] == "ok"
    with Archive(db) as archive:
        rows = list(archive.iter_articles())
        seeds = {r["site"]: r for r in rows if r["title"] == SEED_TITLE}
        assert set(seeds) == {"phutho", "mst"}
        first = min(r["id"] for r in seeds.values())
        clustered = {r["id"]: r["cluster_id"] for r in rows if r["cluster_id"] is not None}
        assert clustered == {r["id"]: first for r in seeds.values()}
        # Why no other pair clusters: every other text match is dated far apart.
        signed = [(r["id"], r["site"], r["published_at"], near.from_bytes(blob))
                  for r in rows for (blob,) in archive.db.execute(
                      "SELECT signature FROM article_minhash WHERE article_id = ?", [r["id"]])]
        assert len(signed) == len(rows)
        for (i, si, pi, a), (k, sk, pk, b) in itertools.combinations(signed, 2):
            if {i, k} != set(clustered) and near.jaccard(a, b) >= near.THRESHOLD:
                print(f"text match kept apart: {si} {i} {pi[:10]} / {sk} {k} {pk[:10]} "
                      f"J≈{near.jaccard(a, b):.2f}")
                assert not near.close_in_time(pi, pk)
        before = cluster_ids(archive)
        assert archive.recluster() == 1 and cluster_ids(archive) == before
