"""`genba verify` for corrective actions and red tags: every row is the state its latest
logged revision recorded, every revision is kept and logged, and the fields match the hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from server.records import actions, red_tags
from server.records.revisions import content_of

# entity, table, logged action, the row's content
KINDS: list[tuple[str, str, str, Callable]] = [
    ("action", "actions", "action.save", actions.content_of_row),
    ("red_tag", "red_tags", "red_tag.save", red_tags.content_of_row),
]


def records(db, logged: dict) -> Iterator[str]:
    for entity, table, action, content in KINDS:
        history: dict[str, list] = {}
        for event in logged.get(action, []):
            history.setdefault(event.entity_id, []).append(event.detail)
        kept = {
            (row["entity_id"], row["revision"]): row
            for row in db.query("select * from record_revisions where entity = ?", [entity])
        }
        for row in db.query(f"select * from {table} order by id"):
            where = f"{entity} {row['id']}"
            saved = history.pop(row["id"], [])
            yield from _row(where, row, saved, content)
            yield from _kept(where, row["id"], saved, kept)
            yield from _own_rules(entity, where, row, saved)
        for entity_id in history:
            yield f"{entity} {entity_id}: in the event log but not stored"
        for entity_id, revision in kept:
            yield f"{entity} {entity_id} revision {revision}: stored but not in the event log"


def _row(where: str, row: dict, saved: list, content: Callable) -> Iterator[str]:
    if not saved:
        yield f"{where}: not in the event log"
        return
    last = saved[-1]
    if (last.revision, last.content_hash) != (row["revision"], row["content_hash"]):
        yield f"{where}: not the revision the event log recorded last"
    if content_of(content(row))[1] != row["content_hash"]:
        yield f"{where}: its fields do not match its content hash (changed outside the app)"
    if [e.revision for e in saved] != list(range(1, len(saved) + 1)):
        yield f"{where}: revisions missing from the event log"


def _kept(where: str, entity_id: str, saved: list, kept: dict) -> Iterator[str]:
    for event in saved:
        stored = kept.pop((entity_id, event.revision), None)
        if stored is None:
            yield f"{where} revision {event.revision}: in the event log but not stored"
            continue
        digest = hashlib.sha256(stored["body"].encode()).hexdigest()
        if stored["content_hash"] != event.content_hash or digest != event.content_hash:
            yield f"{where} revision {event.revision}: not the one the event log recorded"


def _own_rules(entity: str, where: str, row: dict, saved: list) -> Iterator[str]:
    if entity == "action" and row["id"] != actions.action_id(row["audit_id"], row["item_id"]):
        yield f"{where}: its id is not the one its audit and item give"
    if entity == "red_tag" and saved:
        last = saved[-1]
        if (last.site_id, last.tag_no) != (row["site_id"], row["tag_no"]):
            yield f"{where}: its site or number is not what the event log recorded"
