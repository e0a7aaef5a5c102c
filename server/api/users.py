"""User management for admins: list, add, change (disable, password, role, sites, staff member)
and revoke every token of a user (a lost tablet)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from server.api.auth import requires
from server.api.docs import errors_for
from server.core.errors import NotFound
from server.people import tokens
from server.people.users import (
    Role,
    SiteIds,
    UserChange,
    add_user,
    change_user,
    get_user,
    list_users,
)

UserId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]


class NewUser(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=4, max_length=1024)]
    role: Role
    name: Annotated[str, msgspec.Meta(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")] | None = None
    # None: every site; otherwise at least one site (an empty list is refused).
    site_ids: SiteIds | None = None
    staff_id: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class UserRow(msgspec.Struct):
    id: int
    username: str
    name: str
    role: str
    staff_id: str | None
    site_ids: list[str] | None
    active: bool


class ChangedUser(UserRow):
    sessions_ended: int


class UsersController(Controller):
    path = "/api/users"
    tags = ["users"]
    guards = [requires("admin")]

    @get("/", sync_to_thread=True)
    def list_users(self, state: State) -> list[UserRow]:
        return [UserRow(**row) for row in list_users(state.store)]

    @post("/", sync_to_thread=True, responses=errors_for(400, 403, 409, 422))
    def create_user(self, data: JSONBody[NewUser], state: State, request: Request) -> UserRow:
        user = add_user(
            state.store,
            state.passwords,
            data.username,
            data.password,
            data.role,
            name=data.name,
            site_ids=data.site_ids,
            staff_id=data.staff_id,
            actor=request.user.username,
        )
        return UserRow(**list_users(state.store, user.id)[0])

    @patch("/{user_id:int}", sync_to_thread=True, responses=errors_for(400, 403, 404, 422))
    def change_user(
        self, user_id: UserId, data: JSONBody[UserChange], state: State, request: Request
    ) -> ChangedUser:
        """Only the fields sent change; `site_ids: null` makes the user see every site.
        Disabling a user or setting their password ends all their sessions at once."""
        row, ended = change_user(state.store, state.passwords, user_id, data, request.user.username)
        return ChangedUser(**row, sessions_ended=ended)

    @post("/{user_id:int}/revoke", status_code=200, sync_to_thread=True)
    def revoke(self, user_id: UserId, state: State, request: Request) -> dict:
        user = get_user(state.store, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}")
        ended = tokens.revoke_all(state.store, user.id, user.username, request.user.username)
        return {"revoked": ended}
