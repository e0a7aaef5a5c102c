"""Users who sign in: roles, passwords (argon2), the sites they may see, their staff member.

Nothing is deleted: a user leaving is disabled (`active: false`), so old audits keep their
names. Every change goes to the event log; changes that affect what a signed-in device may do
(disable, password, role, sites, staff member) end the user's sessions or refresh them at once
(server/people/sessions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from msgspec import Meta

from server.core import events
from server.core.db import Store
from server.core.errors import Conflict, Invalid, NotFound
from server.people import tokens

Role = Literal["officer", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("officer", "supervisor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 4


class User(msgspec.Struct, frozen=True):
    id: int
    username: str
    name: str
    role: Role
    staff_id: str | None = None
    # None: every site. Otherwise the only sites this user may see (server/access.py).
    site_ids: frozenset[str] | None = None

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def public(self) -> dict:
        """What a device is told about its user: who they are, their role, the staff member
        they are (so a tablet knows which actions are theirs) and their sites (None: all)."""
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "role": self.role,
            "staff_id": self.staff_id,
            "site_ids": sorted(self.site_ids) if self.site_ids is not None else None,
        }


class Passwords:
    """argon2id hashing at a cost from the settings.

    "standard" is argon2-cffi's default (about 50-200 ms a check); "test" is for test suites
    only, where hundreds of users are made and signed in. A hash records its own cost, so
    either checks any stored hash.
    """

    COSTS = {
        "standard": {},
        "test": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    }

    def __init__(self, cost: str = "standard"):
        self._hasher = PasswordHasher(**self.COSTS[cost])
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        # With no stored hash, check against a dummy: an unknown name costs as much as a
        # known one, so timing does not tell which names exist.
        if stored is None:
            self._dummy = self._dummy or self._hasher.hash("genba-dummy-password")
            stored = self._dummy
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def validate_username(username: str) -> str:
    username = username.strip()
    if not (1 <= len(username) <= 64) or not username.replace("_", "").replace(".", "").isalnum():
        raise Invalid("username must be 1-64 letters, digits, '.' or '_'")
    return username


def _check_role(role: str) -> None:
    if role not in ROLE_RANK:
        raise Invalid(f"role must be one of {', '.join(ROLES)}, not {role!r}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"password must have at least {MIN_PASSWORD} characters")


def _check_refs(db, site_ids: list[str] | None, staff_id: str | None) -> None:
    if site_ids is not None and not site_ids:
        raise Invalid(
            "site_ids cannot be empty: list the sites this user may see, or null for every site"
        )
    for site_id in site_ids or []:
        if not db.execute("select 1 from sites where id = ?", [site_id]).fetchone():
            raise Invalid(f"no site {site_id!r}")
    if staff_id and not db.execute("select 1 from staff where id = ?", [staff_id]).fetchone():
        raise Invalid(f"no staff member {staff_id!r}")


def add_user(
    store: Store,
    passwords: Passwords,
    username: str,
    password: str,
    role: str,
    name: str | None = None,
    site_ids: list[str] | None = None,
    staff_id: str | None = None,
    actor: str = "system",
) -> User:
    username = validate_username(username)
    _check_role(role)
    _check_password(password)
    password_hash = passwords.hash(password)
    with store.write() as db:
        if db.execute("select 1 from users where username = ?", [username]).fetchone():
            raise Conflict(f"user {username!r} already exists")
        _check_refs(db, site_ids, staff_id)
        row = {
            "username": username,
            "name": name or username,
            "role": role,
            "password_hash": password_hash,
            "staff_id": staff_id,
            "active": 1,
            "created_at": now_iso(),
        }
        user_id = db["users"].insert(row).last_pk
        _set_sites(db, user_id, site_ids)
        added = UserAdded(role=role, site_ids=site_ids, staff_id=staff_id, name=row["name"])
        events.append(db, actor, username, added)
    return get_user(store, user_id)


SiteIds = Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=500)]


class UserChange(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What PATCH /api/users/{id} may change; fields left out stay as they are."""

    active: bool | None = None
    role: Role | None = None
    # Left out: unchanged; null: every site; a list: only these sites (never empty).
    site_ids: SiteIds | None | msgspec.UnsetType = msgspec.UNSET
    password: Annotated[str, Meta(min_length=MIN_PASSWORD, max_length=1024)] | None = None
    staff_id: Annotated[str, Meta(max_length=64)] | None | msgspec.UnsetType = msgspec.UNSET
    name: (
        Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")] | None
    ) = None


@events.kind("user.add", "user")
class UserAdded(events.Event):
    role: str
    site_ids: list[str] | None = None
    staff_id: str | None = None
    name: str | None = None


