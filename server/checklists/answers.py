"""Checking an audit's answers against the exact checklist version it was filled on.

`answer_errors` finds answers that can never be right (unknown item, wrong type, out of
range); `submit_errors` finds what a submitted audit still lacks (required answers, photos,
notes). Both return `{"path", "message"}` dicts that name the item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

import msgspec

from server.checklists.format import SCORED_TYPES, Checklist, Item, SubjectField
from server.checklists.scoring import NA, Answer, is_fail, item_points


def _path(item_id: str, field: str = "value") -> str:
    return f"$.answers.{item_id}.{field}"


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # JSON integers can be huge; past 1e15 they stop being exact doubles in the browser.
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= 10**15


def value_problem(item: Item, value: object) -> str | None:
    """Why `value` can never be an answer to `item`, or None when it can."""
    if value is None:
        return None
    if value == NA:
        return None if item.na_allowed else "N/A is not allowed for this item"
    kind = item.type
    if kind == "score":
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected a whole number 0..{item.levels}"
        return None if 0 <= value <= item.levels else f"out of range 0..{item.levels}"
    if kind == "pass_fail":
        return None if value in ("pass", "fail") else 'expected "pass" or "fail"'
    if kind == "number":
        return None if _is_number(value) else "expected a number"
    if kind == "choice":
        ids = [option.id for option in item.options or ()]
        return None if value in ids else f"not one of the options: {', '.join(ids)}"
    if kind == "text":
        return None if isinstance(value, str) else "expected text"
    return "a photo item's value is null; its photos go in `photos`"


def answer_errors(
    checklist: Checklist, answers: Mapping[str, Answer], zone_kind: str | None
) -> list[dict]:
    items = checklist.item_map()
    errors = []
    for item_id, answer in answers.items():
        item = items.get(item_id)
        if item is None or not item.applies_to(zone_kind):
            where = "" if item is None else f" to a {zone_kind} zone"
            errors.append(
                {
                    "path": f"$.answers.{item_id}",
                    "message": f"unknown item {item_id!r}: not in {checklist.id} "
                    f"v{checklist.version}{where}",
                }
            )
            continue
        problem = value_problem(item, answer.value)
        if problem:
            errors.append({"path": _path(item_id), "message": f"{item_id}: {problem}"})
        if len(answer.photos) > item.photo.max:
            errors.append(
                {
                    "path": _path(item_id, "photos"),
                    "message": f"{item_id}: at most {item.photo.max} photos",
                }
            )
    return errors


def submit_errors(
    checklist: Checklist, answers: Mapping[str, Answer], zone_kind: str | None
) -> list[dict]:
    """What a submitted audit must have: every required answer, photo and note."""
    errors = []
    for item in checklist.items():
        if not item.applies_to(zone_kind):
            continue
        answer = answers.get(item.id) or Answer()
        for field, message in _missing(item, answer, checklist.evidence_below_max):
            errors.append({"path": _path(item.id, field), "message": f"{item.id}: {message}"})
    return errors


# JavaScript's `\s`, spelled out: a note of only these is no note, on the server and on the
# tablet alike (Python's str.strip() would also drop U+0085 and U+001C..U+001F, and keep U+FEFF).
_BLANK = re.compile(
    "[\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*"
)


def is_blank(note: str | None) -> bool:
    return not note or _BLANK.fullmatch(note) is not None


def _missing(item: Item, answer: Answer, evidence_below_max: bool = False):
    """(field, message) for each thing the answer lacks: value, then photos, then note.

    Mirrored by `lacks` in pwa/js/rules.js and held to tests/vectors/rules.json.
    """
    if item.type == "photo":
        if (item.is_required or item.photo.required) and not answer.photos:
            yield "photos", "a photo is required"
        return
    if answer.value is None:
        if item.is_required:
            yield "value", "an answer is required"
        return
    failed = is_fail(item, answer.value)
    lacks_photo = False
    if not answer.photos:
        if item.photo.required:
            lacks_photo = True
            yield "photos", "a photo is required"
        elif failed and item.photo.required_if_fail:
            lacks_photo = True
            yield "photos", "a photo of the finding is required when the item fails"
    if failed and item.note_required_if_fail and is_blank(answer.note):
        yield "note", "a note is required when the item fails"
    elif answer.value == NA and item.note_required_if_na and is_blank(answer.note):
        yield "note", "N/A needs a note saying why the item does not apply here"
    elif evidence_below_max and not lacks_photo and _below_max(item, answer):
        yield "note", "every deduction needs its evidence (扣分必有依据): add a photo or a note"


def _below_max(item: Item, answer: Answer) -> bool:
    """A scored answer earning less than the item's full points, with no photo and no note."""
    points = item_points(item, answer.value)
    if points is None or points[0] >= points[1]:
        return False
    return not answer.photos and is_blank(answer.note)


