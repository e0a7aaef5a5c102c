"""Photo intake: judge an upload by its bytes, refuse bombs before decoding, strip or re-encode.

`process()` turns uploaded bytes into a clean copy (upright, no EXIF/GPS/ICC/XMP/text, same
format) and a JPEG thumbnail, or raises Unsupported (not an allowed type) or Invalid (corrupt,
truncated, too many pixels). Pure work on bytes: no files, no database.

Two ways through, both refusing the same bad uploads:

- An upright JPEG (no EXIF orientation, or orientation 1) in greyscale or colour, the shape of
  every photo the PWA sends: the clean copy is the upload's own marker stream with every
  metadata segment cut out (server/photos/jpeg.py), the entropy-coded data untouched, so no
  re-encoding and no generation loss. That copy is then decoded at a reduced DCT scale
  (`Image.draft`): libjpeg still reads every bit of the entropy-coded data, so truncated and
  corrupt files fail exactly as in a full decode, and the small decode is the thumbnail's
  source. About half the work of a full decode and re-encode.
- Everything else (a JPEG to be turned upright, CMYK, a marker stream jpeg.py does not
  understand, PNG, WebP): a full decode, turned upright and re-encoded without metadata.

The pixel count is checked from the header before any decode on both ways, and decodes take
their share of one memory budget (`DECODES`), counted in pixels. At most one upload per core
is worked on at once, in threads at a lower CPU priority than the event loop (`process`).
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import io
import os
import re
import sys
import threading
from collections.abc import Iterator

import msgspec
from PIL import Image, ImageOps

from server.core.errors import Invalid, Unsupported
from server.photos.jpeg import JpegStructureError, strip_jpeg

THUMB_EDGE = 320
ORIENTATION_TAG = 0x0112
JPEG_QUALITY = 88
THUMB_QUALITY = 80
# Pixels being decoded at once, across all threads: room for two decodes of the largest photo
# accepted by default (Settings.max_photo_pixels, 40 MP, about 120 MB each as RGB), or for
# many ordinary ones at the same time.
DECODE_PIXELS = 80_000_000
# Uploads worked on at once: one per core, in threads of their own. The work is CPU-bound:
# more at once would not end sooner, only take turns for the GIL with the event loop and slow
# every request down.
IMAGE_WORKERS = os.cpu_count() or 1
# ... and those threads run this much nicer than the rest of the server (Linux nice levels):
# the event loop and the requests that need no image work (audit PUTs, sign-ins, reads) get a
# core the moment they are ready, and uploads use the rest. bench/sync.py on 2 cores: about
# +8% audits/s at 8 in flight and audit PUT p50 halved, the loop no longer waiting behind two
# decodes for a core. 10, not 19: beside other busy processes uploads keep about a tenth of a
# core each, not almost nothing.
IMAGE_NICENESS = 10

# content type -> (Pillow format, file extension)
FORMATS = {
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
}
PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
# Pillow names its in-memory file in some messages: `<_io.BytesIO object at 0x7f...>`.
_OBJECT_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>")


class DecodeBudget:
    """At most `capacity` pixels decoded at once; first come, first served.

    A decode asks for its pixels (at most the whole capacity, so the largest one still runs,
    alone) and waits while they do not fit beside the decodes running, or while an earlier
    one waits: a large decode is never overtaken for ever by a stream of small ones.
    """

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.used = 0
        self._queue: collections.deque[object] = collections.deque()
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, pixels: int) -> Iterator[None]:
        cost = max(1, min(pixels, self.capacity))
        ticket = object()
        with self._changed:
            self._queue.append(ticket)
            try:
                self._changed.wait_for(
                    lambda: self._queue[0] is ticket and self.used + cost <= self.capacity
                )
            finally:
                self._queue.remove(ticket)
                self._changed.notify_all()  # the next in line may fit too
            self.used += cost
        try:
            yield
        finally:
            with self._changed:
                self.used -= cost
                self._changed.notify_all()


DECODES = DecodeBudget(DECODE_PIXELS)


def _reason(exc: BaseException) -> str:
    """Pillow's message, without the heap addresses some of them carry."""
    return _OBJECT_REPR.sub("the upload", str(exc)) or type(exc).__name__


class ProcessedPhoto(msgspec.Struct, frozen=True):
    content_type: str
    width: int
    height: int
    data: bytes  # the sanitized copy
    thumb: bytes  # JPEG, long edge at most THUMB_EDGE
    reencoded: bool = True  # False: `data` is the upload's own JPEG data, metadata cut out


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes say, among the allowed ones; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _nicer() -> None:
    """Lower this thread's CPU priority by IMAGE_NICENESS (Linux: a thread has its own)."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere setpriority() takes a process id, never a thread's
    with contextlib.suppress(OSError):
        thread = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + IMAGE_NICENESS))


_WORKERS = concurrent.futures.ThreadPoolExecutor(
    max_workers=IMAGE_WORKERS, thread_name_prefix="genba-image", initializer=_nicer
)


def process(data: bytes, max_pixels: int, budget: DecodeBudget = DECODES) -> ProcessedPhoto:
    """Check, decode and strip or re-encode an upload; refuse bombs before decoding pixels.

    Runs in one of the IMAGE_WORKERS threads (first come, first served); the caller waits.
    """
    return _WORKERS.submit(_process, data, max_pixels, budget).result()


def _process(data: bytes, max_pixels: int, budget: DecodeBudget) -> ProcessedPhoto:
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
            if pil_format == "JPEG" and (as_is := _jpeg_as_is(data, image, budget)) is not None:
                return as_is
            with budget.hold(width * height):
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


def _needs_turning(image: Image.Image) -> bool:
    return image.getexif().get(ORIENTATION_TAG, 1) in (2, 3, 4, 5, 6, 7, 8)


def _jpeg_as_is(data: bytes, image: Image.Image, budget: DecodeBudget) -> ProcessedPhoto | None:
    """An upright JPEG's own data with its metadata cut out, decoded (small) to check it.

    None when it must be re-encoded instead: it needs turning, it is not greyscale or colour
    (CMYK is converted), or its marker stream is one strip_jpeg() does not understand (the
    full decode then judges it, as for any other upload). Decoding errors propagate.
    """
    if image.mode not in ("L", "RGB") or _needs_turning(image):
        return None
    try:
        clean = strip_jpeg(data)
    except JpegStructureError:
        return None
    with Image.open(io.BytesIO(clean), formats=["JPEG"]) as copy:
        # What is kept must read exactly as what came: same size, same colour interpretation.
        if copy.size != image.size or copy.mode != image.mode:
            return None
        width, height = copy.size
        long_edge = max(width, height)
        # The smallest DCT scale (1/2, 1/4, 1/8) still at least as large as the thumbnail.
        copy.draft(
            None,
            (
                max(1, -(-width * THUMB_EDGE // long_edge)),
                max(1, -(-height * THUMB_EDGE // long_edge)),
            ),
        )
        # A progressive JPEG keeps every coefficient of the whole image while it decodes:
        # about what a full decode costs, whatever the scale.
        progressive = copy.info.get("progressive")
        cost = width * height if progressive else copy.width * copy.height
        with budget.hold(cost):
            copy.load()  # every bit of the entropy-coded data: truncated files raise here
        thumb = _thumbnail(copy)
    return ProcessedPhoto(
        content_type="image/jpeg",
        width=width,
        height=height,
        data=clean,
        thumb=thumb,
        reencoded=False,
    )


def _upright(image: Image.Image) -> Image.Image:
    """The image as it should be seen; a copy only when the EXIF orientation asks to turn it."""
    if _needs_turning(image):
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
    # thumbnail (a JPEG decoded at a reduced DCT scale is there already); BILINEAR does the
    # last step, under 2x, where it looks like LANCZOS at a third of the cost. Both return new
    # images: the original is untouched.
    factor = max(1, max(thumb.size) // THUMB_EDGE)
    thumb = thumb.reduce(factor) if factor > 1 else thumb.copy()
    thumb.info = {}
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.BILINEAR)
    if thumb.mode == "RGBA":
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=THUMB_QUALITY)
    return out.getvalue()
