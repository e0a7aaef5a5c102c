"""Sync load benchmark: tablets syncing audits and photos to the real Genba server at once.

    .venv/bin/python bench/sync.py [--devices 20] [--audits 50] [--photos 3] [--quick]
    .venv/bin/python bench/sync.py --intake-only      # only the photo intake figures

What it does, in order (see bench/README.md):

1. Prepares everything up front, untimed: distinct 1600x1200 JPEG photos drawn with Pillow
   (every one a new sha256): ~300 KB ones for the photo intake phases and, for the sync
   phase, per device `--audits` submitted 6S audits of the workshop zone hq-workshop
   answering all of its applicable items, each naming `--photos` photos.
2. Photo intake, in-process and with no server running: Pillow's bare decode + re-encode
   (the floor), the old intake (`old_process` below: full decode, re-encode, thumbnail from
   the full decode) and `server.photos.images.process` (today's), in turns, on a sample.
3. Photo intake over HTTP, as measured from outside: full 6S audits (every applicable item
   answered: 43 then, more since) with one distinct photo each, photo PUT then audit PUT, by
   1 device and by 8 at once, against the real server (`python -m server serve --demo`),
   then against the same server with the old intake patched in (`--old-intake-server`:
   old_process, two uploads at a time): audits/s, p50/p95 of photo PUT, audit PUT and the
   pair, the server's CPU.
4. Unless --intake-only: signs `--devices` devices in as `officer`, each with its own token,
   and runs the sync: each device, concurrently, uploads each audit's photos then PUTs the
   audit; one audit in ten is PUT twice (a replay). Then audits only, the same load on both
   servers: the same bodies under new ids, `--rounds` times over, to Genba (their photos are
   already there), then to the floor (bench/floor_app.py: one Litestar route that keeps the
   body in SQLite), with the same devices, threads and HTTP client.
5. Prints throughput, latency percentiles, errors and the targets with PASS/FAIL.

Traffic goes only to 127.0.0.1; the servers it starts are stopped however it ends.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import good_value  # noqa: E402  (the tests' passing answer per item type)

sys.path.insert(0, str(ROOT / "bench"))
from loadgen import PHOTO_SIZE, TABLET_NOISE, photo_pool  # noqa: E402  (the benches' photos, shared)
from loadgen import cpu_seconds as _cpu_seconds  # noqa: E402  (/proc readings, shared)
from loadgen import machine_busy_seconds as _machine_busy_seconds  # noqa: E402

ZONE_ID, ZONE_KIND, CHECKLIST_ID = "hq-workshop", "workshop", "6s-zone"
MAX_PIXELS = 40_000_000  # Settings.max_photo_pixels
REQUEST_TIMEOUT = 120.0
SHOWN_ERRORS = 20

# Targets
AUDIT_FLOOR_RATIO = 0.5  # Genba's audit throughput at least this share of the floor's
AUDIT_P95_MS = 50.0
INTAKE_RATIO = 1.5  # server.photos.images.process at most this many times Pillow's decode+encode
INTAKE_SPEEDUP = 2.0  # photo audits/s at 8 in flight, today's intake over the old one
INTAKE_PAIR_P95_MS = 60.0  # photo PUT + audit PUT at 8 in flight
INTAKE_DEVICES = (1, 8)  # the outside measurement: one at a time, eight at a time
INTAKE_WARM = 8  # untimed audits per server before the intake phases


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server in its own process on 127.0.0.1, its output kept in a log file."""

    def __init__(self, name: str, command: list[str], port: int, log: Path, ready: str):
        self.name, self.command, self.port, self.log_path = name, command, port, log
        self.base = f"http://127.0.0.1:{port}"
        self.ready = ready  # path that answers once the server is up
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 240.0) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GENBA_")}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            try:
                response = httpx.get(self.base + self.ready, timeout=2, trust_env=False)
                if response.status_code < 500:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float | None:
        return _cpu_seconds(self.process.pid) if self.process else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)


