"""The live score preview (pwa/js/scoring.js) gives every shared vector's result in Chromium.

The same check as tests/test_scoring_js.py, but in the browser the officers use, loaded from the
running server the way the app loads it: each vector as the API serves checklists (every field
present) and with default-valued fields left out (the defaults applied in JS).
"""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import WAIT_MS

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "scoring.json"
ITEM_DEFAULTS = {
    "weight": 1,
    "na_allowed": False,
    "critical": False,
    "note_required_if_fail": False,
    "note_required_if_na": False,
}
SECTION_DEFAULTS = {"weight": 1}
CHECKLIST_DEFAULTS = {"section_weighting": "items", "evidence_below_max": False, "appraisal": True}

RUN_JS = """
async (cases) => {
  const {scoreAudit} = await import('/js/scoring.js');
  return cases.map(([checklist, answers, zoneKind]) => {
    try {
      return {result: scoreAudit(checklist, answers, zoneKind)};
    } catch (error) {
      return {error: String(error && error.stack || error)};
    }
  });
}
"""


def _strip(obj: dict, defaults: dict) -> dict:
    return {
        key: value
        for key, value in obj.items()
        if value is not None and not (key in defaults and defaults[key] == value)
    }


def without_defaults(checklist: dict) -> dict:
    """The checklist with every field format.py would fill in left out (as check_vectors.mjs)."""
    out = _strip(checklist, CHECKLIST_DEFAULTS)
    if out.get("bands"):
        out["bands"] = [_strip(band, {}) for band in out["bands"]]
    else:
        out.pop("bands", None)
    rule = _strip(checklist["critical_fail"], {"scope": "total", "cap": 0})
    if rule:
        out["critical_fail"] = rule
    else:
        out.pop("critical_fail", None)
    sections = []
    for section in checklist["sections"]:
        stripped = _strip(section, SECTION_DEFAULTS)
        items = []
        for item in section["items"]:
            small = _strip(item, ITEM_DEFAULTS)
            small.pop("photo", None)
            if small.get("options"):
                small["options"] = [_strip(o, {"fail": False}) for o in small["options"]]
            items.append(small)
        stripped["items"] = items
        sections.append(stripped)
    out["sections"] = sections
    return out


def difference(actual, expected, path: str = "$") -> str | None:
    """The first place the two differ; numbers compare exactly, int and float alike."""

    def is_number(x) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    if is_number(actual) and is_number(expected):
        return None if actual == expected else f"{path}: got {actual!r}, expected {expected!r}"
    if isinstance(actual, dict) and isinstance(expected, dict):
        for key in sorted(set(actual) | set(expected)):
            if key not in actual or key not in expected:
                side = "missing" if key not in actual else "unexpected"
                return f"{path}.{key}: {side}"
            found = difference(actual[key], expected[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(actual, list) and isinstance(expected, list):
        if len(actual) != len(expected):
            return f"{path}: got {json.dumps(actual)}, expected {json.dumps(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found = difference(a, e, f"{path}[{i}]")
            if found:
                return found
        return None
    if type(actual) is not type(expected) or actual != expected:
        return f"{path}: got {json.dumps(actual)}, expected {json.dumps(expected)}"
    return None


def test_scoring_js_matches_vectors_in_chromium(server, pages):
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))
    assert len(vectors) >= 40
    page = pages.new()
    # Any page of the origin will do: the module is imported from the server like the app does.
    page.goto(server.origin + "/", wait_until="domcontentloaded", timeout=WAIT_MS)
    forms = [("full", lambda c: c), ("defaults left out", without_defaults)]
    cases, labels = [], []
    for vector in vectors:
        for form, shape in forms:
            cases.append([shape(vector["checklist"]), vector["answers"], vector["zone_kind"]])
            labels.append((vector, form))
    results = page.evaluate(RUN_JS, cases)
    assert len(results) == len(cases)
    mismatches = []
    for (vector, form), outcome in zip(labels, results, strict=True):
        if "error" in outcome:
            mismatches.append(f"{vector['name']} ({form}): threw {outcome['error']}")
            continue
        found = difference(outcome["result"], vector["expected"])
        if found:
            mismatches.append(f"{vector['name']} ({form}): {found}")
    assert not mismatches, f"{len(mismatches)} of {len(cases)} runs differ:\n  " + "\n  ".join(
        mismatches
    )


