"""checklists/appraisal.yaml: the shipped rules load, and each misuse is named by its field."""

import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import CHECKLISTS
from server.appraisal.rules import default_rules, parse_rules
from server.checklists.loader import ChecklistFileError, load_folder

PACKS = load_folder(CHECKLISTS).checklists
SHIPPED = yaml.safe_load((CHECKLISTS / "appraisal.yaml").read_text(encoding="utf-8"))


def parsed(changes: dict):
    data = {**SHIPPED, **changes}
    return parse_rules(yaml.safe_dump(data, allow_unicode=True).encode(), PACKS)


def test_the_shipped_rules_count_the_6s_audit_and_keep_self_checks_apart():
    rules = parsed({})
    assert rules.weights()["6s-zone"] > 0 and rules.min_audits >= 2
    assert "facility-daily" not in rules.weights() and "vehicle-handover" not in rules.weights()
    rates = {r.checklist: r for r in rules.rates}
    assert rates["vehicle-handover"].charge.subject == "sales-consultant"
    assert rates["facility-daily"].measure == "done"
    assert [g.label.zh for g in rules.grades] == ["优", "良", "中", "差"]


BAD = [
    ({"score": [{"checklist": "nope"}]}, "$.score[0].checklist", "no published checklist"),
    ({"score": [{"checklist": "vehicle-handover"}]}, "$.score[0].checklist", "appraisal: false"),
    ({"score": [{"checklist": "6s-zone"}, {"checklist": "6s-zone"}]}, "$.score[1]", "twice"),
    ({"score": [{"checklist": "6s-zone", "weight": 0}]}, "$.score[0].weight", ">"),
    ({"grades": [{"min": 50, "label": {"zh": "中", "en": "F"}, "coefficient": 1}]},
     "$.grades[0].min", "start at 0"),
    ({"grades": [{"min": 0, "label": {"zh": "差", "en": "P"}, "coefficient": 1},
                 {"min": 90, "label": {"zh": "优", "en": "E"}, "coefficient": 1}]},
     "$.grades", "highest"),
    ({"insufficient": {"rule": "guess"}}, "$.insufficient.rule", "guess"),
    ({"rates": [{"id": "x", "checklist": "goods-receiving", "measure": "done",
                 "label": {"zh": "收货", "en": "R"}}]}, "$.rates[0].measure", "due_every_days"),
    ({"rates": [{"id": "x", "checklist": "vehicle-handover", "measure": "go",
                 "label": {"zh": "交车", "en": "H"}, "charge": {"subject": "vin"}}]},
     "$.rates[0].charge.subject", "no staff subject field"),
    ({"rates": [{"id": "x", "checklist": "6s-zone", "measure": "mean",
                 "label": {"zh": "甲", "en": f"A{n}"}} for n in range(2)]},
     "$.rates[1].id", "twice"),
    ({"bonus": 1}, "$", "bonus"),
]  # fmt: skip


@pytest.mark.parametrize("changes,path,words", BAD, ids=[b[1] for b in BAD])
def test_each_misuse_is_named(changes, path, words):
    with pytest.raises(ChecklistFileError) as caught:
        parsed(changes)
    assert caught.value.path.startswith(path), str(caught.value)
    assert words in str(caught.value)


def test_without_the_file_every_counting_checklist_weighs_the_same():
    rules = default_rules(PACKS)
    newest = {c.id: c for c in sorted(PACKS, key=lambda c: c.version)}
    assert set(rules.weights()) == {c.id for c in newest.values() if c.appraisal}
    assert rules.min_audits == 1


def test_validate_and_serve_refuse_a_bad_rules_file(tmp_path):
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS, folder)
    bad = {**SHIPPED, "score": [{"checklist": "vehicle-handover"}]}
    (folder / "appraisal.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    env = {"GENBA_CHECKLISTS": str(folder), "PATH": "/usr/bin:/bin"}
    validate = subprocess.run(
        [sys.executable, "-m", "server", "checklists", "validate"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert validate.returncode == 1 and "$.score[0].checklist" in validate.stderr
    serve = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--data", str(tmp_path / "data"), "--port", "1"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert serve.returncode != 0 and "appraisal.yaml" in serve.stderr
