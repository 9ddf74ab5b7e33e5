"""Fixtures of the browse tests: a served archive (demo + hostile article + run history)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.browse.hostile import insert_hostile_article

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"


def _cli() -> list[str]:
    """The installed ``dost-archive`` beside this Python, or ``python -m crawler``."""
    script = Path(sys.executable).with_name("dost-archive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crawler"]


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


def add_run_history(db: str | Path) -> None:
    """Two later (made-up) incremental crawl days after the demo's real run: quiet ok runs,
    one run with errors and one failed run, so the health plots and the problem-runs query
    have something to show. Written with plain sqlite3, like the hostile article."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            sites = [r[0] for r in conn.execute("SELECT site FROM crawl_runs ORDER BY site")]
            first = conn.execute("SELECT min(started_at) FROM crawl_runs").fetchone()[0]
            base = datetime.fromisoformat(first)
            for day, (errors_site, failed_site) in enumerate([("mst", None),
                                                              ("caobang", "quangtri")], 1):
                start = base + timedelta(days=day)
                for i, site in enumerate(sites):
                    status, errors, new = "ok", 0, (i + day) % 3
                    if site == errors_site:
                        status, errors = "errors", 3
                    if site == failed_site:
                        status, errors, new = "failed", 1, 0
                    t = (start + timedelta(seconds=i)).isoformat()
                    conn.execute(
                        "INSERT INTO crawl_runs (run_key, site, started_at, finished_at, status,"
                        " pages, items, new, updated, unchanged, errors, message) VALUES"
                        " (?, ?, ?, ?, ?, 3, ?, ?, ?, 0, ?, ?)",
                        [f"history-{day}", site, t, t, status, new, new, day % 2, errors,
                         "made-up history for the browse tests"])
    finally:
        conn.close()


@dataclass
class Served:
    base: str
    db: Path
    hostile_id: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``dost-archive demo`` + the hostile article + run history, served by
    ``dost-archive serve`` on a free loopback port; stopped afterwards."""
    tmp = tmp_path_factory.mktemp("browse")
    db = tmp / "archive.db"
    demo = subprocess.run([*_cli(), "demo", "--db", str(db)], capture_output=True, text=True,
                          env=_env(), cwd=tmp, timeout=240, stdin=subprocess.DEVNULL)
    assert demo.returncode == 0, demo.stdout + demo.stderr[-3000:]
    hostile_id = insert_hostile_article(db)
    add_run_history(db)
    port = _free_port()
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen([*_cli(), "serve", "--db", str(db), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=_env(), cwd=tmp,
                            stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise AssertionError("dost-archive serve did not answer: "
                                     + (tmp / "serve.log").read_text()[-3000:])
            time.sleep(0.2)
        yield Served(base, db, hostile_id)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
