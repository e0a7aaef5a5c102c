"""User management for admins: list, add, and revoke every token of a user (a lost tablet)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from server.auth import requires
from server.errors import ApiError
from server.users import Role, UserError, add_user, get_user, revoke_all


class NewUser(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=4, max_length=1024)]
    role: Role
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    site_ids: list[str] | None = None
    staff_id: str | None = None


class UserRow(msgspec.Struct):
    id: int
    username: str
    name: str
    role: str
    staff_id: str | None
    site_ids: list[str] | None
    active: bool


class UsersController(Controller):
    path = "/api/users"
    tags = ["users"]
    guards = [requires("admin")]

    @get("/", sync_to_thread=True)
    def list_users(self, state: State) -> list[UserRow]:
        db = state.store.read()
        sites: dict[int, list[str]] = {}
        for row in db.query("select user_id, site_id from user_sites order by site_id"):
            sites.setdefault(row["user_id"], []).append(row["site_id"])
        return [
            UserRow(
                id=r["id"],
                username=r["username"],
                name=r["name"],
                role=r["role"],
                staff_id=r["staff_id"],
                site_ids=sites.get(r["id"]),
                active=bool(r["active"]),
            )
            for r in db.query("select * from users order by id")
        ]

    @post("/", sync_to_thread=True)
    def create_user(self, data: JSONBody[NewUser], state: State, request: Request) -> dict:
        try:
            user = add_user(
                state.store,
                data.username,
                data.password,
                data.role,
                name=data.name,
                site_ids=data.site_ids,
                staff_id=data.staff_id,
                actor=request.user.username,
            )
        except UserError as exc:
            status = 409 if "already exists" in str(exc) else 400
            raise ApiError(status, str(exc)) from None
        return user.public()

    @post("/{user_id:int}/revoke", status_code=200, sync_to_thread=True)
    def revoke(
        self,
        user_id: Annotated[int, PathParameter(ge=1, le=2**63 - 1)],
        state: State,
        request: Request,
    ) -> dict:
        user = get_user(state.store, user_id)
        if user is None:
            raise ApiError(404, f"no user {user_id}")
        return {"revoked": revoke_all(state.store, user, actor=request.user.username)}
