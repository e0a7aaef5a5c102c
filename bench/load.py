"""Load test: a fleet of tablets and supervisors on the real Genba server for minutes on end.

    .venv/bin/python bench/load.py                       # 100 devices for 10 minutes
    .venv/bin/python bench/load.py --quick               # 10 devices for 1 minute
    .venv/bin/python bench/load.py --devices 20 --minutes 1

What it does, in order (see bench/README.md):

1. Starts `python -m server serve --demo` (with the demo's eight weeks of audits) on a free
   port of 127.0.0.1, its output in a log file, and sets up, untimed: one user per device
   through the admin API (officers, and a tenth of the devices as supervisors), each signed in
   with its own token; every officer's schedule of 6S audits for the run, and a pool of
   distinct 1600x1200 JPEGs for their findings (every one a new sha256).
2. Runs the devices at once as asyncio tasks, one `httpx.AsyncClient` (one connection) each,
   at a tablet's pace (`--pace` scales every pause): an officer walks a zone every 20-60 s,
   saves drafts on the way, uploads the photos of its findings before the audit that names
   them, submits, pulls `/api/changes` (and the thumbnails of new findings of its sites, as
   the PWA does) after each sync and now and then while idle, and fixes and resubmits what a
   supervisor returned. One write in ten (audit or photo PUT) is sent twice: a replay, which
   must answer 200 and store nothing. A supervisor sits at the review queue (one to five
   audits: approve, or return with a comment), opens scorecard PDFs, zone boards and reports.
   At half time it runs `genba backup` on the live data dir.
3. Prints per interval (a minute by default) requests, latency per kind, 4xx/5xx, the
   server's memory and CPU, the client's CPU.
4. Stops the server and checks, from its database, that everything the clients were answered
   2xx for is stored exactly once, runs `genba verify`, restores the mid-run backup into an
   empty dir and verifies it too, and prints the verdicts (PASS/FAIL; exit 0 whatever they
   are, when the run completed).

Traffic goes only to 127.0.0.1; the server is stopped however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from loadgen import (  # noqa: E402
    NOTES,
    TABLET_NOISE,
    Finding,
    GenbaServer,
    Ledger,
    answers,
    applicable_items,
    audit_zones,
    check_store,
    clean_env,
    cpu_seconds,
    finding_slots,
    free_port,
    genba_cli,
    iso,
    machine_busy_seconds,
    memory_kb,
    ms,
    pct,
    photo_pool,
)

from conftest import good_value  # noqa: E402  (the tests' passing answer per item type)

CHECKLIST_ID = "6s-zone"
PASSWORD = "load-test-1"

# The pace of one device, seconds (uniform between the two). A real 6S officer audits a zone
# in 15-30 minutes; here one does every 20-60 s plus the walk between drafts: a long day of a
# big group's whole fleet compressed about 25 times.
AUDIT_GAP = (20.0, 60.0)  # an officer's pause between audits
STEP_GAP = (4.0, 12.0)  # walking the zone: before each draft save and before submitting
DRAFTS = ((0, 0.45), (1, 0.40), (2, 0.15))  # drafts saved before the submit, and how often
PHOTOS = (0, 1, 2, 3)  # photos of findings per audit, equally often
NOTE_ONLY = 0.3  # audits with one more deduction noted without a photo
POLL_GAP = (20.0, 60.0)  # an idle tablet pulls /api/changes (it also does after every sync)
FIX_GAP = (5.0, 20.0)  # a returned audit fixed and submitted again
THUMBS_PER_PULL = 60  # the PWA caches at most this many record thumbnails per pull
SUPERVISOR_GAP = (4.0, 12.0)  # a supervisor's pause between actions
READ_GAP = (2.0, 8.0)  # reading an audit before approving or returning it
REPLAY_SHARE = 0.10  # writes sent twice
RETURN_SHARE = 0.15  # reviews that return the audit
SUPERVISOR_SHARE = 0.10  # of the devices
SUPERVISOR_ACTIONS = (
    ("review", 0.55),
    ("scorecard", 0.12),
    ("board", 0.05),
    ("zones", 0.10),
    ("appraisal", 0.06),
    ("queue counts", 0.06),
    ("findings", 0.03),
    ("officers", 0.03),
)
RETURN_COMMENTS = ["请补充整改说明 / add what was fixed", "照片不清楚 / photo unclear"]
KINDS = (
    "photo",
    "photo replay",
    "audit",
    "audit replay",
    "changes",
    "thumb",
    "queue",
    "open",
    "review",
    "scorecard",
    "board",
    "report",
)
# 4xx that are part of the job: two supervisors deciding on the same audit at once.
EXPECTED_4XX = {("review", 409)}
KEEPALIVE = 4.0  # below uvicorn's 5 s keep-alive, so a request never meets a closing socket
REQUEST_TIMEOUT = 120.0
SHOWN = 20  # errors printed
MEMORY_RATIO = 1.3  # late RSS at most this many times the RSS after warm-up


def uniform(rng: random.Random, bounds: tuple[float, float], pace: float) -> float:
    """A pause between the bounds, times the run's pace (--pace: below 1 is busier)."""
    return rng.uniform(*bounds) * pace


def mean(bounds: tuple[float, float]) -> float:
    return (bounds[0] + bounds[1]) / 2


# --- what happens: samples and the run's shared state --------------------------------------


