"""Corrective actions in lists: the supervisor's filters, the load per owner, the counts the
appraisal rows carry, and what a device caches for its sites."""

from __future__ import annotations

from server import access
from server.core.db import Store
from server.core.errors import Malformed
from server.people.users import User
from server.records import revisions
from server.records.actions import NOT_CLOSED, WAITING, action_view
from server.records.shapes import ActionPage, OwnerLoad, OwnerLoads

STATUSES = ("open", "done", "verified", "reopened", "cancelled")


def _statuses(wanted: list[str] | None) -> list[str] | None:
    if not wanted:
        return None
    out: list[str] = []
    for status in wanted:
        if status == "active":
            out.extend(NOT_CLOSED)
        elif status in STATUSES:
            out.append(status)
        else:
            message = f"unknown status {status[:40]!r}: one of active, {', '.join(STATUSES)}"
            raise Malformed(message, errors=[{"path": "query.status", "message": message}])
    return sorted(set(out))


def _in(column: str, values: list[str]) -> str:
    return f"{column} in ({','.join('?' * len(values))})"


def _overdue(alias: str, today: str) -> tuple[str, list]:
    """Overdue: still to be done (open or reopened) and past its due day."""
    return f"{_in(f'{alias}.status', list(WAITING))} and {alias}.due < ?", [*WAITING, today]


def count_overdue(db, user: User, today: str) -> int:
    """The overdue actions of the sites the user sees."""
    overdue, params = _overdue("t", today)
    visible = access.records_filter(user, "t")
    sql = f"select count(*) from actions t where {overdue} and {visible.sql}"
    return db.execute(sql, [*params, *visible.params]).fetchone()[0]


def list_actions(
    store: Store, user: User, filters: dict, cursor: str | None, limit: int, today: str
) -> ActionPage:
    """Newest opened first, by keyset on (opened_at, rowid)."""
    where, params = [], []
    for column in ("site_id", "zone_id"):
        if filters.get(column) is not None:
            where.append(f"t.{column} = ?")
            params.append(filters[column])
    if filters.get("owner") is not None:
        where.append("t.owner_staff_id = ?")
        params.append(filters["owner"])
    statuses = _statuses(filters.get("status"))
    if statuses:
        where.append(_in("t.status", statuses))
        params.extend(statuses)
    if filters.get("overdue"):
        overdue, overdue_params = _overdue("t", today)
        where.append(overdue)
        params.extend(overdue_params)
    visible = access.records_filter(user, "t")
    where.append(visible.sql)
    params.extend(visible.params)
    db = store.read()
    page, next_cursor = revisions.keyset_page(
        db, "actions", where, params, "opened_at", True, cursor, limit
    )
    views = [action_view(store, db, row, today) for row in page]
    return ActionPage(actions=views, next_cursor=next_cursor)


def owner_loads(store: Store, user: User, site_id: str | None, today: str) -> OwnerLoads:
    """Per owner, the actions not yet closed: open, overdue, and done waiting on a check."""
    visible = access.records_filter(user, "a")
    where, params = [visible.sql, _in("a.status", list(NOT_CLOSED))], [*visible.params]
    params.extend(NOT_CLOSED)
    if site_id is not None:
        where.append("a.site_id = ?")
        params.append(site_id)
    overdue, overdue_params = _overdue("a", today)
    rows = store.read().execute(
        "select a.owner_staff_id, s.name,"
        f" sum({_in('a.status', list(WAITING))}), sum({overdue}), sum(a.status = 'done')"
        " from actions a left join staff s on s.id = a.owner_staff_id"
        f" where {' and '.join(where)} group by a.owner_staff_id"
        " order by 4 desc, 3 desc, s.name",
        [*WAITING, *overdue_params, *params],
    )
    return OwnerLoads(
        owners=[
            OwnerLoad(staff_id=sid, name=name, open=o, overdue=late, done=done)
            for sid, name, o, late, done in rows
        ]
    )


def device_actions(store: Store, user: User, today: str, ids: list[str] | None = None) -> list:
    """The actions of the user's sites a tablet keeps: not yet closed, or (for the changes
    feed) exactly those named, whatever their state."""
    visible = access.records_filter(user)
    db = store.read()
    if ids is None:
        sql = f"select * from actions where {_in('status', list(NOT_CLOSED))} and {visible.sql}"
        rows = db.query(sql + " order by zone_id, due", [*NOT_CLOSED, *visible.params])
    else:
        sql = f"select * from actions where {_in('id', ids)} and {visible.sql} order by id"
        rows = db.query(sql, [*ids, *visible.params])
    return [action_view(store, db, row, today) for row in rows]


def appraisal_counts(db, at: str, overdue_before: str) -> dict[str | None, tuple[int, int]]:
    """Per owner, (open, overdue) actions as they stood at the instant `at` (UTC ISO): open or
    reopened then, and of those the ones due before `overdue_before` (a date).

    Read from the revisions, so a past month's figures stay what they were at its end.
    """
    rows = db.execute(
        "select json_extract(r.body, '$.owner_staff_id') as owner,"
        " sum(json_extract(r.body, '$.status') in ('open', 'reopened')),"
        " sum(json_extract(r.body, '$.status') in ('open', 'reopened')"
        "     and json_extract(r.body, '$.due') < ?)"
        " from record_revisions r join ("
        "   select entity_id, max(revision) as revision from record_revisions"
        "   where entity = 'action' and created_at <= ? group by entity_id) last"
        " on r.entity = 'action' and r.entity_id = last.entity_id"
        " and r.revision = last.revision group by owner",
        [overdue_before, at],
    )
    return {owner: (open_ or 0, late or 0) for owner, open_, late in rows}
