"""Photo intake's fast way: an upright JPEG kept as sent minus its metadata, never re-encoded.

server/photos/jpeg.py cuts the metadata out of the marker stream; server/photos/images.py
decodes the result at a reduced DCT scale to check it and make the thumbnail, and re-encodes
only what must be turned upright or converted. Everything here uses small images made by code.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import threading
import time

import pytest
from PIL import Image, ImageFile

import images
from images import sha
from server.core.errors import Invalid, Unsupported
from server.ops.verify import problems
from server.photos import images as intake
from server.photos.images import THUMB_EDGE, DecodeBudget, process
from server.photos.jpeg import MAX_SEGMENTS, JpegStructureError, strip_jpeg

MAX_PIXELS = 40_000_000
# What a clean copy may hold: SOI, SOFn, DHT, DAC, DQT, DRI, SOS, EOI, APP0 JFIF, APP14 Adobe.
DECODING = {0xD8, 0xC4, 0xCC, 0xDB, 0xDD, 0xDA, 0xD9} | (
    set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
)
SECRETS = [b"Exif", b"PhoneMaker", b"site plan", b"east gate", b"ICC_PROFILE", b"adobe:ns:meta"]


# --- an independent reader of the marker stream, byte by byte, for the tests --------------


def segments(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """[(marker, payload)] up to and including EOI, and what follows the EOI."""
    assert data[:2] == b"\xff\xd8"
    found, pos = [(0xD8, b"")], 2
    while True:
        assert data[pos] == 0xFF, f"no marker at {pos}"
        while data[pos] == 0xFF:
            pos += 1
        code = data[pos]
        pos += 1
        if code == 0xD9:
            found.append((0xD9, b""))
            return found, data[pos:]
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        found.append((code, data[pos + 2 : pos + length]))
        pos += length
        if code == 0xDA:  # skip the entropy-coded data
            while not (data[pos] == 0xFF and data[pos + 1] not in (0x00, 0xFF, *range(0xD0, 0xD8))):
                pos += 1


def codes(data: bytes) -> list[int]:
    return [code for code, _ in segments(data)[0]]


def decoded(data: bytes, mode: str | None = None) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return (image.convert(mode) if mode else image).tobytes()


def assert_no_metadata(data: bytes) -> None:
    found, after = segments(data)
    assert {code for code, _ in found} <= DECODING | {0xE0, 0xEE}, [hex(c) for c, _ in found]
    assert after == b""
    for code, payload in found:
        if code == 0xE0:
            assert payload[:5] == b"JFIF\x00" and len(payload) == 14 and payload[12:] == b"\0\0"
        if code == 0xEE:
            assert payload[:5] == b"Adobe" and len(payload) == 12
    for secret in SECRETS:
        assert secret not in data, secret
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp", "comment", "photoshop"} & set(image.info)


def jpeg(size=(64, 48), **options) -> bytes:
    out = io.BytesIO()
    images.picture(size).save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def segment(code: int, payload: bytes) -> bytes:
    return bytes((0xFF, code)) + struct.pack(">H", len(payload) + 2) + payload


def after_soi(data: bytes, *inserted: bytes) -> bytes:
    return data[:2] + b"".join(inserted) + data[2:]


def without(data: bytes, code: int) -> bytes:
    """The JPEG with every `code` segment left out (before the first scan)."""
    found, _ = segments(data)
    header = found[1 : [c for c, _ in found].index(0xDA)]
    start = data.index(b"\xff\xda")
    return b"\xff\xd8" + b"".join(segment(c, p) for c, p in header if c != code) + data[start:]


# --- strip_jpeg: what it keeps ------------------------------------------------------------


def test_strip_keeps_only_what_decodes_and_the_very_same_pixels():
    data = images.camera_jpeg(orientation=1)  # EXIF with GPS, XMP, ICC and a comment
    assert {0xE1, 0xE2, 0xFE} <= set(codes(data))
    clean = strip_jpeg(data)
    assert_no_metadata(clean)
    assert codes(clean)[:2] == [0xD8, 0xE0]  # JFIF kept: it says the components are YCbCr
    assert decoded(clean) == decoded(data)
    # Only metadata went: the scan is byte for byte the same.
    scan = data[data.index(b"\xff\xda") :]
    assert clean.endswith(scan)
    assert strip_jpeg(clean) == clean


def test_a_jfif_thumbnail_and_other_app0_segments_go():
    data = jpeg()
    jfif_with_thumb = b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x02" + bytes(range(12))
    jfxx = b"JFXX\x00\x13" + b"\xff\xd8 a thumbnail JPEG \xff\xd9"
    crafted = after_soi(without(data, 0xE0), segment(0xE0, jfif_with_thumb), segment(0xE0, jfxx))
    assert decoded(crafted) == decoded(data)
    clean = strip_jpeg(crafted)
    app0 = [payload for code, payload in segments(clean)[0] if code == 0xE0]
    assert app0 == [b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00"]  # density kept, no thumb
    assert b"JFXX" not in clean and b"a thumbnail" not in clean
    assert decoded(clean) == decoded(data)


def _numbered_components(data: bytes) -> bytes:
    """The JPEG with its components numbered 1, 2, 3 (in the frame and the scan headers)."""
    data = bytearray(data)
    for marker, first in ((b"\xff\xc0", 10), (b"\xff\xda", 5)):
        at = data.index(marker)
        step = 3 if marker == b"\xff\xc0" else 2
        for number in range(3):
            data[at + first + number * step] = number + 1
    return bytes(data)


def test_adobe_colour_transform_is_kept_because_the_decoder_needs_it():
    # RGB samples (not YCbCr), components numbered 1-3: only APP14's transform 0 says RGB.
    data = _numbered_components(jpeg(keep_rgb=True))
    adobe = segment(0xEE, b"Adobe\x00\x65\x80\x00\x00\x00\x00 extra")  # transform 0
    data = after_soi(without(data, 0xEE), adobe)
    clean = strip_jpeg(data)
    (kept,) = [payload for code, payload in segments(clean)[0] if code == 0xEE]
    assert kept == b"Adobe\x00\x64\x00\x00\x00\x00\x00"  # version 100, no flags, transform 0
    assert decoded(clean) == decoded(data)
    assert b"extra" not in clean
    # Without it the same samples would be read as YCbCr: false colours.
    assert decoded(without(data, 0xEE)) != decoded(data)


def test_other_app14_segments_go():
    data = jpeg()
    clean = strip_jpeg(after_soi(data, segment(0xEE, b"Ducky and friends")))
    assert 0xEE not in codes(clean) and decoded(clean) == decoded(data)


@pytest.mark.parametrize(
    "options",
    [
        {"progressive": True},  # several scans, Huffman tables between them
        {"restart_marker_blocks": 2},  # DRI and RSTn inside the entropy-coded data
        {"subsampling": 0},
        {"optimize": True},
    ],
    ids=["progressive", "restarts", "4:4:4", "optimized"],
)
def test_every_scan_and_table_survives(options):
    data = images.camera_jpeg(size=(96, 64), orientation=1)
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.save(
            out, "JPEG", exif=image.info["exif"], comment=b"shot at the east gate", **options
        )
    data = out.getvalue()
    clean = strip_jpeg(data)
    assert_no_metadata(clean)
    assert codes(clean).count(0xDA) == codes(data).count(0xDA)
    assert codes(clean).count(0xC4) == codes(data).count(0xC4)
    assert decoded(clean) == decoded(data)


def test_fill_bytes_and_stray_standalone_markers_between_segments():
    data = jpeg()
    sos = data.index(b"\xff\xda")
    padded = data[:sos] + b"\xff\xff\xff" + data[sos:-2] + b"\xff\xff\xff\xd9"
    assert decoded(padded) == decoded(data)
    clean = strip_jpeg(padded)
    assert decoded(clean) == decoded(data) and clean.endswith(b"\xff\xd9")
    # TEM and RSTn mean nothing outside a scan: dropped (Pillow itself would not open this).
    stray = data[:sos] + b"\xff\x01\xff\xd3" + data[sos:]
    assert strip_jpeg(stray) == strip_jpeg(data)


def test_what_follows_the_end_of_image_goes():
    data = jpeg()
    second = images.camera_jpeg(orientation=1)  # like MPF's extra images, with their EXIF
    clean = strip_jpeg(data + second + b"maker trailer")
    assert clean == strip_jpeg(data)
    assert_no_metadata(clean)


# --- strip_jpeg: hostile marker streams ---------------------------------------------------


def _hostile() -> dict[str, bytes]:
    data = jpeg()
    sos = data.index(b"\xff\xda")
    dqt = data.index(b"\xff\xdb")
    return {
        "empty": b"",
        "no SOI": data[2:],
        "only SOI": b"\xff\xd8",
        "SOI and a lone FF": b"\xff\xd8\xff",
        "marker with no length": b"\xff\xd8\xff\xe1",
        "marker with half a length": b"\xff\xd8\xff\xe1\x00",
        "length 0": after_soi(data, b"\xff\xfe\x00\x00"),
        "length 1": after_soi(data, b"\xff\xfe\x00\x01xyz"),
        "segment past the end": data[:dqt] + b"\xff\xe1\xff\xf0Exif\x00\x00",
        "scan header past the end": data[: sos + 6],
        "cut in the entropy data": data[: (sos + len(data)) // 2],
        "no EOI": data[:-2],
        "FF then nothing at the end": data[:-1],
        "second SOI": after_soi(data, b"\xff\xd8"),
        "unknown marker": after_soi(data, segment(0x02, b"??")),
        "JPG extension marker": after_soi(data, segment(0xF7, b"??")),
        "stuffed zero outside a scan": after_soi(data, b"\xff\x00"),
        "garbage between segments": data[:dqt] + b"junk" + data[dqt:],
        "EOI before any scan": data[:dqt] + b"\xff\xd9",
        "scan before any frame": b"\xff\xd8" + data[sos:],
        "too many segments": after_soi(data, segment(0xFE, b"") * (MAX_SEGMENTS + 1)),
    }


@pytest.mark.parametrize("name", list(_hostile()))
def test_hostile_marker_streams_are_refused(name):
    with pytest.raises(JpegStructureError):
        strip_jpeg(_hostile()[name])


def test_a_stream_of_empty_segments_is_refused_quickly():
    data = after_soi(jpeg(), segment(0xFE, b"") * 3_000_000)  # 12 MB, under the upload limit
    started = time.monotonic()
    with pytest.raises(JpegStructureError, match="segments"):
        strip_jpeg(data)
    assert time.monotonic() - started < 0.5


# --- process(): which way, what comes out -------------------------------------------------


def test_upright_jpeg_is_kept_as_sent_without_its_metadata():
    data = images.camera_jpeg(size=(400, 300), orientation=1)
    photo = process(data, MAX_PIXELS)
    assert photo.reencoded is False and photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (400, 300)
    assert photo.data == strip_jpeg(data)
    assert_no_metadata(photo.data)
    assert decoded(photo.data) == decoded(data)  # not re-encoded: not one pixel changed


def test_a_jpeg_with_no_exif_at_all_takes_the_fast_way_too():
    data = images.jpeg(size=(120, 60))
    photo = process(data, MAX_PIXELS)
    assert photo.reencoded is False and decoded(photo.data) == decoded(data)


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_a_turned_jpeg_is_reencoded_upright(orientation):
    data = images.camera_jpeg(size=(120, 60), orientation=orientation)
    photo = process(data, MAX_PIXELS)
    assert photo.reencoded is True
    turned = orientation >= 5
    assert (photo.width, photo.height) == ((60, 120) if turned else (120, 60))
    assert_no_metadata(photo.data)
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert stored.size == (photo.width, photo.height)


def test_orientation_6_is_stored_upright():
    photo = process(images.camera_jpeg(size=(120, 60), orientation=6), MAX_PIXELS)
    with Image.open(io.BytesIO(photo.data)) as stored:
        red, green, blue = stored.convert("RGB").getpixel((59, 0))  # the mark, now top right
    assert red > 200 and green < 60 and blue < 60


def test_cmyk_jpeg_is_converted_as_before():
    out = io.BytesIO()
    images.picture((64, 48)).convert("CMYK").save(out, "JPEG")
    photo = process(out.getvalue(), MAX_PIXELS)
    assert photo.reencoded is True
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert stored.mode == "RGB"
    assert_no_metadata(photo.data)


def test_greyscale_jpeg_takes_the_fast_way():
    out = io.BytesIO()
    images.picture((64, 48)).convert("L").save(out, "JPEG", comment=b"shot at the east gate")
    photo = process(out.getvalue(), MAX_PIXELS)
    assert photo.reencoded is False and b"east gate" not in photo.data
    with Image.open(io.BytesIO(photo.thumb)) as thumb:
        assert thumb.mode == "L"


def test_an_odd_marker_stream_takes_the_full_decode():
    data = jpeg()
    dqt = data.index(b"\xff\xdb")
    odd = data[:dqt] + b"\x00\x00" + data[dqt:]  # libjpeg skips the junk, strip_jpeg will not
    photo = process(odd, MAX_PIXELS)
    assert photo.reencoded is True
    assert_no_metadata(photo.data)


@pytest.mark.parametrize(
    ("size", "thumb"),
    [
        ((1600, 1200), (320, 240)),
        ((1200, 1600), (240, 320)),
        ((640, 480), (320, 240)),
        ((700, 300), (320, 137)),
        ((200, 100), (200, 100)),  # smaller than a thumbnail: kept at its size
        ((3000, 24), (320, 3)),
    ],
)
def test_thumbnails_are_the_right_size(size, thumb):
    photo = process(jpeg(size), MAX_PIXELS)
    assert photo.reencoded is False
    with Image.open(io.BytesIO(photo.thumb)) as made:
        assert made.format == "JPEG" and made.size == thumb
        assert max(made.size) <= THUMB_EDGE
        made.load()
        if min(thumb) >= 20:  # the red mark is still in the top-left corner
            red, green, blue = made.convert("RGB").getpixel((0, 0))
            assert red > 180 and green < 90 and blue < 90


def test_the_thumbnail_comes_from_a_reduced_scale_decode():
    class Recording(DecodeBudget):
        costs: list[int] = []

        def hold(self, pixels):
            self.costs.append(pixels)
            return super().hold(pixels)

    budget = Recording(10**9)
    process(jpeg((1600, 1200)), MAX_PIXELS, budget)
    process(jpeg((1600, 1200), progressive=True), MAX_PIXELS, budget)
    process(images.camera_jpeg(size=(1600, 1200), orientation=6), MAX_PIXELS, budget)
    # 1/4 scale; a progressive JPEG holds all its coefficients; a turned one is decoded whole.
    assert budget.costs == [400 * 300, 1600 * 1200, 1600 * 1200]


# --- process(): refusals ------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, -2, -1])
def test_truncated_jpegs_are_refused(keep):
    data = images.jpeg(size=(400, 300))
    cut = data[: int(len(data) * keep)] if keep > 0 else data[:keep]
    with pytest.raises(Invalid, match="truncated"):
        process(cut, MAX_PIXELS)


def test_the_reduced_scale_decode_itself_catches_truncation(monkeypatch):
    """Were strip_jpeg to miss a cut, the small decode still reads every entropy-coded byte."""
    data = images.jpeg(size=(800, 600))
    cut = data[: len(data) * 3 // 4]
    monkeypatch.setattr(intake, "strip_jpeg", lambda raw: raw)
    with Image.open(io.BytesIO(cut)) as image:
        image.draft(None, (100, 75))  # 1/8: the smallest scale there is
        with pytest.raises(OSError, match="truncated"):
            image.load()
    with pytest.raises(Invalid, match="truncated"):
        process(cut, MAX_PIXELS)


def _full_decode_accepts(data: bytes) -> bool:
    try:
        decoded(data)
    except (OSError, SyntaxError, ValueError):
        return False
    return True


def test_damaged_entropy_data_is_judged_as_a_full_decode_judges_it():
    """Bytes flipped at random in the scan: refused exactly when a full decode refuses."""
    import random

    data = images.jpeg(size=(160, 120))
    start = data.index(b"\xff\xda") + 14
    refused = 0
    for seed in range(40):
        rng = random.Random(seed)
        damaged = bytearray(data)
        for _ in range(4):
            damaged[rng.randrange(start, len(data) - 2)] = rng.randrange(256)
        damaged = bytes(damaged)
        try:
            process(damaged, MAX_PIXELS)
            accepted = True
        except Invalid as exc:
            assert "corrupt" in exc.message or "truncated" in exc.message
            accepted = False
        assert accepted == _full_decode_accepts(damaged), seed
        refused += not accepted
    assert refused > 0


def test_a_bogus_huffman_table_is_refused():
    data = bytearray(images.jpeg(size=(64, 48)))
    dht = data.index(b"\xff\xc4")
    data[dht + 5 : dht + 21] = b"\xff" * 16  # code counts far past what 16 bits can hold
    with pytest.raises(Invalid, match="corrupt"):
        process(bytes(data), MAX_PIXELS)


def _sized(width: int, height: int) -> bytes:
    """A small JPEG whose frame header says width x height."""
    data = bytearray(jpeg((16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(("width", "height"), [(8_000, 6_000), (60_000, 60_000)])
def test_jpeg_bombs_are_refused_before_any_decode(monkeypatch, width, height):
    def no_decoding(self):
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    monkeypatch.setattr(intake, "strip_jpeg", no_decoding)
    with pytest.raises(Invalid, match="pixels"):
        process(_sized(width, height), MAX_PIXELS)


@pytest.mark.parametrize(
    "data",
    [images.other_format("GIF"), images.other_format("TIFF"), images.SVG, b"\xff\xd8"],
    ids=["gif", "tiff", "svg", "two bytes"],
)
def test_wrong_types_are_refused(data):
    with pytest.raises(Unsupported, match="not a JPEG, PNG or WebP"):
        process(data, MAX_PIXELS)


def test_a_png_behind_a_jpeg_signature_is_refused():
    with pytest.raises(Invalid, match="corrupt"):
        process(b"\xff\xd8\xff" + images.png(), MAX_PIXELS)


# --- the decode budget --------------------------------------------------------------------


def _run_holding(budget: DecodeBudget, costs: list[int], pause: float = 0.05):
    """Each cost held by its own thread for `pause` s; the most ever held at once, and the
    order in which they got in."""
    lock = threading.Lock()
    state = {"now": 0, "most": 0}
    order: list[int] = []

    def work(index: int, cost: int) -> None:
        with budget.hold(cost):
            with lock:
                order.append(index)
                state["now"] += min(cost, budget.capacity)
                state["most"] = max(state["most"], state["now"])
            time.sleep(pause)
            with lock:
                state["now"] -= min(cost, budget.capacity)

    threads = []
    for index, cost in enumerate(costs):
        thread = threading.Thread(target=work, args=(index, cost))
        thread.start()
        threads.append(thread)
        time.sleep(0.005)  # start in this order
    for thread in threads:
        thread.join(5)
    assert budget.used == 0
    return state["most"], order


def test_the_budget_holds_decodes_to_its_pixels():
    most, order = _run_holding(DecodeBudget(100), [60, 30, 60, 10, 30])
    assert most <= 100 and sorted(order) == [0, 1, 2, 3, 4]


def test_a_decode_larger_than_the_budget_runs_alone():
    most, order = _run_holding(DecodeBudget(100), [10, 500, 10])
    assert most == 100 and order == [0, 1, 2]


def test_small_decodes_do_not_overtake_a_waiting_large_one():
    _, order = _run_holding(DecodeBudget(100), [60, 80, 10, 10])
    assert order == [0, 1, 2, 3]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_image_work_runs_nicer_than_the_event_loop():
    process(images.jpeg(), MAX_PIXELS)
    workers = [t for t in threading.enumerate() if t.name.startswith("genba-image")]
    assert workers
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for worker in workers:
        niceness = os.getpriority(os.PRIO_PROCESS, worker.native_id)
        assert niceness == min(19, mine + intake.IMAGE_NICENESS)


# --- over HTTP, in-process ----------------------------------------------------------------


def put(client, headers, data: bytes, content_type="image/jpeg"):
    return client.put(
        f"/api/photos/{sha(data)}", content=data, headers={**headers, "Content-Type": content_type}
    )


def test_upload_keeps_the_pixels_drops_the_metadata_and_verifies(client, officer, app):
    data = images.camera_jpeg(size=(640, 480), orientation=1)
    response = put(client, officer, data)
    assert response.status_code == 201, response.text
    body = response.json()
    got = client.get(f"/api/photos/{sha(data)}", headers=officer)
    assert got.status_code == 200
    assert body["stored_sha256"] == sha(got.content) == got.headers["etag"].strip('"')
    assert body["bytes"] == len(got.content) and (body["width"], body["height"]) == (640, 480)
    assert_no_metadata(got.content)
    assert decoded(got.content) == decoded(data)
    thumb = client.get(f"/api/photos/{sha(data)}?size=thumb", headers=officer)
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert small.size == (320, 240)
    again = put(client, officer, data)
    assert again.status_code == 200 and again.json() == {**body, "created": False}
    assert problems(app.state.store, app.state.settings) == []


def test_a_jpeg_with_nothing_to_cut_is_kept_byte_for_byte(client, officer, app):
    data = images.jpeg(size=(200, 100))  # what a browser's canvas makes: JFIF, no metadata
    assert strip_jpeg(data) is data  # not even copied
    response = put(client, officer, data)
    assert response.status_code == 201 and response.json()["stored_sha256"] == sha(data)
    assert client.get(f"/api/photos/{sha(data)}", headers=officer).content == data
    assert problems(app.state.store, app.state.settings) == []


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (images.jpeg(size=(400, 300))[:3000], 422, "truncated"),
        (images.jpeg(size=(400, 300))[:-2], 422, "truncated"),
        (_sized(8_000, 6_000), 422, "8000x6000 pixels"),
        (b"\xff\xd8\xff" + images.png(), 422, "corrupt"),
        (images.other_format("GIF"), 415, "not a JPEG, PNG or WebP"),
    ],
    ids=["cut", "no EOI", "bomb", "corrupt", "gif"],
)
def test_refusals_name_the_problem_and_keep_nothing(client, officer, app, data, status, words):
    response = put(client, officer, data)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert list(app.state.store.read().query("select * from photos")) == []


@pytest.mark.parametrize("size", ["full", "thumb"])
def test_photos_are_never_kept_in_the_http_cache(client, officer, size):
    data = images.jpeg()
    put(client, officer, data)
    url = f"/api/photos/{sha(data)}?size={size}"
    for response in (client.get(url, headers=officer), client.head(url, headers=officer)):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["etag"]
