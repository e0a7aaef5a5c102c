"""Supervisor reports: zone trends and ranks, the findings Pareto, officer calibration.

What counts: audits of one checklist (the 6S audit unless asked), submitted or approved (a
returned audit is being fixed; drafts, discarded and void ones never count), in the month the
clock rule gave them, of the sites the caller may see. Means are of audit percents, one
decimal, half up, as the appraisal's. Everything comes from indexed columns and each audit's
stored tally (server/checklists/answers.py), so a report over a year of a big company stays
fast (bench/reports.py).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict

import msgspec

from server import access
from server.audits.shapes import StoredBody
from server.checklists.format import Checklist, Text
from server.checklists.registry import latest_versions
from server.core.db import Store
from server.people.users import User

COUNTED = "('submitted', 'approved')"
PHOTOS_PER_FINDING = 6


def mean(values: list[float]) -> float | None:
    return None if not values else round1(sum(values) / len(values))


def round1(value: float | None) -> float | None:
    # Half up, negatives too (a difference of -2.35 is -2.3), as the scorer rounds.
    return None if value is None else math.floor(value * 10 + 0.5) / 10


def _checklist(store: Store, checklist_id: str) -> Checklist | None:
    return next((c for c in latest_versions(store) if c.id == checklist_id), None)


def _scope(user: User, site_id: str | None) -> tuple[str, list]:
    """The WHERE fragment for the caller's sites (and one site when asked)."""
    where, params = access.audits_filter(user, "a")
    if site_id:
        where, params = f"{where} and a.site_id = ?", [*params, site_id]
    return where, params


# --------------------------------------------------------------------------- zones


class SectionRef(msgspec.Struct):
    id: str
    title: Text


class ZoneMonth(msgspec.Struct):
    zone_id: str
    zone: str
    zone_en: str | None
    site_id: str
    kind: str
    month: str
    audits: int
    mean: float | None
    sections: dict[str, float | None]
    rank: int | None  # within the zone kind that month; 1 is the best
    ranked: int  # zones of that kind ranked that month
    red_flag: bool  # 流动红旗: the month's best zone of its kind


class ZonesReport(msgspec.Struct):
    checklist_id: str
    sections: list[SectionRef]
    months: list[str]
    rows: list[ZoneMonth]


def zones_report(
    store: Store, user: User, first: str, last: str, checklist_id: str, site_id: str | None
) -> ZonesReport:
    checklist = _checklist(store, checklist_id)
    sections = [SectionRef(s.id, s.title) for s in checklist.sections] if checklist else []
    where, params = _scope(user, site_id)
    extract = "".join(
        f", avg(json_extract(a.score, '$.sections.\"{s.id}\".percent')) as s{i}"
        for i, s in enumerate(sections)
    )
    sql = (
        "select a.zone_id, a.month, count(*) as n, avg(a.score_percent) as mean,"
        f" z.name, z.name_en, z.kind, z.site_id{extract}"
        " from audits a join zones z on z.id = a.zone_id"
        f" where a.checklist_id = ? and a.month between ? and ? and a.status in {COUNTED}"
        f" and {where} group by a.zone_id, a.month order by a.month, a.zone_id"
    )
    rows = []
    for r in store.read().query(sql, [checklist_id, first, last, *params]):
        rows.append(
            ZoneMonth(
                zone_id=r["zone_id"],
                zone=r["name"],
                zone_en=r["name_en"],
                site_id=r["site_id"],
                kind=r["kind"],
                month=r["month"],
                audits=r["n"],
                mean=round1(r["mean"]),
                sections={s.id: round1(r[f"s{i}"]) for i, s in enumerate(sections)},
                rank=None,
                ranked=0,
                red_flag=False,
            )
        )
    _rank(rows)
    months = sorted({row.month for row in rows})
    return ZonesReport(checklist_id=checklist_id, sections=sections, months=months, rows=rows)


def _rank(rows: list[ZoneMonth]) -> None:
    """Rank each month's zones within their kind by mean, ties sharing a rank (1, 1, 3)."""
    groups: dict[tuple[str, str], list[ZoneMonth]] = defaultdict(list)
    for row in rows:
        if row.mean is not None:
            groups[(row.month, row.kind)].append(row)
    for group in groups.values():
        for row in group:
            row.rank = 1 + sum(1 for other in group if other.mean > row.mean)
            row.ranked = len(group)
            row.red_flag = row.rank == 1


