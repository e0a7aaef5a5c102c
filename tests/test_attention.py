"""GET /api/attention (the console's 需关注): audits waiting for review and for photos, refused
uploads, overdue actions and the server's facts, each scoped to the reader's sites; and the
refusals the request log records, bounded, without ever changing the answer refused."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

import images
from conftest import ROOT, audit_body, login, site_supervisor, token_headers, upload_photo
from server.ops import attention as ops

PHOTO = "image/jpeg"


def attention(client, headers) -> dict:
    response = client.get("/api/attention", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def put_audit(client, headers, body, audit_id=None):
    return client.put(f"/api/audits/{audit_id or uuid.uuid4()}", json=body, headers=headers)


def refuse_photo(client, headers) -> None:
    """A photo PUT whose bytes are not the id in the path: a 400."""
    response = client.put(
        f"/api/photos/{'a' * 64}", content=b"not this", headers={**headers, "Content-Type": PHOTO}
    )
    assert response.status_code == 400


def test_officers_may_not_read_it(client, officer):
    response = client.get("/api/attention", headers=officer)
    assert response.status_code == 403


def test_a_quiet_server_has_nothing_waiting(client, admin, settings):
    seen = attention(client, admin)
    assert seen["review"] == {"count": 0, "oldest": None, "audits": []}
    assert seen["photos"] == {"count": 0, "oldest": None, "audits": []}
    assert seen["refusals"] == {"count": 0, "days": ops.SHOWN_DAYS, "items": []}
    assert seen["actions_overdue"] == 0
    server = seen["server"]
    assert server["version"] and server["uptime_s"] >= 0
    assert server["disk_free_bytes"] > 0 and server["disk_free_ok"] is True
    assert server["min_free_disk_bytes"] == settings.min_free_disk_bytes
    assert server["database_bytes"] > 0 and server["photos_bytes"] == 0


def test_counts_follow_a_waiting_audit_an_incomplete_one_and_a_refused_upload(
    client, officer, admin, supervisor
):
    waiting = str(uuid.uuid4())
    assert put_audit(client, officer, audit_body(client, officer), waiting).status_code == 201
    seen = attention(client, admin)
    assert seen["review"]["count"] == 1 and seen["photos"]["count"] == 0
    (row,) = seen["review"]["audits"]
    assert row["id"] == waiting and row["zone_id"] == "hq-office" and row["status"] == "submitted"
    assert row["officer_name"] == "何敏 He Min" and row["age_days"] == 0
    assert seen["review"]["oldest"] == row["since"]

    # An audit naming a photo the server never received: it waits for it (and for review).
    body = audit_body(client, officer)
    late = images.jpeg((64, 48))
    missing = images.sha(late)
    first = next(iter(body["answers"]))
    body["answers"][first]["photos"] = [missing]
    incomplete = str(uuid.uuid4())
    summary = put_audit(client, officer, body, incomplete).json()
    assert summary["missing_photos"] == [missing] and summary["complete"] is False
    seen = attention(client, admin)
    assert seen["review"]["count"] == 2
    assert seen["photos"]["count"] == 1
    (row,) = seen["photos"]["audits"]
    assert row["id"] == incomplete and row["missing_photos"] == 1 and row["age_days"] == 0

    refuse_photo(client, officer)
    seen = attention(client, admin)
    assert seen["refusals"]["count"] == 1
    (refusal,) = seen["refusals"]["items"]
    assert refusal["status"] == 400 and refusal["method"] == "PUT"
    assert refusal["route"] == "/api/photos/{sha256}"
    assert refusal["path"] == f"/api/photos/{'a' * 64}"
    assert refusal["username"] == "officer" and "sha256" in refusal["detail"]
    assert re.fullmatch(r"[0-9a-f]{16}", refusal["request_id"])

    # The photo arrives: nothing waits for it any more; the review queue agrees with ours.
    upload_photo(client, officer, late)
    seen = attention(client, supervisor)
    assert seen["photos"]["count"] == 0
    queue = client.get("/api/reports/queue", headers=supervisor).json()
    assert seen["review"]["count"] == queue["total"] == 2
    assert [a["id"] for a in seen["review"]["audits"]] == [waiting, incomplete]


def test_refused_audits_are_recorded_with_the_device_and_the_reason(client):
    response = client.post(
        "/api/login", json={"username": "officer", "password": "demo", "device": "平板 7"}
    )
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    body = audit_body(client, headers, zone_id="nowhere")
    answer = put_audit(client, headers, body)
    assert answer.status_code in (404, 422), answer.text
    (refusal,) = attention(client, token_headers(client.app, "admin"))["refusals"]["items"]
    assert refusal["route"] == "/api/audits/{audit_id}" and refusal["device"] == "平板 7"
    assert refusal["status"] == answer.status_code and refusal["detail"] == answer.json()["detail"]


def test_reads_and_accepted_writes_are_not_refusals(client, officer, admin):
    upload_photo(client, officer, images.camera_jpeg())
    assert put_audit(client, officer, audit_body(client, officer)).status_code == 201
    assert client.get(f"/api/audits/{uuid.uuid4()}", headers=officer).status_code == 404
    assert client.post("/api/login", json={"username": "x", "password": "y"}).status_code == 401
    assert attention(client, admin)["refusals"]["count"] == 0


def test_a_failure_to_record_never_changes_the_answer(client, officer, admin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("server.api.request_log.record_refusal", broken)
    response = client.put(
        f"/api/photos/{'b' * 64}", content=b"x", headers={**officer, "Content-Type": PHOTO}
    )
    assert response.status_code == 400 and "sha256" in response.json()["detail"]
    monkeypatch.undo()
    assert attention(client, admin)["refusals"]["count"] == 0


def test_a_strangers_uploads_cost_no_write(client, admin):
    """Only a signed-in user's refusals are kept: an anonymous PUT is a 401 in the request log,
    never a row (a flood of them must not take the write lock, nor push real refusals out)."""
    for n in range(3):
        assert client.put(f"/api/photos/{n:064x}", content=b"x").status_code == 401
    assert attention(client, admin)["refusals"]["count"] == 0
    expired = {"Authorization": "Bearer not-a-token"}
    assert client.put(f"/api/photos/{'c' * 64}", content=b"x", headers=expired).status_code == 401
    assert attention(client, admin)["refusals"]["count"] == 0


def test_gzipped_refusals_keep_their_message(client, officer, admin):
    # 422 answers over 1 KiB leave gzipped (the app's compression): the message is read back.
    body = audit_body(client, officer)
    for answer in body["answers"].values():
        answer["value"] = "not an answer at all"
    response = put_audit(client, officer, body)
    assert response.status_code == 422
    assert response.headers.get("content-encoding") == "gzip"
    (refusal,) = attention(client, admin)["refusals"]["items"]
    assert refusal["status"] == 422
    assert refusal["detail"] == response.json()["detail"][: ops.DETAIL_CHARS]


def test_the_table_keeps_only_the_newest_rows_of_the_last_days(app, monkeypatch):
    store = app.state.store
    monkeypatch.setattr(ops, "KEEP_ROWS", 3)
    now = datetime.now(UTC)
    row = {"method": "PUT", "route": "/api/photos/{sha256}", "status": 400, "detail": "no"}
    ops.record_refusal(store, {**row, "path": "/old"}, None, now - timedelta(days=40))
    for n in range(5):
        ops.record_refusal(store, {**row, "path": f"/p{n}"}, None, now)
    paths = [p for (p,) in store.read().execute("select path from upload_refusals order by id")]
    assert paths == ["/p2", "/p3", "/p4"]
    ops.record_refusal(store, {**row, "path": "/late"}, None, now + timedelta(days=31))
    paths = [p for (p,) in store.read().execute("select path from upload_refusals")]
    assert paths == ["/late"]


def test_a_site_supervisor_sees_only_their_sites(client, officer, admin):
    east = site_supervisor(client, admin, "east.boss")
    officer2 = token_headers(client.app, "officer2")
    assert put_audit(client, officer, audit_body(client, officer)).status_code == 201
    body = audit_body(client, officer2, zone_id="east-store", zone_kind="warehouse")
    assert put_audit(client, officer2, body).status_code == 201
    refuse_photo(client, officer)  # officer works at every site: not one of east's people
    refuse_photo(client, officer2)
    everything, theirs = attention(client, admin), attention(client, east)
    assert everything["review"]["count"] == 2 and theirs["review"]["count"] == 1
    assert {a["site_id"] for a in theirs["review"]["audits"]} == {"east"}
    assert everything["refusals"]["count"] == 2
    assert [r["username"] for r in theirs["refusals"]["items"]] == ["officer2"]
    queue = client.get("/api/reports/queue", headers=east).json()
    assert theirs["review"]["count"] == queue["total"]


def test_overdue_actions_are_counted_for_the_readers_sites(demo_app):
    app, client = demo_app
    admin = token_headers(app, "admin")
    east = site_supervisor(client, admin, "attention.east")
    for headers in (admin, east):
        seen = attention(client, headers)
        listed, cursor = 0, None
        while True:
            params = {"overdue": "true", "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = client.get("/api/actions", params=params, headers=headers).json()
            listed += len(page["actions"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        assert seen["actions_overdue"] == listed
        queue = client.get("/api/reports/queue", headers=headers).json()
        assert seen["review"]["count"] == queue["total"]
        assert len(seen["review"]["audits"]) == min(queue["total"], ops.LIST_CAP)
        ages = [a["age_days"] for a in seen["review"]["audits"]]
        assert ages == sorted(ages, reverse=True)  # oldest first
    assert attention(client, admin)["actions_overdue"] > attention(client, east)["actions_overdue"]
    assert attention(client, admin)["server"]["photos_bytes"] > 0


def test_login_with_a_password_is_never_a_refusal_nor_kept(client, admin):
    login(client, "officer")
    rows = client.app.state.store.read().execute("select * from upload_refusals").fetchall()
    assert rows == []


@pytest.mark.parametrize(
    ("since", "days"),
    [(None, 0), ("garbage", 0), ("2026-01-01T00:00:00Z", 30), ("2026-01-31T12:00:00", 0)],
)
def test_age_in_whole_days(since, days):
    assert ops.age_days(since, datetime(2026, 1, 31, 1, tzinfo=UTC)) == days


def _string_keys(path) -> set[str]:
    return set(re.findall(r"^\s+([A-Za-z_]\w*): \[", path.read_text(encoding="utf-8"), re.M))


def test_the_screens_strings_override_no_other():
    """The 需关注 screen registers its own [zh, en] strings when it opens (addStrings merges
    them over the shell's and the console's): none may take another's key."""
    pwa = ROOT / "pwa" / "js"
    mine = _string_keys(pwa / "views" / "console" / "attention.js")
    assert len(mine) > 10
    others = _string_keys(pwa / "i18n.js") | _string_keys(pwa / "views" / "console" / "strings.js")
    assert mine & others == set()
