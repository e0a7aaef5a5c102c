"""Reports for supervisors and admins: zone trends and ranks, findings, officer calibration."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from server.api.auth import requires
from server.api.docs import errors_for
from server.core.errors import field
from server.reports import trends

Month = Annotated[str, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
SiteId = Annotated[str | None, QueryParameter(max_length=64)]
ChecklistId = Annotated[str, QueryParameter(max_length=64)]


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
