"""Answers are checked against the checklist version they were filled on; errors name the item."""

import uuid

import pytest

from conftest import applicable_items, audit_body


def _put(client, headers, body):
    return client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=headers)


def _first(client, headers, kind, zone_kind="office", checklist="6s-zone"):
    return next(
        i for i in applicable_items(client, headers, checklist, zone_kind) if i["type"] == kind
    )


def _with(body, item_id, **answer):
    return {**body, "answers": {**body["answers"], item_id: {"note": "", "photos": [], **answer}}}


def _error_paths(response):
    assert response.status_code in (400, 422), response.text
    return [e["path"] for e in response.json()["errors"]]


@pytest.mark.parametrize("value", [5, -1, "3", 2.5, True, None, "na", [], {}])
def test_bad_score_values_name_the_item(client, officer, value):
    body = audit_body(client, officer)
    item = _first(client, officer, "score")
    response = _put(client, officer, _with(body, item["id"], value=value))
    assert f"$.answers.{item['id']}.value" in _error_paths(response)
    assert item["id"] in response.json()["detail"]


def test_unknown_item_is_refused(client, officer):
    body = _with(audit_body(client, officer), "no-such-item", value=1)
    assert "$.answers.no-such-item" in _error_paths(_put(client, officer, body))


def test_item_for_another_zone_kind_is_refused_like_an_unknown_one(client, officer):
    office = {i["id"] for i in applicable_items(client, officer, "6s-zone", "office")}
    workshop_only = next(
        i for i in applicable_items(client, officer, "6s-zone", "workshop") if i["id"] not in office
    )
    body = _with(audit_body(client, officer), workshop_only["id"], value=4)
    response = _put(client, officer, body)
    assert f"$.answers.{workshop_only['id']}" in _error_paths(response)
    assert "unknown item" in response.json()["detail"]


def test_required_answer_missing_on_submit(client, officer):
    body = audit_body(client, officer)
    item_id = next(iter(body["answers"]))
    del body["answers"][item_id]
    assert f"$.answers.{item_id}.value" in _error_paths(_put(client, officer, body))
    body["status"], body["submitted_at"] = "draft", None
    assert _put(client, officer, body).status_code == 201, "a draft may be unfinished"


def test_fail_needs_its_photo_and_note(client, officer):
    body = audit_body(client, officer)
    item = next(
        i
        for i in applicable_items(client, officer, "6s-zone", "office")
        if i["type"] == "score"
        and i.get("photo", {}).get("required_if_fail")
        and i.get("note_required_if_fail")
    )
    paths = _error_paths(_put(client, officer, _with(body, item["id"], value=0)))
    assert f"$.answers.{item['id']}.photos" in paths
    assert f"$.answers.{item['id']}.note" in paths
    fixed = _with(body, item["id"], value=0, note="地面油污", photos=["a" * 64])
    response = _put(client, officer, fixed)
    assert response.status_code == 201
    assert response.json()["complete"] is False
    assert response.json()["missing_photos"] == ["a" * 64]


def test_choice_and_number_and_pass_fail(client, officer):
    zone, kind = "hq-showroom", "showroom"
    body = audit_body(client, officer, zone_id=zone, zone_kind=kind, checklist="facility-daily")
    for item_type, bad in [("choice", "not-an-option"), ("number", "warm"), ("pass_fail", "ok")]:
        item = _first(client, officer, item_type, kind, "facility-daily")
        response = _put(client, officer, _with(body, item["id"], value=bad))
        assert f"$.answers.{item['id']}.value" in _error_paths(response), item_type


def test_unknown_checklist_zone_or_pairing(client, officer):
    body = audit_body(client, officer)
    cases = [
        ({"checklist_version": 99}, "$.checklist_version"),
        ({"checklist_id": "nope"}, "$.checklist_version"),
        ({"zone_id": "mars"}, "$.zone_id"),
        # not used in the office
        ({"checklist_id": "vehicle-handover", "checklist_version": 1}, "$.checklist_id"),
    ]
    for change, path in cases:
        assert path in _error_paths(_put(client, officer, {**body, **change})), change


def test_submitted_needs_submitted_at(client, officer):
    body = {**audit_body(client, officer), "submitted_at": None}
    assert "$.submitted_at" in _error_paths(_put(client, officer, body))


@pytest.mark.parametrize(
    "raw, path",
    [
        (b'{"checklist_id": ', "$"),
        (b"[1, 2]", "$"),
        (b'{"checklist_id": 5}', "$.checklist_id"),
        (b"\xff\xfe", "$"),
    ],
)
def test_malformed_bodies_are_400(client, officer, raw, path):
    response = client.put(f"/api/audits/{uuid.uuid4()}", content=raw, headers=officer)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path


def test_wrong_types_and_unknown_fields_name_the_path(client, officer):
    body = audit_body(client, officer)
    cases = [
        ({**body, "status": "approved"}, "$.status"),
        ({**body, "started_at": "yesterday"}, "$.started_at"),
        ({**body, "surprise": 1}, "$"),
        (
            {**body, "answers": {"x": {"value": 1, "photos": ["../../etc/passwd"]}}},
            "$.answers.x.photos[0]",
        ),
        ({**body, "answers": {"x": {"value": 1, "note": "n" * 5000}}}, "$.answers.x.note"),
    ]
    for case, path in cases:
        response = _put(client, officer, case)
        assert response.status_code == 400, path
        assert response.json()["errors"][0]["path"] == path, response.json()


def test_oversized_answers_map_is_400(client, officer):
    body = {**audit_body(client, officer), "answers": {f"i{n}": {} for n in range(2001)}}
    response = _put(client, officer, body)
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "$.answers"


def test_checklist_written_for_other_zone_kinds_is_refused(client, app, officer):
    with app.state.store.write() as db:
        db["zones"].update("hq-office", {"checklist_ids": '["6s-zone", "goods-receiving"]'})
    body = audit_body(
        client, officer, zone_id="hq-parts", zone_kind="warehouse", checklist="goods-receiving"
    )
    response = _put(client, officer, {**body, "zone_id": "hq-office"})
    assert "$.checklist_id" in _error_paths(response)
    assert "warehouse" not in response.json()["detail"] or "office" in response.json()["detail"]
