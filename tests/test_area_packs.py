"""What the area packs of issue 11 (service reception, NEV high-voltage bay, body and paint,
stock yard, service delivery) promise: read from the shipped files, so a later version that
breaks a promise fails here."""

import re
from pathlib import Path

import pytest

from conftest import best_value
from server.checklists.answers import submit_errors
from server.checklists.loader import load_file
from server.checklists.scoring import Answer, is_fail, is_red_line, score_audit

FOLDER = Path(__file__).parent.parent / "checklists"
# id: (the one zone kind it is written for, whether it counts in the appraisal)
AREA_PACKS = {
    "service-reception": ("reception", True),
    "nev-hv-bay": ("workshop", True),
    "body-paint": ("bodyshop", True),
    "stock-yard": ("yard", True),
    "service-delivery": ("reception", False),
}
LADDER = (
    "0处=4分，1处=3分，2–3处=2分，4–5处=1分",
    "none = 4, one = 3, two or three = 2, four or five = 1",
)


def load(checklist_id: str):
    return load_file(FOLDER / f"{checklist_id}.yaml")


def worst(item):
    if item.type == "score":
        return 0
    if item.type == "number":
        return (item.max if item.max is not None else item.min) + 1
    return "fail"


@pytest.mark.parametrize("checklist_id", AREA_PACKS)
def test_written_for_its_kind_with_cadence_and_evidence_when_it_counts(checklist_id):
    kind, counts = AREA_PACKS[checklist_id]
    checklist = load(checklist_id)
    assert checklist.zone_kinds == [kind]
    assert checklist.appraisal is counts
    assert checklist.evidence_below_max is counts  # 扣分必有依据 wherever it is appraised
    assert checklist.due_every_days == (7 if counts else None)  # a delivery: when it happens
    assert all(section.description for section in checklist.sections)
    assert 12 <= len(list(checklist.items())) <= 30


@pytest.mark.parametrize("checklist_id", AREA_PACKS)
def test_every_score_counts_on_the_one_ladder_and_every_na_is_explained(checklist_id):
    for item in load(checklist_id).items():
        if item.type == "score":
            assert LADDER[0] in item.help.zh and LADDER[1] in item.help.en, item.id
        if item.na_allowed:
            assert item.note_required_if_na, item.id
            assert "不适用仅限" in item.help.zh and "N/A only" in item.help.en, item.id


@pytest.mark.parametrize("checklist_id", AREA_PACKS)
def test_each_red_line_alone_caps_the_audit(checklist_id):
    kind, _ = AREA_PACKS[checklist_id]
    checklist = load(checklist_id)
    red = [i for i in checklist.items() if i.critical or i.critical_below is not None]
    assert red, "every area pack has its red lines"
    perfect = {i.id: Answer(value=best_value(i)) for i in checklist.items()}
    assert score_audit(checklist, perfect, kind).percent == 100.0
    for item in red:
        assert item.critical_below in (None, 1), "a red line is the worst level only"
        answers = {**perfect, item.id: Answer(value=worst(item))}
        score = score_audit(checklist, answers, kind)
        assert is_red_line(item, worst(item)) and score.capped_by == [item.id], item.id
        assert score.percent <= checklist.critical_fail.cap, item.id
        if item.type == "score":  # a 1 is a deduction, not a red line
            assert not is_red_line(item, 1) and is_fail(item, 1), item.id


@pytest.mark.parametrize("checklist_id", [c for c, (_, counts) in AREA_PACKS.items() if counts])
def test_a_deduction_without_a_photo_or_note_is_not_submitted(checklist_id):
    kind, _ = AREA_PACKS[checklist_id]
    checklist = load(checklist_id)
    item = next(i for i in checklist.items() if i.type == "score" and i.critical_below is None)
    answers = {i.id: Answer(value=best_value(i)) for i in checklist.items()}
    answers[item.id] = Answer(value=3)
    assert [e["path"] for e in submit_errors(checklist, answers, kind)] == [
        f"$.answers.{item.id}.note"
    ]
    answers[item.id] = Answer(value=3, note="1处：预检工位1盏灯不亮")
    assert submit_errors(checklist, answers, kind) == []


def test_service_delivery_names_the_order_the_car_and_the_advisor():
    checklist = load("service-delivery")
    fields = {f.id: f for f in checklist.subject}
    assert all(f.required for f in fields.values())
    assert fields["advisor"].type == "staff"
    assert checklist.critical_fail.cap == 0  # a go / no-go for releasing the car
    order, car = fields["ro-number"].pattern, fields["vehicle"].pattern
    assert re.fullmatch(order, "RO2026112801") and not re.fullmatch(order, "ro-1")
    for good in ("粤B12345", "粤BD12345", "京A1234学", "LSVAU2180N2123456"):
        assert re.fullmatch(car, good), good
    for bad in ("粤b12345", "粤B1234", "LSVAU2180N212345", "LSVAU2180O2123456", "粤B 12345"):
        assert not re.fullmatch(car, bad), bad
