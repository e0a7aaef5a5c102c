"""/api/health for monitors: public and cheap; 200 with the facts when the database answers and
the data dir's disk has room, 503 with the same fields when not; HEAD answers the status alone."""

from __future__ import annotations

import json
import sqlite3
import time

import httpx
import pytest
from litestar.testing import TestClient

from conftest import CHECKLISTS
from live import LiveServer
from server.app import create_app
from server.core.settings import Settings, settings_from_env

FIELDS = {"status", "version", "database", "disk_free_bytes", "disk_free_ok", "uptime_s"}


def test_a_healthy_server_says_so_without_a_token(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FIELDS  # nothing else: no names, paths or counts of people
    assert body["status"] == "ok" and body["database"] == "ok" and body["disk_free_ok"] is True
    assert body["disk_free_bytes"] > 0 and body["uptime_s"] >= 0 and body["version"]


def test_head_answers_the_status_alone(client):
    response = client.head("/api/health")
    assert response.status_code == 200 and response.content == b""


def test_head_on_the_site_answers_as_get_does(client):
    # Uptime monitors and load balancers ask HEAD / (Litestar's html_mode alone gave 405).
    for path in ("/", "/index.html"):
        got, head = client.get(path), client.head(path)
        assert (got.status_code, head.status_code) == (200, 200), path
        assert head.content == b""
        assert head.headers["content-length"] == str(len(got.content)), path
        assert head.headers["cache-control"] == got.headers["cache-control"] == "no-cache"
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"]
        assert head.headers["content-disposition"] == got.headers["content-disposition"], path
    assert client.head("/").headers["content-type"] == client.get("/").headers["content-type"]


def test_a_nearly_full_disk_is_503(tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data",
        checklists_dir=CHECKLISTS,
        password_cost="test",
        min_free_disk_bytes=10**18,
    )
    app = create_app(settings)
    try:
        with TestClient(app=app) as client:
            response = client.get("/api/health")
            assert response.status_code == 503
            body = response.json()
            assert body["status"] == "fail" and body["database"] == "ok"
            assert body["disk_free_ok"] is False and body["disk_free_bytes"] > 0
            assert "disk" in body["detail"] and str(tmp_path) not in response.text
            assert client.head("/api/health").status_code == 503
    finally:
        app.state.store.close()


class Unreachable:
    def execute(self, *args):
        raise sqlite3.OperationalError("unable to open database file /srv/secret/genba.db")


def test_a_database_that_does_not_answer_is_503(app, client, monkeypatch):
    monkeypatch.setattr(app.state.store, "read", lambda: Unreachable())
    response = client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["database"] == "error"
    assert body["disk_free_ok"] is True
    assert "/srv/secret" not in response.text  # the error stays in the server's log
    assert client.head("/api/health").status_code == 503


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GENBA_MIN_FREE_DISK", "12345")
    monkeypatch.setenv("GENBA_LOG_FILE", str(tmp_path / "requests.log"))
    settings = settings_from_env()
    assert settings.min_free_disk_bytes == 12345
    assert settings.log_file == tmp_path / "requests.log"
    assert Settings().min_free_disk_bytes == 1_000_000_000 and Settings().log_file is None


@pytest.mark.e2e
def test_a_live_server_with_a_high_threshold_answers_503(tmp_path, monkeypatch):
    """`genba serve` with GENBA_MIN_FREE_DISK above any disk: monitors see 503. Its request
    lines go to standard output (no --log-file) as JSON, and uvicorn's access log is off."""
    monkeypatch.setenv("GENBA_MIN_FREE_DISK", str(10**18))
    live = LiveServer(tmp_path / "data")
    try:
        response = live.start(healthy=False).health
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "fail" and body["disk_free_ok"] is False
        assert httpx.head(f"{live.base}/api/health").status_code == 503

        def health_lines() -> list[dict]:
            output = live.output()
            lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
            return [line for line in lines if line["path"] == "/api/health"]

        deadline = time.monotonic() + 5  # each line is written once its answer has gone out
        while {line["method"] for line in health_lines()} != {"GET", "HEAD"}:
            assert time.monotonic() < deadline, health_lines()
            time.sleep(0.05)
        health, output = health_lines(), live.output()
        assert len(health) >= 2 and all(line["status"] == 503 for line in health)
        assert {line["method"] for line in health} == {"GET", "HEAD"}
        assert "HTTP/1.1" not in output  # uvicorn's access log is off: ours replaces it
    finally:
        live.stop()
