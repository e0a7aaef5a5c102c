"""Write tests/vectors/scoring.json: vectors shared by server/checklists/scoring.py and scoring.js.

Run `.venv/bin/python tests/make_vectors.py` after a deliberate change to the scoring rules and
review the diff; the JSON file is committed data and the tests never regenerate it.
Hand-written cases cover each rule and rounding edge; seeded random cases mix them.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec

from server.checklists.loader import checklist_from_data
from server.checklists.scoring import Answer, score_audit

OUT = Path(__file__).parent / "vectors" / "scoring.json"
BANDS = [
    {"min": 90, "label": {"zh": "优秀", "en": "Excellent"}, "color": "#2e7d32"},
    {"min": 75, "label": {"zh": "良好", "en": "Good"}, "color": "#f9a825"},
    {"min": 0, "label": {"zh": "需改进", "en": "Needs work"}},
]


def text(en: str) -> dict:
    return {"zh": f"{en}（中）", "en": en}


def item(id: str, type: str = "score", **fields) -> dict:
    return {"id": id, "label": text(id), "type": type, **fields}


def options(*scores, fail=()) -> list[dict]:
    """Options o0, o1, ... with the given scores (None = no score); `fail` lists failing ids."""
    return [
        {"id": f"o{i}", "label": text(f"o{i}"), "score": s, "fail": f"o{i}" in fail}
        for i, s in enumerate(scores)
    ]


def section(id: str, *items: dict, **fields) -> dict:
    return {"id": id, "title": text(id), "items": list(items), **fields}


def checklist(*sections: dict, **fields) -> dict:
    return {"id": "t", "version": 1, "title": text("t"), "sections": list(sections), **fields}


def one(*items: dict, **fields) -> dict:
    """A checklist of a single section, with the standard bands."""
    return checklist(section("s1", *items), bands=BANDS, **fields)


def pf(n: int, prefix: str = "p", **fields) -> list[dict]:
    return [item(f"{prefix}{i}", "pass_fail", **fields) for i in range(n)]


NUM = {"min": 2, "max": 8, "unit": "lx"}
ANCHORS = {k: text(f"level {k}") for k in range(11)}

# (name, checklist, zone_kind, answers as {item id: value})
CASES: list[tuple[str, dict, str | None, dict]] = [
    ("score_half", one(item("a"), item("b"), item("c")), None, {"a": 4, "b": 2, "c": 0}),
    ("score_all_max", one(item("a"), item("b")), None, {"a": 4, "b": 4}),
    ("score_all_zero", one(item("a"), item("b")), None, {"a": 0, "b": 0}),
    ("score_max_10_anchors", one(item("a", max=10, anchors=ANCHORS)), None, {"a": 7}),
    ("score_max_3_third", one(item("a", max=3)), None, {"a": 1}),
    ("score_max_3_two_thirds", one(item("a", max=3)), None, {"a": 2}),
    ("score_fractional_value", one(item("a"), item("b")), None, {"a": 2.5, "b": 3}),
    (
        "score_out_of_range_ignored",
        one(item("a"), item("b"), item("c")),
        None,
        {"a": 5, "b": -1, "c": 3},
    ),
    ("pass_fail_two_thirds", one(*pf(3)), None, {"p0": "pass", "p1": "pass", "p2": "fail"}),
    (
        "pass_fail_one_seventh",
        one(*pf(7)),
        None,
        {"p0": "pass", **{f"p{i}": "fail" for i in range(1, 7)}},
    ),
    (
        "number_range_both",
        one(*[item(f"n{i}", "number", **NUM) for i in range(5)]),
        None,
        {"n0": 2, "n1": 8, "n2": 5.5, "n3": 1.99, "n4": 8.01},
    ),
    (
        "number_open_bounds",
        one(item("lo", "number", min=0), item("hi", "number", max=0.5)),
        None,
        {"lo": 1e6, "hi": -3},
    ),
    (
        "number_open_bounds_fail",
        one(item("lo", "number", min=0), item("hi", "number", max=0.5)),
        None,
        {"lo": -0.1, "hi": 0.51},
    ),
    ("choice_scored", one(item("c", "choice", options=options(0, 1, 3))), None, {"c": "o1"}),
    ("choice_best", one(item("c", "choice", options=options(0, 1, 3))), None, {"c": "o2"}),
    (
        "choice_missing_score_is_zero",
        one(item("c", "choice", options=options(None, 2)), item("a")),
        None,
        {"c": "o0", "a": 4},
    ),
    (
        "choice_unscored_out",
        one(item("c", "choice", options=options(None, None)), item("a")),
        None,
        {"c": "o1", "a": 2},
    ),
    (
        "choice_all_zero_scores_out",
        one(item("c", "choice", options=options(0, 0)), item("a")),
        None,
        {"c": "o0", "a": 1},
    ),
    (
        "choice_unknown_option",
        one(item("c", "choice", options=options(1, 2)), item("a")),
        None,
        {"c": "o9", "a": 3},
    ),
    (
        "text_and_photo_unscored",
        one(item("t", "text"), item("ph", "photo"), item("a")),
        None,
        {"t": "tidy", "ph": None, "a": 1},
    ),
    (
        "item_weights",
        one(item("a", weight=1), item("b", weight=2), item("c", weight=3)),
        None,
        {"a": 4, "b": 2, "c": 0},
    ),
    ("item_weight_zero", one(item("a", weight=0), item("b")), None, {"a": 0, "b": 4}),
    (
        "fractional_weights_tenths",
        one(*pf(3, weight=0.1), item("x", "pass_fail", weight=0.7)),
        None,
        {"p0": "pass", "p1": "pass", "p2": "fail", "x": "fail"},
    ),
    ("weights_thirds", one(*pf(3, weight=1 / 3)), None, {"p0": "pass", "p1": "fail", "p2": "fail"}),
    (
        "weights_sevenths",
        one(*pf(7, weight=1 / 7)),
        None,
        {**{f"p{i}": "pass" for i in range(5)}, "p5": "fail", "p6": "fail"},
    ),
    (
        "section_weights",
        checklist(section("s1", item("a"), weight=2), section("s2", item("b")), bands=BANDS),
        None,
        {"a": 4, "b": 0},
    ),
    (
        "section_weight_zero",
        checklist(section("s1", item("a"), weight=0), section("s2", item("b")), bands=BANDS),
        None,
        {"a": 0, "b": 3},
    ),
    (
        "section_weight_fraction",
        checklist(
            section("s1", *pf(2), weight=1.5),
            section("s2", item("b", max=5), weight=0.25),
            bands=BANDS,
        ),
        None,
        {"p0": "pass", "p1": "fail", "b": 2},
    ),
    (
        "na_out_of_denominator",
        one(item("a", na_allowed=True), item("b")),
        None,
        {"a": "na", "b": 3},
    ),
    (
        "all_na",
        one(item("a", na_allowed=True), item("p", "pass_fail", na_allowed=True)),
        None,
        {"a": "na", "p": "na"},
    ),
    ("nothing_answered", one(item("a"), *pf(2)), None, {}),
    (
        "invalid_values_unanswered",
        one(
            item("a"),
            item("p", "pass_fail"),
            item("n", "number", **NUM),
            item("c", "choice", options=options(1, 2)),
            item("b"),
        ),
        None,
        {"a": "four", "p": "ok", "n": "5", "c": 1, "b": 2},
    ),
    ("unknown_answer_ids_ignored", one(item("a")), None, {"a": 3, "zz": 4}),
    (
        "critical_total_cap_zero",
        one(item("a", critical=True), item("b"), item("c")),
        None,
        {"a": 1, "b": 4, "c": 4},
    ),
    (
        "critical_total_cap_50",
        one(
            item("a", critical=True),
            item("b"),
            item("c"),
            critical_fail={"scope": "total", "cap": 50},
        ),
        None,
        {"a": 1, "b": 4, "c": 4},
    ),
    (
        "critical_cap_above_earned",
        one(item("a", critical=True), item("b"), critical_fail={"cap": 50}),
        None,
        {"a": 0, "b": 1},
    ),
    (
        "critical_cap_100_no_change",
        one(item("a", critical=True), item("b"), critical_fail={"cap": 100}),
        None,
        {"a": 1, "b": 4},
    ),
    (
        "critical_section_cap",
        checklist(
            section("s1", item("a", critical=True), item("b")),
            section("s2", item("c")),
            bands=BANDS,
            critical_fail={"scope": "section", "cap": 0},
        ),
        None,
        {"a": 1, "b": 4, "c": 4},
    ),
    (
        "critical_section_cap_40_weighted",
        checklist(
            section("s1", item("p", "pass_fail", critical=True), item("b"), weight=3),
            section("s2", item("c")),
            bands=BANDS,
            critical_fail={"scope": "section", "cap": 40},
        ),
        None,
        {"p": "fail", "b": 4, "c": 2},
    ),
    (
        "critical_two_failures",
        checklist(
            section("s1", item("a", critical=True)),
            section("s2", item("n", "number", critical=True, **NUM)),
            bands=BANDS,
        ),
        None,
        {"a": 0, "n": 9},
    ),
    ("critical_passes_no_cap", one(item("a", critical=True), item("b")), None, {"a": 2, "b": 1}),
    (
        "critical_fail_below_custom",
        one(item("a", critical=True, max=5, fail_below=3), item("b")),
        None,
        {"a": 2.9, "b": 4},
    ),
    (
        "critical_at_fail_below",
        one(item("a", critical=True, max=5, fail_below=3), item("b")),
        None,
        {"a": 3, "b": 4},
    ),
    (
        "critical_fail_below_zero_never_fails",
        one(item("a", critical=True, fail_below=0)),
        None,
        {"a": 0},
    ),
    (
        "critical_na_no_cap",
        one(item("a", critical=True, na_allowed=True), item("b")),
        None,
        {"a": "na", "b": 4},
    ),
    (
        "critical_weight_zero_still_caps",
        one(item("p", "pass_fail", critical=True, weight=0), item("b")),
        None,
        {"p": "fail", "b": 4},
    ),
    (
        "critical_choice_fail_option",
        one(
            item("c", "choice", critical=True, options=options(None, None, fail=("o1",))), item("b")
        ),
        None,
        {"c": "o1", "b": 4},
    ),
    (
        "critical_choice_scored_fail_option",
        one(item("c", "choice", critical=True, options=options(0, 3, fail=("o0",)))),
        None,
        {"c": "o0"},
    ),
    (
        "zone_kind_excludes",
        checklist(
            section(
                "s1",
                item("a", zone_kinds=["line"]),
                item("b", zone_kinds=["office", "store"]),
                item("c"),
            ),
            bands=BANDS,
            zone_kinds=["line", "office", "store"],
        ),
        "office",
        {"a": 0, "b": 4, "c": 2},
    ),
    (
        "zone_kind_null_all_apply",
        checklist(
            section("s1", item("a", zone_kinds=["line"]), item("c")),
            bands=BANDS,
            zone_kinds=["line", "office"],
        ),
        None,
        {"a": 0, "c": 4},
    ),
    (
        "zone_kind_excludes_critical",
        checklist(
            section("s1", item("a", critical=True, zone_kinds=["line"]), item("c")),
            bands=BANDS,
            zone_kinds=["line", "office"],
        ),
        "office",
        {"a": 0, "c": 3},
    ),
    (
        "zone_kind_excludes_whole_section",
        checklist(
            section("s1", item("a", zone_kinds=["line"])), section("s2", item("c")), bands=BANDS
        ),
        "store",
        {"a": 4, "c": 1},
    ),
    (
        "band_89_95_rounds_to_top",
        one(item("a", "pass_fail", weight=89.95), item("b", "pass_fail", weight=10.05)),
        None,
        {"a": "pass", "b": "fail"},
    ),
    (
        "band_89_94_stays_below",
        one(item("a", "pass_fail", weight=89.94), item("b", "pass_fail", weight=10.06)),
        None,
        {"a": "pass", "b": "fail"},
    ),
    ("band_exact_min", one(*pf(4)), None, {"p0": "pass", "p1": "pass", "p2": "pass", "p3": "fail"}),
    (
        "band_none_matches",
        checklist(section("s1", *pf(3)), bands=[{"min": 50, "label": text("ok")}]),
        None,
        {"p0": "pass", "p1": "fail", "p2": "fail"},
    ),
    ("no_bands", checklist(section("s1", *pf(2))), None, {"p0": "pass", "p1": "fail"}),
    (
        "double_rounds_below_half",
        one(item("a", "pass_fail", weight=0.15), item("b", "pass_fail", weight=0.65)),
        None,
        {"a": "pass", "b": "fail"},
    ),
    ("earned_rounds_half_up", one(item("a", max=8)), None, {"a": 1}),
    ("earned_double_below_half", one(item("p", "pass_fail", weight=1.005)), None, {"p": "pass"}),
    # --- red lines (critical_below): a cap at the worst levels only
    (
        "red_line_at_zero_caps",
        one(
            *[item(f"i{k}") for k in range(9)],
            item("wire", critical_below=1),
            critical_fail={"scope": "total", "cap": 59},
        ),
        None,
        {**{f"i{k}": 4 for k in range(9)}, "wire": 0},
    ),
    (
        "red_line_one_is_an_ordinary_fail",
        one(
            *[item(f"i{k}") for k in range(9)],
            item("wire", critical_below=1),
            critical_fail={"scope": "total", "cap": 59},
        ),
        None,
        {**{f"i{k}": 4 for k in range(9)}, "wire": 1},
    ),
    (
        "red_line_fractional_value_below",
        one(item("a", critical_below=1), item("b"), critical_fail={"cap": 30}),
        None,
        {"a": 0.5, "b": 4},
    ),
    (
        "red_line_fractional_threshold",
        one(
            item("a", max=10, critical_below=2.5),
            item("b", max=10, critical_below=2.5),
            item("c"),
            critical_fail={"cap": 50},
        ),
        None,
        {"a": 3, "b": 2, "c": 4},
    ),
    (
        "red_line_at_the_fail_level",
        one(item("a", max=5, fail_below=3, critical_below=3), item("b"), critical_fail={"cap": 40}),
        None,
        {"a": 2.99, "b": 4},
    ),
    (
        "red_line_exactly_at_threshold_no_cap",
        one(item("a", max=5, fail_below=3, critical_below=3), item("b"), critical_fail={"cap": 40}),
        None,
        {"a": 3, "b": 1},
    ),
    (
        "red_line_section_scope",
        checklist(
            section("s1", item("a", critical_below=1), item("b")),
            section("s2", item("c"), item("d", critical_below=2)),
            bands=BANDS,
            critical_fail={"scope": "section", "cap": 25},
        ),
        None,
        {"a": 0, "b": 4, "c": 3, "d": 2},
    ),
    (
        "red_line_and_critical_in_order",
        checklist(
            section("s1", item("a", critical_below=1), item("p", "pass_fail", critical=True)),
            section("s2", item("b", critical_below=2)),
            bands=BANDS,
        ),
        None,
        {"p": "fail", "a": 0, "b": 1},
    ),
    (
        "red_line_na_and_unanswered_no_cap",
        one(
            item("a", critical_below=1, na_allowed=True),
            item("b", critical_below=1),
            item("c"),
        ),
        None,
        {"a": "na", "c": 2},
    ),
    (
        "red_line_invalid_values_no_cap",
        one(item("a", critical_below=1), item("b", critical_below=1), item("c")),
        None,
        {"a": -1, "b": "0", "c": 3},
    ),
    (
        "red_line_weight_zero_still_caps",
        one(item("a", critical_below=1, weight=0), item("b"), critical_fail={"cap": 60}),
        None,
        {"a": 0, "b": 4},
    ),
    (
        "red_line_other_zone_kind_no_cap",
        checklist(
            section("s1", item("a", critical_below=1, zone_kinds=["line"]), item("b")),
            bands=BANDS,
            zone_kinds=["line", "office"],
        ),
        "office",
        {"a": 0, "b": 3},
    ),
    # --- section_weighting: equal (each section by its fraction, times its weight)
    (
        "equal_nine_and_one",
        checklist(
            section("big", *pf(9, "b")),
            section("small", *pf(1, "s")),
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {**{f"b{i}": "pass" for i in range(9)}, "s0": "fail"},
    ),
    (
        "items_nine_and_one",
        checklist(
            section("big", *pf(9, "b")),
            section("small", *pf(1, "s")),
            bands=BANDS,
            section_weighting="items",
        ),
        None,
        {**{f"b{i}": "pass" for i in range(9)}, "s0": "fail"},
    ),
    (
        "equal_six_s_thirds_and_sevenths",
        checklist(
            *[section(f"s{n}", *pf(n + 1, f"x{n}_")) for n in range(6)],
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {f"x{n}_{i}": "pass" if i % 3 else "fail" for n in range(6) for i in range(n + 1)},
    ),
    (
        "equal_section_weights",
        checklist(
            section("s1", item("a"), item("b"), weight=2),
            section("s2", item("c", max=3), weight=0.5),
            section("s3", item("d"), weight=0),
            section("s4", *pf(3), weight=1 / 3),
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {"a": 4, "b": 1, "c": 2, "d": 0, "p0": "pass", "p1": "fail", "p2": "fail"},
    ),
    (
        "equal_empty_sections_left_out",
        checklist(
            section("s1", item("a", na_allowed=True)),
            section("s2", item("b")),
            section("s3", item("t", "text")),
            section("s4", item("c", weight=0)),
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {"a": "na", "b": 3, "t": "x", "c": 4},
    ),
    (
        "equal_nothing_scored",
        checklist(
            section("s1", item("a", na_allowed=True)),
            section("s2", item("b")),
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {"a": "na"},
    ),
    (
        "equal_only_weight_zero_sections",
        checklist(section("s1", item("a"), weight=0), bands=BANDS, section_weighting="equal"),
        None,
        {"a": 4},
    ),
    (
        "equal_item_weights_within_a_section",
        checklist(
            section("s1", item("a", weight=3), item("b", weight=0.7), item("c", weight=1 / 7)),
            section("s2", item("d", max=7)),
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {"a": 3, "b": 1, "c": 4, "d": 5},
    ),
    (
        "equal_critical_total_cap",
        checklist(
            section("s1", item("a", critical=True), item("b")),
            section("s2", item("c")),
            bands=BANDS,
            section_weighting="equal",
            critical_fail={"scope": "total", "cap": 59},
        ),
        None,
        {"a": 1, "b": 4, "c": 4},
    ),
    (
        "equal_red_line_section_cap",
        checklist(
            section("s1", item("a", critical_below=1), item("b"), weight=2),
            section("s2", item("c")),
            section("s3", *pf(2)),
            bands=BANDS,
            section_weighting="equal",
            critical_fail={"scope": "section", "cap": 40},
        ),
        None,
        {"a": 0, "b": 4, "c": 3, "p0": "pass", "p1": "fail"},
    ),
    (
        "equal_zone_kind_empties_a_section",
        checklist(
            section("s1", item("a", zone_kinds=["line"])),
            section("s2", item("b")),
            section("s3", item("c")),
            bands=BANDS,
            zone_kinds=["line", "store"],
            section_weighting="equal",
        ),
        "store",
        {"a": 0, "b": 1, "c": 4},
    ),
    (
        "equal_band_rounding_edge",
        checklist(
            section(
                "s1", item("a", "pass_fail", weight=89.95), item("b", "pass_fail", weight=10.05)
            ),
            section(
                "s2", item("c", "pass_fail", weight=89.95), item("d", "pass_fail", weight=10.05)
            ),
            bands=BANDS,
            section_weighting="equal",
        ),
        None,
        {"a": "pass", "b": "fail", "c": "pass", "d": "fail"},
    ),
    (
        "large_numbers_of_items",
        one(*[item(f"i{k}", max=1 + k % 10) for k in range(60)]),
        None,
        {f"i{k}": k % (2 + k % 10) for k in range(60) if k % 13},
    ),
]


def random_case(rng: random.Random, n: int) -> tuple[str, dict, str | None, dict]:
    kinds = ["line", "office", "store"]
    sections, answers = [], {}
    for s in range(rng.randint(1, 3)):
        items = []
        for i in range(rng.randint(1, 5)):
            kind = rng.choice(["score", "score", "pass_fail", "number", "choice", "text", "photo"])
            fields: dict = {"weight": rng.choice([0, 1, 1, 1, 2, 0.5, 1 / 3, 7.25, 100])}
            fields["na_allowed"] = rng.random() < 0.3
            if rng.random() < 0.2:
                fields["zone_kinds"] = rng.sample(kinds, rng.randint(1, 2))
            if kind in ("score", "pass_fail", "number", "choice"):
                fields["critical"] = rng.random() < 0.15
            value: object = None
            if kind == "score":
                fields["max"] = rng.randint(1, 10)
                if rng.random() < 0.3:
                    fields["fail_below"] = rng.randint(0, fields["max"])
                value = rng.randint(0, fields["max"])
            elif kind == "pass_fail":
                value = rng.choice(["pass", "fail"])
            elif kind == "number":
                lo, hi = sorted(rng.sample(range(-20, 40), 2))
                fields.update(rng.choice([{"min": lo, "max": hi}, {"min": lo}, {"max": hi}]))
                value = rng.choice([rng.randint(-30, 50), round(rng.uniform(-30, 50), 2)])
            elif kind == "choice":
                scores = [rng.choice([None, 0, 1, 2, 5]) for _ in range(rng.randint(1, 4))]
                fields["options"] = options(
                    *scores, fail=[f"o{k}" for k in range(4) if rng.random() < 0.2]
                )
                value = f"o{rng.randrange(len(scores))}"
            elif kind == "text":
                value = "note"
            item_id = f"s{s}i{i}"
            items.append(item(item_id, kind, **fields))
            roll = rng.random()
            if roll < 0.1:
                answers[item_id] = "na"
            elif roll < 0.2:
                continue  # unanswered
            elif roll < 0.25:
                answers[item_id] = rng.choice(["bad", 99, -1, "o9", 1.5])
            else:
                answers[item_id] = value
        sections.append(section(f"s{s}", *items, weight=rng.choice([1, 1, 2, 0.5, 0])))
    rule = {"scope": rng.choice(["total", "section"]), "cap": rng.choice([0, 30, 50, 100])}
    data = checklist(*sections, bands=BANDS, critical_fail=rule, zone_kinds=kinds)
    return f"random_{n:02d}", data, rng.choice([None, *kinds]), answers


def random_case_v2(rng: random.Random, n: int) -> tuple[str, dict, str | None, dict]:
    """A random case with the version 2 scoring fields: red lines on some score items (valid
    ones: above 0, not above the fail level, never with `critical`) and either weighting."""
    _, data, zone_kind, answers = random_case(rng, n)
    for sec in data["sections"]:
        for it in sec["items"]:
            if it["type"] != "score" or it.get("critical") or rng.random() < 0.4:
                continue
            top = it["max"]
            fail_level = it.get("fail_below", top / 2)
            choices = [c for c in (0.5, 1, 1.5, 2, 3, fail_level) if 0 < c <= fail_level]
            if choices:
                it["critical_below"] = rng.choice(choices)
                if rng.random() < 0.5:
                    answers[it["id"]] = rng.choice([0, 1, 2, answers.get(it["id"])])
    data["section_weighting"] = rng.choice(["items", "equal", "equal"])
    return f"random_v2_{n:02d}", data, zone_kind, answers


def build() -> list[dict]:
    rng = random.Random(20240611)
    cases = CASES + [random_case(rng, n) for n in range(30)]
    # Their own seed, so the cases above stay as they were.
    rng_v2 = random.Random(20261130)
    cases += [random_case_v2(rng_v2, n) for n in range(30)]
    vectors = []
    for name, data, zone_kind, values in cases:
        cl = checklist_from_data(data, name)
        answers = {item_id: Answer(value=v) for item_id, v in values.items()}
        vectors.append(
            {
                "name": name,
                "checklist": msgspec.to_builtins(cl),
                "zone_kind": zone_kind,
                "answers": msgspec.to_builtins(answers),
                "expected": msgspec.to_builtins(score_audit(cl, answers, zone_kind)),
            }
        )
    names = [v["name"] for v in vectors]
    assert len(set(names)) == len(names), "vector names must be unique"
    return vectors


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # One vector per line: small enough to commit, and a diff names the vectors that changed.
    lines = b",\n".join(msgspec.json.encode(vector) for vector in build())
    OUT.write_bytes(b"[\n" + lines + b"\n]\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
