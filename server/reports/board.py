"""The zone board (看板): one A4 page about one zone and month, for the morning meeting.

The zone's name, kind, site and owners that month; its 6S trend over six months; the per-S
radar of the month against the month before; its rank among the site's zones of its kind
(流动红旗 when first); the month's top findings in the zone with a couple of photos each; the
month's audits; and, as they stand when it is printed, the zone's corrective actions still to
do (overdue first) and its open red tags (over the site's limit first). Means, ranks and
findings come from the supervisor reports (trends.py), which apply the caller's site access and
count submitted and approved audits only; actions and tags from their own lists
(board_records.py).

Ranks are within the zone's own site, so a board reads the same whoever prints it. Every
block that grows with the data is capped in count and height, so the board stays one page
whatever the names; untrusted names sit in `<bdi>` elements as on the scorecard.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from markupsafe import Markup
from weasyprint import HTML

from server import access
from server.checklists.format import Checklist, Text
from server.checklists.registry import latest_versions
from server.core.clock import today
from server.core.errors import NotFound, field
from server.people.owners import owners_on
from server.people.places import get_zone
from server.people.users import User
from server.photos.files import PhotoFiles
from server.reports import trends
from server.reports.board_records import zone_records
from server.reports.labels import fit
from server.reports.scorecard import (
    FONT_FACES,
    FONTS,
    PHOTO_SCHEME,
    PhotoFetcher,
    Series,
    css_color,
    jinja,
    percent_text,
    radar_svg,
    status_text,
    text_width,
)

CHECKLIST = "6s-zone"
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
TREND_MONTHS = 6
TOP_FINDINGS = 5
PHOTOS_PER_FINDING = 2
MAX_AUDITS = 8  # rows of the month's audits; more are counted, not listed
MAX_RIVALS = 6  # zones of the kind listed beside the rank
OWNER_EMS = 62  # the owners' two lines in the header, less "责任人 Zone owner："
LISTED = ("submitted", "approved", "returned")  # returned: being fixed, listed, not counted
NAME_W = 138  # mm the zone's name may take in the header
MAX_ACTIONS = 6  # the zone's waiting corrective actions listed; more are counted
MAX_TAGS = 6  # its open red tags listed; more are counted
FINDING_LINE_EMS = 22  # a finding's bold label per line (70 mm at 9 pt)
TREND_MM = 0.44  # mm per unit of the trend chart (220 x 112 units)


def months_up_to(month: str, count: int) -> list[str]:
    """The `count` months ending with `month`, oldest first: 2026-11, 3 -> 09, 10, 11."""
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + mon - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def owners_day(month: str, now: str) -> str:
    """The day whose owners the board names: the month's last day, or today in a month that
    has not ended."""
    year, mon = (int(part) for part in month.split("-"))
    last = date(year, mon, calendar.monthrange(year, mon)[1]).isoformat()
    return min(last, now)


def _band(checklist: Checklist | None, mean: float | None) -> dict | None:
    if checklist is None or mean is None:
        return None
    for band in checklist.bands:  # highest first
        if band.min <= mean:
            return {"zh": band.label.zh, "en": band.label.en, "color": css_color(band.color)}
    return None


def _delta(now: float | None, before: float | None) -> str | None:
    return None if now is None or before is None else f"{trends.round1(now - before):+.1f}"


# --------------------------------------------------------------------------- the trend chart


def trend_svg(points: list[dict], checklist: Checklist | None, mm: float = 0.5) -> Markup:
    """Bars of the monthly means (0-100) with their values, the band thresholds dashed, and
    each month's audit count under it; the last month, the board's, stands out."""
    width, height = 220.0, 112.0  # chart units: 0.5 mm at the size the board prints it
    left, right, top, bottom = 24.0, 216.0, 10.0, 86.0
    slot = (right - left) / len(points)

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / 100

    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img"'
            ' width="{}mm" height="{}mm" viewBox="0 0 {} {}">'
        ).format(width * mm, height * mm, width, height)
    ]
    text = Markup(
        '<text x="{:.1f}" y="{:.1f}" text-anchor="{}" font-size="{}" fill="{}"'
        ' font-family="Noto Sans CJK SC"{}>{}</text>'
    )
    bold = Markup(' font-weight="bold"')
    for band in checklist.bands if checklist else []:
        if 0 < band.min < 100:
            parts.append(
                Markup(
                    '<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#999"'
                    ' stroke-width="0.5" stroke-dasharray="2 1.5"/>'
                ).format(left, y(band.min), right, y(band.min))
            )
            label = f"{band.label.zh} {band.min:g}"
            parts.append(text.format(left - 2, y(band.min) + 2.5, "end", 7, "#666", "", label))
    parts.append(
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333" stroke-width="0.6"/>').format(
            left, bottom, right, bottom
        )
    )
    parts.append(text.format(left - 2, y(100) + 2.5, "end", 7, "#666", "", "100"))
    parts.append(text.format(left - 2, bottom + 2.5, "end", 7, "#666", "", "0"))
    for i, point in enumerate(points):
        centre = left + slot * (i + 0.5)
        mine = i == len(points) - 1
        mean = point["mean"]
        if mean is not None:
            bar_w = slot * 0.56
            parts.append(
                Markup(
                    '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"'
                    ' fill-opacity="{}" stroke="#111" stroke-width="{}"/>'
                ).format(
                    centre - bar_w / 2,
                    y(mean),
                    bar_w,
                    bottom - y(mean),
                    point["color"],
                    1 if mine else 0.55,
                    0.8 if mine else 0,
                )
            )
            value = percent_text(mean)
            parts.append(text.format(centre, y(mean) - 2, "middle", 9, "#111", bold, value))
        else:
            parts.append(text.format(centre, bottom - 3, "middle", 8, "#888", "", "—"))
        parts.append(
            text.format(
                centre, bottom + 9, "middle", 8, "#111", bold if mine else "", point["month"]
            )
        )
        count = f"{point['audits']} 次" if point["audits"] else "无审核"
        parts.append(text.format(centre, bottom + 18, "middle", 7, "#666", "", count))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


# --------------------------------------------------------------------------- gathering


def _names(db, table: str, key: str) -> tuple[str, str | None]:
    row = db.execute(f"select name, name_en from {table} where id = ?", [key]).fetchone()
    return (row[0], row[1]) if row else (key, None)


def _audits(db, user: User, zone_id: str, month: str) -> list[dict]:
    where, params = access.audits_filter(user, "a")
    listed = ", ".join(f"'{status}'" for status in LISTED)
    rows = db.query(
        "select a.id, a.day, a.status, a.score_percent, a.score, u.name as officer"
        " from audits a join users u on u.id = a.officer_id"
        f" where a.zone_id = ? and a.month = ? and a.checklist_id = ? and a.status in ({listed})"
        f" and {where} order by a.day, a.rowid",
        [zone_id, month, CHECKLIST, *params],
    )
    return [dict(row) for row in rows]


def board_context(store, settings, user: User, zone_id: str, month: str) -> dict:
    """Everything the board shows, checked against the caller's sites."""
    if not isinstance(month, str) or not MONTH.fullmatch(month):
        raise field("month", f"{month!r} is not a month (YYYY-MM)")
    zone = get_zone(store, zone_id)
    if zone is None or not access.sees_site(user, zone.site_id):
        raise NotFound(f"no zone {zone_id}")
    db = store.read()
    checklist = next((c for c in latest_versions(store) if c.id == CHECKLIST), None)
    kinds = store.memo.get("zone_kinds", {})
    months = months_up_to(month, TREND_MONTHS)

    zones = trends.zones_report(store, user, months[0], month, CHECKLIST, zone.site_id)
    mine = {row.month: row for row in zones.rows if row.zone_id == zone.id}
    current, previous = mine.get(month), mine.get(months[-2])
    rivals = sorted(
        (r for r in zones.rows if r.month == month and r.kind == zone.kind and r.rank),
        key=lambda r: (r.rank, r.zone),
    )
    points = []
    for m in months:
        row = mine.get(m)
        band = _band(checklist, row.mean) if row else None
        points.append(
            {
                "month": m,
                "mean": row.mean if row else None,
                "audits": row.audits if row else 0,
                "color": band["color"] if band else "#1f5fa8",
            }
        )

    titles = [s.title.zh for s in zones.sections]
    now_values = [current.sections.get(s.id) if current else None for s in zones.sections]
    before_values = [previous.sections.get(s.id) if previous else None for s in zones.sections]
    series = []
    if previous:
        series.append(Series(before_values, "#777", 0.06, dashed=True))
    if current:
        series.append(Series(now_values, "#1f5fa8", 0.3))
    # Each spoke's label: this month's value and its change; last month's without this one.
    notes = [
        percent_text(v if current else b) + (f" ({d})" if (d := _delta(v, b)) else "")
        for v, b in zip(now_values, before_values, strict=True)
    ]
    radar = radar_svg(titles, series, notes, 62, 40) if series else Markup("")

    audits = _audits(db, user, zone.id, month)
    counted = {a["id"] for a in audits if a["status"] in ("submitted", "approved")}
    findings = trends.findings_report(store, user, month, CHECKLIST, zone.site_id)
    items = {i.id: (s, i) for s in checklist.sections for i in s.items} if checklist else {}
    top = []
    for finding in findings.findings:
        fails = next((z.fails for z in finding.zones if z.zone_id == zone.id), 0)
        if not fails:
            continue
        section, item = items.get(finding.item_id, (None, None))
        ids = [a for a in finding.audit_ids if a in counted]
        top.append(
            {
                "item_id": finding.item_id,
                "label": finding.label,
                "section": section.title if section else None,
                "critical": bool(item and item.critical),
                "fails": fails,
                "photos": trends._finding_photos(db, finding.item_id, ids)[:PHOTOS_PER_FINDING],
            }
        )
    top.sort(key=lambda f: -f["fails"])  # stable: ties keep the report's order

    kind = kinds.get(zone.kind)
    site = _names(db, "sites", zone.site_id)
    tag_days = db.execute("select red_tag_days from sites where id = ?", [zone.site_id])
    records = zone_records(store, settings, user, zone.id, (tag_days.fetchone() or [7])[0])
    now = today(settings)
    owners = []
    shares = owners_on(db, zone.id, owners_day(month, now))
    for owner in shares:
        name, name_en = _names(db, "staff", owner.staff_id)
        owners.append(
            {"name": name, "name_en": name_en, "share": owner.share if len(shares) > 1 else None}
        )
    return {
        "month": month,
        "previous_month": months[-2],
        "zone": {
            "id": zone.id,
            "name": zone.name,
            "name_en": zone.name_en,
            "active": zone.active,
            "kind_zh": kind.name.zh if kind else zone.kind,
            "kind_en": kind.name.en if kind else "",
        },
        "site": {"name": site[0], "name_en": site[1]},
        "owners": owners,
        "checklist": {"zh": checklist.title.zh, "en": checklist.title.en} if checklist else None,
        "current": current,
        "band": _band(checklist, current.mean if current else None),
        "delta": _delta(current.mean if current else None, previous.mean if previous else None),
        "rivals": rivals,
        "points": points,
        "trend": trend_svg(points, checklist, TREND_MM),
        "radar": radar,
        "findings": top[:TOP_FINDINGS],
        "more_findings": max(0, len(top) - TOP_FINDINGS),
        "audits": audits,
        "records": records,
        "today": now,
    }


