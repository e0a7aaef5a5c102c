"""Random walks over corrective actions (整改项) and red tags (红牌) through the real app.

A hypothesis state machine moves a few actions and tags by different users (officers, an
officer limited to the east site, supervisors, an admin, and users linked to the staff members
who own the actions) with random statuses, notes, after photos (uploaded or not), due and owner
changes, stale or missing bases, replays of earlier bodies, closings with and without a
disposition and moves across zones and sites. A model says what the server should hold
(docs/actions.md); after every step the server's answer must agree with it, a refused move must
have stored nothing, and no illegal state may be stored, whatever the model thinks. At the end
of each run `genba verify` finds nothing.

One app serves every run (building one costs about a second): each run opens fresh actions (by
submitting fresh audits), makes fresh tags and uploads fresh photos. Behind the actions, their
audits are voided, or returned and resubmitted (failing again, passing, or failing in another
zone). The model follows docs/actions.md and server/access.py, photos included: naming a photo
the user can already read makes them hold it.

The tests after the state machine pin down, one each, what the walks found.
"""

from __future__ import annotations

import io
import itertools
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from litestar.testing import TestClient
from PIL import Image

from conftest import CHECKLISTS, audit_body, token_headers
from images import sha
from server.app import create_app
from server.core.settings import Settings
from server.ops.verify import problems
from server.people.users import user_id_by_name

pytestmark = pytest.mark.fuzz

