from conftest import login


def test_bootstrap_has_the_contract_fields(client, officer):
    body = client.get("/api/bootstrap", headers=officer).json()
    assert set(body) >= {"checklists", "sites", "staff", "server_time"}
    zone = body["sites"][0]["zones"][0]
    assert set(zone) >= {"id", "name", "kind", "owner_id", "checklist_ids"}
    assert set(body["sites"][0]) >= {"id", "name", "zones"}
    assert all(set(s) >= {"id", "name"} for s in body["staff"])


def test_bootstrap_carries_full_checklist_definitions(client, officer):
    checklists = client.get("/api/bootstrap", headers=officer).json()["checklists"]
    ids = {c["id"] for c in checklists}
    assert "6s-zone" in ids
    sixs = next(c for c in checklists if c["id"] == "6s-zone")
    item = sixs["sections"][0]["items"][0]
    assert {"id", "label", "type"} <= set(item)
    assert sixs["title"]["zh"] and sixs["title"]["en"]


def test_every_zone_owner_is_listed_staff(client, officer):
    body = client.get("/api/bootstrap", headers=officer).json()
    staff = {s["id"] for s in body["staff"]}
    zones = [z for site in body["sites"] for z in site["zones"]]
    assert zones and all(z["owner_id"] in staff for z in zones)


def test_etag_answers_304_when_nothing_changed(client, officer):
    first = client.get("/api/bootstrap", headers=officer)
    etag = first.headers["etag"]
    again = client.get("/api/bootstrap", headers={**officer, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/api/bootstrap", headers={**officer, "If-None-Match": 'W/"stale"'})
    assert other.status_code == 200


def test_etag_changes_when_the_data_does(client, app, officer):
    etag = client.get("/api/bootstrap", headers=officer).headers["etag"]
    with app.state.store.write() as db:
        db["zones"].update("hq-office", {"name": "新办公区"})
    response = client.get("/api/bootstrap", headers={**officer, "If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_site_limited_user_sees_only_their_sites(client):
    headers = login(client, "officer2")
    body = client.get("/api/bootstrap", headers=headers).json()
    assert [s["id"] for s in body["sites"]] == ["east"]
    assert {s["site_id"] for s in body["staff"]} <= {"east", None}


def test_unlimited_user_sees_every_site(client, officer):
    body = client.get("/api/bootstrap", headers=officer).json()
    assert {s["id"] for s in body["sites"]} == {"hq", "east"}


def test_zones_carry_their_last_audit_by_any_officer(client, supervisor):
    import uuid

    from conftest import audit_body

    other = login(client, "officer2")
    audit_id = str(uuid.uuid4())
    body = audit_body(client, other, zone_id="east-store", zone_kind="warehouse")
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=other).status_code == 201
    client.post(f"/api/audits/{audit_id}/review", json={"decision": "approve"}, headers=supervisor)
    officer = login(client, "officer")
    sites = client.get("/api/bootstrap", headers=officer).json()["sites"]
    zone = next(z for s in sites for z in s["zones"] if z["id"] == "east-store")
    (last,) = zone["last_audits"]
    assert last["checklist_id"] == "6s-zone" and last["status"] == "approved"
    assert last["percent"] == 100.0 and last["band"]["en"] == "Excellent"
    assert last["submitted_at"].startswith(body["submitted_at"][:16])
    hq = next(z for s in sites for z in s["zones"] if z["id"] == "hq-office")
    assert hq["last_audits"] == []
