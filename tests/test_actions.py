"""Corrective actions (整改项): opened by a failed item on submission, moved by devices."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import audit_body, site_supervisor, token_headers, upload_photo
from images import jpeg
from server.ops.verify import problems

ITEM = "sort-unneeded"  # creates_action {due_days: 7}, photo required on a fail


def upload(client, headers, data: bytes) -> str:
    return upload_photo(client, headers, data)


def failing_body(client, headers, photo: str, status="submitted", **kw) -> dict:
    body = audit_body(client, headers, status=status, **kw)
    body["answers"][ITEM] = {"value": 1, "note": "旧纸箱三个", "photos": [photo]}
    return body


def submit(client, headers, body, audit_id=None) -> str:
    audit_id = audit_id or str(uuid.uuid4())
    response = client.put(f"/api/audits/{audit_id}", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return audit_id


def action_of(client, headers, audit_id: str, item: str = ITEM) -> dict:
    action_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:{item}"))
    response = client.get(f"/api/actions/{action_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def put(client, headers, action: dict, **changes):
    body = {**action, **changes, "base_revision": action["revision"]}
    return client.put(f"/api/actions/{action['id']}", json=body, headers=headers)


@pytest.fixture
def opened(client, officer):
    """An audit of hq-office (owner s-liu) whose ITEM failed, and the action it opened."""
    before = upload(client, officer, jpeg((100, 50)))
    audit_id = submit(client, officer, failing_body(client, officer, before))
    return audit_id, action_of(client, officer, audit_id)


def test_a_failed_item_opens_one_action_owned_by_the_zone_owner(client, officer, opened):
    audit_id, action = opened
    audit = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    assert action["status"] == "open" and action["revision"] == 1
    assert action["owner_staff_id"] == "s-liu" and action["owner_name"]
    assert action["due"] == (date.fromisoformat(audit["day"]) + timedelta(days=7)).isoformat()
    assert action["before_photos"] == audit["answers"][ITEM]["photos"]
    assert action["finding"] == "旧纸箱三个" and action["item_label"]["zh"]
    assert action["zone_id"] == "hq-office" and action["site_id"] == "hq"
    # Only the failed item with creates_action opened one.
    listed = client.get("/api/actions?zone_id=hq-office&status=active", headers=officer).json()
    assert [a["id"] for a in listed["actions"]] == [action["id"]]


def test_replays_and_drafts_open_nothing_new(client, app, officer):
    photo = upload(client, officer, jpeg((101, 50)))
    body = failing_body(client, officer, photo)
    audit_id = submit(client, officer, body)
    submit(client, officer, body, audit_id)  # the same content again
    assert action_of(client, officer, audit_id)["revision"] == 1
    draft = submit(client, officer, failing_body(client, officer, photo, status="draft"))
    missing = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{draft}:{ITEM}"))
    assert client.get(f"/api/actions/{missing}", headers=officer).status_code == 404
    assert problems(app.state.store, app.state.settings) == []


def test_resubmitting_without_the_fail_cancels_and_failing_again_reopens(
    client, officer, supervisor
):
    photo = upload(client, officer, jpeg((102, 50)))
    body = failing_body(client, officer, photo)
    audit_id = submit(client, officer, body)
    returned = client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "recount"},
        headers=supervisor,
    )
    assert returned.status_code == 200
    fixed = {**body, "base_revision": 1, "answers": {**body["answers"], ITEM: {"value": 4}}}
    submit(client, officer, fixed, audit_id)
    action = action_of(client, officer, audit_id)
    assert (action["status"], action["revision"]) == ("cancelled", 2)
    client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "it was there"},
        headers=supervisor,
    )
    submit(client, officer, {**body, "base_revision": 2}, audit_id)
    action = action_of(client, officer, audit_id)
    assert (action["status"], action["revision"]) == ("open", 3)


def test_the_officer_closes_with_an_after_photo_and_another_verifies(
    client, app, officer, supervisor, admin, opened
):
    audit_id, action = opened
    no_photo = put(client, officer, action, status="done", note="搬走了")
    assert no_photo.status_code == 422 and "after_photos" in no_photo.text
    after = upload(client, officer, jpeg((103, 50)))
    no_note = put(client, officer, action, status="done", after_photos=[after])
    assert no_note.status_code == 422 and "$.note" in no_note.text
    done = put(client, officer, action, status="done", after_photos=[after], note="纸箱已清走")
    assert done.status_code == 200, done.text
    done = done.json()
    assert (done["status"], done["revision"], done["done_by"]) == ("done", 2, done["done_by"])
    assert done["missing_photos"] == []
    # The owner (a user linked to s-liu) may not verify their own fix.
    made = client.post(
        "/api/users",
        json={"username": "liu", "password": "demo1", "role": "officer", "staff_id": "s-liu"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    owner = token_headers(app, "liu")
    assert put(client, owner, done, status="verified").status_code == 403
    verified = put(client, supervisor, done, status="verified", note="纸箱已清走; 复查合格")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    final = put(client, supervisor, verified.json(), status="reopened")
    assert final.status_code == 409 and final.json()["current"]["status"] == "verified"
    # Another officer of the site sees the after photo through the action.
    other = site_supervisor(client, admin, "hq.lead", "hq")
    assert client.get(f"/api/photos/{after}", headers=other).status_code == 200
    assert problems(app.state.store, app.state.settings) == []


def test_replays_stale_bases_and_fields_the_server_sets(client, officer, supervisor, opened):
    _, action = opened
    note = put(client, officer, action, note="已通知责任人")
    assert note.status_code == 200 and note.json()["revision"] == 2
    again = put(client, officer, action, note="已通知责任人")  # the same edit, replayed
    assert again.status_code == 200 and again.json()["revision"] == 2
    stale = put(client, officer, action, note="something else")
    assert stale.status_code == 409 and stale.json()["current"]["revision"] == 2
    current = note.json()
    assert put(client, officer, current, audit_id=str(uuid.uuid4())).status_code == 422
    assert put(client, officer, current, item_id="sort-red-tags").status_code == 422
    assert put(client, officer, current, due="2030-01-01").status_code == 403
    assert put(client, officer, current, status="cancelled").status_code == 403
    assert put(client, officer, current, status="verified").status_code == 422
    later = put(client, supervisor, current, due="2030-01-01", owner_staff_id="s-wang")
    assert later.status_code == 200 and later.json()["owner_staff_id"] == "s-wang"
    ghost = put(client, supervisor, later.json(), owner_staff_id="nobody")
    assert ghost.status_code == 422 and "owner_staff_id" in ghost.text
    cancelled = put(client, supervisor, later.json(), status="cancelled")
    assert cancelled.json()["status"] == "cancelled"


def test_other_sites_see_nothing(client, app, officer, admin, opened):
    _, action = opened
    east = site_supervisor(client, admin, "east.lead", "east")
    assert client.get(f"/api/actions/{action['id']}", headers=east).status_code == 404
    assert put(client, east, action, note="x").status_code == 404
    assert client.get("/api/actions", headers=east).json()["actions"] == []
    assert client.get("/api/actions/owners", headers=east).json()["owners"] == []
    for photo in action["before_photos"]:
        assert client.get(f"/api/photos/{photo}", headers=east).status_code == 404
    officer2 = token_headers(app, "officer2")  # limited to east
    assert client.get(f"/api/actions/{action['id']}", headers=officer2).status_code == 404


def test_lists_filter_by_owner_and_overdue(client, officer, supervisor, opened):
    _, action = opened
    late = put(client, supervisor, action, due="2020-01-01").json()
    assert late["overdue"] and late["days_overdue"] > 0
    overdue = client.get("/api/actions?overdue=true", headers=supervisor).json()["actions"]
    assert [a["id"] for a in overdue] == [action["id"]]
    mine = client.get("/api/actions?owner=s-liu", headers=supervisor).json()["actions"]
    assert [a["id"] for a in mine] == [action["id"]]
    assert client.get("/api/actions?owner=s-wang", headers=supervisor).json()["actions"] == []
    loads = client.get("/api/actions/owners", headers=supervisor).json()["owners"]
    assert loads == [
        {"staff_id": "s-liu", "name": loads[0]["name"], "open": 1, "overdue": 1, "done": 0}
    ]
    bad = client.get("/api/actions?status=nonsense", headers=supervisor)
    assert bad.status_code == 400 and "query.status" in bad.text


def test_a_void_cancels_what_is_open(client, officer, admin, opened):
    audit_id, action = opened
    voided = client.post(
        f"/api/audits/{audit_id}/void", json={"reason": "wrong zone"}, headers=admin
    )
    assert voided.status_code == 200
    assert action_of(client, officer, audit_id)["status"] == "cancelled"


def test_devices_learn_actions_from_bootstrap_and_changes(client, officer, supervisor):
    cursor = client.get("/api/changes", headers=officer).json()["cursor"]
    photo = upload(client, officer, jpeg((104, 50)))
    audit_id = submit(client, officer, failing_body(client, officer, photo))
    action = action_of(client, officer, audit_id)
    boot = client.get("/api/bootstrap", headers=officer).json()
    assert action["id"] in [a["id"] for a in boot["actions"]]
    changes = client.get(f"/api/changes?since={cursor}", headers=officer).json()
    assert action["id"] in [a["id"] for a in changes["actions"]]
    cursor = changes["cursor"]
    put(client, supervisor, action, status="cancelled")
    changes = client.get(f"/api/changes?since={cursor}", headers=officer).json()
    assert [(a["id"], a["status"]) for a in changes["actions"]] == [(action["id"], "cancelled")]


def test_appraisal_rows_count_open_and_overdue_actions(client, app, supervisor, opened):
    _, action = opened
    put(client, supervisor, action, due="2020-01-01")
    now = datetime.now(ZoneInfo(app.state.settings.timezone))
    this_month, last_month = now.strftime("%Y-%m"), (now.replace(day=1) - timedelta(days=1))

    def counts(month: str, staff_id: str) -> tuple[int, int]:
        rows = client.get(f"/api/appraisal?month={month}", headers=supervisor).json()["rows"]
        row = next(r for r in rows if r["staff_id"] == staff_id)
        return row["actions_open"], row["actions_overdue"]

    assert counts(this_month, "s-liu") == (1, 1)
    assert counts(this_month, "s-wang") == (0, 0)
    # As things stood when last month ended: the action did not exist yet.
    assert counts(last_month.strftime("%Y-%m"), "s-liu") == (0, 0)


def test_verify_finds_a_tampered_action(client, app, opened):
    _, action = opened
    with app.state.store.write() as db:
        db.execute("update actions set due = '2099-01-01' where id = ?", [action["id"]])
    assert any(action["id"] in p for p in problems(app.state.store, app.state.settings))


def test_an_appraisal_of_a_month_out_of_the_calendar_is_a_400(client, supervisor):
    for month in ("0000-01", "9999-12", "1999-12", "2100-01"):
        response = client.get(f"/api/appraisal?month={month}", headers=supervisor)
        assert response.status_code == 400 and "month" in response.text, (month, response.text)
        closing = client.post(f"/api/appraisal/{month}/close", headers=supervisor)
        assert closing.status_code in (400, 403), (month, closing.text)


def test_an_audit_moved_to_another_zone_takes_its_open_actions(client, officer, supervisor):
    photo = upload(client, officer, jpeg((105, 50)))
    body = failing_body(client, officer, photo)
    audit_id = submit(client, officer, body)
    client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "wrong zone"},
        headers=supervisor,
    )
    moved = failing_body(client, officer, photo, zone_id="east-store", zone_kind="warehouse")
    response = client.put(
        f"/api/audits/{audit_id}", json={**moved, "base_revision": 1}, headers=officer
    )
    assert response.status_code == 200, response.text
    action = action_of(client, officer, audit_id)
    assert (action["zone_id"], action["site_id"], action["status"]) == (
        "east-store",
        "east",
        "open",
    )


def test_an_after_photo_the_server_has_already_need_not_be_sent_again(
    client, app, officer, supervisor, opened
):
    """The tablet's HEAD says the server has it (the supervisor sent the same bytes with a
    red tag of the site, which the officer reads): naming it is enough, as in an audit."""
    _, action = opened
    shared = upload(client, supervisor, jpeg((106, 50)))
    tag = {
        "zone_id": "hq-office",
        "item": "纸箱 cartons",
        "qty": 3,
        "reason": "不要物 unneeded",
        "photos": [shared],
        "tagged_at": "2026-01-05T08:00:00+08:00",
        "proposed": "discard",
    }
    assert client.put(f"/api/red-tags/{uuid.uuid4()}", json=tag, headers=supervisor).is_success
    assert client.head(f"/api/photos/{shared}", headers=officer).status_code == 200
    done = put(client, officer, action, status="done", after_photos=[shared], note="已清走")
    assert done.status_code == 200, done.text
    assert done.json()["missing_photos"] == []
    assert problems(app.state.store, app.state.settings) == []
