"""Corrective actions (整改项): opened by the server from failed items, moved by devices.

An audit's submission opens one action per failed item whose checklist says `creates_action`
(`follow_audit`, called inside the audit's write transaction); a device then moves it through
its states with `put_action` (the moves are `MOVES`); a void cancels what is still open.
Who may see and move them is server/access.py's rule; docs/actions.md is the contract.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import msgspec

from server import access
from server.checklists.format import Checklist
from server.checklists.registry import get_version
from server.checklists.scoring import is_fail
from server.core import events
from server.core.db import Store, insert_row, update_row
from server.core.errors import Conflict, Forbidden, NotFound, field
from server.people.owners import owners_on
from server.people.users import User
from server.records import revisions
from server.records.shapes import ActionContent, ActionIn, ActionSaved, ActionView

ENTITY = "action"
NOT_CLOSED = ("open", "reopened", "done")
WAITING = ("open", "reopened")  # on the owner: what counts as open and can be overdue
FINAL = ("verified", "cancelled")
# status now -> the statuses a device may move it to
MOVES = {
    "open": {"done", "cancelled"},
    "reopened": {"done", "cancelled"},
    "done": {"verified", "reopened"},
}
SERVER_SET = ("zone_id", "audit_id", "item_id", "before_photos")


def action_id(audit_id: str, item_id: str) -> str:
    """The same audit and item always give the same action: a replay opens nothing new."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:{item_id}"))


def action_row(db, action_id_: str) -> dict | None:
    rows = list(db.query("select * from actions where id = ?", [action_id_]))
    return rows[0] if rows else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# --------------------------------------------------------------------------- from audits


def follow_audit(db, store: Store, audit: dict, checklist: Checklist, zone_kind: str) -> None:
    """Open, reopen or cancel the audit's actions after a submitted revision was stored.

    `audit` is the stored row (its answers in `body`). Only a submitted revision moves
    actions: a draft is work in progress.
    """
    if audit["status"] != "submitted":
        return
    answers = msgspec.json.decode(audit["body"])["answers"]
    # The audit's actions in one read, by item: most audits have none, and a query per item
    # was a third of an audit PUT's time.
    rows = {
        row["item_id"]: row
        for row in db.query("select * from actions where audit_id = ?", [audit["id"]])
    }
    for item in checklist.items():
        if item.creates_action is None or not item.applies_to(zone_kind):
            continue
        answer = answers.get(item.id) or {}
        row = rows.get(item.id)
        if is_fail(item, answer.get("value")):
            due = date.fromisoformat(audit["day"]) + timedelta(days=item.creates_action.due_days)
            aid = action_id(audit["id"], item.id)
            _open(db, aid, row, audit, item.id, answer, due.isoformat())
        elif row is not None and row["status"] in WAITING:
            _server_move(db, row, "cancelled", "audit")


def _open(db, aid: str, row: dict | None, audit: dict, item_id: str, answer: dict, due: str):
    photos, finding = list(answer.get("photos") or []), answer.get("note") or ""
    if row is None:
        content = ActionContent(
            zone_id=audit["zone_id"],
            audit_id=audit["id"],
            item_id=item_id,
            owner_staff_id=_main_owner(db, audit),
            due=due,
            status="open",
            before_photos=photos,
            after_photos=[],
            note="",
            finding=finding,
        )
        fixed = {
            "id": aid,
            "site_id": audit["site_id"],
            "audit_id": audit["id"],
            "item_id": item_id,
            "checklist_id": audit["checklist_id"],
            "checklist_version": audit["checklist_version"],
            "opened_at": audit["updated_at"],  # when the failing revision arrived
        }
        _save(db, None, content, fixed, None, "audit", audit["updated_at"])
        return
    current = content_of_row(row)
    # The finding as resubmitted: its note and photos, and its zone (a returned audit may be
    # moved: then the new zone's owner on the audit's day answers for it).
    changed = msgspec.structs.replace(
        current, before_photos=photos, zone_id=audit["zone_id"], finding=finding
    )
    if audit["zone_id"] != row["zone_id"]:
        changed = msgspec.structs.replace(changed, owner_staff_id=_main_owner(db, audit))
    if row["status"] == "cancelled":
        # Failing again after a resubmission had cleared it: open again, due from this audit.
        changed = msgspec.structs.replace(changed, status="open", due=due)
    elif row["status"] not in WAITING:
        return  # done or verified: the work is past the finding
    if changed != current:
        _save(db, row, changed, {"site_id": audit["site_id"]}, None, "audit", audit["updated_at"])


