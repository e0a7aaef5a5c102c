"""POST /api/import: a workbook or YAML of sites, zones, staff and owners (admins only)."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter

from server.api.auth import requires
from server.api.docs import errors_for
from server.api.photos import read_body
from server.core.clock import today
from server.people import importing, setup

MAX_IMPORT_BYTES = 5_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportController(Controller):
    path = "/api/import"
    tags = ["set-up"]
    guards = [requires("admin")]

    @post(
        "/",
        status_code=200,
        request_max_body_size=None,
        responses=errors_for(400, 403, 413, 422),
    )
    async def run_import(
        self,
        request: Request,
        state: State,
        dry_run: Annotated[bool, QueryParameter(description="true: check and report only")] = True,
    ) -> importing.ImportReport:
        """The raw .xlsx or .yaml bytes as the body. A dry run (the default) reports what would
        change; `dry_run=false` applies it, all or nothing. Bad cells: 422 naming each
        (`区域!D4`)."""
        data = await read_body(request, MAX_IMPORT_BYTES, "import file")
        user, day = request.user, today(state.settings)
        # Parsing a workbook and writing it are blocking work: off the event loop.
        return await anyio.to_thread.run_sync(
            lambda: importing.run(state.store, user, data, day, dry_run)
        )

    @get("/template.xlsx", sync_to_thread=True, media_type=XLSX)
    def template(self, state: State) -> Response[bytes]:
        """An empty workbook with each sheet's headers and one example row, Chinese first."""
        known = setup.catalog(state.store)
        data = importing.template(known.kinds, known.checklists)
        disposition = 'attachment; filename="genba-import.xlsx"'
        return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})