RUNS = settings(
    max_examples=40,
    stateful_step_count=60,
    deadline=None,
    derandomize=True,  # the same walks every run: a failure is a bug, not bad luck
    # No shrinking: every step is HTTP, so shrinking a 60-step walk takes minutes; the walk
    # that failed is printed whole, and each step says what the model expected and why.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

ITEM = "sort-unneeded"  # creates_action {due_days: 7}, a photo required on a fail
ACTION_CONTENT = (
    "zone_id",
    "audit_id",
    "item_id",
    "owner_staff_id",
    "due",
    "status",
    "before_photos",
    "after_photos",
    "note",
)
SERVER_SET = ("zone_id", "audit_id", "item_id", "before_photos")
MOVES = {
    "open": {"done", "cancelled"},
    "reopened": {"done", "cancelled"},
    "done": {"verified", "reopened"},
}
FINAL = ("verified", "cancelled")
WAITING = ("open", "reopened")
NOT_CLOSED = ("open", "reopened", "done")
STATUSES = ["open", "done", "verified", "reopened", "cancelled"]
GOOD_NOTES = ["已整改", "纸箱已清走; 复查合格"]
DEMO_STAFF = {
    "s-wang", "s-li", "s-zhang", "s-chen", "s-liu", "s-zhao", "s-sun", "s-zhou", "s-he", "s-ma",
}  # fmt: skip
OWNERS = ["s-liu", "s-sun", "s-he", "s-ma", "s-wang", None, "nobody"]
NOTES = ["", "  ", "\u3000", "已整改", "纸箱已清走; 复查合格", "why: 还有两个纸箱", "<4000 n>"]
LONG = {"<4000 n>": "n" * 4000, "<4001 x>": "x" * 4001}  # drawn by name: the walks print short
DUES = ["2020-01-01", "2030-06-30"]
EAST8 = timezone(timedelta(hours=8))  # a tablet's offset: the same instant, written otherwise

TAG_CONTENT = (
    "zone_id",
    "item",
    "qty",
    "reason",
    "photos",
    "tagged_at",
    "proposed",
    "status",
    "disposition",
    "closed_at",
    "note",
)
ZONES = {
    "hq-workshop": "hq",
    "hq-parts": "hq",
    "hq-office": "hq",
    "hq-bodyshop": "hq",
    "east-workshop": "east",
    "east-store": "east",
}
WORKSHOPS = ["east-workshop", "hq-workshop", "hq-bodyshop"]  # one zone kind: one audit body
ZONE_OWNERS = {"east-workshop": "s-sun", "hq-workshop": "s-wang", "hq-bodyshop": "s-li"}
DISPOSITIONS = ["discard", "move", "keep", "sell", "repair"]
USERS = ["officer", "officer2", "supervisor", "admin", "liu", "sun"]
ACTION_INTENTS = ["finish"] * 3 + ["verify", "verify", "reopen", "note", "photos", "cancel"]
ACTION_INTENTS += ["reassign", "tamper", "wild"]
BASES = ["current"] * 8 + ["none", "stale", "ahead"]
SPOILT = {  # what makes a new tag's body one the server refuses before it looks further
    "no item": {"item": ""},
    "long item": {"item": "x" * 201},
    "no qty": {"qty": 0},
    "no photo": {"photos": []},
    "numbered": {"tag_no": 7},
    "control character": {"item": "旧\x07轮胎"},
}

_pictures = itertools.count(1)
SEEN: Counter = Counter()  # what the walks reached: (record, outcome)


def fresh_jpeg() -> bytes:
    """A JPEG no earlier run uploaded: its colour and size count up."""
    n = next(_pictures)
    image = Image.new("RGB", (32 + n % 97, 24 + n // 97), ((n * 37) % 256, (n * 91) % 256, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def note(data, choices: list[str]) -> str:
    chosen = data.draw(st.sampled_from(choices), label="note")
    return LONG.get(chosen, chosen)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class Who:
    name: str
    id: int
    role: str
    sites: frozenset | None
    staff: str | None
    headers: dict

    def sees(self, site: str) -> bool:
        return self.sites is None or site in self.sites

    @property
    def boss(self) -> bool:
        return self.role in ("supervisor", "admin")


@dataclass
class World:
    app: object
    client: TestClient
    users: dict[str, Who]
    templates: dict[str, dict]  # zone -> a passing audit body of it


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data = tmp_path_factory.mktemp("records-fuzz") / "data"
    app = create_app(
        Settings(data_dir=data, checklists_dir=CHECKLISTS, demo=True, password_cost="test")
    )
    with TestClient(app=app) as client:
        admin = token_headers(app, "admin")
        for body in (
            # The owner of hq-office's actions, a supervisor: may reassign and verify.
            {"username": "liu", "role": "supervisor", "staff_id": "s-liu"},
            # The owner of east-workshop's actions, an officer of that site only.
            {"username": "sun", "role": "officer", "staff_id": "s-sun", "site_ids": ["east"]},
        ):
            made = client.post("/api/users", json={**body, "password": "demo1"}, headers=admin)
            assert made.status_code == 201, made.text
        store = app.state.store
        users = {}
        for name, role, sites, staff in (
            ("officer", "officer", None, "s-he"),
            ("officer2", "officer", {"east"}, "s-ma"),
            ("supervisor", "supervisor", None, None),
            ("admin", "admin", None, None),
            ("liu", "supervisor", None, "s-liu"),
            ("sun", "officer", {"east"}, "s-sun"),
        ):
            users[name] = Who(
                name=name,
                id=user_id_by_name(store, name),
                role=role,
                sites=frozenset(sites) if sites else None,
                staff=staff,
                headers=token_headers(app, name),
            )
        templates = {
            "hq-office": audit_body(client, users["officer"].headers, "hq-office", "office"),
            "east-workshop": audit_body(
                client, users["officer2"].headers, "east-workshop", "workshop"
            ),
        }
        yield World(app, client, users, templates)
    app.state.store.close()


# --------------------------------------------------------------------------- the model


@dataclass
class Verdict:
    """What the model expects: refused with one of `codes`, a replay, or a new revision."""

    codes: set[int] = field(default_factory=set)
    why: list[str] = field(default_factory=list)
    replay: bool = False
    grants: set[str] = field(default_factory=set)  # photos the user holds once it is stored

    def refuse(self, code: int, why: str) -> None:
        self.codes.add(code)
        self.why.append(why)

    @property
    def accepted(self) -> bool:
        return not self.codes

    def __str__(self) -> str:
        if self.codes:
            return f"{sorted(self.codes)} for {'; '.join(self.why)}"
        return "a replay (200)" if self.replay else "a new revision (200/201)"


@dataclass
class AuditModel:
    id: str
    zone: str
    officer: str
    officer_id: int
    site: str
    body: dict
    photos: set[str]  # the photos its answers name
    revision: int = 1
    status: str = "submitted"


@dataclass
class ActionModel:
    id: str
    site: str
    audit: AuditModel
    first_due: str
    revision: int
    content: dict
    view: dict
    named: dict[str, int]  # the photos it names -> the user who named each (record_photos)
    done_by: int | None = None
    verified_by: int | None = None
    bodies: list[dict] = field(default_factory=list)
    audit_officer_id: int = 0
    finding: str = "旧纸箱三个"

    def status_line(self) -> str:
        return f"r{self.revision} {self.content['status']} of {self.content['owner_staff_id']}"


@dataclass
class TagModel:
    id: str
    site: str
    tag_no: int
    revision: int
    content: dict  # normalized: times as UTC datetimes
    named: dict[str, int]  # its photos -> the user who named each (record_photos)
    bodies: list[dict] = field(default_factory=list)


def action_content(body: dict) -> dict:
    return {k: body.get(k) for k in ACTION_CONTENT}


def tag_content(body: dict) -> dict:
    content = {k: body.get(k) for k in TAG_CONTENT}
    for key in ("tagged_at", "closed_at"):
        if content[key] is not None:
            content[key] = moment(content[key])
    return content


def action_body_errors(body: dict) -> list[str]:
    """What msgspec refuses before the handler runs (400/422)."""
    errors = []
    if len(body.get("note", "")) > 4000:
        errors.append("note over 4000 characters")
    if body.get("status") not in STATUSES:
        errors.append(f"status {body.get('status')!r}")
    if len(body["after_photos"]) > 10 or any(len(s) != 64 for s in body["after_photos"]):
        errors.append("after_photos not sha256s")
    return errors


def tag_body_errors(body: dict) -> list[str]:
    """What msgspec and the body check refuse before the tag is looked up (400/422)."""
    errors = []
    if "tag_no" in body:
        errors.append("a device numbered it")
    if not 1 <= len(body["photos"]) <= 5:
        errors.append("photos 1..5")
    if not 1 <= body["qty"] <= 100_000:
        errors.append("qty 1..100000")
    if not 1 <= len(body["item"]) <= 200 or any(ord(c) < 32 or ord(c) == 127 for c in body["item"]):
        errors.append("item 1..200, no control characters")
    if body["status"] == "closed":
        if body["disposition"] is None or body["closed_at"] is None:
            errors.append("closed without disposition or closed_at")
        elif moment(body["closed_at"]) < moment(body["tagged_at"]):
            errors.append("closed before it was tagged")
    elif body["disposition"] is not None or body["closed_at"] is not None:
        errors.append("open with a disposition or closed_at")
    return errors


class RecordsMachine(RuleBasedStateMachine):
    world: World  # set by the test

    # ------------------------------------------------------------------ set-up

    @initialize()
    def open_records(self):
        w = self.world
        self.client, self.store = w.client, w.app.state.store
        self.users = w.users
        self.held: dict[str, set[str]] = {name: set() for name in USERS}
        self.photos: list[tuple[str, bytes | None]] = [
            (sha(data), data) for data in (fresh_jpeg() for _ in range(4))
        ]
        self.actions: list[ActionModel] = []
        self.tags: list[TagModel] = []
        for zone, officer in (("hq-office", "officer"), ("east-workshop", "officer2")):
            self.actions.append(self._open_action(zone, officer))
        never = sha(f"never uploaded {uuid.uuid4()}".encode())
        self.photos.append((never, None))
        self.gone: list[tuple[str, dict]] = []  # tags whose creation was refused: not stored
        db = self.store.read()
        self.tag_max = {s: 0 for s in ("hq", "east")}
        for site, top in db.execute("select site_id, max(tag_no) from red_tags group by site_id"):
            self.tag_max[site] = top

    def _open_action(self, zone: str, officer: str) -> ActionModel:
        who = self.users[officer]
        data = fresh_jpeg()
        photo = self._upload(who, data)
        self.photos.append((photo, data))
        body = json.loads(json.dumps(self.world.templates[zone]))
        body["answers"][ITEM] = {"value": 1, "note": "旧纸箱三个", "photos": [photo]}
        audit = AuditModel(
            id=str(uuid.uuid4()),
            zone=zone,
            officer=officer,
            officer_id=who.id,
            site=ZONES[zone],
            body=body,
            photos={photo},
        )
        made = self.client.put(f"/api/audits/{audit.id}", json=body, headers=who.headers)
        assert made.status_code == 201, made.text
        aid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit.id}:{ITEM}"))
        view = self._get_action(aid)
        assert (view["status"], view["revision"], view["before_photos"]) == ("open", 1, [photo])
        return ActionModel(
            id=aid,
            site=view["site_id"],
            audit=audit,
            first_due=view["due"],
            revision=1,
            content=action_content(view),
            view=view,
            named={photo: who.id},
            audit_officer_id=who.id,
        )

    def _upload(self, who: Who, data: bytes) -> str:
        digest = sha(data)
        headers = {**who.headers, "Content-Type": "image/jpeg"}
        response = self.client.put(f"/api/photos/{digest}", content=data, headers=headers)
        assert response.status_code in (200, 201), response.text
        self.held[who.name].add(digest)
        return digest

    def _holds(self, user_id: int, digest: str) -> bool:
        return any(w.id == user_id and digest in self.held[n] for n, w in self.users.items())

    def _held_by(self, user_id: int) -> set[str]:
        return next(self.held[n] for n, w in self.users.items() if w.id == user_id)

    def _reads(self, who: Who, digest: str) -> bool:
        """server/access.py reads_photo: held, or named by an audit the user reads whose
        officer holds it, or by a record of a site the user sees whose namer holds it."""
        if digest in self.held[who.name]:
            return True
        for audit in (a.audit for a in self.actions):
            mine = who.boss or audit.officer_id == who.id
            named = digest in audit.photos and self._holds(audit.officer_id, digest)
            if named and who.sees(audit.site) and mine:
                return True
        for record in [*self.actions, *self.tags]:
            by = record.named.get(digest)
            if by is not None and who.sees(record.site) and self._holds(by, digest):
                return True
        return False

    def _granted(self, who: Who, shas: list[str]) -> set[str]:
        """The photos naming them makes the user hold: those they could read already."""
        return {s for s in shas if s not in self.held[who.name] and self._reads(who, s)}

    def _get_action(self, aid: str) -> dict:
        got = self.client.get(f"/api/actions/{aid}", headers=self.users["admin"].headers)
        assert got.status_code == 200, got.text
        return got.json()

    def _get_tag(self, tag_id: str):
        return self.client.get(f"/api/red-tags/{tag_id}", headers=self.users["admin"].headers)

    # ------------------------------------------------------------------ photos

    @rule(user=st.sampled_from(USERS), which=st.integers(0, 3))
    def upload(self, user, which):
        self._upload(self.users[user], self.photos[which][1])

    # ------------------------------------------------------------------ actions

    @precondition(lambda self: len(self.actions) < 6 and len(self._live()) < 2)
    @rule(zone=st.sampled_from(["hq-office", "east-workshop"]))
    def open_action(self, zone):
        """Another audit of the zone fails the item: another action (owner s-liu or s-sun)."""
        self.actions.append(self._open_action(zone, "officer"))

    def _live(self) -> list[ActionModel]:
        return [a for a in self.actions if a.content["status"] not in FINAL]

    @rule(user=st.sampled_from(USERS), which=st.integers(0, 9), data=st.data())
    def move_action(self, user, which, data):
        """Mostly an action still moving, by someone who sees it; sometimes a final one, or by
        someone of another site."""
        live = self._live() if which % 5 else []
        action = (live or self.actions)[which % len(live or self.actions)]
        who = self.users[user]
        if which % 4 and not who.sees(action.site):
            who = self.users["supervisor" if which % 2 else "officer"]
        body = self._action_body(who, action, data)
        if body.get("upload_first"):
            del body["upload_first"]
            for digest in body["after_photos"]:
                payload = dict(self.photos).get(digest)
                if payload is not None:
                    self._upload(who, payload)
        self._put_action(who, action, body)

    move_action_too = move_action  # twice as likely as the other rules: actions move most

    @precondition(lambda self: any(a.bodies for a in self.actions))
    @rule(user=st.sampled_from(USERS), which=st.integers(0, 9), pick=st.integers(0, 10**6))
    def replay_action(self, user, which, pick):
        """An earlier body again, as a device that never saw its answer would send it."""
        action = self.actions[which % len(self.actions)]
        if not action.bodies:
            action = next(a for a in self.actions if a.bodies)
        self._put_action(self.users[user], action, action.bodies[pick % len(action.bodies)])

    def _action_body(self, who: Who, action: ActionModel, data) -> dict:
        body = {**action.view}
        del body["id"], body["revision"]
        pool = [digest for digest, _ in self.photos]
        intents = ACTION_INTENTS
        if action.content["status"] == "done":  # waiting for a check: mostly checked
            intents = intents + ["verify", "reopen"] * 4
        intent = data.draw(st.sampled_from(intents), label="intent")
        if intent == "note":
            body["note"] = note(data, NOTES)
        elif intent == "photos":
            body["after_photos"] = data.draw(st.lists(st.sampled_from(pool), max_size=3))
        elif intent == "finish":
            body["status"] = "done"
            body["after_photos"] = data.draw(
                st.lists(st.sampled_from(pool), min_size=1, max_size=3)
            )
            body["note"] = note(data, [*NOTES, *GOOD_NOTES * 3])
            body["upload_first"] = data.draw(st.sampled_from([True, True, False]), label="upload")
        elif intent in ("verify", "reopen", "cancel"):
            body["status"] = {"verify": "verified", "reopen": "reopened", "cancel": "cancelled"}[
                intent
            ]
            if intent == "reopen":
                body["note"] = note(data, NOTES)
            # The same move with a reassignment: to the caller, to someone else, or not.
            owner = data.draw(st.sampled_from(["keep", "keep", "me", "other"]), label="owner")
            if owner == "me":
                body["owner_staff_id"] = who.staff
            elif owner == "other":
                body["owner_staff_id"] = data.draw(st.sampled_from(OWNERS), label="owner")
        elif intent == "reassign":
            body["owner_staff_id"] = data.draw(st.sampled_from([*OWNERS, who.staff]))
            body["due"] = data.draw(st.sampled_from([*DUES, action.first_due]), label="due")
        elif intent == "tamper":
            name = data.draw(st.sampled_from(SERVER_SET), label="tampered")
            body[name] = {
                "zone_id": "hq-workshop" if action.site == "hq" else "east-store",
                "audit_id": str(uuid.uuid4()),
                "item_id": "sort-red-tags",
                "before_photos": [pool[0]],
            }[name]
        else:  # wild: every field at random, including what msgspec refuses
            body["status"] = data.draw(st.sampled_from([*STATUSES, "archived"]), label="status")
            body["note"] = note(data, [*NOTES, "<4001 x>"])
            body["after_photos"] = data.draw(
                st.lists(st.sampled_from([*pool, "../x"]), max_size=3), label="after"
            )
            body["owner_staff_id"] = data.draw(st.sampled_from(OWNERS), label="owner")
            body["due"] = data.draw(st.sampled_from([*DUES, action.first_due]), label="due")
        base = data.draw(st.sampled_from(BASES), label="base")
        body["base_revision"] = {
            "current": action.revision,
            "none": None,
            "stale": max(1, action.revision - 1) if action.revision > 1 else None,
            "ahead": action.revision + 1,
        }[base]
        return body

    def _action_verdict(self, who: Who, action: ActionModel, body: dict) -> Verdict:
        verdict = Verdict()
        errors = action_body_errors(body)
        if errors:
            for error in errors:
                verdict.refuse(400, error)
                verdict.codes.add(422)
            return verdict
        if not who.sees(action.site):
            verdict.refuse(404, "another site's action")
            return verdict
        old, new = action.content, action_content(body)
        if new == old:
            verdict.replay = True
            return verdict
        if body.get("base_revision") != action.revision:
            verdict.refuse(409, f"base {body.get('base_revision')} is not {action.revision}")
        if old["status"] in FINAL:
            verdict.refuse(409, f"{old['status']} is final")
        for name in SERVER_SET:
            if new[name] != old[name]:
                verdict.refuse(422, f"{name} is the server's")
        for name in ("due", "owner_staff_id"):
            if new[name] != old[name] and not who.boss:
                verdict.refuse(403, f"an officer changed {name}")
        owner, old_owner = new["owner_staff_id"], old["owner_staff_id"]
        if owner != old["owner_staff_id"] and owner is not None and owner not in DEMO_STAFF:
            verdict.refuse(422, f"no staff member {owner}")
        if new["status"] != old["status"]:
            if new["status"] not in MOVES.get(old["status"], set()):
                verdict.refuse(422, f"{old['status']} -> {new['status']}")
            elif new["status"] == "cancelled" and not who.boss:
                verdict.refuse(403, "an officer cancelled")
            elif new["status"] in ("verified", "reopened") and who.staff in {old_owner, owner} - {
                None
            }:
                # Nobody checks their own fix: not as the owner it had, nor as the one it gets.
                verdict.refuse(403, f"{new['status']} by its owner ({who.staff})")
        verdict.grants = self._granted(who, new["after_photos"])
        if new["status"] == "done":
            # The before photo shows the finding, not the fix: it never counts as an after photo.
            fixes = [s for s in new["after_photos"] if s not in new["before_photos"]]
            namers = {s: action.named.get(s, who.id) for s in fixes}
            granted = {(who.id, s) for s in verdict.grants}
            if not any(self._holds(by, s) or (by, s) in granted for s, by in namers.items()):
                named = {
                    s[:6]: (by, sorted(h[:6] for h in self._held_by(by)))
                    for s, by in namers.items()
                }
                verdict.refuse(422, f"done without an after photo the server holds: {named}")
            if not new["note"].strip():
                verdict.refuse(422, "done without a note")
        return verdict

    def _put_action(self, who: Who, action: ActionModel, body: dict) -> None:
        verdict = self._action_verdict(who, action, body)
        response = self.client.put(f"/api/actions/{action.id}", json=body, headers=who.headers)
        got = response.status_code
        step = f"{who.name} PUT action {action.status_line()}: {body_summary(body)} -> {got}"
        assert got < 500, f"{step}: {response.text}"
        if verdict.accepted:
            assert got == 200, f"{step}: the model expected {verdict}: {response.text}"
        else:
            assert got in verdict.codes, f"{step}: the model expected {verdict}: {response.text}"
        if got == 409:
            assert response.json()["current"]["revision"] == action.revision, response.text
        SEEN["action", outcome(got, verdict, action.content, action_content(body))] += 1
        if got == 200 and not verdict.replay:
            self.held[who.name] |= verdict.grants
            new = action_content(body)
            if new["status"] != action.content["status"]:
                if new["status"] == "done":
                    action.done_by = who.id
                if new["status"] == "verified":
                    action.verified_by = who.id
            after = {s: action.named.get(s, who.id) for s in new["after_photos"]}
            action.named = {s: action.audit_officer_id for s in new["before_photos"]} | after
            action.revision += 1
            action.content = new
        if body not in action.bodies:
            action.bodies.append(body)  # answered or not: a device may send it again
        self._check_action(action, response.json() if got == 200 else None)

    def _check_action(self, action: ActionModel, answered: dict | None) -> None:
        view = self._get_action(action.id)
        for shown in filter(None, (answered, view)):
            where = f"action {action.id} as {'answered' if shown is answered else 'stored'}"
            assert (shown["revision"], shown["site_id"]) == (action.revision, action.site), where
            assert action_content(shown) == action.content, (where, shown, action.content)
            assert (shown["done_by"], shown["verified_by"]) == (
                action.done_by,
                action.verified_by,
            ), where
        action.view = view

    # ------------------------------------------------------------------ audits behind them

    @rule(which=st.integers(0, 9), what=st.sampled_from(["void", "pass"] + ["fail", "move"] * 2))
    def audit_moves(self, which, what):
        """The audit behind an action is voided, or returned and resubmitted: the item failing
        (its note the same or new) or passing, or failing in another workshop (of either site:
        the officer sees both)."""
        action = self.actions[which % len(self.actions)]
        zone = action.audit.zone
        if what == "move" and action.audit.officer == "officer" and zone in WORKSHOPS:
            zone = WORKSHOPS[(WORKSHOPS.index(zone) + 1 + which % 2) % len(WORKSHOPS)]
        if what == "void":
            self._void_audit(action)
        else:
            self._return_and_resubmit(action, what != "pass", which % 2 == 0, zone)

    def _void_audit(self, action: ActionModel) -> None:
        voided = self.client.post(
            f"/api/audits/{action.audit.id}/void",
            json={"reason": "wrong zone"},
            headers=self.users["admin"].headers,
        )
        assert voided.status_code < 500, voided.text
        if voided.status_code == 200:
            action.audit.status = "void"
            if action.content["status"] in NOT_CLOSED:
                self._server_move(action, status="cancelled")
        else:
            assert action.audit.status == "void", voided.text
        self._check_action(action, None)

    def _return_and_resubmit(self, action: ActionModel, failing: bool, new_finding: bool, zone):
        audit = action.audit
        returned = self.client.post(
            f"/api/audits/{audit.id}/review",
            json={"decision": "return", "comment": "recount"},
            headers=self.users["supervisor"].headers,
        )
        assert returned.status_code < 500, returned.text
        if returned.status_code != 200:
            assert audit.status == "void", returned.text
            return
        audit.status = "returned"
        answers = {**audit.body["answers"]}
        other = next(i for i in answers if i != ITEM)  # so the audit's content changes
        answers[other] = {**answers[other], "note": f"复查 {audit.revision + 1}"}
        finding = f"复查: 还有 {audit.revision + 1} 个纸箱" if new_finding else action.finding
        answers[ITEM] = {**answers[ITEM], "note": finding}
        if not failing:
            answers[ITEM] = {"value": 4, "note": "", "photos": []}
        body = {**audit.body, "answers": answers, "base_revision": audit.revision, "zone_id": zone}
        officer = self.users[audit.officer]
        again = self.client.put(f"/api/audits/{audit.id}", json=body, headers=officer.headers)
        assert again.status_code == 200, again.text
        audit.revision += 1
        audit.status = "submitted"
        audit.photos = set(answers[ITEM].get("photos", []))
        audit.zone, audit.site = zone, ZONES[zone]
        status = action.content["status"]
        # Moved to another zone, the finding is that zone's, and so is its owner (责任人):
        # see test_a_moved_finding_is_owned_by_its_new_zones_owner.
        place = {"zone_id": zone}
        if zone != action.content["zone_id"]:
            place["owner_staff_id"] = ZONE_OWNERS[zone]
        if failing and status == "cancelled":
            # Failing again reopens it, due again from the audit's day, where the audit is now.
            self._server_move(action, status="open", due=action.first_due, **place)
            action.finding = finding
        elif failing and status in WAITING and (finding != action.finding or len(place) > 1):
            # The finding is the answer's note and its zone: a new one is a new revision.
            self._server_move(action, **place)
            action.finding = finding
        elif not failing and status in WAITING:
            self._server_move(action, status="cancelled")
        self._check_action(action, None)
        assert action.view["finding"] == action.finding

    def _server_move(self, action: ActionModel, **changes) -> None:
        action.content = {**action.content, **changes}
        action.site = ZONES[action.content["zone_id"]]
        action.revision += 1
        before = set(action.content["before_photos"])
        action.named = {
            s: by
            for s, by in action.named.items()
            if s in before or s in action.content["after_photos"]
        }

    # ------------------------------------------------------------------ red tags

    @rule(user=st.sampled_from(USERS), data=st.data())
    def new_tag(self, user, data):
        who = self.users[user]
        pool = [digest for digest, _ in self.photos]
        hours = data.draw(st.integers(1, 24 * 12), label="hours ago")
        tagged = datetime.now(UTC) - timedelta(hours=hours)
        body = {
            "zone_id": data.draw(st.sampled_from([*ZONES, "nowhere"]), label="zone"),
            "item": data.draw(st.sampled_from(["旧轮胎", "坏椅子"]), label="item"),
            "qty": data.draw(st.sampled_from([1, 4, 100_000]), label="qty"),
            "reason": "三个月未使用",
            "photos": data.draw(
                st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)
            ),
            "tagged_at": tagged.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "proposed": data.draw(st.sampled_from(DISPOSITIONS), label="proposed"),
            "status": "open",
            "disposition": None,
            "closed_at": None,
            "note": "",
            "base_revision": None,
        }
        if data.draw(st.integers(0, 9), label="closed at birth") == 0:
            # Tagged and dealt with offline before the tablet synced: first seen closed.
            body |= {"status": "closed", "disposition": "sell", "closed_at": iso(tagged, 1)}
        spoilt = data.draw(st.sampled_from([None] * 24 + list(SPOILT)), label="spoilt")
        if spoilt is not None:
            body |= SPOILT[spoilt]
        self._put_tag(who, str(uuid.uuid4()), None, body)

    @precondition(lambda self: self.tags)
    @rule(user=st.sampled_from(USERS), pick=st.integers(0, 10**6), data=st.data())
    def change_tag(self, user, pick, data):
        """Mostly a tag still open, by someone who sees it; sometimes any tag, by anyone."""
        who = self.users[user]
        open_ = [t for t in self.tags if t.content["status"] == "open" and who.sees(t.site)]
        tags = open_ if pick % 5 and open_ else self.tags
        tag = tags[pick % len(tags)]
        content = tag.content
        body = {
            **{k: v for k, v in content.items() if k not in ("tagged_at", "closed_at")},
            "tagged_at": iso(content["tagged_at"]),
            "closed_at": iso(content["closed_at"]) if content["closed_at"] else None,
        }
        intent = data.draw(
            st.sampled_from(
                ["edit", "move", "close"] * 2
                + ["close-badly", "reopen", "photos"]
                + ["offset", "wild"]
            ),
            label="intent",
        )
        if intent == "edit":
            body["qty"] = data.draw(st.sampled_from([content["qty"] + 1] * 4 + [0, 100_001]))
            body["note"] = note(data, ["", "已联系车间", "<4000 n>"])
            body["item"] = data.draw(st.sampled_from([content["item"]] * 2 + ["旧轮胎 x2", ""]))
        elif intent == "move":
            # Mostly another zone of the tag's own site, a move that can be taken; sometimes
            # any zone at all.
            here = [z for z, site in ZONES.items() if site == tag.site and z != content["zone_id"]]
            body["zone_id"] = data.draw(
                st.sampled_from([*here * 4, *ZONES, "nowhere"]), label="zone"
            )
        elif intent == "close":
            body |= {
                "status": "closed",
                "disposition": data.draw(st.sampled_from(DISPOSITIONS)),
                "closed_at": iso(content["tagged_at"], data.draw(st.integers(0, 48))),
            }
        elif intent == "close-badly":
            closing = {"status": "closed", "disposition": "discard"}
            closing["closed_at"] = iso(content["tagged_at"], 1)
            bad = data.draw(st.sampled_from(["disposition", "closed_at", "early", "open-with"]))
            if bad == "early":
                closing["closed_at"] = iso(content["tagged_at"], -1)
            elif bad == "open-with":
                closing["status"] = "open"
                closing[data.draw(st.sampled_from(["disposition", "closed_at"]))] = None
            else:
                closing[bad] = None
            body |= closing
        elif intent == "reopen":
            body |= {"status": "open", "disposition": None, "closed_at": None}
        elif intent == "photos":
            pool = [digest for digest, _ in self.photos]
            body["photos"] = data.draw(st.lists(st.sampled_from(pool), max_size=6, unique=True))
        elif intent == "offset":
            # The same instant written with another offset: the same content, a replay.
            body["tagged_at"] = content["tagged_at"].astimezone(EAST8).isoformat()
        else:
            body["zone_id"] = data.draw(st.sampled_from([*ZONES, "nowhere"]), label="zone")
            body["proposed"] = data.draw(st.sampled_from(DISPOSITIONS), label="proposed")
            body["status"] = data.draw(st.sampled_from(["open", "closed"]), label="status")
            body["disposition"] = data.draw(st.sampled_from([None, *DISPOSITIONS]))
            body["closed_at"] = data.draw(st.sampled_from([None, iso(content["tagged_at"], 2)]))
        base = data.draw(st.sampled_from(BASES), label="base")
        body["base_revision"] = {
            "current": tag.revision,
            "none": None,
            "stale": tag.revision - 1 if tag.revision > 1 else None,
            "ahead": tag.revision + 1,
        }[base]
        self._put_tag(who, tag.id, tag, body)

    change_tag_too = change_tag

    @precondition(lambda self: any(t.bodies for t in self.tags) or self.gone)
    @rule(user=st.sampled_from(USERS), pick=st.integers(0, 10**6))
    def replay_tag(self, user, pick):
        """An earlier body again (the first one included), or a refused creation again."""
        sent = [(t.id, b) for t in self.tags for b in t.bodies]
        if not sent or pick % 10 == 0:
            sent += self.gone
        tag_id, body = sent[pick % len(sent)]
        tag = next((t for t in self.tags if t.id == tag_id), None)
        self._put_tag(self.users[user], tag_id, tag, body)

    def _tag_verdict(self, who: Who, tag: TagModel | None, body: dict) -> Verdict:
        verdict = Verdict()
        errors = tag_body_errors(body)
        if errors:
            for error in errors:
                verdict.refuse(400, error)
                verdict.codes.add(422)
            return verdict
        if tag is not None and not who.sees(tag.site):
            verdict.refuse(404, "another site's tag")
            return verdict
        new = tag_content(body)
        if tag is not None and new == tag.content:
            verdict.replay = True
            return verdict
        site = ZONES.get(body["zone_id"])
        if site is None or not who.sees(site):
            verdict.refuse(422, f"zone {body['zone_id']} unknown to {who.name}")
        verdict.grants = self._granted(who, body["photos"])
        if tag is None:
            return verdict
        if body.get("base_revision") != tag.revision:
            verdict.refuse(409, f"base {body.get('base_revision')} is not {tag.revision}")
        if tag.content["status"] == "closed":
            verdict.refuse(409, "a closed tag is final")
        if site is not None and site != tag.site:
            verdict.refuse(422, "moved to another site")
        return verdict

    def _put_tag(self, who: Who, tag_id: str, tag: TagModel | None, body: dict) -> None:
        verdict = self._tag_verdict(who, tag, body)
        response = self.client.put(f"/api/red-tags/{tag_id}", json=body, headers=who.headers)
        got = response.status_code
        SEEN["tag", outcome(got, verdict, tag and tag.content, tag_content(body))] += 1
        state = f"tag r{tag.revision} {tag.content['status']}" if tag else "new tag"
        step = f"{who.name} PUT {state}: {tag_summary(body)} -> {got}"
        assert got < 500, f"{step}: {response.text}"
        if not verdict.accepted:
            assert got in verdict.codes, f"{step}: the model expected {verdict}: {response.text}"
            if got == 409:
                assert response.json()["current"]["revision"] == tag.revision, response.text
            if tag is None and (tag_id, body) not in self.gone:
                self.gone.append((tag_id, body))
        elif tag is None:
            assert got == 201, f"{step}: the model expected {verdict}: {response.text}"
            site = ZONES[body["zone_id"]]
            self.tag_max[site] += 1
            tag = TagModel(
                id=tag_id,
                site=site,
                tag_no=self.tag_max[site],
                revision=1,
                content=tag_content(body),
                named={s: who.id for s in body["photos"]},
                bodies=[body],
            )
            self.held[who.name] |= verdict.grants
            self.tags.append(tag)
            self.gone = [(i, b) for i, b in self.gone if i != tag_id]
            shown = response.json()
            assert (shown["tag_no"], shown["site_id"]) == (tag.tag_no, site), shown
            assert shown["tag_label"] == f"RT-{tag.tag_no:04d}", shown
        else:
            assert got == 200, f"{step}: the model expected {verdict}: {response.text}"
            if not verdict.replay:
                tag.revision += 1
                tag.content = tag_content(body)
                tag.named = {s: tag.named.get(s, who.id) for s in body["photos"]}
                self.held[who.name] |= verdict.grants
        if tag is not None:
            if body not in tag.bodies:
                tag.bodies.append(body)  # answered or not: a device may send it again
            self._check_tag(tag, response.json() if got in (200, 201) else None)
        else:
            assert self._get_tag(tag_id).status_code == 404, f"{step}: stored anyway"

    def _check_tag(self, tag: TagModel, answered: dict | None) -> None:
        got = self._get_tag(tag.id)
        assert got.status_code == 200, got.text
        for shown in filter(None, (answered, got.json())):
            assert (shown["revision"], shown["tag_no"], shown["site_id"]) == (
                tag.revision,
                tag.tag_no,
                tag.site,
            ), shown
            assert tag_content(shown) == tag.content, (shown, tag.content)

    # ------------------------------------------------------------------ what is never stored

    @invariant()
    def nothing_illegal_is_stored(self):
        if not hasattr(self, "actions"):
            return
        db = self.store.read()
        staff_of = dict(db.execute("select id, staff_id from users").fetchall())
        for action in self.actions:
            row = next(db.query("select * from actions where id = ?", [action.id]))
            where = f"action {action.id}"
            assert row["revision"] == action.revision, where
            assert row["status"] == action.content["status"], where
            assert ZONES[row["zone_id"]] == row["site_id"], f"{where}: not its zone's site"
            if row["status"] == "done":
                assert row["note"].strip(), f"{where}: done without a note"
                held = db.execute(
                    "select count(*) from record_photos rp join photo_holders h"
                    " on h.sha256 = rp.sha256 and h.user_id = rp.named_by"
                    " where rp.entity = 'action' and rp.entity_id = ? and rp.sha256 in"
                    " (select value from json_each(?)) and rp.sha256 not in"
                    " (select value from json_each(?))",
                    [action.id, row["after_photos"], row["before_photos"]],
                ).fetchone()[0]
                assert held, f"{where}: done without an after photo the server holds"
            if row["status"] == "verified":
                verifier = staff_of.get(row["verified_by"])
                assert verifier is None or verifier != row["owner_staff_id"], (
                    f"{where}: verified by its owner {verifier}"
                )
            history = _revisions(db, "action", action.id)
            assert [r["revision"] for r in history] == list(range(1, row["revision"] + 1)), where
            for before, after in itertools.pairwise(history):
                _legal_action_step(where, before, after, staff_of)
        for tag in self.tags:
            row = next(db.query("select * from red_tags where id = ?", [tag.id]))
            where = f"red tag {tag.id}"
            assert (row["tag_no"], row["site_id"], row["revision"]) == (
                tag.tag_no,
                tag.site,
                tag.revision,
            ), where
            history = _revisions(db, "red_tag", tag.id)
            assert [r["revision"] for r in history] == list(range(1, row["revision"] + 1)), where
            for before, after in itertools.pairwise(history):
                assert before["content_hash"] != after["content_hash"], f"{where}: doubled"
                assert before["status"] != "closed", f"{where}: changed after it was closed"
            for revision in history:
                zone = json.loads(revision["body"])["zone_id"]
                assert ZONES[zone] == tag.site, f"{where}: moved to another site"
        for digest, _ in self.photos:
            holders = {
                u
                for (u,) in db.execute(
                    "select user_id from photo_holders where sha256 = ?", [digest]
                )
            }
            expected = {w.id for n, w in self.users.items() if digest in self.held[n]}
            assert holders == expected, f"photo {digest[:8]}: held by {holders}, not {expected}"
        for site, count, top, distinct in db.execute(
            "select site_id, count(*), max(tag_no), count(distinct tag_no) from red_tags"
            " group by site_id"
        ):
            assert count == top == distinct, f"site {site}: tag numbers collide or skip"

    def teardown(self):
        if hasattr(self, "store"):
            assert problems(self.store, self.world.app.state.settings) == []


def _revisions(db, entity: str, entity_id: str) -> list[dict]:
    return list(
        db.query(
            "select * from record_revisions where entity = ? and entity_id = ? order by revision",
            [entity, entity_id],
        )
    )


def _legal_action_step(where: str, before: dict, after: dict, staff_of: dict) -> None:
    """One stored revision to the next: a move the rules allow, by whom they allow."""
    old, new = before["status"], after["status"]
    step = f"{where}: revision {after['revision']} ({old} -> {new} via {after['via']})"
    assert before["content_hash"] != after["content_hash"], f"{step}: stored twice"
    if after["via"] == "device":
        assert old not in FINAL, f"{step}: changed after it was final"
        assert new == old or new in MOVES[old], f"{step}: not a move"
        if new != old and new in ("verified", "reopened"):
            owners = {json.loads(b["body"])["owner_staff_id"] for b in (before, after)}
            by = staff_of.get(after["created_by"])
            assert by is None or by not in owners, f"{step}: by its owner {by}"
    elif after["via"] == "audit":
        assert (old, new) in {
            ("open", "cancelled"),
            ("reopened", "cancelled"),
            ("cancelled", "open"),
        } or old == new, step
    else:
        assert (after["via"], new) == ("void", "cancelled") and old in NOT_CLOSED, step


def iso(at: datetime, hours: int = 0) -> str:
    return (at + timedelta(hours=hours)).astimezone(UTC).isoformat().replace("+00:00", "Z")


def body_summary(body: dict) -> str:
    keep = {k: body.get(k) for k in ("status", "owner_staff_id", "due", "base_revision")}
    note = body.get("note", "")
    return f"{keep} note={note[:12]!r}({len(note)}) after={[s[:6] for s in body['after_photos']]}"


def tag_summary(body: dict) -> str:
    keep = ("zone_id", "qty", "status", "disposition", "closed_at", "base_revision")
    return str({k: body.get(k) for k in keep} | {"photos": len(body["photos"])})


def outcome(got: int, verdict: Verdict, old: dict | None, new: dict) -> str:
    """A name for what a PUT did, to count what the walks reached."""
    if got >= 300:
        return str(got)
    if verdict.replay:
        return "replay"
    if old is None:
        return "created" if new["status"] == "open" else "created closed"
    if new["status"] != old["status"]:
        return new["status"]
    if new["zone_id"] != old["zone_id"]:
        return "moved"
    return "edited"


# What the walks must reach, every move and every refusal, or they prove little.
MUST_REACH = [
    *(("action", o) for o in ["done", "verified", "reopened", "cancelled", "edited", "replay"]),
    *(("action", o) for o in ["400", "403", "404", "409", "422"]),
    *(("tag", o) for o in ["created", "created closed", "closed", "moved", "edited", "replay"]),
    *(("tag", o) for o in ["400", "404", "409", "422"]),
]
WALK_SETS = 4


def test_random_walks_over_actions_and_red_tags(world):
    RecordsMachine.world = world
    SEEN.clear()
    # A set of walks is fixed by the machine's digest (derandomize), and a few moves are rare
    # in any one set: walk further sets, each its own subclass (its name is its digest, so
    # each set is as repeatable as the first), while something is still unreached.
    for number in range(WALK_SETS):
        walks = type(f"RecordsWalks{number}", (RecordsMachine,), {}) if number else RecordsMachine
        run_state_machine_as_test(walks, settings=RUNS)
        unreached = [outcome for outcome in MUST_REACH if not SEEN[outcome]]
        if not unreached:
            break
    assert not unreached, (unreached, SEEN)


# --------------------------------------------------------------------------- what the walks found


def _failed_audit(world: World, zone: str, officer: str) -> tuple[str, dict, dict]:
    """A fresh audit of `zone` whose ITEM failed: (audit id, its body, the action it opened)."""
    client, who = world.client, world.users[officer]
    data = fresh_jpeg()
    digest = sha(data)
    headers = {**who.headers, "Content-Type": "image/jpeg"}
    assert client.put(f"/api/photos/{digest}", content=data, headers=headers).status_code == 201
    body = json.loads(json.dumps(world.templates[zone]))
    body["answers"][ITEM] = {"value": 1, "note": "旧纸箱三个", "photos": [digest]}
    audit_id = str(uuid.uuid4())
    made = client.put(f"/api/audits/{audit_id}", json=body, headers=who.headers)
    assert made.status_code == 201, made.text
    action_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:{ITEM}"))
    action = client.get(f"/api/actions/{action_id}", headers=who.headers).json()
    return audit_id, body, action


def _put(world: World, user: str, action: dict, **changes):
    body = {**action, **changes, "base_revision": action["revision"]}
    return world.client.put(
        f"/api/actions/{action['id']}", json=body, headers=world.users[user].headers
    )


def test_an_owner_may_not_verify_by_taking_the_action_over_in_the_same_move(world):
    """A supervisor linked to a staff member (liu, s-liu) verifies an action of s-sun's while
    making it their own: stored, it is an action verified by its owner."""
    _, _, action = _failed_audit(world, "east-workshop", "officer")
    assert action["owner_staff_id"] == "s-sun"
    data = fresh_jpeg()
    after = sha(data)
    headers = {**world.users["officer"].headers, "Content-Type": "image/jpeg"}
    assert world.client.put(f"/api/photos/{after}", content=data, headers=headers).is_success
    done = _put(world, "officer", action, status="done", after_photos=[after], note="已整改")
    assert done.status_code == 200, done.text
    taken = _put(world, "liu", done.json(), status="verified", owner_staff_id="s-liu")
    assert taken.status_code == 403, f"verified by its owner: {taken.json()}"
    reopened = _put(world, "liu", done.json(), status="reopened", owner_staff_id="s-liu")
    assert reopened.status_code == 403, f"reopened by its owner: {reopened.json()}"


def test_a_resubmitted_finding_is_a_revision_the_log_and_verify_can_see(world):
    """Resubmitting a returned audit with a new note on the failed item (the action's finding)
    stores a revision whose content is the previous one's, so the revision and its event do
    not say what changed, and `genba verify` cannot tell a forged finding."""
    client, users = world.client, world.users
    audit_id, body, action = _failed_audit(world, "hq-office", "officer")
    returned = client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "recount"},
        headers=users["supervisor"].headers,
    )
    assert returned.status_code == 200, returned.text
    again = json.loads(json.dumps(body)) | {"base_revision": 1}
    again["answers"][ITEM]["note"] = "旧纸箱五个"
    resubmitted = client.put(
        f"/api/audits/{audit_id}", json=again, headers=users["officer"].headers
    )
    assert resubmitted.status_code == 200, resubmitted.text
    store, settings_ = world.app.state.store, world.app.state.settings
    hashes = [r["content_hash"] for r in _revisions(store.read(), "action", action["id"])]
    try:
        with store.write() as db:
            db.execute("update actions set finding = 'forged' where id = ?", [action["id"]])
        forged = problems(store, settings_)
    finally:
        with store.write() as db:
            db.execute("update actions set finding = '旧纸箱五个' where id = ?", [action["id"]])
    assert len(set(hashes)) == len(hashes), f"revisions with the same content: {hashes}"
    assert any(action["id"] in p for p in forged), "a forged finding passes genba verify"


