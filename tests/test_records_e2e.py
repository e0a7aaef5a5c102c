"""Red tags and corrective actions against the real server: a SIGKILL in the middle of a burst
of writes from several tablets, a restart, and every tablet replaying its outbox.

Four clients (two officers' tablets, a supervisor's, and the east officer's) each write, one
request at a time as an outbox does, a burst of new red tags and their revisions (an edit, some
closed) and moves of their corrective actions (a note, an after photo uploaded, done with it,
some verified). The server is SIGKILLed when part of the burst is through; whatever was in
flight got no answer. After the restart every client replays, in its order, everything it saw
no 2xx for, and some of what it did. Then:

- nothing answered with a 2xx was lost: before any replay, the database already holds it;
- every tag exists exactly once, and every record has exactly one revision per distinct content
  its client sent (a replay stored nothing, nothing was doubled), ending on the last one;
- tag numbers: each site's are exactly 1..N (no gaps, no duplicates); a number never changes
  once given (the 201 before the kill said the number the tag still has); numbers follow
  arrival order, so each site's tags stored before the kill hold 1..K and the ones first stored
  by the replays K+1..N, and one client's tags, sent one after another, number upwards in the
  order it sent them (within each phase). Across clients nothing more can be said: their
  requests race;
- `genba verify` finds nothing.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
import subprocess
import sys
import threading
import uuid
from contextlib import closing
from dataclasses import dataclass, field

import httpx
import pytest
from PIL import Image

from conftest import audit_body, iso_ago
from images import sha
from live import LiveServer

pytestmark = pytest.mark.e2e

ITEM = "sort-unneeded"  # creates_action {due_days: 7}, a photo required on a fail
HQ = ["hq-workshop", "hq-parts", "hq-office", "hq-bodyshop"]
EAST = ["east-workshop", "east-store"]
SITE = {zone: "hq" for zone in HQ} | {zone: "east" for zone in EAST}
KINDS = {"hq-office": "office", "hq-workshop": "workshop", "hq-parts": "warehouse"}
KINDS |= {"east-workshop": "workshop", "east-store": "warehouse"}
_pictures = iter(range(1, 10_000))


def fresh_jpeg() -> bytes:
    n = next(_pictures)
    image = Image.new("RGB", (40 + n, 30), ((n * 53) % 256, (n * 29) % 256, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Op:
    """One request of a client's outbox."""

    kind: str  # "tag" | "action" | "photo"
    record: str  # the tag's or action's id, or the photo's sha256
    url: str
    body: dict | None = None
    data: bytes | None = None
    revision: int = 0  # the record's revision once this op is stored
    first: bool = False  # the op that creates a tag
    burst: object = None  # what the burst saw: a status code, or "lost"
    number: int | None = None  # the tag_no a 201 in the burst gave
    replay: object = None  # what the replay saw


@dataclass
class Client:
    name: str
    user: str
    headers: dict
    ops: list[Op] = field(default_factory=list)
    photo: str = ""  # the sha256 its tags show, uploaded before the burst


def tag_ops(client: Client, zone: str, n: int) -> list[Op]:
    tag_id = str(uuid.uuid4())
    url = f"/api/red-tags/{tag_id}"
    body = {
        "zone_id": zone,
        "item": f"{client.name} 旧轮胎 {n}",
        "qty": 4,
        "reason": "三个月未使用",
        "photos": [client.photo],
        "tagged_at": iso_ago(hours=n + 1),
        "proposed": "discard",
        "status": "open",
        "disposition": None,
        "closed_at": None,
        "note": "",
        "base_revision": None,
    }
    edited = {**body, "qty": 5, "note": "已联系车间", "base_revision": 1}
    ops = [
        Op("tag", tag_id, url, body, revision=1, first=True),
        Op("tag", tag_id, url, edited, revision=2),
    ]
    if n % 2:
        closed = {**edited, "status": "closed", "disposition": "sell", "base_revision": 2}
        ops.append(Op("tag", tag_id, url, {**closed, "closed_at": iso_ago(minutes=5)}, revision=3))
    return ops


def action_ops(client: Client, action: dict, n: int) -> list[Op]:
    url = f"/api/actions/{action['id']}"
    photo = fresh_jpeg()
    digest = sha(photo)
    noted = {**action, "note": f"已通知责任人 ({client.name})", "base_revision": 1}
    done = {**noted, "status": "done", "after_photos": [digest], "note": "纸箱已清走"}
    ops = [
        Op("action", action["id"], url, noted, revision=2),
        Op("photo", digest, f"/api/photos/{digest}", data=photo),
        Op("action", action["id"], url, {**done, "base_revision": 2}, revision=3),
    ]
    if n % 2:
        verified = {**done, "status": "verified", "note": "复查合格", "base_revision": 3}
        ops.append(Op("action", action["id"], url, verified, revision=4))
    return ops


def send(http: httpx.Client, client: Client, op: Op) -> httpx.Response:
    if op.kind == "photo":
        headers = {**client.headers, "Content-Type": "image/jpeg"}
        return http.put(op.url, content=op.data, headers=headers)
    return http.put(op.url, json=op.body, headers=client.headers)


