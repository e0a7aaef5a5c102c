"""Setting up a real company over the API: sites, zones, staff, owners with their history."""

import uuid

import pytest

from conftest import audit_body, iso_ago, site_supervisor, token_headers
from server.ops.verify import problems

ZONE = {
    "id": "hq-wash",
    "site_id": "hq",
    "name": "洗车区",
    "name_en": "Wash bay",
    "kind": "workshop",
}


def _zone(**fields):
    return {**ZONE, "checklist_ids": ["6s-zone", "facility-daily"], **fields}


def _verify(app):
    return problems(app.state.store, app.state.settings)


def test_sites_zones_and_staff_are_created_changed_and_retired(client, app, admin):
    assert (
        client.post("/api/sites", json={"id": "west", "name": "西区店"}, headers=admin).status_code
        == 201
    )
    assert client.post("/api/zones", json=_zone(site_id="west"), headers=admin).status_code == 201
    staff = {"id": "s-wu", "name": "吴刚", "employee_no": "HD0100", "site_id": "west"}
    assert client.post("/api/staff", json=staff, headers=admin).status_code == 201
    changed = client.patch(
        "/api/zones/hq-wash", json={"name": "洗车房", "active": False}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    listed = {z["id"]: z for z in client.get("/api/zones", headers=admin).json()}
    assert listed["hq-wash"]["name"] == "洗车房", "retired, not deleted"
    boot = client.get("/api/bootstrap", headers=admin).json()
    zones = {z["id"]: z for s in boot["sites"] for z in s["zones"]}
    assert zones["hq-wash"]["active"] is False, "tablets list only active zones"
    assert _verify(app) == []
    actions = [
        r[0]
        for r in app.state.store.read().execute(
            "select action from events where entity_id in ('west', 'hq-wash', 's-wu') order by seq"
        )
    ]
    assert actions == ["site.save", "zone.save", "staff.save", "zone.save"]


def test_only_admins_set_up(client, app, supervisor, officer):
    for headers in (supervisor, officer):
        assert client.get("/api/zones", headers=headers).status_code == 403
        assert (
            client.post("/api/sites", json={"id": "x", "name": "x"}, headers=headers).status_code
            == 403
        )


def test_an_admin_of_one_site_sets_up_that_site_only(client, app, admin):
    body = {"username": "east.admin", "password": "demo1", "role": "admin", "site_ids": ["east"]}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    east = token_headers(app, "east.admin")
    assert {z["site_id"] for z in client.get("/api/zones", headers=east).json()} == {"east"}
    assert client.patch("/api/zones/hq-office", json={"name": "x"}, headers=east).status_code == 404
    assert client.get("/api/zones/hq-office/owners", headers=east).status_code == 404
    assert client.post("/api/sites", json={"id": "y", "name": "y"}, headers=east).status_code == 403
    moved = client.patch("/api/zones/east-store", json={"site_id": "hq"}, headers=east)
    assert moved.status_code == 422


BAD = [
    ("post", "/api/zones", _zone(id="hq-office"), 409, None),
    ("post", "/api/zones", _zone(kind="garage"), 422, "$.kind"),
    ("post", "/api/zones", _zone(checklist_ids=["goods-receiving"]), 422, "$.checklist_ids[0]"),
    ("post", "/api/zones", _zone(checklist_ids=["nope"]), 422, "$.checklist_ids[0]"),
    ("post", "/api/zones", _zone(site_id="mars"), 422, "$.site_id"),
    ("post", "/api/zones", _zone(id="Bad Id"), 400, "$.id"),
    ("post", "/api/zones", {**_zone(), "colour": "red"}, 400, "$"),
    ("post", "/api/sites", {"id": "hq", "name": "again"}, 409, None),
    ("post", "/api/staff", {"id": "s-new", "name": "新人", "employee_no": "HD0001"}, 409, None),
    ("post", "/api/staff", {"id": "s-wang", "name": "again"}, 409, None),
    ("patch", "/api/zones/hq-parts", {"kind": "office"}, 422, "$.checklist_ids[1]"),
    ("patch", "/api/sites/hq", {"active": False}, 409, None),
    ("patch", "/api/staff/s-wang", {"active": False}, 409, None),
    ("patch", "/api/zones/nope", {"name": "x"}, 404, None),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "where"), BAD)
