"""The folded index without a stored folded copy (m008): same tokens, consistent both ways."""

import sqlite3

import sqlite_utils

from core.fold import fold
from crawler.normalize import fold as fold_module
from storage import Archive
from storage.schema import FOLDED_TOKENIZER, M008_LETTERS, _tokenizer_folded, migrations
from tests.fixture_tool import realtext_pages

SAMPLES = ["Đồng chí Nguyễn Văn Thắng, Giám đốc Sở KH&CN tỉnh Vĩnh Phúc",
           "HOÁ HỌC, hóa học, THUỶ LỢI, thủy điện, Ðức, Łódź, Øresund, ıstanbul",
           "Chuyển đổi số: ĐỔI MỚI SÁNG TẠO — sở hữu trí tuệ (Quyết định số 4711/QĐ-UBND)"]


def _tokens(conn: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    return conn.execute(f"SELECT term, doc FROM {table}_v ORDER BY term").fetchall()


def test_sql_folding_gives_the_tokens_pythons_fold_gives():
    """What the triggers index (built-in replace() + the tokenizer) is token for token what
    the index of fold()ed text held before m008, over real DOST pages."""
    texts = SAMPLES + [truth.get("body_text") or truth.get("title") or ""
                       for _name, _meta, _page, truth in realtext_pages()]
    conn = sqlite3.connect(":memory:")
    for table in ("by_python", "by_sql"):
        conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(t, tokenize='{FOLDED_TOKENIZER}')")
        conn.execute(f"CREATE VIRTUAL TABLE {table}_v USING fts5vocab({table}, row)")
    for text in texts:
        conn.execute("INSERT INTO by_python (t) VALUES (?)", [fold(text)])
        conn.execute(f"INSERT INTO by_sql (t) VALUES ({_tokenizer_folded('?')})", [text])
    assert len(texts) > 40
    assert _tokens(conn, "by_python") == _tokens(conn, "by_sql")


def test_frozen_letters_are_still_folds_special_letters():
    # If fold() gains a letter, m008's triggers no longer match it: add a migration.
    assert dict(M008_LETTERS) == fold_module._SPECIAL


def test_plain_sqlite_writes_keep_the_folded_index_consistent(archive, make_article, db_path):
    first = archive.upsert_article(make_article())
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE articles SET title = 'Điều chỉnh quy hoạch' WHERE id = ?",
                     [first.article_id])
    conn.close()
    assert [h.id for h in archive.search("dieu chinh")] == [first.article_id]
    for fts in ("articles_fts", "articles_folded_fts"):
        archive.db.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
    # No stored copy: the folded text is a view over articles.
    assert "articles_folded" in archive.db.view_names()
    assert "articles_folded" not in archive.db.table_names()


def test_archive_with_a_stored_folded_copy_is_upgraded_and_searchable(db_path, make_article):
    fresh = db_path
    legacy = sqlite_utils.Database(fresh)
    migrations.apply(legacy, stop_before="m008_folded_view")
    row = make_article().to_dict()
    for key in ("images", "attachments", "tags", "flags"):
        row[key] = "[]"
    article_id = legacy["articles"].insert(row).last_pk
    legacy["articles_folded"].insert({"id": article_id, **{c: fold(row[c] or "")
                                      for c in ("title", "summary", "body_text")}})
    assert legacy["articles_folded"].count == 1
    legacy.close()
    with Archive(fresh) as archive:
        assert "articles_folded" in archive.db.view_names()
        assert [h.id for h in archive.search("dong chi")] == [article_id]
        archive.db.execute("INSERT INTO articles_folded_fts(articles_folded_fts) "
                           "VALUES ('integrity-check')")
        assert archive.integrity_ok()
