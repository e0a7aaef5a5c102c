"""Bearer tokens: issued at sign-in, kept only as hashes, revoked one by one or all at once.

The auth epoch is a counter in the database that every change to tokens or users bumps, in
the same transaction. Servers cache signed-in users (server/people/sessions.py) and drop the
cache when the epoch moves, so a revocation made anywhere (another request, `genba user
disable` in another process) ends cached sessions at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from server.core import events
from server.core.db import Store


@events.kind("token.issue", "user")
class TokenIssued(events.Event):
    token: str  # the first 12 hex digits of the token's hash: which session, not the token
    device: str = ""


@events.kind("token.revoke", "user")
class TokenRevoked(events.Event):
    token: str


@events.kind("token.revoke_all", "user")
class SessionsEnded(events.Event):
    count: int | None = None  # absent in logs older than 2026-11-30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def epoch(db) -> int:
    row = db.execute("select value from counters where name = 'auth'").fetchone()
    return row[0] if row else 0


def bump_epoch(db) -> None:
    """Call inside a write: cached sessions are checked again on their next request."""
    db.execute("update counters set value = value + 1 where name = 'auth'")


def issue_token(store: Store, user_id: int, username: str, days: int, device: str = "") -> str:
    token = secrets.token_urlsafe(32)
    moment = datetime.now(UTC)
    with store.write() as db:
        db["tokens"].insert(
            {
                "token_hash": token_hash(token),
                "user_id": user_id,
                "created_at": _iso(moment),
                "expires_at": _iso(moment + timedelta(days=days)),
                "revoked_at": None,
                "device": device[:200],
            }
        )
        issued = TokenIssued(token=token_hash(token)[:12], device=device[:200])
        events.append(db, username, username, issued)
    return token


def token_row(db, token: str) -> tuple[int, str, str | None] | None:
    """(user id, expires_at, revoked_at) of a token, or None."""
    return db.execute(
        "select user_id, expires_at, revoked_at from tokens where token_hash = ?",
        [token_hash(token)],
    ).fetchone()


def usable(row, now: datetime | None = None) -> bool:
    return row is not None and not row[2] and row[1] > _iso(now or datetime.now(UTC))


def revoke_token(store: Store, username: str, token: str) -> None:
    with store.write() as db:
        db.execute(
            "update tokens set revoked_at = ? where token_hash = ? and revoked_at is null",
            [_iso(datetime.now(UTC)), token_hash(token)],
        )
        events.append(db, username, username, TokenRevoked(token=token_hash(token)[:12]))
        bump_epoch(db)


def end_sessions(db, user_id: int, actor: str, username: str) -> int:
    """Revoke every token of a user, inside the caller's write; returns how many."""
    cursor = db.execute(
        "update tokens set revoked_at = ? where user_id = ? and revoked_at is null",
        [_iso(datetime.now(UTC)), user_id],
    )
    events.append(db, actor, username, SessionsEnded(count=cursor.rowcount))
    bump_epoch(db)
    return cursor.rowcount


def revoke_all(store: Store, user_id: int, username: str, actor: str = "system") -> int:
    with store.write() as db:
        return end_sessions(db, user_id, actor, username)
