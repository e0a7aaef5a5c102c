"""The request log: `genba serve --log-file PATH` appends one JSON line per request, with the
route template and the path without its query, the status, time taken, bytes sent, the
signed-in user and the client's address, and never a password, a token or a header's value;
the file is reopened when logrotate moves it away."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest

import images
from live import LiveServer
from server.api.request_log import JsonLines, iso

pytestmark = pytest.mark.e2e

PASSWORD = "Kiwi-Lantern-4417"  # the test user's: must never reach the log
WRONG = "Wrong-Harbour-9083"  # a failed sign-in's
SECRET_QUERY = "QuerySecret-5521"
FIELDS = {
    "time",
    "request_id",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "bytes",
    "user_id",
    "user",
    "client",
}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("request-log")
    log_file = root / "logs" / "requests.log"
    live = LiveServer(root / "data", extra=["--log-file", str(log_file)]).start()
    yield live, log_file
    live.stop()


def lines(log_file) -> list[dict]:
    """Every line of the file, each parsed as JSON (a line that is not fails the test)."""
    return [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]


def by_id(log_file, response: httpx.Response, timeout: float = 5) -> dict:
    """The request's line. It is written once the answer has gone out, so a client can hold
    the answer a moment before the line is there: wait for it."""
    request_id = response.headers["x-request-id"]
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in lines(log_file) if line["request_id"] == request_id]
        if found or time.monotonic() > deadline:
            (line,) = found
            return line
        time.sleep(0.05)


def test_every_request_is_one_json_line_and_no_secret_is_logged(served):
    live, log_file = served
    base = live.base
    admin = live.login("admin")
    body = {"username": "li.na", "password": PASSWORD, "role": "officer", "name": "李娜"}
    assert httpx.post(f"{base}/api/users", json=body, headers=admin).status_code == 201

    signed_in = httpx.post(f"{base}/api/login", json={"username": "li.na", "password": PASSWORD})
    token = signed_in.json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Cookie": "session=CookieSecret-77"}
    failed = httpx.post(f"{base}/api/login", json={"username": "li.na", "password": WRONG})
    assert failed.status_code == 401
    missing = httpx.get(f"{base}/api/audits/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    listed = httpx.get(
        f"{base}/api/audits", params={"token": SECRET_QUERY, "limit": 5}, headers=headers
    )
    assert listed.status_code == 200
    data = images.camera_jpeg()
    photo = httpx.put(
        f"{base}/api/photos/{images.sha(data)}",
        content=data,
        headers={**headers, "Content-Type": "image/jpeg"},
    )
    assert photo.status_code == 201
    refused = httpx.put(f"{base}/api/photos/{'e' * 64}", content=b"x", headers=headers)
    assert refused.status_code == 400
    anonymous = httpx.get(f"{base}/api/bootstrap")
    assert anonymous.status_code == 401
    shell = httpx.get(f"{base}/js/app.js")
    assert shell.status_code == 200
    unrouted = httpx.get(f"{base}/api/no-such-route/x", headers=headers)
    assert unrouted.status_code == 404
    wrong_method = httpx.delete(f"{base}/api/health")
    assert wrong_method.status_code == 405

    by_id(log_file, wrong_method)  # the last one: every line before it is there too
    everything = lines(log_file)
    assert len(everything) >= 10
    for line in everything:
        assert set(line) == FIELDS, line
        assert TIME.fullmatch(line["time"]) and re.fullmatch(r"[0-9a-f]{16}", line["request_id"])
        assert isinstance(line["status"], int) and line["duration_ms"] >= 0
        assert line["client"] == "127.0.0.1" and "?" not in line["path"]

    user_id = signed_in.json()["user"]["id"]
    line = by_id(log_file, signed_in)
    assert (line["method"], line["route"], line["status"]) == ("POST", "/api/login", 200)
    assert line["user"] is None  # nobody was signed in when it came
    assert by_id(log_file, failed)["status"] == 401

    line = by_id(log_file, missing)
    assert line["route"] == "/api/audits/{audit_id}" and line["status"] == 404
    assert line["path"] == missing.request.url.path
    assert (line["user_id"], line["user"]) == (user_id, "li.na")

    line = by_id(log_file, listed)  # the query string stays out
    assert line["path"] == "/api/audits" and line["status"] == 200 and line["bytes"] > 0

    line = by_id(log_file, photo)
    assert line["route"] == "/api/photos/{sha256}" and line["method"] == "PUT"
    assert line["status"] == 201 and line["user"] == "li.na" and line["bytes"] > 0

    assert by_id(log_file, refused)["status"] == 400
    line = by_id(log_file, anonymous)
    assert line["status"] == 401 and line["user_id"] is None
    line = by_id(log_file, shell)
    assert line["route"] == "/{file_path}" and line["path"] == "/js/app.js" and line["bytes"] > 0

    # The router's own answers, which no route's middleware sees, are logged too.
    line = by_id(log_file, unrouted)
    assert line["status"] == 404 and line["path"].startswith("/api/no-such-route/")
    assert by_id(log_file, wrong_method)["status"] == 405

    text = log_file.read_text(encoding="utf-8")
    for secret in (PASSWORD, WRONG, token, SECRET_QUERY, "CookieSecret", "Bearer", "password"):
        assert secret not in text, f"{secret!r} is in the request log"


def test_the_file_is_reopened_after_logrotate_moves_it(served):
    live, log_file = served
    assert httpx.get(f"{live.base}/api/health").status_code == 200
    rotated = log_file.with_name("requests.log.1")
    log_file.rename(rotated)
    after = httpx.get(f"{live.base}/api/health")
    by_id(log_file, after)
    assert [line["request_id"] for line in lines(log_file)] == [after.headers["x-request-id"]]
    assert all(line["request_id"] != after.headers["x-request-id"] for line in lines(rotated))


def test_uvicorns_access_log_is_off(served):
    live, _ = served
    assert httpx.get(f"{live.base}/api/health").status_code == 200
    output = live.output()
    assert "Genba serving" in output and "HTTP/1.1" not in output


def test_other_records_are_json_lines_too():
    record = logging.LogRecord("genba.requests", logging.WARNING, "", 0, "odd %s", ("x",), None)
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "WARNING" and line["message"] == "odd x"
    assert TIME.fullmatch(line["time"]) and TIME.fullmatch(iso(datetime.now(UTC)))
