"""The appraisal a user asks for: live for an open month, frozen for a closed one; the month
close itself; the amendments a closed month gets when its audits or owners change later.

docs/appraisal.md is the contract. A close stores the whole company's report, the rules it was
computed with and the four files exactly as rendered, and logs their hashes in the event
chain; every later export of the month by an unrestricted user is those bytes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgspec

from server.access import sees_site
from server.appraisal.compute import compute, month_days, rule_text
from server.appraisal.rules import Rules
from server.core import events
from server.core.db import Store
from server.core.errors import Conflict, Forbidden, Invalid
from server.people.users import User
from server.reports.trends import officers_report

FILES = ("csv", "xlsx", "pdf")
CALIBRATED = "6s-zone"  # the checklist whose officers are compared beside the month
EVERYONE = User(id=0, username="", name="", role="admin")  # a close sees every site


@events.kind("appraisal.close", "appraisal")
class MonthClosed(events.Event):
    month: str
    rules_sha256: str
    sha256: dict[str, str]
    # Per person: staff id, score, grade, coefficient (what payroll takes).
    rows: list[tuple[str, float | None, str | None, float]]


def _closed_row(store: Store, month: str) -> dict | None:
    rows = list(store.read().query("select * from appraisal_closes where month = ?", [month]))
    return rows[0] if rows else None


def closed_months(store: Store) -> set[str]:
    return {r[0] for r in store.read().execute("select month from appraisal_closes")}


def _stamp(row: dict) -> dict:
    return {"at": row["closed_at"], "by": row["closed_by"], "sha256": json.loads(row["sha256"])}


def _visible(user: User | None, site_id: str | None) -> bool:
    return user is None or site_id is None or sees_site(user, site_id)


def live_report(store: Store, user: User | None, month: str, timezone: str, rules: Rules) -> dict:
    """An open month's report: the rows, the rule, amendments to closed months, calibration."""
    report = compute(store, user, month, timezone, rules)
    report["rule"] = rule_text(rules)
    report["closed"] = None
    report["amendments"] = amendments(store, user, month, timezone)
    calibration = officers_report(store, user or EVERYONE, month, CALIBRATED, None)
    report["officers"] = msgspec.to_builtins(calibration.officers)
    return report


def report_for(store: Store, user: User, month: str, timezone: str, rules: Rules) -> dict:
    """What `user` sees of the month: frozen rows of their sites once closed, else live."""
    row = _closed_row(store, month)
    if row is None:
        return live_report(store, user, month, timezone, rules)
    report = json.loads(row["report"])
    report["closed"] = _stamp(row)
    if user.site_ids is not None:  # limited to sites: the frozen rows of those sites only
        report["rows"] = [r for r in report["rows"] if _visible(user, r["site_id"])]
        report["amendments"] = [a for a in report["amendments"] if _visible(user, a["site_id"])]
    return report


def stored_file(store: Store, user: User, month: str, fmt: str) -> bytes | None:
    """The closed month's file as handed to HR, for a user who sees every site."""
    if user.site_ids is not None or fmt not in FILES:
        return None
    row = _closed_row(store, month)
    return None if row is None else row[fmt]


