"""Run the mirror (``python -m crawler.mirror``) as a subprocess on loopback for a test."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def mirror_process(*sites: str, scenario: str = "base", redesign: bool = False,
                   delay: float = 0.0, faults: int | None = None,
                   offsite: str | None = None,
                   articles: int | None = None,
                   variants: tuple[str, ...] = (),
                   render_once: bool = False) -> Iterator[dict[str, str]]:
    """Yield {site: base URL}; the server is stopped when the block ends. ``delay``: seconds
    the mirror waits before each answer (a slow site); ``faults``: serve through the fault
    mirror with this seed (crawler/mirror/faults.py); ``offsite``: the URL the hostile site's
    security pages point to (crawler/mirror/hostile.py); ``articles``: per site, for the
    benchmarks (default: the mirror's 28); ``variants``: markup variants of the sites' CMS
    (``--variant``, crawler/mirror/sites/_vnpt.py), e.g. ``("UIListNews_Default",)``;
    ``render_once``: each page rendered once, then served as bytes (``--render-once``)."""
    args = [sys.executable, "-m", "crawler.mirror", "--scenario", scenario]
    if redesign:
        args.append("--redesign")
    if delay:
        args += ["--delay", str(delay)]
    if faults is not None:
        args += ["--faults", str(faults)]
    if offsite:
        args += ["--offsite", offsite]
    if articles is not None:
        args += ["--articles", str(articles)]
    if render_once:
        args.append("--render-once")
    for variant in variants:
        args += ["--variant", variant]
    for site in sites:
        args += ["--site", site]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"mirror did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
