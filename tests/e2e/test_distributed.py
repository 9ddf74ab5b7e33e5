"""Distributed mode end to end: a real ``redis-server`` on loopback, the bundled mirror, two
crawler processes (`dost-archive crawl --redis`) and one writer (`dost-archive write`),
checked against single-machine crawls of the same mirror.

The crawler processes get a settings module (written to the test's temporary directory)
with two test values: in the kill test a 1.5 s heartbeat lifetime, so the killed crawler's
requests are taken back quickly; in the timing test one request at a time per site and
crawler (``CONCURRENT_REQUESTS = 1``), so that a process's capacity (not the mirror, not
this machine's two cores) limits the crawl and a second process shows in the time, as it
does when hundreds of sites share a few crawlers. The slow mirror answers each request
0.15 s late.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.distributed import decode_item, encode_item
from crawler.items import CaptureRecord, GoneArticle, RawArticle
from crawler.plumbing.warc import read_capture, warc_dir_for
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[2]
# Three platforms: SharePoint lists, VNPT Portal (AJAX paging by POST), NukeViet.
SITES = ("vinhphuc", "sonla", "caobang")
DELAY = 0.15
WORKER_SETTINGS = """import os
from crawler.settings import *  # noqa: F403
DOST_WORKER_TTL = float(os.environ.get("TEST_WORKER_TTL", "10"))
CONCURRENT_REQUESTS = int(os.environ.get("TEST_CONCURRENT_REQUESTS", "4"))
"""


def _until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing in CI (.ci/run installs Debian's package)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    workdir = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"redis-server exited: {proc.stderr.read()!r}")
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        _until(answers, 10, "redis-server to answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    redis.Redis.from_url(redis_server).flushall()
    return redis_server


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    settings_dir = tmp_path_factory.mktemp("settings")
    (settings_dir / "distributed_test_settings.py").write_text(WORKER_SETTINGS)
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(settings_dir), str(REPO)]),
               "SCRAPY_SETTINGS_MODULE": "distributed_test_settings"}
    return environ


@pytest.fixture(scope="module")
def mirrors() -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    with mirror_process(*SITES) as fast, mirror_process(*SITES, delay=DELAY) as slow:
        yield fast, slow


def dost(env: dict[str, str], *args: str, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "crawler", *args], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=out, text=True)


def finish(proc: subprocess.Popen, timeout: float = 60) -> str:
    out, _ = proc.communicate(timeout=timeout)
    return out


def archived(db: Path) -> list[tuple[str, str, str, int]]:
    with Archive(db) as archive:
        return sorted(archive.db.execute(
            "SELECT site, canonical_url, content_hash, revision_count FROM articles"))


@pytest.fixture(scope="module")
def reference_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reference")


@pytest.fixture(scope="module")
def reference(mirrors, env, reference_dir) -> list[tuple[str, str, str, int]]:
    """Single-machine crawls of the same mirror, one archive per site (run side by side)."""
    fast, _ = mirrors
    tmp = reference_dir
    procs = {site: dost(env, "crawl", site, "--base-url", fast[site], "--db",
                        str(tmp / f"{site}.db"), "--no-warc", "-q") for site in SITES}
    rows = []
    for site, proc in procs.items():
        finish(proc, timeout=120)
        assert proc.returncode == 0, f"single-machine crawl of {site} failed"
        rows += archived(tmp / f"{site}.db")
    assert {r[0] for r in rows} == set(SITES) and all(r[3] == 1 for r in rows)
    return sorted(rows)


def seed_all(env: dict[str, str], url: str, mirror: dict[str, str],
             known: Path | None = None) -> list[str]:
    """Seed every site (side by side); ``known``: a folder of archives SITE.db that say which
    articles are known, else none is."""
    procs = [dost(env, "seed", "--redis", url, site, "--base-url", mirror[site], "--db",
                  str(known / f"{site}.db") if known else "/nonexistent/archive.db")
             for site in SITES]
    outs = [finish(proc) for proc in procs]
    for proc, out in zip(procs, outs, strict=True):
        assert proc.returncode == 0 and out.startswith("seeded "), out
    return outs


def distributed_crawl(env, url: str, mirror: dict[str, str], db: Path, tmp: Path,
                      crawlers: int) -> tuple[float, list[str], str]:
    """Seed, then one writer and ``crawlers`` crawler processes; (seconds from the first
    crawler's first heartbeat in Redis to the last crawler's exit: the crawl without the
    processes' start-up, crawler outputs, writer output). The writer is stopped (SIGTERM)
    once it has recorded every run."""
    seed_all(env, url, mirror)
    client = redis.Redis.from_url(url)
    writer = dost(env, "write", "--from-redis", url, "--db", str(db), log=tmp / "writer.log")
    procs = [dost(env, "crawl", *SITES, "--redis", url, "--max-idle", "10",
                  "--warc-dir", str(warc_dir_for(db)), log=tmp / f"crawler{i}.log")
             for i in range(crawlers)]
    _until(lambda: any(client.keys(f"dost:worker:*-{p.pid}-*") or p.poll() is not None
                       for p in procs), 60, "a crawler to start")
    started = time.monotonic()
    outs = [finish(p) for p in procs]
    elapsed = time.monotonic() - started
    assert [p.returncode for p in procs] == [0] * crawlers, outs
    return elapsed, outs, stop_writer(writer, db, tmp / "writer.log")


def stop_writer(writer: subprocess.Popen, db: Path, log: Path) -> str:
    """Stop the writer (SIGTERM, as a service manager would) once it has recorded every
    site's run; its output."""
    def recorded() -> bool:
        with Archive(db) as archive:
            return archive.db.execute("SELECT COUNT(*) FROM crawl_runs WHERE finished_at "
                                      "IS NOT NULL").fetchone()[0] == len(SITES)

    _until(recorded, 30, "the writer to record the runs")
    writer.send_signal(signal.SIGTERM)
    written = finish(writer)
    assert writer.returncode == 0, log.read_text()[-3000:]
    return written


def items_pushed(crawl_output: str) -> int:
    """Items a crawler pushed, summed over the sites of its summary table."""
    rows = [line.split() for line in crawl_output.splitlines()[2:] if line.strip()]
    return sum(int(row[3]) for row in rows)


def assert_archived_once(db: Path, reference: list, redis_url: str) -> None:
    rows = archived(db)
    assert rows == reference  # same articles, same content, each stored once (revision 1)
    with Archive(db) as archive:
        assert archive.db["revisions"].count == len(reference)
        runs = list(archive.db["crawl_runs"].rows)
        assert sorted(r["site"] for r in runs) == sorted(SITES)
        assert {r["status"] for r in runs} == {"ok"}
        assert sum(r["new"] for r in runs) == len(reference)
        assert sum(r["duplicates"] for r in runs) == 0
        assert archive.db.execute("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT "
                                  "NULL").fetchone()[0] == 0
        assert all(r["pages"] > 0 and r["finished_at"] for r in runs)
    # Nothing left behind: no run, no queue, no lease, no item.
    left = [k.decode() for k in redis.Redis.from_url(redis_url).keys("dost:*")
            if not k.startswith(b"dost:worker:")]
    assert left == []


@pytest.mark.slow
def test_two_crawlers_and_one_writer_archive_every_article_once(
        redis_url, mirrors, env, reference, tmp_path, capsys):
    _, slow = mirrors
    one_db, two_db = tmp_path / "one.db", tmp_path / "two.db"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    env = {**env, "TEST_CONCURRENT_REQUESTS": "1"}  # one request at a time per site and crawler
    one, _, _ = distributed_crawl(env, redis_url, slow, one_db, tmp_path / "one", crawlers=1)
    assert_archived_once(one_db, reference, redis_url)
    two, outs, written = distributed_crawl(env, redis_url, slow, two_db, tmp_path / "two",
                                           crawlers=2)
    assert_archived_once(two_db, reference, redis_url)
    # Both crawlers did part of the work; together they pushed every article once.
    pushed = [items_pushed(out) for out in outs]
    assert all(n > 0 for n in pushed) and sum(pushed) == len(reference), pushed
    for site in SITES:
        assert site in written
    with capsys.disabled():
        print(f"\ndistributed mode, {len(reference)} articles of {len(SITES)} sites, mirror "
              f"{DELAY} s per request: 1 crawler {one:.1f} s, 2 crawlers {two:.1f} s "
              f"(items pushed per crawler: {pushed})")


@pytest.mark.slow
def test_a_crawler_killed_mid_run_loses_nothing(redis_url, mirrors, env, reference, tmp_path):
    _, slow = mirrors
    env = {**env, "TEST_WORKER_TTL": "1.5"}
    db = tmp_path / "killed.db"
    seed_all(env, redis_url, slow)
    client = redis.Redis.from_url(redis_url)
    writer = dost(env, "write", "--from-redis", redis_url, "--db", str(db), "--until-idle", "5",
                  log=tmp_path / "writer.log")
    warc = ("--warc-dir", str(warc_dir_for(db)))
    victim = dost(env, "crawl", *SITES, "--redis", redis_url, *warc,
                  log=tmp_path / "victim.log")
    survivor = dost(env, "crawl", *SITES, "--redis", redis_url, "--max-idle", "10", *warc,
                    log=tmp_path / "survivor.log")

    def victim_busy() -> list[bytes]:
        # Mid-run: the victim holds requests in progress and work is still queued.
        leases = [k for k in client.keys(f"dost:*:lease:*-{victim.pid}-*") if client.llen(k)]
        queued = sum(client.llen(f"dost:{site}:requests") for site in SITES)
        return leases if leases and queued else []

    held = _until(victim_busy, 60, "the first crawler to hold requests mid-run")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    assert sum(client.llen(k) for k in held) > 0  # what it was doing is still leased
    finish(survivor)
    assert survivor.returncode == 0, (tmp_path / "survivor.log").read_text()[-3000:]
    finish(writer)
    assert writer.returncode == 0, (tmp_path / "writer.log").read_text()[-3000:]
    assert "took back" in (tmp_path / "survivor.log").read_text()
    assert_archived_once(db, reference, redis_url)
    assert_every_article_has_a_readable_capture(db)
    # reparse reads them back: the same articles again, nothing changed, nothing missing.
    again = subprocess.run([sys.executable, "-m", "crawler", "reparse", "--db", str(db),
                            "--json"], env=env, cwd=REPO, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr[-3000:]
    summary = json.loads(again.stdout)
    assert (summary["unchanged"], summary["changed"], summary["failed"],
            summary["no_capture"]) == (len(reference), 0, 0, 0), summary


def assert_every_article_has_a_readable_capture(db: Path) -> None:
    """Each archived article points at a capture whose WARC record reads back as a page of
    that article, and every indexed capture reads back, those in a killed crawler's file
    (left ``.open``) among them when it had written any: which crawler's copy an article
    ends up pointing at depends on who fetched it last."""
    warc = warc_dir_for(db)
    with Archive(db) as archive:
        articles = list(archive.captured_articles())
        assert articles and all(a["capture_id"] for a in articles)
        for a in articles:
            capture = archive.capture(a["capture_id"])
            headers, body = read_capture(warc, capture)
            assert capture["page"] == "article" and capture["kind"] == "response", capture
            assert headers.get_statuscode() == "200" and len(body) > 500, capture
        every = [archive.capture(i) for (i,) in archive.db.execute("SELECT id FROM captures")]
    for capture in every:
        headers, _ = read_capture(warc, capture)
        assert headers.get_statuscode() == str(capture["status"]), capture


@pytest.mark.slow
def test_an_incremental_run_needs_the_archive_only_where_seed_runs(
        redis_url, mirrors, env, reference, reference_dir, tmp_path):
    """seed reads the known articles from the archive and hands them to the crawlers
    through Redis: they fetch listings only, and push nothing."""
    fast, _ = mirrors
    outs = seed_all(env, redis_url, fast, known=reference_dir)
    for site, out in zip(SITES, outs, strict=True):
        known = sum(1 for r in reference if r[0] == site)
        assert f"seeded {site}: " in out and f"{known} known articles" in out, out
    db = tmp_path / "incremental.db"
    crawler = dost(env, "crawl", *SITES, "--redis", redis_url, "--warc-dir",
                   str(warc_dir_for(db)), log=tmp_path / "crawler.log")
    writer = dost(env, "write", "--from-redis", redis_url, "--db", str(db),
                  log=tmp_path / "writer.log")
    out = finish(crawler)
    assert crawler.returncode == 0, (tmp_path / "crawler.log").read_text()[-3000:]
    rows = {row.split()[0]: row.split() for row in out.splitlines()[2:] if row.strip()}
    assert sorted(rows) == sorted(SITES)
    for site, (_, finish_reason, pages, items, errors) in rows.items():
        assert (finish_reason, items, errors) == ("finished", "0", "0"), site
        assert 0 < int(pages) <= 6  # robots.txt and the first listing page of each category
    stop_writer(writer, db, tmp_path / "writer.log")
    with Archive(db) as archive:
        runs = list(archive.db["crawl_runs"].rows)
    assert sorted(r["site"] for r in runs) == sorted(SITES)
    assert all((r["status"], r["items"], r["new"]) == ("ok", 0, 0) for r in runs)


@pytest.mark.slow
def test_bad_distributed_input_gets_one_line_errors(redis_url, env, tmp_path):
    def run(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "crawler", *args], env=env, cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result(proc: subprocess.Popen) -> tuple[int, str]:
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        return proc.returncode, err

    # A port nobody listens on: the seeded run below must never reach any server.
    nowhere = ["--base-url", f"http://127.0.0.1:{_free_port()}", "--full"]
    nothing = run("crawl", "vinhphuc", "--redis", redis_url)
    mixed = run("crawl", "vinhphuc", "--redis", redis_url, "--full")
    down = run("seed", "--redis", f"redis://127.0.0.1:{_free_port()}/0", "vinhphuc")
    code, err = result(mixed)
    assert code == 2 and "--full" in err and "seed" in err
    code, err = result(down)
    assert code == 2 and "cannot use Redis" in err
    code, err = result(nothing)
    assert code == 2 and "no seeded run" in err
    first = run("seed", "--redis", redis_url, "vinhphuc", *nowhere)
    assert first.wait(timeout=60) == 0, first.communicate()
    code, err = result(run("seed", "--redis", redis_url, "vinhphuc", *nowhere))
    assert code == 2 and "not finished" in err and "--restart" in err


def test_items_cross_redis_as_tagged_json_unchanged():
    raw = RawArticle(
        url="https://sokhcn.sonla.gov.vn/tin-tuc/bai-1?utm_source=x", site="sonla",
        title="Đồng chí Phó Chủ tịch làm việc với Sở KH&CN", summary="Tóm tắt…",
        published_raw="Ngày 05/6/2023", updated_raw="06/06/2023 10:15", author="Thu Huyên",
        source="most.gov.vn", body_html="<p>Ứng dụng hoá học <b>và</b> thuỷ lợi</p>",
        category="Tin tức - Sự kiện", images=[{"url": "https://x/a.jpg", "caption": "Ảnh"}],
        attachments=[{"url": "https://x/qd.pdf", "name": "QĐ 12.pdf"}], view_count="1.234",
        tags=["KH&CN", "chuyển đổi số"], fetched_at="2026-11-22T09:00:00+07:00",
        extractor="generic", date_context="15-1", year_hint=2020, flags=["date_from_text"],
        capture_id=7)
    gone = GoneArticle(url="https://x/b", canonical_url="https://x/b", site="sonla",
                       status=410, seen_at="2026-11-22T09:00:00+07:00")
    capture = CaptureRecord(
        url="https://x/b", origin_url="https://x/b", status=200, mime="text/html",
        page="article", warc_file="sonla-host-1-a1-20261203.warc.gz",
        record_id="<urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427>", offset=812, length=2048,
        payload_digest="sha1:ABC", captured_at="2026-12-03T10:00:00Z",
        context={"callback": "parse_article", "kwargs": {"entry": {"title": "Tin"}}})
    for item in (raw, gone, capture):
        back, run = decode_item(encode_item(item, "run-1"))
        assert type(back) is type(item) and back == item and run == "run-1"
    for bad in (b"not json", '{"type": "Article", "item": {}}',
                '{"type": "GoneArticle", "item": {"url": "u", "colour": "red"}}'):
        with pytest.raises(ValueError):
            decode_item(bad)
    with pytest.raises(TypeError):
        encode_item({"url": "a dict is not an item of ours"})


@pytest.mark.slow
def test_a_crawlers_alarms_reach_the_writers_run_record(redis_url, env, tmp_path):
    """A redesigned site crawled by a crawler process: the alarms its spider raised travel
    through Redis, and the writer's crawl_runs row says degraded and names them."""
    with mirror_process("sonla", redesign=True) as mirror:
        seeded = dost(env, "seed", "--redis", redis_url, "sonla", "--base-url", mirror["sonla"],
                      "--db", "/nonexistent/archive.db")
        assert finish(seeded).startswith("seeded ") and seeded.returncode == 0
        db = tmp_path / "degraded.db"
        writer = dost(env, "write", "--from-redis", redis_url, "--db", str(db),
                      log=tmp_path / "writer.log")
        crawler = dost(env, "crawl", "sonla", "--redis", redis_url, "--max-idle", "5",
                       "--warc-dir", str(warc_dir_for(db)), log=tmp_path / "crawler.log")
        finish(crawler)
        assert crawler.returncode == 0, (tmp_path / "crawler.log").read_text()[-3000:]
        _until(lambda: db.exists() and Archive(db).db.execute(
            "SELECT COUNT(*) FROM crawl_runs WHERE finished_at IS NOT NULL").fetchone()[0],
            30, "the writer to record the run")
        writer.send_signal(signal.SIGTERM)
        finish(writer)
    with Archive(db) as archive:
        [run] = list(archive.db["crawl_runs"].rows)
        flags = [r["flags"] for r in archive.iter_articles()]
    monitors = {m["name"]: m for m in json.loads(run["monitors"])}
    assert run["status"] == "degraded" and run["new"] == len(flags) >= 25
    assert not monitors["alarm/listing_no_variant"]["ok"]
    assert monitors["alarm/listing_no_variant"]["message"].startswith(
        "no listing variant matched on https://sokhcn.sonla.gov.vn/")
    assert not monitors["fallback_share"]["ok"]
    assert all("detail_fallback" in f for f in flags)
    assert redis.Redis.from_url(redis_url).keys("dost:sonla:alarms:*") == []
