"""`genba verify`: is the data dir whole and untampered?

Everything the appraisal and access rules read is recomputed from what it derives from, and
what it derives from is checked against the hash-chained event log:
- SQLite's own integrity and foreign keys;
- the event chain, its head printed, and optionally a head written down elsewhere
  (`--expect-head`), which catches a chain rewritten from the start;
- every audit revision hashes to what the log recorded, with the status, officer and receipt
  the log recorded;
- every audit row equals what its revisions, reviews and zone give: body fields, officer,
  site, month and clock flag (the clock rule on the receipt), score and percent (the scorer on
  the answers), completeness, status and latest review, named photos;
- every review matches its event;
- every photo row matches its upload event, every file its recorded hash, and every photo
  holder (who may read a photo) an event that granted it;
- every site, zone, staff member and ownership period is what its latest event recorded;
- every published checklist still hashes to its recorded content hash.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import msgspec

from server.appraisal.close import MonthClosed  # noqa: F401  (registers appraisal.close)
from server.audits.shapes import AuditCreated, AuditReviewed, StoredBody
from server.checklists.answers import submit_errors, tally
from server.checklists.loader import content_hash
from server.checklists.registry import decode_definition, get_version
from server.checklists.scoring import score_audit
from server.core import events
from server.core.clock import as_utc, audit_day
from server.core.db import Store
from server.core.settings import Settings
from server.ops.verify_records import records
from server.people.owners import OwnerShare
from server.people.setup import READERS
from server.photos.files import PhotoFiles
from server.photos.store import PhotoStored


class Report(msgspec.Struct):
    problems: list[str]
    head_seq: int
    head_hash: str


def verify(store: Store, settings: Settings, expect_head: str | None = None) -> Report:
    db = store.read()
    found = list(_database(db))
    chain = list(db.query("select * from events order by seq"))
    found += events.chain_problems(chain)
    head_seq, head_hash = (chain[-1]["seq"], chain[-1]["hash"]) if chain else (0, events.GENESIS)
    if expect_head and expect_head not in {row["hash"] for row in chain}:
        found.append(
            f"event chain: no event has the head hash {expect_head} written down earlier:"
            " the chain was rewritten"
        )
    logged = _events_by_action(chain)
    found += list(_revisions(db, logged))
    found += list(_audits(store, settings, db, logged))
    found += list(_reviews(db, logged))
    found += list(_photos(db, PhotoFiles(settings.photos_dir), logged))
    found += list(_holders(db, logged))
    found += list(_set_up(db, logged))
    found += list(_owners(db, logged))
    found += list(_checklists(db))
    found += list(records(db, logged))
    found += list(_appraisal_closes(db, logged))
    return Report(problems=found, head_seq=head_seq, head_hash=head_hash)


def problems(store: Store, settings: Settings) -> list[str]:
    return verify(store, settings).problems


class Logged(msgspec.Struct):
    """One logged event: which thing it is about, and its typed detail."""

    entity_id: str
    detail: events.Event


def _events_by_action(chain: list[dict]) -> dict[str, list[Logged]]:
    by_action: dict[str, list[Logged]] = {}
    for row in chain:
        try:
            detail = events.decode(row)
        except msgspec.ValidationError:
            continue  # a changed detail already breaks the chain; reported there
        if detail is not None:
            by_action.setdefault(row["action"], []).append(Logged(row["entity_id"], detail))
    return by_action


def _database(db) -> Iterator[str]:
    result = [row[0] for row in db.execute("pragma integrity_check")]
    if result != ["ok"]:
        yield "database integrity: " + "; ".join(result[:5])
    for row in db.execute("pragma foreign_key_check"):
        yield f"database: row {row[1]} of {row[0]} points at a missing {row[2]}"


# --------------------------------------------------------------------------- audits


def _revisions(db, logged: dict) -> Iterator[str]:
    recorded: dict[tuple[str, int], AuditCreated] = {}
    for event in logged.get("audit.create", []) + logged.get("audit.revise", []):
        recorded[(event.entity_id, event.detail.revision)] = event.detail
    for row in db.query("select * from audit_revisions"):
        where = f"audit {row['audit_id']} revision {row['revision']}"
        if hashlib.sha256(row["body"].encode()).hexdigest() != row["content_hash"]:
            yield f"{where}: its body does not match its hash"
        detail = recorded.pop((row["audit_id"], row["revision"]), None)
        if detail is None or detail.content_hash != row["content_hash"]:
            yield f"{where}: not the revision the event log recorded"
            continue
        # Older logs recorded only the hash and status; newer ones who and when too.
        for recorded_value, column in (
            (detail.status, "status"),
            (detail.officer_id, "created_by"),
            (detail.received_at, "created_at"),
        ):
            if recorded_value is not None and recorded_value != row[column]:
                yield f"{where}: its {column} is not what the event log recorded"
    for audit_id, revision in recorded:
        yield f"audit {audit_id} revision {revision}: in the event log but not stored"


def _latest_reviews(db) -> dict[str, list[dict]]:
    reviews: dict[str, list[dict]] = {}
    for row in db.query("select * from reviews order by id"):
        reviews.setdefault(row["audit_id"], []).append(row)
    return reviews


def _audits(store: Store, settings: Settings, db, logged: dict) -> Iterator[str]:
    revisions: dict[str, list[dict]] = {}
    for row in db.query("select * from audit_revisions order by audit_id, revision"):
        revisions.setdefault(row["audit_id"], []).append(row)
    zones = {r["id"]: r for r in db.query("select id, site_id, kind from zones")}
    reviews = _latest_reviews(db)
    voids = {e.entity_id: e.detail for e in logged.get("audit.void", [])}
    flags = {
        (e.entity_id, e.detail.revision): e.detail.zone_flag
        for e in logged.get("audit.create", []) + logged.get("audit.revise", [])
    }
    named: dict[str, list[str]] = {}
    for row in db.query("select audit_id, sha256 from audit_photos order by rowid"):
        named.setdefault(row["audit_id"], []).append(row["sha256"])
    for row in db.query("select * from audits"):
        history = revisions.get(row["id"], [])
        if not history or history[-1]["revision"] != row["revision"]:
            yield f"audit {row['id']}: its latest revision is missing"
            continue
        expected = _expected_row(store, settings, row, history, zones, reviews.get(row["id"], []))
        # Whether the zone was retired when the revision arrived: the log says.
        expected["zone_flag"] = flags.get((row["id"], row["revision"]))
        voided = voids.get(row["id"])
        if voided is not None:
            expected["status"] = "void"
        yield from _void_matches(row, voided)
        for column, value in expected.items():
            if row[column] != value:
                yield f"audit {row['id']}: {column} is not what its revisions give"
        body = json.loads(history[-1]["body"])
        photos = list(
            dict.fromkeys(s for a in body["answers"].values() for s in a.get("photos", []))
        )
        if sorted(named.get(row["id"], [])) != sorted(photos):
            yield f"audit {row['id']}: its named photos are not the ones its answers name"


def _expected_row(store, settings, row, history, zones, reviews) -> dict:
    """Every derived column of an audit, from its revisions, reviews and zone."""
    latest, first = history[-1], history[0]
    body = msgspec.json.decode(latest["body"], type=StoredBody)
    checklist = get_version(store, body.checklist_id, body.checklist_version)
    zone = zones.get(body.zone_id)
    started = as_utc(datetime.fromisoformat(body.started_at))
    submitted = as_utc(datetime.fromisoformat(body.submitted_at)) if body.submitted_at else None
    received = datetime.fromisoformat(latest["created_at"])
    day, flag = audit_day(started, submitted, received, settings.timezone)
    expected = {
        "body": latest["body"],
        "content_hash": latest["content_hash"],
        "checklist_id": body.checklist_id,
        "checklist_version": body.checklist_version,
        "zone_id": body.zone_id,
        "site_id": zone["site_id"] if zone else None,
        "officer_id": first["created_by"],
        "started_at": started.isoformat(),
        "submitted_at": submitted.isoformat() if submitted else None,
        "received_at": first["created_at"],
        "updated_at": latest["created_at"],
        "month": day[:7],
        "day": day,
        "clock_flag": flag,
    }
    if checklist is not None and zone is not None:
        score = score_audit(checklist, body.answers, zone["kind"])
        expected["score"] = msgspec.json.encode(score).decode()
        expected["score_percent"] = score.percent
        expected["complete"] = int(not submit_errors(checklist, body.answers, zone["kind"]))
        expected["tally"] = msgspec.json.encode(
            tally(checklist, body.answers, zone["kind"])
        ).decode()
    current = [r for r in reviews if r["revision"] == latest["revision"]]
    status = latest["status"]
    if current:
        status = "approved" if current[-1]["decision"] == "approve" else "returned"
    expected["status"] = status
    return expected


def _void_matches(row: dict, voided) -> Iterator[str]:
    """The stored void is the one the log recorded: who, when, and the reason's hash."""
    if (row["void"] is None) != (voided is None):
        yield f"audit {row['id']}: its void is not what the event log recorded"
    elif voided is not None:
        void = json.loads(row["void"])
        reason = hashlib.sha256(void["reason"].encode()).hexdigest()
        if (void["by_id"], void["at"], reason) != (voided.by_id, voided.at, voided.reason_sha256):
            yield f"audit {row['id']}: its void is not what the event log recorded"


