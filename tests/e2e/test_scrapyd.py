"""Scrapyd end to end: deploy this project through scrapy.cfg's ``[deploy:local]`` target, then
schedule a crawl of the mirror through the HTTP API and find it in the archive.

Everything is real: a ``scrapyd`` daemon on a free loopback port in a temporary directory (its
own eggs, logs and dbs), ``scrapyd-deploy local`` building an egg of the project with
setuptools and uploading it to ``addversion.json``, ``schedule.json`` with the spider
arguments and settings a user would pass, ``listjobs.json`` polled until the job finished, and
the archive opened with ``storage.Archive``. The egg is a zip file, so this also proves the
package data (the registry's TOML files, …) travels in it and is read from it.
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from crawler.mirror.sites import models
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
# What the egg is built from: the packages and the files setuptools reads.
PROJECT_FILES = ("browse", "core", "crawler", "spiders", "storage", "scrapy.cfg",
                 "pyproject.toml", "setup.py", "README.md")
SITE = "vinhphuc"
pytestmark = pytest.mark.slow


def wait_for(condition: Callable[[], Any], timeout: float, what: str,
             interval: float = 0.2) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env() -> dict[str, str]:
    """The environment minus what would let the job import the checkout instead of the egg."""
    env = dict(os.environ)
    for var in ("SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "PYTHONPATH"):
        env.pop(var, None)
    return env


@contextmanager
def scrapyd_process(workdir: Path) -> Iterator[str]:
    """Run scrapyd in ``workdir`` on a free loopback port; yield its URL; always stop it."""
    port = free_port()
    (workdir / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {workdir / 'eggs'}\n"
        f"logs_dir = {workdir / 'logs'}\n"
        f"dbs_dir = {workdir / 'dbs'}\n"
        "items_dir =\n"
        "jobs_to_keep = 5\n"
        # How often scrapyd looks for pending jobs (default 5 s): a test should not wait.
        "poll_interval = 0.2\n"
        "max_proc = 2\n",
        encoding="utf-8")
    log = (workdir / "scrapyd.log").open("wb")
    # Its own session, so the crawl processes it spawns are stopped with it, whatever happens.
    proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=workdir, env=clean_env(),
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError("scrapyd exited:\n" + tail(workdir / "scrapyd.log"))
            try:
                return httpx.get(url + "daemonstatus.json", timeout=2,
                                 trust_env=False).json()["status"] == "ok"
            except httpx.HTTPError:
                return False

        wait_for(up, 20, "scrapyd to answer")
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        log.close()


def tail(path: Path, chars: int = 4000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


def project_copy(dest: Path, scrapyd_url: str) -> Path:
    """The project's files in ``dest``, its ``[deploy:local]`` target pointed at ``scrapyd_url``.

    A copy, so that building the egg (build/, *.egg-info) leaves the checkout untouched; only
    the target's URL differs from the scrapy.cfg users deploy with.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "scrapy.cfg", encoding="utf-8")
    assert cfg["deploy:local"]["project"] == "dost_archive"
    cfg["deploy:local"]["url"] = scrapyd_url
    with (dest / "scrapy.cfg").open("w", encoding="utf-8") as fh:
        cfg.write(fh)
    return dest


def api(url: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
    method = httpx.post if "data" in kwargs else httpx.get
    response = method(url + endpoint, timeout=10, trust_env=False, **kwargs)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "ok", body
    return body


def test_deploy_schedule_and_archive_through_scrapyd(tmp_path):
    workdir, project, db = tmp_path / "scrapyd", tmp_path / "project", tmp_path / "archive.db"
    workdir.mkdir()
    project.mkdir()
    with mirror_process(SITE) as mirror, scrapyd_process(workdir) as url:
        # scrapyd-deploy local: build the egg from pyproject.toml and upload it.
        deployed = subprocess.run(
            [sys.executable, "-m", "scrapyd_client.deploy", "local", "--version", "r1"],
            cwd=project_copy(project, url), env=clean_env(), capture_output=True, text=True,
            timeout=120)
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert '"status": "ok"' in deployed.stdout, deployed.stdout + deployed.stderr
        assert SITE in api(url, "listspiders.json", params={"project": "dost_archive"})["spiders"]

        # The stored egg carries the package data and tells Scrapyd the settings module.
        with zipfile.ZipFile(workdir / "eggs" / "dost_archive" / "r1.egg") as egg:
            names = set(egg.namelist())
            assert {"crawler/registry/sites.toml", "crawler/registry/dosts.toml",
                    "storage/metadata.yml", "crawler/plumbing/progress.py",
                    f"spiders/{SITE}.py"} <= names
            assert any(n.startswith("crawler/mirror/templates/") for n in names)
            entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
            assert "[scrapy]\nsettings = crawler.settings" in entry_points

        job = api(url, "schedule.json", data={
            "project": "dost_archive", "spider": SITE, "base_url": mirror[SITE],
            # A mirror on loopback: politeness delays would protect nobody.
            "setting": [f"ARCHIVE_DB={db}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0"],
        })["jobid"]

        def finished() -> dict[str, Any] | None:
            jobs = api(url, "listjobs.json", params={"project": "dost_archive"})
            return next((j for j in jobs["finished"] if j["id"] == job), None)

        log = workdir / "logs" / "dost_archive" / SITE / f"{job}.log"
        try:
            done = wait_for(finished, 60, f"scrapyd job {job}")
        except AssertionError:
            httpx.post(url + "cancel.json", data={"project": "dost_archive", "job": job},
                       timeout=10, trust_env=False)
            raise AssertionError("job did not finish; its log:\n" + tail(log)) from None
        assert done["spider"] == SITE

    crawl_log = tail(log, 100_000)
    assert "Spider closed (finished)" in crawl_log, crawl_log[-4000:]
    assert "Traceback" not in crawl_log, crawl_log[-4000:]
    expected = len(models()[SITE]("base").articles)
    with Archive(db) as archive:
        runs = list(archive.db["crawl_runs"].rows)
        assert len(runs) == 1, runs
        run = runs[0]
        assert (run["site"], run["status"], run["new"], run["errors"]) == (SITE, "ok",
                                                                           expected, 0)
        assert archive.db["articles"].count == expected
        # Archived under the real site's URLs, not the mirror's.
        assert all(not r["canonical_url"].startswith("http://127.0.0.1")
                   for r in archive.iter_articles())