# --------------------------------------------------------------------------- the page


def shorten(text: str | None, ems: float) -> str | None:
    """`text` cut to about `ems` wide with an ellipsis, so that what its box cannot hold is not
    in the PDF at all (clipped text would still be found and copied)."""
    if not text or text_width(text, 1) <= ems:
        return text
    kept, width = [], 0.0
    for char in text:
        width += text_width(char, 1)
        if width > ems - 1:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _short(value: Text | None, zh: float, en: float) -> dict | None:
    return {"zh": shorten(value.zh, zh), "en": shorten(value.en, en)} if value else None


def _finding_label(finding: dict) -> dict | None:
    """A finding's label in its 17 mm row: the Chinese on up to two lines, the English on one
    line under it only when the Chinese (with its critical mark) takes one line."""
    label = _short(finding["label"], 36, 26)
    if label is None:
        return None
    width = text_width(label["zh"], 1) + (6 if finding["critical"] else 0)
    return label if width <= FINDING_LINE_EMS else {**label, "en": None}


def _fitted(context: dict) -> dict:
    """The context with every list capped and every name cut to what its box holds (in ems
    of its font); the boxes clip as well, as a last resort."""
    zone, site, audits = context["zone"], context["site"], context["audits"]
    owners, room = [], OWNER_EMS
    for owner in context["owners"]:
        owner = {
            **owner,
            "name": shorten(owner["name"], 12),
            "name_en": shorten(owner["name_en"], 14),
        }
        room -= sum(text_width(owner[k] or "", 1) for k in ("name", "name_en")) + 5
        if room < 0:
            break
        owners.append(owner)
    return {
        **context,
        "zone": {
            **zone,
            "name": shorten(zone["name"], 48),
            "name_en": shorten(zone["name_en"], 24),
        },
        "site": {"name": shorten(site["name"], 13), "name_en": shorten(site["name_en"], 28)},
        "owners": owners,
        "more_owners": len(context["owners"]) - len(owners),
        "findings": [
            {**f, "label": _finding_label(f), "section": _short(f["section"], 4, 7.5)}
            for f in context["findings"][:TOP_FINDINGS]
        ],
        "rivals": [
            {
                "zone_id": r.zone_id,
                "zone": shorten(r.zone, 14),
                "rank": r.rank,
                "mean": r.mean,
                "red_flag": r.red_flag,
            }
            for r in context["rivals"][:MAX_RIVALS]
        ],
        "audits": [
            {
                **a,
                "officer": shorten(a["officer"], 6.5),  # one line: 18 mm at 7.5 pt
                "status_text": status_text(a["status"]),
                "percent": percent_text(a["score_percent"]),
            }
            for a in audits[:MAX_AUDITS]
        ],
        "more_audits": max(0, len(audits) - MAX_AUDITS),
        "records": _fitted_records(context["records"]),
    }


