"""One JSON line per request, on the `genba.requests` logger: what `genba serve` writes to
standard output, or with `--log-file PATH` (GENBA_LOG_FILE) appends to PATH.

A line holds when the request came (ISO, UTC), its id (also sent back as X-Request-ID), the
method, the route template (`/api/audits/{audit_id}`) and the path without its query string
(a query may carry what should not be logged), the status, how long it took, the bytes of the
body sent, the signed-in user (id and username, null when nobody signed in) and the client's
address as the server sees it (X-Forwarded-For only from a trusted proxy: uvicorn decides).
Never a header, a token, a password or a body.

The middleware is the outermost of the app's (server/app.py), so it sees every answer of a
route: 401s from the sign-in check, refusals, static files. It also hands a signed-in user's
refused uploads (4xx to an audit or photo PUT) to server/ops/attention.py, once their answer
has gone out.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time
from datetime import UTC, datetime
from functools import partial
from logging.handlers import WatchedFileHandler
from pathlib import Path

import anyio.to_thread
import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import DETAIL_KEY
from server.ops.attention import DETAIL_CHARS, is_upload, record_refusal

log = logging.getLogger("genba.requests")
errors = logging.getLogger("genba")

MAX_PATH = 512  # characters of a path kept: a hostile client may send a very long one


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class JsonLines(logging.Formatter):
    """A request's fields as one JSON line; any other record as {time, level, message}."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "request", None)
        if not isinstance(fields, dict):
            fields = {
                "time": iso(datetime.fromtimestamp(record.created, UTC)),
                "level": record.levelname,
                "message": record.getMessage(),
            }
        return msgspec.json.encode(fields).decode()


def configure(log_file: Path | None = None) -> logging.Handler:
    """Send request lines to `log_file` (appended; reopened when logrotate moves it away, so
    rotate without copytruncate) or to standard output."""
    if log_file is None:
        handler: logging.Handler = logging.StreamHandler(sys.stdout)
    else:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler = WatchedFileHandler(log_file, encoding="utf-8")
    handler.setFormatter(JsonLines())
    for old in list(log.handlers):
        log.removeHandler(old)
        old.close()
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    return handler


class RequestLog:
    """Pure ASGI: times the request, reads the status and body size off `send`, logs once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, at = time.perf_counter(), datetime.now(UTC)
        request_id = secrets.token_hex(8)
        path = scope.get("path", "")[:MAX_PATH]  # as it came; the query string is apart
        answer: dict = {"status": None, "bytes": 0}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                headers = [*(message.get("headers") or ()), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except BaseException:
            if answer["status"] is None:
                answer["status"] = 500  # what the server answers for an exception nobody handled
            raise
        finally:
            entry = self._entry(scope, at, request_id, path, answer, started)
            if log.isEnabledFor(logging.INFO):
                log.info("request", extra={"request": entry})
        # Only a signed-in user's: a stranger's PUTs must not cost a write each (their 401s
        # are in this log all the same).
        refused = 400 <= (answer["status"] or 0) < 500
        if refused and entry["user_id"] is not None and is_upload(entry["method"], entry["route"]):
            await self._record(scope, entry, at)

    @staticmethod
    def _entry(
        scope: Scope, at: datetime, request_id: str, path: str, answer: dict, started: float
    ) -> dict:
        user = scope.get("user")
        client = scope.get("client")
        return {
            "time": iso(at),
            "request_id": request_id,
            "method": scope.get("method"),
            "route": scope.get("path_template"),
            "path": path,
            "status": answer["status"],
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "bytes": answer["bytes"],
            "user_id": getattr(user, "id", None),
            "user": getattr(user, "username", None),
            "client": client[0] if client else None,
        }

    @staticmethod
    async def _record(scope: Scope, entry: dict, at: datetime) -> None:
        """Keep a refused upload for the 需关注 screen; its answer is out already, so a failure
        here is only logged."""
        refusal = {
            "user_id": entry["user_id"],
            "username": entry["user"],
            "client": entry["client"],
            "method": entry["method"],
            "route": entry["route"],
            "path": entry["path"],
            "status": entry["status"],
            "detail": str(scope.get(DETAIL_KEY) or "")[:DETAIL_CHARS],
            "request_id": entry["request_id"],
        }
        token = scope.get("auth") if isinstance(scope.get("auth"), str) else None
        try:
            store = scope["litestar_app"].state.store
            await anyio.to_thread.run_sync(partial(record_refusal, store, refusal, token, at))
        except Exception:
            errors.exception("could not record the refused upload %s", entry["request_id"])
