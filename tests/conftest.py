"""Shared fixtures: a real SQLite file in a temp dir, an app built per test, signed-in clients."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHECKLISTS = ROOT / "checklists"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", checklists_dir=CHECKLISTS, demo=True)


@pytest.fixture
def app(settings: Settings):
    app = create_app(settings)
    yield app
    app.state.store.close()


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app=app) as client:
        yield client


def login(client: TestClient, username: str, password: str = "demo") -> dict:
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def officer(client) -> dict:
    return login(client, "officer")


@pytest.fixture
def supervisor(client) -> dict:
    return login(client, "supervisor")


@pytest.fixture
def admin(client) -> dict:
    return login(client, "admin")
