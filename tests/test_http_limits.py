"""Oversized and slow requests against the real server (server/http_limits.py): a head over
32 KiB is a 431, a head that does not arrive in time a 408, a stalled body is cut, and none of
them keeps the server from answering everyone else."""

from __future__ import annotations

import os
import socket
import time

import httpx
import pytest

from live import LiveServer
from server.http_limits import MAX_HEAD_BYTES

pytestmark = pytest.mark.e2e
HEAD_SECONDS, BODY_IDLE_SECONDS = 1.5, 1.5


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    saved = dict(os.environ)
    os.environ["GENBA_REQUEST_HEAD_SECONDS"] = str(HEAD_SECONDS)
    os.environ["GENBA_REQUEST_BODY_IDLE_SECONDS"] = str(BODY_IDLE_SECONDS)
    try:
        server = LiveServer(tmp_path_factory.mktemp("limits") / "data").start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield server
    server.stop()


def raw(live: LiveServer, data: bytes, wait: float = 10) -> tuple[bytes, float]:
    """Send `data`, then read until the server closes; what came back and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port), timeout=wait) as sock:
        if data:
            sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received, time.monotonic() - started


def test_a_head_over_the_limit_is_431(live):
    big = b"x" * (MAX_HEAD_BYTES + 100)
    answer, _ = raw(live, b"GET /api/health HTTP/1.1\r\nHost: a\r\nX-Big: " + big + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"y" * 200) for i in range(200))
    answer, _ = raw(live, b"GET /api/health HTTP/1.1\r\nHost: a\r\n" + many + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]
    answer, _ = raw(live, b"GET /" + big + b" HTTP/1.1\r\nHost: a\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431"), answer[:100]


def test_a_head_just_under_the_limit_is_served(live):
    fill = b"z" * (MAX_HEAD_BYTES - 200)
    response = httpx.get(f"{live.base}/api/health", headers={"X-Fill": fill.decode()})
    assert response.status_code == 200


def test_a_head_sent_too_slowly_is_408(live):
    answer, took = raw(live, b"GET /api/health HTTP/1.1\r\nHost: a\r\n")  # never finished
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert HEAD_SECONDS - 0.2 < took < HEAD_SECONDS + 5
    answer, took = raw(live, b"")  # a connection that never says anything
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]


def test_a_trickled_head_is_cut_even_though_bytes_keep_coming(live):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        closed = False
        for i in range(40):  # one header line every 0.2 s: slowloris
            try:
                sock.sendall(b"X-Slow-%d: 1\r\n" % i)
            except OSError:
                closed = True
                break
            time.sleep(0.2)
        answer = sock.recv(65536) if not closed else b""
    assert closed or answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert time.monotonic() - started < HEAD_SECONDS + 5


def test_a_stalled_upload_is_cut_and_a_slow_one_is_not(live):
    token = httpx.post(
        f"{live.base}/api/login", json={"username": "officer", "password": "demo"}
    ).json()["token"]
    head = (
        f"PUT /api/photos/{'0' * 64} HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: image/jpeg\r\nContent-Length: 1000\r\n\r\n"
    ).encode()
    answer, took = raw(live, head + b"\xff\xd8\xff" + b"0" * 100)  # then nothing
    assert took < BODY_IDLE_SECONDS + 5
    assert b"200 OK" not in answer and b"201" not in answer
    # Bytes every second (under the idle limit) are a slow tablet, not a stalled one: the body
    # arrives whole and is judged on its content (not an image), not cut.
    body = b"not an image at all, " * 4
    slow_head = head.replace(
        b"Content-Length: 1000", b"Connection: close\r\nContent-Length: %d" % len(body)
    )
    with socket.create_connection(("127.0.0.1", live.port), timeout=15) as sock:
        sock.sendall(slow_head)
        for i in range(0, len(body), len(body) // 3 + 1):
            time.sleep(1.0)
            sock.sendall(body[i : i + len(body) // 3 + 1])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 4"), answer[:200]
    assert b"sha256" in answer or b"image" in answer, answer[:400]


def test_the_server_still_answers_everyone_else(live):
    held = [socket.create_connection(("127.0.0.1", live.port)) for _ in range(50)]
    try:
        for sock in held:
            sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        assert httpx.get(f"{live.base}/api/health", timeout=5).status_code == 200
    finally:
        for sock in held:
            sock.close()
