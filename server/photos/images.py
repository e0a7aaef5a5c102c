"""Photo intake: judge an upload by its bytes, refuse bombs before decoding, re-encode it.

`process()` turns uploaded bytes into a clean copy (upright, no EXIF/GPS/ICC/XMP/text, same
format) and a JPEG thumbnail, or raises Unsupported (not an allowed type) or Invalid (corrupt,
truncated, too many pixels). Pure work on bytes: no files, no database.
"""

from __future__ import annotations

import io
import re

import msgspec
from PIL import Image, ImageOps

from server.core.errors import Invalid, Unsupported

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
# Pillow names its in-memory file in some messages: `<_io.BytesIO object at 0x7f...>`.
_OBJECT_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>")


def _reason(exc: BaseException) -> str:
    """Pillow's message, without the heap addresses some of them carry."""
    return _OBJECT_REPR.sub("the upload", str(exc)) or type(exc).__name__


class ProcessedPhoto(msgspec.Struct, frozen=True):
    content_type: str
    width: int
    height: int
    data: bytes  # the sanitized copy
    thumb: bytes  # JPEG, long edge at most THUMB_EDGE


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
        raise Unsupported("not a JPEG, PNG or WebP image (judged by its content)")
    pil_format = FORMATS[content_type][0]
    try:
        # Image.open reads the header only; restricting the plugin keeps it to the sniffed type.
        with Image.open(io.BytesIO(data), formats=[pil_format]) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise Invalid(
                    f"image is {width}x{height} pixels; at most {max_pixels:,} pixels are accepted"
                )
            image.load()  # a truncated file raises here (LOAD_TRUNCATED_IMAGES stays off)
            upright = _upright(image)
            thumb = _thumbnail(upright)
            clean = _encode(upright, pil_format)  # last: it clears upright.info
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(f"image refused as a decompression bomb: {_reason(exc)}") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
        # UnidentifiedImageError is an OSError; truncated and corrupt files land here too.
        raise Invalid(f"corrupt or unreadable {pil_format} image: {_reason(exc)}") from None
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