def genba_server(data: Path, port: int, log: Path) -> Server:
    command = [sys.executable, "-m", "server", "serve", "--demo", "--data", str(data)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    return Server("genba", command, port, log, "/api/health")


def floor_server(db: Path, port: int, log: Path) -> Server:
    command = [sys.executable, str(ROOT / "bench" / "floor_app.py"), "--port", str(port)]
    command += ["--db", str(db)]
    return Server("floor", command, port, log, "/")  # any answer (404) means it is up


# --- data ----------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Audit:
    id: str
    body: bytes  # JSON, encoded up front
    photos: list[tuple[str, bytes]]
    replay: bool  # PUT twice


def audit_json(checklist: dict, items: list[dict], shas: list[str], rng: random.Random) -> bytes:
    answers = {item["id"]: {"value": good_value(item), "note": "", "photos": []} for item in items}
    # Spread the photos over items that take photos, as an officer photographs findings.
    slots = [item for item in items if (item.get("photo") or {}).get("max", 5) > 0]
    for index, sha in enumerate(shas):
        answers[slots[index % len(slots)]["id"]]["photos"].append(sha)
    for item in rng.sample(items, k=min(5, len(items))):
        answers[item["id"]]["note"] = rng.choice(["整洁", "tidy", "labels refreshed", "checked"])
    started = datetime.now(UTC) - timedelta(hours=2, minutes=rng.randrange(600))
    body = {
        "checklist_id": checklist["id"],
        "checklist_version": checklist["version"],
        "zone_id": ZONE_ID,
        "started_at": iso(started),
        "submitted_at": iso(started + timedelta(minutes=rng.randrange(10, 50))),
        "status": "submitted",
        "base_revision": None,
        "answers": answers,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def make_plans(
    bootstrap: dict,
    devices: int,
    audits: int,
    photos: list[tuple[str, bytes]],
    per_audit: int,
    replays: bool = True,
) -> list[list[Audit]]:
    rng = random.Random(len(photos) * 7919 + devices)
    checklist = next(c for c in bootstrap["checklists"] if c["id"] == CHECKLIST_ID)
    items = [
        item
        for section in checklist["sections"]
        for item in section["items"]
        if item.get("zone_kinds") is None or ZONE_KIND in item["zone_kinds"]
    ]
    plans, next_photo = [], 0
    for device in range(devices):
        plan = []
        for number in range(audits):
            own = photos[next_photo : next_photo + per_audit]
            next_photo += per_audit
            body = audit_json(checklist, items, [sha for sha, _ in own], rng)
            replay = replays and (device * audits + number) % 10 == 0
            plan.append(Audit(str(uuid.uuid4()), body, own, replay))
        plans.append(plan)
    return plans


def renamed(plans: list[list[Audit]], rounds: int) -> list[list[Audit]]:
    """Each device's bodies `rounds` times over under new ids, without their photos."""
    return [
        [Audit(str(uuid.uuid4()), a.body, [], a.replay) for _ in range(rounds) for a in plan]
        for plan in plans
    ]


# --- load ----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    wall: float = 0.0
    # "pair": an audit's photo PUTs and its (first) audit PUT, back to back, as a device syncs
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"audit": [], "photo": [], "pair": []}
    )
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unique_audits: int = 0
    answers: int = 0  # per audit, where the report says
    server_cpu: float | None = None
    client_cpu: float = 0.0
    others_cpu: float | None = None  # every other process on the machine, meanwhile
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record_pair(self, seconds: float) -> None:
        with self.lock:
            self.latencies["pair"].append(seconds)

    def record(self, kind: str, seconds: float, status: int | None, problem: str | None, odd):
        with self.lock:
            self.latencies[kind].append(seconds)
            if status is not None:
                counts = self.statuses.setdefault(kind, {})
                counts[status] = counts.get(status, 0) + 1
            if problem:
                self.errors.append(problem)
            elif odd:
                self.unexpected.append(odd)


def _put(client: httpx.Client, phase: Phase, kind: str, path: str, body: bytes, ctype: str, want):
    start = time.perf_counter()
    status, problem, odd = None, None, None
    try:
        response = client.put(path, content=body, headers={"Content-Type": ctype})
        status = response.status_code
        if not 200 <= status < 300:
            problem = f"{kind} PUT {path[:40]}...: HTTP {status} {response.text[:300]}"
        elif status != want:
            odd = f"{kind} PUT {path[:40]}...: HTTP {status}, expected {want}"
    except httpx.HTTPError as exc:
        problem = f"{kind} PUT {path[:40]}...: {type(exc).__name__}: {exc}"
    phase.record(kind, time.perf_counter() - start, status, problem, odd)


