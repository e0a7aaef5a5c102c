"""The red-tag register (红牌, 6S Sort): tags made on the tablet, numbered per site by the server.

A tag arrives with a client-made UUID and no number; the server gives it the next number of
its site on first receipt (`tag_no`), and that number is its name from then on. A tag ages
from the day it was tagged (by the clock rule, as audits are placed) until it is closed with a
disposition; open tags older than the site's limit (`red_tag_days`, default 7) stand out.
A closed tag is final. docs/actions.md is the contract; access is server/access.py's rule.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import msgspec

from server import access
from server.core import events
from server.core.clock import as_utc, audit_day
from server.core.db import Store, insert_row, update_row
from server.core.errors import Conflict, NotFound, field
from server.people.users import User
from server.records import revisions
from server.records.shapes import TagContent, TagIn, TagPage, TagSaved, TagView

ENTITY = "red_tag"


def tag_label(tag_no: int) -> str:
    return f"RT-{tag_no:04d}"


def tag_row(db, tag_id: str) -> dict | None:
    rows = list(db.query("select * from red_tags where id = ?", [tag_id]))
    return rows[0] if rows else None


def _check_body(body: TagIn) -> None:
    for name in ("tagged_at", "closed_at"):
        moment = getattr(body, name)
        if moment is not None and not 1900 <= moment.year <= 9000:
            raise field(f"$.{name}", f"year {moment.year} is not a time a device could mean")
    if body.status == "closed":
        for name in ("disposition", "closed_at"):
            if getattr(body, name) is None:
                raise field(f"$.{name}", f"a closed tag needs its {name}")
        if as_utc(body.closed_at) < as_utc(body.tagged_at):
            raise field("$.closed_at", "closed before it was tagged")
    else:
        for name in ("disposition", "closed_at"):
            if getattr(body, name) is not None:
                raise field(f"$.{name}", f"an open tag has no {name} yet: close it to set one")


def _content(body: TagIn) -> TagContent:
    closed = as_utc(body.closed_at).isoformat() if body.closed_at else None
    return TagContent(
        zone_id=body.zone_id,
        item=body.item,
        qty=body.qty,
        reason=body.reason,
        photos=body.photos,
        tagged_at=as_utc(body.tagged_at).isoformat(),
        proposed=body.proposed,
        status=body.status,
        disposition=body.disposition,
        closed_at=closed,
        note=body.note,
    )


def content_of_row(row: dict) -> TagContent:
    return TagContent(
        zone_id=row["zone_id"],
        item=row["item"],
        qty=row["qty"],
        reason=row["reason"],
        photos=json.loads(row["photos"]),
        tagged_at=row["tagged_at"],
        proposed=row["proposed"],
        status=row["status"],
        disposition=row["disposition"],
        closed_at=row["closed_at"],
        note=row["note"],
    )


def put_tag(
    store: Store, user: User, tag_id: str, body: TagIn, timezone: str
) -> tuple[bool, TagView]:
    """Store a device's revision of a tag: (created, the tag as stored)."""
    _check_body(body)
    content = _content(body)
    text, digest = revisions.content_of(content)
    with store.write() as db:
        row = tag_row(db, tag_id)
        if row is not None and not access.reads_record(user, row):
            raise NotFound(f"no red tag {tag_id}")
        current = lambda: tag_view(db, row, timezone)  # noqa: E731
        if revisions.is_replay(row, digest, body.base_revision, current):
            return False, current()
        if row is not None and row["status"] == "closed":
            raise Conflict("this red tag is closed: it is final", current=current())
        site_id = _zone_site(db, user, content.zone_id, row)
        revisions.hold_readable(db, user, content.photos, f"red_tag:{tag_id}")
        now = datetime.now(UTC)
        at = now.isoformat(timespec="milliseconds")
        day, _ = audit_day(body.tagged_at, None, now, timezone)
        columns = {
            **msgspec.structs.asdict(content),
            "photos": json.dumps(content.photos),
            "tagged_day": day,
            "content_hash": digest,
            "updated_at": at,
        }
        if row is None:
            first = {"id": tag_id, "site_id": site_id, "tag_no": _next_number(db, site_id)}
            first |= {"created_by": user.id, "received_at": at, "revision": 1}
            insert_row(db, "red_tags", {**first, **columns})
        else:
            update_row(db, "red_tags", "id", tag_id, {**columns, "revision": row["revision"] + 1})
        stored = tag_row(db, tag_id)
        _record(db, user, stored, content, text, at)
        return row is None, tag_view(db, stored, timezone)


