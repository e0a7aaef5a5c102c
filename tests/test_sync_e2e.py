"""Sync against the real server: concurrent replays, and a SIGKILL in the middle of a burst."""

import sqlite3
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conftest import good_value, iso_ago
from live import LiveServer


def _body(items, zone="hq-office") -> dict:
    return {
        "checklist_id": "6s-zone",
        "checklist_version": 1,
        "zone_id": zone,
        "started_at": iso_ago(hours=1),
        "submitted_at": iso_ago(minutes=30),
        "status": "submitted",
        "base_revision": None,
        "answers": {i["id"]: {"value": good_value(i), "note": "", "photos": []} for i in items},
    }


@pytest.fixture
def live(tmp_path):
    server = LiveServer(tmp_path / "data").start()
    yield server
    server.kill()


@pytest.fixture
def office_items(live):
    """The office items of 6s-zone v1, the version the bodies say they were filled in on."""
    headers = live.login("officer")
    with httpx.Client(base_url=live.base, headers=headers) as client:
        checklist = client.get("/api/checklists/6s-zone/1").json()
    return [
        item
        for section in checklist["sections"]
        for item in section["items"]
        if item.get("zone_kinds") is None or "office" in item["zone_kinds"]
    ]


def _count(data, table) -> int:
    with sqlite3.connect(data / "genba.db") as db:
        return db.execute(f"select count(*) from {table}").fetchone()[0]


def test_ten_concurrent_identical_puts_make_one_audit(live, office_items):
    headers = live.login("officer")
    audit_id, body = str(uuid.uuid4()), _body(office_items)

    def put(_):
        return httpx.put(
            f"{live.base}/api/audits/{audit_id}", json=body, headers=headers
        ).status_code

    with ThreadPoolExecutor(10) as pool:
        statuses = sorted(pool.map(put, range(10)))
    assert statuses == [200] * 9 + [201]
    assert _count(live.data, "audit_revisions") == 1


def _burst(live, headers, bodies, stop: threading.Event, results: dict):
    with httpx.Client(base_url=live.base, headers=headers, timeout=10) as client:
        for audit_id, body in bodies:
            if stop.is_set():
                return
            try:
                results[audit_id] = client.put(f"/api/audits/{audit_id}", json=body).status_code
            except httpx.TransportError:
                results[audit_id] = "lost"


def test_sigkill_mid_burst_then_replay_loses_and_doubles_nothing(live, office_items):
    headers = live.login("officer")
    bodies = [(str(uuid.uuid4()), _body(office_items)) for _ in range(120)]
    results: dict = {}
    stop = threading.Event()
    threads = [
        threading.Thread(target=_burst, args=(live, headers, bodies[n::4], stop, results))
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    while len(results) < 30:
        threading.Event().wait(0.01)
    live.kill()
    stop.set()
    for thread in threads:
        thread.join()
    stored_before_replay = _count(live.data, "audits")
    assert stored_before_replay >= sum(1 for s in results.values() if s == 201)

    live.start()
    with httpx.Client(base_url=live.base, headers=headers) as client:
        replays = [client.put(f"/api/audits/{i}", json=b).status_code for i, b in bodies]
    assert set(replays) <= {200, 201}
    assert replays.count(201) == len(bodies) - stored_before_replay
    assert _count(live.data, "audits") == len(bodies)
    assert _count(live.data, "audit_revisions") == len(bodies)
    live.stop()
    verify = subprocess.run(
        [sys.executable, "-m", "server", "verify", "--data", str(live.data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
