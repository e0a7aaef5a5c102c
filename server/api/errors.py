"""The one place errors become HTTP: every refusal leaves as `{"detail": ..., ...}` with a 4xx.

Domain errors (server/core/errors.py) map to a status by their class, here and nowhere else;
Litestar's own exceptions (bad parameters, bodies msgspec refuses) keep theirs. Validation
failures list each bad field under `errors` as `{"path", "message"}`, with paths in msgspec's
form (`$.answers.sort-1.value`). Anything else is a bug: logged with its traceback, answered
with a bare 500 that leaks nothing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException

from server.core import errors

log = logging.getLogger("genba")

STATUS: dict[type[errors.DomainError], int] = {
    errors.Malformed: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.Unsupported: 415,
    errors.Invalid: 422,
    errors.RateLimited: 429,
    errors.Unavailable: 503,
    errors.StorageFull: 507,
}

# The 4xx answers the OpenAPI document lists for a route: status -> what it means.
ERROR_MEANINGS = {
    400: "malformed: bad JSON, a bad id or parameter; `errors` names each field",
    401: "no valid sign-in",
    403: "the caller may see it, but their role may not do this",
    404: "no such thing, or not one the caller may see",
    409: "a conflict with the stored state; `current` holds the server's copy where it has one",
    413: "body over the size limit",
    415: "not an accepted media type",
    422: "breaks a rule; `errors` names each field",
    429: "too many attempts; see Retry-After",
}

_AT_PATH = re.compile(r"^(?P<message>.*?) - at `(?P<path>[^`]*)`$", re.S)


def status_of(exc: errors.DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


# The scope key under which an error answer's `detail` is left for the request log, which
# keeps a refused upload's message for the 需关注 screen (server/api/request_log.py).
DETAIL_KEY = "genba.detail"


def _answer(request: Request, body: dict, status: int, headers=None) -> Response:
    request.scope[DETAIL_KEY] = body["detail"]  # type: ignore[literal-required]
    return Response(body, status_code=status, headers=headers, media_type=MediaType.JSON)


def domain_error_handler(request: Request, exc: errors.DomainError) -> Response:
    status = status_of(exc)
    body: dict[str, Any] = {"detail": exc.message, "status_code": status}
    if exc.errors is not None:
        body["errors"] = exc.errors
    body.update(exc.fields)
    headers = {}
    if isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return _answer(request, body, status, headers)


def _split_msgspec(message: str) -> dict:
    match = _AT_PATH.match(message)
    if match:
        return {"path": match["path"], "message": match["message"]}
    return {"path": "$", "message": message}


def _validation_errors(exc: ValidationException) -> list[dict]:
    extra = exc.extra if isinstance(exc.extra, list) else [exc.extra] if exc.extra else []
    found = []
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
        found.append(parsed)
    return found


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    body: dict = {"detail": exc.detail, "status_code": exc.status_code}
    if isinstance(exc, ValidationException):
        found = _validation_errors(exc)
        if found:
            body["errors"] = found
            body["detail"] = "; ".join(f"{e['message']} (at {e['path']})" for e in found)
        else:
            body["detail"] = _clean_detail(exc.detail)
    elif isinstance(exc, SerializationException) or isinstance(
        exc.__cause__, SerializationException
    ):
        message = f"malformed JSON body: {exc.detail}"
        body.update(detail=message, status_code=400, errors=[{"path": "$", "message": message}])
        return _answer(request, body, 400)
    elif exc.extra:
        body["extra"] = exc.extra
    return _answer(request, body, exc.status_code, exc.headers)


def _clean_detail(detail: str) -> str:
    # Litestar prefixes decode failures with the route; keep the part the client can act on.
    return detail.split(" - ", 1)[-1] if detail.startswith("Validation failed for") else detail


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response({"detail": "internal server error", "status_code": 500}, status_code=500)


class GenbaRequest(Request):
    """Litestar's Request, with JSON nested past the decoder's depth refused as malformed.

    msgspec stops at its recursion limit with a RecursionError, which would otherwise reach
    the 500 handler on every route that takes a body, sign-in included.
    """

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise SerializationException("JSON nested too deeply") from None


EXCEPTION_HANDLERS = {
    errors.DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