def _zone_site(db, user: User, zone_id: str, row: dict | None) -> str:
    zone = db.execute("select site_id from zones where id = ?", [zone_id]).fetchone()
    if zone is None or not access.sees_site(user, zone[0]):
        raise field("$.zone_id", f"unknown zone {zone_id!r}")
    if row is not None and zone[0] != row["site_id"]:
        raise field("$.zone_id", "a red tag moves only to a zone of its own site (its number)")
    return zone[0]


def _next_number(db, site_id: str) -> int:
    last = db.execute("select max(tag_no) from red_tags where site_id = ?", [site_id]).fetchone()
    return (last[0] or 0) + 1


def _record(db, user: User, row: dict, content: TagContent, text: str, at: str) -> None:
    number, digest = row["revision"], row["content_hash"]
    revisions.add_revision(
        db, ENTITY, row["id"], number, text, digest, content.status, at, user.id, "device"
    )
    before = revisions.named_photos(db, ENTITY, row["id"])
    named = {sha: before.get(sha, user.id) for sha in content.photos}
    revisions.name_photos(db, ENTITY, row["id"], row["site_id"], named)
    event = TagSaved(
        revision=number,
        content_hash=digest,
        content=content,
        site_id=row["site_id"],
        tag_no=row["tag_no"],
    )
    events.append(db, user.username, row["id"], event)


# --------------------------------------------------------------------------- reading


def _limit(db, site_id: str) -> int:
    row = db.execute("select red_tag_days from sites where id = ?", [site_id]).fetchone()
    return row[0] if row and row[0] is not None else 7


def _local_today(timezone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()


def tag_view(db, row: dict, timezone: str) -> TagView:
    zone = ZoneInfo(timezone)
    end = _local_today(timezone)
    if row["closed_at"]:
        end = datetime.fromisoformat(row["closed_at"]).astimezone(zone).date()
    age = max(0, (end - date.fromisoformat(row["tagged_day"])).days)
    limit = _limit(db, row["site_id"])
    return TagView(
        **msgspec.structs.asdict(content_of_row(row)),
        id=row["id"],
        revision=row["revision"],
        site_id=row["site_id"],
        tag_no=row["tag_no"],
        tag_label=tag_label(row["tag_no"]),
        age_days=age,
        age_limit_days=limit,
        over_limit=row["status"] == "open" and age > limit,
        created_by=row["created_by"],
        received_at=row["received_at"],
        updated_at=row["updated_at"],
        missing_photos=revisions.missing_photos(db, ENTITY, row["id"]),
    )


def get_tag(store: Store, user: User, tag_id: str, timezone: str) -> TagView:
    db = store.read()
    row = tag_row(db, tag_id)
    if row is None or not access.reads_record(user, row):
        raise NotFound(f"no red tag {tag_id}")
    return tag_view(db, row, timezone)


def list_tags(
    store: Store, user: User, filters: dict, cursor: str | None, limit: int, timezone: str
) -> TagPage:
    """Oldest tag first (the register's order), by keyset on (tagged_at, rowid)."""
    where, params = [], []
    for column in ("site_id", "zone_id", "status"):
        if filters.get(column) is not None:
            where.append(f"t.{column} = ?")
            params.append(filters[column])
    if filters.get("over_limit"):
        where.append(
            "t.status = 'open' and julianday(?) - julianday(t.tagged_day) >"
            " (select red_tag_days from sites s where s.id = t.site_id)"
        )
        params.append(_local_today(timezone).isoformat())
    visible = access.records_filter(user, "t")
    where.append(visible.sql)
    params.extend(visible.params)
    db = store.read()
    page, next_cursor = revisions.keyset_page(
        db, "red_tags", where, params, "tagged_at", False, cursor, limit
    )
    return TagPage(red_tags=[tag_view(db, row, timezone) for row in page], next_cursor=next_cursor)


def device_tags(store: Store, user: User, timezone: str, ids: list[str] | None = None) -> list:
    """The tags of the user's sites a tablet keeps: the open ones, or (for the changes feed)
    exactly those named, whatever their state."""
    visible = access.records_filter(user)
    db = store.read()
    if ids is None:
        sql = f"select * from red_tags where status = 'open' and {visible.sql}"
        rows = db.query(sql + " order by zone_id, tag_no", visible.params)
    else:
        marks = ",".join("?" * len(ids))
        sql = f"select * from red_tags where id in ({marks}) and {visible.sql} order by id"
        rows = db.query(sql, [*ids, *visible.params])
    return [tag_view(db, row, timezone) for row in rows]
