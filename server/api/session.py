"""Signing in and out: POST /api/login, POST /api/logout, GET /api/me."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from server.auth import PUBLIC
from server.errors import ApiError
from server.users import User, check_password, issue_token, revoke_token


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    device: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PublicUser(msgspec.Struct):
    id: int
    username: str
    name: str
    role: str


class LoginResponse(msgspec.Struct):
    token: str
    user: PublicUser


def _public(user: User) -> PublicUser:
    return PublicUser(**user.public())


class SessionController(Controller):
    path = "/api"
    tags = ["auth"]

    @post("/login", status_code=200, sync_to_thread=True, security=[], opt=PUBLIC)
    def login(self, data: JSONBody[LoginRequest], request: Request, state: State) -> LoginResponse:
        limiter = state.login_limiter
        username = data.username.strip()
        keys = (f"user:{username.lower()}", f"addr:{request.client.host if request.client else ''}")
        wait = limiter.retry_after(*keys)
        if wait:
            raise ApiError(
                429,
                f"too many failed sign-ins: try again in {wait} s",
                headers={"Retry-After": str(wait)},
                retry_after=wait,
            )
        user = check_password(state.store, username, data.password)
        if user is None:
            limiter.failed(*keys)
            raise NotAuthorizedException("wrong username or password")
        limiter.succeeded(keys[0])
        token = issue_token(state.store, user, state.settings.token_days, data.device)
        return LoginResponse(token=token, user=_public(user))

    @post("/logout", status_code=200, sync_to_thread=True)
    def logout(self, request: Request, state: State) -> dict:
        revoke_token(state.store, request.user, request.auth)
        return {"detail": "signed out"}

    @get("/me", sync_to_thread=False)
    def me(self, request: Request) -> PublicUser:
        return _public(request.user)
