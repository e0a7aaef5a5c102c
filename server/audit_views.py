"""Reading audits: the view clients get, who may see what, pages, and the changes feed."""

from __future__ import annotations

import json

from server import events
from server.db import Store
from server.errors import ApiError
from server.users import User


def missing_photos(db, audit_id: str) -> list[str]:
    """The photos the audit's latest revision names that the server does not have yet."""
    rows = db.execute(
        "select sha256 from audit_photos where audit_id = ?"
        " and sha256 not in (select sha256 from photos) order by rowid",
        [audit_id],
    )
    return [sha for (sha,) in rows]


def audit_row(db, audit_id: str) -> dict | None:
    rows = list(db.query("select * from audits where id = ?", [audit_id]))
    return rows[0] if rows else None


def audit_summary(db, row: dict) -> dict:
    """What a PUT answers: the state of the audit, without decoding its stored body."""
    missing = missing_photos(db, row["id"])
    return {
        "id": row["id"],
        "revision": row["revision"],
        "status": row["status"],
        "complete": bool(row["complete"]) and not missing,
        "missing_photos": missing,
        "score": json.loads(row["score"]),
        "month": row["month"],
        "clock_flag": row["clock_flag"],
        "received_at": row["received_at"],
    }


def audit_view(db, row: dict) -> dict:
    """The audit as clients see it: body fields, the summary above, and the review."""
    body = json.loads(row["body"])
    return {
        **audit_summary(db, row),
        **{k: body[k] for k in ("checklist_id", "checklist_version", "zone_id", "answers")},
        "started_at": body["started_at"],
        "submitted_at": body["submitted_at"],
        "site_id": row["site_id"],
        "officer_id": row["officer_id"],
        "updated_at": row["updated_at"],
        "review": json.loads(row["review"]) if row["review"] else None,
    }


def may_see(user: User, row: dict) -> bool:
    """Officers see their own audits; supervisors and admins every audit of their sites."""
    if not user.may_see_site(row["site_id"]):
        return False
    return user.at_least("supervisor") or row["officer_id"] == user.id


def get_audit(store: Store, user: User, audit_id: str) -> dict:
    db = store.read()
    row = audit_row(db, audit_id)
    if row is None or not may_see(user, row):
        raise ApiError(404, f"no audit {audit_id}")
    return audit_view(db, row)


def list_audits(store: Store, user: User, filters: dict, cursor: str | None, limit: int) -> dict:
    """A page of audits, newest month first, by keyset on (month, rowid).

    Every filter has an index whose order is the page order, so a page costs the same with a
    million audits as with ten (tests/test_audit_list.py checks the query plans).
    """
    where, params = [], []
    for column in ("zone_id", "status", "month"):
        if filters.get(column):
            where.append(f"{column} = ?")
            params.append(filters[column])
    if user.site_ids is not None:
        where.append(f"site_id in ({','.join('?' * len(user.site_ids))})")
        params.extend(sorted(user.site_ids))
    if not user.at_least("supervisor"):
        where.append("officer_id = ?")
        params.append(user.id)
    if cursor is not None:
        month, _, rowid = cursor.partition(".")
        if filters.get("month"):
            # Within one month the index is in rowid order: a plain range seeks straight there.
            where.append("rowid < ?")
            params.append(int(rowid))
        else:
            where.append("(month, rowid) < (?, ?)")
            params.extend([month, int(rowid)])
    sql = page_sql(where)
    db = store.read()
    rows = list(db.query(sql, [*params, limit + 1]))
    page = rows[:limit]
    last = page[-1] if page else None
    next_cursor = f"{last['month']}.{last['_rowid']}" if len(rows) > limit else None
    return {"audits": [audit_view(db, row) for row in page], "next_cursor": next_cursor}


def page_sql(where: list[str]) -> str:
    sql = "select rowid as _rowid, * from audits"
    if where:
        sql += " where " + " and ".join(where)
    return sql + " order by month desc, rowid desc limit ?"


def changes_since(store: Store, user: User, since: int | None, limit: int = 200) -> dict:
    """What this user's devices must learn: their audits reviewed since `since`, new checklists."""
    db = store.read()
    if since is None:
        return {"cursor": str(events.last_seq(db)), "audits": [], "checklists": []}
    upto = events.last_seq(db)  # later events wait for the next call
    rows = list(
        db.query(
            "select seq, action, entity_id, detail from events where seq > ? and seq <= ?"
            " and action in ('audit.review', 'checklist.publish') order by seq limit ?",
            [since, upto, limit],
        )
    )
    audits, checklists, seen = [], [], set()
    for event in rows:
        if event["action"] == "checklist.publish":
            checklists.append(json.loads(event["detail"]))
            continue
        if event["entity_id"] in seen:
            continue
        row = audit_row(db, event["entity_id"])
        if row and row["officer_id"] == user.id and user.may_see_site(row["site_id"]):
            seen.add(event["entity_id"])
            audits.append(audit_view(db, row))
    cursor = rows[-1]["seq"] if len(rows) == limit else max(since, upto)
    return {
        "cursor": str(cursor),
        "audits": audits,
        "checklists": checklists,
        "more": len(rows) == limit,
    }


def latest_per_zone(store: Store, since_month: str) -> dict[str, list[dict]]:
    """Per zone, the newest non-draft audit of each checklist since a month, by any officer.

    (SQLite takes the bare columns from the row holding the max.)
    """
    rows = store.read().query(
        "select zone_id, checklist_id, status, max(submitted_at) as submitted_at,"
        " score_percent, score from audits where status != 'draft' and month >= ?"
        " group by zone_id, checklist_id order by zone_id, checklist_id",
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
                "band": json.loads(row["score"]).get("band"),
            }
        )
    return latest
