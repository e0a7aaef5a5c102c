"""Who a bearer token signs in: every API call asks, so answers are cached in memory.

A cached answer is used only while the auth epoch (server/people/tokens.py) is the one it was
cached under and the token has not expired: any revocation, disable, password, role or site
change, by this process or another, moves the epoch and the next request reads afresh.
"""

from __future__ import annotations

from datetime import UTC, datetime

from server.core.db import Store
from server.people import tokens
from server.people.users import User, get_user

MAX_CACHED = 10_000


def user_for_token(store: Store, token: str) -> User | None:
    """The signed-in user, or None for an unknown, expired or revoked token or a disabled user."""
    db = store.read()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    current = tokens.epoch(db)
    cache = store.memo.get("sessions")
    if cache is None or cache["epoch"] != current:
        cache = store.memo["sessions"] = {"epoch": current, "users": {}}
    key = tokens.token_hash(token)
    known = cache["users"].get(key)
    if known and known[1] > now:
        return known[0]
    row = tokens.token_row(db, token)
    if not tokens.usable(row):
        return None
    user = get_user(store, row[0])
    if user is not None:
        if len(cache["users"]) >= MAX_CACHED:
            cache["users"].clear()
        cache["users"][key] = (user, row[1])
    return user