def burst(live: LiveServer, client: Client, stop: threading.Event, sent: list) -> None:
    with httpx.Client(base_url=live.base, timeout=10) as http:
        for op in client.ops:
            if stop.is_set():
                return
            try:
                response = send(http, client, op)
                op.burst = response.status_code
                if op.first and op.burst == 201:
                    op.number = response.json()["tag_no"]
            except httpx.TransportError:
                op.burst = "lost"
            sent.append(op)


def replay(live: LiveServer, client: Client, seed: int) -> None:
    """The outbox again: what got no 2xx, in order, and a third of what did."""
    again = random.Random(seed)
    with httpx.Client(base_url=live.base, timeout=30) as http:
        for op in client.ops:
            acked = op.burst in (200, 201)
            if acked and again.random() > 1 / 3:
                continue
            response = send(http, client, op)
            op.replay = (response.status_code, None if op.kind == "photo" else response.json())


def rows(data, sql: str, *params) -> list[sqlite3.Row]:
    """Straight from the database file (the server may be dead): read, then closed."""
    with closing(sqlite3.connect(data / "genba.db")) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, params).fetchall()


def open_actions(http: httpx.Client, officer: dict, zones: list[str]) -> list[dict]:
    """One corrective action per zone: an audit of it whose ITEM failed, with a photo."""
    actions = []
    for zone in zones:
        photo = fresh_jpeg()
        digest = sha(photo)
        headers = {**officer, "Content-Type": "image/jpeg"}
        assert http.put(f"/api/photos/{digest}", content=photo, headers=headers).status_code == 201
        body = audit_body(http, officer, zone, KINDS[zone])
        body["answers"][ITEM] = {"value": 1, "note": "旧纸箱三个", "photos": [digest]}
        audit_id = str(uuid.uuid4())
        made = http.put(f"/api/audits/{audit_id}", json=body, headers=officer)
        assert made.status_code == 201, made.text
        action_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:{ITEM}"))
        action = http.get(f"/api/actions/{action_id}", headers=officer).json()
        assert action["status"] == "open", action
        actions.append(
            {k: v for k, v in action.items() if k not in ("id", "revision")} | {"id": action_id}
        )
    return actions


@pytest.fixture
def live(tmp_path):
    server = LiveServer(tmp_path / "data").start()
    yield server
    server.kill()


