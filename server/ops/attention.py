"""What needs an admin's or supervisor's attention (the console's 需关注 screen).

- Audits waiting for review, oldest first, with their age in days.
- Audits waiting for photos: ones the server holds that name photos their officer has not
  delivered (server/audits/views.py missing_photos), longest waiting first.
- Refused uploads: the 4xx answers to a signed-in user's audit or photo PUT (a stranger's 401s
  are only in the request log: they must not cost a write each). The request log
  (server/api/request_log.py) hands each one here after its answer has gone out, so recording
  it can never change the answer; the table keeps the newest KEEP_ROWS of the last KEEP_DAYS.
- Corrective actions past their due date, counted.
- The server: version, uptime, free disk of the data dir, database and photo folder sizes
  (server/ops/host.py, which /api/health reads too).

Audits and actions are scoped by server/access.py's rules, as every list is. A refusal
belongs to no site: a site-limited reader sees those of users who work at one of their sites
(user_sites); those by users of every site only an unrestricted reader sees.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import msgspec

from server import __version__, access
from server.core.clock import as_utc, site_day
from server.core.db import Store, insert_row
from server.core.settings import Settings
from server.ops import host
from server.people.tokens import token_hash
from server.people.users import User
from server.records.action_lists import count_overdue
from server.reports.trends import queue_size, review_queue

log = logging.getLogger("genba")

LIST_CAP = 20  # items per list; the counts count them all
KEEP_ROWS = 1000  # refusals kept, newest first...
KEEP_DAYS = 30  # ...and never older than this
SHOWN_DAYS = 7  # the screen's refusals: this many days back
DETAIL_CHARS = 500

# (method, route template) of the uploads whose refusals are recorded.
UPLOADS = {("PUT", "/api/audits/{audit_id}"), ("PUT", "/api/photos/{sha256}")}
# Audits still moving that can wait for photos: approved ones cannot (approval needs them).
PHOTO_STATUSES = ("draft", "submitted", "returned")


# --------------------------------------------------------------------------- refusals


def is_upload(method: str, route: str | None) -> bool:
    return (method, route) in UPLOADS


def _device(db, token: str | None) -> str | None:
    if not token:
        return None
    found = db.execute(
        "select device from tokens where token_hash = ?", [token_hash(token)]
    ).fetchone()
    return (found[0] or None) if found else None


def record_refusal(store: Store, refusal: dict, token: str | None, now: datetime) -> None:
    """Keep one refused upload; drop what falls out of the kept window. `refusal` holds the
    table's columns but `id`, `at` and `device` (found from the token the request carried)."""
    at = now.astimezone(UTC)
    oldest = (at - timedelta(days=KEEP_DAYS)).isoformat(timespec="milliseconds")
    with store.write() as db:
        row = {
            **refusal,
            "at": at.isoformat(timespec="milliseconds"),
            "device": _device(db, token),
        }
        insert_row(db, "upload_refusals", row)
        db.execute(
            "delete from upload_refusals where at < ?"
            " or id <= (select max(id) from upload_refusals) - ?",
            [oldest, KEEP_ROWS],
        )


# --------------------------------------------------------------------------- what needs attention


class WaitingAudit(msgspec.Struct):
    id: str
    zone_id: str
    site_id: str
    checklist_id: str
    status: str
    officer_id: int
    officer_name: str | None
    since: str | None  # submitted (review), or received with the photos named (photos)
    age_days: int
    missing_photos: int = 0


class Waiting(msgspec.Struct):
    count: int
    oldest: str | None
    audits: list[WaitingAudit]


class RefusedUpload(msgspec.Struct):
    id: int
    at: str
    status: int
    method: str
    route: str | None
    path: str
    detail: str
    user_id: int | None
    username: str | None
    device: str | None
    client: str | None
    request_id: str | None


class Refusals(msgspec.Struct):
    count: int
    days: int  # counted over this many days back
    items: list[RefusedUpload]


class ServerFacts(msgspec.Struct):
    version: str
    uptime_s: int
    disk_free_bytes: int | None
    disk_free_ok: bool
    min_free_disk_bytes: int
    database_bytes: int
    photos_bytes: int


