"""The month's appraisal (考核), computed live by the rules of checklists/appraisal.yaml.

docs/appraisal.md is the contract; in short:
- zone-month score: per checklist of `score`, the mean of the zone's approved audits of the
  month (a voided audit is no longer approved; versions saying `appraisal: false` never
  count); then the weighted mean of those checklist means. Every figure is rounded to one
  decimal (half up) before it is used in the next, so each can be checked by hand;
- fewer than `min_audits` audits: 样本不足, and `insufficient.rule` decides what is used;
- a person's score: Σ(zone-month × share × days owned) / Σ(share × days) over their zones;
- grade and coefficient from the score; red lines, corrective actions and the `rates` shown
  beside it, never mixed in.
A month's audits are the ones the clock rule put in it (server/core/clock.py).
"""

from __future__ import annotations

import calendar
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from server.access import sees_site
from server.appraisal.rules import RateLine, Rules, rules_hash
from server.checklists.registry import get_version, latest_versions
from server.core.db import Store
from server.people.owners import owners_on, periods
from server.people.users import User
from server.records.action_lists import appraisal_counts


def round1(value: float | None) -> float | None:
    """One decimal, half up, as the scorer rounds (a tiny epsilon keeps 92.45 at 92.5)."""
    return None if value is None else int(value * 10 + 0.5 + 1e-9) / 10


def mean(values: list[float]) -> float | None:
    return round1(sum(values) / len(values)) if values else None