def test_bad_set_up_is_refused_naming_what_and_where(
    client, app, admin, method, path, body, status, where
):
    before = app.state.store.read().execute("select count(*) from events").fetchone()[0]
    response = client.request(method.upper(), path, json=body, headers=admin)
    assert response.status_code == status, response.text
    if where:
        assert response.json()["errors"][0]["path"] == where
    after = app.state.store.read().execute("select count(*) from events").fetchone()[0]
    assert after == before, "nothing written"


OWNER_BAD = [
    ({"from": "2026-11-15", "owners": [{"staff_id": "s-liu", "share": 60}]}, "$.owners"),
    ({"from": "2026-11-15", "owners": [{"staff_id": "s-nobody"}]}, "$.owners[0].staff_id"),
    ({"from": "2026-02-30", "owners": []}, "$.from"),
    ({"from": "1999-12-31", "owners": [{"staff_id": "s-liu"}]}, "$.from"),
    ({"from": "2026-11-15", "owners": [{"staff_id": "s-liu"}, {"staff_id": "s-liu"}]}, "$.owners"),
]


@pytest.mark.parametrize(("body", "where"), OWNER_BAD)
def test_bad_owner_periods_are_refused(client, admin, body, where):
    response = client.put("/api/zones/hq-office/owners", json=body, headers=admin)
    assert response.status_code in (400, 422), response.text
    assert response.json()["errors"][0]["path"] == where
    periods = client.get("/api/zones/hq-office/owners", headers=admin).json()
    assert len(periods) == 1, "nothing half-written"


def test_a_retired_staff_member_cannot_become_an_owner(client, admin):
    staff = {"id": "s-gone", "name": "离职", "active": False}
    assert client.post("/api/staff", json=staff, headers=admin).status_code == 201
    body = {"from": "2026-12-01", "owners": [{"staff_id": "s-gone"}]}
    response = client.put("/api/zones/hq-office/owners", json=body, headers=admin)
    assert response.status_code == 422 and "retired" in response.json()["detail"]


def test_owners_have_a_history_and_the_bootstrap_shows_todays_main_owner(client, app, admin):
    shared = {
        "from": "2026-01-01",
        "owners": [{"staff_id": "s-zhao", "share": 30}, {"staff_id": "s-liu", "share": 70}],
    }
    assert client.put("/api/zones/hq-office/owners", json=shared, headers=admin).status_code == 200
    later = {"from": "2099-01-01", "owners": [{"staff_id": "s-zhao"}]}
    periods = client.put("/api/zones/hq-office/owners", json=later, headers=admin).json()
    assert [(p["from"], p["to"]) for p in periods] == [
        ("2000-01-01", "2025-12-31"),
        ("2026-01-01", "2098-12-31"),
        ("2099-01-01", None),
    ]
    boot = client.get("/api/bootstrap", headers=admin).json()
    office = next(z for s in boot["sites"] for z in s["zones"] if z["id"] == "hq-office")
    assert office["owner_id"] == "s-liu", "the largest share today"
    # The same period again changes nothing; its date again corrects it.
    again = client.put("/api/zones/hq-office/owners", json=later, headers=admin)
    assert again.json() == periods
    fixed = {"from": "2099-01-01", "owners": []}
    assert (
        client.put("/api/zones/hq-office/owners", json=fixed, headers=admin).json()[-1]["owners"]
        == []
    )
    assert _verify(app) == []


