"""Reading audits: the views clients get, pages, and the changes feed. Who may read what is
server/access.py's rule; this module only asks it."""

from __future__ import annotations

import base64

import msgspec

from server import access
from server.audits.shapes import (
    AuditPage,
    AuditSummary,
    AuditView,
    Review,
    StoredBody,
    Void,
)
from server.checklists.scoring import Answer, Score
from server.core.db import Store
from server.core.errors import Malformed
from server.people.users import User

_score = msgspec.json.Decoder(Score)
_body = msgspec.json.Decoder(StoredBody)
_review = msgspec.json.Decoder(Review)
_void = msgspec.json.Decoder(Void)


def missing_photos(db, audit_id: str) -> list[str]:
    """The photos the latest revision names that its officer has not delivered.

    A photo counts as delivered only when the audit's officer holds it (uploaded those bytes,
    or could read it already), so this list says nothing about what others have stored.
    """
    rows = db.execute(
        "select ap.sha256 from audit_photos ap join audits a on a.id = ap.audit_id"
        f" where ap.audit_id = ? and not {access.granted_photos_sql('a')} order by ap.rowid",
        [audit_id],
    )
    return [sha for (sha,) in rows]


def audit_row(db, audit_id: str) -> dict | None:
    rows = list(db.query("select * from audits where id = ?", [audit_id]))
    return rows[0] if rows else None


def audit_summary(db, row: dict) -> AuditSummary:
    """What a PUT answers: the state of the audit, without decoding its stored body."""
    missing = missing_photos(db, row["id"])
    return AuditSummary(
        id=row["id"],
        revision=row["revision"],
        status=row["status"],
        complete=bool(row["complete"]) and not missing,
        missing_photos=missing,
        score=_score.decode(row["score"]),
        month=row["month"],
        day=row["day"],
        clock_flag=row["clock_flag"],
        received_at=row["received_at"],
        zone_flag=row["zone_flag"],
    )


def audit_view(db, row: dict) -> AuditView:
    """The audit as clients see it: body fields, the summary above, and the review."""
    body = _body.decode(row["body"])
    return AuditView(
        **msgspec.structs.asdict(audit_summary(db, row)),
        checklist_id=body.checklist_id,
        checklist_version=body.checklist_version,
        zone_id=body.zone_id,
        answers=body.answers,
        started_at=body.started_at,
        submitted_at=body.submitted_at,
        site_id=row["site_id"],
        officer_id=row["officer_id"],
        updated_at=row["updated_at"],
        review=_review.decode(row["review"]) if row["review"] else None,
        void=_void.decode(row["void"]) if row["void"] else None,
        officer_name=_name(db, row["officer_id"]),
        subject=body.subject,
    )


def _name(db, user_id: int) -> str | None:
    found = db.execute("select name from users where id = ?", [user_id]).fetchone()
    return found[0] if found else None


def get_audit(store: Store, user: User, audit_id: str) -> AuditView:
    db = store.read()
    return audit_view(db, access.readable_audit(audit_row(db, audit_id), user, audit_id))


def list_audits(
    store: Store, user: User, filters: dict, cursor: str | None, limit: int
) -> AuditPage:
    """A page of audits, newest month first (or oldest: the review queue), by keyset on
    (month, rowid).

    Every filter has an index whose order is the page order, so a page costs the same with a
    million audits as with ten (tests/test_audit_list.py checks the query plans).
    """
    where, params = [], []
    for column in ("zone_id", "status", "month", "site_id", "officer_id", "checklist_id"):
        if filters.get(column) is not None:
            where.append(f"{column} = ?")
            params.append(filters[column])
    if filters.get("status") is None:
        where.append("status not in ('discarded', 'void')")
    oldest = filters.get("order") == "oldest"
    if oldest and filters.get("status") is None:
        # Indexed per status only: the queue is one status (submitted).
        message = "order=oldest pages one status at a time: add status (e.g. status=submitted)"
        raise Malformed(message, errors=[{"path": "query.status", "message": message}])
    visible = access.audits_filter(user)
    if visible.sql != "1":
        where.append(visible.sql)
        params.extend(visible.params)
    if cursor is not None:
        key, _, rowid = cursor.partition(".")
        if oldest:
            where.append(f"({SENT}, rowid) > (?, ?)")
            params.extend([cursor_value(key), int(rowid)])
        elif filters.get("month"):
            # Within one month the index is in rowid order: a plain range seeks straight there.
            where.append("rowid < ?")
            params.append(int(rowid))
        else:
            where.append("(month, rowid) < (?, ?)")
            params.extend([key, int(rowid)])
    db = store.read()
    rows = list(db.query(page_sql(where, oldest), [*params, limit + 1]))
    page = rows[:limit]
    last = page[-1] if page else None
    next_cursor = None
    if len(rows) > limit:
        key = cursor_key(last["_sent"]) if oldest else last["month"]
        next_cursor = f"{key}.{last['_rowid']}"
    return AuditPage(audits=[audit_view(db, row) for row in page], next_cursor=next_cursor)