def _reviews(db, logged: dict) -> Iterator[str]:
    """Every stored review has its event, and every review event its stored review."""
    stored = Counter(
        (r["audit_id"], r["revision"], r["decision"], r["by_user"], r["at"])
        for r in db.query("select * from reviews")
    )
    full, brief = Counter(), Counter()  # brief: events from before by_id and at were logged
    for event in logged.get("audit.review", []):
        d: AuditReviewed = event.detail
        if d.by_id is not None:
            full[(event.entity_id, d.revision, d.decision, d.by_id, d.at)] += 1
        else:
            brief[(event.entity_id, d.revision, d.decision)] += 1
    for review, count in (stored - full).items():
        if brief[review[:3]] >= count:
            brief[review[:3]] -= count
            continue
        yield f"audit {review[0]}: a review ({review[2]}, revision {review[1]}) not in the log"
    for review in full - stored:
        yield f"audit {review[0]}: a logged review ({review[2]}) is not stored"
    for row in db.query("select id, review from audits where review is not null"):
        yield from _shown_review(db, row)


def _shown_review(db, row: dict) -> Iterator[str]:
    review = json.loads(row["review"])
    last = db.execute(
        "select decision, comment, by_user, at, revision from reviews"
        " where audit_id = ? order by id desc limit 1",
        [row["id"]],
    ).fetchone()
    shown = (review["decision"], review["comment"], review["by_id"], review["at"])
    if last is None or shown != tuple(last[:4]) or review["revision"] != last[4]:
        yield f"audit {row['id']}: its review is not its latest stored review"


