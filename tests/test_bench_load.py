"""bench/load.py cannot rot: a tiny run of it against the real server (about 30 s)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

VERDICTS = (
    "zero 5xx",
    "zero transport errors",
    "nothing lost or doubled",
    "genba verify on the live data dir",
    "mid-run backup restores and verifies",
)


@pytest.mark.e2e
def test_a_tiny_load_run_completes_with_nothing_lost(tmp_path):
    # Three devices for 20 s at four times the pace (so that photos, audits, replays, reviews
    # and PDFs all happen), on the demo without its audits (it starts in seconds).
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--devices", "3"]
    command += ["--seconds", "20", "--pace", "0.25", "--no-demo-audits", "--seed", "7"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENBA_")}
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},  # its data dir and log, should it leave them
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for verdict in VERDICTS:
        assert re.search(rf"^  PASS  {re.escape(verdict)}", out, re.M), f"{verdict}:\n{out}"
    totals = out.split("== Totals", 1)[1]
    for kind in ("photo", "audit", "changes"):
        assert re.search(rf"^  {kind} +[1-9]", totals, re.M), f"no {kind} requests:\n{out}"


@pytest.mark.e2e
def test_the_intake_cpu_bench_prints_every_figure(tmp_path):
    """bench/intake_cpu.py, which docs/scale.md reads, runs and prints a figure per row."""
    command = [sys.executable, str(ROOT / "bench" / "intake_cpu.py"), "--count", "4"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENBA_")}
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**env, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    rows = {
        "GET /api/me": 3,
        "audit PUT, new": 3,
        "photo PUT, new": 3,
        "photo PUT, held already": 3,
        "reduced-scale decode": 1,
        "thumbnail from it": 1,
        "images.process in all": 1,
    }
    for label, figures in rows.items():
        line = next((line for line in out.splitlines() if label in line), None)
        assert line is not None, f"no row for {label}:\n{out}"
        numbers = [float(n) for n in re.findall(r"\d+\.\d+", line.split(")")[-1])]
        # /proc counts CPU in 10 ms ticks: a few cheap requests may read as 0.00
        assert len(numbers) == figures and all(n >= 0 for n in numbers), line
