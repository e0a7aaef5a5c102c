"""Audits: accepting revisions from devices, exactly once, and the review that follows.

Every PUT is decided inside one write transaction: a new id is stored as revision 1; the
same content again is a replay and changes nothing; new content must name the current
revision as its base, or it is a conflict. Every revision is kept, and every write is
recorded in the event log with the hash of the revision's body.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from server import events
from server.answers import answer_errors, photo_ids, submit_errors
from server.audit_views import audit_row, audit_summary, audit_view
from server.checklists.format import Checklist
from server.checklists.registry import get_version
from server.clock import appraisal_month, as_utc
from server.db import Store, insert_row, update_row
from server.errors import ApiError
from server.places import Zone, get_zone
from server.scoring import Answer, Score, score_audit
from server.users import User

Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]
ItemId = Annotated[str, Meta(max_length=64)]


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    value: int | float | str | None = None
    note: Annotated[str, Meta(max_length=4000)] = ""
    photos: Annotated[list[Sha256], Meta(max_length=20)] = msgspec.field(default_factory=list)


class AuditBody(msgspec.Struct, forbid_unknown_fields=True):
    checklist_id: Annotated[str, Meta(min_length=1, max_length=64)]
    checklist_version: Annotated[int, Meta(ge=1, le=1_000_000)]
    zone_id: Annotated[str, Meta(min_length=1, max_length=64)]
    started_at: datetime
    status: Literal["draft", "submitted"]
    # Each answer is checked as an AnswerIn by `parse_answers`, so an error can name its item
    # (msgspec alone reports a bad dict value as `$.answers[...]`).
    answers: Annotated[dict[ItemId, dict[str, Any]], Meta(max_length=2000)]
    submitted_at: datetime | None = None
    base_revision: Annotated[int, Meta(ge=1)] | None = None


class ReviewBody(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "return"]
    comment: Annotated[str, Meta(max_length=4000)] = ""


def parse_answers(body: AuditBody) -> dict[str, AnswerIn]:
    answers, errors = {}, []
    for item_id, raw in body.answers.items():
        try:
            answers[item_id] = msgspec.convert(raw, AnswerIn)
        except msgspec.ValidationError as exc:
            message, _, where = str(exc).rpartition(" - at ")
            path = f"$.answers.{item_id}" + where.strip("`").removeprefix("$")
            errors.append({"path": path, "message": f"{item_id}: {message or exc}"})
    if errors:
        raise ApiError(400, "; ".join(e["message"] for e in errors[:5]), errors=errors)
    return answers


def _canonical(body: AuditBody) -> bytes:
    """The content a revision is: the body without base_revision, keys sorted, times in UTC."""
    content = msgspec.structs.replace(
        body,
        base_revision=None,
        started_at=as_utc(body.started_at),
        submitted_at=as_utc(body.submitted_at) if body.submitted_at else None,
    )
    return msgspec.json.encode(content, order="sorted")


def content_hash(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def _invalid(errors: list[dict]) -> ApiError:
    shown = "; ".join(e["message"] for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return ApiError(422, f"{shown}{more}", errors=errors)


def _load_context(store: Store, user: User, body: AuditBody) -> tuple[Checklist, Zone]:
    checklist = get_version(store, body.checklist_id, body.checklist_version)
    if checklist is None:
        raise _invalid(
            [
                {
                    "path": "$.checklist_version",
                    "message": f"no checklist {body.checklist_id!r} version "
                    f"{body.checklist_version}",
                }
            ]
        )
    zone = get_zone(store, body.zone_id)
    if zone is None or not user.may_see_site(zone.site_id):
        raise _invalid([{"path": "$.zone_id", "message": f"unknown zone {body.zone_id!r}"}])
    if checklist.id not in zone.checklist_ids:
        raise _invalid(
            [{"path": "$.checklist_id", "message": f"{checklist.id} is not used in {zone.id}"}]
        )
    if checklist.zone_kinds is not None and zone.kind not in checklist.zone_kinds:
        message = f"{checklist.id} is not written for {zone.kind} zones like {zone.id}"
        raise _invalid([{"path": "$.checklist_id", "message": message}])
    return checklist, zone


def check_body(checklist: Checklist, zone: Zone, answers: dict, body: AuditBody) -> bool:
    """Raise 422 for what can never be stored; returns whether nothing is missing to submit."""
    errors = answer_errors(checklist, answers, zone.kind)
    if errors:
        raise _invalid(errors)
    missing = submit_errors(checklist, answers, zone.kind)
    if body.status == "submitted":
        if body.submitted_at is None:
            missing.append({"path": "$.submitted_at", "message": "a submitted audit needs it"})
        if missing:
            raise _invalid(missing)
    return not missing


def put_audit(
    store: Store,
    timezone: str,
    user: User,
    audit_id: str,
    body: AuditBody,
    received_at: datetime | None = None,
):
    """Store one revision; returns (HTTP status, response). `received_at` is for demo data."""
    parsed = parse_answers(body)
    body = msgspec.structs.replace(
        body, answers={k: msgspec.to_builtins(a) for k, a in parsed.items()}
    )
    canonical = _canonical(body)
    digest = content_hash(canonical)
    # Decide replays and conflicts before validating: a replay is answered as it was, and
    # an edit that cannot be taken is a 409 whatever it holds.
    early = _settled(store.read(), user, audit_id, digest, body)
    if early:
        return early
    checklist, zone = _load_context(store, user, body)
    answers_complete = check_body(checklist, zone, parsed, body)
    answers = {k: Answer(value=a.value, note=a.note, photos=a.photos) for k, a in parsed.items()}
    score = score_audit(checklist, answers, zone.kind)
    now = received_at or datetime.now(UTC)
    month, flag = appraisal_month(body.started_at, body.submitted_at, now, timezone)
    revision = {
        "canonical": canonical.decode(),
        "hash": digest,
        "score": score,
        "month": month,
        "flag": flag,
        "now": now.isoformat(timespec="milliseconds"),
        "photos": photo_ids(parsed),
        "answers_complete": answers_complete,
    }
    with store.write() as db:
        # Decided again under the write lock: another request may have landed meanwhile.
        early = _settled(db, user, audit_id, digest, body)
        if early:
            return early
        row = audit_row(db, audit_id)
        if row is None:
            _insert(db, user, audit_id, body, zone, revision)
            return 201, audit_summary(db, audit_row(db, audit_id))
        _revise(db, user, row, body, revision)
        return 200, audit_summary(db, audit_row(db, audit_id))


def _settled(db, user: User, audit_id: str, digest: str, body: AuditBody):
    """(200, response) for a replay; raises for edits that cannot be taken; None otherwise."""
    row = audit_row(db, audit_id)
    if row is None:
        return None
    if row["officer_id"] != user.id:
        raise ApiError(403, "this audit belongs to another officer")
    if row["content_hash"] == digest:
        return 200, audit_summary(db, row)
    _check_editable(db, row, body)
    return None


def _check_editable(db, row: dict, body: AuditBody) -> None:
    if row["status"] == "approved":
        raise ApiError(409, "approved audits are final", current=audit_view(db, row))
    if row["status"] == "submitted":
        raise ApiError(
            409,
            "submitted: it can be changed only after a supervisor returns it",
            current=audit_view(db, row),
        )
    if body.base_revision != row["revision"]:
        raise ApiError(
            409,
            f"conflict: the server has revision {row['revision']}, this edit is based on "
            f"{body.base_revision if body.base_revision is not None else 'nothing'}",
            current=audit_view(db, row),
        )


def _fields(body: AuditBody, revision: dict) -> dict:
    score: Score = revision["score"]
    return {
        "checklist_id": body.checklist_id,
        "checklist_version": body.checklist_version,
        "zone_id": body.zone_id,
        "status": body.status,
        "content_hash": revision["hash"],
        "body": revision["canonical"],
        "score": msgspec.json.encode(score).decode(),
        "score_percent": score.percent,
        "started_at": as_utc(body.started_at).isoformat(),
        "submitted_at": as_utc(body.submitted_at).isoformat() if body.submitted_at else None,
        "updated_at": revision["now"],
        "month": revision["month"],
        "clock_flag": revision["flag"],
        "complete": int(revision["answers_complete"]),
    }


def _insert(db, user: User, audit_id: str, body: AuditBody, zone: Zone, revision: dict) -> None:
    insert_row(
        db,
        "audits",
        {
            "id": audit_id,
            "site_id": zone.site_id,
            "officer_id": user.id,
            "revision": 1,
            "received_at": revision["now"],
            "review": None,
            **_fields(body, revision),
        },
    )
    _record_revision(db, user, audit_id, 1, body.status, revision, "audit.create")


def _revise(db, user: User, row: dict, body: AuditBody, revision: dict) -> None:
    number = row["revision"] + 1
    update_row(db, "audits", "id", row["id"], {"revision": number, **_fields(body, revision)})
    _record_revision(db, user, row["id"], number, body.status, revision, "audit.revise")


def _record_revision(db, user, audit_id, number, status, revision, action) -> None:
    insert_row(
        db,
        "audit_revisions",
        {
            "audit_id": audit_id,
            "revision": number,
            "content_hash": revision["hash"],
            "body": revision["canonical"],
            "score": msgspec.json.encode(revision["score"]).decode(),
            "status": status,
            "created_at": revision["now"],
            "created_by": user.id,
        },
    )
    db.execute("delete from audit_photos where audit_id = ?", [audit_id])
    db.conn.executemany(
        "insert into audit_photos (audit_id, sha256) values (?, ?)",
        [(audit_id, sha) for sha in revision["photos"]],
    )
    events.append(
        db,
        user.username,
        action,
        "audit",
        audit_id,
        {"revision": number, "content_hash": revision["hash"], "status": status},
    )


def review_audit(
    store: Store, user: User, audit_id: str, review: ReviewBody, at: datetime | None = None
) -> dict:
    if review.decision == "return" and not review.comment.strip():
        raise _invalid([{"path": "$.comment", "message": "say what to fix when returning"}])
    with store.write() as db:
        row = audit_row(db, audit_id)
        if row is None or not user.may_see_site(row["site_id"]):
            raise ApiError(404, f"no audit {audit_id}")
        view = audit_view(db, row)
        if row["status"] != "submitted":
            raise ApiError(409, f"only submitted audits are reviewed; this one is {row['status']}")
        if not view["complete"]:
            raise ApiError(
                409,
                "incomplete: waiting for photos from the device",
                missing_photos=view["missing_photos"],
            )
        now = (at or datetime.now(UTC)).isoformat(timespec="milliseconds")
        status = "approved" if review.decision == "approve" else "returned"
        record = {
            "decision": review.decision,
            "comment": review.comment,
            "by": user.name,
            "by_id": user.id,
            "at": now,
            "revision": row["revision"],
        }
        db["reviews"].insert(
            {
                "audit_id": audit_id,
                "revision": row["revision"],
                "decision": review.decision,
                "comment": review.comment,
                "by_user": user.id,
                "at": now,
            }
        )
        db["audits"].update(
            audit_id, {"status": status, "review": json.dumps(record, ensure_ascii=False)}
        )
        events.append(
            db,
            user.username,
            "audit.review",
            "audit",
            audit_id,
            {
                "decision": review.decision,
                "revision": row["revision"],
                "officer_id": row["officer_id"],
            },
        )
        return audit_view(db, audit_row(db, audit_id))
