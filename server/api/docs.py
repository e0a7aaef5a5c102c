"""What the OpenAPI document says about errors: the bodies of 4xx answers, per route."""

from __future__ import annotations

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from server.api.errors import ERROR_MEANINGS
from server.audits.shapes import AuditView


class FieldError(msgspec.Struct):
    path: str
    message: str


class ErrorBody(msgspec.Struct):
    """Every 4xx: what was wrong, and for validation each bad field."""

    detail: str
    status_code: int
    errors: list[FieldError] | None = None


class ConflictBody(ErrorBody):
    """A 409 on an audit: the server's copy, for the device to show beside its own."""

    current: AuditView | None = None


def errors_for(*statuses: int) -> dict[int, ResponseSpec]:
    """The error responses to list for a route, each with the body it carries."""
    return {
        status: ResponseSpec(
            data_container=ConflictBody if status == 409 else ErrorBody,
            description=ERROR_MEANINGS[status],
            generate_examples=False,
        )
        for status in statuses
    }
