"""Audits over HTTP: PUT /api/audits/{uuid}, GET, the list, review, scorecard, changes feed."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from server.api.auth import requires
from server.api.docs import errors_for
from server.api.ids import canonical_uuid
from server.audits import intake, review, views
from server.audits.shapes import (
    AuditBody,
    AuditPage,
    AuditStatus,
    AuditSummary,
    AuditView,
    ReviewBody,
    VoidBody,
)
from server.changes import Changes, changes_since
from server.core.clock import today
from server.reports.scorecard import cached_scorecard_pdf

Month = Annotated[str | None, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Cursor = Annotated[str | None, QueryParameter(pattern=r"^\d{1,18}$")]
PageCursor = Annotated[str | None, QueryParameter(pattern=r"^[A-Za-z0-9_-]{1,96}\.\d{1,18}$")]
AuditId = Annotated[
    str,
    PathParameter(
        max_length=64,
        description="the audit's UUID, made by the device",
        schema_extra={"format": "uuid"},
    ),
]


def _audit_id(raw: str) -> str:
    return canonical_uuid(raw, "audit")


class AuditsController(Controller):
    path = "/api"
    tags = ["audits"]

    # Inline on the event loop, not in a worker thread: writes take turns on one lock anyway,
    # a PUT holds it well under a millisecond, and the hop to a thread (with 20 devices' worth
    # of threads fighting for the GIL) cost more than the work (bench/sync.py: 1.1 -> 0.6 ms).
    @put(
        "/audits/{audit_id:str}",
        sync_to_thread=False,
        status_code=200,
        responses={
            201: ResponseSpec(
                data_container=AuditSummary,
                description="a new audit, stored as revision 1",
                generate_examples=False,
            ),
            **errors_for(400, 403, 404, 409, 422),
        },
    )
    def put_audit(
        self, request: Request, state: State, audit_id: AuditId, data: JSONBody[AuditBody]
    ) -> Response[AuditSummary]:
        """Store a revision: 201 for a new audit, 200 for a new revision or a replay."""
        created, summary = intake.put_audit(
            state.store, state.settings.timezone, request.user, _audit_id(audit_id), data
        )
        return Response(summary, status_code=201 if created else 200)

    @get("/audits/{audit_id:str}", sync_to_thread=True, responses=errors_for(400, 404))
    def get_audit(self, request: Request, state: State, audit_id: AuditId) -> AuditView:
        return views.get_audit(state.store, request.user, _audit_id(audit_id))

    @get("/audits/{audit_id:str}/previous", sync_to_thread=True, responses=errors_for(400, 404))
    def previous(self, request: Request, state: State, audit_id: AuditId) -> views.Comparison:
        """The zone's audit of the same checklist before this one (that the caller may read),
        and the items whose answers changed."""
        return views.compare_with_previous(state.store, request.user, _audit_id(audit_id))

    @get(
        "/audits/{audit_id:str}/scorecard.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        responses=errors_for(400, 404),
    )
    def scorecard(self, request: Request, state: State, audit_id: AuditId) -> Response[bytes]:
        """The audit's scorecard as a PDF (Chinese first, English beside it): rendered once per
        revision and review, then served from the cache; at most two renders at once."""
        audit_id = _audit_id(audit_id)
        view = views.get_audit(state.store, request.user, audit_id)
        pdf = cached_scorecard_pdf(state.store, state.settings, msgspec.to_builtins(view))
        disposition = f'inline; filename="scorecard-{audit_id}.pdf"'
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )

    @get("/audits", sync_to_thread=True, responses=errors_for(400))
    def list_audits(
        self,
        request: Request,
        state: State,
        zone_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        status: FromQuery[AuditStatus | None] = None,
        month: Month = None,
        site_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        officer_id: Annotated[int | None, QueryParameter(ge=1, le=2**63 - 1)] = None,
        checklist_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        order: FromQuery[Literal["newest", "oldest"]] = "newest",
        cursor: PageCursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> AuditPage:
        """Newest month first, or oldest sent first (`status=submitted&order=oldest` is the
        review queue); officers get their own audits, others every audit of their sites."""
        filters = {
            "zone_id": zone_id,
            "status": status,
            "month": month,
            "site_id": site_id,
            "officer_id": officer_id,
            "checklist_id": checklist_id,
            "order": order,
        }
        return views.list_audits(state.store, request.user, filters, cursor, limit)

    @post(
        "/audits/{audit_id:str}/review",
        status_code=200,
        sync_to_thread=True,
        responses=errors_for(400, 403, 404, 409, 422),
    )
    def review(
        self, request: Request, state: State, audit_id: AuditId, data: JSONBody[ReviewBody]
    ) -> AuditView:
        """Approve (complete audits only) or return with a comment. Not your own audit, nor one
        of a zone you own."""
        return review.review_audit(state.store, request.user, _audit_id(audit_id), data)

    @post(
        "/audits/{audit_id:str}/void",
        status_code=200,
        sync_to_thread=True,
        guards=[requires("admin")],
        responses=errors_for(400, 403, 404, 409),
    )
    def void(
        self, request: Request, state: State, audit_id: AuditId, data: JSONBody[VoidBody]
    ) -> AuditView:
        """Admins: the audit is kept, with the reason, but counts in no score from now on."""
        return review.void_audit(state.store, request.user, _audit_id(audit_id), data)

    @get("/changes", sync_to_thread=True, responses=errors_for(400))
    def changes(self, request: Request, state: State, since: Cursor = None) -> Changes:
        """Your audits reviewed since the cursor, newly published checklist versions, and the
        corrective actions and red tags of your sites that changed."""
        settings = state.settings
        return changes_since(
            state.store,
            request.user,
            int(since) if since is not None else None,
            today(settings),
            settings.timezone,
        )
