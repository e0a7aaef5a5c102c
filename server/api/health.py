"""/api/health for monitors: public and cheap, GET with the facts or HEAD with the status only.

200 when the database answers and the data dir's disk has at least `min_free_disk_bytes` free
(GENBA_MIN_FREE_DISK), 503 otherwise, with the same fields saying which. Nothing personal:
the version, the database's state, free disk and uptime.
"""

from __future__ import annotations

import logging
import sqlite3

import msgspec
from litestar import Response, Router, get, head
from litestar.datastructures import State

from server import __version__
from server.api.auth import PUBLIC
from server.ops import host

log = logging.getLogger("genba")


class Health(msgspec.Struct, omit_defaults=True):
    status: str  # "ok" or "fail"
    version: str
    database: str  # "ok" or "error"
    disk_free_bytes: int | None
    disk_free_ok: bool
    uptime_s: int
    detail: str | None = None  # what failed, on a 503


def check(state: State) -> Health:
    database, problems = "ok", []
    try:
        state.store.read().execute("select count(*) from checklist_versions").fetchone()
    except sqlite3.Error as exc:
        log.warning("health: the database does not answer: %s", exc)
        database = "error"
        problems.append("the database does not answer")
    settings = state.settings
    free, disk_ok = host.disk_state(settings)
    if not disk_ok:
        problems.append(
            f"the data dir's disk has less than {settings.min_free_disk_bytes:,} bytes free"
        )
    return Health(
        status="fail" if problems else "ok",
        version=__version__,
        database=database,
        disk_free_bytes=free,
        disk_free_ok=disk_ok,
        uptime_s=host.uptime_s(),
        detail="; ".join(problems) or None,
    )


@get("/", sync_to_thread=True, security=[], opt=PUBLIC)
def get_health(state: State) -> Response[Health]:
    """200 when the server can work; 503 (same fields) when the database does not answer or
    the data dir's disk is nearly full."""
    facts = check(state)
    return Response(facts, status_code=200 if facts.status == "ok" else 503)


@head("/", sync_to_thread=True, security=[], opt=PUBLIC)
def head_health(state: State) -> Response[None]:
    """GET's status without the body."""
    return Response(b"", status_code=200 if check(state).status == "ok" else 503)


health = Router(path="/api/health", route_handlers=[get_health, head_health], tags=["health"])