@dataclass
class Run:
    base: str
    duration: float
    interval: float
    pace: float = 1.0
    t0: float = 0.0  # time.monotonic() at the start, set when the devices start
    deadline: float = math.inf
    ledger: Ledger = field(default_factory=Ledger)
    # (kind, done at (s since t0), seconds, status; 0 for a transport error)
    samples: list[tuple[str, float, float, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # transport errors, 5xx, unexpected 4xx
    expected_4xx: Counter = field(default_factory=Counter)
    expected_seen: list[str] = field(default_factory=list)  # a few of them, as answered
    zones: list[tuple[str, str, str]] = field(default_factory=list)
    items: dict[str, list[dict]] = field(default_factory=dict)  # by zone kind
    month: str = ""
    checklist_version: int = 0
    photos: dict[str, bytes] = field(default_factory=dict)
    reviewed: list[str] = field(default_factory=list)  # audits a supervisor reviewed

    def left(self) -> float:
        return self.deadline - time.monotonic()


class Device:
    def __init__(self, run: Run, name: str, headers: dict, rng: random.Random):
        self.run, self.name, self.rng = run, name, rng
        self.client = httpx.AsyncClient(
            base_url=run.base,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
            trust_env=False,
            verify=False,  # plain http to 127.0.0.1; spares loading CA certificates per client
            limits=httpx.Limits(
                max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEPALIVE
            ),
        )

    async def think(self, seconds: float) -> bool:
        """Pause (cut short at the end of the run); whether there is time left after it."""
        await asyncio.sleep(max(0.0, min(seconds, self.run.left())))
        return self.run.left() > 0

    async def call(self, kind: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        """One request, timed and counted; None after a transport error."""
        run = self.run
        start = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            took = time.perf_counter() - start
            run.samples.append((kind, time.monotonic() - run.t0, took, 0))
            run.errors.append(f"{kind} {method} {path[:60]}: {type(exc).__name__}: {exc}")
            return None
        took = time.perf_counter() - start
        status = response.status_code
        run.samples.append((kind, time.monotonic() - run.t0, took, status))
        if status >= 400:
            if (kind, status) in EXPECTED_4XX:
                run.expected_4xx[(kind, status)] += 1
                if len(run.expected_seen) < 3:
                    run.expected_seen.append(f"{kind} {status} {response.text[:160]}")
            else:
                detail = (
                    response.text[:300]
                    if "json" in response.headers.get("content-type", "")
                    else ""
                )
                run.errors.append(f"{kind} {method} {path[:60]}: HTTP {status} {detail}")
        return response


# --- officers ------------------------------------------------------------------------------


@dataclass
class Planned:
    """One audit an officer will walk, drawn before the run."""

    gap: float  # pause before starting it
    zone: tuple[str, str, str]
    drafts: int
    steps: list[float]  # pause before each draft save and before the submit
    findings: list[Finding]


def plan_officer(
    rng: random.Random,
    duration: float,
    zones,
    items: dict[str, list[dict]],
    stagger: float,
    pace: float,
) -> list[Planned]:
    """Audits whose start falls inside the run when no request took any time: the most an
    officer can do, so the photo pool is big enough."""
    plans, clock = [], 0.0
    while True:
        gap = stagger if not plans else uniform(rng, AUDIT_GAP, pace)
        drafts = rng.choices([d for d, _ in DRAFTS], [w for _, w in DRAFTS])[0]
        steps = [uniform(rng, STEP_GAP, pace) for _ in range(drafts + 1)]
        clock += gap
        if clock >= duration:
            return plans
        zone = rng.choice(zones)
        slots = finding_slots(items[zone[1]])
        count = rng.choice(PHOTOS)
        extra = 1 if rng.random() < NOTE_ONLY else 0
        chosen = rng.sample(slots, k=min(len(slots), count + extra))
        findings = [
            Finding(
                item["id"],
                rng.choice([1, 3]) if index < count else 3,  # 1 fails; 3 is a deduction
                rng.choice(NOTES),
                "photo" if index < count else None,  # a placeholder until the pool is made
            )
            for index, item in enumerate(chosen)
        ]
        plans.append(Planned(gap, zone, drafts, steps, findings))
        clock += sum(steps)


@dataclass
class Mine:
    """An audit of this officer's, as its tablet keeps it."""

    id: str
    zone: tuple[str, str, str]
    started: datetime
    findings: list[Finding]
    revision: int = 0
    fixes: int = 0


class Officer(Device):
    def __init__(self, run, name, headers, rng, plans: list[Planned], cursor: str):
        super().__init__(run, name, headers, rng)
        self.plans, self.cursor = plans, cursor
        self.mine: dict[str, Mine] = {}
        self.have: set[str] = set()  # photos on this tablet (its own, thumbnails fetched)
        self.fixes: list[tuple[float, str, int]] = []  # (when, audit id, server revision)
        self.next_poll = 0.0

    async def main(self) -> None:
        self.next_poll = time.monotonic() + uniform(self.rng, POLL_GAP, self.run.pace)
        for plan in self.plans:
            if not await self.idle(time.monotonic() + plan.gap):
                return
            await self.walk(plan)
        await self.idle(self.run.deadline)

    async def idle(self, until: float) -> bool:
        """Wait until `until`, pulling changes and fixing returned audits when they are due."""
        while self.run.left() > 0:
            now = time.monotonic()
            due = min(until, self.next_poll, *(when for when, _, _ in self.fixes))
            if due > now:
                await self.think(due - now)
                continue
            if self.fixes and self.fixes[0][0] <= now:
                _, audit_id, revision = self.fixes.pop(0)
                await self.fix(self.mine[audit_id], revision)
            elif self.next_poll <= now:
                await self.pull()
            else:
                return True
        return False

    def body(self, audit: Mine, upto: int, submit: bool, note: str = "") -> dict:
        items = self.run.items[audit.zone[1]]
        found = answers(items, upto, audit.findings, good_value)
        if note:
            for finding in audit.findings:
                found[finding.item_id]["note"] = f"{finding.note}; {note}"
        return {
            "checklist_id": CHECKLIST_ID,
            "checklist_version": self.run.checklist_version,
            "zone_id": audit.zone[0],
            "started_at": iso(audit.started),
            "submitted_at": iso(datetime.now(UTC)) if submit else None,
            "status": "submitted" if submit else "draft",
            "base_revision": audit.revision or None,
            "answers": found,
        }

    async def walk(self, plan: Planned) -> None:
        """One audit: drafts saved on the way, then the submit, each after its photos."""
        started = datetime.now(UTC) - timedelta(seconds=self.rng.uniform(30, 120))
        audit = Mine(str(uuid.uuid4()), plan.zone, started, plan.findings)
        self.mine[audit.id] = audit
        items = self.run.items[plan.zone[1]]
        order = {item["id"]: index for index, item in enumerate(items)}
        for step in range(plan.drafts + 1):
            if not await self.think(plan.steps[step]):
                return
            final = step == plan.drafts
            upto = len(items) if final else math.ceil(len(items) * (step + 1) / (plan.drafts + 2))
            for finding in plan.findings:
                named = finding.photo and order[finding.item_id] < upto
                if named and finding.photo not in self.have:
                    if self.run.left() <= 0:
                        return
                    await self.put_photo(finding.photo)
            if self.run.left() <= 0 or not await self.put_audit(
                audit, self.body(audit, upto, final)
            ):
                return
        await self.pull()  # the PWA pulls the changes after every sync

    async def put_photo(self, sha: str) -> None:
        run = self.run
        data = run.photos[sha]
        headers = {"Content-Type": "image/jpeg"}
        path = f"/api/photos/{sha}"
        response = await self.call("photo", "PUT", path, content=data, headers=headers)
        self.have.add(sha)  # tried: the tablet would retry later, the run does not
        if response is None:
            run.ledger.uncertain.add(sha)
            return
        if response.status_code == 201:
            run.ledger.photos.add(sha)
        elif response.status_code == 200:
            run.ledger.anomalies.append(f"photo {sha}: a new photo answered 200, not 201")
        if response.is_success and self.rng.random() < REPLAY_SHARE:
            again = await self.call("photo replay", "PUT", path, content=data, headers=headers)
            if again is None:
                return
            if again.status_code != 200 or again.json().get("created") is not False:
                run.ledger.anomalies.append(
                    f"photo {sha}: the replay answered {again.status_code} {again.text[:120]}"
                )

    async def put_audit(self, audit: Mine, body: dict) -> bool:
        """PUT one revision (and one time in ten its replay); whether it was stored."""
        ledger = self.run.ledger
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        path = f"/api/audits/{audit.id}"
        new = audit.revision == 0
        response = await self.call("audit", "PUT", path, content=data, headers=headers)
        if response is None:
            ledger.uncertain.add(audit.id)
            return False
        if not response.is_success:
            return False
        summary = response.json()
        want = (201 if new else 200, audit.revision + 1)
        if (response.status_code, summary["revision"]) != want:
            ledger.anomalies.append(
                f"audit {audit.id}: answered {response.status_code} revision"
                f" {summary['revision']}, expected {want[0]} revision {want[1]}"
            )
        audit.revision = summary["revision"]
        if new:
            ledger.created.add(audit.id)
        ledger.audits[audit.id] = [summary["revision"], summary["status"]]
        if self.rng.random() < REPLAY_SHARE:
            again = await self.call("audit replay", "PUT", path, content=data, headers=headers)
            if again is None:
                ledger.uncertain.add(audit.id)
            elif again.status_code != 200 or again.json()["revision"] != audit.revision:
                ledger.anomalies.append(
                    f"audit {audit.id}: the replay answered {again.status_code}"
                    f" {again.text[:120]}, expected 200 revision {audit.revision}"
                )
        return True

    async def pull(self) -> None:
        """GET /api/changes from the cursor (pages while `more`), then the thumbnails of the
        sites' new findings this tablet does not have, as pwa/js/outbox.js does."""
        self.next_poll = time.monotonic() + uniform(self.rng, POLL_GAP, self.run.pace)
        wanted: dict[str, None] = {}
        for _ in range(20):
            response = await self.call("changes", "GET", "/api/changes?since=" + self.cursor)
            if response is None or response.status_code != 200:
                return
            data = response.json()
            for view in data["audits"]:
                audit = self.mine.get(view["id"])
                waiting = audit and any(fix[1] == audit.id for fix in self.fixes)
                if audit and view["status"] == "returned" and not waiting:
                    when = time.monotonic() + uniform(self.rng, FIX_GAP, self.run.pace)
                    self.fixes.append((when, audit.id, view["revision"]))
                    self.fixes.sort()
            for action in data.get("actions", []):
                for sha in action.get("before_photos", []):
                    if sha not in self.have:
                        wanted[sha] = None
            self.cursor = data["cursor"]
            if not data.get("more"):
                break
        for sha in list(wanted)[:THUMBS_PER_PULL]:
            if self.run.left() <= 0:
                return
            self.have.add(sha)
            await self.call("thumb", "GET", f"/api/photos/{sha}?size=thumb")

    async def fix(self, audit: Mine, revision: int) -> None:
        """A returned audit: the officer adds what was done and submits it again."""
        audit.revision = revision
        audit.fixes += 1
        items = self.run.items[audit.zone[1]]
        note = f"已整改 {audit.fixes} / fixed"
        await self.put_audit(audit, self.body(audit, len(items), True, note))


# --- supervisors ---------------------------------------------------------------------------


class Supervisor(Device):
    def __init__(self, run, name, headers, rng, stagger: float):
        super().__init__(run, name, headers, rng)
        self.stagger = stagger
        self.recent: list[str] = []

    async def main(self) -> None:
        if not await self.think(self.stagger):
            return
        names = [name for name, _ in SUPERVISOR_ACTIONS]
        weights = [weight for _, weight in SUPERVISOR_ACTIONS]
        while await self.think(uniform(self.rng, SUPERVISOR_GAP, self.run.pace)):
            action = self.rng.choices(names, weights)[0]
            if action == "review":
                await self.review()
            elif action == "scorecard":
                await self.scorecard()
            elif action == "board":
                zone = self.rng.choice(self.run.zones)[0]
                path = f"/api/zones/{zone}/board.pdf?month={self.run.month}"
                await self.call("board", "GET", path)
            else:
                await self.report(action)

    async def review(self) -> None:
        """A sitting at the queue (oldest first, mostly of one zone): one to five audits
        from its first page, each opened beside the zone's previous audit, read, then approved
        or returned with a comment."""
        params = {"status": "submitted", "order": "oldest", "limit": "20"}
        if self.rng.random() < 0.7:
            params["zone_id"] = self.rng.choice(self.run.zones)[0]
        response = await self.call("queue", "GET", "/api/audits", params=params)
        if response is None or response.status_code != 200:
            return
        waiting = response.json()["audits"]
        for audit in self.rng.sample(waiting, k=min(len(waiting), self.rng.randint(1, 5))):
            await self.call("open", "GET", f"/api/audits/{audit['id']}/previous")
            if not await self.think(uniform(self.rng, READ_GAP, self.run.pace)):
                return
            await self.decide(audit)

    async def decide(self, audit: dict) -> None:
        ledger = self.run.ledger
        if not audit["complete"] or self.rng.random() < RETURN_SHARE:
            body = {"decision": "return", "comment": self.rng.choice(RETURN_COMMENTS)}
        else:
            body = {"decision": "approve", "comment": ""}
        path = f"/api/audits/{audit['id']}/review"
        response = await self.call("review", "POST", path, json=body)
        if response is None:
            ledger.uncertain.add(audit["id"])
        elif response.status_code == 200:
            view = response.json()
            ledger.reviews[audit["id"]] = ledger.reviews.get(audit["id"], 0) + 1
            ledger.audits[audit["id"]] = [view["revision"], view["status"]]
            self.run.reviewed.append(audit["id"])
            self.recent.append(audit["id"])
            if body["decision"] == "approve" and self.rng.random() < 0.3:
                await self.scorecard(audit["id"])  # printed for the zone's notice board

    async def scorecard(self, audit_id: str | None = None) -> None:
        pool = self.recent[-20:] or self.run.reviewed[-50:]
        audit_id = audit_id or (self.rng.choice(pool) if pool else None)
        if audit_id:
            await self.call("scorecard", "GET", f"/api/audits/{audit_id}/scorecard.pdf")

    async def report(self, which: str) -> None:
        month = self.run.month
        first = (datetime.strptime(month + "-01", "%Y-%m-%d") - timedelta(days=62)).strftime(
            "%Y-%m"
        )
        path = {
            "zones": f"/api/reports/zones?from={first}&to={month}",
            "appraisal": f"/api/appraisal?month={month}",
            "queue counts": "/api/reports/queue",
            "findings": f"/api/reports/findings?month={month}",
            "officers": f"/api/reports/officers?month={month}",
        }[which]
        await self.call("report", "GET", path)


# --- the run -------------------------------------------------------------------------------


@dataclass
class Tick:
    at: float  # s since t0
    rss: int  # kB
    anon: int
    threads: int
    server_cpu: float | None
    client_cpu: float
    busy: float | None


def tick(run: Run, pid: int) -> Tick:
    memory = memory_kb(pid)
    return Tick(
        time.monotonic() - run.t0,
        memory.get("VmRSS", 0),
        memory.get("RssAnon", 0),
        memory.get("Threads", 0),
        cpu_seconds(pid),
        time.process_time(),
        machine_busy_seconds(),
    )


def clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def interval_report(run: Run, start: Tick, end: Tick) -> str:
    low, high = start.at, end.at
    rows = [s for s in run.samples if low <= s[1] < high]
    wall = max(1e-9, high - low)
    times = sorted(s[2] for s in rows)
    c4 = sum(1 for s in rows if 400 <= s[3] < 500)
    expected = sum(1 for s in rows if (s[0], s[3]) in EXPECTED_4XX)
    c5 = sum(1 for s in rows if s[3] >= 500)
    lost = sum(1 for s in rows if s[3] == 0)
    server = (
        f"{(end.server_cpu - start.server_cpu) / wall * 100:.0f}%"
        if end.server_cpu is not None and start.server_cpu is not None
        else "?"
    )
    client = (end.client_cpu - start.client_cpu) / wall * 100
    others = ""
    if end.busy is not None and start.busy is not None and end.server_cpu is not None:
        rest = (end.busy - start.busy) - (end.server_cpu - start.server_cpu)
        rest -= end.client_cpu - start.client_cpu
        others = f"  others {max(0.0, rest) / wall * 100:.0f}%"
    line = (
        f"[{clock(high):>5}] {len(rows):5d} req {len(rows) / wall:6.1f}/s  "
        f"p50 {ms(pct(times, 50)):>5} p99 {ms(pct(times, 99)):>5} ms  "
        f"4xx {c4}{f' ({expected} expected)' if expected else ''} 5xx {c5} "
        f"transport {lost}  | server RSS {end.rss / 1024:.0f} MB "
        f"(anon {end.anon / 1024:.0f}, {end.threads} threads) CPU {server}  "
        f"| client CPU {client:.0f}%{others}"
    )
    parts = []
    for kind in KINDS:
        values = sorted(s[2] for s in rows if s[0] == kind)
        if values:
            parts.append(f"{kind} {len(values)} {ms(pct(values, 50))}/{ms(pct(values, 99))}")
    return line + "\n         " + "  ".join(parts) + "  (n p50/p99 ms)"


async def backup_midway(run: Run, data: Path, target: Path, env: dict, result: dict) -> None:
    """`genba backup` on the live data dir at half time, timed."""
    await asyncio.sleep(max(0.0, run.duration / 2 - (time.monotonic() - run.t0)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "backup",
        str(target),
        "--data",
        str(data),
        cwd=HERE.parent,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size = target.stat().st_size if target.exists() else 0
    result.update(code=process.returncode, seconds=took, bytes=size, cpu=cpu)
    result["output"] = output.decode(errors="replace").strip()
    print(
        f"  [{clock(time.monotonic() - run.t0)}] genba backup of the live data dir: exit "
        f"{process.returncode} in {took:.1f} s ({cpu:.1f} s CPU), {size / 1e6:.1f} MB: "
        f"{result['output'][-200:]}",
        flush=True,
    )


@dataclass
class Watch:
    ticks: list[Tick] = field(default_factory=list)  # every few seconds
    marks: list[Tick] = field(default_factory=list)  # at the start and the end of each line
    backup: dict = field(default_factory=dict)
    drain: float = 0.0  # how long after the deadline the last device stopped
    cpu0: float = 0.0  # the client's CPU seconds at the start


async def monitor(run: Run, pid: int, watch: Watch, done: asyncio.Event) -> None:
    """A memory and CPU sample every few seconds; a report line at the end of each interval."""
    step = min(5.0, run.interval)
    watch.marks.append(tick(run, pid))
    watch.ticks.append(watch.marks[0])
    number = 1
    while True:
        boundary = number * run.interval
        wait = min(step, boundary - (time.monotonic() - run.t0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=max(0.0, wait))
        now = tick(run, pid)
        watch.ticks.append(now)
        if now.at >= boundary or done.is_set():
            if now.at > watch.marks[-1].at + 0.5:
                print(interval_report(run, watch.marks[-1], now), flush=True)
                watch.marks.append(now)
            number += 1
            if done.is_set():
                return


async def drive(
    run: Run, devices: list[Device], server: GenbaServer, data: Path, mid: Path, env: dict
) -> Watch:
    watch = Watch()
    done = asyncio.Event()
    run.t0 = time.monotonic()
    run.deadline = run.t0 + run.duration
    watch.cpu0 = time.process_time()
    watcher = asyncio.create_task(monitor(run, server.pid, watch, done))
    backing = asyncio.create_task(backup_midway(run, data, mid, env, watch.backup))
    await asyncio.gather(*(device.main() for device in devices))
    watch.drain = time.monotonic() - run.deadline
    await backing  # a short run may end before its backup does
    done.set()
    await watcher
    await asyncio.gather(*(device.client.aclose() for device in devices))
    return watch


def run_async(coroutine):
    try:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


# --- set-up --------------------------------------------------------------------------------


def set_up(server: GenbaServer, officers: int, supervisors: int) -> tuple[list, list, dict]:
    """Users through the admin API, each device signed in; (officer tokens, supervisor tokens,
    the bootstrap)."""
    with httpx.Client(base_url=server.base, timeout=60, trust_env=False) as client:

        def login(username: str, password: str, device: str) -> dict:
            response = client.post(
                "/api/login", json={"username": username, "password": password, "device": device}
            )
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['token']}"}

        admin = login("admin", "demo", "load-admin")
        names = [(f"load.o{n:03d}", "officer") for n in range(1, officers + 1)]
        names += [(f"load.s{n:02d}", "supervisor") for n in range(1, supervisors + 1)]
        for username, role in names:
            body = {"username": username, "password": PASSWORD, "role": role}
            client.post("/api/users", json=body, headers=admin).raise_for_status()
        tokens = [login(username, PASSWORD, f"tablet-{username}") for username, _ in names]
        bootstrap = client.get("/api/bootstrap", headers=tokens[0]).json()
    return tokens[:officers], tokens[officers:], bootstrap


def warm_up(server: GenbaServer, headers: dict, zone: str, month: str) -> str:
    """One of each read a supervisor makes, before the clock starts: the first PDF loads fonts
    and templates, which no later request pays for."""
    took = []
    with httpx.Client(base_url=server.base, headers=headers, timeout=120, trust_env=False) as c:
        approved = c.get("/api/audits", params={"status": "approved", "limit": "1"}).json()
        paths = [("board", f"/api/zones/{zone}/board.pdf?month={month}")]
        if approved["audits"]:
            audit_id = approved["audits"][0]["id"]
            paths.append(("scorecard", f"/api/audits/{audit_id}/scorecard.pdf"))
            paths.append(("open", f"/api/audits/{audit_id}/previous"))
        paths += [
            ("zones", f"/api/reports/zones?from={month}&to={month}"),
            ("appraisal", f"/api/appraisal?month={month}"),
            ("queue", "/api/audits?status=submitted&order=oldest&limit=20"),
        ]
        for name, path in paths:
            start = time.perf_counter()
            c.get(path).raise_for_status()
            took.append(f"{name} {(time.perf_counter() - start) * 1000:.0f} ms")
    return ", ".join(took)


def last_seq(server: GenbaServer, headers: dict) -> str:
    """The event log's last seq: /api/changes without a cursor answers it."""
    response = httpx.get(server.base + "/api/changes", headers=headers, trust_env=False)
    response.raise_for_status()
    return response.json()["cursor"]


# --- the report ----------------------------------------------------------------------------


def totals(run: Run, wall: float) -> int:
    print(f"\n== Totals over {wall:.0f} s ==")
    print(f"  {'kind':<13}{'n':>7}{'/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  statuses")
    for kind in (*KINDS, "all"):
        rows = [s for s in run.samples if kind in ("all", s[0])]
        if not rows:
            continue
        times = sorted(s[2] for s in rows)
        statuses = Counter("transport" if s[3] == 0 else s[3] for s in rows)
        shown = " ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=str))
        print(
            f"  {kind:<13}{len(rows):>7}{len(rows) / wall:>8.2f}{ms(pct(times, 50)):>8}"
            f"{ms(pct(times, 95)):>8}{ms(pct(times, 99)):>8}{ms(pct(times, 100)):>8}  {shown}"
        )
    return len(run.samples)


def server_side(logged: list[dict]) -> None:
    """Time spent in the server per route, from its request log: what the client's latency
    is made of besides the network, the queue for the server's attention and its own loop."""
    routes: dict[str, list[float]] = {}
    for record in logged:
        name = f"{record.get('method')} {record.get('route') or record.get('path')}"
        routes.setdefault(name, []).append(float(record.get("duration_ms") or 0) / 1000)
    if not routes:
        return
    print(f"  server-side, from its request log:\n  {'route':<44}{'n':>7}{'p50':>8}{'p99':>8}")
    for name, values in sorted(routes.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        print(f"  {name[:44]:<44}{len(values):>7}{ms(pct(values, 50)):>8}{ms(pct(values, 99)):>8}")


def stop_note(status: int | None) -> str:
    if status == -15:
        return "stopped by SIGTERM (uvicorn shuts down, then re-raises the signal)"
    return f"exit status {status}"


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (ordered[middle] + ordered[~middle]) / 2 if ordered else math.nan


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    spread = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / spread if spread else 0.0


def memory_verdict(ticks: list[Tick], duration: float) -> tuple[str, bool | None, str]:
    """The server's RSS over the last minutes against its RSS in the second minute.

    Medians of the samples taken every 5 s, not single samples: RSS includes the pages of
    mapped files (the CJK fonts a PDF render touches, code), which come and go with each
    render. RSS has bounded reasons to grow after warm-up: SQLite's page cache is per
    connection (one per worker thread, at most 2 MB each by default), each thread's malloc
    arena keeps what it freed, and more of the fonts' pages are touched as more glyphs are
    drawn. A leak grows with the work done instead, so the anonymous memory keeps climbing
    through the second half: its slope is printed beside the ratio."""
    if duration >= 360:
        warm, late_from = (60.0, 120.0), duration - 180.0
    else:
        warm, late_from = (duration / 6, duration / 3), duration * 2 / 3
    base = [t for t in ticks if warm[0] <= t.at < warm[1] and t.rss]
    late = [t for t in ticks if t.at >= late_from and t.rss]
    label = (
        f"memory flat: median RSS {clock(late_from)}-{clock(duration)}"
        f" <= {MEMORY_RATIO}x {clock(warm[0])}-{clock(warm[1])}"
    )
    if not base or not late:
        return label, None, "not enough samples"
    rss = (median([t.rss for t in base]) / 1024, median([t.rss for t in late]) / 1024)
    anon = (median([t.anon for t in base]) / 1024, median([t.anon for t in late]) / 1024)
    ratio = rss[1] / rss[0]
    half = [(t.at / 60, t.anon / 1024) for t in ticks if t.at >= duration / 2 and t.anon]
    figure = (
        f"{ratio:.2f}x ({rss[0]:.0f} -> {rss[1]:.0f} MB; anonymous {anon[0]:.0f} -> "
        f"{anon[1]:.0f} MB, {slope(half):+.1f} MB/min over the second half; "
        f"{max(t.threads for t in ticks)} threads at most)"
    )
    if duration < 360:
        return label, None, figure + "; a run under 6 minutes shows no trend: not judged"
    return label, ratio <= MEMORY_RATIO, figure


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Many devices on the real server for minutes")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, help="the run's length in seconds (a smoke run)")
    parser.add_argument("--quick", action="store_true", help="10 devices for 1 minute")
    parser.add_argument(
        "--supervisors", type=int, help="of the devices (default a tenth, at least 1)"
    )
    parser.add_argument(
        "--interval",
        type=float,
        help="seconds per report line (default 60; a sixth of a run under 6 minutes)",
    )
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="every pause of every device times this (0.5: twice as busy; default 1)",
    )
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument(
        "--no-demo-audits", action="store_true", help="the demo without its audits: starts faster"
    )
    parser.add_argument(
        "--password-cost",
        choices=["test", "standard"],
        default="test",
        help="GENBA_PASSWORD_COST of the server (default test: the sign-ins are untimed set-up)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.devices, args.minutes = 10, 1.0
    duration = args.seconds if args.seconds is not None else args.minutes * 60
    if args.devices < 2 or duration < 5 or args.pace <= 0:
        parser.error("at least 2 devices and 5 seconds, and a pace above 0")
    supervisors = args.supervisors or max(1, round(args.devices * SUPERVISOR_SHARE))
    officers = args.devices - supervisors
    if officers < 1 or supervisors < 1:
        parser.error("--supervisors must leave at least one officer")
    interval = args.interval or (60.0 if duration >= 360 else max(5.0, duration / 6))

    print(
        f"Genba load test: {args.devices} devices ({officers} officers, {supervisors} "
        f"supervisor{'s' * (supervisors != 1)}) for {clock(duration)}, pace {args.pace:g}, "
        f"seed {args.seed} ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"Python {sys.version.split()[0]})",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="genba-load-"))
    data, mid = workdir / "data", workdir / "mid.tar.gz"
    env = clean_env()
    server_env = clean_env(GENBA_PASSWORD_COST=args.password_cost)
    server = GenbaServer(
        data, free_port(), workdir / "server.log", server_env, not args.no_demo_audits
    )
    try:
        # 1. the server and the set-up, untimed
        start = time.perf_counter()
        server.start()
        demo = "demo without audits" if args.no_demo_audits else "demo with eight weeks of audits"
        print(f"server up on {server.base} ({demo}) in {time.perf_counter() - start:.1f} s")
        if args.password_cost == "test":
            print(
                "  GENBA_PASSWORD_COST=test: cheap password hashing, only so that creating and "
                "signing in the users takes seconds; no timed request checks a password"
            )
        start = time.perf_counter()
        officer_tokens, supervisor_tokens, bootstrap = set_up(server, officers, supervisors)
        checklist = next(c for c in bootstrap["checklists"] if c["id"] == CHECKLIST_ID)
        zones = audit_zones(bootstrap, checklist)
        items = {kind: applicable_items(checklist, kind) for _, kind, _ in zones}
        month = datetime.now(ZoneInfo(bootstrap.get("timezone", "Asia/Shanghai"))).strftime("%Y-%m")
        print(
            f"  {args.devices} users added and signed in in {time.perf_counter() - start:.1f} s;"
            f" audits of {CHECKLIST_ID} v{checklist['version']} on {len(zones)} zones "
            f"({min(map(len, items.values()))}-{max(map(len, items.values()))} items)"
        )

        rng = random.Random(args.seed)
        stagger = min(15.0, duration / 3)
        plans = [
            plan_officer(
                random.Random(f"{args.seed}-plan-{n}"),
                duration,
                zones,
                items,
                rng.uniform(0, stagger),
                args.pace,
            )
            for n in range(officers)
        ]
        wanted = sum(1 for p in plans for a in p for f in a.findings if f.photo)
        start = time.perf_counter()
        scenes = min(30, max(2, wanted // 20))
        pool = photo_pool(wanted, scenes, rng, TABLET_NOISE) if wanted else []
        shas = iter(pool)
        for plan in plans:
            for audit in plan:
                for finding in audit.findings:
                    if finding.photo:
                        finding.photo = next(shas)[0]
        sizes = sorted(len(d) for _, d in pool) or [0]
        print(
            f"  {len(pool)} distinct 1600x1200 JPEGs made in {time.perf_counter() - start:.1f} s "
            f"({sizes[0] // 1024}-{sizes[-1] // 1024} KB, median {sizes[len(sizes) // 2] // 1024}"
            f" KB): the most the planned audits can name"
        )
        print("  warm-up, untimed: " + warm_up(server, supervisor_tokens[0], zones[0][0], month))

        # the offered load
        mean_drafts = sum(d * w for d, w in DRAFTS)
        cycle = (mean(AUDIT_GAP) + (mean_drafts + 1) * mean(STEP_GAP)) * args.pace
        audits_s = officers / cycle
        photos_s = audits_s * mean(PHOTOS[::3])
        puts_s = audits_s * (mean_drafts + 1) * (1 + REPLAY_SHARE)
        polls_s = officers / (mean(POLL_GAP) * args.pace) + audits_s
        sitting = 0.55 * 3 * mean(READ_GAP)  # a review action: 1-5 audits, each read
        actions_s = supervisors / ((mean(SUPERVISOR_GAP) + sitting) * args.pace)
        print(
            f"offered load: each officer an audit every ~{cycle:.0f} s ({mean_drafts:.1f} drafts "
            f"saved on the way, {mean(PHOTOS[::3]):.1f} photos), each supervisor an action every "
            f"~{supervisors / actions_s:.0f} s; in all ~{audits_s:.1f} audits/s, "
            f"~{photos_s:.1f} photos/s ({photos_s * sizes[len(sizes) // 2] / 1e6:.1f} MB/s), "
            f"~{puts_s:.1f} audit PUTs/s, ~{polls_s:.1f} change pulls/s, "
            f"~{actions_s:.1f} supervisor actions/s, plus thumbnails of new findings "
            f"(one request per tablet per finding photo); one write in "
            f"{round(1 / REPLAY_SHARE)} sent twice",
            flush=True,
        )

        # 2. the run
        since_seq = int(last_seq(server, supervisor_tokens[0]))
        cursors = [last_seq(server, token) for token in officer_tokens]
        now = datetime.now(UTC)
        since_at = now.isoformat(timespec="milliseconds")
        log_from = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        run = Run(server.base, duration, interval, args.pace)
        run.zones, run.items, run.month = zones, items, month
        run.checklist_version = checklist["version"]
        run.photos = dict(pool)
        devices: list[Device] = [
            Officer(
                run,
                f"officer-{n}",
                token,
                random.Random(f"{args.seed}-o{n}"),
                plans[n],
                cursors[n],
            )
            for n, token in enumerate(officer_tokens)
        ]
        devices += [
            Supervisor(
                run,
                f"supervisor-{n}",
                token,
                random.Random(f"{args.seed}-s{n}"),
                random.Random(f"{args.seed}-stagger-{n}").uniform(0, stagger),
            )
            for n, token in enumerate(supervisor_tokens)
        ]
        print(
            f"\n== The run: {args.devices} devices, {clock(duration)}, a line every "
            f"{interval:.0f} s ==",
            flush=True,
        )
        watch = run_async(drive(run, devices, server, data, mid, env))
        ticks, backup = watch.ticks, watch.backup
        wall = time.monotonic() - run.t0
        client_cpu = time.process_time() - watch.cpu0
        last = ticks[-1]
        server_cpu = (
            last.server_cpu - ticks[0].server_cpu
            if last.server_cpu is not None and ticks[0].server_cpu is not None
            else None
        )
        print(
            f"  the devices stopped {watch.drain:.1f} s after the deadline "
            f"(requests in flight finished)"
        )

        # 3. after the run: the store, verify, the backup restored
        stopped = server.stop()
        logged, other_lines = server.log_lines()
        logged = [r for r in logged if r.get("time", "") >= log_from]
        count = totals(run, wall)
        server_side(logged)
        print(
            f"  server CPU {server_cpu:.1f} s ({server_cpu / wall * 100:.0f}% of a core); "
            f"client CPU {client_cpu:.1f} s ({client_cpu / wall * 100:.0f}% of a core, "
            f"{client_cpu / max(1, count) * 1000:.2f} ms/request); server {stop_note(stopped)}"
            if server_cpu is not None
            else f"  client CPU {client_cpu:.1f} s; server {stop_note(stopped)}"
        )
        peak = max(t.rss for t in ticks)
        print(
            f"  server RSS (MB): peak {peak / 1024:.0f}; at each line: "
            + " ".join(f"{clock(t.at)} {t.rss / 1024:.0f}" for t in watch.marks)
        )
        ledger = run.ledger
        store_problems = check_store(data / "genba.db", ledger, since_seq, since_at)
        store_problems = ledger.anomalies + store_problems
        made = [i for i in ledger.created if i not in ledger.uncertain]
        revisions = sum(ledger.audits[i][0] for i in made)
        statuses = Counter(ledger.audits[i][1] for i in made)
        verify_code, verify_out, verify_s = genba_cli(["verify", "--data", str(data)], env)
        restored = workdir / "restored"
        restore_code, restore_out, restore_s = (1, "no backup was made", 0.0)
        again_code = 1
        if backup.get("code") == 0:
            restore_code, restore_out, restore_s = genba_cli(
                ["restore", str(mid), "--data", str(restored)], env
            )
            again_code, _, _ = genba_cli(["verify", "--data", str(restored)], env)
        print(
            f"\n== After the run ==\n"
            f"  stored by the run: {len(made)} audits ({dict(statuses)}), {revisions} "
            f"revisions, {len(ledger.photos)} photos, {sum(ledger.reviews.values())} reviews "
            f"of {len(ledger.reviews)} audits; {len(ledger.uncertain)} writes left without an "
            f"answer; 4xx as expected: {dict(ledger_4xx(run))}"
        )
        for seen in run.expected_seen:
            print(f"    e.g. {seen}")
        print(
            f"  genba verify (live data dir, after the stop): exit {verify_code} in "
            f"{verify_s:.1f} s: {verify_out.splitlines()[-1] if verify_out else ''}"
        )
        if backup:
            print(
                f"  backup at half time: {backup.get('seconds', 0):.1f} s, "
                f"{backup.get('bytes', 0) / 1e6:.1f} MB; restored into an empty dir in "
                f"{restore_s:.1f} s (exit {restore_code}), verify on it exit {again_code}"
            )
        for line in (verify_out if verify_code else "").splitlines()[:20]:
            print(f"    verify: {line}")
        for line in (restore_out if restore_code else "").splitlines()[:20]:
            print(f"    restore: {line}")
        for problem in store_problems[:SHOWN]:
            print(f"  LOST/DOUBLED {problem}")
        for error in run.errors[:SHOWN]:
            print(f"  ERROR {error}")
        if len(run.errors) > SHOWN:
            print(f"  ... and {len(run.errors) - SHOWN} more errors")
        failed = [r for r in logged if int(r.get("status") or 0) >= 500]
        for record in failed[:SHOWN]:
            print(f"  server log, 5xx: {json.dumps(record, ensure_ascii=False)[:300]}")
        if other_lines:
            print(f"  server log: {len(other_lines)} lines besides requests and start/stop:")
            for line in other_lines[:SHOWN]:
                print(f"    {line[:240]}")

        # 4. the verdicts
        c5 = sum(1 for s in run.samples if s[3] >= 500)
        transport = sum(1 for s in run.samples if s[3] == 0)
        unexpected = sum(
            1 for s in run.samples if 400 <= s[3] < 500 and (s[0], s[3]) not in EXPECTED_4XX
        )
        times = sorted(s[2] for s in run.samples)
        label, flat, figure = memory_verdict(ticks, duration)
        verdicts = [
            ("zero 5xx", c5 == 0, f"{c5} of {count} requests"),
            ("zero transport errors", transport == 0, str(transport)),
            ("no unexpected 4xx", unexpected == 0, str(unexpected)),
            (
                "nothing lost or doubled",
                not store_problems,
                f"{len(made)} audits, {revisions} revisions, {len(ledger.photos)} photos, "
                f"{sum(ledger.reviews.values())} reviews; {len(store_problems)} problems",
            ),
            ("genba verify on the live data dir", verify_code == 0, f"exit {verify_code}"),
            (
                "mid-run backup restores and verifies",
                restore_code == 0 and again_code == 0,
                f"backup {backup.get('seconds', 0):.1f} s, {backup.get('bytes', 0) / 1e6:.1f} MB",
            ),
            (label, flat, figure),
        ]
        print("\n== Verdicts ==")
        for name, passed, shown in verdicts:
            mark = "info" if passed is None else ("PASS" if passed else "FAIL")
            print(f"  {mark}  {name:<52} {shown}")
        print(
            f"  info  {'latency, all requests':<52} p50 {ms(pct(times, 50))} ms, "
            f"p99 {ms(pct(times, 99))} ms ({count} requests, {count / wall:.1f}/s)"
        )
        return 0
    finally:
        server.stop()
        if args.keep:
            print(f"data, backup and server log kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def ledger_4xx(run: Run) -> Counter:
    return Counter({f"{kind} {status}": n for (kind, status), n in run.expected_4xx.items()})


if __name__ == "__main__":
    sys.exit(main())
