"""The browser preview (pwa/js/scoring.js) gives exactly the shared vectors' results under node."""

import shutil
import subprocess
from pathlib import Path

import pytest

CHECK = Path(__file__).parent / "js" / "check_vectors.mjs"


def test_js_scoring_matches_vectors():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the JS scorer cannot be checked against the vectors")
    result = subprocess.run(
        [node, str(CHECK)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr or result.stdout