# When an audit was sent (a draft: started); the review queue's order, indexed per status.
SENT = "coalesce(submitted_at, started_at)"


def cursor_key(sent: str) -> str:
    return base64.urlsafe_b64encode(sent.encode()).decode().rstrip("=")


def cursor_value(key: str) -> str:
    try:
        return base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)).decode()
    except ValueError:
        raise Malformed(
            f"bad cursor {key[:40]!r}",
            errors=[{"path": "query.cursor", "message": "not a cursor this list gave"}],
        ) from None


def page_sql(where: list[str], oldest: bool = False) -> str:
    """Newest month first (the officer's and the history's order), or oldest sent first (the
    review queue's), each in the order of an index so no page is ever sorted."""
    sql = f"select rowid as _rowid, {SENT} as _sent, * from audits"
    if where:
        sql += " where " + " and ".join(where)
    if oldest:
        return sql + f" order by {SENT} asc, rowid asc limit ?"
    return sql + " order by month desc, rowid desc limit ?"


def latest_per_zone(store: Store, since_month: str) -> dict[str, list[dict]]:
    """Per zone, the newest submitted audit of each checklist since a month, by any officer.

    (SQLite takes the bare columns from the row holding the max.)
    """
    rows = store.read().query(
        "select zone_id, checklist_id, status, max(submitted_at) as submitted_at,"
        " score_percent, score from audits where status not in ('draft', 'discarded', 'void')"
        " and month >= ? group by zone_id, checklist_id order by zone_id, checklist_id",
        [since_month],
    )
    latest: dict[str, list[dict]] = {}
    for row in rows:
        latest.setdefault(row["zone_id"], []).append(
            {
                "checklist_id": row["checklist_id"],
                "status": row["status"],
                "submitted_at": row["submitted_at"],
                "percent": row["score_percent"],
                "band": _score.decode(row["score"]).band,
            }
        )
    return latest


class Change(msgspec.Struct):
    item_id: str
    before: Answer | None
    after: Answer | None


class Comparison(msgspec.Struct):
    """An audit beside the zone's audit of the same checklist before it, and what changed."""

    previous: AuditView | None
    changed: list[Change]


def compare_with_previous(store: Store, user: User, audit_id: str) -> Comparison:
    db = store.read()
    row = access.readable_audit(audit_row(db, audit_id), user, audit_id)
    where, params = access.audits_filter(user)
    earlier = list(
        db.query(
            "select * from audits where zone_id = ? and checklist_id = ? and id != ?"
            " and status in ('submitted', 'returned', 'approved')"
            " and coalesce(submitted_at, started_at) < ?"
            f" and {where} order by coalesce(submitted_at, started_at) desc limit 1",
            [
                row["zone_id"],
                row["checklist_id"],
                audit_id,
                row["submitted_at"] or row["started_at"],
                *params,
            ],
        )
    )
    if not earlier:
        return Comparison(previous=None, changed=[])
    now, before = audit_view(db, row), audit_view(db, earlier[0])
    ids = list(dict.fromkeys([*now.answers, *before.answers]))
    changed = [
        Change(item_id, before.answers.get(item_id), now.answers.get(item_id))
        for item_id in ids
        if _value(before.answers.get(item_id)) != _value(now.answers.get(item_id))
    ]
    return Comparison(previous=before, changed=changed)


def _value(answer: Answer | None):
    return None if answer is None else answer.value
