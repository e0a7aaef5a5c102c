"""PUT /api/audits/{uuid}: new, replayed, revised and conflicting revisions."""

import json
import uuid

from conftest import audit_body, login


def _put(client, headers, body, audit_id=None):
    audit_id = audit_id or str(uuid.uuid4())
    return audit_id, client.put(f"/api/audits/{audit_id}", json=body, headers=headers)


def _count(app, table):
    return app.state.store.read().execute(f"select count(*) from {table}").fetchone()[0]


def test_new_audit_is_201_with_the_contract_fields(client, officer):
    audit_id, response = _put(client, officer, audit_body(client, officer))
    assert response.status_code == 201
    body = response.json()
    assert {"id", "revision", "status", "complete", "missing_photos", "score"} <= set(body)
    assert body["id"] == audit_id and body["revision"] == 1 and body["complete"] is True
    assert body["score"]["percent"] == 100.0
    assert set(body["score"]["sections"]) == {
        "sort",
        "set-in-order",
        "shine",
        "standardize",
        "sustain",
        "safety",
    }
    assert {"percent", "earned", "possible"} <= set(body["score"]["sections"]["sort"])


def test_byte_for_byte_replay_stores_nothing(client, app, officer):
    raw = json.dumps(audit_body(client, officer)).encode()
    audit_id = str(uuid.uuid4())
    first = client.put(f"/api/audits/{audit_id}", content=raw, headers=officer)
    counts = [_count(app, t) for t in ("audits", "audit_revisions", "events")]
    again = client.put(f"/api/audits/{audit_id}", content=raw, headers=officer)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert [_count(app, t) for t in ("audits", "audit_revisions", "events")] == counts


def test_semantically_identical_replay_is_200(client, app, officer):
    body = audit_body(client, officer)
    audit_id, _ = _put(client, officer, body)
    reordered = dict(reversed(list(body.items())))
    reordered["answers"] = dict(reversed(list(body["answers"].items())))
    reordered["started_at"] = body["started_at"].replace("Z", "+00:00")
    _, again = _put(client, officer, reordered, audit_id)
    assert again.status_code == 200 and again.json()["revision"] == 1
    assert _count(app, "audit_revisions") == 1


def test_edit_on_the_current_revision_makes_a_new_one(client, app, officer):
    body = audit_body(client, officer, status="draft")
    audit_id, _ = _put(client, officer, body)
    first_item = next(iter(body["answers"]))
    edited = {**body, "base_revision": 1}
    edited["answers"] = {**body["answers"], first_item: {"value": 3, "note": "", "photos": []}}
    _, response = _put(client, officer, edited, audit_id)
    assert response.status_code == 200 and response.json()["revision"] == 2
    revisions = (
        app.state.store.read()
        .execute(
            "select revision from audit_revisions where audit_id = ? order by revision", [audit_id]
        )
        .fetchall()
    )
    assert [r[0] for r in revisions] == [1, 2]


def test_stale_or_missing_base_revision_is_409_with_the_server_copy(client, app, officer):
    body = audit_body(client, officer, status="draft")
    audit_id, _ = _put(client, officer, body)
    changed = {**body, "base_revision": 1, "answers": {**body["answers"]}}
    changed["answers"].pop(next(iter(body["answers"])))
    _put(client, officer, changed, audit_id)  # now at revision 2
    for base in (None, 1, 7):
        other = {**body, "base_revision": base, "answers": {}}
        _, response = _put(client, officer, other, audit_id)
        assert response.status_code == 409, base
        assert response.json()["current"]["revision"] == 2
        assert response.json()["current"]["answers"] == changed["answers"]
    assert _count(app, "audit_revisions") == 2


def test_submitted_audit_waits_for_review(client, officer):
    body = audit_body(client, officer)
    audit_id, _ = _put(client, officer, body)
    _, response = _put(client, officer, {**body, "status": "draft", "base_revision": 1}, audit_id)
    assert response.status_code == 409
    assert "returns it" in response.json()["detail"]


def test_another_officers_audit_cannot_be_overwritten(client, officer, supervisor):
    body = audit_body(client, officer, zone_id="east-workshop", zone_kind="workshop")
    audit_id, _ = _put(client, officer, body)
    other = login(client, "officer2")
    _, response = _put(client, other, {**body, "base_revision": 1, "answers": {}}, audit_id)
    assert response.status_code == 404, "another officer may not see it: not found, not 403"
    assert "belongs" not in response.text
    _, response = _put(client, supervisor, {**body, "base_revision": 1}, audit_id)
    assert response.status_code == 403, "a supervisor sees it but does not write it"


def test_audit_id_must_be_a_uuid(client, officer):
    body = audit_body(client, officer)
    for bad in ["not-a-uuid", "..%2F..%2Fetc", "x" * 1000]:
        response = client.put(f"/api/audits/{bad}", json=body, headers=officer)
        assert response.status_code in (400, 404), bad
        assert response.status_code != 500


def test_uuid_case_does_not_make_a_second_audit(client, app, officer):
    body = audit_body(client, officer)
    audit_id = str(uuid.uuid4())
    _put(client, officer, body, audit_id)
    _, again = _put(client, officer, body, audit_id.upper())
    assert again.status_code == 200 and _count(app, "audits") == 1


def test_get_returns_body_score_and_review(client, officer):
    body = audit_body(client, officer)
    audit_id, _ = _put(client, officer, body)
    got = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    for key in ("checklist_id", "checklist_version", "zone_id", "status", "answers"):
        assert got[key] == body[key]
    assert got["revision"] == 1 and got["review"] is None and got["score"]["percent"] == 100.0


def test_a_draft_the_server_has_can_be_discarded_once(client, officer, supervisor):
    draft = audit_body(client, officer, status="draft")
    audit_id, _ = _put(client, officer, draft)
    gone = {**draft, "status": "discarded", "base_revision": 1}
    _, response = _put(client, officer, gone, audit_id)
    assert response.status_code == 200 and response.json()["status"] == "discarded"
    _, replay = _put(client, officer, gone, audit_id)
    assert replay.status_code == 200 and replay.json()["revision"] == 2
    _, edit = _put(client, officer, {**draft, "base_revision": 2}, audit_id)
    assert edit.status_code == 409 and "discarded" in edit.json()["detail"]
    listed = client.get("/api/audits", headers=supervisor).json()["audits"]
    assert audit_id not in {a["id"] for a in listed}, "kept, but out of every list"
    only = client.get("/api/audits?status=discarded", headers=supervisor).json()["audits"]
    assert [a["id"] for a in only] == [audit_id]


def test_only_drafts_are_discarded(client, officer, supervisor):
    fresh = {**audit_body(client, officer, status="draft"), "status": "discarded"}
    _, response = _put(client, officer, fresh)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "$.status"
    body = audit_body(client, officer)
    audit_id, _ = _put(client, officer, body)
    client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "redo"},
        headers=supervisor,
    )
    _, response = _put(
        client, officer, {**body, "status": "discarded", "base_revision": 1}, audit_id
    )
    assert response.status_code == 409 and "returned" in response.json()["detail"]
