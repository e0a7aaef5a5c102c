"""What corrective actions and red tags share: revisions kept for ever, replays and conflicts
decided by content hash, and the photos each names (with who named them, for access).

The rules are the audits' (server/audits/intake.py): the same content again is a replay that
stores nothing; new content must name the current revision as its base, or it is a conflict
answered with the server's copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import msgspec

from server import access
from server.audits.views import cursor_key, cursor_value
from server.core.db import insert_row
from server.core.errors import Conflict
from server.photos.store import add_holder

Entity = str  # "action" | "red_tag"


def content_of(content: msgspec.Struct) -> tuple[str, str]:
    """The canonical JSON of a revision's content and its sha256."""
    text = msgspec.json.encode(content, order="sorted").decode()
    return text, hashlib.sha256(text.encode()).hexdigest()


def is_replay(
    row: dict | None, digest: str, base: int | None, current: Callable[[], object]
) -> bool:
    """True when the write is a replay of the stored content; raises Conflict when the edit is
    based on an older revision (or on none) than the server's; False for a new revision."""
    if row is None:
        return False
    if row["content_hash"] == digest:
        return True
    if base != row["revision"]:
        based = base if base is not None else "nothing"
        raise Conflict(
            f"conflict: the server has revision {row['revision']}, this edit is based on {based}",
            current=current(),
        )
    return False


def add_revision(
    db, entity: Entity, entity_id: str, number: int, body: str, digest: str, status: str,
    at: str, user_id: int | None, via: str,
) -> None:  # fmt: skip
    insert_row(
        db,
        "record_revisions",
        {
            "entity": entity,
            "entity_id": entity_id,
            "revision": number,
            "content_hash": digest,
            "body": body,
            "status": status,
            "created_at": at,
            "created_by": user_id,
            "via": via,
        },
    )


def hold_readable(db, user, shas: list[str], via: str) -> None:
    """A user naming a photo they can already read (through an audit or another record: the
    tablet's HEAD said the server has it, so it did not upload it again) holds it from now on,
    as an audit's officer does. Any other name grants nothing, and the photo stays missing.
    """
    for sha in shas:
        if not access.holds_photo(db, user.id, sha) and access.reads_photo(db, user, sha):
            add_holder(db, user, sha, via)


def named_photos(db, entity: Entity, entity_id: str) -> dict[str, int]:
    """The record's photos as stored: sha256 -> the user who named it."""
    rows = db.execute(
        "select sha256, named_by from record_photos where entity = ? and entity_id = ?",
        [entity, entity_id],
    )
    return dict(rows.fetchall())


def name_photos(db, entity: Entity, entity_id: str, site_id: str, named: dict[str, int]) -> None:
    """Replace the record's photos with `named` (sha256 -> who named it)."""
    db.execute("delete from record_photos where entity = ? and entity_id = ?", [entity, entity_id])
    db.conn.executemany(
        "insert into record_photos (entity, entity_id, sha256, site_id, named_by)"
        " values (?, ?, ?, ?, ?)",
        [(entity, entity_id, sha, site_id, by) for sha, by in named.items()],
    )


def missing_photos(db, entity: Entity, entity_id: str) -> list[str]:
    """Photos the record names whose bytes the user who named them has not delivered."""
    rows = db.execute(
        "select rp.sha256 from record_photos rp where rp.entity = ? and rp.entity_id = ?"
        " and not exists (select 1 from photo_holders h"
        "  where h.sha256 = rp.sha256 and h.user_id = rp.named_by) order by rp.sha256",
        [entity, entity_id],
    )
    return [sha for (sha,) in rows]


def revision_count(db, entity: Entity, entity_id: str) -> int:
    row = db.execute(
        "select count(*) from record_revisions where entity = ? and entity_id = ?",
        [entity, entity_id],
    ).fetchone()
    return row[0]


def keyset_page(
    db, table: str, where: list[str], params: list, key: str, newest_first: bool,
    cursor: str | None, limit: int,
) -> tuple[list[dict], str | None]:  # fmt: skip
    """One page of `table` (aliased `t`) in (key, rowid) order and the cursor of the next."""
    where, params = list(where), list(params)
    if cursor is not None:
        value, _, rowid = cursor.partition(".")
        where.append(f"(t.{key}, t.rowid) {'<' if newest_first else '>'} (?, ?)")
        params.extend([cursor_value(value), int(rowid)])
    order = "desc" if newest_first else "asc"
    rows = list(
        db.query(
            f"select t.rowid as _rowid, t.* from {table} t where {' and '.join(where) or '1'}"
            f" order by t.{key} {order}, t.rowid {order} limit ?",
            [*params, limit + 1],
        )
    )
    page = rows[:limit]
    more = len(rows) > limit
    return page, f"{cursor_key(page[-1][key])}.{page[-1]['_rowid']}" if more else None
