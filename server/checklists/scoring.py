"""Scoring an audit: the server's word on points, percent, band and critical caps.

The browser preview (pwa/js/scoring.js) implements the same rules and tests/vectors/scoring.json
holds the two to identical output. So every sum is done in IEEE doubles in one fixed order
(sections, then items, in checklist order, left to right) and rounding is floor(x + 0.5), which
JavaScript reproduces bit for bit; Python's round() (half to even) would not.

Pure functions, no I/O. Values are validated by the API before they get here; a value of the
wrong kind for its item is still tolerated and counts as unanswered, so scoring never crashes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import msgspec

from server.checklists.format import Band, Checklist, Item, Option

NA = "na"


class Answer(msgspec.Struct, forbid_unknown_fields=True):
    value: int | float | str | None = None
    note: str = ""
    photos: list[str] = msgspec.field(default_factory=list)


class SectionScore(msgspec.Struct):
    percent: float | None
    earned: float
    possible: float


class ScoreBand(msgspec.Struct):
    zh: str
    en: str
    min: float
    color: str | None = None


class Score(msgspec.Struct):
    percent: float | None
    earned: float
    possible: float
    band: ScoreBand | None
    sections: dict[str, SectionScore]
    capped_by: list[str]


def _number(value: object) -> float | None:
    """The value as a finite double, else None.

    Converting first makes comparisons work on the same double JavaScript sees; bools are not
    numbers here because JSON keeps them apart.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _score_value(item: Item, value: object) -> float | None:
    number = _number(value)
    # Out of 0..levels would push percent past 100 or below 0, so it is no answer at all.
    return number if number is not None and 0 <= number <= item.levels else None


def _in_range(item: Item, number: float) -> bool:
    return (item.min is None or item.min <= number) and (item.max is None or number <= item.max)


def _option(item: Item, value: object) -> Option | None:
    for option in item.options or ():
        if option.id == value:
            return option
    return None


def _top_option_score(item: Item) -> float:
    return max((option.score or 0 for option in item.options or ()), default=0)


def is_fail(item: Item, value: object) -> bool:
    """Whether the answer is a fail: the trigger for critical caps and follow-up actions.

    "na", unanswered and invalid values never fail; text and photo items cannot fail.
    """
    if value is None or value == NA:
        return False
    if item.type == "score":
        number = _score_value(item, value)
        return number is not None and number < item.fail_level
    if item.type == "pass_fail":
        return value == "fail"
    if item.type == "number":
        number = _number(value)
        return number is not None and not _in_range(item, number)
    if item.type == "choice":
        option = _option(item, value)
        return option is not None and option.fail
    return False


def is_red_line(item: Item, value: object) -> bool:
    """Whether the answer triggers the checklist's critical_fail rule: any fail of a `critical`
    item, or a score below the item's `critical_below` (a red line at its worst levels)."""
    if item.critical and is_fail(item, value):
        return True
    if item.critical_below is None or item.type != "score":
        return False
    number = _score_value(item, value)
    return number is not None and number < item.critical_below


def item_points(item: Item, value: object) -> tuple[float, float] | None:
    """(earned, possible) for one answer, or None when it does not count towards the score.

    None for: unscored types (text, photo), weight 0, unanswered, "na" and invalid values, and
    choice items whose options carry no positive score (there is no scale to measure against).
    """
    weight = item.weight
    if value is None or value == NA or weight == 0:
        return None
    if item.type == "score":
        number = _score_value(item, value)
        return None if number is None else (number / item.levels * weight, weight)
    if item.type == "pass_fail":
        if value not in ("pass", "fail"):
            return None
        return (weight if value == "pass" else 0.0, weight)
    if item.type == "number":
        number = _number(value)
        return None if number is None else (weight if _in_range(item, number) else 0.0, weight)
    if item.type == "choice":
        top = _top_option_score(item)
        option = _option(item, value)
        if top <= 0 or option is None:
            return None
        return ((option.score or 0) / top * weight, weight)
    return None


def _cap(earned: float, possible: float, cap: float) -> float:
    return min(earned, cap / 100 * possible)


def _percent(earned: float, possible: float) -> float | None:
    # One decimal, half up; None when nothing counted (all N/A, unanswered or excluded).
    if possible == 0:
        return None
    return math.floor(earned / possible * 100 * 10 + 0.5) / 10


def _round2(x: float) -> float:
    return math.floor(x * 100 + 0.5) / 100


def _band(bands: list[Band], percent: float | None) -> ScoreBand | None:
    # Bands are listed highest min first, so the first one reached is the best one earned.
    if percent is None:
        return None
    for band in bands:
        if band.min <= percent:
            return ScoreBand(zh=band.label.zh, en=band.label.en, min=band.min, color=band.color)
    return None


def score_audit(
    checklist: Checklist, answers: Mapping[str, Answer], zone_kind: str | None = None
) -> Score:
    """Score an audit.

    - Items that do not apply to `zone_kind` are ignored entirely (score and caps).
    - Unanswered, "na" and invalid answers are out of both earned and possible: the score says
      how well the answered items did; completeness is reported separately.
    - A section counts as its earned and possible times its weight; percent is always
      earned / possible * 100 of the totals.
    - With section_weighting "equal", a section counts as its fraction earned / possible
      times its weight, out of its weight (sections with nothing scored are left out).
    - A red line (a failed critical item, or a score below its critical_below) caps earned at
      critical_fail.cap percent of possible, for its own section (scope "section", before the
      section goes into the total) or for the total.
    """
    rule = checklist.critical_fail
    earned = possible = 0.0
    sections: dict[str, SectionScore] = {}
    capped_by: list[str] = []
    for section in checklist.sections:
        section_earned = section_possible = 0.0
        section_failed = False
        for item in section.items:
            if not item.applies_to(zone_kind):
                continue
            answer = answers.get(item.id)
            value = None if answer is None else answer.value
            points = item_points(item, value)
            if points is not None:
                section_earned += points[0]
                section_possible += points[1]
            if is_red_line(item, value):
                capped_by.append(item.id)
                section_failed = True
        if section_failed and rule.scope == "section":
            section_earned = _cap(section_earned, section_possible, rule.cap)
        sections[section.id] = SectionScore(
            percent=_percent(section_earned, section_possible),
            earned=_round2(section_earned),
            possible=_round2(section_possible),
        )
        if checklist.section_weighting == "equal":
            # Each section by its fraction, so each S weighs the same whatever its item count.
            if section_possible > 0:
                earned += section_earned / section_possible * section.weight
                possible += section.weight
        else:
            earned += section_earned * section.weight
            possible += section_possible * section.weight
    if capped_by and rule.scope == "total":
        earned = _cap(earned, possible, rule.cap)
    percent = _percent(earned, possible)
    return Score(
        percent=percent,
        earned=_round2(earned),
        possible=_round2(possible),
        band=_band(checklist.bands, percent),
        sections=sections,
        capped_by=capped_by,
    )
