"""The content review's worked examples, scored on the version before and on version 2.

Each example is a workshop audit with every other item at its best, scored by the server's
scorer from the published files: the old version keeps its old (unfair) result, as a published
version must, and the new one gives the fair result the review asks for.
"""

from pathlib import Path

from conftest import best_value
from server.checklists.answers import answer_errors, submit_errors
from server.checklists.loader import load_file
from server.checklists.scoring import NA, Answer, score_audit

FOLDER = Path(__file__).parent.parent / "checklists"
SIX_S_V3 = load_file(FOLDER / "archive" / "6s-zone.v3.yaml")
SIX_S_V4 = load_file(FOLDER / "6s-zone.yaml")
KIND = "workshop"


def workshop(checklist, values: dict, rest=4) -> dict[str, Answer]:
    """An answer for every item of the workshop: `values` where given, else `rest`."""
    return {
        item.id: Answer(value=values.get(item.id, rest))
        for item in checklist.items()
        if item.applies_to(KIND)
    }


def scored(checklist, values: dict, rest=4) -> tuple[float, list[str]]:
    result = score_audit(checklist, workshop(checklist, values, rest), KIND)
    return result.percent, result.capped_by


def test_a_live_bare_wire_is_a_red_line_on_version_4():
    assert SIX_S_V4.version == 4 and SIX_S_V3.version == 3
    wire = {"safety-electrical": 0}
    assert scored(SIX_S_V3, wire) == (97.8, [])  # the review's complaint: 优 with a live wire
    assert scored(SIX_S_V4, wire) == (59.0, ["safety-electrical"])  # 差, capped
    # The red line is the worst level only: a 1 is a deduction, not a cap.
    percent, capped = scored(SIX_S_V4, {"safety-electrical": 1})
    assert capped == [] and 90 < percent < 100


def test_one_tired_extinguisher_caps_one_pack_not_three():
    """Content review b3: one extinguisher problem capped 6s-zone, facility-daily and
    facility-weekly in the same week. On version 2 the legal check is a red line in the
    weekly facility check only."""
    one = {"safety-extinguishers": 1}
    assert scored(SIX_S_V3, one) == (59.0, ["safety-extinguishers"])
    assert scored(SIX_S_V4, one) == (98.1, [])

    def facility(path: str, item_id: str) -> tuple[float, list[str]]:
        checklist = load_file(FOLDER / path)
        item = checklist.item_map()[item_id]
        worst = next(o.id for o in item.options if o.fail)
        answers = {}
        for each in checklist.items():
            if each.type in ("pass_fail", "choice", "number", "score"):
                answers[each.id] = Answer(value=best_value(each))
        answers[item_id] = Answer(value=worst)
        result = score_audit(checklist, answers, KIND)
        return result.percent, result.capped_by

    daily_before = facility("archive/facility-daily.v2.yaml", "extinguisher-gauge")
    daily_now = facility("facility-daily.yaml", "extinguisher-gauge")
    weekly_now = facility("facility-weekly.yaml", "extinguisher-validity")
    assert daily_before[1] == ["extinguisher-gauge"]  # v2 capped the daily check too
    assert daily_now == (81.8, [])  # a deduction in a 22-item check, no cap
    assert weekly_now[1] == ["extinguisher-validity"]  # the one place it is a red line


# The twelve workshop items of version 3 that allowed N/A with no reason (content review b2.4).
NA_ITEMS_V3 = [
    "sort-broken-idle", "sio-floor-lines", "sio-ws-vehicles", "shine-sources",
    "std-check-sheets", "std-previous-findings", "std-board", "std-ws-sop",
    "sus-morning-meeting", "sus-ws-vehicle-protection", "safety-fire-equipment",
    "safety-first-aid",
]  # fmt: skip


def test_na_no_longer_inflates_a_score_for_free():
    """Version 3: every other item at 3, these twelve at 1 gives 62.0; the same twelve marked
    N/A gives 75.0, and nothing asks why. Version 4: N/A is not offered where it meant the
    same as an anchor ("nothing to find", "there is none"), and every N/A left needs its
    written reason before the audit can be submitted, where the reviewer sees it."""
    at_one = {item_id: 1 for item_id in NA_ITEMS_V3}
    as_na = {item_id: NA for item_id in NA_ITEMS_V3}
    assert scored(SIX_S_V3, at_one, rest=3)[0] == 62.0
    assert scored(SIX_S_V3, as_na, rest=3)[0] == 75.0
    v3 = workshop(SIX_S_V3, as_na, rest=3)
    assert answer_errors(SIX_S_V3, v3, KIND) == [] and submit_errors(SIX_S_V3, v3, KIND) == []

    v4 = workshop(SIX_S_V4, as_na, rest=3)
    refused = {e["path"] for e in answer_errors(SIX_S_V4, v4, KIND)}
    # "No broken equipment" and "no source of dirt" are a 4 now, and a zone with no check
    # sheet at all is the 0 of std-check-sheets: never an N/A.
    assert refused == {
        f"$.answers.{i}.value" for i in ("sort-broken-idle", "shine-sources", "std-check-sheets")
    }
    allowed = [i for i in NA_ITEMS_V3 if SIX_S_V4.item_map()[i].na_allowed]
    still_na = {k: a for k, a in v4.items() if f"$.answers.{k}.value" not in refused}
    reasons = {
        e["path"]
        for e in submit_errors(SIX_S_V4, still_na, KIND)
        if e["path"].endswith(".note") and still_na[e["path"].split(".")[2]].value == NA
    }
    assert reasons == {f"$.answers.{i}.note" for i in allowed}
    for item_id in allowed:  # each N/A says what it means, apart from the 0's situation
        item = SIX_S_V4.item_map()[item_id]
        assert "不适用：" in item.help.zh and "N/A" in item.help.en, item_id
