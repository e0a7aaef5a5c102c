"""The red-tag register (红牌登记表): a site's red tags as one A4 landscape table (WeasyPrint).

Each row is one tag as GET /api/red-tags gives it (server/records/red_tags.py works out the
number, the age and whether it is over the site's limit), with its zone's name, who tagged it,
the day it was tagged and a thumbnail of its first photo. `site_tags` gathers the rows for
both PDFs (this register and the printable tags, red_tag_labels.py).

Items, reasons, notes and names are untrusted: Jinja's autoescape prints markup as text and
each sits in its own `<bdi>`, as on the scorecard; the only resources the renderer may load
are the tags' own thumbnails and the emoji font (`PhotoFetcher`).
"""

from __future__ import annotations

from datetime import date, timedelta

from weasyprint import HTML

from server import access
from server.core.clock import today
from server.core.errors import NotFound
from server.people.users import User
from server.photos.files import PhotoFiles
from server.records.red_tags import list_tags
from server.reports.board import shorten
from server.reports.scorecard import (
    FONT_FACES,
    FONTS,
    PHOTO_SCHEME,
    PhotoFetcher,
    jinja,
    local_time,
)

PAGE = 200  # tags per list_tags page
# A register longer than this lists the oldest and says how many it left off: WeasyPrint sets
# about 30 table rows a second, and a render holds one of the two RENDERS slots.
MAX_TAGS = 500
REASON_EMS = 300  # what a register cell prints of a reason (up to 1000 characters)
NOTE_EMS = 120

DISPOSITIONS = {
    "discard": ("报废", "Discard"),
    "move": ("移走", "Move"),
    "keep": ("保留", "Keep"),
    "sell": ("变卖", "Sell"),
    "repair": ("维修", "Repair"),
}
STATUSES = {"open": ("未处理", "Open"), "closed": ("已关闭", "Closed")}
SCOPES = {
    None: ("全部", "All tags"),
    "open": ("未处理", "Open tags"),
    "closed": ("已关闭", "Closed tags"),
}


def pair(table: dict, key: str | None) -> dict:
    zh, en = table.get(key, (key or "—", ""))
    return {"zh": zh, "en": en}


def _site(db, user: User, site_id: str) -> dict:
    row = db.execute(
        "select id, name, name_en, red_tag_days from sites where id = ?", [site_id]
    ).fetchone()
    if row is None or not access.sees_site(user, site_id):
        raise NotFound(f"no site {site_id}")
    return {"id": row[0], "name": row[1], "name_en": row[2], "limit": row[3] or 7}


def _local_date(stamp: str | None, timezone: str) -> str | None:
    return local_time(stamp, timezone)[:10] if stamp else None


def site_tags(
    store, settings, user: User, site_id: str, status: str | None, most: int = MAX_TAGS
) -> dict:
    """The site (NotFound unless the caller sees it) and its first `most` tags, oldest first,
    as rows; `left_off` counts the others."""
    db = store.read()
    site = _site(db, user, site_id)
    filters = {"site_id": site_id, "status": status}
    views, cursor = [], None
    while len(views) < most:
        page = list_tags(store, user, filters, cursor, PAGE, settings.timezone)
        views += page.red_tags
        cursor = page.next_cursor
        if cursor is None:
            break
    views = views[:most]
    where = "site_id = ?" + (" and status = ?" if status else "")
    params = [site_id, status] if status else [site_id]
    total = db.execute(f"select count(*) from red_tags where {where}", params).fetchone()[0]
    zones = {
        r[0]: (r[1], r[2])
        for r in db.execute("select id, name, name_en from zones where site_id = ?", [site_id])
    }
    # The day each tag counts from (the clock rule's, as its age does), not the device's stamp.
    days = dict(db.execute("select id, tagged_day from red_tags where site_id = ?", [site_id]))
    users = dict(db.execute("select id, name from users"))
    rows = []
    for tag in views:
        # Only photos the tagging officer delivered: a hash merely named prints as nothing.
        delivered = [sha for sha in tag.photos if sha not in tag.missing_photos]
        tagged_day = days.get(tag.id) or _local_date(tag.tagged_at, settings.timezone)
        deadline = date.fromisoformat(tagged_day) + timedelta(days=tag.age_limit_days)
        zone = zones.get(tag.zone_id, (tag.zone_id, None))
        rows.append(
            {
                "id": tag.id,
                "label": tag.tag_label,
                "zone": zone[0],
                "zone_en": zone[1],
                "item": tag.item,
                "qty": tag.qty,
                "reason": shorten(tag.reason, REASON_EMS),
                "note": shorten(tag.note, NOTE_EMS),
                "proposed": pair(DISPOSITIONS, tag.proposed),
                "tagged": tagged_day,
                "deadline": deadline.isoformat(),
                "age": tag.age_days,
                "limit": tag.age_limit_days,
                "over": tag.over_limit,
                "status": tag.status,
                "status_text": pair(STATUSES, tag.status),
                "disposition": pair(DISPOSITIONS, tag.disposition) if tag.disposition else None,
                "closed": _local_date(tag.closed_at, settings.timezone),
                "photo": delivered[0] if delivered else None,
                "by": users.get(tag.created_by, f"#{tag.created_by}"),
            }
        )
    return {
        "site": site,
        "status": status,
        "scope": pair(SCOPES, status),
        "tags": rows,
        "total": total,
        "left_off": max(0, total - len(rows)),
        "open": sum(1 for r in rows if r["status"] == "open"),
        "over": sum(1 for r in rows if r["over"]),
        "today": today(settings),
    }


def register_html(context: dict) -> str:
    return jinja.get_template("red_tag_register.html").render(
        **context, font_faces=FONT_FACES, fonts=FONTS, photo_scheme=PHOTO_SCHEME
    )


def register_pdf(store, settings, user: User, site_id: str, status: str | None) -> bytes:
    """The site's register, A4 landscape, oldest tag first; NotFound for a site the caller
    does not see."""
    context = site_tags(store, settings, user, site_id, status)
    fetcher = PhotoFetcher(PhotoFiles(settings.photos_dir))
    html = HTML(string=register_html(context), url_fetcher=fetcher, base_url=PHOTO_SCHEME)
    return html.write_pdf()
