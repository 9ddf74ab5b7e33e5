"""Plain sqlite-utils and sqlite3 work on archive.db with nothing special."""

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(*args: str) -> str:
    out = subprocess.run([str(BIN / "sqlite-utils"), *args], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_sqlite_utils_reads_tables_rows_and_search(archive, make_article, db_path):
    archive.upsert_article(make_article())
    tables = {t["table"]: t["count"] for t in json.loads(run("tables", str(db_path), "--counts"))}
    assert tables["articles"] == 1 and tables["revisions"] == 1
    rows = json.loads(run("query", str(db_path),
                          "select title, province from articles where site = 'sonla'"))
    assert rows[0]["province"] == "Sơn La"
    # sqlite-utils' own search command uses the exact FTS index as any FTS5 table.
    found = json.loads(run("search", str(db_path), "articles", "thuỷ"))
    assert len(found) == 1
    # and writing through sqlite-utils keeps the indexes consistent (triggers)
    run("query", str(db_path), "update articles set title = 'Tiêu đề mới'")
    assert json.loads(run("search", str(db_path), "articles", "mới"))
    assert run("query", str(db_path), "pragma integrity_check").count('"ok"') == 1
