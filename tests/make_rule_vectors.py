"""Write tests/vectors/rules.json: the answer and due rules that the tablet mirrors.

Shared by server/checklists/answers.py + server/checklists/due.py and pwa/js/rules.js, the same
way tests/vectors/scoring.json holds the scorer: Python, node and Chromium each run every
vector. Run `.venv/bin/python tests/make_rule_vectors.py` after a deliberate change to one of
those rules and review the diff; the tests never regenerate it.

- "submit": what a submitted audit still lacks, as [item id, field] in checklist order, and
  which answers are fails.
- "due": which checklists a zone wants now, from `due_every_days` and its audits.
"""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
from make_vectors import CASES, item, one, options, random_case, section, text

from server.checklists.answers import submit_errors
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
    # Each scoring case's answers too, as values alone: the fails the preview colours red.
    submit_cases += [
        (f"scoring_{name}", data, kind, {k: a(v) for k, v in values.items()})
        for name, data, kind, values in CASES
    ]
    vectors = {
        "submit": [submit_vector(*case) for case in submit_cases],
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
    print(f"wrote {OUT}: {len(vectors['submit'])} submit and {len(vectors['due'])} due vectors")


if __name__ == "__main__":
    main()
