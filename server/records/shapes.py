"""The shapes of corrective actions and red tags at the edges (docs/actions.md).

A record's *content* is the set of fields one revision is: what a device sends back, what the
content hash covers and what the event log keeps. The views add what the server works out
(names, labels, overdue, age) and never count in the content.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from server.audits.shapes import Note, Sha256
from server.checklists.format import Text
from server.core.events import Event, kind

ActionStatus = Literal["open", "done", "verified", "reopened", "cancelled"]
Disposition = Literal["discard", "move", "keep", "sell", "repair"]
TagStatus = Literal["open", "closed"]
ZoneId = Annotated[str, Meta(min_length=1, max_length=64)]
Line = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class ActionContent(msgspec.Struct, kw_only=True):
    """One revision of an action: what the content hash covers."""

    zone_id: str
    audit_id: str
    item_id: str
    owner_staff_id: str | None
    due: str
    status: ActionStatus
    before_photos: list[str]
    after_photos: list[str]
    note: str
    finding: str = ""  # the failed answer's note: the audit's, never a device's


class ActionIn(msgspec.Struct, kw_only=True):
    """PUT /api/actions/{id}: the action as GET gave it (read-only fields are ignored)."""

    zone_id: ZoneId
    audit_id: Annotated[str, Meta(max_length=64)]
    item_id: Annotated[str, Meta(max_length=64)]
    owner_staff_id: Annotated[str, Meta(max_length=64)] | None
    due: date
    status: ActionStatus
    before_photos: Annotated[list[Sha256], Meta(max_length=20)]
    after_photos: Annotated[list[Sha256], Meta(max_length=10)]
    note: Note = ""
    base_revision: Annotated[int, Meta(ge=1)] | None = None


class ActionView(msgspec.Struct, kw_only=True):
    id: str
    revision: int
    zone_id: str
    site_id: str
    audit_id: str
    item_id: str
    checklist_id: str
    checklist_version: int
    item_label: Text | None
    finding: str
    owner_staff_id: str | None
    owner_name: str | None
    due: str
    status: ActionStatus
    before_photos: list[str]
    after_photos: list[str]
    note: str
    opened_at: str
    updated_at: str
    done_at: str | None
    done_by: int | None
    verified_at: str | None
    verified_by: int | None
    overdue: bool
    days_overdue: int
    missing_photos: list[str]


class ActionPage(msgspec.Struct):
    actions: list[ActionView]
    next_cursor: str | None


class OwnerLoad(msgspec.Struct):
    """One owner's actions not yet closed, for supervisors."""

    staff_id: str | None
    name: str | None
    open: int
    overdue: int
    done: int


class OwnerLoads(msgspec.Struct):
    owners: list[OwnerLoad]


class TagContent(msgspec.Struct, kw_only=True):
    """One revision of a red tag: what the content hash covers (the number is the server's)."""

    zone_id: str
    item: str
    qty: int
    reason: str
    photos: list[str]
    tagged_at: str
    proposed: Disposition
    status: TagStatus
    disposition: Disposition | None
    closed_at: str | None
    note: str


class TagIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """PUT /api/red-tags/{id}. Fields the server works out are refused: a device never numbers."""

    zone_id: ZoneId
    item: Line
    qty: Annotated[int, Meta(ge=1, le=100_000)]
    reason: Annotated[str, Meta(min_length=1, max_length=1000)]
    photos: Annotated[list[Sha256], Meta(min_length=1, max_length=5)]
    tagged_at: datetime
    proposed: Disposition
    status: TagStatus = "open"
    disposition: Disposition | None = None
    closed_at: datetime | None = None
    note: Note = ""
    base_revision: Annotated[int, Meta(ge=1)] | None = None


class TagView(msgspec.Struct, kw_only=True):
    id: str
    revision: int
    site_id: str
    tag_no: int
    tag_label: str
    zone_id: str
    item: str
    qty: int
    reason: str
    photos: list[str]
    tagged_at: str
    proposed: Disposition
    status: TagStatus
    disposition: Disposition | None
    closed_at: str | None
    note: str
    age_days: int
    age_limit_days: int
    over_limit: bool
    created_by: int
    received_at: str
    updated_at: str
    missing_photos: list[str]


class TagPage(msgspec.Struct):
    red_tags: list[TagView]
    next_cursor: str | None


@kind("action.save", "action")
class ActionSaved(Event):
    """A new revision of an action; `via` says who moved it (a device, or an audit's
    submission, resubmission or void)."""

    revision: int
    content_hash: str
    content: ActionContent
    via: Literal["device", "audit", "void"]


@kind("red_tag.save", "red_tag")
class TagSaved(Event):
    revision: int
    content_hash: str
    content: TagContent
    site_id: str
    tag_no: int
