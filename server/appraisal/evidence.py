"""The evidence behind an appraisal figure: the audits it rests on and every deduction in them.

A deduction (扣分) is an applicable scored answer that earns less than the item's full points
(`item_points` earned < possible: a score below the top level, a pass/fail that failed, a
choice other than the best-scoring option, a number out of its range), as the checklists'
扣分必有依据 rule counts them (server/checklists/answers.py), plus any red line (a failed
critical item, a score below `critical_below`) even where the item weighs nothing. Unanswered,
N/A and invalid values never deduct.

Everything is read from the audit's stored body and judged by the exact checklist version it
was filled against (server/checklists/registry.get_version), so a later version never changes
what an old audit deducted. Only photos the audit's officer delivered are listed (a hash
merely named prints as nothing, as on the scorecard).

The XLSX's audits and deductions sheets (server/appraisal/exports.py) and the per-person
statement (server/appraisal/statement.py) read these two lists.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.access import granted_photos_sql
from server.checklists.format import SCORED_TYPES, Checklist, Item
from server.checklists.registry import get_version
from server.checklists.scoring import NA, is_red_line, item_points
from server.core.db import Store
from server.photos.files import valid_sha256

CHUNK = 500  # ids per query: well inside SQLite's limit on bound variables


class _Answer(msgspec.Struct):
    value: Any = None
    note: str = ""
    photos: list[str] = msgspec.field(default_factory=list)


class _Body(msgspec.Struct):
    answers: dict[str, _Answer] = msgspec.field(default_factory=dict)


_body = msgspec.json.Decoder(_Body)


def _chunks(ids: list[str]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _audits(db, ids: list[str], with_body: bool) -> dict[str, dict]:
    """The audits named, by id, with their zone, officer's name and (optionally) body."""
    found: dict[str, dict] = {}
    columns = (
        "a.id as audit_id, a.zone_id, z.name as zone, z.kind as zone_kind, a.day,"
        " a.checklist_id, a.checklist_version, u.name as officer,"
        " a.score_percent as percent" + (", a.body" if with_body else "")
    )
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        for row in db.query(
            f"select {columns} from audits a left join zones z on z.id = a.zone_id"
            f" left join users u on u.id = a.officer_id where a.id in ({marks})",
            chunk,
        ):
            found[row["audit_id"]] = row
    return found


def _delivered(db, ids: list[str]) -> set[tuple[str, str]]:
    """(audit id, sha256) of every photo the audits name that their officer delivered."""
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        found.update(
            db.execute(
                "select ap.audit_id, ap.sha256 from audit_photos ap join audits a"
                f" on a.id = ap.audit_id where ap.audit_id in ({marks})"
                f" and {granted_photos_sql('a')}",
                chunk,
            )
        )
    return found


def audit_lines(store: Store, audit_ids: list[str]) -> list[dict]:
    """One line per audit, in the order given (each once; unknown ids are skipped):
    {audit_id, zone_id, zone, day, checklist_id, checklist_version, officer, percent}."""
    ids = _unique(audit_ids)
    found = _audits(store.read(), ids, with_body=False)
    keys = ("audit_id", "zone_id", "zone", "day", "checklist_id", "checklist_version")
    return [
        {
            **{k: found[i][k] for k in keys},
            "officer": found[i]["officer"],
            "percent": found[i]["percent"],
        }
        for i in ids
        if i in found
    ]


def below_best(item: Item, value) -> bool:
    """Whether an answer deducts: it earns less than the item's full points, or it is a red
    line. Unscored items, unanswered, N/A and invalid values never deduct."""
    if item.type not in SCORED_TYPES or value is None or value == NA:
        return False
    points = item_points(item, value)
    return (points is not None and points[0] < points[1]) or is_red_line(item, value)


def anchor_of(item: Item, value) -> tuple[str | None, str | None]:
    """(zh, en) anchor text of the level a score item was given; (None, None) otherwise."""
    if item.type != "score" or isinstance(value, bool) or not isinstance(value, int | float):
        return None, None
    if isinstance(value, float) and not value.is_integer():
        return None, None
    text = (item.anchors or {}).get(int(value))
    return (text.zh, text.en) if text else (None, None)


def audit_deductions(
    audit: dict, checklist: Checklist, answers: dict[str, _Answer], delivered: set
) -> list[dict]:
    """The deductions of one audit (a row of `_audits`), in checklist order."""
    out = []
    for section in checklist.sections:
        for item in section.items:
            if not item.applies_to(audit["zone_kind"]):
                continue
            answer = answers.get(item.id)
            if answer is None or not below_best(item, answer.value):
                continue
            anchor, anchor_en = anchor_of(item, answer.value)
            photos = [
                sha
                for sha in dict.fromkeys(answer.photos)
                if valid_sha256(sha) and (audit["audit_id"], sha) in delivered
            ]
            out.append(
                {
                    "audit_id": audit["audit_id"],
                    "zone_id": audit["zone_id"],
                    "day": audit["day"],
                    "checklist_id": audit["checklist_id"],
                    "checklist_version": audit["checklist_version"],
                    "officer": audit["officer"],
                    "percent": audit["percent"],
                    "section": section.title.zh,
                    "item_id": item.id,
                    "item_label": item.label.zh,
                    "item_label_en": item.label.en,
                    "value": answer.value,
                    "max": item.levels if item.type == "score" else None,
                    "anchor": anchor,
                    "anchor_en": anchor_en,
                    "note": answer.note or "",
                    "photos": photos,
                    "red_line": is_red_line(item, answer.value),
                }
            )
    return out


def deductions(store: Store, audit_ids: list[str]) -> list[dict]:
    """Every deduction in the audits named, audit by audit in the order given (each audit
    once), items in checklist order. Each: {audit_id, zone_id, day, checklist_id,
    checklist_version, officer, percent, section, item_id, item_label, item_label_en, value,
    max, anchor, anchor_en, note, photos, red_line}; `max` is a score item's top level (else
    None), `anchor` the zh text of the level given (score items with anchors, else None),
    `photos` the sha256 of the photos delivered with the answer."""
    ids = _unique(audit_ids)
    db = store.read()
    found = _audits(db, ids, with_body=True)
    delivered = _delivered(db, [i for i in ids if i in found])
    out: list[dict] = []
    for audit_id in ids:
        audit = found.get(audit_id)
        if audit is None or not audit["body"]:
            continue
        checklist = get_version(store, audit["checklist_id"], audit["checklist_version"])
        if checklist is None:
            continue
        answers = _body.decode(audit["body"]).answers
        out += audit_deductions(audit, checklist, answers, delivered)
    return out
