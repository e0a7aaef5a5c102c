"""Audits over HTTP: PUT /api/audits/{uuid}, GET, the list, review and the changes feed."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from server import audit_views, audits
from server.auth import requires
from server.errors import ApiError
from server.scorecard import scorecard_pdf

Month = Annotated[str | None, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Cursor = Annotated[str | None, QueryParameter(pattern=r"^\d{1,18}$")]
PageCursor = Annotated[str | None, QueryParameter(pattern=r"^\d{4}-\d{2}\.\d{1,18}$")]
AuditId = Annotated[str, PathParameter(max_length=64)]


def _audit_id(raw: str) -> str:
    """The canonical lowercase form of a client-made UUID, or 400 naming it."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ApiError(
            400,
            f"audit id {raw[:80]!r} is not a UUID",
            errors=[{"path": "id", "message": "not a UUID"}],
        ) from None


class AuditsController(Controller):
    path = "/api"
    tags = ["audits"]

    # Inline on the event loop, not in a worker thread: writes take turns on one lock anyway,
    # a PUT holds it well under a millisecond, and the hop to a thread (with 20 devices' worth
    # of threads fighting for the GIL) cost more than the work (bench/sync.py: 1.1 -> 0.6 ms).
    @put("/audits/{audit_id:str}", sync_to_thread=False)
    def put_audit(
        self,
        request: Request,
        state: State,
        audit_id: AuditId,
        data: JSONBody[audits.AuditBody],
    ) -> Response[dict]:
        status, body = audits.put_audit(
            state.store, state.settings.timezone, request.user, _audit_id(audit_id), data
        )
        return Response(body, status_code=status)

    @get("/audits/{audit_id:str}", sync_to_thread=True)
    def get_audit(self, request: Request, state: State, audit_id: AuditId) -> dict:
        return audit_views.get_audit(state.store, request.user, _audit_id(audit_id))

    @get("/audits/{audit_id:str}/scorecard.pdf", sync_to_thread=True)
    def scorecard(self, request: Request, state: State, audit_id: AuditId) -> Response[bytes]:
        """The audit's scorecard as a PDF (Chinese first, English beside it)."""
        audit_id = _audit_id(audit_id)
        view = audit_views.get_audit(state.store, request.user, audit_id)
        pdf = scorecard_pdf(state.store, state.settings, view)
        disposition = f'inline; filename="scorecard-{audit_id}.pdf"'
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )

    @get("/audits", sync_to_thread=True)
    def list_audits(
        self,
        request: Request,
        state: State,
        zone_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        status: FromQuery[Literal["draft", "submitted", "returned", "approved"] | None] = None,
        month: Month = None,
        cursor: PageCursor = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> dict:
        filters = {"zone_id": zone_id, "status": status, "month": month}
        return audit_views.list_audits(state.store, request.user, filters, cursor, limit)

    @post(
        "/audits/{audit_id:str}/review",
        status_code=200,
        sync_to_thread=True,
        guards=[requires("supervisor")],
    )
    def review(
        self, request: Request, state: State, audit_id: AuditId, data: JSONBody[audits.ReviewBody]
    ) -> dict:
        return audits.review_audit(state.store, request.user, _audit_id(audit_id), data)

    @get("/changes", sync_to_thread=True)
    def changes(self, request: Request, state: State, since: Cursor = None) -> dict:
        return audit_views.changes_since(
            state.store, request.user, int(since) if since is not None else None
        )