def close_month(store: Store, user: User, month: str, timezone: str, rules: Rules) -> dict:
    """Freeze the month (admin): store the report and its files, log their hashes."""
    if not user.at_least("admin"):
        raise Forbidden(f"closing a month needs the admin role; you are {user.role}")
    _, last = month_days(month)
    today = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
    if today <= last:
        raise Invalid(f"{month} has not ended yet ({timezone}): it can be closed from the 1st")
    existing = _closed_row(store, month)
    if existing is not None:
        raise Conflict(f"{month} was closed at {existing['closed_at']} by {existing['closed_by']}")
    report = live_report(store, None, month, timezone, rules)
    at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    report["closed"] = {"at": at, "by": user.username}
    body = json.dumps(report, ensure_ascii=False, sort_keys=True).encode()
    files = render_files(store, report)
    sha = {"json": _sha(body), **{fmt: _sha(data) for fmt, data in files.items()}}
    event = MonthClosed(
        month=month,
        rules_sha256=report["rules"]["sha256"],
        sha256=sha,
        rows=[(r["staff_id"], r["score"], r["grade"], r["coefficient"]) for r in report["rows"]],
    )
    with store.write() as db:
        if db.execute("select 1 from appraisal_closes where month = ?", [month]).fetchone():
            raise Conflict(f"{month} was closed a moment ago")
        db["appraisal_closes"].insert(
            {"month": month, "closed_at": at, "closed_by": user.username,
             "report": body.decode(), **files, "sha256": json.dumps(sha),
             "rules": msgspec.json.encode(rules).decode()}
        )  # fmt: skip
        events.append(db, user.username, month, event)
    return {"month": month, "closed": {"at": at, "by": user.username, "sha256": sha}}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_files(store: Store, report: dict, only: str | None = None) -> dict[str, bytes]:
    """The CSV, XLSX and PDF of a report (the XLSX with the audits and deductions behind
    it), or only the one named."""
    from server.appraisal.evidence import audit_lines, deductions
    from server.appraisal.exports import to_csv, to_pdf, to_xlsx

    def xlsx() -> bytes:
        ids = [i for row in report["rows"] for i in row["audit_ids"]]
        audits = _per_person(report, audit_lines(store, ids))
        return to_xlsx(report, audits, _per_person(report, deductions(store, ids)))

    renders = {"csv": lambda: to_csv(report), "xlsx": xlsx, "pdf": lambda: to_pdf(report)}
    return {fmt: render() for fmt, render in renders.items() if only in (None, fmt)}


def _per_person(report: dict, lines: list[dict]) -> list[dict]:
    """Each audit's lines once per person whose figure it is behind, with their staff id."""
    by_audit: dict[str, list[dict]] = {}
    for line in lines:
        by_audit.setdefault(line["audit_id"], []).append(line)
    out = []
    for row in report["rows"]:
        for audit_id in row["audit_ids"]:
            out += [{**line, "staff_id": row["staff_id"], "name": row["name"]}
                    for line in by_audit.get(audit_id, [])]  # fmt: skip
    return out


def amendments(store: Store, user: User | None, month: str, timezone: str) -> list[dict]:
    """Changes to closed months listed in `month`: each closed month's changes show in the
    first open month after it. A change is a person whose score, grade or coefficient now
    differs from the frozen row, recomputed with the rules the month was closed with."""
    closed = closed_months(store)
    if month in closed:
        return []
    found = []
    for earlier in sorted(m for m in closed if m < month):
        if _next_open(earlier, closed) != month:
            continue
        row = _closed_row(store, earlier)
        rules = msgspec.json.decode(row["rules"], type=Rules)
        frozen = {r["staff_id"]: r for r in json.loads(row["report"])["rows"]}
        now = {r["staff_id"]: r for r in compute(store, None, earlier, timezone, rules)["rows"]}
        for staff_id in sorted(frozen.keys() | now.keys()):
            change = _change(earlier, frozen.get(staff_id), now.get(staff_id))
            if change and _visible(user, change["site_id"]):
                found.append(change)
    return found


def _next_open(month: str, closed: set[str]) -> str:
    year, number = map(int, month.split("-"))
    while True:
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
        candidate = f"{year:04d}-{number:02d}"
        if candidate not in closed:
            return candidate


FIGURES = ("score", "grade", "coefficient")


def _change(month: str, before: dict | None, after: dict | None) -> dict | None:
    figures = {k: (before or {}).get(k) for k in FIGURES}
    current = {k: (after or {}).get(k) for k in FIGURES}
    if figures == current:
        return None
    person = after or before
    was, now = set((before or {}).get("audit_ids", [])), set((after or {}).get("audit_ids", []))
    return {
        "month": month,
        "staff_id": person["staff_id"],
        "employee_no": person["employee_no"],
        "name": person["name"],
        "site_id": person["site_id"],
        "closed": figures,
        "now": current,
        "audits_added": sorted(now - was),
        "audits_removed": sorted(was - now),
    }