# --------------------------------------------------------------------------- findings


class ZoneFails(msgspec.Struct):
    zone_id: str
    fails: int


class Finding(msgspec.Struct):
    item_id: str
    label: Text | None
    section_id: str | None
    fails: int
    zones: list[ZoneFails]
    audit_ids: list[str]
    photos: list[str]  # photos of the finding, delivered by their officers (a few)


class FindingsReport(msgspec.Struct):
    month: str
    checklist_id: str
    audits: int  # audits counted: what `fails` is out of
    findings: list[Finding]  # most failed first


def findings_report(
    store: Store, user: User, month: str, checklist_id: str, site_id: str | None
) -> FindingsReport:
    where, params = _scope(user, site_id)
    db = store.read()
    rows = list(
        db.query(
            "select a.id, a.zone_id, a.tally from audits a where a.month = ? and a.checklist_id = ?"
            f" and a.status in {COUNTED} and {where} order by a.rowid",
            [month, checklist_id, *params],
        )
    )
    fails: dict[str, list[tuple[str, str]]] = defaultdict(list)  # item -> [(audit, zone)]
    for row in rows:
        for item_id in json.loads(row["tally"] or "{}").get("fails", []):
            fails[item_id].append((row["id"], row["zone_id"]))
    checklist = _checklist(store, checklist_id)
    items = {i.id: (s.id, i) for s in checklist.sections for i in s.items} if checklist else {}
    findings = [_finding(db, item_id, found, items) for item_id, found in fails.items()]
    findings.sort(key=lambda f: (-f.fails, f.item_id))
    return FindingsReport(
        month=month, checklist_id=checklist_id, audits=len(rows), findings=findings
    )


def _finding(db, item_id: str, found: list[tuple[str, str]], items: dict) -> Finding:
    per_zone: dict[str, int] = defaultdict(int)
    for _, zone_id in found:
        per_zone[zone_id] += 1
    section_id, item = items.get(item_id, (None, None))
    return Finding(
        item_id=item_id,
        label=item.label if item else None,
        section_id=section_id,
        fails=len(found),
        zones=[ZoneFails(z, n) for z, n in sorted(per_zone.items(), key=lambda p: (-p[1], p[0]))],
        audit_ids=[audit_id for audit_id, _ in found],
        photos=_finding_photos(db, item_id, [audit_id for audit_id, _ in found]),
    )


def _finding_photos(db, item_id: str, audit_ids: list[str]) -> list[str]:
    """A few photos of the finding, only those their audit's officer delivered."""
    photos: list[str] = []
    for audit_id in audit_ids:
        row = db.execute("select body from audits where id = ?", [audit_id]).fetchone()
        answer = msgspec.json.decode(row[0], type=StoredBody).answers.get(item_id)
        delivered = {
            sha
            for (sha,) in db.execute(
                "select ap.sha256 from audit_photos ap join audits a on a.id = ap.audit_id"
                f" where ap.audit_id = ? and {access.granted_photos_sql('a')}",
                [audit_id],
            )
        }
        photos += [sha for sha in (answer.photos if answer else []) if sha in delivered]
        if len(photos) >= PHOTOS_PER_FINDING:
            break
    return photos[:PHOTOS_PER_FINDING]


# --------------------------------------------------------------------------- officers

HOW_TO_READ = Text(
    zh="偏差 = 该审核员的得分减去同月其他审核员审核同一区域的平均分；正数偏宽、负数偏严，"
    "接近 0 说明标准一致。不适用率高、拍照率低或不合格率异常，值得一起复核评分标准。",
    en="Difference = this officer's percent minus the mean of other officers' audits of the "
    "same zone that month: above 0 lenient, below 0 strict, near 0 consistent. A high N/A "
    "rate, a low photo rate or an unusual fail rate is worth a calibration walk together.",
)


class OfficerMonth(msgspec.Struct):
    officer_id: int
    name: str
    audits: int
    mean: float | None
    difference: float | None  # mean of (own percent - others' mean) over comparable audits
    compared: int  # audits with another officer's audit of the same zone that month
    na_rate: float | None  # N/A answers / answers, percent
    photo_rate: float | None  # answers with a photo / answers, percent
    fail_rate: float | None  # failing answers / scored answers, percent


