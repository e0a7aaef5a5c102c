"""The month's appraisal (考核): each zone owner's score from the approved audits of their zones.

The rule, kept simple so every figure can be checked by hand (考核标准的公平性):
- an audit counts in the month the clock rule gave it (server/core/clock.py), once approved,
  unless its checklist version says `appraisal: false`;
- it counts for the zone's owners (责任人) on the audit's day, by the ownership history
  (server/people/owners.py): a change of owner on the 15th leaves the first half of the
  month with the old owner;
- a person's score is the mean of the percents of those audits, each audit counting once;
  audits with no scored items do not count;
- `parts` gives the same per zone, and `audit_ids` names every audit behind the figure;
- `actions_open` and `actions_overdue` are the person's corrective actions open (or reopened)
  at the end of the month (now, for the month running) and, of those, past due then; they
  are shown, not yet weighed into the score.
Everyone on the staff list gets a row; with no approved audits the score is null.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from server.access import sees_site
from server.checklists.registry import get_version
from server.core.db import Store
from server.people.owners import owners_on
from server.people.users import User
from server.records.action_lists import appraisal_counts

RULE = (
    "得分 = 当月审核当日由本人负责（责任人）的区域的所有已批准审核得分的平均值，每份审核计一次，"
    "保留一位小数；审核按时间规则归入日期和月份。当月无已批准审核则不计分。\n"
    "Score = the mean of the percents of the approved audits of the zones this person owned on "
    "each audit's day, that month (by the clock rule), each audit once, one decimal. "
    "No approved audits: no score."
)
COLUMNS = [
    "staff_id",
    "name",
    "name_en",
    "score",
    "audit_count",
    "zones",
    "audit_ids",
    "actions_open",
    "actions_overdue",
]


def _mean(values: list[float]) -> float | None:
    # Same rounding as the scorer: one decimal, half up.
    return None if not values else int(sum(values) / len(values) * 10 + 0.5) / 10


def _actions_at_month_end(db, month: str, timezone: str) -> dict:
    """Per owner, (open, overdue) actions at the end of the month, or now while it runs."""
    year, number = map(int, month.split("-"))
    if not 1900 <= year <= 9000:
        return {}  # no action was ever open then (and the calendar ends at year 9999)
    after = date(year + number // 12, number % 12 + 1, 1)
    end = datetime.combine(after, time(), ZoneInfo(timezone)).astimezone(UTC)
    now = datetime.now(UTC)
    if end > now:
        at, overdue_before = now, now.astimezone(ZoneInfo(timezone)).date()
    else:
        at, overdue_before = end, after
    return appraisal_counts(db, at.isoformat(timespec="milliseconds"), overdue_before.isoformat())


def appraisal(store: Store, user: User, month: str, timezone: str = "UTC") -> dict:
    db = store.read()
    zones = {
        row["id"]: row
        for row in db.query("select id, name, name_en, site_id from zones")
        if sees_site(user, row["site_id"])
    }
    # (person, zone) -> [(audit id, percent)]: each audit for its zone's owners on its day.
    audits = defaultdict(list)
    for row in db.query(
        "select id, zone_id, day, score_percent, checklist_id, checklist_version from audits"
        " where month = ? and status = 'approved' and score_percent is not null order by id",
        [month],
    ):
        if row["zone_id"] in zones and _counts(store, row):
            for owner in owners_on(db, row["zone_id"], row["day"]):
                audits[(owner.staff_id, row["zone_id"])].append((row["id"], row["score_percent"]))
    owned = _owned_in(db, month, zones)
    actions = _actions_at_month_end(db, month, timezone)
    rows = []
    for person in db.query("select * from staff where active = 1 order by id"):
        if person["site_id"] is not None and not sees_site(user, person["site_id"]):
            continue
        mine = {zone for zone in owned.get(person["id"], set())}
        mine |= {zone for staff_id, zone in audits if staff_id == person["id"]}
        parts = {zone: audits.get((person["id"], zone), []) for zone in mine}
        row = _row(person, [zones[z] for z in mine], parts)
        row["actions_open"], row["actions_overdue"] = actions.get(person["id"], (0, 0))
        rows.append(row)
    return {"month": month, "rule": RULE, "rows": rows}


def _counts(store: Store, row: dict) -> bool:
    """Whether the audit's checklist version counts in the appraisal (`appraisal: false`:
    kept for its own sake, such as a handover's go / no-go)."""
    checklist = get_version(store, row["checklist_id"], row["checklist_version"])
    return checklist is None or checklist.appraisal


