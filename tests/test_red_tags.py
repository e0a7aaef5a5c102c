"""The red-tag register (红牌): tags made offline, numbered per site by the server on arrival."""

from __future__ import annotations

import uuid

import pytest

from conftest import iso_ago, site_supervisor, token_headers, upload_photo
from images import jpeg
from server.ops.verify import problems


def upload(client, headers, size=(90, 45)) -> str:
    return upload_photo(client, headers, jpeg(size))


def tag_body(photo: str, zone_id="hq-workshop", **changes) -> dict:
    body = {
        "zone_id": zone_id,
        "item": "旧轮胎",
        "qty": 4,
        "reason": "三个月未使用",
        "photos": [photo],
        "tagged_at": iso_ago(hours=3),
        "proposed": "discard",
        "status": "open",
        "disposition": None,
        "closed_at": None,
        "note": "",
        "base_revision": None,
    }
    return {**body, **changes}


def put(client, headers, body, tag_id=None):
    tag_id = tag_id or str(uuid.uuid4())
    return tag_id, client.put(f"/api/red-tags/{tag_id}", json=body, headers=headers)


@pytest.fixture
def photo(client, officer) -> str:
    return upload(client, officer)


def test_tags_are_numbered_per_site_on_first_arrival(client, app, officer, photo):
    numbers = []
    for _ in range(2):
        _, made = put(client, officer, tag_body(photo))
        assert made.status_code == 201, made.text
        numbers.append((made.json()["tag_no"], made.json()["tag_label"]))
    assert numbers == [(1, "RT-0001"), (2, "RT-0002")]
    _, east = put(client, officer, tag_body(photo, zone_id="east-workshop"))
    assert (east.json()["site_id"], east.json()["tag_no"]) == ("east", 1)
    assert problems(app.state.store, app.state.settings) == []


def test_a_replay_is_the_same_tag_and_a_device_never_numbers(client, officer, photo):
    body = tag_body(photo)
    tag_id, made = put(client, officer, body)
    _, again = put(client, officer, body, tag_id)
    assert again.status_code == 200
    assert (again.json()["revision"], again.json()["tag_no"]) == (1, made.json()["tag_no"])
    _, numbered = put(client, officer, {**body, "tag_no": 7})
    assert numbered.status_code == 400 and "tag_no" in numbered.text


def test_closing_needs_a_disposition_and_a_closed_tag_is_final(client, app, officer, photo):
    tag_id, made = put(client, officer, tag_body(photo))
    base = {"base_revision": 1}
    half = tag_body(photo, status="closed", disposition="discard", **base)
    _, refused = put(client, officer, half, tag_id)
    assert refused.status_code == 422 and "$.closed_at" in refused.text
    early = tag_body(photo, disposition="sell", **base)
    _, refused = put(client, officer, early, tag_id)
    assert refused.status_code == 422 and "$.disposition" in refused.text
    done = tag_body(photo, status="closed", disposition="sell", closed_at=iso_ago(minutes=5))
    _, closed = put(client, officer, {**done, **base}, tag_id)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["revision"]) == ("closed", 2)
    edit = {**done, "note": "changed my mind", "base_revision": 2}
    _, final = put(client, officer, edit, tag_id)
    assert final.status_code == 409 and final.json()["current"]["status"] == "closed"
    assert problems(app.state.store, app.state.settings) == []


def test_stale_bases_conflict_with_the_servers_copy(client, officer, supervisor, photo):
    body = tag_body(photo)
    tag_id, _ = put(client, officer, body)
    _, moved = put(client, supervisor, {**body, "qty": 5, "base_revision": 1}, tag_id)
    assert moved.status_code == 200 and moved.json()["revision"] == 2
    _, stale = put(client, officer, {**body, "qty": 6, "base_revision": 1}, tag_id)
    assert stale.status_code == 409 and stale.json()["current"]["qty"] == 5


def test_a_tag_stays_on_its_site(client, officer, photo):
    tag_id, _ = put(client, officer, tag_body(photo))
    _, moved = put(client, officer, tag_body(photo, zone_id="hq-parts", base_revision=1), tag_id)
    assert moved.status_code == 200 and moved.json()["zone_id"] == "hq-parts"
    away = tag_body(photo, zone_id="east-workshop", base_revision=2)
    _, refused = put(client, officer, away, tag_id)
    assert refused.status_code == 422 and "$.zone_id" in refused.text


def test_bad_tags_are_named(client, officer, photo):
    for changes, where in (
        ({"photos": []}, "photos"),
        ({"qty": 0}, "qty"),
        ({"item": ""}, "item"),
        ({"proposed": "burn"}, "proposed"),
        ({"zone_id": "nowhere"}, "zone_id"),
        ({"tagged_at": "yesterday"}, "tagged_at"),
    ):
        _, refused = put(client, officer, tag_body(photo, **changes))
        assert 400 <= refused.status_code < 500 and where in refused.text, (changes, refused.text)


def test_age_and_the_sites_limit(client, officer, admin, photo):
    old_id, old = put(client, officer, tag_body(photo, tagged_at=iso_ago(days=10)))
    put(client, officer, tag_body(photo))
    assert (old.json()["age_days"] >= 9, old.json()["over_limit"]) == (True, True)
    late = client.get("/api/red-tags?over_limit=true", headers=officer).json()["red_tags"]
    assert [t["id"] for t in late] == [old_id]
    relaxed = client.patch("/api/sites/hq", json={"red_tag_days": 14}, headers=admin)
    assert relaxed.status_code == 200, relaxed.text
    assert client.get("/api/red-tags?over_limit=true", headers=officer).json()["red_tags"] == []
    tag = client.get(f"/api/red-tags/{old_id}", headers=officer).json()
    assert (tag["age_limit_days"], tag["over_limit"]) == (14, False)


def test_lists_page_oldest_first_and_other_sites_see_nothing(client, app, officer, admin, photo):
    made = [put(client, officer, tag_body(photo, tagged_at=iso_ago(hours=h)))[0] for h in (5, 4, 3)]
    seen, cursor = [], None
    while True:
        query = "/api/red-tags?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=officer).json()
        seen += [t["id"] for t in page["red_tags"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == made
    east = site_supervisor(client, admin, "east.tags", "east")
    assert client.get("/api/red-tags", headers=east).json()["red_tags"] == []
    assert client.get(f"/api/red-tags/{made[0]}", headers=east).status_code == 404
    body = tag_body(photo, base_revision=1, qty=9)
    assert put(client, east, body, made[0])[1].status_code == 404
    assert (
        client.get(f"/api/photos/{photo}", headers=token_headers(app, "officer2")).status_code
        == 404
    )


def test_devices_learn_tags_from_bootstrap_and_changes(client, officer, supervisor, photo):
    cursor = client.get("/api/changes", headers=supervisor).json()["cursor"]
    tag_id, made = put(client, officer, tag_body(photo))
    assert tag_id in [
        t["id"] for t in client.get("/api/bootstrap", headers=supervisor).json()["red_tags"]
    ]
    changes = client.get(f"/api/changes?since={cursor}", headers=supervisor).json()
    assert [t["id"] for t in changes["red_tags"]] == [tag_id]
    # The supervisor reads the officer's photo through the tag.
    assert client.get(f"/api/photos/{photo}", headers=supervisor).status_code == 200


def test_verify_finds_a_renumbered_tag(client, app, officer, photo):
    tag_id, _ = put(client, officer, tag_body(photo))
    with app.state.store.write() as db:
        db.execute("update red_tags set tag_no = 99 where id = ?", [tag_id])
    assert any(tag_id in p for p in problems(app.state.store, app.state.settings))