RULES = Path(__file__).resolve().parents[1] / "vectors" / "rules.json"
PHOTO_DEFAULTS = {"required": False, "required_if_fail": False, "max": 5}
RULE_ITEM_DEFAULTS = {**ITEM_DEFAULTS, "required": None, "fail_below": None}


def lean_checklist(checklist: dict) -> dict:
    """`without_defaults`, keeping what the answer rules read: only default values go."""
    out = without_defaults(checklist)
    for section, full in zip(out["sections"], checklist["sections"], strict=True):
        section["items"] = []
        for item in full["items"]:
            small = _strip(item, RULE_ITEM_DEFAULTS)
            photo = _strip(item.get("photo") or {}, PHOTO_DEFAULTS)
            small.pop("photo", None)
            if photo:
                small["photo"] = photo
            section["items"].append(small)
    return out


SUBJECT_DEFAULTS = {"required": False, "pattern": None, "options": None, "help": None}


def lean_subject_checklist(checklist: dict) -> dict:
    """`lean_checklist`, with each subject field's default values left out too."""
    out = lean_checklist(checklist)
    if checklist.get("subject"):
        out["subject"] = []
        for field in checklist["subject"]:
            small = _strip(field, SUBJECT_DEFAULTS)
            if small.get("options"):
                small["options"] = [_strip(o, {"fail": False}) for o in small["options"]]
            out["subject"].append(small)
    return out


RUN_RULES_JS = """
async (vectors) => {
  const {dueIds, failingItems, subjectErrors, subjectMissing, submitGaps} =
    await import('/js/rules.js');
  const submit = vectors.submit.map((v) => ({
    missing: submitGaps(v.checklist, v.answers, v.zone_kind),
    fails: failingItems(v.checklist, v.answers, v.zone_kind),
  }));
  const subject = vectors.subject.map((v) => {
    const known = new Set(v.staff);
    return {
      errors: subjectErrors(v.checklist, v.subject, (id) => known.has(id))
        .map((e) => [e.path, e.code]),
      missing: subjectMissing(v.checklist, v.subject).map((e) => e.path),
    };
  });
  const due = vectors.due.map((v) => dueIds(v.checklists, v.audits, v.now, v.offset_minutes));
  return {submit, subject, due};
}
"""


def test_rules_js_matches_vectors_in_chromium(server, pages):
    """What a submit lacks, what fails, which subject values are refused and what is due, as the
    tablet's rules.js says in Chromium (each vector's checklist also with its defaults left
    out)."""
    vectors = json.loads(RULES.read_text(encoding="utf-8"))
    lean = [{**v, "checklist": lean_checklist(v["checklist"])} for v in vectors["submit"]]
    lean_subject = [{**v, "checklist": lean_subject_checklist(v["checklist"])}
                    for v in vectors["subject"]]  # fmt: skip
    page = pages.new()
    page.goto(server.origin + "/", wait_until="domcontentloaded", timeout=WAIT_MS)
    mismatches = []
    forms = (
        ("full", vectors["submit"], vectors["subject"]),
        ("defaults left out", lean, lean_subject),
    )
    for form, submit, subject in forms:
        sent = {"submit": submit, "subject": subject, "due": vectors["due"]}
        got = page.evaluate(RUN_RULES_JS, sent)
        for vector, result in zip(submit, got["submit"], strict=True):
            if result != vector["expected"]:
                mismatches.append(f"submit {vector['name']} ({form}): {result}")
        for vector, result in zip(subject, got["subject"], strict=True):
            if result != vector["expected"]:
                mismatches.append(f"subject {vector['name']} ({form}): {result}")
        for vector, result in zip(vectors["due"], got["due"], strict=True):
            if result != vector["expected"]:
                mismatches.append(f"due {vector['name']}: {result}")
    assert not mismatches, "\n".join(mismatches)