class Attention(msgspec.Struct):
    at: str
    review: Waiting
    photos: Waiting
    refusals: Refusals
    actions_overdue: int
    server: ServerFacts


def age_days(since: str | None, now: datetime) -> int:
    if not since:
        return 0
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        return 0
    return max(0, (now - as_utc(moment)).days)


def _waiting(rows, now: datetime) -> list[WaitingAudit]:
    return [
        WaitingAudit(
            id=aid,
            zone_id=zone_id,
            site_id=site_id,
            checklist_id=checklist_id,
            status=status,
            officer_id=officer_id,
            officer_name=officer_name,
            since=since,
            age_days=age_days(since, now),
            missing_photos=missing,
        )
        for (
            aid,
            zone_id,
            site_id,
            checklist_id,
            status,
            officer_id,
            officer_name,
            since,
            missing,
        ) in rows
    ]


_COLUMNS = (
    "a.id, a.zone_id, a.site_id, a.checklist_id, a.status, a.officer_id,"
    " (select name from users where id = a.officer_id)"
)


def waiting_review(db, user: User, now: datetime) -> Waiting:
    """Submitted audits, oldest submitted first (the review queue's order and index)."""
    base, params = review_queue(user)
    count, oldest = queue_size(db, base, params)
    rows = db.execute(
        f"select {_COLUMNS}, a.submitted_at, 0 {base}"
        " order by coalesce(a.submitted_at, a.started_at), a.rowid limit ?",
        [*params, LIST_CAP],
    )
    return Waiting(count=count, oldest=oldest, audits=_waiting(rows, now))


def waiting_photos(db, user: User, now: datetime) -> Waiting:
    """Audits naming photos their officer has not delivered, longest waiting first: since the
    server received the revision that names them."""
    where, params = access.audits_filter(user, "a")
    statuses = ",".join("?" * len(PHOTO_STATUSES))
    grouped = (
        f"select {_COLUMNS}, a.updated_at as since, count(*)"
        " from audits a join audit_photos ap on ap.audit_id = a.id"
        f" where a.status in ({statuses}) and not {access.granted_photos_sql('a')}"
        f" and {where} group by a.id"
    )
    args = [*PHOTO_STATUSES, *params]
    count, oldest = db.execute(f"select count(*), min(since) from ({grouped})", args).fetchone()
    rows = db.execute(f"{grouped} order by since, a.id limit ?", [*args, LIST_CAP])
    return Waiting(count=count, oldest=oldest, audits=_waiting(rows, now))


def refused_uploads(db, user: User, now: datetime) -> Refusals:
    scope = access.refusals_filter(user, "r")
    since = (now - timedelta(days=SHOWN_DAYS)).isoformat(timespec="milliseconds")
    base = f"from upload_refusals r where r.at >= ? and {scope.sql}"
    (count,) = db.execute(f"select count(*) {base}", [since, *scope.params]).fetchone()
    rows = db.query(
        f"select r.* {base} order by r.id desc limit ?", [since, *scope.params, LIST_CAP]
    )
    fields = RefusedUpload.__struct_fields__
    items = [RefusedUpload(**{k: row[k] for k in fields}) for row in rows]
    return Refusals(count=count, days=SHOWN_DAYS, items=items)


def server_facts(settings: Settings) -> ServerFacts:
    free, free_ok = host.disk_state(settings)
    return ServerFacts(
        version=__version__,
        uptime_s=host.uptime_s(),
        disk_free_bytes=free,
        disk_free_ok=free_ok,
        min_free_disk_bytes=settings.min_free_disk_bytes,
        database_bytes=host.database_bytes(settings.db_path),
        photos_bytes=host.folder_bytes(settings.photos_dir),
    )


def attention(
    store: Store, settings: Settings, user: User, now: datetime | None = None
) -> Attention:
    now = now or datetime.now(UTC)
    db = store.read()
    return Attention(
        at=now.isoformat(timespec="seconds"),
        review=waiting_review(db, user, now),
        photos=waiting_photos(db, user, now),
        refusals=refused_uploads(db, user, now),
        actions_overdue=count_overdue(db, user, site_day(now, settings)),
        server=server_facts(settings),
    )
