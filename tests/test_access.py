"""The access rule (server/access.py), driven through the API: what a caller may not see is 404
on reads and writes alike, 403 only for "you may see it, but not do this"."""

import uuid

import images
from conftest import audit_body, site_supervisor, token_headers
from images import sha
from server.ops.verify import problems


def _put(client, headers, body, audit_id=None):
    audit_id = audit_id or str(uuid.uuid4())
    return audit_id, client.put(f"/api/audits/{audit_id}", json=body, headers=headers)


def _review(client, headers, audit_id, decision="approve", comment=""):
    body = {"decision": decision, "comment": comment}
    return client.post(f"/api/audits/{audit_id}/review", json=body, headers=headers)


def _photo(client, headers, data):
    upload = {**headers, "Content-Type": "image/jpeg"}
    response = client.put(f"/api/photos/{sha(data)}", content=data, headers=upload)
    assert response.status_code in (200, 201), response.text
    return sha(data)


def _with_photo(client, headers, photo, zone_id="hq-office", zone_kind="office"):
    body = audit_body(client, headers, zone_id=zone_id, zone_kind=zone_kind, status="draft")
    first = next(iter(body["answers"]))
    body["answers"][first]["photos"] = [photo]
    return body


# --- an audit's site follows its zone ----------------------------------------------------


def test_audit_moved_onto_another_sites_zone_moves_with_it(client, app, officer, admin):
    hq_boss = site_supervisor(client, admin, "hq.boss", "hq")
    east_boss = site_supervisor(client, admin, "east.boss", "east")
    draft = audit_body(client, officer, zone_id="hq-workshop", zone_kind="workshop", status="draft")
    audit_id, first = _put(client, officer, draft)
    assert first.status_code == 201
    moved = audit_body(client, officer, zone_id="east-workshop", zone_kind="workshop")
    _, response = _put(client, officer, {**moved, "base_revision": 1}, audit_id)
    assert response.status_code == 200, response.text

    assert client.get(f"/api/audits/{audit_id}", headers=east_boss).json()["site_id"] == "east"
    assert client.get(f"/api/audits/{audit_id}", headers=hq_boss).status_code == 404
    assert _review(client, hq_boss, audit_id).status_code == 404
    assert _review(client, east_boss, audit_id).status_code == 200
    month = response.json()["month"]
    rows = client.get(f"/api/appraisal?month={month}", headers=admin).json()["rows"]
    counted = {r["staff_id"]: r["audit_ids"] for r in rows}
    assert audit_id in counted["s-sun"] and audit_id not in counted["s-wang"]
    assert problems(app.state.store, app.state.settings) == []


def test_verify_reports_an_audit_whose_site_is_not_its_zones(client, app, officer):
    audit_id, _ = _put(client, officer, audit_body(client, officer))
    with app.state.store.write() as db:
        db.execute("update audits set site_id = 'east' where id = ?", [audit_id])
    assert any(
        audit_id in p and "site_id" in p for p in problems(app.state.store, app.state.settings)
    )


# --- writes by someone else -----------------------------------------------------------------


def test_writing_an_audit_you_cannot_see_is_404_and_says_nothing(client, officer, app):
    body = audit_body(client, officer)
    audit_id, _ = _put(client, officer, body)
    other = token_headers(app, "officer2")
    _, response = _put(client, other, {**body, "base_revision": 1}, audit_id)
    assert response.status_code == 404
    assert response.json()["detail"] == f"no audit {audit_id}", "nothing about whose it is"


# --- reviews --------------------------------------------------------------------------------


def test_nobody_reviews_their_own_audit(client, supervisor, admin):
    audit_id, response = _put(client, supervisor, audit_body(client, supervisor))
    assert response.status_code == 201
    refused = _review(client, supervisor, audit_id)
    assert refused.status_code == 403 and "you wrote" in refused.json()["detail"]
    assert _review(client, admin, audit_id).status_code == 200


def test_nobody_reviews_an_audit_of_a_zone_they_own(client, app, officer, admin):
    body = {"username": "liu", "password": "demo1", "role": "admin", "staff_id": "s-liu"}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    owner = token_headers(app, "liu")  # Liu Fang owns hq-office (责任人)
    office, _ = _put(client, officer, audit_body(client, officer))
    workshop, _ = _put(
        client, officer, audit_body(client, officer, zone_id="hq-workshop", zone_kind="workshop")
    )
    refused = _review(client, owner, office)
    assert refused.status_code == 403 and "zone you own" in refused.json()["detail"]
    assert _review(client, owner, office, "return", "fix").status_code == 403
    assert _review(client, owner, workshop).status_code == 200


def test_an_audit_waiting_for_photos_that_never_come_can_be_returned(client, officer, supervisor):
    missing = "f" * 64
    body = audit_body(client, officer)
    first = next(iter(body["answers"]))
    body["answers"][first]["photos"] = [missing]
    audit_id, response = _put(client, officer, body)
    assert response.json()["missing_photos"] == [missing]
    assert _review(client, supervisor, audit_id).status_code == 409
    returned = _review(client, supervisor, audit_id, "return", "照片没有上传，请重拍")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"


