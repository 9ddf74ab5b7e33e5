"""storage.Archive: idempotent upserts, revisions, duplicate links, runs, integrity."""

import sqlite3

import pytest

from storage import Archive, ArchiveError


def test_wal_mode_and_busy_timeout(archive):
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert archive.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_first_upsert_inserts_article_and_revision_1(archive, make_article):
    result = archive.upsert_article(make_article())
    assert (result.status, result.revision, result.duplicate_of) == ("new", 1, None)
    row = archive.get_article("https://sokhcn.sonla.gov.vn/tin-tuc/bai-viet-1")
    assert row["title"].startswith("Đồng chí") and row["revision_count"] == 1
    assert row["first_seen_at"] == row["last_seen_at"] == "2026-11-22T09:00:00+07:00"
    assert [r["revision"] for r in archive.revisions(result.article_id)] == [1]


def test_same_content_again_only_moves_last_seen(archive, make_article):
    first = archive.upsert_article(make_article())
    again = archive.upsert_article(make_article(fetched_at="2026-11-23T09:00:00+07:00",
                                                view_count=999))
    assert again.status == "unchanged" and again.article_id == first.article_id
    row = archive.get_article("https://sokhcn.sonla.gov.vn/tin-tuc/bai-viet-1")
    assert row["first_seen_at"] == "2026-11-22T09:00:00+07:00"
    assert row["last_seen_at"] == "2026-11-23T09:00:00+07:00"
    assert row["view_count"] == 999
    assert archive.db["articles"].count == 1 and archive.db["revisions"].count == 1


def test_upsert_is_idempotent_over_many_repeats(archive, make_article):
    for _ in range(5):
        archive.upsert_article(make_article())
    assert archive.db["articles"].count == 1
    assert archive.db["revisions"].count == 1
    assert archive.db.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 1


def test_changed_content_adds_a_revision_and_updates_the_article(archive, make_article):
    archive.upsert_article(make_article())
    edited = make_article(title="Tiêu đề đã sửa", fetched_at="2026-11-24T09:00:00+07:00")
    result = archive.upsert_article(edited)
    assert (result.status, result.revision) == ("updated", 2)
    row = archive.get_article(edited.canonical_url)
    assert row["title"] == "Tiêu đề đã sửa" and row["revision_count"] == 2
    assert row["content_hash"] == edited.content_hash
    assert row["first_seen_at"] == "2026-11-22T09:00:00+07:00"
    revs = archive.revisions(result.article_id)
    assert [r["title"] for r in revs] == [
        "Đồng chí Phó Chủ tịch UBND tỉnh làm việc với Sở Khoa học và Công nghệ",
        "Tiêu đề đã sửa",
    ]
    # The search indexes follow the edit.
    assert archive.search("sửa", exact=True)
    assert not archive.search('title:"Phó Chủ tịch"', exact=True)


def test_same_content_at_another_url_is_kept_and_linked(archive, make_article):
    first = archive.upsert_article(make_article())
    copy = make_article(url="https://sokhcn.sonla.gov.vn/tin-khac/bai-viet-1-copy",
                        canonical_url="https://sokhcn.sonla.gov.vn/tin-khac/bai-viet-1-copy")
    second = archive.upsert_article(copy)
    assert second.status == "new" and second.duplicate_of == first.article_id
    assert archive.db["articles"].count == 2
    # A copy of the copy links to the first one, not to the copy.
    third = archive.upsert_article(make_article(url="https://x.gov.vn/a",
                                                canonical_url="https://x.gov.vn/a"))
    assert third.duplicate_of == first.article_id
    # Search shows one of them unless asked for all copies.
    assert len(archive.search("dong chi")) == 1
    assert len(archive.search("dong chi", include_duplicates=True)) == 3


def test_missing_content_hash_is_refused(archive, make_article):
    data = make_article().to_dict()
    data["content_hash"] = ""
    with pytest.raises(ValueError):
        archive.upsert_article(data)