# --------------------------------------------------------------------------- photos


def _photos(db, files: PhotoFiles, logged: dict) -> Iterator[str]:
    uploads: dict[str, PhotoStored] = {e.entity_id: e.detail for e in logged.get("photo.put", [])}
    for row in db.query("select * from photos"):
        sha, kind = row["sha256"], row["content_type"]
        detail = uploads.pop(sha, None)
        if detail is None:
            yield f"photo {sha}: stored without an upload in the event log"
        else:
            for key in ("stored_sha256", "thumb_sha256"):
                value = getattr(detail, key)
                if value is not None and value != row[key]:
                    yield f"photo {sha}: {key} is not what the event log recorded"
        for path, expected in [
            (files.path(sha, kind), row["stored_sha256"]),
            (files.thumb_path(sha), row["thumb_sha256"]),
        ]:
            if not path.is_file():
                yield f"photo {sha}: file {path.name} is missing"
            elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
                yield f"photo {sha}: file {path.name} does not match its recorded hash"
    for sha in uploads:
        yield f"photo {sha}: uploaded in the event log but not stored"


def _holders(db, logged: dict) -> Iterator[str]:
    granted = {(e.entity_id, e.detail.user_id) for e in logged.get("photo.hold", [])}
    uploaded = {e.entity_id for e in logged.get("photo.put", [])}
    uploaders = {r[0]: r[1] for r in db.execute("select sha256, uploaded_by from photos")}
    for sha, user_id in db.execute("select sha256, user_id from photo_holders"):
        # Holders from before photo.hold events existed are the recorded uploaders.
        legacy = uploaders.get(sha) == user_id and sha in uploaded
        if (sha, user_id) not in granted and not legacy:
            yield f"photo {sha}: user {user_id} may read it, but no event granted that"


