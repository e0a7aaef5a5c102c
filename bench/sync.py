"""Sync load benchmark: many tablets syncing audits and photos to the real Genba server at once.

    .venv/bin/python bench/sync.py [--devices 20] [--audits 50] [--photos 3] [--quick]

What it does, in order (see bench/README.md):

1. Prepares everything up front, untimed: distinct 1600x1200 JPEG photos drawn with Pillow
   (every one a new sha256), and per device `--audits` submitted 6S audits of the workshop
   zone hq-workshop answering all of its applicable items, each naming `--photos` photos.
2. Photo intake, in-process and with no server running: Pillow's bare decode + re-encode
   against `server.photos.images.process` (the server's intake work minus HTTP) on a sample.
3. Starts the real server (`python -m server serve --demo`) on a free port, signs every
   device in as `officer` with its own token, and runs the sync: each device, concurrently,
   uploads each audit's photos then PUTs the audit; one audit in ten is PUT twice (a replay).
4. Audits only, same load on both servers: the same bodies under new ids, `--rounds` times
   over, to Genba (their photos are already there), then to the floor (bench/floor_app.py:
   one Litestar route that keeps the body in SQLite), with the same devices, threads and
   HTTP client.
5. Prints throughput, latency percentiles, errors and the targets with PASS/FAIL.

Traffic goes only to 127.0.0.1; the servers it starts are stopped however it ends.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
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
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import good_value  # noqa: E402  (the tests' passing answer per item type)

ZONE_ID, ZONE_KIND, CHECKLIST_ID = "hq-workshop", "workshop", "6s-zone"
PHOTO_SIZE = (1600, 1200)
MAX_PIXELS = 40_000_000  # Settings.max_photo_pixels
REQUEST_TIMEOUT = 120.0
SHOWN_ERRORS = 20

# Targets
AUDIT_FLOOR_RATIO = 0.5  # Genba's audit throughput at least this share of the floor's
AUDIT_P95_MS = 50.0
INTAKE_RATIO = 1.5  # server.photos.images.process at most this many times Pillow's decode+encode


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _machine_busy_seconds() -> float | None:
    """CPU seconds every process on the machine has used since boot (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal ...: all but idle and iowait
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


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


def draw_base(rng: random.Random) -> Image.Image:
    """A busy 1600x1200 scene with sensor-like noise: compresses about like a phone photo."""
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(80, 160)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        box = [x0, y0, x0 + rng.randrange(20, 500), y0 + rng.randrange(20, 400)]
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.randrange(3)
        if shape == 0:
            draw.rectangle(box, fill=colour)
        elif shape == 1:
            draw.ellipse(box, fill=colour)
        else:
            draw.line(box, fill=colour, width=rng.randrange(1, 12))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 2.5)))
    sigma = rng.uniform(22, 32)
    noise = Image.merge("RGB", [Image.effect_noise(PHOTO_SIZE, sigma) for _ in range(3)])
    return Image.blend(image, noise, rng.uniform(0.2, 0.28))


def make_photos(count: int, bases: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """`count` distinct JPEGs: `bases` drawings, each photo one with a random 16x16 patch."""
    drawings = [draw_base(rng) for _ in range(min(bases, count))]
    photos, seen = [], set()
    for index in range(count):
        image = drawings[index % len(drawings)]
        for _ in range(10):  # a collision is all but impossible; bounded anyway
            patch = Image.frombytes("RGB", (16, 16), rng.randbytes(16 * 16 * 3))
            image.paste(patch, (rng.randrange(PHOTO_SIZE[0] - 16), rng.randrange(1184)))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=88)
            data = out.getvalue()
            sha = hashlib.sha256(data).hexdigest()
            if sha not in seen:
                break
        else:
            raise RuntimeError("could not make a distinct photo")
        seen.add(sha)
        photos.append((sha, data))
    return photos


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
    bootstrap: dict, devices: int, audits: int, photos: list[tuple[str, bytes]], per_audit: int
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
            replay = (device * audits + number) % 10 == 0
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
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"audit": [], "photo": []})
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unique_audits: int = 0
    server_cpu: float | None = None
    client_cpu: float = 0.0
    others_cpu: float | None = None  # every other process on the machine, meanwhile
    lock: threading.Lock = field(default_factory=threading.Lock)

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
            for sha, data in audit.photos:
                _put(client, phase, "photo", f"/api/photos/{sha}", data, "image/jpeg", 201)
            path = f"/api/audits/{audit.id}"
            _put(client, phase, "audit", path, audit.body, "application/json", 201)
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


