"""An archive made by an earlier schema opens, upgraded, with its data intact."""

import pytest
import sqlite_utils

from storage import Archive, ArchiveError
from storage.schema import migrations


def test_archive_made_before_the_latest_migration_is_upgraded(db_path, make_article):
    # An archive as the first release made it: only m001 applied, one article stored.
    old = sqlite_utils.Database(db_path)
    migrations.apply(old, stop_before="m002_gone_and_cluster")
    assert "gone_at" not in old["articles"].columns_dict
    old_archive_row = make_article().to_dict()
    for key in ("images", "attachments", "tags", "flags"):
        old_archive_row[key] = "[]"
    old["articles"].insert(old_archive_row)
    old.close()

    with Archive(db_path) as archive:
        assert archive.schema_version[:2] == ["m001_initial", "m002_gone_and_cluster"]
        assert "dosts" in archive.db.table_names()
        columns = archive.db["articles"].columns_dict
        assert "gone_at" in columns and "cluster_id" in columns
        row = archive.get_article(old_archive_row["canonical_url"])
        assert row["title"] == old_archive_row["title"] and row["gone_at"] is None


def test_reopening_applies_nothing_twice(db_path):
    Archive(db_path).close()
    with Archive(db_path) as archive:
        names = [m.name for m in migrations.applied(archive.db)]
    assert names == sorted(set(names), key=names.index)  # no repeats


def test_archive_from_a_newer_version_is_refused_not_damaged(db_path):
    Archive(db_path).close()
    db = sqlite_utils.Database(db_path)
    db["_sqlite_migrations"].insert({"migration_set": "dost_archive", "name": "m999_future",
                                     "applied_at": "2030-01-01"})
    db.close()
    with pytest.raises(ArchiveError, match="newer dost-archive"):
        Archive(db_path)
