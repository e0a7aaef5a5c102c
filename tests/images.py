"""Test images made by code, never committed: camera-like JPEGs, PNGs, WebPs, and bad files."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw
from PIL.ExifTags import IFD
from PIL.PngImagePlugin import PngInfo

ORIENTATION = 0x0112
GPS = {
    1: "N",
    2: (35.0, 41.0, 22.5),
    3: "E",
    4: (139.0, 41.0, 30.1),
}
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>site plan</secret></x:xmpmeta>'


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def picture(size: tuple[int, int] = (120, 60), mode: str = "RGB") -> Image.Image:
    """A picture with a red mark in its top-left corner, to see which way is up."""
    image = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill="red")
    draw.ellipse((size[0] // 2, size[1] // 2, size[0] - 1, size[1] - 1), fill="blue")
    return image


def _exif(orientation: int | None = None, gps: bool = False) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[IFD.GPSInfo] = GPS
    return exif


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def camera_jpeg(size: tuple[int, int] = (120, 60), orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: sideways pixels plus Orientation, GPS, ICC, XMP, comment."""
    out = io.BytesIO()
    picture(size).save(
        out,
        "JPEG",
        quality=90,
        exif=_exif(orientation, gps=True),
        icc_profile=srgb_profile(),
        xmp=XMP,
        comment=b"shot at the east gate",
    )
    return out.getvalue()


def jpeg(size: tuple[int, int] = (120, 60)) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "JPEG", quality=90)
    return out.getvalue()


def png(size: tuple[int, int] = (80, 40), mode: str = "RGBA") -> bytes:
    """A PNG with transparency, GPS in an eXIf chunk, an ICC profile and text chunks."""
    info = PngInfo()
    info.add_text("Comment", "site plan")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    picture(size, mode).save(
        out, "PNG", pnginfo=info, exif=_exif(gps=True), icc_profile=srgb_profile()
    )
    return out.getvalue()


def webp(size: tuple[int, int] = (80, 40), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    picture(size, mode).save(
        out, "WEBP", quality=90, exif=_exif(gps=True), icc_profile=srgb_profile(), xmp=XMP
    )
    return out.getvalue()


def noise_png(approx_bytes: int) -> bytes:
    """A PNG of random pixels (they do not compress), about `approx_bytes` long."""
    side = int((approx_bytes / 3) ** 0.5) + 1
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def other_format(fmt: str) -> bytes:
    out = io.BytesIO()
    picture((40, 20)).save(out, fmt)
    return out.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def truncated_jpeg() -> bytes:
    data = camera_jpeg(size=(400, 300))
    return data[: len(data) // 2]


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny valid-looking PNG whose header declares width x height pixels (10 G by default)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    # A few rows of zeros; decoding all the declared rows would need 30 GB.
    idat = zlib.compress(b"\x00" * (1 + width * 3) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )
