"""Photos by content hash: PUT uploads, HEAD asks whether the server has one, GET serves it.

The id is the sha256 of the uploaded bytes, so a device can upload the same photo again and
again (200 after the first 201) and the files never change. GET answers are `no-store` all the
same: on a shared tablet a photo must not outlive the sign-out in the browser's HTTP cache
(the PWA keeps what it needs offline itself). Pillow never runs on the event loop: the body is read
here, the work runs in a worker thread.
Who may read a photo is server/access.py's rule; a photo the caller may not read is a 404,
exactly like one the server does not have.
"""

from __future__ import annotations

import logging
import os
from typing import Annotated

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, head, put
from litestar.datastructures import ETag, State
from litestar.exceptions import InternalServerException
from litestar.params import FromQuery, PathParameter
from litestar.response import File

from server.access import reads_photo
from server.api.docs import errors_for
from server.core.errors import DomainError, Malformed, NotFound, TooLarge
from server.people.users import User
from server.photos.files import PhotoFiles, valid_sha256
from server.photos.store import photo_row, store_photo

log = logging.getLogger("genba")

# The ETag (the stored file's sha256) stays: a client may still ask If-None-Match itself.
PHOTO_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
}
# Photo PUTs in worker threads at once: two per core, so that while one upload's files are
# fsynced or its row waits for the write lock, another is decoded. The image work itself runs
# one per core (server/photos/images.py, IMAGE_WORKERS) and its memory is bounded by the
# pixels decoded at once (DECODES), not by this count.
INTAKE_THREADS = 2 * (os.cpu_count() or 1)
PhotoId = Annotated[
    str,
    PathParameter(
        description="sha256 of the image bytes: 64 lowercase hex digits",
        schema_extra={"pattern": "^[0-9a-f]{64}$", "minLength": 64, "maxLength": 64},
    ),
]


class StoredPhoto(msgspec.Struct):
    sha256: str
    created: bool
    content_type: str
    width: int
    height: int
    bytes: int
    stored_sha256: str


def _check_id(sha256: str) -> None:
    if not valid_sha256(sha256):
        shown = sha256 if len(sha256) <= 80 else sha256[:80] + "..."
        raise Malformed(
            f"photo id {shown!r} is not a sha256: 64 lowercase hex digits", sha256=shown
        )


async def read_body(request: Request, limit: int, what: str = "photo") -> bytes:
    """The whole body, refused as too large as soon as it is known to exceed `limit` bytes."""
    too_big = f"{what} larger than the {limit:,} bytes accepted"
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Malformed(f"bad Content-Length {declared[:40]!r}")
        if int(declared) > limit:
            raise TooLarge(too_big, max_bytes=limit)
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in request.stream():  # counted here: chunked bodies declare no length
            total += len(chunk)
            if total > limit:
                raise TooLarge(too_big, max_bytes=limit)
            chunks.append(chunk)
    except InternalServerException:
        log.info("photo upload %s interrupted after %d bytes", request.url.path, total)
        raise Malformed("upload interrupted before the whole body arrived") from None
    return b"".join(chunks)


def _intake_limiter(state: State) -> anyio.CapacityLimiter:
    """Photo PUTs in worker threads at once: INTAKE_THREADS (their own limiter, so uploads
    never take all of the default thread pool from the other routes)."""
    if "photo_limiter" not in state:
        state.photo_limiter = anyio.CapacityLimiter(INTAKE_THREADS)
    return state.photo_limiter


def _visible_row(state: State, user: User, sha256: str) -> dict:
    _check_id(sha256)
    db = state.store.read()
    row = photo_row(db, sha256)
    if row is None or not reads_photo(db, user, sha256):
        raise NotFound(f"no photo {sha256}")
    return row


class PhotoController(Controller):
    path = "/api/photos"
    tags = ["photos"]

    # The limit is settings.max_photo_bytes, counted in read_body, not the app-wide body limit.
    @put(
        "/{sha256:str}",
        status_code=201,
        request_max_body_size=None,
        responses=errors_for(400, 413, 415, 422),
    )
    async def put_photo(
        self, request: Request, state: State, sha256: PhotoId
    ) -> Response[StoredPhoto]:
        """Upload the image bytes (JPEG, PNG or WebP) under the sha256 of those bytes."""
        _check_id(sha256)
        settings = state.settings
        data = await read_body(request, settings.max_photo_bytes)
        files = PhotoFiles(settings.photos_dir)
        user = request.user

        def work() -> tuple[bool, dict]:
            return store_photo(state.store, files, user, sha256, data, settings.max_photo_pixels)

        try:
            created, row = await anyio.to_thread.run_sync(work, limiter=_intake_limiter(state))
        except DomainError as exc:
            exc.fields.setdefault("sha256", sha256)
            raise
        fields = ("content_type", "width", "height", "bytes", "stored_sha256")
        body = StoredPhoto(sha256=sha256, created=created, **{k: row[k] for k in fields})
        return Response(body, status_code=201 if created else 200)

    @head("/{sha256:str}", sync_to_thread=True)
    def has_photo(
        self,
        request: Request,
        state: State,
        sha256: PhotoId,
        size: FromQuery[str | None] = None,
    ) -> File:
        """200 with GET's headers when the server has the photo and the caller may read it."""
        return _photo_file(state, request.user, sha256, size)

    # Images are compressed already: gzip would only burn CPU and drop Content-Length.
    @get(
        "/{sha256:str}",
        sync_to_thread=True,
        opt={"skip_compression": True},
        responses=errors_for(400, 404),
    )
    def get_photo(
        self,
        request: Request,
        state: State,
        sha256: PhotoId,
        size: FromQuery[str | None] = None,
    ) -> File:
        """The sanitized photo; `?size=thumb` for a JPEG of at most 320 px on the long edge."""
        return _photo_file(state, request.user, sha256, size)


def _photo_file(state: State, user: User, sha256: str, size: str | None) -> File:
    row = _visible_row(state, user, sha256)
    if size not in (None, "full", "thumb"):
        raise Malformed(f"size must be 'thumb' or 'full', not {size[:40]!r}")
    files = PhotoFiles(state.settings.photos_dir)
    if size == "thumb":
        path, media_type, etag = files.thumb_path(sha256), "image/jpeg", row["thumb_sha256"]
    else:
        path = files.path(sha256, row["content_type"])
        media_type, etag = row["content_type"], row["stored_sha256"]
    if not path.is_file():
        raise NotFound(f"photo {sha256} is recorded but its file is missing")
    # For HEAD, File sends the same headers (length, type, ETag) without the body.
    return File(
        path,
        media_type=media_type,
        content_disposition_type="inline",
        filename=path.name,
        etag=ETag(value=etag),
        headers=PHOTO_HEADERS,
    )