def _device(base, headers, plan, phase, warm_path, barrier: threading.Barrier) -> None:
    with httpx.Client(
        base_url=base, headers=headers, timeout=REQUEST_TIMEOUT, trust_env=False
    ) as client:
        with contextlib.suppress(httpx.HTTPError):
            client.get(warm_path)  # opens the connection before the clock starts
        barrier.wait()
        for audit in plan:
            start = time.perf_counter()
            for sha, data in audit.photos:
                _put(client, phase, "photo", f"/api/photos/{sha}", data, "image/jpeg", 201)
            path = f"/api/audits/{audit.id}"
            _put(client, phase, "audit", path, audit.body, "application/json", 201)
            phase.record_pair(time.perf_counter() - start)
            if audit.replay:
                _put(client, phase, "audit", path, audit.body, "application/json", 200)


def run_phase(name: str, server: Server, tokens: list[dict], plans, warm_path: str) -> Phase:
    phase = Phase(name, unique_audits=sum(len(plan) for plan in plans))
    barrier = threading.Barrier(len(plans) + 1)
    threads = [
        threading.Thread(
            target=_device,
            args=(server.base, tokens[i], plan, phase, warm_path, barrier),
            name=f"device-{i}",
            daemon=True,
        )
        for i, plan in enumerate(plans)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=120)
    busy0, cpu0 = _machine_busy_seconds(), server.cpu_seconds()
    client0, start = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.join()
    phase.wall = time.perf_counter() - start
    phase.client_cpu = time.process_time() - client0
    cpu1, busy1 = server.cpu_seconds(), _machine_busy_seconds()
    if cpu0 is not None and cpu1 is not None:
        phase.server_cpu = cpu1 - cpu0
        if busy0 is not None and busy1 is not None:
            phase.others_cpu = max(0.0, busy1 - busy0 - phase.server_cpu - phase.client_cpu)
    return phase


def sign_in(server: Server, count: int) -> list[dict]:
    tokens = []
    with httpx.Client(base_url=server.base, timeout=60, trust_env=False) as client:
        for number in range(count):
            response = client.post(
                "/api/login",
                json={"username": "officer", "password": "demo", "device": f"bench-{number}"},
            )
            response.raise_for_status()
            tokens.append({"Authorization": f"Bearer {response.json()['token']}"})
    return tokens


# --- photo intake --------------------------------------------------------------------------


def old_process(data: bytes, max_pixels: int):
    """The intake as it was before the marker-stripping path, kept here as the baseline.

    Every JPEG fully decoded, turned upright, re-encoded (quality 88) and its thumbnail made
    from the full decode (box reduce, then Lanczos, quality 80). Anything but a JPEG goes to
    today's server.photos.images.process, which still does exactly that for PNG and WebP.
    """
    from PIL import ImageOps

    from server.core.errors import Invalid
    from server.photos.images import ProcessedPhoto, process, sniff

    if sniff(data) != "image/jpeg":
        return process(data, max_pixels)
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            if image.width * image.height > max_pixels:
                raise Invalid(f"image is {image.width}x{image.height} pixels")
            image.load()
            if image.getexif().get(0x0112, 1) in (2, 3, 4, 5, 6, 7, 8):
                image = ImageOps.exif_transpose(image)
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGB")
            factor = max(1, max(image.size) // 320)
            thumb = image.reduce(factor) if factor > 1 else image.copy()
            thumb.thumbnail((320, 320), Image.Resampling.LANCZOS)
            thumb_out = io.BytesIO()
            thumb.save(thumb_out, "JPEG", quality=80)
            image.info = {}
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88)
    except (OSError, SyntaxError, ValueError) as exc:
        raise Invalid(f"corrupt or unreadable JPEG image: {exc}") from None
    return ProcessedPhoto(
        content_type="image/jpeg",
        width=image.width,
        height=image.height,
        data=out.getvalue(),
        thumb=thumb_out.getvalue(),
    )


@dataclass
class Intake:
    """Mean ms/image of each way through, and how many photos the server kept as sent."""

    floor_ms: float
    old_ms: float
    new_ms: float
    images: int  # distinct photos in the sample
    kept_as_sent: int  # of those, stripped of metadata, not re-encoded


