"""Strip a JPEG's metadata without re-encoding it: rewrite the marker stream, keep the pixels.

A JPEG file is a stream of markers (ITU-T T.81, Annex B):

    FF D8                        SOI: start of image, always first
    FF xx LH LL <length-2 bytes> a segment: the marker, then a big-endian length that counts
                                 its own two bytes, then the payload
    FF DA LH LL <scan header>    SOS: start of scan, followed by entropy-coded data. In that
    <entropy-coded data>         data a 0xFF byte is followed by 0x00 (a stuffed 0xFF) or by a
                                 restart marker D0-D7; any other FF xx ends it
    ...                          more segments and scans (a progressive JPEG has several)
    FF D9                        EOI: end of image

Any marker may be preceded by extra 0xFF fill bytes. `strip_jpeg()` copies, byte for byte,
only what a decoder needs to rebuild the same pixels:

- SOF0-15 (frame header), DHT (Huffman tables), DAC (arithmetic conditioning), DQT
  (quantization tables), DRI (restart interval), SOS with its entropy-coded data, and EOI.
- APP0 "JFIF", rewritten to its fixed 14 bytes (version, density units and densities) with no
  embedded thumbnail. It says a 3-component image is YCbCr: without it (and without APP14)
  libjpeg guesses the colour space from the component ids.
- APP14 "Adobe", rewritten to its fixed 12 bytes (version 100, no flags, the transform byte).
  The transform byte is the only place that says whether 3 components are YCbCr (1) or RGB
  (0), 4 are YCCK (2) or CMYK (0): dropping it would show an RGB-coded JPEG in false colours.
  Nothing else of Adobe's segment is kept.

Everything else goes: APP1 (EXIF with GPS, the camera, an embedded thumbnail; XMP), APP2 (ICC
profile, FlashPix, the MPF index of extra images), APP3-13 (APP13 carries IPTC/Photoshop
text), APP15, other APP0/APP14 payloads (JFXX thumbnails), COM (comments), DNL (libjpeg
ignores it), stray TEM/RSTn between segments (meaningless outside entropy-coded data) and
whatever follows the first EOI (MPF's extra images, makers' trailers).

A stream this reader does not understand raises `JpegStructureError`; it never guesses. Only
the marker structure is checked here: whether the entropy-coded data decodes is the decoder's
job (server/photos/images.py decodes the stripped copy before keeping it).
"""

from __future__ import annotations

import re
import struct

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
APP0, APP14, APP15 = 0xE0, 0xEE, 0xEF
DHT, DAC, DQT, DRI, DNL, COM, TEM = 0xC4, 0xCC, 0xDB, 0xDD, 0xDC, 0xFE, 0x01
SOF = frozenset(range(0xC0, 0xD0)) - {DHT, 0xC8, DAC}  # 0xC8 (JPG) is reserved
KEPT = SOF | {DHT, DAC, DQT, DRI}
DROPPED = frozenset(range(APP0, APP15 + 1)) | {COM, DNL}
RST = frozenset(range(0xD0, 0xD8))

# The end of entropy-coded data: the last 0xFF (fill 0xFFs may come before it) followed by a
# byte that is neither a stuffed zero, nor a restart marker, nor more fill. (Written without
# `\xff+`: a pattern that starts with one literal byte is searched ten times faster.)
_ENTROPY_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_FILL = re.compile(rb"\xff+")
# A real JPEG has a few dozen segments; a file of millions of empty ones is an attack on the
# time this loop takes, not a photo.
MAX_SEGMENTS = 1000


class JpegStructureError(ValueError):
    """The marker stream is not one this reader understands: truncated, malformed or odd."""


def _jfif(payload: bytes) -> bytes | None:
    """APP0 JFIF without its thumbnail; None for any other APP0 (JFXX, AVI1, ...)."""
    if len(payload) < 14 or payload[:5] != b"JFIF\x00":
        return None
    # "JFIF\0", version (2), units (1), X density (2), Y density (2); thumbnail 0x0.
    return payload[:12] + b"\x00\x00"