def photo_ids(answers: Mapping[str, Answer]) -> list[str]:
    """Every photo the answers name, once each, in order."""
    return list(dict.fromkeys(sha for answer in answers.values() for sha in answer.photos))


class Tally(msgspec.Struct):
    """What an audit's answers add up to, for reports: kept with each audit, rebuilt by verify.

    `answered`: applicable scored items with a value (not N/A); `na`: those answered N/A;
    `fails`: ids of the failing items, in checklist order; `photos`: answers with a photo.
    """

    answered: int = 0
    na: int = 0
    fails: list[str] = msgspec.field(default_factory=list)
    photos: int = 0


def tally(checklist: Checklist, answers: Mapping[str, Answer], zone_kind: str | None) -> Tally:
    counted = Tally()
    for item in checklist.items():
        answer = answers.get(item.id)
        if answer is None or not item.applies_to(zone_kind):
            continue
        if answer.photos:
            counted.photos += 1
        if answer.value == NA:
            counted.na += 1
        elif answer.value is not None and item.type in SCORED_TYPES:
            counted.answered += 1
            if is_fail(item, answer.value):
                counted.fails.append(item.id)
    return counted


# --------------------------------------------------------------------------- subject fields


def _subject_path(field_id: str) -> str:
    return f"$.subject.{field_id}"


def subject_problem(field: SubjectField, value: object, is_staff) -> str | None:
    """Why `value` can never fill `field` (`is_staff(id)`: an active staff member), or None."""
    if value is None:
        return None
    kind = field.type
    if kind == "number":
        return None if _is_number(value) else "expected a number"
    if not isinstance(value, str):
        return "expected text"
    if kind == "text":
        if len(value) > 200:
            return "at most 200 characters"
        if field.pattern and re.fullmatch(field.pattern, value) is None:
            return f"does not match the pattern {field.pattern}"
        return None
    if kind == "date":
        return None if _is_date(value) else "expected a date YYYY-MM-DD"
    if kind == "choice":
        ids = [option.id for option in field.options or ()]
        return None if value in ids else f"not one of the options: {', '.join(ids)}"
    return None if is_staff(value) else f"no staff member {value[:64]!r}"


def _is_date(value: str) -> bool:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def subject_errors(checklist: Checklist, subject: Mapping[str, object], is_staff) -> list[dict]:
    """Subject values that can never be right: an unknown field, a wrong type or pattern."""
    fields = {f.id: f for f in checklist.subject or ()}
    errors = []
    for field_id, value in subject.items():
        field = fields.get(field_id)
        if field is None:
            message = (
                f"unknown subject field {field_id!r}: not in {checklist.id} v{checklist.version}"
            )
        else:
            message = subject_problem(field, value, is_staff)
        if message:
            errors.append({"path": _subject_path(field_id), "message": f"{field_id}: {message}"})
    return errors


def subject_missing(checklist: Checklist, subject: Mapping[str, object]) -> list[dict]:
    """Required subject fields a submitted audit leaves empty."""
    return [
        {"path": _subject_path(f.id), "message": f"{f.id}: required"}
        for f in checklist.subject or ()
        if f.required and (subject.get(f.id) is None or subject.get(f.id) == "")
    ]
