"""GET /api/appraisal?month=YYYY-MM[&format=csv|xlsx|pdf]: the month's appraisal per person."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from server.api.auth import requires
from server.reports.appraisal import FORMATS, appraisal

Month = Annotated[str, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


@get("/api/appraisal", guards=[requires("supervisor")], sync_to_thread=True, tags=["appraisal"])
def get_appraisal(
    request: Request,
    state: State,
    month: Month,
    format: Annotated[Literal["json", "csv", "xlsx", "pdf"] | None, QueryParameter()] = None,
) -> Response:
    """Supervisors and admins; a user limited to sites sees those sites' staff and zones."""
    report = appraisal(state.store, request.user, month, state.settings.timezone)
    if format in (None, "json"):
        return Response(report)
    media_type, render = FORMATS[format]
    filename = f"appraisal-{month}.{format}"
    return Response(
        render(report),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
