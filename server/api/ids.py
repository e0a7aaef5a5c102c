"""Client-made ids in paths: UUIDs in their canonical lowercase form, or 400 naming them."""

from __future__ import annotations

import uuid

from server.core.errors import Malformed


def canonical_uuid(raw: str, what: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise Malformed(
            f"{what} id {raw[:80]!r} is not a UUID",
            errors=[{"path": "id", "message": "not a UUID"}],
        ) from None
