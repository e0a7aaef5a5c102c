"""The real server: `genba serve --demo` in its own process on a free port, spoken to over HTTP."""

import httpx
import pytest

from live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e") / "data").start()
    yield live.base
    live.stop()


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
