"""What needs an admin's or supervisor's attention (the console's 需关注 screen), and the facts a
monitor asks of a running server: uptime, free disk, database and photo folder sizes.

- Audits waiting for review, oldest first, with their age in days.
- Audits waiting for photos: ones the server holds that name photos their officer has not
  delivered (server/audits/views.py missing_photos), longest waiting first.
- Refused uploads: the 4xx answers to a signed-in user's audit or photo PUT (a stranger's 401s
  are only in the request log: they must not cost a write each). The request log
  (server/api/request_log.py) hands each one here after its answer has gone out, so recording
  it can never change the answer; the table keeps the newest KEEP_ROWS of the last KEEP_DAYS.
- Corrective actions past their due date, counted.
- The server: version, uptime, free disk of the data dir, database and photo folder sizes.

Audits and actions are scoped by server/access.py's rules, as every list is. A refusal
belongs to no site: a site-limited reader sees those of users who work at one of their sites
(user_sites); those by users of every site only an unrestricted reader sees.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from server import __version__, access
from server.core.clock import today
from server.core.db import Store, insert_row
from server.core.settings import Settings
from server.people.tokens import token_hash
from server.people.users import User
from server.records.actions import WAITING

log = logging.getLogger("genba")

STARTED = time.monotonic()  # when the server's code was loaded: its uptime counts from here

LIST_CAP = 20  # items per list; the counts count them all
KEEP_ROWS = 1000  # refusals kept, newest first...
KEEP_DAYS = 30  # ...and never older than this
SHOWN_DAYS = 7  # the screen's refusals: this many days back
DETAIL_CHARS = 500
MAX_BODY = 64 * 1024  # of a refusal's answer, read for its message

# (method, route template) of the uploads whose refusals are recorded.
UPLOADS = {("PUT", "/api/audits/{audit_id}"), ("PUT", "/api/photos/{sha256}")}
# Audits still moving that can wait for photos: approved ones cannot (approval needs them).
PHOTO_STATUSES = ("draft", "submitted", "returned")
SIZES_TTL = 60.0  # seconds a photo folder's size is reused: walking it reads every entry


# --------------------------------------------------------------------------- the server


def uptime_s() -> int:
    return int(time.monotonic() - STARTED)


def disk_free(path: Path) -> int | None:
    """Free bytes on the disk holding `path` (for unprivileged users), None when unreadable."""
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def database_bytes(db_path: Path) -> int:
    """The database file with its write-ahead log and shared-memory index."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += os.stat(f"{db_path}{suffix}").st_size
    return total


def _walk_bytes(root: Path) -> int:
    total, folders = 0, [str(root)]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


_sizes: dict[str, tuple[float, int]] = {}
_sizes_lock = threading.Lock()


def folder_bytes(root: Path) -> int:
    """Bytes of every file under `root`, walked at most once a minute."""
    key, now = str(root), time.monotonic()
    with _sizes_lock:
        found = _sizes.get(key)
        if found and now - found[0] < SIZES_TTL:
            return found[1]
    size = _walk_bytes(root)
    with _sizes_lock:
        _sizes[key] = (now, size)
    return size


# --------------------------------------------------------------------------- refusals


def is_upload(method: str, route: str | None) -> bool:
    return (method, route) in UPLOADS


def answer_detail(body: bytes, encoding: str | None) -> str:
    """The message of a refusal's JSON answer (`detail`), as much as is kept; "" when none."""
    try:
        if encoding == "gzip":
            body = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_BODY)
        elif encoding:
            return ""
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError, zlib.error):
        return ""
    return detail[:DETAIL_CHARS] if isinstance(detail, str) else ""


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


def _refusals_filter(user: User) -> access.Filter:
    """Refusals by users who work at one of the reader's sites (all, for an unrestricted one)."""
    if user.site_ids is None:
        return access.Filter("1", [])
    sites = access.sites_filter(user, "us.site_id")
    return access.Filter(
        f"exists (select 1 from user_sites us where us.user_id = r.user_id and {sites.sql})",
        sites.params,
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
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, (now - moment).days)


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
    where, params = access.audits_filter(user, "a")
    base = f"from audits a where a.status = 'submitted' and {where}"
    count, oldest = db.execute(f"select count(*), min(a.submitted_at) {base}", params).fetchone()
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
    scope = _refusals_filter(user)
    since = (now - timedelta(days=SHOWN_DAYS)).isoformat(timespec="milliseconds")
    base = f"from upload_refusals r where r.at >= ? and {scope.sql}"
    (count,) = db.execute(f"select count(*) {base}", [since, *scope.params]).fetchone()
    rows = db.query(
        f"select r.* {base} order by r.id desc limit ?", [since, *scope.params, LIST_CAP]
    )
    fields = RefusedUpload.__struct_fields__
    items = [RefusedUpload(**{k: row[k] for k in fields}) for row in rows]
    return Refusals(count=count, days=SHOWN_DAYS, items=items)


def actions_overdue(db, user: User, day: str) -> int:
    visible = access.records_filter(user, "t")
    waiting = ",".join("?" * len(WAITING))
    (count,) = db.execute(
        f"select count(*) from actions t where t.status in ({waiting}) and t.due < ?"
        f" and {visible.sql}",
        [*WAITING, day, *visible.params],
    ).fetchone()
    return count


def server_facts(settings: Settings) -> ServerFacts:
    free = disk_free(settings.data_dir)
    return ServerFacts(
        version=__version__,
        uptime_s=uptime_s(),
        disk_free_bytes=free,
        disk_free_ok=free is not None and free >= settings.min_free_disk_bytes,
        min_free_disk_bytes=settings.min_free_disk_bytes,
        database_bytes=database_bytes(settings.db_path),
        photos_bytes=folder_bytes(settings.photos_dir),
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
        actions_overdue=actions_overdue(db, user, today(settings)),
        server=server_facts(settings),
    )
