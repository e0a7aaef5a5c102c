"""Shared fixtures: a real SQLite file in a temp dir, an app built per test, signed-in clients."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.core.settings import Settings
from server.people.tokens import issue_token
from server.people.users import user_id_by_name

ROOT = Path(__file__).resolve().parent.parent
CHECKLISTS = ROOT / "checklists"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", checklists_dir=CHECKLISTS, demo=True, password_cost="test"
    )


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
    """Headers of a sign-in through POST /api/login, as a device does it."""
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def token_headers(app, username: str) -> dict:
    """Headers of a token issued directly: a signed-in user without the password check."""
    store = app.state.store
    token = issue_token(store, user_id_by_name(store, username), username, days=1)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def officer(app) -> dict:
    return token_headers(app, "officer")


@pytest.fixture
def supervisor(app) -> dict:
    return token_headers(app, "supervisor")


@pytest.fixture
def admin(app) -> dict:
    return token_headers(app, "admin")


def demo_with_audits(data_dir: Path) -> Settings:
    """Settings for the demo dealership with its eight weeks of audits and photos."""
    return Settings(
        data_dir=data_dir,
        checklists_dir=CHECKLISTS,
        demo=True,
        demo_audits=True,
        password_cost="test",
    )


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    """(app, client) on the demo with eight weeks of audits, built once per run (seconds).

    Shared by every test that reads it: tests that write may only add what no other reader
    counts (a user of their own, say).
    """
    app = create_app(demo_with_audits(tmp_path_factory.mktemp("demo-audits") / "data"))
    with TestClient(app=app) as client:
        yield app, client
    app.state.store.close()


def site_supervisor(client, admin: dict, username: str, site: str = "east") -> dict:
    """A supervisor limited to one site, signed in."""
    body = {"username": username, "password": "demo1", "role": "supervisor", "site_ids": [site]}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    return token_headers(client.app, username)


def upload_photo(client, headers, data: bytes) -> str:
    """PUT a photo's bytes as a device does; its sha256."""
    digest = hashlib.sha256(data).hexdigest()
    response = client.put(
        f"/api/photos/{digest}", content=data, headers={**headers, "Content-Type": "image/jpeg"}
    )
    assert response.status_code in (200, 201), response.text
    return digest


def iso_ago(**delta) -> str:
    """A device timestamp this long before now, as a browser writes it."""
    moment = datetime.now(UTC) - timedelta(**delta)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def latest_checklist(client, headers, checklist_id: str) -> dict:
    checklists = client.get("/api/bootstrap", headers=headers).json()["checklists"]
    return next(c for c in checklists if c["id"] == checklist_id)


def applicable_items(client, headers, checklist_id: str, zone_kind: str) -> list[dict]:
    checklist = latest_checklist(client, headers, checklist_id)
    return [
        item
        for section in checklist["sections"]
        for item in section["items"]
        if item.get("zone_kinds") is None or zone_kind in item["zone_kinds"]
    ]


def good_value(item: dict):
    """A passing answer for any item type."""
    kind = item["type"]
    if kind == "score":
        return item.get("max") or 4
    if kind == "pass_fail":
        return "pass"
    if kind == "number":
        low, high = item.get("min"), item.get("max")
        return low if low is not None else high
    if kind == "choice":
        options = [o for o in item["options"] if not o.get("fail")]
        return max(options, key=lambda o: o.get("score") or 0)["id"]
    if kind == "text":
        return "ok"
    return None


def best_value(item) -> object:
    """`good_value` of a parsed Item (server/checklists/format.py): its best answer."""
    return good_value(msgspec.to_builtins(item))


def audit_body(
    client,
    headers,
    zone_id="hq-office",
    zone_kind="office",
    checklist="6s-zone",
    status="submitted",
    photos=None,
) -> dict:
    """A complete, valid audit of every applicable item, all passing."""
    answers = {}
    for item in applicable_items(client, headers, checklist, zone_kind):
        answer = {"value": good_value(item), "note": "", "photos": []}
        if item["type"] == "photo" or item.get("photo", {}).get("required"):
            answer["photos"] = list(photos or [])
        answers[item["id"]] = answer
    return {
        "checklist_id": checklist,
        "checklist_version": latest_checklist(client, headers, checklist)["version"],
        "zone_id": zone_id,
        "started_at": iso_ago(hours=2),
        "submitted_at": iso_ago(hours=1) if status == "submitted" else None,
        "status": status,
        "base_revision": None,
        "answers": answers,
    }


# The slower tiers, by module, so a run can leave them out while working (e.g.
# `pytest -m "not browser"`); `make test` runs every tier. Single tests elsewhere that start
# the real server carry `@pytest.mark.e2e` themselves.
TIERS = {
    "e2e": {"test_server_e2e.py", "test_sync_e2e.py", "test_photos_e2e.py", "test_backup.py"},
    "fuzz": {"test_schema_fuzz.py", "test_audit_fuzz.py", "test_scoring_properties.py"},
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)
            # One pytest-xdist worker runs every browser test, in order, beside the others:
            # they share one demo server and wait more than they compute.
            item.add_marker(pytest.mark.xdist_group("browser"))
        for tier, modules in TIERS.items():
            if item.path.name in modules:
                item.add_marker(getattr(pytest.mark, tier))