# --- photos ---------------------------------------------------------------------------------


def test_naming_another_users_photo_grants_nothing(client, app, officer, supervisor):
    theirs = _photo(client, officer, images.jpeg(size=(131, 60)))
    _put(client, officer, _with_photo(client, officer, theirs))
    intruder = token_headers(app, "officer2")
    east_boss = site_supervisor(client, token_headers(app, "admin"), "east.boss", "east")
    body = _with_photo(client, intruder, theirs, zone_id="east-store", zone_kind="warehouse")
    audit_id, response = _put(client, intruder, body)
    assert response.status_code == 201
    assert response.json()["missing_photos"] == [theirs], "not delivered by this officer"
    for who in (intruder, east_boss):
        assert client.get(f"/api/photos/{theirs}", headers=who).status_code == 404
        assert client.head(f"/api/photos/{theirs}?size=thumb", headers=who).status_code == 404
    assert client.get(f"/api/photos/{theirs}", headers=supervisor).status_code == 200


def test_missing_photos_does_not_tell_whether_a_hash_exists(client, officer, app):
    stored = _photo(client, officer, images.jpeg(size=(132, 60)))
    never = "e" * 64
    intruder = token_headers(app, "officer2")
    answers = []
    for photo in (stored, never):
        body = _with_photo(client, intruder, photo, zone_id="east-store", zone_kind="warehouse")
        _, response = _put(client, intruder, body)
        answers.append((response.json()["missing_photos"], response.json()["complete"]))
    assert answers == [([stored], False), ([never], False)]


def test_sending_the_bytes_proves_you_hold_the_photo(client, officer, app):
    data = images.jpeg(size=(133, 60))
    photo = _photo(client, officer, data)
    other = token_headers(app, "officer2")
    body = _with_photo(client, other, photo, zone_id="east-store", zone_kind="warehouse")
    audit_id, _ = _put(client, other, body)
    assert (
        client.put(
            f"/api/photos/{photo}", content=data, headers={**other, "Content-Type": "image/jpeg"}
        ).json()["created"]
        is False
    )
    assert client.get(f"/api/photos/{photo}", headers=other).status_code == 200
    view = client.get(f"/api/audits/{audit_id}", headers=other).json()
    assert view["missing_photos"] == []


def test_a_photo_read_through_an_earlier_audit_may_be_named_again(client, officer, supervisor):
    photo = _photo(client, officer, images.jpeg(size=(134, 60)))
    _put(client, officer, _with_photo(client, officer, photo))
    # The supervisor reads the officer's audit, so naming its photo again delivers it.
    _, response = _put(client, supervisor, _with_photo(client, supervisor, photo))
    assert response.json()["missing_photos"] == []


def test_an_unnamed_photo_is_its_uploaders_alone(client, officer, app, supervisor):
    photo = _photo(client, officer, images.jpeg(size=(135, 60)))
    assert client.get(f"/api/photos/{photo}", headers=officer).status_code == 200
    for username in ("admin", "supervisor", "officer2"):
        headers = token_headers(app, username)
        assert client.get(f"/api/photos/{photo}", headers=headers).status_code == 404, username


def test_a_site_limited_supervisor_reads_photos_of_their_sites_only(client, officer, admin):
    east_boss = site_supervisor(client, admin, "east.boss", "east")
    hq_boss = site_supervisor(client, admin, "hq.boss", "hq")
    photo = _photo(client, officer, images.jpeg(size=(136, 60)))
    _put(client, officer, _with_photo(client, officer, photo))
    assert client.get(f"/api/photos/{photo}", headers=hq_boss).status_code == 200
    assert client.get(f"/api/photos/{photo}", headers=east_boss).status_code == 404


def test_the_yes_no_answer_and_the_list_filter_agree(demo_app):
    """One rule, two forms: for every user and audit of the demo, `reads_audit` says yes
    exactly when `audits_filter` lists the audit, and `sees_site` when `sites_filter` does."""
    from server import access
    from server.people.users import User

    db = demo_app[0].state.store.read()
    rows = list(db.query("select * from audits"))
    assert len(rows) > 100
    users = [
        User(id=uid, username=f"u{uid}", name="u", role=role, site_ids=sites)
        for uid in (1, 2, 3, 99)
        for role in ("officer", "supervisor", "admin")
        for sites in (None, frozenset({"hq"}), frozenset({"east"}), frozenset({"hq", "east"}))
    ]
    for user in users:
        where, params = access.audits_filter(user)
        listed = {r[0] for r in db.execute(f"select id from audits where {where}", params)}
        assert listed == {r["id"] for r in rows if access.reads_audit(user, r)}, user
        where, params = access.sites_filter(user, "id")
        sites = {r[0] for r in db.execute(f"select id from sites where {where}", params)}
        assert sites == {s for s in ("hq", "east") if access.sees_site(user, s)}, user
