"""GET /api/health: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import sqlite3

from litestar import get
from litestar.datastructures import State

from server import __version__
from server.api.auth import PUBLIC
from server.core.errors import Unavailable


@get("/api/health", sync_to_thread=True, tags=["health"], security=[], opt=PUBLIC)
def health(state: State) -> dict:
    try:
        state.store.read().execute("select count(*) from checklist_versions").fetchone()
    except sqlite3.Error as exc:
        raise Unavailable(f"database does not answer: {exc}") from None
    return {"status": "ok", "version": __version__}
