"""Managing users: PATCH /api/users/{id}, `genba user disable|passwd`; sessions end at once."""

import subprocess
import sys

import httpx
import pytest

from conftest import login, token_headers
from live import LiveServer


def _id(client, admin, username):
    return next(
        u["id"] for u in client.get("/api/users", headers=admin).json() if u["username"] == username
    )


def _patch(client, admin, username, **fields):
    return client.patch(f"/api/users/{_id(client, admin, username)}", json=fields, headers=admin)


def test_disabling_a_user_ends_their_cached_sessions_at_once(client, app, admin):
    tablet = token_headers(app, "officer")
    assert client.get("/api/me", headers=tablet).status_code == 200  # now cached
    response = _patch(client, admin, "officer", active=False)
    assert response.status_code == 200 and response.json()["active"] is False
    assert response.json()["sessions_ended"] >= 1
    assert client.get("/api/me", headers=tablet).status_code == 401
    refused = client.post("/api/login", json={"username": "officer", "password": "demo"})
    assert refused.status_code == 401
    assert _patch(client, admin, "officer", active=True).status_code == 200
    assert login(client, "officer")


def test_a_new_password_ends_old_sessions_and_works(client, app, admin):
    tablet = token_headers(app, "officer")
    client.get("/api/me", headers=tablet)
    assert _patch(client, admin, "officer", password="n3w-pass").status_code == 200
    assert client.get("/api/me", headers=tablet).status_code == 401
    assert (
        client.post("/api/login", json={"username": "officer", "password": "demo"}).status_code
        == 401
    )
    assert login(client, "officer", "n3w-pass")


def test_role_and_sites_change_on_the_next_request(client, app, admin):
    tablet = token_headers(app, "supervisor")
    assert len(client.get("/api/bootstrap", headers=tablet).json()["sites"]) == 2
    assert _patch(client, admin, "supervisor", site_ids=["east"]).status_code == 200
    assert [s["id"] for s in client.get("/api/bootstrap", headers=tablet).json()["sites"]] == [
        "east"
    ]
    assert _patch(client, admin, "supervisor", role="officer").status_code == 200
    assert client.get("/api/appraisal?month=2026-01", headers=tablet).status_code == 403
    assert _patch(client, admin, "supervisor", site_ids=None).status_code == 200
    assert len(client.get("/api/bootstrap", headers=tablet).json()["sites"]) == 2


def test_empty_site_list_is_refused_not_unrestricted(client, admin):
    new = {"username": "nobody.sites", "password": "demo1", "role": "supervisor", "site_ids": []}
    response = client.post("/api/users", json=new, headers=admin)
    assert response.status_code == 422 and "site_ids" in response.json()["detail"]
    response = _patch(client, admin, "officer2", site_ids=[])
    assert response.status_code == 422
    assert client.get("/api/users", headers=admin).json()[1]["site_ids"] == ["east"]


def test_patch_refuses_bad_fields_and_unknown_users(client, admin, officer):
    cases = [
        ({"role": "king"}, 400),
        ({"password": "ab"}, 400),
        ({"staff_id": "s-nobody"}, 422),
        ({"site_ids": ["mars"]}, 422),
        ({"shoe_size": 42}, 400),
    ]
    for body, status in cases:
        assert _patch(client, admin, "officer2", **body).status_code == status, body
    assert (
        client.patch("/api/users/999999", json={"active": False}, headers=admin).status_code == 404
    )
    assert client.patch("/api/users/1", json={"active": False}, headers=officer).status_code == 403


def test_changes_are_in_the_event_log_without_the_password(client, app, admin):
    _patch(client, admin, "officer2", password="s3cret-pw", role="supervisor")
    rows = (
        app.state.store.read()
        .execute("select actor, detail from events where action = 'user.change'")
        .fetchall()
    )
    assert rows and rows[-1][0] == "admin"
    assert "s3cret-pw" not in rows[-1][1] and "supervisor" in rows[-1][1]


def _genba(*args, stdin=""):
    command = [sys.executable, "-m", "server", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)


@pytest.mark.e2e
def test_cli_disable_and_passwd_end_a_running_servers_sessions(tmp_path):
    server = LiveServer(tmp_path / "data").start()
    try:
        tablet = server.login("officer")
        me = f"{server.base}/api/me"
        assert httpx.get(me, headers=tablet).status_code == 200  # cached in the server now
        data = str(tmp_path / "data")
        disabled = _genba("user", "disable", "officer", "--data", data)
        assert disabled.returncode == 0 and "sessions ended" in disabled.stdout, disabled.stderr
        assert httpx.get(me, headers=tablet).status_code == 401
        assert _genba("user", "enable", "officer", "--data", data).returncode == 0
        tablet = server.login("officer")
        assert httpx.get(me, headers=tablet).status_code == 200
        changed = _genba("user", "passwd", "officer", "--data", data, stdin="fresh-pw\n")
        assert changed.returncode == 0, changed.stderr
        assert httpx.get(me, headers=tablet).status_code == 401
        assert server.login("officer", "fresh-pw")
        unknown = _genba("user", "disable", "nobody", "--data", data)
        assert unknown.returncode == 1 and "no user 'nobody'" in unknown.stderr
    finally:
        server.stop()
