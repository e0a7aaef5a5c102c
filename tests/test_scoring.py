"""Example tests for server/checklists/scoring.py: one rule per test, numbers worked out by hand."""

import msgspec
import pytest

from server.checklists.loader import checklist_from_data
from server.checklists.scoring import Answer, is_fail, item_points, score_audit

BANDS = [
    {"min": 90, "label": {"zh": "优秀", "en": "Excellent"}, "color": "#2e7d32"},
    {"min": 75, "label": {"zh": "良好", "en": "Good"}},
    {"min": 0, "label": {"zh": "需改进", "en": "Needs work"}},
]


def T(s):
    return {"zh": s, "en": s}


def item(id, type="score", **fields):
    return {"id": id, "label": T(id), "type": type, **fields}


def options(*scores, fail=()):
    return [
        {"id": f"o{i}", "label": T(f"o{i}"), "score": s, "fail": f"o{i}" in fail}
        for i, s in enumerate(scores)
    ]


def make(*sections, **fields):
    """Sections given as lists of items (weight 1) or (weight, items) pairs."""
    data = {"id": "t", "version": 1, "title": T("t"), "bands": BANDS, **fields, "sections": []}
    for n, s in enumerate(sections):
        weight, items = s if isinstance(s, tuple) else (1, s)
        data["sections"].append({"id": f"s{n}", "title": T("s"), "items": items, "weight": weight})
    return checklist_from_data(data)


def score(checklist, zone_kind=None, **values):
    return score_audit(checklist, {k: Answer(value=v) for k, v in values.items()}, zone_kind)


def the_item(**fields):
    return make([item("x", **fields)]).sections[0].items[0]


def test_json_contract_shape():
    result = score(make([item("a")], [item("b")]), a=4, b=2)
    assert msgspec.json.decode(msgspec.json.encode(result)) == {
        "percent": 75.0,
        "earned": 1.5,
        "possible": 2.0,
        "band": {"zh": "良好", "en": "Good", "min": 75.0, "color": None},
        "sections": {
            "s0": {"percent": 100.0, "earned": 1.0, "possible": 1.0},
            "s1": {"percent": 50.0, "earned": 0.5, "possible": 1.0},
        },
        "capped_by": [],
    }


def test_answer_defaults_and_unknown_fields():
    assert msgspec.json.decode(b"{}", type=Answer) == Answer(value=None, note="", photos=[])
    assert Answer().photos is not Answer().photos
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"value": 1, "extra": 2}', type=Answer)


def test_all_max_is_100_and_all_zero_is_0():
    checklist = make([item("a"), item("p", "pass_fail"), item("n", "number", min=1, max=2)])
    assert score(checklist, a=4, p="pass", n=1.5).percent == 100.0
    assert score(checklist, a=0, p="fail", n=3).percent == 0.0


def test_item_weights():
    checklist = make([item("a", weight=3), item("b", weight=1), item("z", weight=0)])
    result = score(checklist, a=4, b=0, z=0)
    assert (result.percent, result.earned, result.possible) == (75.0, 3.0, 4.0)


def test_section_weights_multiply_earned_and_possible():
    checklist = make((3, [item("a")]), (1, [item("b"), item("c")]), (0, [item("d")]))
    result = score(checklist, a=0, b=4, c=4, d=4)
    assert (result.earned, result.possible, result.percent) == (2.0, 5.0, 40.0)
    assert result.sections["s0"].percent == 0.0  # sections report their own, unweighted score
    assert result.sections["s2"].percent == 100.0


def test_na_and_unanswered_are_out_of_the_denominator():
    checklist = make([item("a", na_allowed=True), item("b"), item("c")])
    result = score(checklist, a="na", b=3)
    assert (result.percent, result.possible) == (75.0, 1.0)


def test_all_na_has_no_percent_and_no_band():
    checklist = make([item("a", na_allowed=True)], [item("b", "pass_fail", na_allowed=True)])
    result = score(checklist, a="na", b="na")
    assert (result.percent, result.band, result.earned, result.possible) == (None, None, 0, 0)
    assert result.sections["s0"].percent is None


def test_invalid_values_count_as_unanswered():
    checklist = make(
        [
            item("a"),
            item("p", "pass_fail"),
            item("n", "number", max=5),
            item("c", "choice", options=options(1)),
            item("b"),
        ]
    )
    result = score(checklist, a=9, p="yes", n="3", c="o7", b=2)
    assert (result.percent, result.possible) == (50.0, 1.0)
    assert score(checklist, a=True).possible == 0  # bools are not numbers


