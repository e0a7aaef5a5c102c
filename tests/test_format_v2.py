"""The format additions for version 2 packs: red lines at the worst levels, N/A with a reason,
evidence for every deduction, equal section weighting and subject fields (what an audit is
about besides its zone), each misuse named at validation or on upload."""

from __future__ import annotations

import shutil
import uuid

import pytest
import yaml
from litestar.testing import TestClient
from test_checklist_format import ITEM0, item, refused, text, valid, write

from conftest import CHECKLISTS, iso_ago, token_headers
from server.app import create_app
from server.checklists.answers import submit_errors
from server.checklists.format import Checklist
from server.checklists.scoring import Answer, score_audit
from server.core.settings import Settings
from server.ops.demo import ZONES

# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        ({"critical_below": 5}, "critical_below", "above max"),
        ({"critical_below": 3}, "critical_below", "fail level"),
        ({"critical_below": 1, "critical": True}, "critical_below", "one or the other"),
        ({"critical_below": 0}, "critical_below", ">"),
        ({"note_required_if_na": True}, "note_required_if_na", "na_allowed"),
    ],
)
def test_misused_item_fields_are_named(tmp_path, change, where, says):
    data = valid()
    item(data).update(change)
    assert says in refused(write(tmp_path, data), f"{ITEM0}.{where}").message


def test_critical_below_belongs_to_score_items(tmp_path):
    data = valid()
    item(data, 2)["critical_below"] = 1
    refused(write(tmp_path, data), "$.sections[0].items[2].critical_below")


def subject_field(**changes) -> dict:
    return {"id": "vin", "label": text("车架号", "VIN"), "type": "text", **changes}


@pytest.mark.parametrize(
    ("field", "where", "says"),
    [
        (subject_field(pattern="[A-Z"), "$.subject[0].pattern", "regular expression"),
        (subject_field(pattern="(?P<x>a)"), "$.subject[0].pattern", "JavaScript"),
        (subject_field(pattern="(?i)abc"), "$.subject[0].pattern", "JavaScript"),
        (subject_field(type="number", pattern="1"), "$.subject[0].pattern", "text fields"),
        (subject_field(type="colour"), "$.subject[0].type", "colour"),
        (subject_field(type="choice"), "$.subject[0].options", "option"),
    ],
)
def test_misused_subject_fields_are_named(tmp_path, field, where, says):
    data = valid()
    data["subject"] = [field]
    assert says in refused(write(tmp_path, data), where).message


def test_subject_ids_are_unique(tmp_path):
    data = valid()
    data["subject"] = [subject_field(), subject_field()]
    refused(write(tmp_path, data), "$.subject[1].id")


# --------------------------------------------------------------------------- scoring


def workshop(**changes) -> Checklist:
    """Safety with a bare-wire item that is a red line only at 0, and nine ordinary items."""
    import msgspec

    items = [{"id": f"i{n}", "type": "score", "label": text("项", "Item")} for n in range(9)] + [
        {"id": "wire", "type": "score", "label": text("电线", "Wires"), "critical_below": 1}
    ]
    data = {
        "id": "t",
        "version": 1,
        "title": text("测", "T"),
        "critical_fail": {"scope": "total", "cap": 59},
        "sections": [{"id": "safety", "title": text("安全", "Safety"), "items": items}],
        **changes,
    }
    return msgspec.convert(data, Checklist)


def answers(**values) -> dict:
    base = {f"i{n}": Answer(value=4) for n in range(9)}
    return base | {k: Answer(value=v) for k, v in values.items()}


def test_a_live_bare_wire_is_a_red_line_and_a_one_is_an_ordinary_fail():
    checklist = workshop()
    bare = score_audit(checklist, answers(wire=0))
    assert (bare.percent, bare.capped_by) == (59.0, ["wire"])
    poor = score_audit(checklist, answers(wire=1))
    assert (poor.percent, poor.capped_by) == (92.5, [])


def test_equal_weighting_makes_each_section_count_the_same():
    import msgspec

    sections = [
        {
            "id": "big",
            "title": text("大", "Big"),
            "items": [
                {"id": f"b{n}", "type": "pass_fail", "label": text("b", "b")} for n in range(9)
            ],
        },
        {
            "id": "small",
            "title": text("小", "Small"),
            "items": [{"id": "s0", "type": "pass_fail", "label": text("s", "s")}],
        },
    ]
    base = {"id": "t", "version": 1, "title": text("测", "T"), "sections": sections}
    given = {f"b{n}": Answer(value="pass") for n in range(9)} | {"s0": Answer(value="fail")}
    by_items = score_audit(msgspec.convert(base, Checklist), given)
    equal = score_audit(msgspec.convert({**base, "section_weighting": "equal"}, Checklist), given)
    assert (by_items.percent, equal.percent) == (90.0, 50.0)


# --------------------------------------------------------------------------- submit rules


def test_na_needs_its_reason_and_every_deduction_its_evidence():
    import msgspec

    items = [
        {"id": "lift", "type": "score", "label": text("举升机", "Lift"), "na_allowed": True,
         "note_required_if_na": True},
        {"id": "floor", "type": "score", "label": text("地面", "Floor")},
    ]  # fmt: skip
    data = {
        "id": "t",
        "version": 1,
        "title": text("测", "T"),
        "evidence_below_max": True,
        "sections": [{"id": "s", "title": text("一", "One"), "items": items}],
    }
    checklist = msgspec.convert(data, Checklist)

    def paths(**given) -> list[str]:
        return [e["path"] for e in submit_errors(checklist, given, None)]

    assert paths(lift=Answer(value="na"), floor=Answer(value=4)) == ["$.answers.lift.note"]
    assert paths(lift=Answer(value="na", note="本区无举升机"), floor=Answer(value=4)) == []
    assert paths(lift=Answer(value=4), floor=Answer(value=3)) == ["$.answers.floor.note"]
    assert paths(lift=Answer(value=4), floor=Answer(value=3, note="两处油渍")) == []
    assert paths(lift=Answer(value=4), floor=Answer(value=2, photos=["a" * 64])) == []


