"""The real server: `genba serve --demo` in its own process on a free port, spoken to over HTTP."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    data = tmp_path_factory.mktemp("e2e") / "data"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--demo",
            "--data",
            str(data),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "GENBA_DATA": ""},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("server did not start: " + process.stdout.read().decode(errors="replace"))
    yield base
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)


def test_health_over_http(server):
    assert httpx.get(f"{server}/api/health").json()["status"] == "ok"


def test_pwa_is_served_at_root(server):
    response = httpx.get(f"{server}/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.text


def test_sign_in_and_bootstrap_over_http(server):
    token = httpx.post(f"{server}/api/login", json={"username": "officer", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    body = httpx.get(f"{server}/api/bootstrap", headers=headers).json()
    assert {c["id"] for c in body["checklists"]} >= {"6s-zone", "vehicle-handover"}
    assert any(z["kind"] == "showroom" for s in body["sites"] for z in s["zones"])


def test_openapi_schema_is_served(server):
    schema = httpx.get(f"{server}/api/schema/openapi.json").json()
    assert "/api/login" in schema["paths"] and "/api/bootstrap" in schema["paths"]


def test_huge_body_is_413(server):
    response = httpx.post(f"{server}/api/login", content=b"x" * 11_000_000)
    assert response.status_code == 413