def test_sigkill_mid_burst_of_tags_and_actions_then_replays(live):
    logins = {name: live.login(name) for name in ("officer", "officer2", "supervisor")}
    clients = [
        Client("tablet-a", "officer", live.login("officer")),
        Client("tablet-b", "officer", live.login("officer")),
        Client("console", "supervisor", logins["supervisor"]),
        Client("tablet-east", "officer2", logins["officer2"]),
    ]
    zones = {
        "tablet-a": (HQ, ["hq-office", "hq-workshop", "hq-parts"]),
        "tablet-b": (HQ, ["hq-office", "hq-workshop"]),
        "console": (HQ + EAST, ["hq-parts", "east-store"]),
        "tablet-east": (EAST, ["east-workshop", "east-store", "east-workshop"]),
    }
    with httpx.Client(base_url=live.base, timeout=30) as http:
        for client in clients:
            photo = fresh_jpeg()
            client.photo = sha(photo)
            headers = {**client.headers, "Content-Type": "image/jpeg"}
            put = http.put(f"/api/photos/{client.photo}", content=photo, headers=headers)
            assert put.status_code == 201, put.text
            tag_zones, action_zones = zones[client.name]
            auditor = logins["officer2" if client.user == "officer2" else "officer"]
            actions = [
                action_ops(client, action, n)
                for n, action in enumerate(open_actions(http, auditor, action_zones))
            ]
            tags = [tag_ops(client, tag_zones[n % len(tag_zones)], n) for n in range(12)]
            # Interleaved as a tablet's outbox fills: records mid-way when the power goes.
            queues, shuffle = tags + actions, random.Random(client.name)
            while queues := [q for q in queues if q]:
                client.ops.append(shuffle.choice(queues).pop(0))
    every = [op for client in clients for op in client.ops]

    # The burst, and a SIGKILL once about two fifths of it is through.
    sent: list[Op] = []
    stop = threading.Event()
    threads = [threading.Thread(target=burst, args=(live, c, stop, sent)) for c in clients]
    for thread in threads:
        thread.start()
    while len(sent) < len(every) * 2 // 5 and any(t.is_alive() for t in threads):
        threading.Event().wait(0.005)
    live.kill()
    stop.set()
    for thread in threads:
        thread.join()
    statuses = {op.burst for op in sent}
    assert statuses <= {200, 201, "lost"}, statuses
    assert {200, 201} & statuses, "the kill came before the burst"
    assert any(op.burst in (None, "lost") for op in every), "the kill came after the burst"

    # Nothing answered with a 2xx is lost: the database holds it before any replay.
    for op in sent:
        if op.burst not in (200, 201):
            continue
        if op.kind == "photo":
            assert rows(live.data, "select 1 from photos where sha256 = ?", op.record), op.record
            continue
        entity = "red_tag" if op.kind == "tag" else "action"
        stored = rows(
            live.data,
            "select body from record_revisions where entity = ? and entity_id = ? and revision = ?",
            entity,
            op.record,
            op.revision,
        )
        assert stored, f"{op.kind} {op.record} revision {op.revision} was answered, then lost"
        assert_same_content(op, json.loads(stored[0]["body"]))
    before = {
        r["id"]: (r["site_id"], r["tag_no"])
        for r in rows(live.data, "select id, site_id, tag_no from red_tags")
    }

    # The restart, and every client's outbox again, all at once.
    live.start()
    threads = [threading.Thread(target=replay, args=(live, c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for op in every:
        if op.replay is None:
            continue
        code, shown = op.replay
        where = f"{op.kind} {op.record} (revision {op.revision}, burst {op.burst})"
        if op.burst not in (200, 201):
            # Never answered: stored now, or found stored already (a replay of it).
            assert code in (200, 201), (where, code, shown)
            if op.kind != "photo":
                assert shown["revision"] == op.revision, (where, shown)
        elif code == 409:
            # Answered before, and the record has moved on since: the server's copy is newer.
            assert shown["current"]["revision"] > op.revision, (where, shown)
        else:
            assert code == 200, (where, code, shown)
            if op.kind != "photo":
                assert shown["revision"] == op.revision, (where, shown)

    # Every record once, one revision per distinct content sent, ending on the last.
    for kind, entity, table in (("tag", "red_tag", "red_tags"), ("action", "action", "actions")):
        sequences: dict[str, list[Op]] = {}
        for op in every:
            if op.kind == kind:
                sequences.setdefault(op.record, []).append(op)
        stored = {r["id"]: r for r in rows(live.data, f"select * from {table}")}
        ours = {i: r for i, r in stored.items() if i in sequences}
        assert set(ours) == set(sequences), f"{table}: missing {set(sequences) - set(ours)}"
        for record, ops in sequences.items():
            history = rows(
                live.data,
                "select revision, body from record_revisions where entity = ? and entity_id = ?"
                " order by revision",
                entity,
                record,
            )
            first = 1 if kind == "tag" else 2  # an action's revision 1 is the server's
            assert [h["revision"] for h in history] == list(range(1, len(ops) + first)), record
            assert ours[record]["revision"] == len(ops) + first - 1, record
            for op, revision in zip(ops, history[first - 1 :], strict=True):
                assert_same_content(op, json.loads(revision["body"]))
    assert len(rows(live.data, "select id from red_tags")) == sum(1 for op in every if op.first), (
        "a tag stored twice"
    )

    # Tag numbers: 1..N per site, kept once given, in arrival order.
    numbers = {
        r["id"]: (r["site_id"], r["tag_no"]) for r in rows(live.data, "select * from red_tags")
    }
    for site in ("hq", "east"):
        mine = sorted(no for s, no in numbers.values() if s == site)
        assert mine == list(range(1, len(mine) + 1)), (site, mine)
        early = sorted(no for s, no in before.values() if s == site)
        assert early == list(range(1, len(early) + 1)), (site, early)
    for tag_id, place in before.items():
        assert numbers[tag_id] == place, f"tag {tag_id} renumbered"
    for op in every:
        if op.number is not None:
            assert numbers[op.record][1] == op.number, f"tag {op.record} renumbered"
    for client in clients:
        for phase in (lambda op: op.record in before, lambda op: op.record not in before):
            for site in ("hq", "east"):
                order = [
                    numbers[op.record][1]
                    for op in client.ops
                    if op.first and phase(op) and numbers[op.record][0] == site
                ]
                assert order == sorted(order), (client.name, site, order)

    # The register over HTTP lists every tag once, with the number it has in the database.
    listed, cursor = [], None
    with httpx.Client(base_url=live.base, headers=live.login("admin"), timeout=30) as http:
        while True:
            query = {"limit": 50} | ({"cursor": cursor} if cursor else {})
            page = http.get("/api/red-tags", params=query).json()
            listed += [(t["id"], t["site_id"], t["tag_no"]) for t in page["red_tags"]]
            if not (cursor := page["next_cursor"]):
                break
    assert sorted(listed) == sorted((i, s, n) for i, (s, n) in numbers.items())

    live.stop()
    verify = subprocess.run(
        [sys.executable, "-m", "server", "verify", "--data", str(live.data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
    assert "is whole" in verify.stdout and "bad" not in verify.stderr, verify.stderr


def assert_same_content(op: Op, stored: dict) -> None:
    """A stored revision's body is the content this op sent."""
    keys = ("zone_id", "qty", "note", "status", "disposition", "item")
    if op.kind == "action":
        keys = ("status", "note", "after_photos", "owner_staff_id", "due")
    for key in keys:
        assert stored[key] == op.body[key], (op.kind, op.record, op.revision, key, stored)
