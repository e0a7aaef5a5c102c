"""The statement (考核明细单): one person's month on paper, to read, discuss and sign (WeasyPrint).

What it shows (docs/appraisal.md, "Statement"): the header (month, 工号, name, site, score,
grade, coefficient, and the close stamp of a closed month); the last twelve months' scores as
a bar chart; each zone-month behind the score (its score, what is used, share × days, the
checklists' means, the audit count, 样本不足); red lines; the rates; the corrective actions the
person closed in the month, on time or late; then every audit behind the figure with each
deduction (the item, the value given of its top level, the anchor text of that level, the note
and the first photo's thumbnail); the rule; lines for 员工确认 / 考核人 / 日期.

The figures are the report row's as given: for a closed month the caller passes the frozen
report and row, so the statement prints what was handed to HR. Deductions are read from the
audits' stored bodies (server/appraisal/evidence.py).

Text from people (names, notes, zone names) is escaped by Jinja's autoescape and set in
`<bdi>`, so hostile text prints as text; the only resources the renderer may load are the
thumbnails of the photos delivered with those audits' deductions (and the emoji font), through
a `PhotoFetcher` limited to them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
from weasyprint import HTML

from server.appraisal.compute import compute, month_days, previous_month
from server.appraisal.evidence import audit_lines, deductions
from server.appraisal.rules import Rules
from server.checklists.registry import get_version
from server.core.db import Store
from server.photos.files import PhotoFiles
from server.reports.scorecard import (
    FONT_FACES,
    FONTS,
    PHOTO_SCHEME,
    RENDERS,
    PhotoFetcher,
    _accepted,
    _answer_text,
    jinja,
    percent_text,
)

TEMPLATE = "statement.html"
MONTHS = 12  # the chart's span, this month included


# --------------------------------------------------------------------------- actions


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """The month's first and next month's first instant, at midnight in the sites' zone."""
    first, last = month_days(month)
    zone = ZoneInfo(timezone)
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end


def actions_closed(store: Store, staff_id: str, month: str, timezone: str) -> list[dict]:
    """The person's corrective actions closed in the month, on time or late, oldest first.

    Closed means verified (docs/actions.md: `verified` is the final state of an action that
    was fixed; `done` waits on an officer's check, `cancelled` closes nothing), at an instant
    inside the month in the sites' `timezone`, and owned by `staff_id` in that revision.
    On time means the owner's fix arrived by the due date: the day (sites' time zone) the
    action last became `done` before it was verified is on or before `due`, as an action
    stops being overdue once done (docs/actions.md). Read from the revisions, so a past
    month's list stays what it was.

    Each: {action_id, audit_id, zone_id, zone, checklist_id, checklist_version, item_id,
    item_label, item_label_en, finding, note, due, done_at, done_day, verified_at,
    verified_day, on_time, days_late}.
    """
    db = store.read()
    start, end = _month_bounds(month, timezone)
    zone = ZoneInfo(timezone)
    revisions: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for entity_id, status, at, body in db.execute(
        "select entity_id, status, created_at, body from record_revisions where"
        " entity = 'action' and entity_id in (select entity_id from record_revisions"
        " where entity = 'action' and status = 'verified'"
        " and json_extract(body, '$.owner_staff_id') = ?) order by entity_id, revision",
        [staff_id],
    ):
        revisions[entity_id].append((status, at, body))
    found = []
    for action_id, steps in revisions.items():
        at, body, done_since = _closing(steps)
        if at is None:
            continue
        content = msgspec.json.decode(body)
        verified = _instant(at)
        if content.get("owner_staff_id") != staff_id or not start <= verified < end:
            continue
        due = content["due"]
        done_day = _instant(done_since or at).astimezone(zone).date()
        late = (done_day - date.fromisoformat(due)).days
        found.append(
            {
                "action_id": action_id,
                "audit_id": content.get("audit_id"),
                "zone_id": content.get("zone_id"),
                "item_id": content.get("item_id"),
                "finding": content.get("finding") or "",
                "note": content.get("note") or "",
                "due": due,
                "done_at": done_since,
                "done_day": done_day.isoformat(),
                "verified_at": at,
                "verified_day": verified.astimezone(zone).date().isoformat(),
                "on_time": late <= 0,
                "days_late": max(late, 0),
            }
        )
    _label_actions(store, db, found)
    return sorted(found, key=lambda a: (_instant(a["verified_at"]), a["action_id"]))


def _closing(steps: list[tuple[str, str, str]]):
    """(when it was verified, that revision's body, when it last became done before) of an
    action's revisions in order; (None, None, None) when it was never verified."""
    done_since = None
    for status, at, body in steps:
        if status == "verified":
            return at, body, done_since
        if status != "done":
            done_since = None
        elif done_since is None:
            done_since = at
    return None, None, None