def intake(sample: list[bytes], rounds: int) -> Intake:
    """Pillow's bare decode + re-encode (the floor), the old intake and today's, in turns."""
    sys.path.insert(0, str(ROOT))
    from server.photos.images import process

    def bare(data: bytes) -> None:
        image = Image.open(io.BytesIO(data))
        image.load()
        image.save(io.BytesIO(), "JPEG", quality=88)

    bare(sample[0])  # warm every path
    old_process(sample[0], max_pixels=MAX_PIXELS)
    process(sample[0], max_pixels=MAX_PIXELS)
    totals = [0.0, 0.0, 0.0]
    for _ in range(rounds):
        for data in sample:  # alternate, so drift in the machine's speed hits all alike
            start = time.perf_counter()
            bare(data)
            first = time.perf_counter()
            old_process(data, max_pixels=MAX_PIXELS)
            second = time.perf_counter()
            process(data, max_pixels=MAX_PIXELS)
            totals[0] += first - start
            totals[1] += second - first
            totals[2] += time.perf_counter() - second
    kept = sum(not process(data, MAX_PIXELS).reencoded for data in sample)
    runs = rounds * len(sample)
    floor_ms, old_ms, new_ms = (total / runs * 1000 for total in totals)
    return Intake(floor_ms, old_ms, new_ms, len(sample), kept)


def serve_old_intake(data: Path, port: int) -> int:
    """`genba serve --demo` with the old intake: old_process and two uploads at a time.

    Run by old_intake_server() in its own process, as the baseline of the intake phases.
    """
    sys.path.insert(0, str(ROOT))
    import anyio

    import server.api.photos as photo_api
    import server.photos.store as photo_store
    from server.cli import main as genba

    for module, name in ((photo_store, "process"), (photo_api, "_intake_limiter")):
        if not hasattr(module, name):
            raise SystemExit(f"bench/sync.py: {module.__name__}.{name} is gone: update it here")

    def two_at_a_time(state):
        if "photo_limiter" not in state:
            state.photo_limiter = anyio.CapacityLimiter(2)
        return state.photo_limiter

    photo_store.process = old_process
    photo_api._intake_limiter = two_at_a_time
    command = ["serve", "--demo", "--data", str(data), "--host", "127.0.0.1", "--port", str(port)]
    return genba(command)


def old_intake_server(data: Path, port: int, log: Path) -> Server:
    command = [sys.executable, str(Path(__file__).resolve()), "--old-intake-server", str(data)]
    command += ["--port", str(port)]
    return Server("genba (old intake)", command, port, log, "/api/health")


@dataclass
class IntakeRun:
    intake: str  # "new" or "old"
    devices: int
    phase: Phase  # all its turns as one
    turns: list[Phase] = field(default_factory=list)


def merged(name: str, phases: list[Phase]) -> Phase:
    """Several runs of the same load as one: their audits, walls, latencies and CPU summed."""
    total = Phase(name)
    for phase in phases:
        total.wall += phase.wall
        total.unique_audits += phase.unique_audits
        total.answers = phase.answers
        total.client_cpu += phase.client_cpu
        for kind, values in phase.latencies.items():
            total.latencies[kind] += values
        for kind, counts in phase.statuses.items():
            into = total.statuses.setdefault(kind, {})
            for status, count in counts.items():
                into[status] = into.get(status, 0) + count
        total.errors += phase.errors
        total.unexpected += phase.unexpected
    for key in ("server_cpu", "others_cpu"):
        values = [getattr(phase, key) for phase in phases]
        setattr(total, key, None if None in values else sum(values))
    return total


