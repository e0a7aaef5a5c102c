"""The monthly appraisal (docs/appraisal.md): the report and its files, the month close, and
each person's statement (考核明细单)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.params import Parameter, QueryParameter

from server.api.auth import requires
from server.appraisal.close import close_month, render_files, report_for, stored_file
from server.appraisal.exports import FORMATS
from server.core.errors import NotFound

# Years 2000-2099: a month outside them is a mistake (and past what a ZIP file can date).
MONTH = r"^20\d{2}-(0[1-9]|1[0-2])$"
Month = Annotated[str, QueryParameter(pattern=MONTH)]
MonthPath = Annotated[str, Parameter(pattern=MONTH)]


def _rules(state: State):
    return state.store.memo["appraisal_rules"]


@get("/api/appraisal", guards=[requires("supervisor")], sync_to_thread=True, tags=["appraisal"])
def get_appraisal(
    request: Request,
    state: State,
    month: Month,
    format: Annotated[Literal["json", "csv", "xlsx", "pdf"] | None, QueryParameter()] = None,
) -> Response:
    """Supervisors and admins; a user limited to sites sees those sites' staff and zones. A
    closed month's files are the bytes stored when it was closed."""
    store, user = state.store, request.user
    if format in (None, "json"):
        return Response(report_for(store, user, month, state.settings.timezone, _rules(state)))
    data = stored_file(store, user, month, format)
    if data is None:
        report = report_for(store, user, month, state.settings.timezone, _rules(state))
        data = render_files(store, report, only=format)[format]
    return Response(
        data,
        media_type=FORMATS[format][0],
        headers={"Content-Disposition": f'attachment; filename="appraisal-{month}.{format}"'},
    )


@post(
    "/api/appraisal/{month:str}/close",
    guards=[requires("admin")],
    sync_to_thread=True,
    tags=["appraisal"],
    status_code=201,
)
def post_close(request: Request, state: State, month: MonthPath) -> dict:
    """Close an ended month: its rows and files are frozen and their hashes logged."""
    return close_month(state.store, request.user, month, state.settings.timezone, _rules(state))


@get(
    "/api/appraisal/{month:str}/staff/{file:str}",
    guards=[requires("supervisor")],
    sync_to_thread=True,
    tags=["appraisal"],
)
def get_statement(
    request: Request,
    state: State,
    month: MonthPath,
    file: Annotated[str, Parameter(max_length=200)],
) -> Response:
    """`{staff_id}.pdf`: one person's 考核明细单: the month's figures (frozen once closed), every
    deduction with its anchor and photo, red lines, actions closed on time or late, twelve
    months' scores."""
    from server.appraisal.statement import actions_closed, score_history, statement_pdf

    staff_id, dot, kind = file.rpartition(".")
    if not dot or kind != "pdf":
        raise NotFound(f"{file!r}: a statement is <staff id>.pdf")

    store, timezone, rules = state.store, state.settings.timezone, _rules(state)
    report = report_for(store, request.user, month, timezone, rules)
    row = next((r for r in report["rows"] if r["staff_id"] == staff_id), None)
    if row is None:
        raise NotFound(f"no appraisal row for staff {staff_id!r} in {month} that you may see")
    data = statement_pdf(
        store,
        state.settings.photos_dir,
        report,
        row,
        score_history(store, staff_id, month, timezone, rules),
        actions_closed(store, staff_id, month, timezone),
        timezone=timezone,
    )
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="statement-{month}-{staff_id}.pdf"'},
    )
