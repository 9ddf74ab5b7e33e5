"""Terminal progress (crawler/plumbing/progress.py): the line, when it is shown, and real crawls.

The real crawls run the mirror of Vĩnh Phúc over loopback: with ``PROGRESS=on`` progress
lines appear and count upwards; with stderr a pipe (cron, systemd) and the default ``auto``
none appears; with stderr a real pseudo-terminal, ``auto`` shows them.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from crawler.mirror.sites import models
from crawler.plumbing.progress import format_line, progress_mode, should_show
from storage import Archive
from tests.mirror_process import mirror_process

REPO = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^\[(?P<site>[a-z_]+)\] (?P<pages>\d+) pages, (?P<new>\d+) new, "
                  r"(?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged, "
                  r"(?P<rejected>\d+) rejected, (?P<errors>\d+) errors \((?P<rest>[^)]*)\)$",
                  re.MULTILINE)


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_format_line_reads_the_run_recorders_stats_keys():
    stats = {"downloader/response_count": 33, "archive/new": 28, "archive/updated": 2,
             "archive/unchanged": 5, "archive/rejected": 1, "log_count/ERROR": 3,
             "item_scraped_count": 99}
    assert format_line("vinhphuc", stats, 4.7) == (
        "[vinhphuc] 33 pages, 28 new, 2 updated, 5 unchanged, 1 rejected, 3 errors (4 s)")
    assert format_line("sonla", {}, 125, end="finished") == (
        "[sonla] 0 pages, 0 new, 0 updated, 0 unchanged, 0 rejected, 0 errors "
        "(2 min 05 s, finished)")
    assert format_line("mst", {}, 3 * 3600 + 7 * 60).endswith("(3 h 07 min)")


@pytest.mark.parametrize(("mode", "tty", "shown"), [
    ("auto", True, True), ("auto", False, False),
    ("on", True, True), ("on", False, True),
    ("off", True, False), ("off", False, False),
])
def test_auto_shows_progress_only_on_a_terminal(mode, tty, shown):
    assert should_show(mode, FakeStream(tty)) is shown


def test_a_closed_or_odd_stream_is_not_a_terminal():
    closed = FakeStream(True)
    closed.close()  # isatty() on a closed stream raises ValueError

    class Raises:
        def isatty(self) -> bool:
            raise ValueError("I/O operation on closed file")

    assert not should_show("auto", Raises())
    assert not should_show("auto", object())


@pytest.mark.parametrize(("value", "mode"), [
    ("auto", "auto"), ("ON", "on"), (" off ", "off"), ("1", "on"), ("0", "off"),
    ("true", "on"), ("False", "off"), (True, "on"), (False, "off"), (None, "auto"),
])
def test_progress_setting_values(value, mode):
    assert progress_mode(value) == mode


def test_an_unknown_progress_setting_is_refused():
    with pytest.raises(ValueError, match="PROGRESS must be one of auto, on, off"):
        progress_mode("sometimes")


# -- real crawls of the mirror --------------------------------------------------------------
def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return env


@pytest.fixture(scope="module")
def mirror():
    with mirror_process("vinhphuc") as urls:
        yield urls["vinhphuc"]


@pytest.mark.slow
def test_progress_on_prints_counting_lines_per_site(mirror, tmp_path):
    db = tmp_path / "on.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "vinhphuc", "-a", f"base_url={mirror}",
         "-s", f"ARCHIVE_DB={db}", "-s", "PROGRESS=on", "-s", "PROGRESS_INTERVAL=0.05",
         "-s", "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
        capture_output=True, text=True, env=_env(), cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [m.groupdict() for m in LINE.finditer(result.stderr)]
    assert lines, result.stderr[-3000:]
    assert {line["site"] for line in lines} == {"vinhphuc"}
    # The first line comes when the spider opens, the last when it closes.
    assert (lines[0]["pages"], lines[0]["new"]) == ("0", "0")
    assert lines[-1]["rest"].endswith(", finished")
    news = [int(line["new"]) for line in lines]
    assert news == sorted(news)  # counters only go up
    # The last line says what the crawl_runs row says.
    expected = len(models()["vinhphuc"]("base").articles)
    with Archive(db) as archive:
        run = next(iter(archive.db["crawl_runs"].rows))
    assert (int(lines[-1]["pages"]), int(lines[-1]["new"])) == (run["pages"], run["new"])
    assert run["new"] == expected and run["status"] == "ok"


@pytest.mark.slow
def test_no_progress_when_stderr_is_a_pipe(mirror, tmp_path):
    """As under cron or systemd: the default (auto) and stderr not a terminal."""
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "vinhphuc", "--base-url", mirror,
         "--db", str(tmp_path / "auto.db")],
        capture_output=True, text=True, env=_env(), cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "vinhphuc  ok" in result.stdout  # it crawled, and logged at INFO on stderr
    assert "Spider closed (finished)" in result.stderr
    assert not LINE.search(result.stderr) and not LINE.search(result.stdout)
    # --progress forces the lines on, even into a pipe.
    forced = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "vinhphuc", "--base-url", mirror,
         "--db", str(tmp_path / "forced.db"), "-q", "--progress"],
        capture_output=True, text=True, env=_env(), cwd=REPO, timeout=120)
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert [m["site"] for m in LINE.finditer(forced.stderr)][-1:] == ["vinhphuc"]


@pytest.mark.slow
def test_auto_progress_on_a_real_terminal(mirror, tmp_path):
    """stderr a pseudo-terminal, no flag: the lines appear (and --no-progress stops them)."""
    def run(*extra: str) -> tuple[int, str]:
        import pty

        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", "vinhphuc", "--base-url", mirror,
             "--db", str(tmp_path / f"tty{len(extra)}.db"), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=_env(),
            cwd=REPO)
        os.close(slave)
        chunks: list[bytes] = []

        def drain() -> None:  # keep the terminal's buffer empty so the crawl never blocks
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the crawl exited and closed the terminal
                    return
                if not data:
                    return
                chunks.append(data)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            code = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
            reader.join(timeout=10)
            os.close(master)
        return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")

    code, out = run()
    assert code == 0, out[-3000:]
    lines = list(LINE.finditer(out))
    assert lines and lines[-1]["site"] == "vinhphuc", out[-3000:]
    assert lines[-1]["rest"].endswith(", finished")
    code, out = run("--no-progress")
    assert code == 0, out[-3000:]
    assert "Spider closed (finished)" in out and not LINE.search(out)
