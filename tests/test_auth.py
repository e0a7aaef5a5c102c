from conftest import login


def test_login_returns_token_and_user(client):
    response = client.post("/api/login", json={"username": "officer", "password": "demo"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["token"]) >= 32
    assert set(body["user"]) == {"id", "username", "name", "role", "staff_id", "site_ids"}
    assert body["user"]["username"] == "officer" and body["user"]["role"] == "officer"
    # The staff member they are (so the tablet knows which actions are theirs), every site.
    assert (body["user"]["staff_id"], body["user"]["site_ids"]) == ("s-he", None)
    limited = client.post("/api/login", json={"username": "officer2", "password": "demo"})
    assert limited.json()["user"]["site_ids"] == ["east"]


def test_wrong_password_and_unknown_user_are_401(client):
    for name, password in [("officer", "nope"), ("nobody", "demo")]:
        response = client.post("/api/login", json={"username": name, "password": password})
        assert response.status_code == 401
        assert "wrong username or password" in response.json()["detail"]


def test_token_works_until_logout(client, officer):
    assert client.get("/api/me", headers=officer).json()["username"] == "officer"
    assert client.post("/api/logout", headers=officer).status_code == 200
    response = client.get("/api/me", headers=officer)
    assert response.status_code == 401
    assert "sign in again" in response.json()["detail"]


def test_logout_revokes_only_that_token(client):
    tablet, phone = login(client, "officer"), login(client, "officer")
    client.post("/api/logout", headers=tablet)
    assert client.get("/api/me", headers=tablet).status_code == 401
    assert client.get("/api/me", headers=phone).status_code == 200


def test_api_needs_a_bearer_token(client):
    for headers in [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Bearer made-up"},
    ]:
        response = client.get("/api/bootstrap", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["detail"]


def test_repeated_failures_are_rate_limited(client):
    statuses = [
        client.post("/api/login", json={"username": "admin", "password": f"guess{i}"}).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]
    response = client.post("/api/login", json={"username": "admin", "password": "demo"})
    assert response.status_code == 429, "the right password must wait too"
    assert int(response.headers["retry-after"]) > 0


def test_login_bad_bodies_name_the_field(client):
    cases = [
        (b'{"username": 1, "password": "x"}', "$.username"),
        (b'{"username": "a"}', "$"),
        (b'{"username": "a", "password": "b", "extra": 1}', "$"),
        (b'{"username": "a", "pass', "$"),
        (b"[]", "$"),
        (b'{"username": "", "password": "x"}', "$.username"),
    ]
    for body, path in cases:
        response = client.post("/api/login", content=body)
        assert response.status_code == 400, body
        errors = response.json()["errors"]
        assert errors[0]["path"] == path, (body, errors)
        assert errors[0]["message"]


def test_roles_are_ordered(client, officer, supervisor, admin):
    assert client.get("/api/users", headers=officer).status_code == 403
    assert client.get("/api/users", headers=supervisor).status_code == 403
    response = client.get("/api/users", headers=admin)
    assert response.status_code == 200
    assert {u["username"] for u in response.json()} >= {"officer", "supervisor", "admin"}


def test_admin_revokes_a_lost_tablet(client, admin):
    tablet = login(client, "officer")
    officer_id = client.get("/api/me", headers=tablet).json()["id"]
    response = client.post(f"/api/users/{officer_id}/revoke", headers=admin)
    assert response.json()["revoked"] >= 1
    assert client.get("/api/me", headers=tablet).status_code == 401


def test_admin_adds_a_user_who_can_sign_in(client, admin):
    body = {"username": "wang.fang", "password": "s3cret", "role": "supervisor", "site_ids": ["hq"]}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    assert client.post("/api/users", json=body, headers=admin).status_code == 409
    bad = {**body, "username": "li", "site_ids": ["mars"]}
    response = client.post("/api/users", json=bad, headers=admin)
    assert response.status_code == 422 and "mars" in response.json()["detail"]
    assert login(client, "wang.fang", "s3cret")


def test_health_needs_no_token(client):
    response = client.get("/api/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_sign_ins_and_sign_outs_are_in_the_event_log(client, app):
    headers = login(client, "supervisor")
    client.post("/api/logout", headers=headers)
    actions = [
        r[0]
        for r in app.state.store.read().execute(
            "select action from events where actor = 'supervisor' order by seq"
        )
    ]
    assert actions == ["token.issue", "token.revoke"]