def _adobe(payload: bytes) -> bytes | None:
    """APP14 Adobe with only its transform byte; None for any other APP14."""
    if len(payload) < 12 or payload[:5] != b"Adobe":
        return None
    # "Adobe", version 100, flags0 0, flags1 0, the color transform byte.
    return b"Adobe" + struct.pack(">HHHB", 100, 0, 0, payload[11])


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG with only the segments needed to decode it; raises JpegStructureError.

    `data` itself when there is nothing to cut (what a browser's canvas encodes): no copy.
    """
    if not data.startswith(b"\xff\xd8"):
        raise JpegStructureError("no start-of-image marker")
    # What to keep, in order: (start, stop) ranges of `data`, or bytes rewritten here.
    pieces: list[tuple[int, int] | bytes] = []

    def keep(start: int, stop: int) -> None:
        if pieces and isinstance(pieces[-1], tuple) and pieces[-1][1] == start:
            start = pieces.pop()[0]  # one range with the one before it
        pieces.append((start, stop))

    def rewritten(start: int, stop: int, segment: bytes) -> None:
        if data[start:stop] == segment:
            keep(start, stop)
        else:
            pieces.append(segment)

    keep(0, 2)
    pos, end = 2, len(data)
    seen_sof = seen_sos = False
    segments = 0
    while True:
        segments += 1
        if segments > MAX_SEGMENTS:
            raise JpegStructureError(f"more than {MAX_SEGMENTS} segments")
        if pos >= end:
            raise JpegStructureError("truncated: no end-of-image marker")
        if data[pos] != 0xFF:
            raise JpegStructureError(f"expected a marker at byte {pos}, found 0x{data[pos]:02x}")
        pos = _FILL.match(data, pos).end()  # the 0xFF and any fill bytes before the code
        if pos >= end:
            raise JpegStructureError("truncated: no end-of-image marker")
        marker, start = data[pos], pos - 1  # the segment starts at its last 0xFF
        pos += 1
        if marker == EOI:
            if not seen_sos:
                raise JpegStructureError("end of image before any image data")
            keep(start, pos)
            break  # anything after the first EOI is dropped
        if marker == TEM or marker in RST:
            continue  # standalone markers with no payload and no meaning here
        if marker == SOI:
            raise JpegStructureError(f"a second start-of-image marker at byte {start}")
        if marker != SOS and marker not in KEPT and marker not in DROPPED:
            raise JpegStructureError(f"unknown marker 0x{marker:02x} at byte {start}")
        if pos + 2 > end:
            raise JpegStructureError(f"truncated: marker 0x{marker:02x} has no length")
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2:
            raise JpegStructureError(f"segment 0x{marker:02x} at byte {start} has length {length}")
        if pos + length > end:
            raise JpegStructureError(
                f"truncated: segment 0x{marker:02x} at byte {start} runs past the end"
            )
        payload_at, pos = pos + 2, pos + length
        if marker in KEPT:
            seen_sof = seen_sof or marker in SOF
            keep(start, pos)
        elif marker == APP0 and (jfif := _jfif(data[payload_at:pos])) is not None:
            rewritten(start, pos, _segment(APP0, jfif))
        elif marker == APP14 and (adobe := _adobe(data[payload_at:pos])) is not None:
            rewritten(start, pos, _segment(APP14, adobe))
        elif marker == SOS:
            if not seen_sof:
                raise JpegStructureError(f"start of scan at byte {start} before any frame header")
            seen_sos = True
            found = _ENTROPY_END.search(data, pos)
            if found is None:
                raise JpegStructureError("truncated: no end-of-image marker")
            # The scan header and its entropy-coded data, fill bytes and all, as they are.
            pos = found.start()
            keep(start, pos)
        # else: a dropped segment (APPn, COM, DNL)
    if pieces == [(0, end)]:
        return data
    view = memoryview(data)
    return b"".join(view[p[0] : p[1]] if isinstance(p, tuple) else p for p in pieces)
