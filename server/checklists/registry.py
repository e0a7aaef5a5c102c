"""Published checklist versions: stored once, served for ever, never changed.

At start-up every checklists/*.yaml is published: a new id+version is stored; one already
stored must have the same content, or start-up stops with a message naming the file.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from server.checklists.format import Checklist
from server.checklists.loader import ChecklistFileError, content_hash, load_folder
from server.core import events
from server.core.db import Store


@events.kind("checklist.publish", "checklist")
class ChecklistPublished(events.Event):
    id: str
    version: int
    content_hash: str


class PublishError(RuntimeError):
    """The checklist folder cannot be published as it is; the message lists every problem."""


def publish_folder(store: Store, folder: Path) -> list[Checklist]:
    result = load_folder(folder)
    problems = [str(error) for error in result.errors]
    with store.write() as db:
        for checklist in result.checklists:
            problem = _publish(db, checklist, result.sources[(checklist.id, checklist.version)])
            if problem:
                problems.append(problem)
        if problems:
            raise PublishError("checklists refused:\n  " + "\n  ".join(problems))
    return result.checklists


def _publish(db, checklist: Checklist, source_file: str) -> str | None:
    digest = content_hash(checklist)
    key = (checklist.id, checklist.version)
    rows = list(
        db.query(
            "select content_hash, source_file from checklist_versions"
            " where checklist_id = ? and version = ?",
            key,
        )
    )
    if rows:
        if rows[0]["content_hash"] != digest:
            return (
                f"{source_file}: {checklist.id} v{checklist.version}: its content changed but"
                " its version did not; a published version never changes: give the new content"
                " version"
                f" {checklist.version + 1} (first published from {rows[0]['source_file']})"
            )
        return None
    db["checklist_versions"].insert(
        {
            "checklist_id": checklist.id,
            "version": checklist.version,
            "content_hash": digest,
            "definition": msgspec.json.encode(checklist).decode(),
            "source_file": source_file,
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    published = ChecklistPublished(id=checklist.id, version=checklist.version, content_hash=digest)
    events.append(db, "system", f"{checklist.id}/{checklist.version}", published)
    return None


def get_version(store: Store, checklist_id: str, version: int) -> Checklist | None:
    key = ("checklist", checklist_id, version)
    if key in store.memo:
        return store.memo[key]
    rows = list(
        store.read().query(
            "select definition from checklist_versions where checklist_id = ? and version = ?",
            (checklist_id, version),
        )
    )
    if not rows:
        return None
    # Published versions never change, so each is decoded once per process.
    store.memo[key] = checklist = decode_definition(rows[0]["definition"])
    return checklist


def latest_versions(store: Store) -> list[Checklist]:
    rows = store.read().query(
        "select definition from checklist_versions c where version ="
        " (select max(version) from checklist_versions where checklist_id = c.checklist_id)"
        " order by checklist_id"
    )
    return [decode_definition(row["definition"]) for row in rows]


@functools.lru_cache(maxsize=256)
def decode_definition(definition: str) -> Checklist:
    # Stored definitions never change, so decoding each once is enough.
    return msgspec.json.decode(definition, type=Checklist)


__all__ = [
    "ChecklistFileError",
    "PublishError",
    "decode_definition",
    "get_version",
    "latest_versions",
]
