"""Photos in the database: a row per photo, and the users who hold it.

A photo's id is the sha256 of the bytes the device sent. `save_photo()` checks the bytes
against the id, sanitizes them (server/photos/images.py), writes the files
(server/photos/files.py) and then records the row, its holder and the event, so a crash in
between leaves an unreferenced file, never a row pointing at nothing.

Whoever uploads the bytes holds the photo, also when the server had them already: sending the
very bytes proves the sender has the picture. Who may read a photo is server/access.py's rule.
"""

from __future__ import annotations

import errno
import hashlib
from datetime import UTC, datetime

from server.access import holds_photo
from server.core import events
from server.core.db import Store, insert_row
from server.core.errors import Malformed, StorageFull, Unsupported
from server.people.users import User
from server.photos.files import PhotoFiles
from server.photos.images import process


@events.kind("photo.put", "photo")
class PhotoStored(events.Event):
    """A new photo's sanitized copy and thumbnail, by hash (older logs: stored_sha256 only)."""

    stored_sha256: str
    thumb_sha256: str | None = None
    content_type: str | None = None


@events.kind("photo.hold", "photo")
class PhotoHeld(events.Event):
    """A user holds a photo: `via` is "upload" or "audit:<id>" (read through an earlier one)."""

    user_id: int
    via: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def photo_row(db, sha: str) -> dict | None:
    rows = list(db.query("select * from photos where sha256 = ?", [sha]))
    return rows[0] if rows else None


def add_holder(db, user: User, sha: str, via: str) -> None:
    """Record (inside a write) that `user` holds the photo; once per user and photo."""
    if holds_photo(db, user.id, sha):
        return
    db.execute(
        "insert into photo_holders (sha256, user_id, at, via) values (?, ?, ?, ?)",
        [sha, user.id, _now(), via],
    )
    events.append(db, user.username, sha, PhotoHeld(user_id=user.id, via=via))


def save_photo(
    store: Store, files: PhotoFiles, user: User, sha: str, data: bytes, max_pixels: int
) -> bool:
    """Check, sanitize and keep an upload; True when new, False when it was already here."""
    return store_photo(store, files, user, sha, data, max_pixels)[0]


def store_photo(
    store: Store, files: PhotoFiles, user: User, sha: str, data: bytes, max_pixels: int
) -> tuple[bool, dict]:
    """save_photo(), also returning the photo's row.

    Only the few statements that record the photo hold the database's write lock (which the
    audit PUTs on the event loop wait for): the image work, the hashes and the files' writes
    and fsyncs all happen before it is taken.
    """
    if not data:
        raise Unsupported("empty body: send the image bytes")
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise Malformed(f"the body's sha256 is {actual}, not the id in the path {sha}")
    if (row := photo_row(store.read(), sha)) is not None:
        if not holds_photo(store.read(), user.id, sha):
            with store.write() as db:
                add_holder(db, user, sha, "upload")
        return False, row
    photo = process(data, max_pixels)
    try:
        files.put(sha, photo.content_type, photo.data, photo.thumb)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull("the server's disk is full: photo not stored, retry later") from None
        raise
    # A JPEG with no metadata to cut out is kept byte for byte: its hash is the one checked.
    stored_sha = sha if photo.data == data else hashlib.sha256(photo.data).hexdigest()
    thumb_sha = hashlib.sha256(photo.thumb).hexdigest()
    row = {
        "sha256": sha,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "bytes": len(photo.data),
        "stored_sha256": stored_sha,
        "thumb_sha256": thumb_sha,
        "uploaded_by": user.id,
        "uploaded_at": _now(),
    }
    stored = PhotoStored(
        stored_sha256=stored_sha, thumb_sha256=thumb_sha, content_type=photo.content_type
    )
    with store.write() as db:
        if (earlier := photo_row(db, sha)) is not None:
            # The same photo arrived twice at once; the other upload recorded it.
            add_holder(db, user, sha, "upload")
            return False, earlier
        insert_row(db, "photos", row)
        events.append(db, user.username, sha, stored)
        add_holder(db, user, sha, "upload")
    return True, row
