"""The schema, as registered migrations applied in order; a migration never changes once shipped."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("genba")


@migrations()
def create_people_and_places(db: Database) -> None:
    db["sites"].create({"id": str, "name": str, "name_en": str}, pk="id")
    db["staff"].create(
        {"id": str, "name": str, "name_en": str, "site_id": str, "position": str, "active": int},
        pk="id",
        foreign_keys=[("site_id", "sites", "id")],
        defaults={"active": 1},
    )
    db["zones"].create(
        {
            "id": str,
            "site_id": str,
            "name": str,
            "name_en": str,
            "kind": str,
            "owner_id": str,
            "checklist_ids": str,  # JSON list
        },
        pk="id",
        foreign_keys=[("site_id", "sites", "id"), ("owner_id", "staff", "id")],
    )
    db["zones"].create_index(["site_id"])


@migrations()
def create_users_and_tokens(db: Database) -> None:
    db["users"].create(
        {
            "id": int,
            "username": str,
            "name": str,
            "role": str,
            "password_hash": str,
            "staff_id": str,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "role", "password_hash"},
        defaults={"active": 1},
    )
    db["users"].create_index(["username"], unique=True)
    db["user_sites"].create(
        {"user_id": int, "site_id": str},
        pk=("user_id", "site_id"),
        foreign_keys=[("user_id", "users", "id"), ("site_id", "sites", "id")],
    )
    db["tokens"].create(
        {
            "token_hash": str,
            "user_id": int,
            "created_at": str,
            "expires_at": str,
            "revoked_at": str,
            "device": str,
        },
        pk="token_hash",
        foreign_keys=[("user_id", "users", "id")],
    )
    db["tokens"].create_index(["user_id"])


@migrations()
def create_checklist_versions(db: Database) -> None:
    db["checklist_versions"].create(
        {
            "checklist_id": str,
            "version": int,
            "content_hash": str,
            "definition": str,  # JSON, as served
            "source_file": str,
            "published_at": str,
        },
        pk=("checklist_id", "version"),
    )


@migrations()
def create_event_log(db: Database) -> None:
    # Append-only: each row holds the hash of the row before (see server/core/events.py).
    db["events"].create(
        {
            "seq": int,
            "at": str,
            "actor": str,
            "action": str,
            "entity": str,
            "entity_id": str,
            "detail": str,  # JSON
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        not_null={"at", "action", "entity", "entity_id", "prev_hash", "hash"},
    )
    db["events"].create_index(["entity", "entity_id"])
    db["events"].create_index(["action", "seq"])


@migrations()
def create_photos(db: Database) -> None:
    db["photos"].create(
        {
            "sha256": str,  # of the bytes the device uploaded: the photo's id
            "content_type": str,  # of the stored, sanitized copy
            "width": int,
            "height": int,
            "bytes": int,
            "stored_sha256": str,  # of the sanitized copy on disk
            "thumb_sha256": str,
            "uploaded_by": int,
            "uploaded_at": str,
        },
        pk="sha256",
    )


@migrations()
def create_audits(db: Database) -> None:
    db["audits"].create(
        {
            "id": str,
            "checklist_id": str,
            "checklist_version": int,
            "zone_id": str,
            "site_id": str,
            "officer_id": int,
            "status": str,
            "revision": int,
            "content_hash": str,
            "body": str,  # JSON: the latest revision's body
            "score": str,  # JSON
            "score_percent": float,
            "complete": int,  # all required answers, photos and notes named (files may lag)
            "started_at": str,
            "submitted_at": str,
            "received_at": str,  # server time of the first receipt
            "updated_at": str,
            "month": str,  # appraisal month, YYYY-MM, by the clock rule
            "clock_flag": str,  # why the device's clock was not trusted, or null
            "review": str,  # JSON of the latest review, or null
        },
        pk="id",
        foreign_keys=[("zone_id", "zones", "id"), ("officer_id", "users", "id")],
    )
    # Pages are ordered by (month, rowid), newest first; SQLite appends the rowid to every
    # index, so each of these serves one filter in page order without sorting.
    for column in ("zone_id", "status", "site_id", "officer_id"):
        db["audits"].create_index([column, "month"])
    db["audits"].create_index(["month"])
    db["audit_revisions"].create(
        {
            "audit_id": str,
            "revision": int,
            "content_hash": str,
            "body": str,
            "score": str,
            "status": str,
            "created_at": str,
            "created_by": int,
        },
        pk=("audit_id", "revision"),
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["audit_photos"].create(
        {"audit_id": str, "sha256": str},
        pk=("audit_id", "sha256"),
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["audit_photos"].create_index(["sha256"])
    db["reviews"].create(
        {
            "id": int,
            "audit_id": str,
            "revision": int,
            "decision": str,
            "comment": str,
            "by_user": int,
            "at": str,
        },
        pk="id",
        foreign_keys=[("audit_id", "audits", "id")],
    )
    db["reviews"].create_index(["audit_id"])


@migrations()
def create_photo_holders(db: Database) -> None:
    # Who has shown they hold a photo's bytes: its uploaders (every one of them, not only the
    # first), and officers who named it while they could read it through an earlier audit.
    # server/access.py grants photos through these rows, never through a bare name.
    db["photo_holders"].create(
        {"sha256": str, "user_id": int, "at": str, "via": str},
        pk=("sha256", "user_id"),
        foreign_keys=[("user_id", "users", "id")],
    )
    db["photo_holders"].create_index(["user_id"])
    db.execute(
        "insert into photo_holders (sha256, user_id, at, via)"
        " select sha256, uploaded_by, uploaded_at, 'upload' from photos"
    )


@migrations()
def create_counters(db: Database) -> None:
    # Named counters; "auth" moves whenever a token or a user changes (server/people/tokens.py).
    db["counters"].create({"name": str, "value": int}, pk="name")
    db["counters"].insert({"name": "auth", "value": 0})


@migrations()
def rehash_checklists(db: Database) -> None:
    # Content hashes were taken over the full encoding, defaults included, so any field added
    # to the format would have "changed" every published checklist. They are now taken with
    # defaults left out (server/checklists/loader.py). A row whose hash no longer matches its
    # definition is left alone, for `genba verify` to report.
    import hashlib

    from server.checklists.loader import content_hash
    from server.checklists.registry import decode_definition

    rows = list(
        db.execute("select checklist_id, version, definition, content_hash from checklist_versions")
    )
    for checklist_id, version, definition, old_hash in rows:
        if hashlib.sha256(definition.encode()).hexdigest() != old_hash:
            continue
        db.execute(
            "update checklist_versions set content_hash = ? where checklist_id = ? and version = ?",
            [content_hash(decode_definition(definition)), checklist_id, version],
        )


@migrations()
def set_up_real_sites(db: Database) -> None:
    # Sites and zones retire instead of being deleted; staff get their employee number (工号).
    db["sites"].add_column("active", int, not_null_default=1)
    db["zones"].add_column("active", int, not_null_default=1)
    db["staff"].add_column("employee_no", str)
    db["staff"].create_index(["employee_no"], unique=True)
    # Ownership with history (server/people/owners.py): a period per zone and start day, and
    # its owners with their shares. A period with no owner rows says "no owner from then".
    db["zone_owner_periods"].create(
        {"zone_id": str, "starts": str},
        pk=("zone_id", "starts"),
        foreign_keys=[("zone_id", "zones", "id")],
    )
    db["zone_owners"].create(
        {"zone_id": str, "starts": str, "staff_id": str, "share": float, "position": int},
        pk=("zone_id", "starts", "staff_id"),
        foreign_keys=[("zone_id", "zones", "id"), ("staff_id", "staff", "id")],
    )
    db["zone_owners"].create_index(["staff_id"])
    # Each audit's day in the sites' time zone, by the clock rule: whose zone it was that day.
    db["audits"].add_column("day", str)
    # Why a revision arrived for a zone that was retired meanwhile (the tablet could not know).
    db["audits"].add_column("zone_flag", str)
    _record_what_was_set_up_before(db)


def _record_what_was_set_up_before(db: Database) -> None:
    """Sites, zones, staff and owners from before this migration, logged once as they are
    (so `genba verify` can rebuild each from the log), owners as a period since always."""
    from server.core import events
    from server.people.owners import SINCE_ALWAYS, OwnerShare, OwnersSet
    from server.people.setup import READERS, SAVED

    for table in ("sites", "staff", "zones"):
        for row in list(db.query(f"select * from {table} order by id")):
            events.append(db, "migration", row["id"], SAVED[table](READERS[table](row), True))
    for zone_id, owner_id in list(
        db.execute("select id, owner_id from zones where owner_id is not null")
    ):
        db.execute("insert into zone_owner_periods values (?, ?)", [zone_id, SINCE_ALWAYS])
        db.execute(
            "insert into zone_owners values (?, ?, ?, 100.0, 0)", [zone_id, SINCE_ALWAYS, owner_id]
        )
        owners = [OwnerShare(staff_id=owner_id, share=100.0)]
        events.append(db, "migration", zone_id, OwnersSet(starts=SINCE_ALWAYS, owners=owners))
    # zones.owner_id is superseded by the periods: emptied, so nothing reads a stale copy.
    # Audits' days need the sites' time zone, a setting: open_store fills them in.
    db.execute("update zones set owner_id = null")


@migrations()
def review_queue_and_void(db: Database) -> None:
    # The review queue filters by checklist too (the others have their indexes already).
    db["audits"].create_index(["checklist_id", "month"])
    # An admin's void: {"reason", "by", "by_id", "at"}; the audit stays, out of every score.
    db["audits"].add_column("void", str)


@migrations()
def audit_tallies(db: Database) -> None:
    # What each audit's answers add up to (server/checklists/answers.py Tally), for reports:
    # answered, N/A, failing items, answers with photos. Filled in by open_store for old rows.
    db["audits"].add_column("tally", str)


@migrations()
def queue_by_submission(db: Database) -> None:
    # The review queue pages oldest submitted first: an index in that order, per status.
    db.execute(
        "create index if not exists idx_audits_status_sent"
        " on audits (status, coalesce(submitted_at, started_at))"
    )


@migrations()
def actions_and_red_tags(db: Database) -> None:
    # Corrective actions (server/records/actions.py): opened by the server from a failed item,
    # moved by devices. `content_hash` covers the fields a revision is (records/shapes.py).
    db["actions"].create(
        {
            "id": str,
            "site_id": str,
            "zone_id": str,
            "audit_id": str,
            "item_id": str,
            "checklist_id": str,
            "checklist_version": int,
            "finding": str,  # the failed answer's note
            "owner_staff_id": str,
            "due": str,
            "status": str,
            "before_photos": str,  # JSON list
            "after_photos": str,  # JSON list
            "note": str,
            "revision": int,
            "content_hash": str,
            "opened_at": str,
            "updated_at": str,
            "done_at": str,
            "done_by": int,
            "verified_at": str,
            "verified_by": int,
        },
        pk="id",
        foreign_keys=[("zone_id", "zones", "id"), ("audit_id", "audits", "id")],
    )
    for columns in (["site_id", "opened_at"], ["zone_id", "status"], ["owner_staff_id", "status"]):
        db["actions"].create_index(columns)
    db["actions"].create_index(["audit_id"])
    # Red tags (server/records/red_tags.py): numbered per site on first receipt.
    db["red_tags"].create(
        {
            "id": str,
            "site_id": str,
            "zone_id": str,
            "tag_no": int,
            "item": str,
            "qty": int,
            "reason": str,
            "photos": str,  # JSON list
            "tagged_at": str,
            "tagged_day": str,  # the sites' date it was tagged on: its age counts from it
            "proposed": str,
            "status": str,
            "disposition": str,
            "closed_at": str,
            "note": str,
            "revision": int,
            "content_hash": str,
            "created_by": int,
            "received_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("zone_id", "zones", "id"), ("created_by", "users", "id")],
    )
    db["red_tags"].create_index(["site_id", "tag_no"], unique=True)
    db["red_tags"].create_index(["zone_id", "status"])
    db["red_tags"].create_index(["site_id", "status", "tagged_at"])
    # Every revision of both, as devices and the server made them.
    db["record_revisions"].create(
        {
            "entity": str,  # "action" | "red_tag"
            "entity_id": str,
            "revision": int,
            "content_hash": str,
            "body": str,
            "status": str,
            "created_at": str,
            "created_by": int,  # null: the server (an audit opened, cancelled or voided it)
            "via": str,
        },
        pk=("entity", "entity_id", "revision"),
    )
    # The photos a record names, and who named each: readable through the record only when
    # that user holds the bytes (server/access.py), as for audits.
    db["record_photos"].create(
        {"entity": str, "entity_id": str, "sha256": str, "site_id": str, "named_by": int},
        pk=("entity", "entity_id", "sha256"),
    )
    db["record_photos"].create_index(["sha256"])
    # The age after which an open red tag stands out (domain: decide within 7 days).
    db["sites"].add_column("red_tag_days", int, not_null_default=7)


@migrations()
def appraisal_closes(db: Database) -> None:
    # A closed appraisal month (docs/appraisal.md): the whole company's report and the files
    # exactly as handed to HR, served as they are ever after.
    db["appraisal_closes"].create(
        {
            "month": str,
            "closed_at": str,
            "closed_by": str,
            "report": str,  # JSON, the whole company's rows
            "csv": bytes,
            "xlsx": bytes,
            "pdf": bytes,
            "sha256": str,  # JSON {"json", "csv", "xlsx", "pdf"}
            "rules": str,  # JSON, the rules the month was computed with (for amendments)
        },
        pk="month",
    )


@migrations()
def upload_refusals(db: Database) -> None:
    # Writes the server refused with a 4xx (an audit or photo PUT), for the console's 需关注
    # screen (server/ops/attention.py): who, from which device, what and why. Kept bounded
    # there (the newest rows of the last days), so the table never grows without end.
    db["upload_refusals"].create(
        {
            "id": int,
            "at": str,  # server time, ISO UTC with milliseconds
            "user_id": int,
            "username": str,
            "device": str,  # the device named at sign-in (tokens.device)
            "client": str,  # the address the server saw
            "method": str,
            "route": str,  # the route template, e.g. /api/photos/{sha256}
            "path": str,  # without the query string
            "status": int,
            "detail": str,  # the answer's message
            "request_id": str,  # as in the request log
        },
        pk="id",
    )
    db["upload_refusals"].create_index(["at"])
