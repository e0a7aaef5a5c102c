"""Photo uploads against the real server: an upload cut off half way leaves nothing behind,
uploads at once are each kept exactly once, clean, and `genba verify` agrees."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PIL import Image

import images
from images import sha
from live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real server (demo sites and users) in its own process; (base, port, photos, log)."""
    live = LiveServer(tmp_path_factory.mktemp("photos-e2e") / "data").start()
    yield live.base, live.port, live.data / "photos", live.log
    live.stop()


def _sign_in(base: str) -> str:
    response = httpx.post(f"{base}/api/login", json={"username": "officer", "password": "demo"})
    return response.json()["token"]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_upload_cut_off_half_way_leaves_nothing(server):
    base, port, photos_dir, log = server
    token = _sign_in(base)
    data = images.noise_png(2_000_000)
    photo_id = sha(data)
    before = set(_files(photos_dir))  # `serve --demo` may come with demo photos
    head = (
        f"PUT /api/photos/{photo_id} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: image/png\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + data[: len(data) // 2])
        time.sleep(0.3)  # let the server start reading the body
    time.sleep(0.5)  # and notice the disconnect

    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.head(f"{base}/api/photos/{photo_id}", headers=auth).status_code == 404
    assert set(_files(photos_dir)) == before

    retry = httpx.put(
        f"{base}/api/photos/{photo_id}",
        content=data,
        headers={**auth, "Content-Type": "image/png"},
        timeout=30,
    )
    assert retry.status_code == 201, retry.text
    assert httpx.head(f"{base}/api/photos/{photo_id}", headers=auth).status_code == 200
    names = sorted(p.name for p in set(_files(photos_dir)) - before)
    assert names == [f"{photo_id}.png", f"{photo_id}.thumb.jpg"]
    assert not [p for p in _files(photos_dir) if p.name.startswith(".") or p.suffix == ".tmp"]
    assert "Traceback" not in log.read_text(errors="replace")


def test_get_over_http_is_never_stored(server):
    """A shared tablet's HTTP cache must not keep photos past the sign-out."""
    base, _, _, _ = server
    auth = {"Authorization": f"Bearer {_sign_in(base)}"}
    data = images.camera_jpeg()
    put = httpx.put(f"{base}/api/photos/{sha(data)}", content=data, headers=auth)
    assert put.status_code == 201
    for size in ("thumb", "full"):
        got = httpx.get(f"{base}/api/photos/{sha(data)}?size={size}", headers=auth)
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert got.headers["cache-control"] == "private, no-store"
        assert got.headers["x-content-type-options"] == "nosniff" and got.headers["etag"]


def _metadata_markers(data: bytes) -> set[int]:
    """APPn (but JFIF and Adobe) and COM markers before the first scan, read byte by byte."""
    found, pos = set(), 2
    while data[pos + 1] != 0xDA:
        code, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        payload = data[pos + 4 : pos + 2 + length]
        if code == 0xFE or 0xE0 <= code <= 0xEF and payload[:5] not in (b"JFIF\x00", b"Adobe"):
            found.add(code)
        pos += 2 + length
    return found


def test_eight_uploads_at_once_are_each_kept_once_clean_and_verified(server):
    base, _, photos_dir, log = server
    auth = {"Authorization": f"Bearer {_sign_in(base)}"}
    upright = [images.camera_jpeg(size=(320 + 8 * n, 240), orientation=1) for n in range(12)]
    turned = [images.camera_jpeg(size=(200 + 8 * n, 100), orientation=6) for n in range(4)]
    truncated = images.jpeg(size=(400 + 8, 300))[:-40]
    bomb = bytearray(images.jpeg(size=(16, 16)))
    sof = bomb.index(b"\xff\xc0")
    bomb[sof + 5 : sof + 9] = (9_000).to_bytes(2, "big") * 2  # 81 MP declared
    uploads = [*upright, *turned, truncated, bytes(bomb)]

    def upload(data: bytes) -> httpx.Response:
        headers = {**auth, "Content-Type": "image/jpeg"}
        return httpx.put(
            f"{base}/api/photos/{sha(data)}", content=data, headers=headers, timeout=60
        )

    with ThreadPoolExecutor(8) as pool:
        first = list(pool.map(upload, uploads))
        again = list(pool.map(upload, uploads))
    good = len(upright) + len(turned)
    assert [r.status_code for r in first] == [201] * good + [422, 422], [r.text for r in first]
    assert "truncated" in first[-2].json()["detail"] and "9000x9000" in first[-1].json()["detail"]
    assert [r.status_code for r in again[:good]] == [200] * good
    assert all(r.json()["created"] is False for r in again[:good])

    for data, response in zip(upright + turned, first, strict=False):
        stored = httpx.get(f"{base}/api/photos/{sha(data)}", headers=auth).content
        assert sha(stored) == response.json()["stored_sha256"]
        assert _metadata_markers(stored) == set() and b"PhoneMaker" not in stored
        with Image.open(io.BytesIO(stored)) as image:
            width, height = Image.open(io.BytesIO(data)).size
            assert image.size == ((width, height) if data in upright else (height, width))
    assert "Traceback" not in log.read_text(errors="replace")
    data_dir = photos_dir.parent
    verify = subprocess.run(
        [sys.executable, "-m", "server", "verify", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