class OfficersReport(msgspec.Struct):
    month: str
    checklist_id: str
    how_to_read: Text
    officers: list[OfficerMonth]


def officers_report(
    store: Store, user: User, month: str, checklist_id: str, site_id: str | None
) -> OfficersReport:
    where, params = _scope(user, site_id)
    rows = list(
        store.read().query(
            "select a.officer_id, a.zone_id, a.score_percent, a.tally, u.name"
            " from audits a join users u on u.id = a.officer_id where a.month = ?"
            f" and a.checklist_id = ? and a.status in {COUNTED} and {where}",
            [month, checklist_id, *params],
        )
    )
    by_zone: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for r in rows:
        if r["score_percent"] is not None:
            by_zone[r["zone_id"]].append((r["officer_id"], r["score_percent"]))
    by_officer: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_officer[r["officer_id"]].append(r)
    officers = [_officer(mine, by_zone) for mine in by_officer.values()]
    officers.sort(key=lambda o: o.name)
    return OfficersReport(
        month=month, checklist_id=checklist_id, how_to_read=HOW_TO_READ, officers=officers
    )


def _rate(part: int, whole: int) -> float | None:
    return round1(part / whole * 100) if whole else None


def _officer(mine: list[dict], by_zone: dict) -> OfficerMonth:
    officer_id = mine[0]["officer_id"]
    percents = [r["score_percent"] for r in mine if r["score_percent"] is not None]
    differences = []
    for r in mine:
        others = [p for o, p in by_zone[r["zone_id"]] if o != officer_id]
        if others and r["score_percent"] is not None:
            differences.append(r["score_percent"] - sum(others) / len(others))
    tallies = [json.loads(r["tally"] or "{}") for r in mine]
    answered = sum(t.get("answered", 0) for t in tallies)
    na = sum(t.get("na", 0) for t in tallies)
    return OfficerMonth(
        officer_id=officer_id,
        name=mine[0]["name"],
        audits=len(mine),
        mean=mean(percents),
        difference=mean(differences) if differences else None,
        compared=len(differences),
        na_rate=_rate(na, answered + na),
        photo_rate=_rate(sum(t.get("photos", 0) for t in tallies), answered + na),
        fail_rate=_rate(sum(len(t.get("fails", [])) for t in tallies), answered),
    )


# --------------------------------------------------------------------------- the queue


class Count(msgspec.Struct):
    id: str
    name: str | None
    count: int


class QueueCounts(msgspec.Struct):
    """What waits for review, for the queue's filters: how many, and by what."""

    total: int
    oldest: str | None  # when the longest-waiting one was submitted
    sites: list[Count]
    zones: list[Count]
    officers: list[Count]
    checklists: list[Count]


def review_queue(user: User) -> tuple[str, list]:
    """The review queue, as a FROM clause (alias a) and its parameters: the submitted audits
    the user may read. Counted here, listed in full on the 需关注 screen (ops/attention.py)."""
    where, params = access.audits_filter(user, "a")
    return f"from audits a where a.status = 'submitted' and {where}", params


def queue_size(db, base: str, params: list) -> tuple[int, str | None]:
    """How many wait in the queue, and since when the oldest was submitted."""
    return db.execute(f"select count(*), min(a.submitted_at) {base}", params).fetchone()


def queue_counts(store: Store, user: User) -> QueueCounts:
    db = store.read()
    base, params = review_queue(user)

    def grouped(column: str, names: str) -> list[Count]:
        rows = db.execute(
            f"select a.{column}, ({names}), count(*) {base} group by a.{column}"
            f" order by count(*) desc, a.{column}",
            params,
        )
        return [Count(str(key), name, n) for key, name, n in rows]

    total, oldest = queue_size(db, base, params)
    return QueueCounts(
        total=total,
        oldest=oldest,
        sites=grouped("site_id", "select name from sites where id = a.site_id"),
        zones=grouped("zone_id", "select name from zones where id = a.zone_id"),
        officers=grouped("officer_id", "select name from users where id = a.officer_id"),
        checklists=grouped("checklist_id", "null"),
    )
