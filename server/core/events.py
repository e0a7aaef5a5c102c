"""The event log: an append-only record of every write, each row chained to the one before.

A row's hash covers its own fields and the previous row's hash, so changing, removing or
inserting a row anywhere breaks the chain from there on; `genba verify` walks it. Events are
appended inside the same transaction as the write they record.

What an event records is a typed `Event`: each kind is a msgspec Struct registered under its
action (`@kind("audit.review", "audit")`) next to the code that writes it, so its shape is
written down once and `genba verify` reads it back typed. Fields added to a kind later have
defaults, so older rows still decode.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import ClassVar

import msgspec
from sqlite_utils import Database

from server.core.db import insert_row

GENESIS = "0" * 64


def _digest(prev_hash: str, row: dict) -> str:
    fields = [row["seq"], row["at"], row["actor"], row["action"], row["entity"], row["entity_id"]]
    payload = json.dumps([prev_hash, *fields, row["detail"]], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


class Event(msgspec.Struct, kw_only=True):
    """The detail of one kind of event; `action` and `entity` come from `@kind`."""

    action: ClassVar[str]
    entity: ClassVar[str]


KINDS: dict[str, type[Event]] = {}


def kind(action: str, entity: str):
    """Register an Event class as the shape of `action` events about an `entity`."""

    def register(cls: type[Event]) -> type[Event]:
        cls.action, cls.entity = action, entity
        KINDS[action] = cls
        return cls

    return register


def decode(row: dict) -> Event | None:
    """A logged event's detail as its kind's Struct; None for an action no kind claims."""
    cls = KINDS.get(row["action"])
    return None if cls is None else msgspec.json.decode(row["detail"], type=cls)


def append(db: Database, actor: str, entity_id: str, event: Event) -> int:
    """Append one event; call inside `store.write()` so it commits with the change it records."""
    action, entity, detail = event.action, event.entity, msgspec.to_builtins(event)
    last = db.execute("select seq, hash from events order by seq desc limit 1").fetchone()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    row = {
        "seq": seq,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
        "prev_hash": prev_hash,
    }
    row["hash"] = _digest(prev_hash, row)
    insert_row(db, "events", row)
    return seq


def last_seq(db: Database) -> int:
    row = db.execute("select max(seq) from events").fetchone()
    return row[0] or 0


def chain_problems(rows: Iterable[dict]) -> list[str]:
    """Every place where the chain is broken: a gap, a wrong link or a row changed since."""
    problems: list[str] = []
    prev_hash, expected_seq = GENESIS, 1
    for row in rows:
        if row["seq"] != expected_seq:
            problems.append(f"event {expected_seq}: missing (next is {row['seq']})")
        if row["prev_hash"] != prev_hash:
            problems.append(f"event {row['seq']}: does not link to the event before it")
        if _digest(row["prev_hash"], row) != row["hash"]:
            problems.append(f"event {row['seq']}: its content does not match its hash")
        prev_hash, expected_seq = row["hash"], row["seq"] + 1
    return problems
