"""Who is calling: the bearer-token middleware and the role guards handlers declare.

Role guards are for whole endpoints ("supervisors and admins only"); rules about one audit or
photo live in server/access.py.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.core.errors import Forbidden
from server.people.sessions import user_for_token
from server.people.users import Role, User

# Handlers that answer without a token carry this in their opt: sign-in, the health probe
# and the PWA's files. The API docs are public too.
PUBLIC = {"exclude_from_auth": True}
PUBLIC_PATHS = ["^/api/schema"]
MAX_TOKEN = 256


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            raise NotAuthorizedException(
                "sign in first: send 'Authorization: Bearer <token>' from POST /api/login"
            )
        store = connection.app.state.store
        user = user_for_token(store, token) if len(token) <= MAX_TOKEN else None
        if user is None:
            raise NotAuthorizedException("token unknown, expired or signed out: sign in again")
        return AuthenticationResult(user=user, auth=token)


def requires(role: Role):
    """A guard: the caller's role must be at least `role`."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # CORS preflight answers only with Allow headers; there is no user to check
        user: User = connection.user
        if not user.at_least(role):
            raise Forbidden(f"needs the {role} role; you are {user.role}")

    guard.__name__ = f"requires_{role}"
    return guard
