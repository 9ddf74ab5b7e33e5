"""Every benchmark still runs: each script's ``--quick`` mode prints its result table.

The figures themselves are not checked (they are measurements of this machine, reported by
the scripts); what is checked is that each script runs end to end — mirror, crawls,
archive, queries — and prints its table of figures against targets. The five scripts run at
once (they are mostly process start-up and waiting), so the whole module takes about as long
as the slowest one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("bench_pipeline", "bench_extract_vs_trafilatura", "bench_recrawl", "bench_search",
           "bench_memory")
DEADLINE = 120  # seconds for all five together; each takes a few seconds on an idle machine


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("bench")
    env = {**os.environ, "TMPDIR": str(tmp)}  # the scripts' scratch files stay in the test's
    procs = {}
    for name in SCRIPTS:
        extra = ["--db", str(tmp / "search.db")] if name == "bench_search" else []
        procs[name] = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--quick", *extra],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + DEADLINE
    done = {}
    try:
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return done


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS)
def test_quick_run_prints_its_table(outputs: dict[str, subprocess.CompletedProcess],
                                    script: str) -> None:
    result = outputs[script]
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    header = [i for i, line in enumerate(lines) if line.split() == [
        "figure", "measured", "target", "result"]]
    assert header, result.stdout
    rows = lines[header[-1] + 1:]
    verdicts = [line for line in rows if line.rstrip().endswith(("PASS", "MISS"))]
    assert verdicts, f"no figure judged against a target:\n{result.stdout}"
    assert any(line.strip().startswith("(load average") for line in rows), result.stdout