def _label_actions(store: Store, db, found: list[dict]) -> None:
    """Each action's zone name, checklist version and item label, from the tables."""
    ids = [a["action_id"] for a in found]
    rows = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in db.query(
            "select a.id, a.checklist_id, a.checklist_version, z.name from actions a"
            f" left join zones z on z.id = a.zone_id where a.id in ({marks})",
            chunk,
        ):
            rows[row["id"]] = row
    for action in found:
        row = rows.get(action["action_id"]) or {}
        checklist = None
        if row.get("checklist_id"):
            checklist = get_version(store, row["checklist_id"], row["checklist_version"])
        item = checklist.item_map().get(action["item_id"]) if checklist else None
        action["zone"] = row.get("name") or action["zone_id"]
        action["checklist_id"] = row.get("checklist_id")
        action["checklist_version"] = row.get("checklist_version")
        action["item_label"] = item.label.zh if item else action["item_id"]
        action["item_label_en"] = item.label.en if item else None


# --------------------------------------------------------------------------- history


def months_back(month: str, count: int = MONTHS) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    months = [month]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def score_history(
    store: Store, staff_id: str, month: str, timezone: str, rules: Rules, count: int = MONTHS
) -> list[dict]:
    """[{month, score}] for the `count` months ending with `month`, oldest first: a closed
    month's frozen score, else the live one (`compute` with `rules`); None when the person
    had no row or no score."""
    frozen = {
        m: report
        for m, report in store.read().execute(
            f"select month, report from appraisal_closes where month in ({', '.join('?' * count)})",
            months_back(month, count),
        )
    }
    out = []
    for m in months_back(month, count):
        if m in frozen:
            rows = msgspec.json.decode(frozen[m])["rows"]
        else:
            rows = compute(store, None, m, timezone, rules)["rows"]
        row = next((r for r in rows if r["staff_id"] == staff_id), None)
        out.append({"month": m, "score": row["score"] if row else None})
    return out


# The chart, in millimetres (the SVG's user units): plot area and label rows.
CHART = {"width": 182.0, "height": 48.0, "left": 9.0, "right": 2.0, "top": 5.0, "bottom": 9.0}


def history_chart(history: list[dict], month: str) -> dict:
    """Bars for the template's inline SVG: one slot per month, a gap (and `—`) for a month
    with no score, this month's bar in the accent colour; y from 0 to 100."""
    c = CHART
    plot_w = c["width"] - c["left"] - c["right"]
    plot_h = c["height"] - c["top"] - c["bottom"]
    base = c["top"] + plot_h
    slot = plot_w / max(len(history), 1)
    bars = []
    for i, point in enumerate(history):
        score = point.get("score")
        x = c["left"] + i * slot
        height = 0.0 if score is None else plot_h * max(0.0, min(float(score), 100.0)) / 100
        bars.append(
            {
                "x": round(x + slot * 0.2, 2),
                "w": round(slot * 0.6, 2),
                "y": round(base - height, 2),
                "h": round(height, 2),
                "cx": round(x + slot / 2, 2),
                "label_y": round(base - height - 1.2, 2),
                "value": percent_text(score),
                "missing": score is None,
                "current": point["month"] == month,
                "month": point["month"][2:],  # 26-11
            }
        )
    grid = [
        {"y": round(base - plot_h * level / 100, 2), "label": str(level)}
        for level in (0, 20, 40, 60, 80, 100)
    ]
    return {
        **c,
        "bars": bars,
        "grid": grid,
        "base": base,
        "plot_right": c["width"] - c["right"],
        "month_y": c["height"] - 3.0,
    }


# --------------------------------------------------------------------------- the page


def _site(db, site_id: str | None) -> dict:
    row = db.execute("select name, name_en from sites where id = ?", [site_id]).fetchone()
    return {"name": row[0], "name_en": row[1]} if row else {"name": site_id or "—", "name_en": None}


def _value_text(store: Store, line: dict) -> tuple[str, str | None]:
    """(the value as printed, a number item's accepted range) for one deduction."""
    checklist = get_version(store, line["checklist_id"], line["checklist_version"])
    item = checklist.item_map().get(line["item_id"]) if checklist else None
    if item is None:
        return str(line["value"]), None
    return _answer_text(item, line["value"]), _accepted(item) if item.type == "number" else None


