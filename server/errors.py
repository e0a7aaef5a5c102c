"""Every error leaves as `{"detail": ..., ...}` with a 4xx that says what was wrong and where.

Validation failures list each bad field under `errors` as `{"path", "message"}`, with
paths in msgspec's form (`$.answers.sort-1.value`).
"""

from __future__ import annotations

import logging
import re

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException

log = logging.getLogger("genba")

_AT_PATH = re.compile(r"^(?P<message>.*?) - at `(?P<path>[^`]*)`$", re.S)


class ApiError(HTTPException):
    """An error raised by our handlers: status, detail, and any extra fields for the body."""

    def __init__(self, status_code: int, detail: str, headers: dict | None = None, **fields):
        super().__init__(status_code=status_code, detail=detail, headers=headers)
        self.fields = fields


def field_error(path: str, message: str, status_code: int = 400) -> ApiError:
    return ApiError(
        status_code,
        f"{message} (at {path})",
        errors=[{"path": path, "message": message}],
    )


def _split_msgspec(message: str) -> dict:
    match = _AT_PATH.match(message)
    if match:
        return {"path": match["path"], "message": match["message"]}
    return {"path": "$", "message": message}


def _validation_errors(exc: ValidationException) -> list[dict]:
    extra = exc.extra if isinstance(exc.extra, list) else [exc.extra] if exc.extra else []
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        parsed = _split_msgspec(str(item.get("message", "")))
        source, key = item.get("source"), item.get("key")
        source = getattr(source, "value", source)  # Litestar gives an enum for parameters
        if source == "body" and key and key != "data":
            # Litestar names the field without msgspec's root; put it back.
            parsed["path"] = "$." + key if not key.startswith("$") else key
        elif source and source != "body" and key:
            parsed["path"] = f"{source}.{key}"
        errors.append(parsed)
    return errors


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    body: dict = {"detail": exc.detail, "status_code": exc.status_code}
    if isinstance(exc, ApiError):
        body.update(exc.fields)
    elif isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        if errors:
            body["errors"] = errors
            body["detail"] = "; ".join(f"{e['message']} (at {e['path']})" for e in errors)
        else:
            body["detail"] = _clean_detail(exc.detail)
    elif isinstance(exc, SerializationException) or isinstance(
        exc.__cause__, SerializationException
    ):
        message = f"malformed JSON body: {exc.detail}"
        body.update(detail=message, status_code=400, errors=[{"path": "$", "message": message}])
        return Response(body, status_code=400, media_type=MediaType.JSON)
    elif exc.extra:
        body["extra"] = exc.extra
    return Response(
        body, status_code=exc.status_code, headers=exc.headers, media_type=MediaType.JSON
    )


def _clean_detail(detail: str) -> str:
    # Litestar prefixes decode failures with the route; keep the part the client can act on.
    return detail.split(" - ", 1)[-1] if detail.startswith("Validation failed for") else detail


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response({"detail": "internal server error", "status_code": 500}, status_code=500)
