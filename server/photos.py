"""Photos: checking and sanitizing an upload, storing it by hash, and who may see it.

No web framework here: `process()` turns uploaded bytes into a clean copy and a thumbnail,
`PhotoFiles` keeps them on disk, `save_photo()` does both and records the row and its event,
`may_see_photo()` answers the access question. Every refusal is a `PhotoError(status, message)`.

A photo's id is the sha256 of the bytes the device sent. What the server keeps is a re-encoded
copy (upright, no EXIF/GPS/ICC/XMP/text) at photos_dir/ab/<sha>.<ext>, with a JPEG thumbnail
at photos_dir/ab/<sha>.thumb.jpg. Files are written first and the row second, so a crash in
between leaves an unreferenced file, never a row pointing at nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from PIL import Image, ImageOps

from server import events
from server.db import Store
from server.users import User

SHA256 = re.compile(r"^[0-9a-f]{64}$")
THUMB_EDGE = 320
ORIENTATION_TAG = 0x0112
JPEG_QUALITY = 88
THUMB_QUALITY = 80

# content type -> (Pillow format, file extension)
FORMATS = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
}
PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


class PhotoError(Exception):
    """A refusal with the HTTP status it maps to."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class ProcessedPhoto(msgspec.Struct, frozen=True):
    content_type: str
    width: int
    height: int
    data: bytes  # the sanitized copy
    thumb: bytes  # JPEG, long edge at most THUMB_EDGE


