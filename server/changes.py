"""GET /api/changes: what a user's devices must learn since their cursor (an event seq).

Their own audits reviewed (returned or approved, with the comment), newly published checklist
versions, and every corrective action and red tag of their sites that changed, in any state,
so a tablet drops what was closed elsewhere. The event log is the feed: each kind of change
is an event, and the cursor is the last event seen.
"""

from __future__ import annotations

import msgspec

from server import access
from server.audits.shapes import AuditView
from server.audits.views import audit_row, audit_view
from server.core import events
from server.core.db import Store
from server.people.users import User
from server.records.action_lists import device_actions
from server.records.red_tags import device_tags
from server.records.shapes import ActionView, TagView

FEED = ("audit.review", "checklist.publish", "action.save", "red_tag.save")


class ChecklistRef(msgspec.Struct):
    """A newly published checklist version, for devices to fetch."""

    id: str
    version: int


class Changes(msgspec.Struct):
    cursor: str
    audits: list[AuditView]
    checklists: list[ChecklistRef]
    more: bool = False
    actions: list[ActionView] = msgspec.field(default_factory=list)
    red_tags: list[TagView] = msgspec.field(default_factory=list)


def changes_since(
    store: Store, user: User, since: int | None, today: str, timezone: str, limit: int = 200
) -> Changes:
    db = store.read()
    if since is None:
        return Changes(cursor=str(events.last_seq(db)), audits=[], checklists=[])
    upto = events.last_seq(db)  # later events wait for the next call
    marks = ",".join("?" * len(FEED))
    rows = list(
        db.query(
            "select seq, action, entity_id from events where seq > ? and seq <= ?"
            f" and action in ({marks}) order by seq limit ?",
            [since, upto, *FEED, limit],
        )
    )
    audits, checklists, seen = [], [], set()
    records: dict[str, list[str]] = {"action.save": [], "red_tag.save": []}
    for event in rows:
        action, entity_id = event["action"], event["entity_id"]
        if action == "checklist.publish":
            checklist_id, _, version = entity_id.rpartition("/")
            checklists.append(ChecklistRef(id=checklist_id, version=int(version)))
        elif action in records:
            if entity_id not in records[action]:
                records[action].append(entity_id)
        elif entity_id not in seen:
            row = audit_row(db, entity_id)
            # Only the officer's own audits: a supervisor's devices do not take others' work.
            if row and row["officer_id"] == user.id and access.reads_audit(user, row):
                seen.add(entity_id)
                audits.append(audit_view(db, row))
    more = len(rows) == limit
    cursor = rows[-1]["seq"] if more else max(since, upto)
    return Changes(
        cursor=str(cursor),
        audits=audits,
        checklists=checklists,
        more=more,
        actions=device_actions(store, user, today, records["action.save"]),
        red_tags=device_tags(store, user, timezone, records["red_tag.save"]),
    )