def intake_over_http(
    workdir: Path, photos: list[tuple[str, bytes]], audits: int, rounds: int, old: bool
) -> tuple[list[IntakeRun], list[str]]:
    """The outside measurement: full 6S audits with one photo each, photo PUT then audit PUT,
    by 1 device and by 8 at once, against today's server and (with `old`) the old intake's.
    The runs, and per server what its database kept (read after it stopped).

    Both servers run side by side (the one not measured idles) and take turns, `rounds` times
    over, the first to go alternating: a machine whose speed drifts (a shared one does, by
    10-20% from one minute to the next) then weighs on both alike. Every server gets the same
    photos, in its own data dir, so every upload is new to it.
    """
    variants = [("new", genba_server)] + ([("old", old_intake_server)] if old else [])
    servers: dict[str, Server] = {}
    setup: dict[str, tuple[list[dict], dict]] = {}
    timed: dict[str, list[list[Audit]]] = {label: [] for label, _ in variants}
    phases: dict[tuple[str, int], list[Phase]] = {}
    try:
        for label, make in variants:
            server = make(workdir / f"intake-{label}", free_port(), workdir / f"intake-{label}.log")
            servers[label] = server
            server.start()
            tokens = sign_in(server, max(INTAKE_DEVICES))
            bootstrap = httpx.get(
                server.base + "/api/bootstrap", headers=tokens[0], timeout=30, trust_env=False
            ).json()
            setup[label] = tokens, bootstrap
            warm = make_plans(bootstrap, 1, INTAKE_WARM, photos[:INTAKE_WARM], 1, False)
            run_phase("warm-up", server, tokens, warm, "/api/me")
        used = INTAKE_WARM
        for turn in range(rounds):
            for devices in INTAKE_DEVICES:
                per_device = max(1, audits // devices)
                own = photos[used : used + devices * per_device]
                used += len(own)
                order = variants if turn % 2 == 0 else variants[::-1]
                for label, _ in order:
                    tokens, bootstrap = setup[label]
                    plans = make_plans(bootstrap, devices, per_device, own, 1, False)
                    timed[label] += plans
                    phase = run_phase(label, servers[label], tokens, plans, "/api/me")
                    phase.answers = len(json.loads(plans[0][0].body)["answers"])
                    phases.setdefault((label, devices), []).append(phase)
    finally:
        for server in servers.values():
            server.stop()
    kept = [
        f"  {label}:" + check_store(workdir / f"intake-{label}", timed[label]).removeprefix(" ")
        for label in servers
    ]
    runs = [
        IntakeRun(label, devices, merged(f"{label} intake, {devices} in flight", parts), parts)
        for (label, devices), parts in phases.items()
    ]
    runs.sort(key=lambda run: (run.intake != "new", run.devices))
    return runs, kept


def intake_photo_count(audits: int, rounds: int) -> int:
    per_round = sum(max(1, audits // devices) * devices for devices in INTAKE_DEVICES)
    return INTAKE_WARM + rounds * per_round


def print_intake_http(runs: list[IntakeRun], kept: list[str], audits: int, turns: int) -> None:
    print(
        f"\n== Photo intake over HTTP: {turns} turn{'s' if turns > 1 else ''} of about {audits} "
        f"audits per server, each "
        f"{runs[0].phase.answers} answers and one distinct ~300 KB {PHOTO_SIZE[0]}x"
        f"{PHOTO_SIZE[1]} JPEG (photo PUT, then audit PUT) =="
    )
    print(
        "  intake devices  audits/s   photo p50/p95 ms   audit p50/p95 ms    pair p50/p95 ms"
        "   server cores used  errors"
    )
    for run in runs:
        phase = run.phase
        lat = phase.latencies
        cores = f"{phase.server_cpu / phase.wall:.2f}" if phase.server_cpu is not None else "?"
        print(
            f"  {run.intake:<6} {run.devices:>7}  {phase.unique_audits / phase.wall:8.1f}"
            f"   {pct(lat['photo'], 50):6.1f} /{pct(lat['photo'], 95):6.1f}"
            f"   {pct(lat['audit'], 50):6.1f} /{pct(lat['audit'], 95):6.1f}"
            f"   {pct(lat['pair'], 50):6.1f} /{pct(lat['pair'], 95):6.1f}"
            f"   {cores:>17}  {len(phase.errors):>6}"
        )
    others = [r.phase.others_cpu / r.phase.wall for r in runs if r.phase.others_cpu is not None]
    if others:
        print(f"  other processes on the machine meanwhile: up to {max(others):.2f} cores")
    for run in runs:
        print_errors(run.phase)
    print("\n".join(kept))
    by = {(r.intake, r.devices): r for r in runs}
    for devices in INTAKE_DEVICES:
        if ("old", devices) in by:
            new, old = by[("new", devices)], by[("old", devices)]
            speedup = (new.phase.unique_audits / new.phase.wall) / (
                old.phase.unique_audits / old.phase.wall
            )
            turns = ", ".join(
                f"{(a.unique_audits / a.wall) / (b.unique_audits / b.wall):.2f}x"
                for a, b in zip(new.turns, old.turns, strict=True)
            )
            print(f"  new/old audits/s with {devices} in flight: {speedup:.2f}x (turns: {turns})")


# --- report --------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in ms."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))] * 1000


def latency_line(label: str, values: list[float]) -> str:
    return (
        f"  {label:<10} p50 {pct(values, 50):7.1f} ms  p95 {pct(values, 95):7.1f} ms  "
        f"p99 {pct(values, 99):7.1f} ms  max {pct(values, 100):7.1f} ms  (n={len(values)})"
    )


def cpu_line(phase: Phase) -> str:
    puts = len(phase.latencies["audit"]) + len(phase.latencies["photo"])
    server = (
        f"server CPU {phase.server_cpu:.2f} s ({phase.server_cpu / puts * 1000:.1f} ms/request, "
        f"{phase.server_cpu / phase.wall * 100:.0f}% of a core)"
        if phase.server_cpu is not None
        else "server CPU unknown"
    )
    others = (
        f"; other processes {phase.others_cpu:.2f} s "
        f"({phase.others_cpu / phase.wall * 100:.0f}% of a core)"
        if phase.others_cpu is not None
        else ""
    )
    return f"  {server}; bench client CPU {phase.client_cpu:.2f} s{others}"


def print_errors(phase: Phase) -> None:
    for problem in phase.errors[:SHOWN_ERRORS]:
        print(f"  ERROR {problem}")
    if len(phase.errors) > SHOWN_ERRORS:
        print(f"  ... and {len(phase.errors) - SHOWN_ERRORS} more errors")
    for odd in phase.unexpected[:5]:
        print(f"  note: {odd}")
    if len(phase.unexpected) > 5:
        print(f"  note: ... and {len(phase.unexpected) - 5} more unexpected 2xx statuses")


def print_sync(phase: Phase) -> None:
    audits, photos = phase.latencies["audit"], phase.latencies["photo"]
    print(f"\n== {phase.name} ==")
    print(
        f"  wall {phase.wall:.1f} s   audits/s {phase.unique_audits / phase.wall:.1f}   "
        f"photos/s {len(photos) / phase.wall:.1f}   "
        f"(audit PUTs incl. replays/s {len(audits) / phase.wall:.1f})   "
        f"errors {len(phase.errors)}"
    )
    print(latency_line("audit PUT", audits))
    print(latency_line("photo PUT", photos))
    print(f"  statuses {phase.statuses}")
    print(cpu_line(phase))
    print_errors(phase)


def print_audits_only(genba: Phase, floor: Phase) -> float:
    print(f"\n== {genba.name} vs {floor.name} ==")
    for phase in (genba, floor):
        audits = phase.latencies["audit"]
        print(
            f"  {phase.name:<22} audits/s {phase.unique_audits / phase.wall:7.1f}   "
            f"PUTs/s {len(audits) / phase.wall:7.1f}   p50 {pct(audits, 50):6.1f} ms   "
            f"p95 {pct(audits, 95):6.1f} ms   p99 {pct(audits, 99):6.1f} ms   "
            f"errors {len(phase.errors)}"
        )
        print("  " + cpu_line(phase))
        print_errors(phase)
    ratio = (genba.unique_audits / genba.wall) / (floor.unique_audits / floor.wall)
    print(f"  throughput Genba/floor: {ratio:.2f}x")
    return ratio


def check_store(data: Path, plans: list[list[Audit]]) -> str:
    """What the server kept of one run, read from its database after it stopped."""
    ids = [audit.id for plan in plans for audit in plan]
    shas = [sha for plan in plans for audit in plan for sha, _ in audit.photos]
    with sqlite3.connect(f"file:{data / 'genba.db'}?mode=ro", uri=True) as db:
        db.execute("create temp table want_a (id text primary key)")
        db.execute("create temp table want_p (sha text primary key)")
        db.executemany("insert into want_a values (?)", [(i,) for i in ids])
        db.executemany("insert or ignore into want_p values (?)", [(s,) for s in shas])
        audits = db.execute("select count(*) from audits join want_a using (id)").fetchone()[0]
        revisions = db.execute(
            "select count(*) from audit_revisions r join want_a w on w.id = r.audit_id"
        ).fetchone()[0]
        photos = db.execute(
            "select count(*) from photos p join want_p w on w.sha = p.sha256"
        ).fetchone()[0]
        complete = db.execute(
            "select count(*) from audits a join want_a using (id) where a.complete = 1"
        ).fetchone()[0]
    return (
        f"  stored: {audits}/{len(ids)} audits ({complete} complete), {revisions} revisions "
        f"(replays add none), {photos}/{len(set(shas))} photos"
    )


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sync load benchmark against the real server")
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--audits", type=int, default=50, help="per device")
    parser.add_argument("--photos", type=int, default=3, help="per audit")
    parser.add_argument("--quick", action="store_true", help="4 devices x 5 audits: a smoke run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="audits-only phase: each device's audits N times"
    )
    parser.add_argument("--photo-bases", type=int, default=30, help="distinct drawings")
    parser.add_argument("--intake-sample", type=int, default=30)
    parser.add_argument("--intake-rounds", type=int, default=3)
    parser.add_argument(
        "--intake-audits", type=int, default=160, help="audits per photo intake run over HTTP"
    )
    parser.add_argument(
        "--intake-turns", type=int, default=3, help="photo intake runs per server, in turns"
    )
    parser.add_argument(
        "--intake-only", action="store_true", help="only the photo intake measurements"
    )
    parser.add_argument(
        "--no-old-intake", action="store_true", help="skip the old intake's server (baseline)"
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--keep", action="store_true", help="keep the data dirs, print where")
    # Internal: how the intake phases start the baseline server in its own process.
    parser.add_argument("--old-intake-server", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.old_intake_server:
        return serve_old_intake(args.old_intake_server, args.port)
    if args.quick:
        args.devices, args.audits, args.rounds = 4, 5, 1
        args.intake_audits, args.intake_turns = min(args.intake_audits, 64), 1
    if min(args.devices, args.audits, args.rounds, args.photo_bases, args.intake_sample) < 1:
        parser.error("--devices, --audits, --rounds and the photo options must be at least 1")
    if min(args.intake_rounds, args.intake_turns) < 1 or args.photos < 0:
        parser.error("--photos must be at least 0, --intake-rounds and --intake-turns at least 1")
    if args.intake_audits < max(INTAKE_DEVICES):
        parser.error(f"--intake-audits must be at least {max(INTAKE_DEVICES)}")

    total_photos = 0 if args.intake_only else args.devices * args.audits * args.photos
    print(
        f"Genba sync benchmark: photo intake at {' and '.join(map(str, INTAKE_DEVICES))} in "
        f"flight ({args.intake_turns} x ~{args.intake_audits} audits each)"
        + (
            ""
            if args.intake_only
            else f"; {args.devices} devices x {args.audits} audits x {args.photos} photos"
        )
        + f" ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"Python {sys.version.split()[0]})"
    )
    workdir = Path(tempfile.mkdtemp(prefix="genba-bench-"))
    servers: list[Server] = []
    try:
        # 1. data, untimed
        start = time.perf_counter()
        rng = random.Random(args.seed)
        intake_photos = photo_pool(
            intake_photo_count(args.intake_audits, args.intake_turns),
            args.photo_bases,
            rng,
            TABLET_NOISE,
        )
        photos = photo_pool(total_photos, args.photo_bases, rng) if total_photos else []
        for label, made in (("intake", intake_photos), ("sync", photos)):
            if made:
                sizes = sorted(len(data) // 1024 for _, data in made)
                print(
                    f"prepared {len(made)} distinct {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEGs for "
                    f"the {label} phases: {sizes[0]}-{sizes[-1]} KB, "
                    f"median {sizes[len(sizes) // 2]} KB"
                )
        print(f"  (in {time.perf_counter() - start:.1f} s)")

        # 2. photo intake, in-process, nothing else running
        step = max(1, len(intake_photos) // args.intake_sample)
        sample = [data for _, data in intake_photos[::step][: args.intake_sample]]
        in_process = intake(sample, args.intake_rounds)
        print_intake(in_process, len(sample), args.intake_rounds)

        # 3. photo intake over HTTP: today's server, then the old intake's
        runs, kept = intake_over_http(
            workdir, intake_photos, args.intake_audits, args.intake_turns, not args.no_old_intake
        )
        print_intake_http(runs, kept, args.intake_audits, args.intake_turns)
        errors = sum(len(run.phase.errors) for run in runs)
        verdicts = intake_verdicts(in_process, runs)

        if not args.intake_only:
            errors += sync_phases(args, workdir, servers, photos, verdicts)

        # 5. the verdict
        print("\n== Targets ==")
        verdicts.insert(0, ("zero errors", errors == 0, f"{errors} errors"))
        for label, passed, figure in verdicts:
            print(f"  {'PASS' if passed else 'FAIL'}  {label:<56} {figure}")
        return 0
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"data kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


def print_intake(result: Intake, images: int, rounds: int) -> None:
    print(
        f"\n== Photo intake, in-process, {images} photos x {rounds} rounds ==\n"
        f"  Pillow decode + re-encode (q88), the floor: {result.floor_ms:6.1f} ms/image\n"
        f"  old intake (full decode + re-encode):      {result.old_ms:6.1f} ms/image"
        f"  ({result.old_ms / result.floor_ms:.2f}x the floor)\n"
        f"  server.photos.images.process (today):      {result.new_ms:6.1f} ms/image"
        f"  ({result.new_ms / result.floor_ms:.2f}x the floor, "
        f"{result.old_ms / result.new_ms:.2f}x faster than the old)\n"
        f"  kept as sent, metadata cut out (no re-encode): {result.kept_as_sent}/{result.images}"
    )


def intake_verdicts(result: Intake, runs: list[IntakeRun]) -> list[tuple[str, bool, str]]:
    ratio = result.new_ms / result.floor_ms
    verdicts = [
        (
            f"photo intake <= {INTAKE_RATIO}x Pillow decode+encode",
            ratio <= INTAKE_RATIO,
            f"{ratio:.2f}x ({result.new_ms:.1f} vs {result.floor_ms:.1f} ms/image)",
        )
    ]
    busiest = max(INTAKE_DEVICES)
    by = {(r.intake, r.devices): r.phase for r in runs}
    new = by[("new", busiest)]
    if ("old", busiest) in by:
        old = by[("old", busiest)]
        speedup = (new.unique_audits / new.wall) / (old.unique_audits / old.wall)
        verdicts.append(
            (
                f"photo audits/s at {busiest} in flight >= {INTAKE_SPEEDUP:.0f}x the old intake",
                speedup >= INTAKE_SPEEDUP,
                f"{speedup:.2f}x ({new.unique_audits / new.wall:.1f} vs "
                f"{old.unique_audits / old.wall:.1f} audits/s)",
            )
        )
    p95 = pct(new.latencies["pair"], 95)
    verdicts.append(
        (
            f"photo + audit PUT p95 < {INTAKE_PAIR_P95_MS:.0f} ms at {busiest} in flight",
            p95 < INTAKE_PAIR_P95_MS,
            f"{p95:.1f} ms",
        )
    )
    return verdicts


def sync_phases(args, workdir: Path, servers: list[Server], photos, verdicts: list) -> int:
    """The many-devices sync and the audits-only comparison with the floor; their errors."""
    # 4a. the sync against Genba
    genba = genba_server(workdir / "genba", free_port(), workdir / "genba.log")
    servers.append(genba)
    start = time.perf_counter()
    genba.start()
    print(f"\ngenba serve --demo up on {genba.base} in {time.perf_counter() - start:.1f} s")
    tokens = sign_in(genba, args.devices)
    bootstrap = httpx.get(
        genba.base + "/api/bootstrap", headers=tokens[0], timeout=30, trust_env=False
    ).json()
    plans = make_plans(bootstrap, args.devices, args.audits, photos, args.photos)
    answers = len(json.loads(plans[0][0].body)["answers"])
    replays = sum(a.replay for plan in plans for a in plan)
    print(
        f"each audit: {answers} answers, {args.photos} photos, "
        f"{len(plans[0][0].body) / 1024:.1f} KB of JSON; {replays} audits are sent twice"
    )
    sync = run_phase("Genba sync (photos, then the audit)", genba, tokens, plans, "/api/me")
    print_sync(sync)

    # 4b. audits only, the same load for Genba and the floor
    only = renamed(plans, args.rounds)
    genba_only = run_phase("Genba audits only", genba, tokens, only, "/api/me")
    genba.stop()
    print(check_store(workdir / "genba", plans))
    floor = floor_server(workdir / "floor.db", free_port(), workdir / "floor.log")
    servers.append(floor)
    floor.start()
    floor_only = run_phase("floor audits only", floor, tokens, only, "/")
    floor.stop()
    ratio = print_audits_only(genba_only, floor_only)

    p95 = pct(sync.latencies["audit"], 95)
    verdicts += [
        (
            f"audit throughput >= {AUDIT_FLOOR_RATIO}x floor (audits only)",
            ratio >= AUDIT_FLOOR_RATIO,
            f"{ratio:.2f}x",
        ),
        (f"audit p95 < {AUDIT_P95_MS:.0f} ms (sync run)", p95 < AUDIT_P95_MS, f"{p95:.1f} ms"),
    ]
    return len(sync.errors) + len(genba_only.errors) + len(floor_only.errors)


if __name__ == "__main__":
    sys.exit(main())