def _main_owner(db, audit: dict) -> str | None:
    """The zone's owner (责任人) on the audit's day: the largest share; none without owners."""
    owners = sorted(owners_on(db, audit["zone_id"], audit["day"]), key=lambda o: -o.share)
    return owners[0].staff_id if owners else None


def cancel_for_void(db, audit_id: str) -> None:
    """A voided audit counts nowhere: its actions not yet closed are cancelled."""
    for row in db.query("select * from actions where audit_id = ? order by id", [audit_id]):
        if row["status"] in NOT_CLOSED:
            _server_move(db, row, "cancelled", "void")


def _server_move(db, row: dict, status: str, via: str) -> None:
    _save(db, row, msgspec.structs.replace(content_of_row(row), status=status), {}, None, via)


# --------------------------------------------------------------------------- from devices


def put_action(store: Store, user: User, aid: str, body: ActionIn, today: str) -> ActionView:
    """Store a device's revision of an action (a replay answers the stored one)."""
    with store.write() as db:
        row = _readable(db, user, aid)
        content = ActionContent(
            zone_id=body.zone_id,
            audit_id=body.audit_id,
            item_id=body.item_id,
            owner_staff_id=body.owner_staff_id,
            due=body.due.isoformat(),
            status=body.status,
            before_photos=body.before_photos,
            after_photos=body.after_photos,
            note=body.note,
            finding=row["finding"] or "",  # the audit's words; a device cannot change them
        )
        _, digest = revisions.content_of(content)
        current = lambda: action_view(store, db, row, today)  # noqa: E731
        if revisions.is_replay(row, digest, body.base_revision, current):
            return current()
        if row["status"] in FINAL:
            raise Conflict(f"this action is {row['status']}: it is final", current=current())
        _check_change(db, user, row, content)
        revisions.hold_readable(db, user, content.after_photos, f"action:{aid}")
        extra = _move_facts(db, user, row, content)
        row = _save(db, row, content, extra, user, "device")
        return action_view(store, db, row, today)


def _readable(db, user: User, aid: str) -> dict:
    row = action_row(db, aid)
    if row is None or not access.reads_record(user, row):
        raise NotFound(f"no action {aid}")
    return row


def _check_change(db, user: User, row: dict, new: ActionContent) -> None:
    old = content_of_row(row)
    for name in SERVER_SET:
        if getattr(new, name) != getattr(old, name):
            message = f"{name} is set by the server from the audit; send it as given"
            raise field(f"$.{name}", message)
    for name in ("due", "owner_staff_id"):
        if getattr(new, name) != getattr(old, name) and not user.at_least("supervisor"):
            raise Forbidden(f"changing {name} needs the supervisor role; you are {user.role}")
    if new.owner_staff_id != old.owner_staff_id and new.owner_staff_id is not None:
        known = db.execute(
            "select 1 from staff where id = ? and active = 1", [new.owner_staff_id]
        ).fetchone()
        if known is None:
            raise field("$.owner_staff_id", f"no active staff member {new.owner_staff_id!r}")
    if new.status != old.status:
        if new.status not in MOVES.get(old.status, set()):
            raise field("$.status", f"an action that is {old.status} cannot become {new.status}")
        access.check_action_move(user, row, new.status, new.owner_staff_id)


def _move_facts(db, user: User, row: dict, new: ActionContent) -> dict:
    """Check what the new status needs; the row's columns that record who moved it and when."""
    if new.status == "done":
        named = _after_photos(db, user, row, new.after_photos)
        # The before photo shows the finding, not the fix: it never counts as an after photo.
        before = set(json.loads(row["before_photos"]))
        held = [
            sha
            for sha, by in named.items()
            if sha not in before and access.holds_photo(db, by, sha)
        ]
        if not held:
            raise field("$.after_photos", "done needs an after photo (整改后照片), uploaded first")
        if not new.note.strip():
            raise field("$.note", "done needs a note saying what was done")
    if new.status == row["status"]:
        return {}
    at = _now()
    if new.status == "done":
        return {"done_at": at, "done_by": user.id}
    if new.status == "verified":
        return {"verified_at": at, "verified_by": user.id}
    return {}


