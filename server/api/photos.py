"""Photos by content hash: PUT uploads, HEAD asks whether the server has one, GET serves it.

The id is the sha256 of the uploaded bytes, so a device can upload the same photo again and
again (200 after the first 201) and the files never change: GET answers may be cached for ever.
Pillow never runs on the event loop: the body is read here, the work runs in a worker thread.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from litestar import Controller, Request, Response, get, head, put
from litestar.datastructures import ETag, State
from litestar.exceptions import InternalServerException
from litestar.params import FromPath, FromQuery
from litestar.response import File

from server.errors import ApiError
from server.photos import PhotoError, PhotoFiles, may_see_photo, photo_row, save_photo, valid_sha256
from server.users import User

log = logging.getLogger("genba")

IMMUTABLE = {
    "Cache-Control": "private, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


def _check_id(sha256: str) -> None:
    if not valid_sha256(sha256):
        shown = sha256 if len(sha256) <= 80 else sha256[:80] + "..."
        raise ApiError(
            400, f"photo id {shown!r} is not a sha256: 64 lowercase hex digits", sha256=shown
        )


async def _read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it is known to exceed `limit` bytes."""
    too_big = f"photo larger than the {limit:,} bytes accepted"
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, f"bad Content-Length {declared[:40]!r}")
        if int(declared) > limit:
            raise ApiError(413, too_big, max_bytes=limit)
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in request.stream():  # counted here: chunked bodies declare no length
            total += len(chunk)
            if total > limit:
                raise ApiError(413, too_big, max_bytes=limit)
            chunks.append(chunk)
    except InternalServerException:
        log.info("photo upload %s interrupted after %d bytes", request.url.path, total)
        raise ApiError(400, "upload interrupted before the whole body arrived") from None
    return b"".join(chunks)


def _intake_limiter(state: State) -> anyio.CapacityLimiter:
    """At most two photos decoded at once: a 40 MP decode takes hundreds of MB of memory."""
    if "photo_limiter" not in state:
        state.photo_limiter = anyio.CapacityLimiter(2)
    return state.photo_limiter


def _visible_row(state: State, user: User, sha256: str) -> dict:
    _check_id(sha256)
    if not may_see_photo(state.store, user, sha256):
        # 404, not 403: whether a photo exists is itself not for everyone to learn.
        raise ApiError(404, f"no photo {sha256}")
    return photo_row(state.store, sha256)


class PhotoController(Controller):
    path = "/api/photos"
    tags = ["photos"]

    # The limit is settings.max_photo_bytes, counted in _read_body, not the app-wide body limit.
    @put("/{sha256:str}", status_code=201, request_max_body_size=None)
    async def put_photo(
        self, request: Request, state: State, sha256: FromPath[str]
    ) -> Response[dict]:
        """Upload the image bytes (JPEG, PNG or WebP) under the sha256 of those bytes."""
        _check_id(sha256)
        settings = state.settings
        data = await _read_body(request, settings.max_photo_bytes)
        files = PhotoFiles(settings.photos_dir)
        user = request.user

        def work() -> tuple[bool, dict]:
            created = save_photo(state.store, files, user, sha256, data, settings.max_photo_pixels)
            return created, photo_row(state.store, sha256)

        try:
            created, row = await anyio.to_thread.run_sync(work, limiter=_intake_limiter(state))
        except PhotoError as exc:
            raise ApiError(exc.status, exc.message, sha256=sha256) from None
        body = {
            "sha256": sha256,
            "created": created,
            **{k: row[k] for k in ("content_type", "width", "height", "bytes", "stored_sha256")},
        }
        return Response(body, status_code=201 if created else 200)

    @head("/{sha256:str}", sync_to_thread=True)
    def has_photo(
        self,
        request: Request,
        state: State,
        sha256: FromPath[str],
        size: FromQuery[str | None] = None,
    ) -> File:
        """200 with GET's headers when the server has the photo and the caller may see it."""
        return _photo_file(state, request.user, sha256, size)

    # Images are compressed already: gzip would only burn CPU and drop Content-Length.
    @get("/{sha256:str}", sync_to_thread=True, opt={"skip_compression": True})
    def get_photo(
        self,
        request: Request,
        state: State,
        sha256: FromPath[str],
        size: FromQuery[str | None] = None,
    ) -> File:
        """The sanitized photo; `?size=thumb` for a JPEG of at most 320 px on the long edge."""
        return _photo_file(state, request.user, sha256, size)


def _photo_file(state: State, user: User, sha256: str, size: str | None) -> File:
    row = _visible_row(state, user, sha256)
    if size not in (None, "full", "thumb"):
        raise ApiError(400, f"size must be 'thumb' or 'full', not {size[:40]!r}")
    files = PhotoFiles(state.settings.photos_dir)
    if size == "thumb":
        path, media_type, etag = files.thumb_path(sha256), "image/jpeg", row["thumb_sha256"]
    else:
        path = files.path(sha256, row["content_type"])
        media_type, etag = row["content_type"], row["stored_sha256"]
    if not path.is_file():
        raise ApiError(404, f"photo {sha256} is recorded but its file is missing")
    # For HEAD, File sends the same headers (length, type, ETag) without the body.
    return File(
        path,
        media_type=media_type,
        content_disposition_type="inline",
        filename=path.name,
        etag=ETag(value=etag),
        headers=IMMUTABLE,
    )