def valid_sha256(value: str) -> bool:
    return bool(SHA256.match(value))


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes say, among the allowed ones; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def process(data: bytes, max_pixels: int) -> ProcessedPhoto:
    """Check, decode and re-encode an upload; refuse bombs before decoding their pixels."""
    content_type = sniff(data)
    if content_type is None:
        raise PhotoError(415, "not a JPEG, PNG or WebP image (judged by its content)")
    pil_format = FORMATS[content_type][0]
    try:
        # Image.open reads the header only; restricting the plugin keeps it to the sniffed type.
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise PhotoError(
                    422,
                    f"image is {width}x{height} pixels; at most {max_pixels:,} pixels are accepted",
                )
            image.load()  # a truncated file raises here (LOAD_TRUNCATED_IMAGES stays off)
            upright = _upright(image)
            thumb = _thumbnail(upright)
            clean = _encode(upright, pil_format)  # last: it clears upright.info
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError(422, f"image refused as a decompression bomb: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        # UnidentifiedImageError is an OSError; truncated and corrupt files land here too.
        raise PhotoError(422, f"corrupt or unreadable {pil_format} image: {exc}") from None
    return ProcessedPhoto(
        content_type=content_type,
        width=upright.width,
        height=upright.height,
        data=clean,
        thumb=thumb,
    )


def _upright(image: Image.Image) -> Image.Image:
    """The image as it should be seen; a copy only when the EXIF orientation asks to turn it."""
    if image.getexif().get(ORIENTATION_TAG, 1) in (2, 3, 4, 5, 6, 7, 8):
        return ImageOps.exif_transpose(image)
    return image


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.mode or "transparency" in image.info


def _encode(image: Image.Image, pil_format: str) -> bytes:
    """The image in the same format with no metadata at all: only pixels (and transparency).

    Clears `image.info`: Pillow's savers fall back to it for ICC profiles, comments and text.
    """
    options: dict = {}
    if pil_format == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        # No `optimize`: it doubles the encode time to save about 7% of the bytes.
        options = {"quality": JPEG_QUALITY}
    elif pil_format == "PNG":
        if image.mode not in PNG_MODES:
            image = image.convert("RGBA")
        elif image.mode in ("P", "L", "RGB") and "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        options["optimize"] = image.width * image.height <= 4_000_000
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        options = {"quality": JPEG_QUALITY, "method": 4}
    image.info = {}
    out = io.BytesIO()
    image.save(out, pil_format, **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image
    if thumb.mode in ("I", "I;16", "I;16B", "F"):
        thumb = thumb.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif thumb.mode not in ("L", "RGB") or _has_alpha(thumb):
        thumb = thumb.convert("RGBA" if _has_alpha(thumb) else "RGB")
    # reduce() is a cheap box filter (fine at thumbnail size) that lands at or just above the
    # thumbnail; LANCZOS does any last step. Both return new images: the original is untouched.
    factor = max(1, max(thumb.size) // THUMB_EDGE)
    thumb = thumb.reduce(factor) if factor > 1 else thumb.copy()
    thumb.info = {}
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    if thumb.mode == "RGBA":
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


class PhotoFiles:
    """Where photo files live; narrow on purpose, so an object store could take its place."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _folder(self, sha: str) -> Path:
        if not valid_sha256(sha):
            raise ValueError(f"not a sha256: {sha!r}")
        return self.root / sha[:2]

    def path(self, sha: str, content_type: str) -> Path:
        return self._folder(sha) / f"{sha}.{FORMATS[content_type][1]}"

    def thumb_path(self, sha: str) -> Path:
        return self._folder(sha) / f"{sha}.thumb.jpg"

    def exists(self, sha: str, content_type: str) -> bool:
        return self.path(sha, content_type).is_file() and self.thumb_path(sha).is_file()

    def read(self, sha: str, content_type: str, thumb: bool = False) -> bytes:
        target = self.thumb_path(sha) if thumb else self.path(sha, content_type)
        return target.read_bytes()

    def put(self, sha: str, content_type: str, data: bytes, thumb: bytes) -> None:
        """Write both files atomically; a failure leaves no temporary file behind."""
        folder = self._folder(sha)
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.path(sha, content_type), data)
        _write_atomic(self.thumb_path(sha), thumb)
        _fsync_dir(folder)


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def photo_row(store: Store, sha: str) -> dict | None:
    rows = list(store.read().query("select * from photos where sha256 = ?", [sha]))
    return rows[0] if rows else None


def save_photo(
    store: Store, files: PhotoFiles, user: User, sha: str, data: bytes, max_pixels: int
) -> bool:
    """Check, sanitize and keep an upload; True when new, False when it was already here."""
    if not data:
        raise PhotoError(415, "empty body: send the image bytes")
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha:
        raise PhotoError(400, f"the body's sha256 is {actual}, not the id in the path {sha}")
    if photo_row(store, sha) is not None:
        return False
    photo = process(data, max_pixels)
    try:
        files.put(sha, photo.content_type, photo.data, photo.thumb)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise PhotoError(
                507, "the server's disk is full: photo not stored, retry later"
            ) from None
        raise
    stored_sha = hashlib.sha256(photo.data).hexdigest()
    with store.write() as db:
        if db.execute("select 1 from photos where sha256 = ?", [sha]).fetchone():
            return False  # the same photo arrived twice at once; the other upload recorded it
        db["photos"].insert(
            {
                "sha256": sha,
                "content_type": photo.content_type,
                "width": photo.width,
                "height": photo.height,
                "bytes": len(photo.data),
                "stored_sha256": stored_sha,
                "thumb_sha256": hashlib.sha256(photo.thumb).hexdigest(),
                "uploaded_by": user.id,
                "uploaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        events.append(db, user.username, "photo.put", "photo", sha, {"stored_sha256": stored_sha})
    return True


def may_see_photo(store: Store, user: User, sha: str) -> bool:
    """The uploader, admins, and whoever may see a site with an audit using the photo."""
    row = photo_row(store, sha)
    if row is None:
        return False
    if user.role == "admin" or row["uploaded_by"] == user.id:
        return True
    sites = store.read().execute(
        "select distinct a.site_id from audit_photos p join audits a on a.id = p.audit_id"
        " where p.sha256 = ?",
        [sha],
    )
    return any(user.may_see_site(site_id) for (site_id,) in sites)
