"""The appraisal's rules: checklists/appraisal.yaml, parsed and checked against the packs.

Loaded at start-up like the packs (a bad file stops the server with a message naming the field)
and by `genba checklists validate`. checklists/README.md documents every field.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, field

from server.checklists.format import Checklist, Ident, Text
from server.checklists.loader import ChecklistFileError, parse_yaml

FILE = "appraisal.yaml"


class ScoreLine(Struct, forbid_unknown_fields=True, frozen=True):
    """A checklist in the score, charged to the audited zone's owners."""

    checklist: Ident
    weight: Annotated[float, Meta(gt=0, le=100)] = 1.0


class Insufficient(Struct, forbid_unknown_fields=True, frozen=True):
    rule: Literal["carry_forward", "use_available", "exclude"] = "carry_forward"
    coefficient: Annotated[float, Meta(ge=0, le=10)] = 1.0


class Grade(Struct, forbid_unknown_fields=True, frozen=True):
    min: Annotated[float, Meta(ge=0, le=100)]
    label: Text
    coefficient: Annotated[float, Meta(ge=0, le=10)]


class Charge(Struct, forbid_unknown_fields=True, frozen=True):
    """Who a rate is charged to: the zone's owners (no subject), or the staff member named by
    the audit's `subject` field of that id."""

    subject: Ident | None = None


class RateLine(Struct, forbid_unknown_fields=True, frozen=True):
    id: Ident
    checklist: Ident
    measure: Literal["done", "go", "mean"]
    label: Text
    charge: Charge = field(default_factory=Charge)


class Rules(Struct, forbid_unknown_fields=True, frozen=True):
    version: Annotated[int, Meta(ge=1)]
    score: Annotated[list[ScoreLine], Meta(min_length=1, max_length=100)]
    grades: Annotated[list[Grade], Meta(min_length=1, max_length=20)]
    min_audits: Annotated[int, Meta(ge=1, le=100)] = 1
    insufficient: Insufficient = field(default_factory=Insufficient)
    rates: Annotated[list[RateLine], Meta(max_length=100)] = field(default_factory=list)

    def weights(self) -> dict[str, float]:
        return {line.checklist: line.weight for line in self.score}

    def grade(self, score: float | None) -> Grade | None:
        if score is None:
            return None
        return next((g for g in self.grades if score >= g.min), self.grades[-1])


# With no appraisal.yaml: every checklist that counts (`appraisal: true`) weighs the same,
# one audit is enough, and the grades are the packs' usual bands.
DEFAULT_GRADES = [
    Grade(min=90, label=Text(zh="优", en="Excellent"), coefficient=1.2),
    Grade(min=80, label=Text(zh="良", en="Good"), coefficient=1.0),
    Grade(min=60, label=Text(zh="中", en="Fair"), coefficient=0.8),
    Grade(min=0, label=Text(zh="差", en="Poor"), coefficient=0.6),
]


def default_rules(checklists: list[Checklist]) -> Rules:
    lines = [ScoreLine(checklist=c.id) for c in _newest(checklists).values() if c.appraisal]
    return Rules(version=1, score=lines or [ScoreLine(checklist="none")], grades=DEFAULT_GRADES)


def load_rules(folder: Path, checklists: list[Checklist]) -> Rules:
    """The rules in `folder`/appraisal.yaml, checked against the published `checklists`
    (no file: `default_rules`); raises ChecklistFileError naming the field."""
    path = folder / FILE
    if not path.exists():
        return default_rules(checklists)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChecklistFileError(str(path), "$", f"cannot read: {exc.strerror}") from None
    return parse_rules(raw, checklists, str(path))


def parse_rules(raw: bytes, checklists: list[Checklist], file: str = FILE) -> Rules:
    data = parse_yaml(raw, file)
    try:
        rules = msgspec.convert(data, Rules, strict=True)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).rpartition(" - at ")
        if not message:  # at the top level msgspec names no path
            message, where = str(exc), "$"
        raise ChecklistFileError(file, where.strip("`"), message) from None
    problem = check_rules(rules, _newest(checklists))
    if problem:
        raise ChecklistFileError(file, *problem)
    return rules


def rules_hash(rules: Rules) -> str:
    return hashlib.sha256(msgspec.json.encode(rules)).hexdigest()


def _newest(checklists: list[Checklist]) -> dict[str, Checklist]:
    newest: dict[str, Checklist] = {}
    for checklist in checklists:
        if checklist.id not in newest or checklist.version > newest[checklist.id].version:
            newest[checklist.id] = checklist
    return newest


def check_rules(rules: Rules, newest: dict[str, Checklist]) -> tuple[str, str] | None:
    """(path, message) of the first rule that spans fields or files and is broken."""
    seen: set[str] = set()
    for n, line in enumerate(rules.score):
        where = f"$.score[{n}].checklist"
        if line.checklist not in newest:
            return where, f"no published checklist {line.checklist!r}"
        if line.checklist in seen:
            return where, f"{line.checklist} is listed twice"
        if not newest[line.checklist].appraisal:
            return where, f"{line.checklist} says `appraisal: false`: it cannot be in the score"
        seen.add(line.checklist)
    mins = [g.min for g in rules.grades]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        return "$.grades", "grades must run from the highest min down, each min once"
    if mins[-1] != 0:
        return f"$.grades[{len(mins) - 1}].min", "the last grade must start at 0"
    ids: set[str] = set()
    for n, rate in enumerate(rules.rates):
        problem = _rate_problem(rate, newest.get(rate.checklist), ids)
        if problem:
            return f"$.rates[{n}].{problem[0]}", problem[1]
        ids.add(rate.id)
    return None


def _rate_problem(rate: RateLine, checklist: Checklist | None, ids: set[str]):
    if rate.id in ids:
        return "id", f"rate {rate.id!r} is listed twice"
    if checklist is None:
        return "checklist", f"no published checklist {rate.checklist!r}"
    if rate.measure == "done" and not checklist.due_every_days:
        return "measure", f"{rate.checklist} has no due_every_days: nothing is due to be done"
    if rate.charge.subject is not None:
        fields = {f.id: f for f in checklist.subject or ()}
        subject = fields.get(rate.charge.subject)
        if subject is None or subject.type != "staff":
            return "charge.subject", (
                f"{rate.checklist} v{checklist.version} has no staff subject field"
                f" {rate.charge.subject!r}"
            )
        if rate.measure == "done":
            return "measure", "a rate charged to a subject cannot be `done` (nothing is due)"
    return None
