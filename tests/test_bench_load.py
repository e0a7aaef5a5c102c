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