def _after_photos(db, user: User, row: dict, shas: list[str]) -> dict[str, int]:
    """sha256 -> who named it: kept from before, else this user."""
    before = revisions.named_photos(db, ENTITY, row["id"])
    return {sha: before.get(sha, user.id) for sha in shas}


# --------------------------------------------------------------------------- storing


def content_of_row(row: dict) -> ActionContent:
    return ActionContent(
        zone_id=row["zone_id"],
        audit_id=row["audit_id"],
        item_id=row["item_id"],
        owner_staff_id=row["owner_staff_id"],
        due=row["due"],
        status=row["status"],
        before_photos=json.loads(row["before_photos"]),
        after_photos=json.loads(row["after_photos"]),
        note=row["note"],
        finding=row["finding"] or "",
    )


def _save(
    db, row: dict | None, content: ActionContent, extra: dict, user: User | None, via: str,
    at: str | None = None,
) -> dict:  # fmt: skip
    """Store `content` as the action's next revision (the first when `row` is None), made at
    `at` (an audit's receipt, when the audit moved it; else now)."""
    body, digest = revisions.content_of(content)
    at = at or _now()
    number = 1 if row is None else row["revision"] + 1
    columns = {
        **msgspec.structs.asdict(content),
        "before_photos": json.dumps(content.before_photos),
        "after_photos": json.dumps(content.after_photos),
        "revision": number,
        "content_hash": digest,
        "updated_at": at,
        **extra,
    }
    if row is None:
        insert_row(db, "actions", columns)
        aid = columns["id"]
    else:
        aid = row["id"]
        update_row(db, "actions", "id", aid, columns)
    stored = action_row(db, aid)
    user_id = user.id if user else None
    revisions.add_revision(db, ENTITY, aid, number, body, digest, content.status, at, user_id, via)
    _name_photos(db, stored, content, user)
    actor = user.username if user else "server"
    event = ActionSaved(revision=number, content_hash=digest, content=content, via=via)
    events.append(db, actor, aid, event)
    return stored


def _name_photos(db, row: dict, content: ActionContent, user: User | None) -> None:
    officer = db.execute("select officer_id from audits where id = ?", [row["audit_id"]])
    officer_id = officer.fetchone()[0]
    named = {sha: officer_id for sha in content.before_photos}
    if user is not None:
        named |= _after_photos(db, user, row, content.after_photos)
    else:
        before = revisions.named_photos(db, ENTITY, row["id"])
        named |= {sha: before[sha] for sha in content.after_photos if sha in before}
    revisions.name_photos(db, ENTITY, row["id"], row["site_id"], named)


# --------------------------------------------------------------------------- reading


def action_view(store: Store, db, row: dict, today: str) -> ActionView:
    checklist = get_version(store, row["checklist_id"], row["checklist_version"])
    item = checklist.item_map().get(row["item_id"]) if checklist else None
    owner = None
    if row["owner_staff_id"]:
        found = db.execute("select name from staff where id = ?", [row["owner_staff_id"]])
        owner = (found.fetchone() or [None])[0]
    late = (date.fromisoformat(today) - date.fromisoformat(row["due"])).days
    overdue = row["status"] in WAITING and late > 0
    return ActionView(
        id=row["id"],
        revision=row["revision"],
        zone_id=row["zone_id"],
        site_id=row["site_id"],
        audit_id=row["audit_id"],
        item_id=row["item_id"],
        checklist_id=row["checklist_id"],
        checklist_version=row["checklist_version"],
        item_label=item.label if item else None,
        finding=row["finding"] or "",
        owner_staff_id=row["owner_staff_id"],
        owner_name=owner,
        due=row["due"],
        status=row["status"],
        before_photos=json.loads(row["before_photos"]),
        after_photos=json.loads(row["after_photos"]),
        note=row["note"],
        opened_at=row["opened_at"],
        updated_at=row["updated_at"],
        done_at=row["done_at"],
        done_by=row["done_by"],
        verified_at=row["verified_at"],
        verified_by=row["verified_by"],
        overdue=overdue,
        days_overdue=late if overdue else 0,
        missing_photos=revisions.missing_photos(db, ENTITY, row["id"]),
    )


def get_action(store: Store, user: User, aid: str, today: str) -> ActionView:
    db = store.read()
    return action_view(store, db, _readable(db, user, aid), today)
