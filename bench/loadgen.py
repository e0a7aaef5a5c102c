"""Helpers for bench/load.py: the server in its own process, figures from /proc, a pool of
distinct photos, audit answers, percentiles, and the count of what the server stored.

Written for bench/load.py alone (bench/sync.py has its own versions of some of these).
"""

from __future__ import annotations

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
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
PHOTO_SIZE = (1600, 1200)
PATCH = 16
TABLET_NOISE = (24.0, 0.21)  # (sigma, blend): 1600x1200 JPEGs of about 300-320 KB


# --- the server and the command line -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any GENBA_* setting of the caller's, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENBA_")}
    env.update(extra)
    return env


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def machine_busy_seconds() -> float | None:
    """CPU seconds every process on the machine has used since boot (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal: all but idle and iowait
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, RssFile, VmHWM (kB) and Threads of a process (/proc/<pid>/status);
    {} once it is gone."""
    wanted = {"VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"}
    found: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in wanted:
                    found[name] = int(value.split()[0])
    except (OSError, ValueError):
        return {}
    return found


class GenbaServer:
    """`python -m server serve --demo` on 127.0.0.1, its output (access log too) in a file."""

    def __init__(self, data: Path, port: int, log: Path, env: dict, demo_audits: bool = True):
        self.data, self.port, self.log_path, self.env = data, port, log, env
        self.base = f"http://127.0.0.1:{port}"
        self.command = [sys.executable, "-m", "server", "serve", "--demo", "--data", str(data)]
        self.command += ["--host", "127.0.0.1", "--port", str(port)]
        if not demo_audits:
            self.command.append("--no-demo-audits")
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 240.0) -> GenbaServer:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=self.env
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                if httpx.get(self.base + "/api/health", timeout=2, trust_env=False).is_success:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> int | None:
        """SIGTERM (uvicorn's graceful stop), SIGKILL after 30 s; the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_lines(self) -> tuple[list[dict], list[str]]:
        """The log split in two: the server's JSON request-log lines, parsed, and every other
        line that is not start/stop chatter or WeasyPrint's progress (tracebacks, warnings)."""
        quiet = (
            "Started server process",
            "Waiting for application",
            "Application startup",
            "Uvicorn running",
            "Shutting down",
            "Waiting for connections",
            "Application shutdown",
            "Finished server process",
            "Genba serving",
            "weasyprint.progress",
        )
        requests: list[dict] = []
        other: list[str] = []
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return [], []
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    requests.append(json.loads(line))
                    continue
                except ValueError:
                    pass
            if line.strip() and not any(marker in line for marker in quiet):
                other.append(line)
        return requests, other


def genba_cli(args: list[str], env: dict, timeout: float = 900.0) -> tuple[int, str, float]:
    """Run `python -m server <args>`: (exit status, its output, seconds)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.returncode, (done.stdout + done.stderr).strip(), time.perf_counter() - start


# --- photos --------------------------------------------------------------------------------


def draw_scene(rng: random.Random, noise: tuple[float, float] | None = None) -> Image.Image:
    """A busy 1600x1200 scene with sensor-like noise: compresses about like a phone photo.

    `noise` is (sigma, blend); by default drawn from a range that gives 300-470 KB JPEGs.
    """
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
    sigma, blend = noise or (rng.uniform(22, 32), rng.uniform(0.2, 0.28))
    grain = Image.merge("RGB", [Image.effect_noise(PHOTO_SIZE, sigma) for _ in range(3)])
    return Image.blend(image, grain, blend)


def photo_pool(
    count: int, bases: int, rng: random.Random, noise: tuple[float, float] | None = None
) -> list[tuple[str, bytes]]:
    """`count` distinct JPEGs: `bases` drawings, each photo one with a random 16x16 patch."""
    drawings = [draw_scene(rng, noise) for _ in range(min(bases, count))]
    photos, seen = [], set()
    for index in range(count):
        image = drawings[index % len(drawings)]
        for _ in range(10):  # a collision is all but impossible; bounded anyway
            patch = Image.frombytes("RGB", (PATCH, PATCH), rng.randbytes(PATCH * PATCH * 3))
            spot = (rng.randrange(PHOTO_SIZE[0] - PATCH), rng.randrange(PHOTO_SIZE[1] - PATCH))
            image.paste(patch, spot)
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


# --- audits --------------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    """A device timestamp, as a browser writes it."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def applicable_items(checklist: dict, zone_kind: str) -> list[dict]:
    return [
        item
        for section in checklist["sections"]
        for item in section["items"]
        if item.get("zone_kinds") is None or zone_kind in item["zone_kinds"]
    ]


def audit_zones(bootstrap: dict, checklist: dict) -> list[tuple[str, str, str]]:
    """(zone id, kind, site id) of every active zone that uses the checklist."""
    kinds = checklist.get("zone_kinds")
    return [
        (zone["id"], zone["kind"], site["id"])
        for site in bootstrap["sites"]
        for zone in site["zones"]
        if zone.get("active", True)
        and checklist["id"] in zone.get("checklist_ids", [])
        and (kinds is None or zone["kind"] in kinds)
    ]


def finding_slots(items: list[dict]) -> list[dict]:
    """Score items that take photos and are no red line: where an officer's findings go."""
    return [
        item
        for item in items
        if item["type"] == "score"
        and (item.get("photo") or {}).get("max", 5) > 0
        and not item.get("critical")
        and item.get("critical_below") is None
    ]


