"""Users who sign in: roles, passwords (argon2), the sites they may see, and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server import events
from server.db import Store

Role = Literal["officer", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("officer", "supervisor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown name as slow as one for a known name.
_DUMMY_HASH = _hasher.hash("genba-dummy-password")


class User(msgspec.Struct):
    id: int
    username: str
    name: str
    role: Role
    staff_id: str | None = None
    # None: every site. Otherwise the only sites this user may see.
    site_ids: frozenset[str] | None = None

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def may_see_site(self, site_id: str) -> bool:
        return self.site_ids is None or site_id in self.site_ids

    def public(self) -> dict:
        return {"id": self.id, "username": self.username, "name": self.name, "role": self.role}


class UserError(ValueError):
    pass


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def validate_username(username: str) -> str:
    username = username.strip()
    if not (1 <= len(username) <= 64) or not username.replace("_", "").replace(".", "").isalnum():
        raise UserError("username must be 1-64 letters, digits, '.' or '_'")
    return username


def add_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    name: str | None = None,
    site_ids: list[str] | None = None,
    staff_id: str | None = None,
    actor: str = "system",
) -> User:
    username = validate_username(username)
    if role not in ROLE_RANK:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < 4:
        raise UserError("password must have at least 4 characters")
    password_hash = _hasher.hash(password)
    with store.write() as db:
        if db.execute("select 1 from users where username = ?", [username]).fetchone():
            raise UserError(f"user {username!r} already exists")
        if staff_id and not db.execute("select 1 from staff where id = ?", [staff_id]).fetchone():
            raise UserError(f"no staff member {staff_id!r}")
        for site_id in site_ids or []:
            if not db.execute("select 1 from sites where id = ?", [site_id]).fetchone():
                raise UserError(f"no site {site_id!r}")
        user_id = (
            db["users"]
            .insert(
                {
                    "username": username,
                    "name": name or username,
                    "role": role,
                    "password_hash": password_hash,
                    "staff_id": staff_id,
                    "active": 1,
                    "created_at": iso(now()),
                }
            )
            .last_pk
        )
        db["user_sites"].insert_all({"user_id": user_id, "site_id": s} for s in site_ids or [])
        detail = {"role": role, "site_ids": site_ids, "staff_id": staff_id}
        events.append(db, actor, "user.add", "user", username, detail)
    return get_user(store, user_id)


def get_user(store: Store, user_id: int) -> User | None:
    db = store.read()
    rows = list(db.query("select * from users where id = ? and active = 1", [user_id]))
    if not rows:
        return None
    row = rows[0]
    sites = [
        r["site_id"]
        for r in db.query("select site_id from user_sites where user_id = ?", [user_id])
    ]
    return User(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        role=row["role"],
        staff_id=row["staff_id"],
        site_ids=frozenset(sites) if sites else None,
    )


def check_password(store: Store, username: str, password: str) -> User | None:
    rows = list(
        store.read().query(
            "select id, password_hash from users where username = ? and active = 1", [username]
        )
    )
    stored = rows[0]["password_hash"] if rows else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return get_user(store, rows[0]["id"]) if rows else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(store: Store, user: User, days: int, device: str = "") -> str:
    token = secrets.token_urlsafe(32)
    moment = now()
    with store.write() as db:
        db["tokens"].insert(
            {
                "token_hash": _token_hash(token),
                "user_id": user.id,
                "created_at": iso(moment),
                "expires_at": iso(moment + timedelta(days=days)),
                "revoked_at": None,
                "device": device[:200],
            }
        )
        detail = {"token": _token_hash(token)[:12], "device": device[:200]}
        events.append(db, user.username, "token.issue", "user", user.username, detail)
    return token


def user_for_token(store: Store, token: str) -> User | None:
    """The signed-in user, or None. Every API call asks, so answers are kept in memory until
    the token expires or any token is revoked in this process (the only writer)."""
    key = _token_hash(token)
    sessions = store.memo.setdefault("sessions", {})
    known = sessions.get(key)
    if known and known[1] > iso(now()):
        return known[0]
    row = (
        store.read()
        .execute("select user_id, expires_at, revoked_at from tokens where token_hash = ?", [key])
        .fetchone()
    )
    if row is None or row[2] or row[1] <= iso(now()):
        return None
    user = get_user(store, row[0])
    if user is not None:
        if len(sessions) > 10_000:
            sessions.clear()
        sessions[key] = (user, row[1])
    return user


def _forget_sessions(store: Store) -> None:
    store.memo.pop("sessions", None)


def revoke_token(store: Store, user: User, token: str) -> None:
    with store.write() as db:
        db.execute(
            "update tokens set revoked_at = ? where token_hash = ? and revoked_at is null",
            [iso(now()), _token_hash(token)],
        )
        detail = {"token": _token_hash(token)[:12]}
        events.append(db, user.username, "token.revoke", "user", user.username, detail)
    _forget_sessions(store)


def revoke_all(store: Store, user: User, actor: str = "system") -> int:
    with store.write() as db:
        cursor = db.execute(
            "update tokens set revoked_at = ? where user_id = ? and revoked_at is null",
            [iso(now()), user.id],
        )
        events.append(db, actor, "token.revoke_all", "user", user.username, {})
    _forget_sessions(store)
    return cursor.rowcount