# --------------------------------------------------------------------------- set-up


def _set_up(db, logged: dict) -> Iterator[str]:
    """Every site, zone and staff row is the state its latest save event recorded."""
    for table, action, key, read in (
        ("sites", "site.save", "site", READERS["sites"]),
        ("zones", "zone.save", "zone", READERS["zones"]),
        ("staff", "staff.save", "staff", READERS["staff"]),
    ):
        saved = {e.entity_id: getattr(e.detail, key) for e in logged.get(action, [])}
        for row in db.query(f"select * from {table}"):
            recorded = saved.pop(row["id"], None)
            if recorded is None:
                yield f"{table} {row['id']}: not in the event log"
            elif read(row) != recorded:
                yield f"{table} {row['id']}: differs from what the event log recorded"
        for entity_id in saved:
            yield f"{table} {entity_id}: in the event log but not stored"


def _owners(db, logged: dict) -> Iterator[str]:
    """Every ownership period is the one its latest `zone.owners` event set."""
    recorded = {}
    for event in logged.get("zone.owners", []):
        recorded[(event.entity_id, event.detail.starts)] = event.detail.owners
    stored = {}
    for zone_id, starts in db.execute("select zone_id, starts from zone_owner_periods"):
        stored[(zone_id, starts)] = [
            OwnerShare(staff_id=s, share=share)
            for s, share in db.execute(
                "select staff_id, share from zone_owners where zone_id = ? and starts = ?"
                " order by position",
                [zone_id, starts],
            )
        ]
    for key in sorted(set(recorded) | set(stored)):
        if recorded.get(key) != stored.get(key):
            yield f"zone {key[0]}: its owners from {key[1]} are not what the event log recorded"


def _appraisal_closes(db, logged: dict) -> Iterator[str]:
    """Every closed month's stored report and files hash to what its close event logged."""
    recorded = {e.entity_id: e.detail.sha256 for e in logged.get("appraisal.close", [])}
    for row in db.query("select * from appraisal_closes order by month"):
        month, wanted = row["month"], recorded.pop(row["month"], None)
        if wanted is None:
            yield f"appraisal {month}: closed, but no close event is logged"
            continue
        stored = {"json": row["report"].encode(), **{f: row[f] for f in ("csv", "xlsx", "pdf")}}
        for name, data in stored.items():
            if hashlib.sha256(data).hexdigest() != wanted.get(name):
                yield f"appraisal {month}: the stored {name} is not what its close logged"
    for month in sorted(recorded):
        yield f"appraisal {month}: a close is logged, but the closed month is not stored"


def _checklists(db) -> Iterator[str]:
    for row in db.query("select * from checklist_versions"):
        checklist = decode_definition(row["definition"])
        if content_hash(checklist) != row["content_hash"]:
            yield (
                f"checklist {row['checklist_id']} v{row['version']}: its definition does not"
                " match its content hash"
            )