def month_days(month: str) -> tuple[date, date]:
    year, number = map(int, month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def previous_month(month: str) -> str:
    first, _ = month_days(month)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@dataclass
class Audit:
    id: str
    zone_id: str
    day: str
    checklist_id: str
    percent: float
    officer_id: int
    red_lines: list[str]


@dataclass
class ZoneMonth:
    """What a zone's audits of the month that count in the score add up to."""

    audits: list[Audit] = field(default_factory=list)
    by_checklist: dict[str, float] = field(default_factory=dict)  # checklist mean, rounded
    score: float | None = None  # the weighted mean of by_checklist, rounded


class _Versions:
    """Whether a checklist version counts in the appraisal; each version read once."""

    def __init__(self, store: Store):
        self.store, self.seen = store, {}

    def counts(self, checklist_id: str, version: int) -> bool:
        key = (checklist_id, version)
        if key not in self.seen:
            checklist = get_version(self.store, checklist_id, version)
            self.seen[key] = checklist is None or checklist.appraisal
        return self.seen[key]


def _red_lines(score_json: str | None) -> list[str]:
    if not score_json:
        return []
    return list(msgspec.json.decode(score_json).get("capped_by") or [])


def zone_months(db, versions: _Versions, rules: Rules, month: str, zones) -> dict[str, ZoneMonth]:
    """Per zone (of `zones`), its zone-month from the approved audits that count."""
    weights = rules.weights()
    marks = ", ".join("?" * len(weights))
    found: dict[str, ZoneMonth] = defaultdict(ZoneMonth)
    for row in db.execute(
        "select id, zone_id, day, checklist_id, checklist_version, score_percent, officer_id,"
        " score from audits where month = ? and status = 'approved'"
        f" and score_percent is not null and checklist_id in ({marks}) order by day, id",
        [month, *weights],
    ):
        audit_id, zone_id, day, checklist_id, version, percent, officer, score = row
        if zone_id in zones and versions.counts(checklist_id, version):
            found[zone_id].audits.append(
                Audit(audit_id, zone_id, day, checklist_id, percent, officer, _red_lines(score))
            )
    for zone in found.values():
        per: dict[str, list[float]] = defaultdict(list)
        for audit in zone.audits:
            per[audit.checklist_id].append(audit.percent)
        zone.by_checklist = {c: mean(p) for c, p in sorted(per.items())}
        total = sum(weights[c] for c in zone.by_checklist)
        zone.score = round1(sum(s * weights[c] for c, s in zone.by_checklist.items()) / total)
    return found


def ownership(db, zone_ids, month: str) -> dict[str, dict[str, list[tuple[float, int]]]]:
    """Per staff member, per zone: (share, days) of each ownership period in the month."""
    first, last = month_days(month)
    owned: dict[str, dict[str, list[tuple[float, int]]]] = defaultdict(lambda: defaultdict(list))
    for zone_id in zone_ids:
        for period in periods(db, zone_id):
            start = max(first, date.fromisoformat(period.starts))
            end = min(last, date.fromisoformat(period.ends) if period.ends else last)
            if start > end:
                continue
            for owner in period.owners:
                owned[owner.staff_id][zone_id].append((owner.share, (end - start).days + 1))
    return owned


def month_end(month: str, timezone: str) -> tuple[str, str]:
    """(the instant, the day) actions are counted at: the month's end, or now while it runs."""
    _, last = month_days(month)
    after = last + timedelta(days=1)
    end = datetime.combine(after, time(), ZoneInfo(timezone)).astimezone(UTC)
    now = datetime.now(UTC)
    if end > now:
        return now.isoformat(timespec="milliseconds"), now.astimezone(ZoneInfo(timezone)).date()
    return end.isoformat(timespec="milliseconds"), after


class Month:
    """Everything one month's rows are made of, read once."""

    def __init__(self, store: Store, user: User | None, month: str, timezone: str, rules: Rules):
        self.store, self.month, self.rules = store, month, rules
        self.db = db = store.read()
        self.zones = {
            row["id"]: row
            for row in db.query("select id, name, name_en, site_id, kind, checklist_ids from zones")
            if user is None or sees_site(user, row["site_id"])
        }
        self.versions = versions = _Versions(store)
        self.zone_months = zone_months(db, versions, rules, month, self.zones)
        self.red_lines = red_line_audits(db, versions, month, self.zones)
        self.before = self._months_before()
        self.owned = ownership(db, self.zones, month)
        at, overdue_before = month_end(month, timezone)
        self.actions = appraisal_counts(db, at, str(overdue_before))
        self.rates = _Rates(db, versions, self.zones, month)
        self.rates.load(rules)

    def _months_before(self) -> dict[str, ZoneMonth]:
        """Last month's zone-months, for the zones short of audits (carry_forward only)."""
        if self.rules.insufficient.rule != "carry_forward":
            return {}
        short = {
            z
            for z in self.zones
            if len(self.zone_months.get(z, ZoneMonth()).audits) < self.rules.min_audits
        }
        earlier = previous_month(self.month)
        found = zone_months(self.db, self.versions, self.rules, earlier, short)
        return {z: zm for z, zm in found.items() if len(zm.audits) >= self.rules.min_audits}


def zone_part(m: Month, zone_id: str, held: list[tuple[float, int]]) -> dict:
    """One zone of a person's row: its zone-month, what is used, and their share of it."""
    zm = m.zone_months.get(zone_id, ZoneMonth())
    zone = m.zones[zone_id]
    counts = Counter(a.checklist_id for a in zm.audits)
    enough = len(zm.audits) >= m.rules.min_audits
    used, carried = zm.score, None
    if not enough:
        rule = m.rules.insufficient.rule
        if rule == "exclude":
            used = None
        elif rule == "carry_forward" and zone_id in m.before:
            used, carried = m.before[zone_id].score, previous_month(m.month)
    return {
        "zone_id": zone_id,
        "zone": zone["name"],
        "zone_en": zone["name_en"],
        "share": round1(sum(share * days for share, days in held) / sum(d for _, d in held)),
        "days": sum(days for _, days in held),
        "weight": sum(share * days for share, days in held) / 100,
        "score": zm.score,
        "checklists": [
            {"checklist_id": c, "score": s, "audit_count": counts[c]}
            for c, s in zm.by_checklist.items()
        ],
        "audit_count": len(zm.audits),
        "audit_ids": [a.id for a in zm.audits],
        "officers": sorted({a.officer_id for a in zm.audits}),
        "insufficient": not enough,
        "used": used,
        "carried_from": carried,
    }


def person_row(m: Month, person: dict) -> dict:
    held = m.owned.get(person["id"], {})
    parts = [zone_part(m, zone_id, held[zone_id]) for zone_id in sorted(held)]
    counted = [p for p in parts if p["used"] is not None]
    weight = sum(p["weight"] for p in counted)
    score = round1(sum(p["used"] * p["weight"] for p in counted) / weight) if weight else None
    grade = m.rules.grade(score)
    # The officers behind this month's own figures (a carried score is last month's).
    behind = [p for p in parts if p["used"] is not None and not p["carried_from"]]
    officers = {o for p in behind for o in p["officers"]}
    actions_open, actions_overdue = m.actions.get(person["id"], (0, 0))
    return {
        "staff_id": person["id"],
        "employee_no": person["employee_no"],
        "name": person["name"],
        "name_en": person["name_en"],
        "site_id": person["site_id"],
        "score": score,
        "grade": grade.label.zh if grade else None,
        "grade_en": grade.label.en if grade else None,
        "coefficient": grade.coefficient if grade else m.rules.insufficient.coefficient,
        "insufficient": any(p["insufficient"] for p in parts),
        "single_officer": len(officers) == 1,
        "red_lines": _red_lines_of(m, person["id"], parts),
        "actions_open": actions_open,
        "actions_overdue": actions_overdue,
        "rates": m.rates.of(person["id"], held),
        "parts": parts,
        "audit_count": sum(p["audit_count"] for p in parts),
        "audit_ids": [i for p in parts for i in p["audit_ids"]],
        "note": _note(m, parts, score),
    }


def red_line_audits(db, versions: _Versions, month: str, zones) -> dict[str, list[dict]]:
    """Per zone, the month's approved audits capped by a red line, of any checklist whose
    version counts in the appraisal (in the score or beside it, such as the weekly facility
    check's extinguishers); a go / no-go record (`appraisal: false`, a handover) is about its
    subject, not the zone, and is left to its rate."""
    found: dict[str, list[dict]] = defaultdict(list)
    for audit_id, zone_id, day, checklist_id, version, score in db.execute(
        "select id, zone_id, day, checklist_id, checklist_version, score from audits"
        " where month = ? and status = 'approved' and json_array_length(score, '$.capped_by') > 0"
        " order by day, id",
        [month],
    ):
        if zone_id in zones and versions.counts(checklist_id, version):
            items = _red_lines(score)
            if items:
                found[zone_id].append(
                    {"audit_id": audit_id, "zone_id": zone_id, "day": day,
                     "checklist_id": checklist_id, "items": items}
                )  # fmt: skip
    return found


def _red_lines_of(m: Month, staff_id: str, parts: list[dict]) -> list[dict]:
    """The red lines found in their zones on days they owned them: audit, day, items."""
    return [
        line
        for part in parts
        for line in m.red_lines.get(part["zone_id"], [])
        if any(o.staff_id == staff_id for o in owners_on(m.db, line["zone_id"], line["day"]))
    ]


def _note(m: Month, parts: list[dict], score: float | None) -> dict:
    """说明: what HR must know about the row, in both languages."""
    zh, en = [], []
    minimum = m.rules.min_audits
    for p in parts:
        if not p["insufficient"]:
            continue
        head = f"{p['zone']}本月{p['audit_count']}次审核（至少{minimum}次），样本不足"
        head_en = f"{p['zone_en'] or p['zone']}: {p['audit_count']} audits (at least {minimum})"
        if p["carried_from"]:
            zh.append(f"{head}，沿用{p['carried_from']}得分{p['used']}")
            en.append(f"{head_en}, {p['carried_from']}'s {p['used']} carried forward")
        elif p["used"] is not None:
            zh.append(f"{head}，按现有审核计分{p['used']}")
            en.append(f"{head_en}, scored from those: {p['used']}")
        else:
            zh.append(f"{head}，不计入得分")
            en.append(f"{head_en}, left out of the score")
    if score is None:
        coefficient = m.rules.insufficient.coefficient
        zh.append(f"本月无可计分审核，系数按{coefficient}")
        en.append(f"no score this month: coefficient {coefficient}")
    return {"zh": "；".join(zh), "en": "; ".join(en)}


class _Rates:
    """The `rates` of the rules: done, go or mean, per person."""

    def __init__(self, db, versions: _Versions, zones: dict, month: str):
        self.db, self.versions, self.zones, self.month = db, versions, zones, month
        self.lines: list[RateLine] = []
        self.by_line: dict[str, list[dict]] = {}
        self.newest = {c.id: c for c in latest_versions(versions.store)}
        # Per zone, the checklists it uses: only those can be due there.
        self.uses = {z: set(json.loads(r["checklist_ids"] or "[]")) for z, r in zones.items()}

    def load(self, rules: Rules) -> None:
        self.lines = rules.rates
        for line in rules.rates:
            self.by_line[line.id] = self._audits(line)

    def _audits(self, line: RateLine) -> list[dict]:
        subject = f'$.subject."{line.charge.subject}"' if line.charge.subject else "$.none"
        rows = self.db.execute(
            "select zone_id, day, status, score_percent, score,"
            " json_extract(body, ?) from audits where month = ? and checklist_id = ?"
            " and status in ('submitted', 'returned', 'approved')",
            [subject, self.month, line.checklist],
        )
        return [
            {"zone_id": z, "day": d, "status": s, "percent": p, "red": bool(_red_lines(sc)),
             "staff": staff}
            for z, d, s, p, sc, staff in rows
            if z in self.zones
        ]  # fmt: skip

    def of(self, staff_id: str, held: dict) -> list[dict]:
        return [self._rate(line, staff_id, held) for line in self.lines]

    def _rate(self, line: RateLine, staff_id: str, held: dict) -> dict:
        audits = self.by_line[line.id]
        if line.charge.subject:
            mine = [a for a in audits if a["staff"] == staff_id]
        else:
            mine = [
                a
                for a in audits
                if a["zone_id"] in held
                and any(o.staff_id == staff_id for o in owners_on(self.db, a["zone_id"], a["day"]))
            ]
        approved = [a for a in mine if a["status"] == "approved"]
        if line.measure == "done":
            done, due = len(mine), self._due(line, held)
            value = None if not due else round1(min(100.0, done / due * 100))
            return _rate_out(line, done, round1(due), value)
        if line.measure == "go":
            good = sum(not a["red"] for a in approved)
            value = round1(good / len(approved) * 100) if approved else None
            return _rate_out(line, good, len(approved), value)
        return _rate_out(line, len(approved), None, mean([a["percent"] for a in approved]))

    def _due(self, line: RateLine, held: dict) -> float:
        """Audits due: the days owned of each zone using the checklist / its cadence."""
        checklist = self.newest.get(line.checklist)
        every = checklist.due_every_days if checklist else None
        if not every:
            return 0.0
        days = sum(
            d
            for zone_id, spans in held.items()
            if line.checklist in self.uses[zone_id]
            for _, d in spans
        )
        return days / every


def _rate_out(line: RateLine, count: int, of: float | int | None, value: float | None) -> dict:
    return {
        "id": line.id,
        "label": line.label.zh,
        "label_en": line.label.en,
        "measure": line.measure,
        "count": count,
        "of": of,
        "value": value,
    }


def compute(store: Store, user: User | None, month: str, timezone: str, rules: Rules) -> dict:
    """The month's report, live. `user` None: the whole company (what a close freezes)."""
    m = Month(store, user, month, timezone, rules)
    rows = []
    for person in m.db.query("select * from staff order by id"):
        site = person["site_id"]
        if user is not None and site is not None and not sees_site(user, site):
            continue
        if not person["active"] and person["id"] not in m.owned:
            continue  # a leaver shows in the months they still owned a zone
        rows.append(person_row(m, person))
    return {
        "month": month,
        "rules": {"version": rules.version, "sha256": rules_hash(rules)},
        "rows": rows,
    }


_INSUFFICIENT = {
    "carry_forward": ("沿用上月得分（上月审核数足够时），否则按本月现有审核计分", "last month's "
                      "zone-month score is carried forward when last month had enough audits, "
                      "else this month's own mean is used"),
    "use_available": ("按本月现有审核计分", "this month's own mean is used"),
    "exclude": ("该区域不计入得分", "the zone is left out of the score"),
}  # fmt: skip


def rule_text(rules: Rules) -> dict:
    """The rule as printed on every export, with this file's figures filled in."""
    weights = "、".join(f"{line.checklist}×{line.weight:g}" for line in rules.score)
    grades = "，".join(f"{g.label.zh}≥{g.min:g}（系数{g.coefficient:g}）" for g in rules.grades)
    grades_en = ", ".join(f"{g.label.en} ≥ {g.min:g} ({g.coefficient:g})" for g in rules.grades)
    zh_short, en_short = _INSUFFICIENT[rules.insufficient.rule]
    minimum, none = rules.min_audits, rules.insufficient.coefficient
    return {
        "zh": f"区域月得分 = 各检查表（{weights}）当月已批准审核平均分的加权平均；"
        f"个人得分 = Σ(区域月得分 × 责任份额 × 负责天数) ÷ Σ(份额 × 天数)；每步保留一位小数。"
        f"区域当月审核少于{minimum}次为样本不足：{zh_short}。等级：{grades}；无得分者系数{none:g}。"
        f"红线、整改和执行率单列，不计入得分。作废审核不计。",
        "en": f"Zone-month score = the weighted mean ({weights}) of each checklist's mean of "
        f"the month's approved audits; a person's score = Σ(zone-month × ownership share × "
        f"days owned) / Σ(share × days); each step rounded to one decimal. A zone with fewer "
        f"than {minimum} audits in the month is insufficient: {en_short}. Grades: {grades_en};"
        f" no score: coefficient {none:g}. Red lines, corrective actions and rates are shown"
        f" beside the score, never in it. Voided audits never count.",
    }
