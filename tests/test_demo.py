from server.ops.demo import DEMO_PASSWORD, USERS, load_demo


def test_demo_users_sign_in(client):
    for username, role, *_ in USERS:
        response = client.post("/api/login", json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200
        assert response.json()["user"]["role"] == role


def test_demo_dealership_has_its_zones(app):
    db = app.state.store.read()
    kinds = {row["kind"] for row in db.query("select kind from zones where site_id = 'hq'")}
    assert kinds >= {"workshop", "warehouse", "showroom", "office", "lounge"}
    unowned = db.execute(
        "select count(*) from zones where id not in (select zone_id from zone_owners)"
    ).fetchone()[0]
    assert unowned == 0, "every demo zone has an owner (责任人)"


def test_zone_checklists_are_published(app):
    db = app.state.store.read()
    published = {r["checklist_id"] for r in db.query("select checklist_id from checklist_versions")}
    import json

    for row in db.query("select id, checklist_ids from zones"):
        assert set(json.loads(row["checklist_ids"])) <= published, row["id"]


def test_demo_loads_only_into_an_empty_data_dir(app):
    store = app.state.store
    assert load_demo(store, app.state.passwords) is False
    count = app.state.store.read().execute("select count(*) from users").fetchone()[0]
    assert count == len(USERS)


def test_demo_uses_the_area_packs(app):
    import json

    db = app.state.store.read()
    zones = {r["id"]: r for r in db.query("select id, kind, checklist_ids from zones")}
    expected = {
        "hq-reception": ("reception", {"service-reception", "service-delivery"}),
        "hq-paint": ("bodyshop", {"body-paint"}),
        "hq-yard": ("yard", {"stock-yard"}),
        "hq-workshop": ("workshop", {"nev-hv-bay", "6s-zone"}),
    }
    for zone_id, (kind, checklists) in expected.items():
        assert zones[zone_id]["kind"] == kind
        assert checklists <= set(json.loads(zones[zone_id]["checklist_ids"])), zone_id
