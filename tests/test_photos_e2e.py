"""Photo uploads against the real server: an upload cut off half way leaves nothing behind."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

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


def test_get_over_http_is_cacheable(server):
    base, _, _, _ = server
    auth = {"Authorization": f"Bearer {_sign_in(base)}"}
    data = images.camera_jpeg()
    put = httpx.put(f"{base}/api/photos/{sha(data)}", content=data, headers=auth)
    assert put.status_code == 201
    got = httpx.get(f"{base}/api/photos/{sha(data)}?size=thumb", headers=auth)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert "immutable" in got.headers["cache-control"]
