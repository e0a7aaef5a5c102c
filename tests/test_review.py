"""The audit lifecycle: draft, submitted, returned, approved; reviews by supervisors only."""

import uuid

from conftest import audit_body, iso_ago, login, site_supervisor


def _submit(client, officer, **kw):
    audit_id = str(uuid.uuid4())
    body = audit_body(client, officer, **kw)
    response = client.put(f"/api/audits/{audit_id}", json=body, headers=officer)
    assert response.status_code == 201, response.text
    return audit_id, body


def _review(client, headers, audit_id, decision, comment=""):
    return client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": decision, "comment": comment},
        headers=headers,
    )


def test_officer_cannot_review(client, officer):
    audit_id, _ = _submit(client, officer)
    assert _review(client, officer, audit_id, "approve").status_code == 403


def test_approve_freezes_the_audit(client, officer, supervisor):
    audit_id, body = _submit(client, officer)
    response = _review(client, supervisor, audit_id, "approve", "很好")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    review = response.json()["review"]
    assert review["decision"] == "approve" and review["comment"] == "很好" and review["by"]
    edit = client.put(
        f"/api/audits/{audit_id}", json={**body, "base_revision": 1, "answers": {}}, headers=officer
    )
    assert edit.status_code == 409 and edit.json()["current"]["status"] == "approved"
    assert _review(client, supervisor, audit_id, "return", "again").status_code == 409


def test_returned_audit_is_fixed_and_resubmitted(client, officer, supervisor):
    audit_id, body = _submit(client, officer)
    returned = _review(client, supervisor, audit_id, "return", "请补充整顿区照片")
    assert returned.json()["status"] == "returned"
    fixed = {**body, "base_revision": 1, "submitted_at": iso_ago(minutes=1)}
    response = client.put(f"/api/audits/{audit_id}", json=fixed, headers=officer)
    assert response.status_code == 200
    assert response.json()["status"] == "submitted" and response.json()["revision"] == 2
    assert _review(client, supervisor, audit_id, "approve").json()["status"] == "approved"


def test_return_needs_a_comment(client, officer, supervisor):
    audit_id, _ = _submit(client, officer)
    response = _review(client, supervisor, audit_id, "return", "  ")
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "$.comment"


def test_drafts_and_incomplete_audits_are_not_reviewed(client, officer, supervisor):
    draft_id, _ = _submit(client, officer, status="draft")
    assert _review(client, supervisor, draft_id, "approve").status_code == 409
    body = audit_body(client, officer)
    item = next(iter(body["answers"]))
    body["answers"][item]["photos"] = ["b" * 64]  # named, never uploaded
    audit_id = str(uuid.uuid4())
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
    response = _review(client, supervisor, audit_id, "approve")
    assert response.status_code == 409 and response.json()["missing_photos"] == ["b" * 64]


def test_bad_decision_is_400(client, officer, supervisor):
    audit_id, _ = _submit(client, officer)
    response = _review(client, supervisor, audit_id, "maybe")
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "$.decision"


def test_site_limited_supervisor_sees_only_their_site(client, officer, admin):
    east_boss = site_supervisor(client, admin, "east.boss")
    hq_audit, _ = _submit(client, officer)
    east_audit, _ = _submit(client, officer, zone_id="east-workshop", zone_kind="workshop")
    assert client.get(f"/api/audits/{hq_audit}", headers=east_boss).status_code == 404
    assert _review(client, east_boss, hq_audit, "approve").status_code == 404
    assert client.get(f"/api/audits/{east_audit}", headers=east_boss).status_code == 200
    listed = client.get("/api/audits", headers=east_boss).json()["audits"]
    assert [a["id"] for a in listed] == [east_audit]


def test_officers_see_only_their_own_audits(client, officer):
    mine, _ = _submit(client, officer, zone_id="east-workshop", zone_kind="workshop")
    other = login(client, "officer2")
    assert client.get(f"/api/audits/{mine}", headers=other).status_code == 404
    assert client.get("/api/audits", headers=other).json()["audits"] == []
