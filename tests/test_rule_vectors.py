"""The answer and due rules the tablet mirrors give the shared vectors' results: in Python here,
under node (pwa/js/rules.js) below, and in Chromium (tests/browser/test_scoring_vectors.py)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from make_rule_vectors import due_vector, subject_vector, submit_vector

VECTORS = json.loads((Path(__file__).parent / "vectors" / "rules.json").read_text("utf-8"))
CHECK = Path(__file__).parent / "js" / "check_rules.mjs"


def test_vectors_cover_every_rule():
    assert len(VECTORS["submit"]) >= 100 and len(VECTORS["due"]) >= 15
    fields = {field for v in VECTORS["submit"] for _, field in v["expected"]["missing"]}
    assert fields == {"value", "photos", "note"}
    checklists = [v["checklist"] for v in VECTORS["submit"]]
    assert any(c["evidence_below_max"] for c in checklists)
    items = [i for c in checklists for s in c["sections"] for i in s["items"]]
    assert any(i["note_required_if_na"] for i in items)
    codes = {code for v in VECTORS["subject"] for _, code in v["expected"]["errors"]}
    assert codes == {"unknown", "number", "text", "length", "pattern", "date", "option", "staff"}
    assert any(v["expected"]["missing"] for v in VECTORS["subject"])
    assert any(v["expected"] == [] for v in VECTORS["due"])
    assert any(v["expected"] for v in VECTORS["due"])


@pytest.mark.parametrize("vector", VECTORS["submit"], ids=lambda v: v["name"])
def test_submit_vector(vector):
    again = submit_vector(
        vector["name"], vector["checklist"], vector["zone_kind"], vector["answers"]
    )
    assert again["expected"] == vector["expected"]


@pytest.mark.parametrize("vector", VECTORS["subject"], ids=lambda v: v["name"])
def test_subject_vector(vector):
    keys = ("name", "checklist", "subject", "staff")
    assert subject_vector(*(vector[k] for k in keys))["expected"] == vector["expected"]


@pytest.mark.parametrize("vector", VECTORS["due"], ids=lambda v: v["name"])
def test_due_vector(vector):
    keys = ("name", "checklists", "audits", "now", "offset_minutes")
    assert due_vector(*(vector[k] for k in keys))["expected"] == vector["expected"]


def test_js_rules_match_vectors():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the tablet's rules cannot be checked")
    result = subprocess.run([node, str(CHECK)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr or result.stdout
