"""Headless Chromium (Debian's ``chromium`` package) for the browser tests.

Every run gets a fresh profile and the flags that keep Chromium quiet on a machine without
internet; ``--host-resolver-rules`` makes every host but 127.0.0.1 unresolvable, so a page
under test can reach nothing else (an archived image URL fails at once instead of waiting
on DNS).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI") == "true":
    # In CI the browser test is a requirement (.ci/run installs Chromium): fail, never skip.
    raise RuntimeError("CI=true but headless Chromium is not installed; .ci/run installs it")
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (Debian: apt-get install chromium); "
           ".ci/run installs it in CI",
)
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
    "--disable-default-apps", "--hide-scrollbars", "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
WINDOW = "--window-size=1280,1600"


@dataclass
class Visit:
    url: str
    dom: str
    screenshot: Path | None
    seconds: float


def visit(url: str, screenshot: Path | None = None, *, timeout: float = 45) -> Visit:
    """Load ``url``; return the DOM after load (and save a screenshot if asked)."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-") as tmp:
        shot = Path(tmp) / "screenshot.png"
        args = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp}/profile", WINDOW, "--dump-dom"]
        if screenshot is not None:
            args.append(f"--screenshot={shot}")
        start = time.monotonic()
        done = subprocess.run([*args, url], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - start
        if done.returncode != 0 or "<html" not in done.stdout.lower():
            raise AssertionError(f"chromium failed on {url} ({done.returncode}): "
                                 f"{done.stderr[-2000:]}")
        if screenshot is not None:
            if not shot.exists():
                raise AssertionError(f"chromium wrote no screenshot of {url}: "
                                     f"{done.stderr[-2000:]}")
            # Replaced in one step: another test run in this checkout never sees half a file.
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            staged = screenshot.with_name(f".{screenshot.name}.{os.getpid()}")
            shutil.copyfile(shot, staged)
            os.replace(staged, screenshot)
    return Visit(url, done.stdout, screenshot, seconds)
