"""The checklist format: msgspec Structs, the one schema for YAML files, the API and storage.

Every field here is documented in checklists/README.md; a test fails when one is not.
Structural checks (types, required fields, unknown fields) come from msgspec; the rules that
span fields (unique ids, anchors within range, bands in order) live in `check_rules`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, field

Ident = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
ItemType = Literal["score", "pass_fail", "number", "choice", "text", "photo"]
SCORED_TYPES = frozenset({"score", "pass_fail", "number", "choice"})


class Text(Struct, forbid_unknown_fields=True, frozen=True):
    """A bilingual string: Chinese first, English second."""

    zh: Annotated[str, Meta(min_length=1, max_length=2000)]
    en: Annotated[str, Meta(min_length=1, max_length=2000)]


class Band(Struct, forbid_unknown_fields=True, frozen=True):
    min: Annotated[float, Meta(ge=0, le=100)]
    label: Text
    color: str | None = None


class PhotoRule(Struct, forbid_unknown_fields=True, frozen=True):
    required: bool = False
    required_if_fail: bool = False
    max: Annotated[int, Meta(ge=0, le=20)] = 5


class Option(Struct, forbid_unknown_fields=True, frozen=True):
    id: Ident
    label: Text
    score: Annotated[float, Meta(ge=0)] | None = None
    fail: bool = False


class ActionRule(Struct, forbid_unknown_fields=True, frozen=True):
    due_days: Annotated[int, Meta(ge=0, le=365)] = 7


class CriticalRule(Struct, forbid_unknown_fields=True, frozen=True):
    """What a failed critical item does: caps the section's or the whole audit's percent."""

    scope: Literal["total", "section"] = "total"
    cap: Annotated[float, Meta(ge=0, le=100)] = 0


class Item(Struct, forbid_unknown_fields=True, frozen=True):
    id: Ident
    label: Text
    type: ItemType
    help: Text | None = None
    max: int | float | None = None
    anchors: dict[int, Text] | None = None
    fail_below: Annotated[float, Meta(ge=0)] | None = None
    min: float | None = None
    unit: str | None = None
    options: list[Option] | None = None
    weight: Annotated[float, Meta(ge=0, le=100)] = 1.0
    na_allowed: bool = False
    required: bool | None = None
    critical: bool = False
    photo: PhotoRule = field(default_factory=PhotoRule)
    note_required_if_fail: bool = False
    creates_action: ActionRule | None = None
    zone_kinds: list[Ident] | None = None
    # What the runner shows beside the item from the tablet's records, to score from them.
    shows: Literal["actions", "red_tags"] | None = None
    # A red line at the worst levels of a score item: below it, the critical_fail rule applies.
    critical_below: Annotated[float, Meta(gt=0)] | None = None
    note_required_if_na: bool = False

    @property
    def levels(self) -> int:
        """The top level of a score item (0..levels); 4 unless the item says otherwise."""
        return int(self.max) if self.max is not None else 4

    @property
    def fail_level(self) -> float:
        """Score values below this count as a fail: half of the top level unless set."""
        return self.fail_below if self.fail_below is not None else self.levels / 2

    @property
    def is_required(self) -> bool:
        """Scored items must be answered unless they say otherwise; text and photo need not."""
        if self.required is not None:
            return self.required
        return self.type in SCORED_TYPES

    def applies_to(self, zone_kind: str | None) -> bool:
        return self.zone_kinds is None or zone_kind is None or zone_kind in self.zone_kinds


class Section(Struct, forbid_unknown_fields=True, frozen=True):
    id: Ident
    title: Text
    items: Annotated[list[Item], Meta(min_length=1, max_length=500)]
    weight: Annotated[float, Meta(ge=0, le=100)] = 1.0
    description: Text | None = None  # an S's definition and slogan, shown as it starts


SubjectType = Literal["text", "number", "date", "choice", "staff"]


class SubjectField(Struct, forbid_unknown_fields=True, frozen=True):
    """Something an audit is about besides its zone (a car's VIN, the sales consultant)."""

    id: Ident
    label: Text
    type: SubjectType
    pattern: Annotated[str, Meta(min_length=1, max_length=500)] | None = None
    required: bool = False
    options: list[Option] | None = None
    help: Text | None = None


class Checklist(Struct, forbid_unknown_fields=True, frozen=True):
    id: Ident
    version: Annotated[int, Meta(ge=1)]
    title: Text
    sections: Annotated[list[Section], Meta(min_length=1, max_length=100)]
    description: Text | None = None
    bands: list[Band] = field(default_factory=list)
    critical_fail: CriticalRule = field(default_factory=CriticalRule)
    zone_kinds: list[Ident] | None = None
    # How often a zone wants this checklist, in days; none: when the work happens (handover).
    due_every_days: Annotated[int, Meta(ge=1, le=366)] | None = None
    section_weighting: Literal["items", "equal"] = "items"
    evidence_below_max: bool = False  # 扣分必有依据: a deduction needs a photo or a note
    appraisal: bool = True  # whether approved audits of it count in the monthly appraisal
    subject: Annotated[list[SubjectField], Meta(max_length=50)] | None = None

    def items(self):
        for section in self.sections:
            yield from section.items

    def item_map(self) -> dict[str, Item]:
        return {item.id: item for item in self.items()}


class FormatError(ValueError):
    """A checklist that breaks the format; `path` is where, e.g. `$.sections[0].items[2].max`."""

    def __init__(self, message: str, path: str = "$"):
        super().__init__(f"{message} - at `{path}`")
        self.message = message
        self.path = path


def check_rules(checklist: Checklist) -> None:
    """Raise FormatError for the first rule that spans fields and is broken."""
    _check_unique([s.id for s in checklist.sections], "section id", "$.sections")
    seen_items: set[str] = set()
    for si, section in enumerate(checklist.sections):
        for ii, item in enumerate(section.items):
            path = f"$.sections[{si}].items[{ii}]"
            if item.id in seen_items:
                raise FormatError(f"item id {item.id!r} is used twice", f"{path}.id")
            seen_items.add(item.id)
            _check_item(item, path)
    bands = [b.min for b in checklist.bands]
    if bands != sorted(bands, reverse=True) or len(set(bands)) != len(bands):
        raise FormatError("bands must be listed from the highest min to the lowest", "$.bands")
    subject = checklist.subject or []
    _check_unique([f.id for f in subject], "subject field id", "$.subject")
    for fi, subject_field in enumerate(subject):
        _check_subject_field(subject_field, f"$.subject[{fi}]")


# Regular-expression syntax only Python knows: a pattern must mean the same on the tablet.
PYTHON_ONLY = re.compile(r"\(\?P|\(\?<[=!]|\(\?#|\\[AZ]|\(\?[aiLmsux]")


def _check_subject_field(subject_field: SubjectField, path: str) -> None:
    if subject_field.pattern is not None:
        if subject_field.type != "text":
            raise FormatError("pattern belongs to text fields only", f"{path}.pattern")
        try:
            re.compile(subject_field.pattern)
        except re.error as exc:
            raise FormatError(f"not a valid regular expression: {exc}", f"{path}.pattern") from None
        if PYTHON_ONLY.search(subject_field.pattern):
            raise FormatError(
                "use the syntax Python and JavaScript share (no named groups, look-behind,"
                " inline flags, comments, \\A or \\Z)",
                f"{path}.pattern",
            )
    if subject_field.type == "choice":
        if not subject_field.options:
            raise FormatError("choice fields need at least one option", f"{path}.options")
        _check_unique([o.id for o in subject_field.options], "option id", f"{path}.options")
    elif subject_field.options is not None:
        raise FormatError("options belong to choice fields only", f"{path}.options")


def _check_unique(values: list[str], what: str, path: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise FormatError(f"{what} {value!r} is used twice", f"{path}[{i}].id")
        seen.add(value)


def _check_item(item: Item, path: str) -> None:
    if item.type == "score":
        _check_score_item(item, path)
    elif item.anchors is not None or item.fail_below is not None:
        raise FormatError("anchors and fail_below belong to score items only", path)
    if item.type == "number":
        if item.min is None and item.max is None:
            raise FormatError("number items need an accepted range (min, max or both)", path)
        if item.min is not None and item.max is not None and item.min > item.max:
            raise FormatError("min cannot be above max", f"{path}.min")
    elif item.min is not None:
        raise FormatError("min belongs to number items only", f"{path}.min")
    elif item.max is not None and item.type != "score":
        raise FormatError("max belongs to score and number items only", f"{path}.max")
    if item.type == "choice":
        if not item.options:
            raise FormatError("choice items need at least one option", f"{path}.options")
        _check_unique([o.id for o in item.options], "option id", f"{path}.options")
    elif item.options is not None:
        raise FormatError("options belong to choice items only", f"{path}.options")
    if item.type not in SCORED_TYPES and item.critical:
        raise FormatError("only scored items can be critical", f"{path}.critical")
    if item.critical_below is not None and item.type != "score":
        raise FormatError("critical_below belongs to score items only", f"{path}.critical_below")
    if item.note_required_if_na and not item.na_allowed:
        raise FormatError(
            "note_required_if_na needs na_allowed: true", f"{path}.note_required_if_na"
        )


def _check_score_item(item: Item, path: str) -> None:
    if item.max is not None and (item.max != int(item.max) or not 1 <= item.max <= 10):
        raise FormatError("max of a score item must be a whole number from 1 to 10", f"{path}.max")
    if item.anchors is not None and set(item.anchors) != set(range(item.levels + 1)):
        raise FormatError(
            f"anchors must give exactly one text for every level 0..{item.levels}",
            f"{path}.anchors",
        )
    if item.fail_below is not None and item.fail_below > item.levels:
        raise FormatError("fail_below cannot be above max", f"{path}.fail_below")
    if item.critical_below is not None:
        where = f"{path}.critical_below"
        if item.critical_below > item.levels:
            raise FormatError(f"critical_below cannot be above max ({item.levels})", where)
        if item.critical_below > item.fail_level:
            raise FormatError(
                f"critical_below cannot be above the fail level ({item.fail_level:g}):"
                " a passing answer is never a red line",
                where,
            )
        if item.critical:
            raise FormatError(
                "critical: true already makes every fail a red line; use one or the other", where
            )


def to_builtins(checklist: Checklist) -> dict:
    """The JSON-ready form served by the API; the same shape the YAML was written in."""
    return msgspec.to_builtins(checklist)