def _titles(store: Store, lines: list[dict]) -> dict[str, dict]:
    """Checklist id -> {zh, en, version} of the newest version among the audits."""
    titles: dict[str, dict] = {}
    for line in lines:
        key, version = line["checklist_id"], line["checklist_version"]
        if key in titles and titles[key]["version"] >= version:
            continue
        checklist = get_version(store, key, version)
        if checklist:
            titles[key] = {"zh": checklist.title.zh, "en": checklist.title.en, "version": version}
    return titles


def statement_context(
    store: Store, report: dict, row: dict, history: list[dict], actions: list[dict],
    timezone: str,
) -> dict:  # fmt: skip
    """Everything the template prints, gathered from the row, the audits and the actions."""
    db = store.read()
    lines = audit_lines(store, row["audit_ids"])
    found = deductions(store, row["audit_ids"])
    titles = _titles(store, lines)
    per_audit: dict[str, list[dict]] = defaultdict(list)
    for line in found:
        value, accepted = _value_text(store, line)
        per_audit[line["audit_id"]].append({**line, "value_text": value, "accepted": accepted})
    by_id = {line["audit_id"]: line for line in lines}
    parts = []
    for part in row["parts"]:
        audits = []
        for audit_id in part["audit_ids"]:
            audit = by_id.get(audit_id)
            if audit:
                own = get_version(store, audit["checklist_id"], audit["checklist_version"])
                title = {"zh": own.title.zh, "en": own.title.en} if own else {}
                audits.append({**audit, "title": title, "deductions": per_audit[audit_id]})
        parts.append({**part, "audits": audits})
    labels = {(d["audit_id"], d["item_id"]): d for d in found}
    red_lines = [
        {
            **red,
            "zone": next((p["zone"] for p in row["parts"] if p["zone_id"] == red["zone_id"]),
                         red["zone_id"]),
            "lines": [labels.get((red["audit_id"], i), {"item_label": i, "item_label_en": None})
                      for i in red["items"]],
        }
        for red in row["red_lines"]
    ]  # fmt: skip
    photos = {d["photos"][0] for d in found if d["photos"]}
    return {
        "report": report,
        "row": row,
        "closed": report.get("closed"),
        "site": _site(db, row.get("site_id")),
        "parts": parts,
        "titles": titles,
        "red_lines": red_lines,
        "deduction_count": len(found),
        "actions": actions,
        "late": sum(not a["on_time"] for a in actions),
        "chart": history_chart(history, report["month"]),
        "rule": report.get("rule") or {},
        "timezone": timezone,
        "photo_scheme": PHOTO_SCHEME,
        "photos": photos,
        "font_faces": FONT_FACES,
        "fonts": FONTS,
    }


def statement_html(
    store: Store, report: dict, row: dict, history: list[dict], actions: list[dict],
    timezone: str = "Asia/Shanghai",
) -> tuple[str, set[str]]:  # fmt: skip
    """(the statement's HTML, the sha256 of the thumbnails it may load)."""
    context = statement_context(store, report, row, history, actions, timezone)
    return jinja.get_template(TEMPLATE).render(**context), context["photos"]


class StatementPhotos(PhotoFetcher):
    """A PhotoFetcher that serves only the thumbnails of `allowed` (and the emoji font)."""

    def __init__(self, files: PhotoFiles | None, allowed: set[str]):
        super().__init__(files)
        self.allowed = set(allowed)

    def _file(self, url: str):
        if url.startswith(PHOTO_SCHEME):
            if url.removeprefix(PHOTO_SCHEME) not in self.allowed:
                return None
        elif url.startswith("genba-photo"):
            return None  # full photos never: the statement prints thumbnails
        return super()._file(url)


def statement_pdf(
    store: Store,
    photos_dir: Path | None,
    report: dict,
    row: dict,
    history: list[dict],
    actions: list[dict],
    *,
    timezone: str = "Asia/Shanghai",
) -> bytes:
    """The 考核明细单 of one person's month as PDF bytes.

    - `photos_dir`: settings.photos_dir (None: no thumbnails);
    - `report`: the month's report as `report_for` gives it (`month`, `rule`, `closed`);
    - `row`: the person's row of that report (the frozen row of a closed month);
    - `history`: [{month, score}] oldest first, this month last (`score_history`);
    - `actions`: `actions_closed(store, row["staff_id"], month, timezone)`;
    - `timezone`: the sites' time zone, for the close stamp.
    At most `scorecard.RENDERS` PDFs render at once.
    """
    html, photos = statement_html(store, report, row, history, actions, timezone)
    fetcher = StatementPhotos(PhotoFiles(photos_dir) if photos_dir else None, photos)
    with RENDERS:
        return HTML(string=html, url_fetcher=fetcher, base_url=PHOTO_SCHEME).write_pdf()