def test_number_range_is_inclusive_and_open_ended():
    closed = the_item(type="number", min=2, max=8)
    assert [is_fail(closed, v) for v in (1.99, 2, 8, 8.01)] == [True, False, False, True]
    open_top = the_item(type="number", min=0)
    assert not is_fail(open_top, 1e12) and is_fail(open_top, -1)
    assert item_points(closed, 9) == (0.0, 1)
    assert item_points(closed, 5) == (1, 1)


def test_choice_scores_relative_to_the_best_option():
    choice = the_item(type="choice", weight=2, options=options(0, None, 1, 4))
    assert [item_points(choice, f"o{i}") for i in range(4)] == [
        (0.0, 2),
        (0.0, 2),
        (0.5, 2),
        (2.0, 2),
    ]
    assert item_points(the_item(type="choice", options=options(None, None)), "o0") is None
    assert item_points(the_item(type="choice", options=options(0, 0)), "o0") is None


def test_is_fail_rules():
    score_item = the_item(max=5, fail_below=3)
    assert [is_fail(score_item, v) for v in (0, 2.9, 3, 5)] == [True, True, False, False]
    default = the_item()  # fail below 4 / 2
    assert is_fail(default, 1) and not is_fail(default, 2)
    assert is_fail(the_item(type="pass_fail"), "fail")
    assert not is_fail(the_item(type="pass_fail"), "pass")
    assert is_fail(the_item(type="choice", options=options(None, fail=("o0",))), "o0")
    for value in (None, "na"):
        assert not is_fail(default, value)
    assert not is_fail(the_item(type="text"), "anything")
    assert not is_fail(the_item(type="photo"), None)


def test_text_and_photo_are_unscored():
    assert item_points(the_item(type="text"), "clean") is None
    assert item_points(the_item(type="photo"), None) is None


def test_critical_fail_caps_the_total():
    items = [item("a", critical=True), item("b"), item("c")]
    assert score(make(items), a=1, b=4, c=4).percent == 0.0
    capped = score(make(items, critical_fail={"cap": 50}), a=1, b=4, c=4)
    assert (capped.percent, capped.capped_by) == (50.0, ["a"])
    assert capped.sections["s0"].percent == 75.0  # total scope leaves sections alone
    below_cap = score(make(items, critical_fail={"cap": 50}), a=1, b=0, c=0)
    assert below_cap.percent == 8.3


def test_critical_fail_caps_its_section():
    checklist = make(
        [item("a", critical=True), item("b")],
        [item("c")],
        critical_fail={"scope": "section", "cap": 20},
    )
    result = score(checklist, a=0, b=4, c=4)
    assert result.sections["s0"].percent == 20.0
    assert (result.earned, result.percent) == (1.4, 46.7)  # 0.4 + 1 of 3


def test_critical_not_failed_when_na_unanswered_or_passing():
    checklist = make([item("a", critical=True, na_allowed=True), item("b")])
    for values in ({"a": "na"}, {}, {"a": 2}):
        assert score(checklist, b=4, **values).capped_by == []


def test_zone_kinds_exclude_items_including_critical_ones():
    checklist = make(
        [item("a", zone_kinds=["line"], critical=True), item("b", zone_kinds=["office"])],
        zone_kinds=["line", "office"],
    )
    office = score(checklist, zone_kind="office", a=0, b=3)
    assert (office.percent, office.capped_by) == (75.0, [])
    anywhere = score(checklist, a=0, b=3)  # no zone kind given: everything applies
    assert (anywhere.percent, anywhere.capped_by) == (0.0, ["a"])


@pytest.mark.parametrize(
    ("passed", "failed", "percent", "band"),
    [
        (89.95, 10.05, 90.0, "Excellent"),
        (89.94, 10.06, 89.9, "Good"),
        (75, 25, 75.0, "Good"),
        (74.96, 25.04, 75.0, "Good"),
        (74.94, 25.06, 74.9, "Needs work"),
        (0, 1, 0.0, "Needs work"),
    ],
)
def test_bands_use_the_rounded_percent(passed, failed, percent, band):
    checklist = make([item("a", "pass_fail", weight=passed), item("b", "pass_fail", weight=failed)])
    result = score(checklist, a="pass", b="fail")
    assert result.percent == percent
    assert result.band.en == band


def test_no_band_when_none_reached():
    checklist = make([item("a")], bands=[{"min": 50, "label": T("ok")}])
    assert score(checklist, a=1).band is None
    expected = {"zh": "ok", "en": "ok", "min": 50.0, "color": None}
    assert msgspec.to_builtins(score(checklist, a=2).band) == expected


def test_rounding_is_half_up_on_doubles():
    thirds = make([item("a", max=3)])
    assert score(thirds, a=1).percent == 33.3
    assert score(thirds, a=2).percent == 66.7
    eighth = score(make([item("a", max=8)]), a=1)
    assert (eighth.percent, eighth.earned) == (12.5, 0.13)