@events.kind("user.change", "user")
class UserChanged(events.Event, omit_defaults=True):
    """What changed; a new password is recorded as set, never its text."""

    active: bool | None = None
    role: str | None = None
    site_ids: list[str] | None | msgspec.UnsetType = msgspec.UNSET
    staff_id: str | None | msgspec.UnsetType = msgspec.UNSET
    name: str | None = None
    password_set: bool = False

    @classmethod
    def of(cls, change: UserChange) -> UserChanged:
        fields = msgspec.structs.asdict(change)
        return cls(
            **{k: v for k, v in fields.items() if k != "password"},
            password_set=bool(change.password),
        )


def _set_sites(db, user_id: int, site_ids: list[str] | None) -> None:
    db.execute("delete from user_sites where user_id = ?", [user_id])
    db.conn.executemany(
        "insert into user_sites (user_id, site_id) values (?, ?)",
        [(user_id, site_id) for site_id in dict.fromkeys(site_ids or [])],
    )


def change_user(
    store: Store, passwords: Passwords, user_id: int, change: UserChange, actor: str
) -> tuple[dict, int]:
    """Apply a change; returns (the user's row as listed, how many sessions it ended).

    Disabling a user or setting their password ends every session of theirs in the same
    transaction; the other changes take effect on their next request.
    """
    if change.role is not None:
        _check_role(change.role)
    if change.password is not None:
        _check_password(change.password)
    password_hash = passwords.hash(change.password) if change.password is not None else None
    with store.write() as db:
        row = db.execute("select username from users where id = ?", [user_id]).fetchone()
        if row is None:
            raise NotFound(f"no user {user_id}")
        fields: dict = {}
        if change.active is not None:
            fields["active"] = int(change.active)
        if change.role is not None:
            fields["role"] = change.role
        if change.name is not None:
            fields["name"] = change.name
        if password_hash is not None:
            fields["password_hash"] = password_hash
        if change.staff_id is not msgspec.UNSET:
            _check_refs(db, None, change.staff_id)
            fields["staff_id"] = change.staff_id
        if change.site_ids is not msgspec.UNSET:
            _check_refs(db, change.site_ids, None)
            _set_sites(db, user_id, change.site_ids)
        if fields:
            assignments = ", ".join(f"{k} = ?" for k in fields)
            db.execute(f"update users set {assignments} where id = ?", [*fields.values(), user_id])
        events.append(db, actor, row[0], UserChanged.of(change))
        ended = 0
        if change.active is False or change.password is not None:
            ended = tokens.end_sessions(db, user_id, actor, row[0])
        # Every device's cached view of this user (role, sites) is stale now.
        tokens.bump_epoch(db)
    return list_users(store, user_id)[0], ended


def _user(row: dict, sites: list[str]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        role=row["role"],
        staff_id=row["staff_id"],
        site_ids=frozenset(sites) if sites else None,
    )


def _sites_of(db, user_id: int) -> list[str]:
    return [r[0] for r in db.execute("select site_id from user_sites where user_id = ?", [user_id])]


def get_user(store: Store, user_id: int) -> User | None:
    """An active user by id; None for unknown and disabled users."""
    db = store.read()
    rows = list(db.query("select * from users where id = ? and active = 1", [user_id]))
    return _user(rows[0], _sites_of(db, user_id)) if rows else None


def user_id_by_name(store: Store, username: str) -> int:
    row = store.read().execute("select id from users where username = ?", [username]).fetchone()
    if row is None:
        raise NotFound(f"no user {username!r}")
    return row[0]


def check_password(store: Store, passwords: Passwords, username: str, password: str) -> User | None:
    rows = list(
        store.read().query(
            "select id, password_hash from users where username = ? and active = 1", [username]
        )
    )
    stored = rows[0]["password_hash"] if rows else None
    if not passwords.verify(stored, password) or not rows:
        return None
    return get_user(store, rows[0]["id"])


def list_users(store: Store, user_id: int | None = None) -> list[dict]:
    """Users as admins see them (no password hashes), all or one."""
    db = store.read()
    sites: dict[int, list[str]] = {}
    for row in db.query("select user_id, site_id from user_sites order by site_id"):
        sites.setdefault(row["user_id"], []).append(row["site_id"])
    where, params = ("where id = ?", [user_id]) if user_id is not None else ("", [])
    return [
        {
            "id": r["id"],
            "username": r["username"],
            "name": r["name"],
            "role": r["role"],
            "staff_id": r["staff_id"],
            "site_ids": sites.get(r["id"]),
            "active": bool(r["active"]),
        }
        for r in db.query(f"select * from users {where} order by id", params)
    ]
