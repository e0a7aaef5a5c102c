"""Reviews: a supervisor approves a submitted audit or returns it to its officer with a comment.

Who may review is server/access.py's rule. Approving needs the audit complete (every photo it
names delivered); returning does not, so an audit waiting for photos that will never come can
go back to its officer.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import msgspec

from server import access
from server.audits.shapes import (
    AuditReviewed,
    AuditView,
    AuditVoided,
    Review,
    ReviewBody,
    Void,
    VoidBody,
)
from server.audits.views import audit_row, audit_view, missing_photos
from server.core import events
from server.core.db import Store, update_row
from server.core.errors import Conflict, Forbidden, field
from server.people.users import User
from server.records.actions import cancel_for_void


def review_audit(
    store: Store, user: User, audit_id: str, body: ReviewBody, at: datetime | None = None
) -> AuditView:
    if body.decision == "return" and not body.comment.strip():
        raise field("$.comment", "say what to fix when returning")
    with store.write() as db:
        row = access.readable_audit(audit_row(db, audit_id), user, audit_id)
        owners = access.zone_owner_ids(db, row["zone_id"], row["day"])
        access.check_review(user, row, owners)
        if row["status"] != "submitted":
            raise Conflict(f"only submitted audits are reviewed; this one is {row['status']}")
        missing = missing_photos(db, audit_id)
        if body.decision == "approve" and (missing or not row["complete"]):
            raise Conflict(
                "incomplete: waiting for photos from the device; return it if they will not come",
                missing_photos=missing,
            )
        review = Review(
            decision=body.decision,
            comment=body.comment,
            by=user.name,
            by_id=user.id,
            at=(at or datetime.now(UTC)).isoformat(timespec="milliseconds"),
            revision=row["revision"],
        )
        db["reviews"].insert(
            {
                "audit_id": audit_id,
                "revision": review.revision,
                "decision": review.decision,
                "comment": review.comment,
                "by_user": user.id,
                "at": review.at,
            }
        )
        status = "approved" if body.decision == "approve" else "returned"
        update_row(
            db,
            "audits",
            "id",
            audit_id,
            {"status": status, "review": msgspec.json.encode(review).decode()},
        )
        event = AuditReviewed(
            decision=review.decision,
            revision=review.revision,
            officer_id=row["officer_id"],
            by_id=user.id,
            at=review.at,
            comment_sha256=hashlib.sha256(review.comment.encode()).hexdigest(),
        )
        events.append(db, user.username, audit_id, event)
        return audit_view(db, audit_row(db, audit_id))


def void_audit(store: Store, user: User, audit_id: str, body: VoidBody) -> AuditView:
    """An admin voids an audit: kept, with the reason, but out of every score from now on."""
    with store.write() as db:
        row = access.readable_audit(audit_row(db, audit_id), user, audit_id)
        if not user.at_least("admin"):
            raise Forbidden(f"voiding needs the admin role; you are {user.role}")
        if row["status"] in ("void", "discarded"):
            raise Conflict(f"this audit is {row['status']} already")
        void = Void(
            reason=body.reason,
            by=user.name,
            by_id=user.id,
            at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        )
        update_row(
            db,
            "audits",
            "id",
            audit_id,
            {"status": "void", "void": msgspec.json.encode(void).decode()},
        )
        event = AuditVoided(
            revision=row["revision"],
            by_id=user.id,
            at=void.at,
            reason_sha256=hashlib.sha256(body.reason.encode()).hexdigest(),
            status_before=row["status"],
        )
        events.append(db, user.username, audit_id, event)
        cancel_for_void(db, audit_id)
        return audit_view(db, audit_row(db, audit_id))
