"""The refusals domain code raises: what went wrong and where, never an HTTP status.

Domain modules (audits, photos, people, checklists, ops) raise these; the web layer maps each
class to one status in `server/api/errors.py`, and the command line prints the message.
`errors` lists the bad fields as `{"path", "message"}` with msgspec-style paths
(`$.answers.sort-1.value`); any other keyword goes into the response body as it is.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the caller can act on."""

    def __init__(self, message: str, errors: list[dict] | None = None, **fields):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.fields = fields


class Malformed(DomainError):
    """The request itself is not well formed: bad ids, bodies or parameters."""


class Invalid(DomainError):
    """Well formed, but breaks a rule: an answer that does not fit its item, a corrupt image."""


class Unauthenticated(DomainError):
    """No valid sign-in."""


class Forbidden(DomainError):
    """The caller may see the thing, but their role or relation to it may not do this."""


class NotFound(DomainError):
    """No such thing, or not one the caller may see: the two are never told apart."""


class Conflict(DomainError):
    """The thing is not in a state that allows this (a stale revision, a final audit)."""


class TooLarge(DomainError):
    """Over a size limit."""


class Unsupported(DomainError):
    """A media type that is not accepted."""


class RateLimited(DomainError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """The server cannot do it now (database down); worth retrying later."""


class StorageFull(DomainError):
    """The server's disk is full; worth retrying later."""


def field(path: str, message: str, cls: type[DomainError] = Invalid) -> DomainError:
    """One bad field, named by its path."""
    return cls(f"{message} (at {path})", errors=[{"path": path, "message": message}])


def invalid(errors: list[dict], cls: type[DomainError] = Invalid) -> DomainError:
    """Every bad field at once; the message shows the first five."""
    shown = "; ".join(e["message"] for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return cls(f"{shown}{more}", errors=errors)