def test_json_columns_round_trip(archive, make_article):
    article = make_article(images=[{"url": "https://a.gov.vn/1.jpg", "caption": "Toàn cảnh"}],
                           attachments=[{"url": "https://a.gov.vn/qd.pdf", "name": "QĐ 1"}],
                           tags=["KH&CN"])
    archive.upsert_article(article)
    row = archive.get_article(article.canonical_url)
    assert row["images"][0]["caption"] == "Toàn cảnh"
    assert row["attachments"][0]["name"] == "QĐ 1" and row["tags"] == ["KH&CN"]
    # and stays queryable with SQLite's JSON functions
    assert archive.db.execute(
        "SELECT j.value ->> 'url' FROM articles, json_each(articles.attachments) j"
    ).fetchone()[0] == "https://a.gov.vn/qd.pdf"


def test_runs_and_rejections(archive):
    run_id = archive.start_run("sonla", run_key="k1", args={"full": True})
    archive.record_rejection(site="sonla", url="https://a/x", reason="no title and no text",
                             run_id=run_id)
    archive.finish_run(run_id, status="ok", finish_reason="finished", pages=3, new=2)
    run = archive.db["crawl_runs"].get(run_id)
    assert (run["status"], run["pages"], run["new"], run["errors"]) == ("ok", 3, 2, 0)
    assert run["finished_at"] >= run["started_at"]
    assert archive.db["rejections"].count == 1
    with pytest.raises(ValueError):
        archive.finish_run(run_id, status="ok", bogus=1)


def test_deleting_an_article_keeps_both_indexes_consistent(archive, make_article):
    result = archive.upsert_article(make_article())
    # History is protected: an article with revisions cannot be deleted on its own.
    with pytest.raises(sqlite3.IntegrityError):
        archive.db["articles"].delete(result.article_id)
    archive.db.execute("DELETE FROM revisions WHERE article_id = ?", [result.article_id])
    archive.db["articles"].delete(result.article_id)
    assert archive.db["articles_folded"].count == 0
    assert archive.search("dong chi") == []
    assert archive.db.execute(
        "INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')") is not None
    assert archive.integrity_ok()


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="not a usable SQLite archive"):
        Archive(bad)


def test_opening_without_create_needs_an_existing_file(tmp_path):
    with pytest.raises(ArchiveError, match="no archive"):
        Archive(tmp_path / "missing.db", create=False)


def test_other_tools_can_read_the_file(archive, make_article, db_path):
    archive.upsert_article(make_article())
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT title FROM articles").fetchone()[0].startswith("Đồng chí")


def test_published_year_is_kept_for_facets(archive, make_article):
    archive.upsert_article(make_article())
    undated = make_article(url="https://a.gov.vn/x", canonical_url="https://a.gov.vn/x",
                           published_at=None, body_text="Khác hẳn. " * 40)
    archive.upsert_article(undated)
    years = dict(archive.db.execute("SELECT canonical_url, published_year FROM articles"))
    assert years == {"https://sokhcn.sonla.gov.vn/tin-tuc/bai-viet-1": 2023,
                     "https://a.gov.vn/x": None}


def test_mark_gone_keeps_the_row_and_a_fetch_clears_it(archive, make_article):
    art = make_article()
    archive.upsert_article(art)
    assert archive.mark_gone("https://sokhcn.sonla.gov.vn/khong-co", status=404) is False
    assert archive.mark_gone(art.canonical_url, status=410, at="2026-11-01T00:00:00+07:00")
    assert archive.mark_gone(art.canonical_url, status=404, at="2026-11-05T00:00:00+07:00")
    row = archive.get_article(art.canonical_url)
    # The first time it was seen gone is kept; the latest status is recorded.
    assert (row["gone_at"], row["gone_status"]) == ("2026-11-01T00:00:00+07:00", 404)
    assert art.canonical_url not in archive.known_articles("sonla")
    archive.upsert_article(art)  # seen again, unchanged
    row = archive.get_article(art.canonical_url)
    assert (row["gone_at"], row["gone_status"], row["revision_count"]) == (None, None, 1)
    assert art.canonical_url in archive.known_articles("sonla")


def test_reparsed_upsert_changes_nothing_when_equal(archive, make_article):
    art = make_article()
    archive.upsert_article(art)
    before = archive.get_article(art.canonical_url)
    later = make_article(fetched_at="2026-11-23T09:00:00+07:00")
    assert archive.upsert_article(later, reparsed=True).status == "unchanged"
    assert archive.get_article(art.canonical_url) == before
