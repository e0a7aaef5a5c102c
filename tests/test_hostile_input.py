"""Hostile input gets a clear 4xx, never a 500, and leaks nothing of the server's insides."""

import re
import uuid

import pytest

from conftest import audit_body

DEEP = {
    "array": "[" * 1000 + "]" * 1000,
    "object": '{"a":' * 1000 + "1" + "}" * 1000,
    "deeper": "[" * 100_000,
}


@pytest.mark.parametrize("shape", DEEP)
def test_json_nested_past_the_decoders_depth_is_400_everywhere(client, officer, admin, shape):
    audit = str(uuid.uuid4())
    routes = [
        ("POST", "/api/login", {}),
        ("PUT", f"/api/audits/{audit}", officer),
        ("POST", f"/api/audits/{audit}/review", admin),
        ("POST", "/api/users", admin),
        ("PATCH", "/api/users/2", admin),
    ]
    for method, path, headers in routes:
        response = client.request(method, path, content=DEEP[shape], headers=headers)
        assert response.status_code == 400, (method, path, response.text[:200])
        assert "Traceback" not in response.text and response.json()["errors"][0]["path"] == "$"


def test_image_errors_name_no_heap_address(client, officer):
    data = b"\xff\xd8\xff\xe0" + b"\x00" * 200  # a JPEG start, then nothing Pillow can read
    sha = __import__("hashlib").sha256(data).hexdigest()
    headers = {**officer, "Content-Type": "image/jpeg"}
    response = client.put(f"/api/photos/{sha}", content=data, headers=headers)
    assert response.status_code == 422
    assert not re.search(r"0x[0-9a-f]{6,}", response.text), response.text
    assert "corrupt or unreadable JPEG" in response.json()["detail"]


def test_a_photo_id_with_a_trailing_newline_is_refused(client, officer):
    body = audit_body(client, officer, status="draft")
    first = next(iter(body["answers"]))
    body["answers"][first]["photos"] = ["a" * 64 + "\n"]
    response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=officer)
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == f"$.answers.{first}.photos[0]"
    for url in (f"/api/photos/{'a' * 64}%0A", f"/api/photos/{'a' * 64}%0a?size=thumb"):
        assert client.get(url, headers=officer).status_code == 400


@pytest.mark.parametrize("note", [None, "", "absent"])
def test_a_note_may_be_a_string_null_or_absent(client, officer, note):
    body = audit_body(client, officer, status="draft")
    first = next(iter(body["answers"]))
    if note == "absent":
        del body["answers"][first]["note"]
    else:
        body["answers"][first]["note"] = note
    audit_id = str(uuid.uuid4())
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
    stored = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    assert stored["answers"][first]["note"] == ""
    # The three spellings of "no note" are one content: sending another is a replay.
    body["answers"][first]["note"] = ""
    again = client.put(f"/api/audits/{audit_id}", json=body, headers=officer)
    assert again.status_code == 200 and again.json()["revision"] == 1


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+00:09", "9999-12-31T23:59:59-01:00"])
def test_times_out_of_any_calendar_are_422_not_500(client, officer, stamp):
    """Found by schemathesis: year 1 with an offset cannot be turned into UTC."""
    body = {**audit_body(client, officer, status="draft"), "started_at": stamp}
    response = client.put(f"/api/audits/{uuid.uuid4()}", json=body, headers=officer)
    assert response.status_code == 422 and response.json()["errors"][0]["path"] == "$.started_at"
