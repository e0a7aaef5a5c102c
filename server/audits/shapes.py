"""The shapes of audits at the edges: request bodies, responses, revisions, reviews, changes.

msgspec Structs, so the API validates what comes in, encodes what goes out, and the OpenAPI
document shows every field. Stored rows keep JSON text; `views.py` turns them into these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from server.checklists.scoring import Answer, Score
from server.core.events import Event, kind

# Exactly 64 lowercase hex digits; the length bound keeps out "<sha>\n", which a pattern's
# `$` alone would let through.
Sha256 = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$", min_length=64, max_length=64)]
ItemId = Annotated[str, Meta(max_length=64)]
Note = Annotated[str, Meta(max_length=4000)]
AuditStatus = Literal["draft", "submitted", "returned", "approved", "discarded", "void"]
# What a device may send: "discarded" gives up a draft the server already has.
BodyStatus = Literal["draft", "submitted", "discarded"]


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    value: int | float | str | None = None
    # A string, null or absent: all three mean "no note" when empty.
    note: Note | None = ""
    photos: Annotated[list[Sha256], Meta(max_length=20)] = msgspec.field(default_factory=list)


class AuditBody(msgspec.Struct, forbid_unknown_fields=True):
    checklist_id: Annotated[str, Meta(min_length=1, max_length=64)]
    checklist_version: Annotated[int, Meta(ge=1, le=1_000_000)]
    zone_id: Annotated[str, Meta(min_length=1, max_length=64)]
    started_at: datetime
    status: BodyStatus
    # Each answer is checked as an AnswerIn by `intake.parse_answers`, so an error can name its
    # item (msgspec alone reports a bad dict value as `$.answers[...]`).
    answers: Annotated[dict[ItemId, dict[str, Any]], Meta(max_length=2000)]
    submitted_at: datetime | None = None
    base_revision: Annotated[int, Meta(ge=1)] | None = None
    # What the audit is about (the checklist's `subject` fields): left out of the stored
    # content when absent, so bodies from before subjects existed keep their hashes.
    subject: Annotated[dict[ItemId, Any], Meta(max_length=50)] | UnsetType = UNSET


class ReviewBody(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "return"]
    comment: Note = ""


class StoredBody(msgspec.Struct):
    """A revision's canonical body as stored (base_revision is never part of it)."""

    checklist_id: str
    checklist_version: int
    zone_id: str
    started_at: str
    status: str
    answers: dict[str, Answer]
    submitted_at: str | None = None
    base_revision: int | None = None
    subject: dict[str, Any] | None = None


class Review(msgspec.Struct):
    decision: Literal["approve", "return"]
    comment: str
    by: str
    by_id: int
    at: str
    revision: int


class VoidBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(min_length=1, max_length=2000)]


class Void(msgspec.Struct):
    """An admin's void: the audit is kept but counts nowhere."""

    reason: str
    by: str
    by_id: int
    at: str


class AuditSummary(msgspec.Struct):
    """What PUT /api/audits/{uuid} answers: the audit's state after the write."""

    id: str
    revision: int
    status: AuditStatus
    complete: bool
    missing_photos: list[str]
    score: Score
    month: str
    day: str  # the sites' date it counts on: whose zone it was that day (the owners)
    clock_flag: str | None
    received_at: str
    # Set when the zone was retired before this revision arrived: for the supervisor to see.
    zone_flag: str | None


class AuditView(AuditSummary):
    """An audit as GET returns it: its body fields, the summary, and its latest review."""

    checklist_id: str
    checklist_version: int
    zone_id: str
    answers: dict[str, Answer]
    started_at: str
    submitted_at: str | None
    site_id: str
    officer_id: int
    updated_at: str
    review: Review | None
    void: Void | None = None
    officer_name: str | None = None
    subject: dict[str, Any] | None = None  # the checklist's subject fields, when it has any


class AuditPage(msgspec.Struct):
    audits: list[AuditView]
    next_cursor: str | None


class Revision(msgspec.Struct):
    """One stored revision of an audit (a row of `audit_revisions`): kept for ever."""

    audit_id: str
    revision: int
    content_hash: str
    body: str  # the canonical JSON the hash is of
    score: str  # JSON of the Score
    status: str
    created_at: str  # when the server received it
    created_by: int


# --- events: what the log records of audits ------------------------------------------------


@kind("audit.create", "audit")
class AuditCreated(Event):
    """Revision 1 stored. Fields after `status` are absent from logs older than 2026-11-30."""

    revision: int
    content_hash: str
    status: str
    officer_id: int | None = None
    zone_id: str | None = None
    site_id: str | None = None
    received_at: str | None = None
    month: str | None = None
    day: str | None = None
    zone_flag: str | None = None


@kind("audit.revise", "audit")
class AuditRevised(AuditCreated):
    """A later revision stored."""


@kind("audit.review", "audit")
class AuditReviewed(Event):
    """A review; `comment_sha256` ties the stored comment to the log without copying it."""

    decision: str
    revision: int
    officer_id: int
    by_id: int | None = None
    at: str | None = None
    comment_sha256: str | None = None


@kind("audit.void", "audit")
class AuditVoided(Event):
    """A void; `reason_sha256` ties the stored reason to the log."""

    revision: int
    by_id: int
    at: str
    reason_sha256: str
    status_before: str
