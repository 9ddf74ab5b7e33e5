"""`dost-archive demo` works offline: mirror, crawl, summary, exit 0."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.mirror.sites import models
from storage import Archive

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_archives_every_mirrored_site(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    db = tmp_path / "demo.db"
    result = subprocess.run([sys.executable, "-m", "crawler", "demo", "--db", str(db)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "dost-archive serve --db" in result.stdout
    with Archive(db) as archive:
        runs = list(archive.db["crawl_runs"].rows)
        assert len(runs) == len(models()) and {r["status"] for r in runs} == {"ok"}
        assert archive.db["articles"].count == sum(
            len(m().articles) for m in models().values())
    # Run twice: the default archive is replaced, a named one needs --force.
    again = subprocess.run([sys.executable, "-m", "crawler", "demo", "--db", str(db)],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert again.returncode == 2 and "--force" in again.stderr
    # Every platform's pages re-extract from the raw captures, offline, to the same articles.
    reparsed = subprocess.run([sys.executable, "-m", "crawler", "reparse", "--db", str(db),
                               "--json"], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=300)
    assert reparsed.returncode == 0, reparsed.stderr[-3000:]
    summary = json.loads(reparsed.stdout)
    assert summary["articles"] == summary["unchanged"] > 300
    assert (summary["changed"], summary["failed"], summary["no_capture"]) == (0, 0, 0)
    warcs = {p.name.rsplit("-", 2)[0] for p in (tmp_path / "demo-warc").iterdir()}
    assert warcs == {r["site"] for r in runs}  # one WARC per site's run
