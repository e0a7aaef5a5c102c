"""What the version 2 facility, receiving, red-tag and handover packs promise (issue 11).

Each rule is read from the shipped files, so a later version that breaks one fails here.
"""

from pathlib import Path

import pytest

from conftest import best_value
from server.checklists.answers import submit_errors
from server.checklists.loader import load_file
from server.checklists.scoring import Answer, is_red_line, score_audit

FOLDER = Path(__file__).parent.parent / "checklists"
REVISED = [
    "facility-daily",
    "facility-weekly",
    "goods-receiving",
    "red-tag-review",
    "vehicle-handover",
]


def load(checklist_id: str):
    return load_file(FOLDER / f"{checklist_id}.yaml")


def red_lines(checklist) -> set[str]:
    return {i.id for i in checklist.items() if i.critical or i.critical_below is not None}


@pytest.mark.parametrize("checklist_id", REVISED)
def test_every_na_has_a_meaning_and_needs_a_note(checklist_id):
    for item in load(checklist_id).items():
        if item.na_allowed:
            assert item.note_required_if_na, item.id
            assert "不适用" in item.help.zh and "N/A" in item.help.en, item.id


@pytest.mark.parametrize("checklist_id", REVISED)
def test_checklists_in_the_appraisal_need_evidence_for_every_deduction(checklist_id):
    checklist = load(checklist_id)
    assert checklist.evidence_below_max == checklist.appraisal


def test_only_facility_weekly_makes_extinguishers_a_red_line():
    assert "extinguisher-validity" in red_lines(load("facility-weekly"))
    assert "extinguisher-gauge" not in red_lines(load("facility-daily"))


def test_the_opening_self_check_caps_nothing():
    assert red_lines(load("facility-daily")) == set()


def test_temperatures_keep_the_national_limits():
    items = load("facility-daily").item_map()
    cooling, heating = items["room-temp-cooling"], items["room-temp-heating"]
    assert cooling.min >= 26 and heating.max <= 20
    assert cooling.na_allowed and heating.na_allowed  # the one out of season is N/A


def test_lights_are_counted_per_zone_on_the_ladder():
    item = load("facility-weekly").item_map()["zone-lights-out"]
    assert "lights-out" not in load("facility-weekly").item_map()
    assert item.type == "score" and item.levels == 4
    assert "本区域" in item.help.zh and "样本" in item.help.zh


def test_goods_receiving_scores_the_keeper_not_the_supplier():
    checklist = load("goods-receiving")
    supplier = next(s for s in checklist.sections if s.id == "supplier")
    assert supplier.weight == 0
    assert not red_lines(checklist) & {i.id for i in supplier.items}
    assert {f.id for f in checklist.subject if f.required} == {"supplier", "delivery-note-no"}
    # Every supplier fault recorded, the keeper's process perfect: the keeper scores 100.
    answers = {i.id: Answer(value=best_value(i)) for i in checklist.items()}
    for item_id in ("quantity-difference", "part-numbers", "no-damage"):
        answers[item_id] = Answer(value=3 if item_id == "quantity-difference" else "fail")
    score = score_audit(checklist, answers, "warehouse")
    assert score.percent == 100.0 and score.capped_by == []
    assert score.sections["supplier"].percent < 100


def test_handover_is_a_go_no_go_record_about_a_car_and_a_consultant():
    checklist = load("vehicle-handover")
    assert checklist.appraisal is False and checklist.critical_fail.cap == 0
    fields = {f.id: f for f in checklist.subject}
    assert fields["vin"].pattern == "[A-HJ-NPR-Z0-9]{17}" and fields["vin"].required
    assert fields["sales-consultant"].type == "staff"
    assert {"order-no", "customer"} <= set(fields)
    items = checklist.item_map()
    assert items["warranty-manual"].critical and items["explain-warranty-terms"].critical
    assert "keys" not in items and items["keys-as-factory"].type == "pass_fail"
    assert items["satisfaction"].weight == 0


def test_a_customer_who_declines_phone_pairing_is_not_a_no_go():
    checklist = load("vehicle-handover")
    item = checklist.item_map()["phone-pairing"]
    assert item.critical and not is_red_line(item, "na")
    answers = {i.id: Answer(value=best_value(i)) for i in checklist.items()}
    answers["customer-signature"] = Answer(photos=["a" * 64])
    answers["phone-pairing"] = Answer(value="na")
    errors = submit_errors(checklist, answers, "showroom")
    assert [e["path"] for e in errors] == ["$.answers.phone-pairing.note"]
    answers["phone-pairing"] = Answer(value="na", note="客户婉拒")
    assert score_audit(checklist, answers, "showroom").percent == 100.0


def test_an_old_red_tag_is_a_deduction_and_unlawful_waste_a_red_line():
    checklist = load("red-tag-review")
    assert checklist.due_every_days == 7
    assert red_lines(checklist) == {"hazardous-disposal"}
    shows = {i.id for i in checklist.items() if i.shows == "red_tags"}
    assert {"register-current", "oldest-tag-days"} <= shows