@dataclass
class Finding:
    item_id: str
    value: int
    note: str
    photo: str | None  # sha256


NOTES = [
    "工位地面有油渍 / oil on the bay floor",
    "标识脱落 / label missing",
    "工具未归位 / tools not put back",
    "通道堆放纸箱 / boxes in the walkway",
    "灰尘积累 / dust on the shelves",
    "点检表未签 / check sheet not signed",
]


def answers(items: list[dict], upto: int, findings: list[Finding], good_value) -> dict:
    """Answers of the first `upto` items, passing except the findings (lower value, a note,
    its photo); `good_value(item)` is the passing answer."""
    chosen = {finding.item_id: finding for finding in findings}
    out = {}
    for item in items[:upto]:
        finding = chosen.get(item["id"])
        if finding is None:
            out[item["id"]] = {"value": good_value(item), "note": "", "photos": []}
        else:
            photos = [finding.photo] if finding.photo else []
            out[item["id"]] = {"value": finding.value, "note": finding.note, "photos": photos}
    return out


# --- figures -------------------------------------------------------------------------------


def pct(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted seconds, in ms; NaN for none."""
    if not ordered:
        return math.nan
    return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))] * 1000


def ms(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


# --- what the server stored ----------------------------------------------------------------


@dataclass
class Ledger:
    """What the clients were told was stored: checked against the database afterwards."""

    # audit id -> [revision, status] after the last 2xx write or review a client got
    audits: dict[str, list] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)  # audits the run stored as revision 1
    photos: set[str] = field(default_factory=set)  # shas answered 201
    reviews: dict[str, int] = field(default_factory=dict)  # audit id -> reviews answered 200
    uncertain: set[str] = field(default_factory=set)  # audits, photos: a write with no answer
    anomalies: list[str] = field(default_factory=list)  # 2xx answers that contradict the rest


def check_store(db_path: Path, ledger: Ledger, since_seq: int, since_at: str) -> list[str]:
    """Problems between the ledger and the stopped server's database ([] when none).

    Per audit the clients were answered for: there once, at the revision and status they were
    told, with revisions 1..n and, for audits the run made, one audit.create and n-1
    audit.revise events; per photo answered 201: there, with one photo.put event; per audit
    reviewed: as many review rows and events as 200s. And no write events for anything else
    since the run began (a replay or a doubled write would add one). Entities with a write
    that got no answer (a transport error) are left out: they may or may not be there.
    """
    problems: list[str] = []
    skip = ledger.uncertain
    audits = {i: v for i, v in ledger.audits.items() if i not in skip}
    made = {i for i in ledger.created if i in audits}
    photos = ledger.photos - skip
    reviews = {i: n for i, n in ledger.reviews.items() if i not in skip}
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        stored = {
            row[0]: row[1:]
            for row in db.execute("select id, revision, status from audits")
            if row[0] in audits
        }
        for audit_id, (revision, status) in audits.items():
            if audit_id not in stored:
                problems.append(f"audit {audit_id}: answered 2xx, not stored")
            elif tuple(stored[audit_id]) != (revision, status):
                have = " ".join(map(str, stored[audit_id]))
                problems.append(f"audit {audit_id}: clients told {revision} {status}, has {have}")
        for audit_id, count, low, high in db.execute(
            "select audit_id, count(*), min(revision), max(revision) from audit_revisions"
            " group by audit_id"
        ):
            if audit_id in made and (count, low, high) != (audits[audit_id][0], 1, count):
                problems.append(
                    f"audit {audit_id}: revisions {low}..{high} ({count} rows),"
                    f" clients told revision {audits[audit_id][0]}"
                )
        rows = db.execute(
            "select action, entity_id, count(*) from events where seq > ?"
            " and action in ('audit.create', 'audit.revise', 'audit.review', 'photo.put')"
            " group by action, entity_id",
            [since_seq],
        ).fetchall()
        logged: dict[tuple[str, str], int] = {(a, e): n for a, e, n in rows}
        want: dict[tuple[str, str], int] = {}
        for audit_id in made:
            want[("audit.create", audit_id)] = 1
            if audits[audit_id][0] > 1:
                want[("audit.revise", audit_id)] = audits[audit_id][0] - 1
        for sha in photos:
            want[("photo.put", sha)] = 1
        for audit_id, count in reviews.items():
            want[("audit.review", audit_id)] = count
        for key in sorted(set(want) | set(logged)):
            if key[1] in skip:
                continue
            if want.get(key, 0) != logged.get(key, 0):
                problems.append(
                    f"{key[0]} events for {key[1]} since the run began: {logged.get(key, 0)},"
                    f" clients were answered for {want.get(key, 0)}"
                )
        present = {row[0] for row in db.execute("select sha256 from photos")}
        lost = sorted(photos - present)
        problems += [f"photo {sha}: answered 201, not stored" for sha in lost]
        counted = dict(
            db.execute(
                "select audit_id, count(*) from reviews where at >= ? group by audit_id",
                [since_at],
            ).fetchall()
        )
        for audit_id in sorted(set(counted) | set(reviews)):
            if audit_id not in skip and counted.get(audit_id, 0) != reviews.get(audit_id, 0):
                problems.append(
                    f"audit {audit_id}: {counted.get(audit_id, 0)} review rows since the run"
                    f" began, clients were answered 200 for {reviews.get(audit_id, 0)}"
                )
    return problems