def test_an_owner_change_mid_month_splits_the_month(client, app, officer, supervisor, admin):
    """Audits before the change count for the old owner, after it for the new one."""
    ids = {}
    for when, hours in (("before", 24 * 6), ("after", 1)):
        body = audit_body(client, officer)
        body["started_at"] = iso_ago(hours=hours + 1)
        body["submitted_at"] = iso_ago(hours=hours)
        ids[when] = str(uuid.uuid4())
        response = client.put(f"/api/audits/{ids[when]}", json=body, headers=officer)
        assert response.status_code == 201
        ids[when + "_day"] = response.json()["day"]
        client.post(
            f"/api/audits/{ids[when]}/review", json={"decision": "approve"}, headers=supervisor
        )
    assert ids["before_day"] < ids["after_day"]
    change = {"from": ids["after_day"], "owners": [{"staff_id": "s-zhao"}]}
    assert client.put("/api/zones/hq-office/owners", json=change, headers=admin).status_code == 200
    for when, owner, other in (("before", "s-liu", "s-zhao"), ("after", "s-zhao", "s-liu")):
        month = ids[when + "_day"][:7]
        rows = {
            r["staff_id"]: r
            for r in client.get(f"/api/appraisal?month={month}", headers=admin).json()["rows"]
        }
        assert ids[when] in rows[owner]["audit_ids"]
        assert ids[when] not in rows[other]["audit_ids"]


def test_moving_a_zone_to_another_site_moves_its_audits(client, app, officer, admin):
    east_boss = site_supervisor(client, admin, "east.boss", "east")
    audit_id = str(uuid.uuid4())
    client.put(f"/api/audits/{audit_id}", json=audit_body(client, officer), headers=officer)
    assert (
        client.patch("/api/zones/hq-office", json={"site_id": "east"}, headers=admin).status_code
        == 200
    )
    assert client.get(f"/api/audits/{audit_id}", headers=east_boss).json()["site_id"] == "east"
    assert _verify(app) == []


def test_an_audit_of_a_zone_retired_meanwhile_still_syncs_and_is_flagged(
    client, app, officer, admin
):
    body = audit_body(client, officer, zone_id="hq-lounge", zone_kind="lounge")
    assert (
        client.patch("/api/zones/hq-lounge", json={"active": False}, headers=admin).status_code
        == 200
    )
    response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=officer)
    assert response.status_code == 201, response.text
    assert "retired" in response.json()["zone_flag"]
    assert _verify(app) == []


TAMPER = [
    ("update sites set name = 'x' where id = 'hq'", "sites hq"),
    ("update zones set kind = 'office' where id = 'hq-workshop'", "zones hq-workshop"),
    ("update staff set employee_no = 'X1' where id = 's-wang'", "staff s-wang"),
    ("update zone_owners set staff_id = 's-he' where zone_id = 'hq-parts'", "zone hq-parts"),
    ("insert into staff (id, name, active) values ('s-ghost', 'ghost', 1)", "staff s-ghost"),
]


@pytest.mark.parametrize(("statement", "named"), TAMPER)
def test_verify_catches_set_up_changed_behind_the_apps_back(app, statement, named):
    with app.state.store.write() as db:
        db.execute(statement)
    assert any(named in p for p in _verify(app)), _verify(app)


def test_names_with_control_characters_are_refused_and_exports_survive_them(client, app, admin):
    bad = {"id": "s-ctl", "name": "王\x07五"}
    response = client.post("/api/staff", json=bad, headers=admin)
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "$.name"
    # Rows from before the rule (or typed in SQLite) still export: the workbook drops them.
    with app.state.store.write() as db:
        db.execute("update staff set name = '赵\x01静' where id = 's-zhao'")
    response = client.get("/api/appraisal?month=2026-01&format=xlsx", headers=admin)
    assert response.status_code == 200


def test_a_new_zone_has_no_owners_until_given_some(client, admin):
    assert client.post("/api/zones", json=_zone(), headers=admin).status_code == 201
    assert client.get("/api/zones/hq-wash/owners", headers=admin).json() == []
    boot = client.get("/api/bootstrap", headers=admin).json()
    wash = next(z for s in boot["sites"] for z in s["zones"] if z["id"] == "hq-wash")
    assert wash["owner_id"] is None
