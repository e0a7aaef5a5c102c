"""Properties of score_audit over random checklists and answers (hypothesis)."""

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from server.checklists.format import Checklist, Item
from server.checklists.loader import checklist_from_data
from server.checklists.scoring import Answer, is_fail, score_audit

KINDS = ["line", "office", "store"]
TYPES = ["score", "pass_fail", "number", "choice", "text", "photo"]
WEIGHTS = st.sampled_from([0, 1, 1, 2, 0.5, 1 / 3, 1 / 7, 7.25, 100])
TEXT = {"zh": "项", "en": "item"}
INVALID = ["bad", -1, 11, "o9", True, float("nan"), 10**400]

FAST = settings(max_examples=200, deadline=None)


@st.composite
def items(draw, item_id: str) -> dict:
    type_ = draw(st.sampled_from(TYPES))
    data = {"id": item_id, "label": TEXT, "type": type_, "weight": draw(WEIGHTS)}
    data["na_allowed"] = draw(st.booleans())
    data["zone_kinds"] = draw(st.none() | st.lists(st.sampled_from(KINDS), min_size=1, unique=True))
    if type_ in ("score", "pass_fail", "number", "choice"):
        data["critical"] = draw(st.booleans())
    if type_ == "score":
        data["max"] = draw(st.none() | st.integers(1, 10))
        levels = data["max"] or 4
        data["fail_below"] = draw(st.none() | st.integers(0, levels) | st.just(levels / 3))
    elif type_ == "number":
        low, high = sorted(draw(st.lists(st.integers(-50, 50), min_size=2, max_size=2)))
        data.update(draw(st.sampled_from([{"min": low, "max": high}, {"min": low}, {"max": high}])))
    elif type_ == "choice":
        scores = draw(st.lists(st.none() | st.sampled_from([0, 1, 2.5, 5]), min_size=1, max_size=4))
        data["options"] = [
            {"id": f"o{k}", "label": TEXT, "score": s, "fail": draw(st.booleans())}
            for k, s in enumerate(scores)
        ]
    return data


@st.composite
def checklists(draw) -> Checklist:
    sections = []
    for s in range(draw(st.integers(1, 3))):
        count = draw(st.integers(1, 5))
        section_items = [draw(items(f"s{s}i{i}")) for i in range(count)]
        sections.append(
            {"id": f"s{s}", "title": TEXT, "items": section_items, "weight": draw(WEIGHTS)}
        )
    rule = {"scope": draw(st.sampled_from(["total", "section"])), "cap": draw(st.integers(0, 100))}
    data = {"id": "t", "version": 1, "title": TEXT, "sections": sections, "critical_fail": rule}
    data["zone_kinds"] = KINDS
    data["bands"] = [{"min": 90, "label": TEXT}, {"min": 50, "label": TEXT}]
    return checklist_from_data(data)


def valid_values(item: Item) -> st.SearchStrategy:
    if item.type == "score":
        return st.integers(0, item.levels) | st.floats(0, item.levels)
    if item.type == "pass_fail":
        return st.sampled_from(["pass", "fail"])
    if item.type == "number":
        return st.integers(-60, 60) | st.floats(-60, 60)
    if item.type == "choice":
        return st.sampled_from([o.id for o in item.options])
    return st.just("a note") if item.type == "text" else st.none()


@st.composite
def audits(draw):
    checklist = draw(checklists())
    answers = {}
    for item in checklist.items():
        # Mostly real answers, so that most audits have a percent to check.
        kind = draw(st.sampled_from(["valid", "valid", "valid", "none", "na", "invalid"]))
        if kind == "valid":
            value = draw(valid_values(item))
        else:
            value = draw(st.sampled_from({"none": [None], "na": ["na"]}.get(kind) or INVALID))
        if draw(st.booleans()) or value is not None:
            answers[item.id] = Answer(value=value)
    zone_kind = draw(st.none() | st.sampled_from(KINDS))
    return checklist, answers, zone_kind


def best_value(item: Item):
    if item.type == "score":
        return item.levels
    if item.type == "pass_fail":
        return "pass"
    if item.type == "number":
        return item.min if item.min is not None else item.max
    if item.type == "choice":
        return max(item.options, key=lambda o: o.score or 0).id
    return None


def raised(item: Item, value, data):
    """A value at least as good as `value` for the score, never turning a pass into a fail."""
    if item.type == "score":
        return data.draw(st.floats(value, item.levels) | st.just(item.levels))
    if item.type == "pass_fail":
        return "pass"
    if item.type == "number":
        return best_value(item)
    current = next(o for o in item.options if o.id == value).score or 0
    better = [o.id for o in item.options if not o.fail and (o.score or 0) >= current]
    return data.draw(st.sampled_from(better)) if better else value


def is_number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return abs(value) < 1e300 and value == value  # finite, and not NaN


def answered(checklist, answers):
    """Items with a valid scored answer."""
    valid = []
    for item in checklist.items():
        value = answers[item.id].value if item.id in answers else None
        if item.type == "score":
            ok = is_number(value) and 0 <= value <= item.levels
        elif item.type == "number":
            ok = is_number(value)
        elif item.type == "pass_fail":
            ok = value in ("pass", "fail")
        elif item.type == "choice":
            ok = value in [o.id for o in item.options]
        else:
            ok = False
        if ok:
            valid.append(item)
    return valid


@FAST
@given(audits())
def test_percent_in_range_and_earned_at_most_possible(audit):
    result = score_audit(*audit)
    for part in [result, *result.sections.values()]:
        assert part.percent is None or 0 <= part.percent <= 100
        assert 0 <= part.earned <= part.possible
    assert (result.band is None) or result.percent is not None
    msgspec.json.encode(result)  # always encodable


@FAST
@given(audits(), st.data())
def test_na_is_the_same_as_no_answer(audit, data):
    checklist, answers, zone_kind = audit
    item = data.draw(st.sampled_from(list(checklist.items())))
    with_na = {**answers, item.id: Answer(value="na")}
    without = {k: v for k, v in answers.items() if k != item.id}
    assert score_audit(checklist, with_na, zone_kind) == score_audit(checklist, without, zone_kind)


@FAST
@given(checklists(), st.none() | st.sampled_from(KINDS))
def test_best_answers_score_100(checklist, zone_kind):
    answers = {item.id: Answer(value=best_value(item)) for item in checklist.items()}
    result = score_audit(checklist, answers, zone_kind)
    if result.percent is not None and not result.capped_by:
        assert result.percent == 100.0
        assert all(s.percent in (None, 100.0) for s in result.sections.values())


@FAST
@given(audits(), st.data())
def test_raising_one_answer_never_lowers_the_percent(audit, data):
    checklist, answers, zone_kind = audit
    candidates = answered(checklist, answers)
    if not candidates:
        return
    item = data.draw(st.sampled_from(candidates))
    value = answers[item.id].value
    new_value = raised(item, value, data)
    assert is_fail(item, new_value) <= is_fail(item, value)
    before = score_audit(checklist, answers, zone_kind)
    after = score_audit(checklist, {**answers, item.id: Answer(value=new_value)}, zone_kind)
    assert after.possible == before.possible
    assert after.earned >= before.earned
    if before.percent is not None:
        assert after.percent >= before.percent