def _owned_in(db, month: str, zones: dict) -> dict[str, set[str]]:
    """Per staff member, the zones they own at some time in the month (audited or not)."""
    first, last = f"{month}-01", f"{month}-31"
    owned: dict[str, set[str]] = defaultdict(set)
    for zone_id in zones:
        starts = [
            r[0]
            for r in db.execute(
                "select starts from zone_owner_periods where zone_id = ? order by starts", [zone_id]
            )
        ]
        for i, start in enumerate(starts):
            ends = starts[i + 1] if i + 1 < len(starts) else "9999-12-31"
            if start <= last and ends > first:
                for owner in owners_on(db, zone_id, start):
                    owned[owner.staff_id].add(zone_id)
    return owned


def _row(person: dict, owned: list[dict], audits: dict) -> dict:
    parts, percents, ids = [], [], []
    for zone in sorted(owned, key=lambda z: z["id"]):
        done = audits.get(zone["id"], [])
        percents += [p for _, p in done]
        ids += [i for i, _ in done]
        parts.append(
            {
                "zone_id": zone["id"],
                "zone": zone["name"],
                "zone_en": zone["name_en"],
                "score": _mean([p for _, p in done]),
                "audit_count": len(done),
                "audit_ids": [i for i, _ in done],
            }
        )
    return {
        "staff_id": person["id"],
        "name": person["name"],
        "name_en": person["name_en"],
        "score": _mean(percents),
        "parts": parts,
        "audit_count": len(ids),
        "audit_ids": ids,
    }


def _flat(row: dict) -> list:
    zones = "; ".join(
        f"{p['zone']} {p['score'] if p['score'] is not None else '-'} ({p['audit_count']})"
        for p in row["parts"]
    )
    return [
        row["staff_id"],
        row["name"],
        row["name_en"],
        row["score"],
        row["audit_count"],
        zones,
        " ".join(row["audit_ids"]),
        row["actions_open"],
        row["actions_overdue"],
    ]


def to_csv(report: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in report["rows"]:
        writer.writerow(["" if v is None else v for v in _flat(row)])
    # A BOM, so Excel opens the Chinese names as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _cells(values: list) -> list:
    """Values a worksheet takes: control characters (which XLSX cannot hold) dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]


def to_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"考核 {report['month']}"
    sheet.append(COLUMNS)
    for row in report["rows"]:
        sheet.append(_cells(_flat(row)))
    details = book.create_sheet("audits")
    details.append(["staff_id", "zone_id", "zone", "zone_score", "audit_id"])
    for row in report["rows"]:
        for part in row["parts"]:
            for audit_id in part["audit_ids"]:
                line = [row["staff_id"], part["zone_id"], part["zone"], part["score"], audit_id]
                details.append(_cells(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: dict) -> bytes:
    from weasyprint import HTML

    from server.reports.scorecard import PhotoFetcher, jinja

    html = jinja.get_template("appraisal.html").render(report=report)
    # No resources at all: a fetcher that has no photo folder refuses everything.
    return HTML(string=html, url_fetcher=PhotoFetcher(None)).write_pdf()


FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "pdf": ("application/pdf", to_pdf),
    "json": ("application/json", lambda report: json.dumps(report, ensure_ascii=False).encode()),
}