# --------------------------------------------------------------------------- subject on upload

HANDOVER = {
    "id": "test-handover",
    "version": 1,
    "title": text("交车", "Handover"),
    "appraisal": False,
    "subject": [
        {"id": "vin", "label": text("车架号", "VIN"), "type": "text",
         "pattern": "[A-HJ-NPR-Z0-9]{17}", "required": True},
        {"id": "consultant", "label": text("销售顾问", "Sales consultant"), "type": "staff",
         "required": True},
        {"id": "delivered", "label": text("交车日期", "Delivery date"), "type": "date"},
        {"id": "channel", "label": text("渠道", "Channel"), "type": "choice",
         "options": [{"id": "walk-in", "label": text("到店", "Walk-in")}]},
    ],
    "sections": [
        {"id": "s", "title": text("一", "One"),
         "items": [{"id": "keys", "type": "pass_fail", "label": text("钥匙", "Keys")}]},
    ],
}  # fmt: skip


@pytest.fixture
def handover(tmp_path):
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS, folder, ignore=shutil.ignore_patterns("*.md"))
    (folder / "test-handover.yaml").write_text(yaml.safe_dump(HANDOVER, allow_unicode=True))
    settings = Settings(
        data_dir=tmp_path / "data", checklists_dir=folder, demo=True, password_cost="test"
    )
    app = create_app(settings)
    with TestClient(app=app) as client:
        admin = token_headers(app, "admin")
        showroom = next(z for z in ZONES if z[0] == "hq-showroom")
        used = [*showroom[-1], "test-handover"]
        changed = client.patch(
            "/api/zones/hq-showroom", json={"checklist_ids": used}, headers=admin
        )
        assert changed.status_code == 200, changed.text
        yield client, token_headers(app, "officer"), token_headers(app, "supervisor")
    app.state.store.close()


def handover_body(status="submitted", **subject) -> dict:
    return {
        "checklist_id": "test-handover",
        "checklist_version": 1,
        "zone_id": "hq-showroom",
        "started_at": iso_ago(minutes=30),
        "submitted_at": iso_ago(minutes=5) if status == "submitted" else None,
        "status": status,
        "answers": {"keys": {"value": "pass"}},
        "subject": subject,
    }


GOOD = {"vin": "LSVAU2180N2123456", "consultant": "s-chen", "delivered": "2026-11-30"}


@pytest.mark.parametrize(
    ("subject", "where"),
    [
        ({**GOOD, "vin": "LSVAU2180N212345O"}, "$.subject.vin"),  # an O is never in a VIN
        ({**GOOD, "consultant": "s-nobody"}, "$.subject.consultant"),
        ({**GOOD, "delivered": "2026-02-30"}, "$.subject.delivered"),
        ({**GOOD, "channel": "phone"}, "$.subject.channel"),
        ({**GOOD, "colour": "red"}, "$.subject.colour"),
        ({**GOOD, "vin": 12345}, "$.subject.vin"),
    ],
)
def test_bad_subject_values_are_named_even_on_a_draft(handover, subject, where):
    client, officer, _ = handover
    for status in ("draft", "submitted"):
        body = handover_body(status, **subject)
        response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=officer)
        assert response.status_code == 422, response.text
        assert where in [e["path"] for e in response.json()["errors"]]


def test_a_required_subject_is_needed_only_to_submit(handover):
    client, officer, _ = handover
    draft = handover_body("draft", vin="LSVAU2180N2123456")
    assert client.put(f"/api/audits/{uuid.uuid4()}", json=draft, headers=officer).status_code == 201
    submitted = handover_body(vin="LSVAU2180N2123456")
    refused = client.put(f"/api/audits/{uuid.uuid4()}", json=submitted, headers=officer)
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == ["$.subject.consultant"]


def test_the_subject_is_stored_and_a_replay_is_still_a_replay(handover):
    client, officer, _ = handover
    audit_id = str(uuid.uuid4())
    body = handover_body(**GOOD)
    made = client.put(f"/api/audits/{audit_id}", json=body, headers=officer)
    assert made.status_code == 201, made.text
    again = client.put(f"/api/audits/{audit_id}", json=body, headers=officer)
    assert (again.status_code, again.json()["revision"]) == (200, 1)
    assert client.get(f"/api/audits/{audit_id}", headers=officer).json()["subject"] == GOOD


def test_a_checklist_that_says_appraisal_false_counts_nowhere_in_it(handover):
    client, officer, supervisor = handover
    audit_id = str(uuid.uuid4())
    made = client.put(f"/api/audits/{audit_id}", json=handover_body(**GOOD), headers=officer)
    assert made.status_code == 201, made.text
    approve = {"decision": "approve"}
    reviewed = client.post(f"/api/audits/{audit_id}/review", json=approve, headers=supervisor)
    assert reviewed.status_code == 200, reviewed.text
    month = made.json()["month"]
    rows = client.get(f"/api/appraisal?month={month}", headers=supervisor).json()["rows"]
    assert all(audit_id not in row["audit_ids"] for row in rows)
