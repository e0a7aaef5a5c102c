"""The supervisor's review queue (oldest first, filtered) and an admin's void."""

import uuid

import pytest

from conftest import audit_body, site_supervisor, token_headers
from server.ops.verify import problems


def _submit(client, headers, **kw):
    audit_id = str(uuid.uuid4())
    response = client.put(
        f"/api/audits/{audit_id}", json=audit_body(client, headers, **kw), headers=headers
    )
    assert response.status_code == 201, response.text
    return audit_id


def _queue(client, headers, query=""):
    ids, cursor = [], None
    while True:
        url = f"/api/audits?status=submitted&order=oldest&limit=2{query}" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = client.get(url, headers=headers).json()
        ids += [a["id"] for a in page["audits"]]
        if not (cursor := page["next_cursor"]):
            return ids


def test_the_queue_is_oldest_first_and_filters(client, app, officer, supervisor):
    made = [_submit(client, officer) for _ in range(3)]
    east = _submit(client, officer, zone_id="east-workshop", zone_kind="workshop")
    _submit(client, officer, status="draft")
    assert _queue(client, supervisor) == [*made, east]
    assert _queue(client, supervisor, "&site_id=east") == [east]
    assert _queue(client, supervisor, "&zone_id=hq-office") == made
    officer_id = client.get("/api/me", headers=officer).json()["id"]
    assert _queue(client, supervisor, f"&officer_id={officer_id}&checklist_id=6s-zone") == [
        *made,
        east,
    ]
    east_boss = site_supervisor(client, token_headers(app, "admin"), "east.boss", "east")
    assert _queue(client, east_boss) == [east]


def test_an_admin_voids_an_audit_out_of_every_score(client, app, officer, supervisor, admin):
    audit_id = _submit(client, officer)
    client.post(f"/api/audits/{audit_id}/review", json={"decision": "approve"}, headers=supervisor)
    month = client.get(f"/api/audits/{audit_id}", headers=admin).json()["month"]
    rows = client.get(f"/api/appraisal?month={month}", headers=admin).json()["rows"]
    assert any(audit_id in r["audit_ids"] for r in rows)
    assert (
        client.post(
            f"/api/audits/{audit_id}/void", json={"reason": "x"}, headers=supervisor
        ).status_code
        == 403
    )
    voided = client.post(
        f"/api/audits/{audit_id}/void", json={"reason": "审核员填错区域"}, headers=admin
    )
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    assert voided.json()["void"]["reason"] == "审核员填错区域"
    rows = client.get(f"/api/appraisal?month={month}", headers=admin).json()["rows"]
    assert not any(audit_id in r["audit_ids"] for r in rows)
    assert audit_id not in {
        a["id"] for a in client.get("/api/audits", headers=admin).json()["audits"]
    }
    kept = client.get("/api/audits?status=void", headers=admin).json()["audits"]
    assert [a["id"] for a in kept] == [audit_id]
    again = client.post(f"/api/audits/{audit_id}/void", json={"reason": "x"}, headers=admin)
    assert again.status_code == 409
    assert problems(app.state.store, app.state.settings) == []
    with app.state.store.write() as db:
        db.execute(
            "update audits set void = replace(void, '填错', '改过') where id = ?", [audit_id]
        )
    assert any("void" in p for p in problems(app.state.store, app.state.settings))


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x", "extra": 1}])
def test_a_void_needs_a_reason(client, officer, admin, body):
    audit_id = _submit(client, officer)
    assert client.post(f"/api/audits/{audit_id}/void", json=body, headers=admin).status_code == 400


def test_an_audit_beside_the_zones_previous_one(client, officer, supervisor):
    first = audit_body(client, officer, status="submitted")
    first_id = str(uuid.uuid4())
    client.put(f"/api/audits/{first_id}", json=first, headers=officer)
    second = audit_body(client, officer, status="submitted")
    item = next(iter(second["answers"]))
    second["answers"][item].update(value=2, note="扣分说明")  # a deduction needs its evidence
    second_id = str(uuid.uuid4())
    client.put(f"/api/audits/{second_id}", json=second, headers=officer)
    compared = client.get(f"/api/audits/{second_id}/previous", headers=supervisor).json()
    assert compared["previous"]["id"] == first_id
    assert [
        (c["item_id"], c["before"]["value"], c["after"]["value"]) for c in compared["changed"]
    ] == [(item, 4, 2)]
    alone = client.get(f"/api/audits/{first_id}/previous", headers=supervisor).json()
    assert alone == {"previous": None, "changed": []}


def test_the_queue_counts_what_waits_by_site_zone_officer_and_checklist(
    client, app, officer, admin
):
    [_submit(client, officer) for _ in range(2)]
    _submit(client, officer, zone_id="east-workshop", zone_kind="workshop")
    _submit(client, officer, status="draft")
    counts = client.get("/api/reports/queue", headers=admin).json()
    assert counts["total"] == 3 and counts["oldest"]
    assert {c["id"]: c["count"] for c in counts["sites"]} == {"hq": 2, "east": 1}
    assert counts["zones"][0] == {"id": "hq-office", "name": "办公区", "count": 2}
    assert [c["count"] for c in counts["officers"]] == [3]
    east = site_supervisor(client, admin, "east.boss", "east")
    assert client.get("/api/reports/queue", headers=east).json()["total"] == 1


def test_the_queue_is_in_the_order_audits_were_submitted(client, officer, supervisor):
    """Not in the order the server first stored them: a draft kept for a day and submitted
    now waits less than one submitted an hour ago."""
    from conftest import iso_ago

    early = audit_body(client, officer, status="draft")
    early_id = str(uuid.uuid4())
    client.put(f"/api/audits/{early_id}", json=early, headers=officer)
    waiting = _submit(client, officer)  # submitted an hour ago (audit_body's time)
    sent = {**early, "status": "submitted", "submitted_at": iso_ago(minutes=5), "base_revision": 1}
    assert client.put(f"/api/audits/{early_id}", json=sent, headers=officer).status_code == 200
    assert _queue(client, supervisor) == [waiting, early_id]
    view = client.get(f"/api/audits/{early_id}", headers=supervisor).json()
    assert view["officer_name"] == "何敏 He Min"


def test_a_forged_queue_cursor_is_400(client, supervisor):
    url = "/api/audits?status=submitted&order=oldest&cursor=%%%.1"
    assert client.get(url, headers=supervisor).status_code == 400
    url = "/api/audits?status=submitted&order=oldest&cursor=_w.1"
    assert client.get(url, headers=supervisor).status_code in (200, 400)
