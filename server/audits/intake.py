"""Taking audit revisions from devices, exactly once.

Every PUT is decided inside one write transaction: a new id is stored as revision 1; the
same content again is a replay and changes nothing; new content must name the current
revision as its base, or it is a conflict. Every revision is kept, and every write is
recorded in the event log with what `genba verify` needs to check the stored row again.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import msgspec

from server import access
from server.audits.shapes import (
    AnswerIn,
    AuditBody,
    AuditCreated,
    AuditRevised,
    AuditSummary,
    Revision,
)
from server.audits.views import audit_row, audit_summary, audit_view
from server.checklists.answers import (
    Tally,
    answer_errors,
    photo_ids,
    subject_errors,
    subject_missing,
    submit_errors,
    tally,
)
from server.checklists.format import Checklist
from server.checklists.registry import get_version
from server.checklists.scoring import Answer, Score, score_audit
from server.core import events
from server.core.clock import as_utc, audit_day
from server.core.db import insert_row, update_row
from server.core.errors import Conflict, Malformed, field, invalid
from server.people.places import Zone, get_zone
from server.people.users import User
from server.photos.store import add_holder
from server.records.actions import follow_audit


def parse_answers(body: AuditBody) -> dict[str, AnswerIn]:
    answers, errors = {}, []
    for item_id, raw in body.answers.items():
        try:
            answer = msgspec.convert(raw, AnswerIn)
        except msgspec.ValidationError as exc:
            message, _, where = str(exc).rpartition(" - at ")
            path = f"$.answers.{item_id}" + where.strip("`").removeprefix("$")
            errors.append({"path": path, "message": f"{item_id}: {message or exc}"})
            continue
        if answer.note is None:
            answer.note = ""  # null and absent are the same "no note" as ""
        answers[item_id] = answer
    if errors:
        raise invalid(errors, Malformed)
    return answers


def check_times(body: AuditBody) -> None:
    """Device times the server can place at all (a clock set to 1970 or 2099 is only flagged
    by the clock rule; year 1 with an offset cannot even be turned into UTC)."""
    for name in ("started_at", "submitted_at"):
        moment = getattr(body, name)
        if moment is not None and not 1900 <= moment.year <= 9000:
            raise field(f"$.{name}", f"year {moment.year} is not a time a device could mean")


def canonical(body: AuditBody) -> bytes:
    """The content a revision is: the body without base_revision, keys sorted, times in UTC."""
    content = msgspec.structs.replace(
        body,
        base_revision=None,
        started_at=as_utc(body.started_at),
        submitted_at=as_utc(body.submitted_at) if body.submitted_at else None,
    )
    return msgspec.json.encode(content, order="sorted")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_context(store, user: User, body: AuditBody) -> tuple[Checklist, Zone]:
    checklist = get_version(store, body.checklist_id, body.checklist_version)
    if checklist is None:
        message = f"no checklist {body.checklist_id!r} version {body.checklist_version}"
        raise field("$.checklist_version", message)
    zone = get_zone(store, body.zone_id)
    if zone is None or not access.sees_site(user, zone.site_id):
        raise field("$.zone_id", f"unknown zone {body.zone_id!r}")
    if checklist.id not in zone.checklist_ids:
        raise field("$.checklist_id", f"{checklist.id} is not used in {zone.id}")
    if checklist.zone_kinds is not None and zone.kind not in checklist.zone_kinds:
        raise field(
            "$.checklist_id", f"{checklist.id} is not written for {zone.kind} zones like {zone.id}"
        )
    return checklist, zone


def _staff_lookup(store):
    def is_staff(staff_id: str) -> bool:
        found = store.read().execute("select 1 from staff where id = ?", [staff_id])
        return found.fetchone() is not None

    return is_staff


def check_body(
    checklist: Checklist, zone: Zone, answers: dict, body: AuditBody, is_staff=lambda _: False
) -> bool:
    """Raise Invalid for what can never be stored; returns whether nothing is missing to submit.

    `is_staff(id)` says whether a `staff` subject field names a staff member."""
    subject = body.subject if body.subject is not msgspec.UNSET else {}
    errors = subject_errors(checklist, subject, is_staff)
    errors += answer_errors(checklist, answers, zone.kind)
    if errors:
        raise invalid(errors)
    missing = subject_missing(checklist, subject) + submit_errors(checklist, answers, zone.kind)
    if body.status == "submitted":
        if body.submitted_at is None:
            missing.append({"path": "$.submitted_at", "message": "a submitted audit needs it"})
        if missing:
            raise invalid(missing)
    return not missing


class Received(msgspec.Struct, frozen=True):
    """One revision as the server took it in: its content, score and the facts of receipt."""

    canonical: str
    hash: str
    score: Score
    tally: Tally
    day: str  # the sites' date it counts on (clock rule); its month is the appraisal month
    clock_flag: str | None
    zone_flag: str | None
    at: str  # server time of receipt, ISO with milliseconds
    photos: list[str]
    answers_complete: bool


def put_audit(
    store,
    timezone: str,
    user: User,
    audit_id: str,
    body: AuditBody,
    received_at: datetime | None = None,
) -> tuple[bool, AuditSummary]:
    """Store one revision; returns (created, the audit's state). `received_at` is for demo data."""
    check_times(body)
    parsed = parse_answers(body)
    body = msgspec.structs.replace(
        body, answers={k: msgspec.to_builtins(a) for k, a in parsed.items()}
    )
    data = canonical(body)
    digest = content_hash(data)
    # Decide replays and conflicts before validating: a replay is answered as it was, and
    # an edit that cannot be taken is a conflict whatever it holds.
    early = _settled(store.read(), user, audit_id, digest, body)
    if early:
        return False, early
    checklist, zone = _load_context(store, user, body)
    answers_complete = check_body(checklist, zone, parsed, body, _staff_lookup(store))
    answers = {k: Answer(value=a.value, note=a.note, photos=a.photos) for k, a in parsed.items()}
    now = received_at or datetime.now(UTC)
    day, flag = audit_day(body.started_at, body.submitted_at, now, timezone)
    received = Received(
        canonical=data.decode(),
        hash=digest,
        score=score_audit(checklist, answers, zone.kind),
        tally=tally(checklist, answers, zone.kind),
        day=day,
        clock_flag=flag,
        # Taken all the same: a tablet offline since the zone was retired could not know.
        zone_flag=None if zone.active else f"zone {zone.id} was retired when this arrived",
        at=now.isoformat(timespec="milliseconds"),
        photos=photo_ids(parsed),
        answers_complete=answers_complete,
    )
    with store.write() as db:
        # Decided again under the write lock: another request may have landed meanwhile.
        early = _settled(db, user, audit_id, digest, body)
        if early:
            return False, early
        row = audit_row(db, audit_id)
        number = 1 if row is None else row["revision"] + 1
        fields = {"revision": number, **_fields(body, zone, received)}
        if row is None:
            first = {"id": audit_id, "officer_id": user.id, "received_at": received.at}
            insert_row(db, "audits", {**first, "review": None, **fields})
        else:
            update_row(db, "audits", "id", audit_id, fields)
        _record_revision(db, user, audit_id, fields, received)
        _hold_named_photos(db, user, audit_id, received.photos)
        stored = audit_row(db, audit_id)
        # Failed items become tracked work in the same transaction: all of it, or none.
        follow_audit(db, store, stored, checklist, zone.kind)
        return row is None, audit_summary(db, stored)


def _settled(db, user: User, audit_id: str, digest: str, body: AuditBody):
    """The summary for a replay; raises for edits that cannot be taken; None otherwise."""
    row = audit_row(db, audit_id)
    if row is None:
        if body.status == "discarded":
            raise field("$.status", "only a draft the server has can be discarded")
        return None
    access.check_edit(user, row)
    if row["content_hash"] == digest:
        return audit_summary(db, row)
    _check_editable(db, row, body)
    return None


def _check_editable(db, row: dict, body: AuditBody) -> None:
    final = {
        "approved": "approved audits are final",
        "discarded": "this draft was discarded",
        "void": "this audit was voided: it is kept, but counts nowhere",
        "submitted": "submitted: it can be changed only after a supervisor returns it",
    }
    if row["status"] in final:
        raise Conflict(final[row["status"]], current=audit_view(db, row))
    if body.status == "discarded" and row["status"] != "draft":
        raise Conflict(
            "a returned audit goes back to its supervisor: fix it and submit it again",
            current=audit_view(db, row),
        )
    if body.base_revision != row["revision"]:
        based = body.base_revision if body.base_revision is not None else "nothing"
        raise Conflict(
            f"conflict: the server has revision {row['revision']}, this edit is based on {based}",
            current=audit_view(db, row),
        )


def _fields(body: AuditBody, zone: Zone, received: Received) -> dict:
    """The audit row's columns that each revision sets."""
    return {
        "checklist_id": body.checklist_id,
        "checklist_version": body.checklist_version,
        "zone_id": body.zone_id,
        # An audit's site is its zone's: moved onto another site's zone, it moves too.
        "site_id": zone.site_id,
        "status": body.status,
        "content_hash": received.hash,
        "body": received.canonical,
        "score": msgspec.json.encode(received.score).decode(),
        "score_percent": received.score.percent,
        "tally": msgspec.json.encode(received.tally).decode(),
        "started_at": as_utc(body.started_at).isoformat(),
        "submitted_at": as_utc(body.submitted_at).isoformat() if body.submitted_at else None,
        "updated_at": received.at,
        "month": received.day[:7],
        "day": received.day,
        "clock_flag": received.clock_flag,
        "zone_flag": received.zone_flag,
        "complete": int(received.answers_complete),
    }


def _record_revision(db, user: User, audit_id: str, fields: dict, received: Received) -> None:
    revision = Revision(
        audit_id=audit_id,
        revision=fields["revision"],
        content_hash=received.hash,
        body=received.canonical,
        score=fields["score"],
        status=fields["status"],
        created_at=received.at,
        created_by=user.id,
    )
    insert_row(db, "audit_revisions", msgspec.structs.asdict(revision))
    db.execute("delete from audit_photos where audit_id = ?", [audit_id])
    db.conn.executemany(
        "insert into audit_photos (audit_id, sha256) values (?, ?)",
        [(audit_id, sha) for sha in received.photos],
    )
    # What verify recomputes the row from: the revision's hash and the receipt's facts.
    kind = AuditCreated if revision.revision == 1 else AuditRevised
    event = kind(
        revision=revision.revision,
        content_hash=received.hash,
        status=revision.status,
        officer_id=user.id,
        zone_id=fields["zone_id"],
        site_id=fields["site_id"],
        received_at=received.at,
        month=fields["month"],
        day=received.day,
        zone_flag=received.zone_flag,
    )
    events.append(db, user.username, audit_id, event)


def _hold_named_photos(db, user: User, audit_id: str, shas: list[str]) -> None:
    """An officer naming a photo they can already read (through an earlier audit) holds it.

    Any other name grants nothing: the audit lists it as missing until its bytes arrive from
    this officer.
    """
    for sha in shas:
        if not access.holds_photo(db, user.id, sha) and access.reads_photo(db, user, sha):
            add_holder(db, user, sha, f"audit:{audit_id}")


def fill_missing_days(store, timezone: str) -> int:
    """Give audits from before days were stored their day, by the clock rule on their latest
    revision's receipt (a migration cannot: the time zone is a setting). Returns how many."""
    rows = list(
        store.read().execute(
            "select a.id, a.started_at, a.submitted_at, r.created_at from audits a"
            " join audit_revisions r on r.audit_id = a.id and r.revision = a.revision"
            " where a.day is null"
        )
    )
    if not rows:
        return 0
    moment = lambda text: datetime.fromisoformat(text) if text else None  # noqa: E731
    with store.write() as db:
        for audit_id, started, submitted, received in rows:
            day, _ = audit_day(moment(started), moment(submitted), moment(received), timezone)
            db.execute("update audits set day = ? where id = ?", [day, audit_id])
    return len(rows)


def fill_missing_tallies(store) -> int:
    """Tally audits stored before tallies were (from their stored answers). Returns how many."""
    from server.audits.shapes import StoredBody
    from server.people.places import get_zone

    rows = list(store.read().execute("select id, body from audits where tally is null"))
    if not rows:
        return 0
    with store.write() as db:
        for audit_id, body in rows:
            stored = msgspec.json.decode(body, type=StoredBody)
            checklist = get_version(store, stored.checklist_id, stored.checklist_version)
            zone = get_zone(store, stored.zone_id)
            counted = tally(checklist, stored.answers, zone.kind if zone else None)
            db.execute(
                "update audits set tally = ? where id = ?",
                [msgspec.json.encode(counted).decode(), audit_id],
            )
    return len(rows)
