"""Signing in and out: POST /api/login, POST /api/logout, GET /api/me."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from server.api.auth import PUBLIC
from server.api.docs import errors_for
from server.core.errors import Unauthenticated
from server.people import tokens
from server.people.users import User, check_password


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    device: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PublicUser(msgspec.Struct):
    id: int
    username: str
    name: str
    role: str
    staff_id: str | None = None  # the staff member this user is (责任人 of their zones)
    site_ids: list[str] | None = None  # None: every site


class LoginResponse(msgspec.Struct):
    token: str
    user: PublicUser


def _public(user: User) -> PublicUser:
    return PublicUser(**user.public())


class SessionController(Controller):
    path = "/api"
    tags = ["auth"]

    @post(
        "/login",
        status_code=200,
        sync_to_thread=True,
        security=[],
        opt=PUBLIC,
        responses=errors_for(400, 401, 429),
    )
    def login(self, data: JSONBody[LoginRequest], request: Request, state: State) -> LoginResponse:
        """Sign in; failures slow down that name from that address only (429 + Retry-After)."""
        username = data.username.strip()
        address = request.client.host if request.client else ""
        attempt = state.login_limiter.reserve(username, address)
        user = check_password(state.store, state.passwords, username, data.password)
        if user is None:
            raise Unauthenticated("wrong username or password")
        state.login_limiter.succeeded(attempt)
        token = tokens.issue_token(
            state.store, user.id, user.username, state.settings.token_days, data.device
        )
        return LoginResponse(token=token, user=_public(user))

    @post("/logout", status_code=200, sync_to_thread=True)
    def logout(self, request: Request, state: State) -> dict:
        tokens.revoke_token(state.store, request.user.username, request.auth)
        return {"detail": "signed out"}

    @get("/me", sync_to_thread=False)
    def me(self, request: Request) -> PublicUser:
        return _public(request.user)