def test_a_moved_finding_is_owned_by_its_new_zones_owner(world):
    """A returned audit resubmitted for another zone takes its open action along (zone and
    site), but the action keeps the old zone's owner: east-workshop's s-sun now answers for a
    finding in hq-workshop, whose owner (责任人) is s-wang, and counts it in his appraisal."""
    client, users = world.client, world.users
    audit_id, body, action = _failed_audit(world, "east-workshop", "officer")
    assert (action["owner_staff_id"], action["site_id"]) == ("s-sun", "east")
    returned = client.post(
        f"/api/audits/{audit_id}/review",
        json={"decision": "return", "comment": "wrong zone"},
        headers=users["supervisor"].headers,
    )
    assert returned.status_code == 200, returned.text
    moved = {**body, "zone_id": "hq-workshop", "base_revision": 1}
    again = client.put(f"/api/audits/{audit_id}", json=moved, headers=users["officer"].headers)
    assert again.status_code == 200, again.text
    now = client.get(f"/api/actions/{action['id']}", headers=users["admin"].headers).json()
    assert (now["zone_id"], now["site_id"]) == ("hq-workshop", "hq")
    assert now["owner_staff_id"] == "s-wang", f"owned by {now['owner_staff_id']}"


def test_the_before_photo_is_no_after_photo(world):
    """Done needs an after photo (整改后照片), the fix's evidence. The finding's own before
    photo is readable by everyone of the site, and naming a readable photo now makes the
    caller hold it, so anyone can mark the action done with the before photo as the after
    one, having uploaded nothing."""
    _, _, action = _failed_audit(world, "hq-office", "officer")
    before = action["before_photos"]
    done = _put(world, "supervisor", action, status="done", after_photos=before, note="已整改")
    assert done.status_code == 422, f"done with its before photo: {done.json()}"
