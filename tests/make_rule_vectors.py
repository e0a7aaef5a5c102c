"""Write tests/vectors/rules.json: the answer and due rules that the tablet mirrors.

Shared by server/checklists/answers.py + server/checklists/due.py and pwa/js/rules.js, the same
way tests/vectors/scoring.json holds the scorer: Python, node and Chromium each run every
vector. Run `.venv/bin/python tests/make_rule_vectors.py` after a deliberate change to one of
those rules and review the diff; the tests never regenerate it.

- "submit": what a submitted audit still lacks, as [item id, field] in checklist order, and
  which answers are fails.
- "subject": the subject values the server refuses (`subject_errors`: [path, problem], the
  problem named by a code the tablet words itself) and the required ones a submit lacks
  (`subject_missing`: paths), with the staff ids both sides know.
- "due": which checklists a zone wants now, from `due_every_days` and its audits.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
from make_vectors import CASES, item, one, options, random_case, section, text

from server.checklists.answers import subject_errors, subject_missing, submit_errors
from server.checklists.due import due_checklist_ids
from server.checklists.format import Checklist, check_rules
from server.checklists.scoring import Answer, is_fail

OUT = Path(__file__).parent / "vectors" / "rules.json"
PHOTO = "a" * 64
FAIL_PHOTO = {"required_if_fail": True}


def a(value=None, note="", photos=()):
    return {"value": value, "note": note, "photos": list(photos)}


# (name, checklist, zone kind, answers as {item id: {value, note, photos}})
SUBMIT: list[tuple[str, dict, str | None, dict]] = [
    (
        "unanswered_scored_items_are_required",
        one(item("s"), item("p", "pass_fail"), item("n", "number", min=1), item("t", "text")),
        None,
        {},
    ),
    (
        "choice_unanswered",
        one(item("c", "choice", options=options(1, 2))),
        None,
        {"c": a(None, "just a note")},
    ),
    ("required_false_scored", one(item("s", required=False)), None, {}),
    ("required_true_text", one(item("t", "text", required=True)), None, {}),
    ("photo_item_optional_by_default", one(item("ph", "photo")), None, {}),
    ("photo_item_required", one(item("ph", "photo", required=True)), None, {}),
    ("photo_item_photo_required", one(item("ph", "photo", photo={"required": True})), None, {}),
    (
        "photo_item_delivered",
        one(item("ph", "photo", required=True)),
        None,
        {"ph": a(photos=[PHOTO])},
    ),
    (
        "photo_required_even_when_passing",
        one(item("x", photo={"required": True}), item("y", photo={"required": True})),
        None,
        {"x": a(4), "y": a(4, photos=[PHOTO])},
    ),
    (
        "photo_required_if_fail",
        one(*[item(f"s{v}", photo=FAIL_PHOTO) for v in range(5)]),
        None,
        {f"s{v}": a(v) for v in range(5)},
    ),
    (
        "photo_required_twice_over_is_one_gap",
        one(item("x", photo={"required": True, "required_if_fail": True})),
        None,
        {"x": a(0)},
    ),
    (
        "fail_photo_delivered",
        one(item("x", photo=FAIL_PHOTO)),
        None,
        {"x": a(0, photos=[PHOTO])},
    ),
    (
        "note_required_if_fail_blank_notes",
        one(*[item(f"n{i}", note_required_if_fail=True) for i in range(10)]),
        None,
        {
            f"n{i}": a(1, note)
            for i, note in enumerate(
                ["", " ", "\t\n", "\u3000", "\ufeff", "\u00a0\u2003", "\x85", "\u200b", "ok", None]
            )
        },
    ),
    (
        "note_not_needed_when_passing_or_na",
        one(
            item("n1", note_required_if_fail=True),
            item("n2", note_required_if_fail=True, na_allowed=True),
        ),
        None,
        {"n1": a(2), "n2": a("na")},
    ),
    (
        "na_with_a_required_photo",
        one(item("x", na_allowed=True, photo={"required": True})),
        None,
        {"x": a("na")},
    ),
    (
        "fail_below_custom",
        one(*[item(f"s{v}", max=10, fail_below=7, photo=FAIL_PHOTO) for v in (6, 7)]),
        None,
        {"s6": a(6), "s7": a(7)},
    ),
    (
        "fail_below_zero_never_fails",
        one(item("s", fail_below=0, note_required_if_fail=True)),
        None,
        {"s": a(0)},
    ),
    (
        "choice_fail_option_and_number_out_of_range",
        one(
            item("c", "choice", options=options(0, 2, fail=["o0"]), note_required_if_fail=True),
            item("n", "number", min=2, max=8, photo=FAIL_PHOTO),
            item("m", "number", min=2, max=8, photo=FAIL_PHOTO),
        ),
        None,
        {"c": a("o0"), "n": a(9.5), "m": a(8)},
    ),
    (
        "pass_fail",
        one(*[item(f"p{i}", "pass_fail", photo=FAIL_PHOTO) for i in range(2)]),
        None,
        {"p0": a("fail"), "p1": a("pass")},
    ),
    (
        "invalid_values_are_not_fails",
        one(item("s", photo=FAIL_PHOTO), item("p", "pass_fail", photo=FAIL_PHOTO)),
        None,
        {"s": a(99), "p": a("maybe")},
    ),
    (
        "zone_kinds_leave_items_out",
        one(
            item("all"), item("shop", zone_kinds=["workshop"]), item("desk", zone_kinds=["office"])
        ),
        "office",
        {},
    ),
    (
        "no_zone_kind_keeps_every_item",
        one(item("shop", zone_kinds=["workshop"])),
        None,
        {},
    ),
    # --- N/A with its reason, and evidence for every deduction (format version 2)
    (
        "na_needs_its_reason",
        one(
            *[item(f"n{i}", na_allowed=True, note_required_if_na=True) for i in range(5)],
            item("plain", na_allowed=True),
        ),
        None,
        {
            "n0": a("na"),
            "n1": a("na", " \u3000"),
            "n2": a("na", "本区无举升机"),
            "n3": a(2),
            "n4": a("na", photos=[PHOTO]),
            "plain": a("na"),
        },
    ),
    (
        "na_reason_with_other_rules",
        one(
            item("x", na_allowed=True, note_required_if_na=True, photo={"required": True}),
            item(
                "p",
                "pass_fail",
                na_allowed=True,
                note_required_if_na=True,
                note_required_if_fail=True,
            ),
            item(
                "q",
                "pass_fail",
                na_allowed=True,
                note_required_if_na=True,
                note_required_if_fail=True,
            ),
        ),
        None,
        {"x": a("na"), "p": a("na"), "q": a("fail")},
    ),
    (
        "evidence_for_every_deduction",
        one(
            *[item(f"s{v}") for v in range(5)],
            item("p", "pass_fail"),
            item("q", "pass_fail"),
            item("n", "number", min=2, max=8),
            item("c", "choice", options=options(1, 3, 0)),
            item("d", "choice", options=options(1, 3)),
            item("u", "choice", options=options(None, None)),
            item("t", "text"),
            evidence_below_max=True,
        ),
        None,
        {
            **{f"s{v}": a(v) for v in range(5)},
            "p": a("pass"),
            "q": a("fail"),
            "n": a(9),
            "c": a("o0"),
            "d": a("o1"),
            "u": a("o0"),
            "t": a("tidy"),
        },
    ),
    (
        "evidence_a_photo_or_a_note_will_do",
        one(*[item(f"s{i}") for i in range(5)], evidence_below_max=True),
        None,
        {
            "s0": a(3, "两处油渍"),
            "s1": a(3, photos=[PHOTO]),
            "s2": a(3, "\t"),
            "s3": a(3, None),
            "s4": a("na"),
        },
    ),
    (
        "evidence_after_fail_rules",
        one(
            item("f", note_required_if_fail=True),
            item("g", photo=FAIL_PHOTO),
            item("h", photo={"required": True}),
            item("k", photo=FAIL_PHOTO, note_required_if_fail=True),
            item("w", weight=0),
            item("x", max=10, fail_below=2),
            evidence_below_max=True,
        ),
        None,
        {"f": a(1), "g": a(0), "h": a(3), "k": a(0), "w": a(1), "x": a(9)},
    ),
    (
        "evidence_off_by_default",
        one(item("s"), item("p", "pass_fail")),
        None,
        {"s": a(1), "p": a("fail")},
    ),
    (
        "evidence_and_zone_kinds",
        one(
            item("shop", zone_kinds=["workshop"]),
            item("desk", zone_kinds=["office"]),
            zone_kinds=["workshop", "office"],
            evidence_below_max=True,
        ),
        "office",
        {"desk": a(2)},
    ),
    (
        "two_sections_in_order",
        {
            "id": "t",
            "version": 1,
            "title": text("t"),
            "sections": [
                section("b", item("b1", photo=FAIL_PHOTO), item("b2")),
                section("a", item("a1", note_required_if_fail=True, photo=FAIL_PHOTO)),
            ],
        },
        None,
        {"b1": a(0), "a1": a(1)},
    ),
]


def random_submit(rng: random.Random, n: int):
    name, data, zone_kind, values = random_case(rng, n)
    for sec in data["sections"]:
        for it in sec["items"]:
            if rng.random() < 0.4:
                it["photo"] = {
                    "required": rng.random() < 0.3,
                    "required_if_fail": rng.random() < 0.7,
                }
            it["note_required_if_fail"] = rng.random() < 0.4
            if it["type"] != "photo" and rng.random() < 0.15:
                it["required"] = rng.random() < 0.5
    notes = ["", " ", "\u3000", "ok", "漏油"]
    answers = {
        item_id: a(value, rng.choice(notes), [PHOTO] if rng.random() < 0.3 else [])
        for item_id, value in values.items()
    }
    return f"submit_{name}", data, zone_kind, answers


def random_submit_v2(rng: random.Random, n: int):
    """`random_submit` with the version 2 rules: N/A with a reason, evidence for deductions."""
    name, data, zone_kind, answers = random_submit(rng, n)
    data["evidence_below_max"] = rng.random() < 0.6
    for sec in data["sections"]:
        for it in sec["items"]:
            if not it.get("na_allowed"):
                continue
            if rng.random() < 0.6:
                it["note_required_if_na"] = True
            if it["id"] in answers and rng.random() < 0.3:
                answers[it["id"]]["value"] = "na"
    return name.replace("submit_", "submit_v2_", 1), data, zone_kind, answers


def submit_vector(name, data, zone_kind, raw) -> dict:
    # Through JSON, as the API serves it (anchor levels become string keys there).
    checklist = msgspec.json.decode(msgspec.json.encode(data), type=Checklist)
    check_rules(checklist)
    answers = {
        k: Answer(value=v["value"], note=v["note"] or "", photos=v["photos"])
        for k, v in raw.items()
    }
    missing = []
    for error in submit_errors(checklist, answers, zone_kind):
        item_id, _, field = error["path"].removeprefix("$.answers.").rpartition(".")
        missing.append([item_id, field])
    fails = [
        it.id
        for it in checklist.items()
        if it.applies_to(zone_kind) and it.id in answers and is_fail(it, answers[it.id].value)
    ]
    return {
        "name": name,
        "checklist": msgspec.to_builtins(checklist),
        "zone_kind": zone_kind,
        "answers": raw,
        "expected": {"missing": missing, "fails": fails},
    }


# --- subject ----------------------------------------------------------------------------------

STAFF = ["s-chen", "s-li", "s-wang"]
VIN = "[A-HJ-NPR-Z0-9]{17}"


def field(id: str, type: str = "text", **fields) -> dict:
    return {"id": id, "label": text(id), "type": type, **fields}


HANDOVER = one(
    item("keys", "pass_fail"),
    subject=[
        field("vin", pattern=VIN, required=True),
        field("consultant", "staff", required=True),
        field("delivered", "date"),
        field("channel", "choice", options=options(None, None)),
        field("km", "number"),
        field("remark"),
    ],
)
GOOD = {"vin": "LSVAU2180N2123456", "consultant": "s-chen", "delivered": "2026-11-30"}

# (name, checklist, subject)
SUBJECT: list[tuple[str, dict, dict]] = [
    ("good", HANDOVER, GOOD),
    ("all_filled", HANDOVER, {**GOOD, "channel": "o1", "km": 12.5, "remark": "蓝色 Blue"}),
    ("empty_needs_the_required", HANDOVER, {}),
    ("nulls_and_empty_strings_are_missing", HANDOVER, {"vin": "", "consultant": None}),
    ("vin_with_an_o", HANDOVER, {**GOOD, "vin": "LSVAU2180N212345O"}),
    ("vin_lower_case", HANDOVER, {**GOOD, "vin": "lsvau2180n2123456"}),
    ("vin_too_short", HANDOVER, {**GOOD, "vin": "LSVAU2180N212345"}),
    ("vin_too_long", HANDOVER, {**GOOD, "vin": "LSVAU2180N21234567"}),
    ("vin_with_a_newline", HANDOVER, {**GOOD, "vin": "LSVAU2180N2123456\n"}),
    ("vin_a_number", HANDOVER, {**GOOD, "vin": 12345}),
    ("vin_a_bool", HANDOVER, {**GOOD, "vin": True}),
    ("unknown_staff", HANDOVER, {**GOOD, "consultant": "s-nobody"}),
    ("staff_a_number", HANDOVER, {**GOOD, "consultant": 7}),
    (
        "dates",
        one(
            item("k", "pass_fail"),
            subject=[field(f"d{i}", "date") for i in range(12)],
        ),
        {
            f"d{i}": v
            for i, v in enumerate(
                [
                    "2026-02-30",
                    "2024-02-29",
                    "2026-02-29",
                    "1900-02-29",
                    "2000-02-29",
                    "0000-01-01",
                    "0001-01-01",
                    "9999-12-31",
                    "2026-1-30",
                    "2026-11-30T08:00",
                    "２０２６-１１-３０",
                    "2026-13-01",
                ]
            )
        },
    ),
    ("choice_unknown_option", HANDOVER, {**GOOD, "channel": "phone"}),
    ("choice_a_number", HANDOVER, {**GOOD, "channel": 0}),
    (
        "numbers",
        one(item("k", "pass_fail"), subject=[field(f"n{i}", "number") for i in range(8)]),
        {
            "n0": 0,
            "n1": -3.25,
            "n2": 10**15,
            "n3": 10**15 + 1,
            "n4": -(10**16),
            "n5": "12",
            "n6": True,
            "n7": 1e300,
        },
    ),
    ("unknown_fields_even_null", HANDOVER, {**GOOD, "colour": "red", "zz": None}),
    (
        "every_problem_in_body_order",
        HANDOVER,
        {
            "remark": "x" * 201,
            "km": "far",
            "colour": "red",
            "delivered": "2026-02-30",
            "vin": "VIN",
            "consultant": "s-nobody",
            "channel": "phone",
        },
    ),  # fmt: skip
    ("text_at_most_200_code_points", HANDOVER, {**GOOD, "remark": "车" * 200}),
    ("text_201_code_points", HANDOVER, {**GOOD, "remark": "车" * 201}),
    ("astral_characters_count_once", HANDOVER, {**GOOD, "remark": "\U0001f697" * 200}),
    (
        "patterns",
        one(
            item("k", "pass_fail"),
            subject=[
                field("plate", pattern="[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}"),
                field("order", pattern="(SO|PO)-[0-9]{4,8}"),
                field("either", pattern="a|b"),
                field("phone", pattern="1[3-9][0-9]{9}"),
                field("dotted", pattern="[0-9]+\\.[0-9]{2}"),
            ],
        ),
        {
            "plate": "沪A12345",
            "order": "SO-0012",
            "either": "ab",
            "phone": "1391234567",
            "dotted": "12x50",
        },
    ),
    (
        "patterns_matching",
        one(
            item("k", "pass_fail"),
            subject=[
                field("plate", pattern="[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}"),
                field("order", pattern="(SO|PO)-[0-9]{4,8}"),
                field("either", pattern="a|b"),
                field("phone", pattern="1[3-9][0-9]{9}"),
                field("dotted", pattern="[0-9]+\\.[0-9]{2}"),
            ],
        ),
        {
            "plate": "粤B12345D",
            "order": "PO-12345678",
            "either": "b",
            "phone": "13912345678",
            "dotted": "12.50",
        },
    ),
    ("no_subject_fields", one(item("k", "pass_fail")), {"vin": "LSVAU2180N2123456"}),
    ("no_subject_fields_nothing_sent", one(item("k", "pass_fail")), {}),
]

# The server's messages (answers.py) as the codes the tablet words in its own language.
PROBLEMS = [
    ("unknown subject field", "unknown"),
    ("expected a number", "number"),
    ("expected text", "text"),
    ("at most 200 characters", "length"),
    ("does not match the pattern", "pattern"),
    ("expected a date", "date"),
    ("not one of the options", "option"),
    ("no staff member", "staff"),
]


def problem_code(message: str) -> str:
    for words, code in PROBLEMS:
        if words in message:
            return code
    raise AssertionError(f"a subject message with no code: {message!r}")


def subject_vector(name, data, subject, staff=STAFF) -> dict:
    checklist = msgspec.json.decode(msgspec.json.encode(data), type=Checklist)
    check_rules(checklist)
    errors = subject_errors(checklist, subject, lambda staff_id: staff_id in staff)
    return {
        "name": name,
        "checklist": msgspec.to_builtins(checklist),
        "subject": subject,
        "staff": list(staff),
        "expected": {
            "errors": [[e["path"], problem_code(e["message"])] for e in errors],
            "missing": [e["path"] for e in subject_missing(checklist, subject)],
        },
    }


# --- due ------------------------------------------------------------------------------------

DAILY, WEEKLY = {"id": "daily", "due_every_days": 1}, {"id": "weekly", "due_every_days": 7}
NEVER = {"id": "handover", "due_every_days": None}
CHINA, UTC, NEW_YORK, INDIA, NEPAL = 480, 0, -300, 330, 345


def done(checklist_id, at, status="approved", started=None):
    return {
        "checklist_id": checklist_id,
        "status": status,
        "submitted_at": at,
        "started_at": started,
    }


DUE: list[tuple[str, list, list, str, int]] = [
    ("never_done_is_due", [DAILY, WEEKLY, NEVER], [], "2026-11-30T09:00:00.000Z", CHINA),
    (
        "daily_done_today_local",
        [DAILY],
        [done("daily", "2026-11-29T16:30:00.000Z")],  # 00:30 on the 30th in China
        "2026-11-30T09:00:00.000Z",
        CHINA,
    ),
    (
        "daily_done_yesterday_local",
        [DAILY],
        [done("daily", "2026-11-29T15:59:59.999Z")],  # 23:59:59.999 on the 29th in China
        "2026-11-29T16:00:00.000Z",  # midnight: the 30th has begun
        CHINA,
    ),
    (
        "same_instants_in_utc_are_one_day",
        [DAILY],
        [done("daily", "2026-11-29T15:59:59.999Z")],
        "2026-11-29T16:00:00.000Z",
        UTC,
    ),
    (
        "weekly_six_days_later_is_not_due",
        [WEEKLY],
        [done("weekly", "2026-11-23T01:00:00+08:00")],
        "2026-11-29T23:59:00+08:00",
        CHINA,
    ),
    (
        "weekly_seven_days_later_is_due",
        [WEEKLY],
        [done("weekly", "2026-11-23T23:59:00+08:00")],
        "2026-11-30T00:01:00+08:00",
        CHINA,
    ),
    (
        "drafts_and_discarded_do_not_count",
        [DAILY, WEEKLY],
        [
            done("daily", "2026-11-30T08:00:00+08:00", "draft"),
            done("weekly", "2026-11-30T08:00:00+08:00", "discarded"),
        ],
        "2026-11-30T10:00:00+08:00",
        CHINA,
    ),
    (
        "submitted_and_returned_count",
        [DAILY, WEEKLY],
        [
            done("daily", "2026-11-30T08:00:00+08:00", "submitted"),
            done("weekly", "2026-11-28T08:00:00+08:00", "returned"),
        ],
        "2026-11-30T10:00:00+08:00",
        CHINA,
    ),
    (
        "the_newest_audit_counts",
        [WEEKLY],
        [
            done("weekly", "2026-11-01T08:00:00Z"),
            done("weekly", "2026-11-27T08:00:00Z"),
            done("weekly", "2026-11-10T08:00:00Z"),
        ],
        "2026-11-30T08:00:00Z",
        UTC,
    ),
    (
        "started_at_when_not_submitted",
        [DAILY],
        [done("daily", None, "returned", started="2026-11-30T01:00:00Z")],
        "2026-11-30T20:00:00Z",
        UTC,
    ),
    (
        "other_checklists_do_not_count",
        [DAILY],
        [done("weekly", "2026-11-30T01:00:00Z")],
        "2026-11-30T02:00:00Z",
        UTC,
    ),
    (
        "west_of_utc",
        [DAILY],
        [done("daily", "2026-11-30T03:00:00Z")],  # 22:00 on the 29th in New York
        "2026-11-30T06:00:00Z",  # 01:00 on the 30th there
        NEW_YORK,
    ),
    (
        "half_hour_offset",
        [DAILY],
        [done("daily", "2026-11-29T18:29:00Z")],  # 23:59 on the 29th in India
        "2026-11-29T18:31:00Z",  # 00:01 on the 30th there
        INDIA,
    ),
    (
        "quarter_hour_offset",
        [DAILY],
        [done("daily", "2026-11-29T18:16:00Z")],  # 00:01 on the 30th in Nepal
        "2026-11-29T23:00:00Z",
        NEPAL,
    ),
    (
        "before_1970",
        [WEEKLY],
        [done("weekly", "1969-12-25T12:00:00Z")],
        "1969-12-31T12:00:00Z",
        UTC,
    ),
    (
        "a_device_clock_in_the_future",
        [WEEKLY],
        [done("weekly", "2099-01-01T00:00:00Z")],
        "2026-11-30T00:00:00Z",
        UTC,
    ),
]


def due_vector(name, checklists, audits, now, offset) -> dict:
    expected = due_checklist_ids(checklists, audits, now, offset)
    return {
        "name": name,
        "checklists": checklists,
        "audits": audits,
        "now": now,
        "offset_minutes": offset,
        "expected": expected,
    }


def build() -> dict:
    rng = random.Random(20261130)
    submit_cases = SUBMIT + [random_submit(rng, n) for n in range(40)]
    # Their own seed, so the cases above stay as they were.
    rng_v2 = random.Random(20261201)
    submit_cases += [random_submit_v2(rng_v2, n) for n in range(30)]
    # Each scoring case's answers too, as values alone: the fails the preview colours red.
    submit_cases += [
        (f"scoring_{name}", data, kind, {k: a(v) for k, v in values.items()})
        for name, data, kind, values in CASES
    ]
    vectors = {
        "submit": [submit_vector(*case) for case in submit_cases],
        "subject": [subject_vector(*case) for case in SUBJECT],
        "due": [due_vector(*case) for case in DUE],
    }
    for group in vectors.values():
        names = [v["name"] for v in group]
        assert len(set(names)) == len(names), "vector names must be unique"
    return vectors


def main() -> None:
    vectors = build()
    # One vector per line: small enough to commit, and a diff names the vectors that changed.
    parts = []
    for group, items in vectors.items():
        lines = b",\n".join(msgspec.json.encode(v) for v in items).decode()
        parts.append(f'"{group}": [\n{lines}\n]')
    OUT.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")
    counts = ", ".join(f"{len(v)} {group}" for group, v in vectors.items())
    print(f"wrote {OUT}: {counts} vectors")


if __name__ == "__main__":
    main()
