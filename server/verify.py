"""`genba verify`: is the data dir whole and untampered?

Checks SQLite's own integrity, the event chain, that every audit revision still hashes to
what the event log recorded, that every stored score is what the scorer gives for the stored
answers, and that every photo file exists and matches its recorded hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import msgspec

from server import events
from server.checklists.registry import get_version
from server.db import Store
from server.photos import PhotoFiles
from server.places import get_zone
from server.scoring import Answer, score_audit
from server.settings import Settings


def problems(store: Store, settings: Settings) -> list[str]:
    db = store.read()
    found = list(_database(db))
    found += events.chain_problems(db.query("select * from events order by seq"))
    found += list(_revisions(db))
    found += list(_audits(store, db))
    found += list(_photos(db, PhotoFiles(settings.photos_dir)))
    return found


def _database(db) -> Iterator[str]:
    result = [row[0] for row in db.execute("pragma integrity_check")]
    if result != ["ok"]:
        yield "database integrity: " + "; ".join(result[:5])
    for row in db.execute("pragma foreign_key_check"):
        yield f"database: row {row[1]} of {row[0]} points at a missing {row[2]}"


def _logged_revisions(db) -> dict[tuple[str, int], str]:
    logged = {}
    for row in db.query(
        "select entity_id, detail from events where action in ('audit.create', 'audit.revise')"
    ):
        detail = json.loads(row["detail"])
        logged[(row["entity_id"], detail["revision"])] = detail["content_hash"]
    return logged


def _revisions(db) -> Iterator[str]:
    logged = _logged_revisions(db)
    for row in db.query("select audit_id, revision, content_hash, body from audit_revisions"):
        where = f"audit {row['audit_id']} revision {row['revision']}"
        if hashlib.sha256(row["body"].encode()).hexdigest() != row["content_hash"]:
            yield f"{where}: its body does not match its hash"
        if logged.pop((row["audit_id"], row["revision"]), None) != row["content_hash"]:
            yield f"{where}: not the revision the event log recorded"
    for audit_id, revision in logged:
        yield f"audit {audit_id} revision {revision}: in the event log but not stored"


def _audits(store: Store, db) -> Iterator[str]:
    latest = {
        (r["audit_id"]): r
        for r in db.query(
            "select r.* from audit_revisions r join (select audit_id, max(revision) m"
            " from audit_revisions group by audit_id) l"
            " on r.audit_id = l.audit_id and r.revision = l.m"
        )
    }
    for row in db.query("select * from audits"):
        where = f"audit {row['id']}"
        revision = latest.get(row["id"])
        if revision is None or revision["revision"] != row["revision"]:
            yield f"{where}: its latest revision is missing"
            continue
        if (revision["body"], revision["content_hash"]) != (row["body"], row["content_hash"]):
            yield f"{where}: differs from its latest revision"
        if _rescore(store, row) != json.loads(row["score"]):
            yield f"{where}: stored score differs from the score of its answers"


def _rescore(store: Store, row: dict) -> dict | None:
    body = json.loads(row["body"])
    checklist = get_version(store, body["checklist_id"], body["checklist_version"])
    zone = get_zone(store, body["zone_id"])
    if checklist is None or zone is None:
        return None
    answers = {k: msgspec.convert(v, Answer) for k, v in body["answers"].items()}
    return msgspec.to_builtins(score_audit(checklist, answers, zone.kind))


def _photos(db, files: PhotoFiles) -> Iterator[str]:
    for row in db.query("select sha256, content_type, stored_sha256, thumb_sha256 from photos"):
        sha, kind = row["sha256"], row["content_type"]
        for path, expected in [
            (files.path(sha, kind), row["stored_sha256"]),
            (files.thumb_path(sha), row["thumb_sha256"]),
        ]:
            if not path.is_file():
                yield f"photo {sha}: file {path.name} is missing"
            elif hashlib.sha256(path.read_bytes()).hexdigest() != expected:
                yield f"photo {sha}: file {path.name} does not match its recorded hash"