def intake(sample: list[bytes], rounds: int) -> tuple[float, float]:
    """Mean ms/image: Pillow's bare decode + re-encode, and server.photos.images.process."""
    sys.path.insert(0, str(ROOT))
    from server.photos.images import process

    def bare(data: bytes) -> None:
        image = Image.open(io.BytesIO(data))
        image.load()
        image.save(io.BytesIO(), "JPEG", quality=88)

    bare(sample[0])  # warm both paths
    process(sample[0], max_pixels=MAX_PIXELS)
    bare_total = genba_total = 0.0
    for _ in range(rounds):
        for data in sample:  # alternate, so drift in the machine's speed hits both alike
            start = time.perf_counter()
            bare(data)
            middle = time.perf_counter()
            process(data, max_pixels=MAX_PIXELS)
            bare_total += middle - start
            genba_total += time.perf_counter() - middle
    runs = rounds * len(sample)
    return bare_total / runs * 1000, genba_total / runs * 1000


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
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--keep", action="store_true", help="keep the data dirs, print where")
    args = parser.parse_args(argv)
    if args.quick:
        args.devices, args.audits, args.rounds = 4, 5, 1
    if min(args.devices, args.audits, args.rounds, args.photo_bases, args.intake_sample) < 1:
        parser.error("--devices, --audits, --rounds and the photo options must be at least 1")
    if args.photos < 0 or args.intake_rounds < 1:
        parser.error("--photos must be at least 0, --intake-rounds at least 1")

    total_photos = args.devices * args.audits * args.photos
    print(
        f"Genba sync benchmark: {args.devices} devices x {args.audits} audits x "
        f"{args.photos} photos ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"Python {sys.version.split()[0]})"
    )
    workdir = Path(tempfile.mkdtemp(prefix="genba-bench-"))
    servers: list[Server] = []
    try:
        # 1. data, untimed
        start = time.perf_counter()
        rng = random.Random(args.seed)
        photos = make_photos(total_photos, args.photo_bases, rng) if total_photos else []
        sizes = sorted(len(data) // 1024 for _, data in photos)
        if photos:
            print(
                f"prepared {len(photos)} distinct {PHOTO_SIZE[0]}x{PHOTO_SIZE[1]} JPEGs "
                f"({args.photo_bases} drawings) in {time.perf_counter() - start:.1f} s: "
                f"{sizes[0]}-{sizes[-1]} KB, median {sizes[len(sizes) // 2]} KB"
            )

        # 2. photo intake, in-process, nothing else running
        intake_result = None
        if photos:
            step = max(1, len(photos) // args.intake_sample)
            sample = [data for _, data in photos[::step][: args.intake_sample]]
            intake_result = intake(sample, args.intake_rounds)

        # 3. the sync against Genba
        genba = genba_server(workdir / "genba", free_port(), workdir / "genba.log")
        servers.append(genba)
        start = time.perf_counter()
        genba.start()
        print(f"genba serve --demo up on {genba.base} in {time.perf_counter() - start:.1f} s")
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

        # 4. audits only, the same load for Genba and the floor
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

        # 5. the verdict
        bare_ms = genba_ms = intake_ratio = None
        if intake_result:
            bare_ms, genba_ms = intake_result
            intake_ratio = genba_ms / bare_ms
            print(
                f"\n== Photo intake, in-process, {len(sample)} photos x {args.intake_rounds} "
                f"rounds ==\n"
                f"  Pillow decode + re-encode (q88):     {bare_ms:6.1f} ms/image\n"
                f"  server.photos.images.process (Genba):       {genba_ms:6.1f} ms/image\n"
                f"  ratio Genba/Pillow: {intake_ratio:.2f}x"
            )
        errors = len(sync.errors) + len(genba_only.errors) + len(floor_only.errors)
        p95 = pct(sync.latencies["audit"], 95)
        print("\n== Targets ==")
        verdicts = [
            ("zero errors", errors == 0, f"{errors} errors"),
            (
                f"audit throughput >= {AUDIT_FLOOR_RATIO}x floor (audits only)",
                ratio >= AUDIT_FLOOR_RATIO,
                f"{ratio:.2f}x",
            ),
            (f"audit p95 < {AUDIT_P95_MS:.0f} ms (sync run)", p95 < AUDIT_P95_MS, f"{p95:.1f} ms"),
        ]
        if intake_ratio is not None:
            verdicts.append(
                (
                    f"photo intake <= {INTAKE_RATIO}x Pillow decode+encode",
                    intake_ratio <= INTAKE_RATIO,
                    f"{intake_ratio:.2f}x ({genba_ms:.1f} vs {bare_ms:.1f} ms/image)",
                )
            )
        for label, passed, figure in verdicts:
            print(f"  {'PASS' if passed else 'FAIL'}  {label:<52} {figure}")
        return 0
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"data kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