def _fitted_records(records: dict) -> dict:
    """The waiting actions and open tags capped, their labels and names cut to one line (an
    action's label in Chinese only: six one-line rows tell the meeting more than three in two
    languages)."""
    actions, tags = records["actions"], records["tags"]
    return {
        **records,
        "actions": [
            {
                **a,
                # A reopened one's mark (重开) takes three ems of the line.
                "label": shorten(
                    a["label"].zh if a["label"] else a["item_id"], 19 if a["reopened"] else 22
                ),
                "owner": shorten(a["owner"], 8),
            }
            for a in actions[:MAX_ACTIONS]
        ],
        "more_actions": max(0, len(actions) - MAX_ACTIONS),
        "open_actions": len(actions),
        # One line of 9.5 ems (28 mm at 7.5 pt) for the item and its quantity.
        "tags": [
            {**t, "item": shorten(t["item"], 9 - text_width(f"×{t['qty']}", 1))}
            for t in tags[:MAX_TAGS]
        ],
        "more_tags": max(0, len(tags) - MAX_TAGS),
        "open_tags": len(tags),
    }


def board_html(context: dict) -> str:
    """The HTML of the board (what `zone_board_pdf` prints)."""
    context = _fitted(context)
    name_size = fit(context["zone"]["name"], NAME_W, 12, (26, 22, 19, 16, 14, 12))
    return jinja.get_template("board.html").render(
        **context,
        name_size=name_size,
        font_faces=FONT_FACES,
        fonts=FONTS,
        photo_scheme=PHOTO_SCHEME,
    )


def render_board(context: dict, files: PhotoFiles) -> bytes:
    fetcher = PhotoFetcher(files)
    html = HTML(string=board_html(context), url_fetcher=fetcher, base_url=PHOTO_SCHEME)
    return html.write_pdf()


def zone_board_pdf(store, settings, user: User, zone_id: str, month: str) -> bytes:
    """One A4 page (portrait) about one zone in one month (YYYY-MM); NotFound when the zone is
    unknown or not in the caller's sites."""
    context = board_context(store, settings, user, zone_id, month)
    return render_board(context, PhotoFiles(settings.photos_dir))
