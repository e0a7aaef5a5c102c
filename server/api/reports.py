"""Reports for supervisors and admins: zone trends and ranks, findings, officer calibration."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import PathParameter, QueryParameter

from server.api.auth import requires
from server.api.docs import errors_for
from server.core.errors import field
from server.reports import trends
from server.reports.board import zone_board_pdf
from server.reports.scorecard import RENDERS

Month = Annotated[str, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
SiteId = Annotated[str | None, QueryParameter(max_length=64)]
ChecklistId = Annotated[str, QueryParameter(max_length=64)]


class BoardController(Controller):
    """The zone board lives under its zone; supervisors and admins print it."""

    path = "/api/zones"
    tags = ["reports"]
    guards = [requires("supervisor")]

    @get(
        "/{zone_id:str}/board.pdf",
        sync_to_thread=True,
        media_type="application/pdf",
        responses=errors_for(400, 403, 404, 422),
    )
    def board(
        self,
        request: Request,
        state: State,
        zone_id: Annotated[str, PathParameter(max_length=64)],
        month: Month,
    ) -> Response[bytes]:
        """The zone's A4 看板 for the morning meeting: trend, radar against last month, rank,
        top findings with photos, the month's audits, and (as printed) its corrective actions
        still to do and its open red tags."""
        with RENDERS:  # shared with the scorecards: PDFs take turns, two at a time
            pdf = zone_board_pdf(state.store, state.settings, request.user, zone_id, month)
        disposition = f'inline; filename="board-{zone_id}-{month}.pdf"'
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )


class ReportsController(Controller):
    path = "/api/reports"
    tags = ["reports"]
    guards = [requires("supervisor")]

    @get("/zones", sync_to_thread=True, responses=errors_for(400, 403, 422))
    def zones(
        self,
        request: Request,
        state: State,
        from_: Annotated[str, QueryParameter(name="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")],
        to: Month,
        site_id: SiteId = None,
        checklist_id: ChecklistId = "6s-zone",
    ) -> trends.ZonesReport:
        """Per zone and month: audits, mean percent, per-S means, rank within its kind."""
        if from_ > to:
            raise field("query.from", "from comes after to")
        return trends.zones_report(state.store, request.user, from_, to, checklist_id, site_id)

    @get("/queue", sync_to_thread=True, responses=errors_for(403))
    def queue(self, request: Request, state: State) -> trends.QueueCounts:
        """What waits for review, counted by site, zone, officer and checklist."""
        return trends.queue_counts(state.store, request.user)

    @get("/findings", sync_to_thread=True, responses=errors_for(400, 403))
    def findings(
        self,
        request: Request,
        state: State,
        month: Month,
        site_id: SiteId = None,
        checklist_id: ChecklistId = "6s-zone",
    ) -> trends.FindingsReport:
        """The items failed most that month, with their zones, audits and a few photos."""
        return trends.findings_report(state.store, request.user, month, checklist_id, site_id)

    @get("/officers", sync_to_thread=True, responses=errors_for(400, 403))
    def officers(
        self,
        request: Request,
        state: State,
        month: Month,
        site_id: SiteId = None,
        checklist_id: ChecklistId = "6s-zone",
    ) -> trends.OfficersReport:
        """Officer calibration: audits, mean, difference from other officers on the same zones,
        N/A, photo and fail rates, with a line on how to read them."""
        return trends.officers_report(state.store, request.user, month, checklist_id, site_id)
