"""GET /api/attention: what needs a supervisor's or admin's attention (the console's 需关注)."""

from __future__ import annotations

from litestar import Request, get
from litestar.datastructures import State

from server.api.auth import requires
from server.api.docs import errors_for
from server.ops.attention import Attention, attention


@get(
    "/api/attention",
    sync_to_thread=True,
    tags=["reports"],
    guards=[requires("supervisor")],
    responses=errors_for(403),
)
def get_attention(request: Request, state: State) -> Attention:
    """Counts and the first few of each, for the caller's sites: audits waiting for review
    (oldest first, age in days), audits waiting for photos their officer has not delivered,
    uploads refused in the last days (4xx to an audit or photo PUT: who, which device, why),
    corrective actions past due; and the server's version, uptime, free disk, database and
    photo folder sizes."""
    return attention(state.store, state.settings, request.user)
