"""Serve a folder over real HTTP on loopback in a subprocess (Scrapy mockserver style)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def static_server(root: Path) -> Iterator[str]:
    """Yield the base URL of a server for ``root`` on 127.0.0.1 (port chosen by the OS)."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 40123 (http://…/) ..."
        match = re.search(r"port (\d+)", line)
        if not match:
            raise RuntimeError(f"static server did not start: {line!r}")
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
