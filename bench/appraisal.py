"""Is the month's appraisal (docs/appraisal.md) fast and lean for a big company?

Builds a data dir, untimed and in a child process (so its memory never counts here): 5 sites,
150 zones of every kind, each with the checklists its kind uses (6s-zone, its area pack, the
facility checks, red-tag review, goods receiving, vehicle handover, service delivery), 300
staff, zone owners (most one owner all month; some shared 60/40 or 50/50; some changing hands
mid-month, shared ones included), 10 officers, and 10,000 approved audits in one month of the
shipped checklists, counted by the shipped checklists/appraisal.yaml (score packs and rates).

The month's audits are inserted straight into the audits table, with their revision, review
and audit_photos rows: through the intake (`put_audit` + `review_audit`, `--intake`) the
build takes about 80 s instead of about 10 (3-6 ms an audit with the 68-item 6S pack; every
run measures it on a sample of 30 in another month and prints it), and the figures come out
the same within noise. Each body answers every item that applies to its zone's kind, as an
officer does (a level per zone; every deduction with its note, every failed item needing one
with its photo; now and then an N/A with its reason; staff named in the subject fields the
rates charge), so it passes the intake's checks, and each row's score, percent and tally come
from the server's own `score_audit` and `tally` of that body: the deductions read back from it
as from a real audit. Not written for the inserted rows: the event log (`genba verify` would
flag them) and the corrective actions failed items open (the `--intake` build has both).

Then, in this process, over the month (median of `--runs`):
- baseline: `select * from audits where month = ?`, fetched whole (every column of every audit
  of the month: the least anything reading those audits costs);
- `compute(store, None, month, tz, rules)`: the rows;
- the JSON as GET /api/appraisal answers it: `live_report` (rows, the rule, amendments,
  officers' calibration) encoded; target < 2 s;
- the XLSX's evidence: the audits and deductions behind every row, read as `render_files`
  reads them (server/appraisal/evidence.py `audit_lines`, `deductions`), alone;
- the XLSX: `render_files(store, report, only="xlsx")` (that evidence, then
  server/appraisal/exports.py `to_xlsx`); target < 5 s; skipped with a note while exports.py
  has no `to_xlsx`;
- this process's peak RSS (resource.getrusage) after all of it; target < 500 MB.

Prints the figures, each against the baseline and its target (PASS / FAIL); asserts nothing.

Run: .venv/bin/python bench/appraisal.py [--quick] [--intake] [--staff 300] [--zones 150]
     [--audits 10000] [--runs 3] [--seed 7] [--intake-sample 30]
`--quick`: 60 staff, 30 zones, 1,000 audits, one run (a smoke run, about 10 s).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402

from server.app import open_store  # noqa: E402
from server.appraisal.close import live_report, render_files  # noqa: E402
from server.appraisal.compute import compute  # noqa: E402
from server.core.settings import Settings  # noqa: E402

CHECKLISTS = ROOT / "checklists"
MONTH = "2025-06"
SAMPLE_MONTH = "2024-01"  # where the intake sample goes, far from the month timed
TIMEZONE = "Asia/Shanghai"
TARGETS = {"json": 2.0, "xlsx": 5.0, "rss_mb": 500}
KINDS = ["workshop", "warehouse", "office", "showroom", "lounge", "reception", "bodyshop", "yard"]
AREA_PACK = {
    "workshop": "nev-hv-bay",
    "reception": "service-reception",
    "bodyshop": "body-paint",
    "yard": "stock-yard",
}
# Share of the month's audits per checklist: the 6S audit and the area packs make the score;
# the others are the rates beside it.
MIX = {
    "6s-zone": 30,
    "area": 10,
    "facility-daily": 25,
    "facility-weekly": 6,
    "red-tag-review": 4,
    "goods-receiving": 5,
    "vehicle-handover": 10,
    "service-delivery": 10,
}
SITES = 5
OFFICERS_PER_SITE = 2
NOTE = "现场发现问题，已拍照告知责任人。Finding shown to the zone owner."
NA_NOTE = "本区域不涉及此项。Not part of this zone."
# Subject texts; the first a field's pattern accepts is used (a VIN, a repair order number...).
TEXTS = ["LSVAU2180N2123456", "RO2025061201", "粤A12345", "王先生 Mr Wang"]


# ------------------------------------------------------------------------------ the build


def checklists_of(kind: str) -> list[str]:
    found = ["6s-zone", "facility-daily", "facility-weekly", "red-tag-review"]
    if kind in AREA_PACK:
        found.append(AREA_PACK[kind])
    found += {
        "warehouse": ["goods-receiving"],
        "showroom": ["vehicle-handover"],
        "reception": ["service-delivery"],
    }.get(kind, [])
    return found


def set_up(store, staff: int, zones: int):
    """Sites, staff, zones and their owners; (zones by id, staff by site, officers by site)."""
    from server.people import setup
    from server.people.owners import SINCE_ALWAYS, OwnerShare, OwnersIn
    from server.people.users import Passwords, User, add_user

    admin = User(id=0, username="bench", name="bench", role="admin")
    known = setup.catalog(store)
    passwords = Passwords("test")
    add_user(store, passwords, "boss", "pw-12345", "supervisor")
    officers = {
        f"site-{s}": [
            add_user(store, passwords, f"officer{s}x{n}", "pw-12345", "officer")
            for n in range(OFFICERS_PER_SITE)
        ]
        for s in range(SITES)
    }
    made, people = {}, {f"site-{s}": [] for s in range(SITES)}
    first = datetime.strptime(MONTH, "%Y-%m").date()
    with store.write() as db:
        for s in range(SITES):
            setup.add_site(db, admin, setup.SiteRow(id=f"site-{s}", name=f"门店{s}"))
        for n in range(staff):
            site = f"site-{n % SITES}"
            row = setup.StaffRow(
                id=f"st-{n:04d}", name=f"员工{n}", employee_no=f"E{n:05d}", site_id=site
            )
            setup.add_staff(db, admin, row)
            people[site].append(row.id)
        for n in range(zones):
            site, kind = f"site-{n % SITES}", KINDS[n // SITES % len(KINDS)]
            zone = setup.ZoneRow(
                id=f"zone-{n:03d}",
                site_id=site,
                name=f"区域{n}",
                name_en=f"Zone {n}",
                kind=kind,
                checklist_ids=checklists_of(kind),
            )
            setup.add_zone(db, admin, zone, known)
            made[zone.id] = (site, kind)
            mine = people[site]
            i = n // SITES  # the zone's number in its site
            a, b, c = (mine[(2 * i + k) % len(mine)] for k in (0, 1, len(mine) // 2 + 1))
            changes = (first + timedelta(days=10 + n % 10)).isoformat()
            pattern = n % 10
            if pattern <= 5:  # one owner all month
                plan = [(SINCE_ALWAYS, [(a, 100.0)])]
            elif pattern == 6:
                plan = [(SINCE_ALWAYS, [(a, 60.0), (b, 40.0)])]
            elif pattern == 7:
                plan = [(SINCE_ALWAYS, [(a, 50.0), (b, 50.0)])]
            elif pattern == 8:  # changes hands mid-month
                plan = [(SINCE_ALWAYS, [(a, 100.0)]), (changes, [(c, 100.0)])]
            else:  # shared, then one of them alone
                plan = [(SINCE_ALWAYS, [(a, 60.0), (b, 40.0)]), (changes, [(b, 100.0)])]
            for starts, owners in plan:
                shares = [OwnerShare(staff_id=o, share=share) for o, share in owners]
                setup.set_zone_owners(db, admin, zone.id, OwnersIn(starts=starts, owners=shares))
    return made, people, officers


def value_for(item, rng: random.Random, level: float):
    """An answer as an officer gives it: the best most of the time, at the zone's level."""
    good = rng.random() < level
    if item.na_allowed and rng.random() < 0.03:
        return "na"
    if item.type == "score":
        top = item.levels
        return top if good else rng.choice([top - 1, top - 1, top - 2, max(0, top - 3)])
    if item.type == "pass_fail":
        return "pass" if good or rng.random() < 0.6 else "fail"
    if item.type == "number":
        low = item.min if item.min is not None else (item.max or 0) - 10
        high = item.max if item.max is not None else low + 10
        return round(rng.uniform(low, high), 1) if good else round(high + rng.uniform(1, 5), 1)
    if item.type == "choice":
        options = list(item.options or ())
        best = [o for o in options if not o.fail] or options
        return (rng.choice(best) if good else rng.choice(options)).id
    if item.type == "text":
        return "" if rng.random() < 0.8 else "已现场沟通 Discussed on site"
    return None


def subject_for(checklist, people: list[str], day: str, rng: random.Random) -> dict:
    values = {}
    for subject in checklist.subject or ():
        if subject.type == "staff":
            values[subject.id] = rng.choice(people)
        elif subject.type == "date":
            values[subject.id] = day
        elif subject.type == "number":
            values[subject.id] = rng.randint(1, 9)
        elif subject.type == "choice":
            values[subject.id] = subject.options[0].id
        else:
            fits = [t for t in TEXTS if subject.pattern is None or re.fullmatch(subject.pattern, t)]
            values[subject.id] = fits[0] if fits else "演示 Demo"
    return values


def answers_for(checklist, kind: str, level: float, rng: random.Random, photo: str) -> dict:
    """Every applicable item answered; a deduction has its note, a finding its photo."""
    from server.checklists.scoring import is_fail, item_points

    answers = {}
    for item in checklist.items():
        if not item.applies_to(kind):
            continue
        value = value_for(item, rng, level)
        points = item_points(item, value)
        deducted = points is not None and points[0] < points[1]
        failed = value is not None and is_fail(item, value)
        wants = item.type == "photo" or item.photo.required
        wants = wants or (failed and item.photo.required_if_fail)
        note = NA_NOTE if value == "na" else NOTE if deducted or failed else ""
        answers[item.id] = {"value": value, "note": note, "photos": [photo] if wants else []}
    return answers


def finding_photo(store, settings, officers: dict) -> str:
    """One small photo every officer has uploaded, for their findings."""
    import io

    from PIL import Image

    from server.photos.files import PhotoFiles
    from server.photos.store import save_photo

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, "JPEG")
    data = out.getvalue()
    files = PhotoFiles(settings.photos_dir)
    for officer in (o for site in officers.values() for o in site):
        save_photo(store, files, officer, hashlib.sha256(data).hexdigest(), data,
                   settings.max_photo_pixels)  # fmt: skip
    return hashlib.sha256(data).hexdigest()


class Made(msgspec.Struct):
    """One generated audit: what a tablet sends, who sent it, when it arrived and was approved."""

    id: str
    body: object  # AuditBody
    site: str
    kind: str
    officer: object  # User
    received: datetime
    approved: datetime


def make_audit(checklist, zone_id, site, kind, officer, day, rng, level, people, photo) -> Made:
    from server.audits.shapes import AuditBody

    local = datetime(day.year, day.month, day.day, rng.randint(8, 18), rng.randint(0, 59))
    submitted = local.replace(tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)
    received = submitted + timedelta(minutes=rng.randint(1, 120))
    body = AuditBody(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        zone_id=zone_id,
        started_at=submitted - timedelta(minutes=rng.randint(15, 50)),
        submitted_at=submitted,
        status="submitted",
        answers=answers_for(checklist, kind, level, rng, photo),
        subject=subject_for(checklist, people, day.isoformat(), rng) or msgspec.UNSET,
    )
    audit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    approved = received + timedelta(hours=rng.randint(1, 30))
    return Made(audit_id, body, site, kind, officer, received, approved)


def rows_of(made: Made, checklist, reviewer):
    """The audits, audit_revisions, reviews and audit_photos rows of one approved audit, as
    the intake and the review would write them (the day by the clock rule is the device's)."""
    from server.audits.intake import canonical, content_hash
    from server.audits.shapes import Review
    from server.checklists.answers import tally
    from server.checklists.scoring import Answer, score_audit

    body, officer = made.body, made.officer
    data = canonical(body)
    digest = content_hash(data)
    given = {k: Answer(**a) for k, a in body.answers.items()}
    score = score_audit(checklist, given, made.kind)
    score_json = msgspec.json.encode(score).decode()
    received = made.received.isoformat(timespec="milliseconds")
    at = made.approved.isoformat(timespec="milliseconds")
    review = Review(
        decision="approve", comment="", by=reviewer.name, by_id=reviewer.id, at=at, revision=1
    )
    day = body.submitted_at.astimezone(ZoneInfo(TIMEZONE)).date().isoformat()
    audit = (
        made.id, checklist.id, checklist.version, body.zone_id, made.site, officer.id,
        "approved", 1, digest, data.decode(), score_json, score.percent, 1,
        body.started_at.isoformat(), body.submitted_at.isoformat(), received, received,
        day[:7], day, msgspec.json.encode(review).decode(),
        msgspec.json.encode(tally(checklist, given, made.kind)).decode(),
    )  # fmt: skip
    revision = (made.id, 1, digest, data.decode(), score_json, "submitted", received, officer.id)
    photos = {sha for a in body.answers.values() for sha in a["photos"]}
    reviewed = (made.id, 1, "approve", "", reviewer.id, at)
    return audit, revision, reviewed, [(made.id, p) for p in photos]


AUDIT_COLUMNS = (
    "id, checklist_id, checklist_version, zone_id, site_id, officer_id, status, revision,"
    " content_hash, body, score, score_percent, complete, started_at, submitted_at,"
    " received_at, updated_at, month, day, review, tally"
)


def fill(store, zones, people, officers, args, photo: str) -> dict:
    """`args.audits` approved audits of MONTH; how many of each checklist. Inserted straight,
    or with `args.intake` through put_audit and review_audit."""
    from server.audits.intake import put_audit
    from server.audits.review import review_audit
    from server.audits.shapes import ReviewBody
    from server.checklists.registry import latest_versions
    from server.people.users import get_user, user_id_by_name

    rng = random.Random(args.seed)
    newest = {c.id: c for c in latest_versions(store)}
    level = {zone_id: rng.uniform(0.45, 0.95) for zone_id in zones}
    by_checklist: dict[str, list[str]] = {}
    for zone_id, (_, kind) in zones.items():
        for checklist_id in checklists_of(kind):
            key = "area" if checklist_id in AREA_PACK.values() else checklist_id
            by_checklist.setdefault(key, []).append(zone_id)
    mix = {k: w for k, w in MIX.items() if by_checklist.get(k)}
    first = datetime.strptime(MONTH, "%Y-%m").date()
    days = ((first + timedelta(days=32)).replace(day=1) - first).days
    boss = get_user(store, user_id_by_name(store, "boss"))
    audits, revisions, reviews, photos = [], [], [], []
    counts: dict[str, int] = {}
    for _ in range(args.audits):
        key = rng.choices(list(mix), weights=list(mix.values()))[0]
        zone_id = rng.choice(by_checklist[key])
        site, kind = zones[zone_id]
        checklist = newest[AREA_PACK[kind] if key == "area" else key]
        # Now and then another site's officer audits the zone (the calibration report).
        officer = rng.choice(officers[site if rng.random() > 0.1 else rng.choice(list(officers))])
        day = first + timedelta(days=rng.randrange(days))
        made = make_audit(
            checklist, zone_id, site, kind, officer, day, rng, level[zone_id], people[site], photo
        )
        counts[checklist.id] = counts.get(checklist.id, 0) + 1
        if args.intake:
            put_audit(store, TIMEZONE, officer, made.id, made.body, made.received)
            review_audit(store, boss, made.id, ReviewBody("approve"), made.approved)
            continue
        audit, revision, review, named = rows_of(made, checklist, boss)
        audits.append(audit)
        revisions.append(revision)
        reviews.append(review)
        photos += named
    if audits:
        with store.write() as db:
            marks = ", ".join("?" * len(audits[0]))
            db.conn.executemany(f"insert into audits ({AUDIT_COLUMNS}) values ({marks})", audits)
            db.conn.executemany(
                "insert into audit_revisions (audit_id, revision, content_hash, body, score,"
                " status, created_at, created_by) values (?, ?, ?, ?, ?, ?, ?, ?)",
                revisions,
            )
            db.conn.executemany(
                "insert into reviews (audit_id, revision, decision, comment, by_user, at)"
                " values (?, ?, ?, ?, ?, ?)",
                reviews,
            )
            db.conn.executemany("insert into audit_photos (audit_id, sha256) values (?, ?)", photos)
    return counts


def intake_sample(store, zones, officers, sample: int, seed: int, photo: str) -> float:
    """ms an audit through put_audit + review_audit (6s-zone, in SAMPLE_MONTH)."""
    from server.audits.intake import put_audit
    from server.audits.review import review_audit
    from server.audits.shapes import AuditBody, ReviewBody
    from server.checklists.registry import latest_versions
    from server.people.users import get_user, user_id_by_name

    if not sample:
        return float("nan")
    rng = random.Random(seed + 1)
    checklist = next(c for c in latest_versions(store) if c.id == "6s-zone")
    boss = get_user(store, user_id_by_name(store, "boss"))
    when = datetime.strptime(SAMPLE_MONTH, "%Y-%m").replace(day=10, hour=3, tzinfo=UTC)
    zone_ids = list(zones)
    began = time.perf_counter()
    for n in range(sample):
        zone_id = zone_ids[n % len(zone_ids)]
        site, kind = zones[zone_id]
        body = AuditBody(
            checklist_id=checklist.id,
            checklist_version=checklist.version,
            zone_id=zone_id,
            started_at=when - timedelta(minutes=40),
            submitted_at=when,
            status="submitted",
            answers=answers_for(checklist, kind, 0.7, rng, photo),
        )
        audit_id = str(uuid.uuid4())
        put_audit(store, TIMEZONE, officers[site][0], audit_id, body, when)
        review_audit(store, boss, audit_id, ReviewBody("approve"), when)
    return (time.perf_counter() - began) * 1000 / sample


def build(args) -> None:
    """The child's work: the data dir at args.build; prints one JSON line of what it holds."""
    began = time.perf_counter()
    settings = Settings(data_dir=Path(args.build), checklists_dir=CHECKLISTS, password_cost="test")
    store = open_store(settings)
    zones, people, officers = set_up(store, args.staff, args.zones)
    photo = finding_photo(store, settings, officers)
    counts = fill(store, zones, people, officers, args, photo)
    per_audit = intake_sample(store, zones, officers, args.intake_sample, args.seed, photo)
    store.close()
    print(json.dumps({"counts": counts, "intake_ms": per_audit,
                      "seconds": time.perf_counter() - began}))  # fmt: skip


# ------------------------------------------------------------------------------ the timing


def timed(work, runs: int) -> tuple[float, object]:
    """(median seconds, the last result)."""
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def evidence_of(store, report: dict) -> tuple[int, int]:
    """What the XLSX's audits and deductions sheets read (server/appraisal/evidence.py), as
    render_files asks for it; (audit lines, deduction lines)."""
    from server.appraisal.evidence import audit_lines, deductions

    ids = [i for row in report["rows"] for i in row["audit_ids"]]
    return len(audit_lines(store, ids)), len(deductions(store, ids))


def xlsx_figure(store, report: dict, runs: int) -> tuple[float, int] | str:
    """(median seconds, bytes) of the XLSX as the API renders it, or why it cannot be yet."""
    try:
        exports = importlib.import_module("server.appraisal.exports")
    except ImportError:
        return "server/appraisal/exports.py does not exist yet"
    if not hasattr(exports, "to_xlsx"):
        return "server/appraisal/exports.py has no to_xlsx yet"
    try:
        seconds, files = timed(lambda: render_files(store, report, only="xlsx"), runs)
    except ImportError as exc:  # render_files wants the other renderers too
        return f"render_files cannot import it yet: {exc}"
    return seconds, len(files["xlsx"])


def verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def run(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        command = [sys.executable, __file__, "--build", str(data_dir), "--staff", str(args.staff),
                   "--zones", str(args.zones), "--audits", str(args.audits),
                   "--seed", str(args.seed), "--intake-sample", str(args.intake_sample),
                   *(["--intake"] if args.intake else [])]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"the build failed:\n{done.stderr}")
        built = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"built {args.staff} staff, {args.zones} zones, {args.audits:,} approved audits of"
            f" {MONTH} in {built['seconds']:.1f} s (untimed, in a child process)"
        )
        print("  " + ", ".join(f"{k} {v:,}" for k, v in sorted(built["counts"].items())))
        if args.intake_sample:
            per = built["intake_ms"]
            print(
                f"  put_audit + review_audit (6s-zone): {per:.1f} ms an audit, so"
                f" {per * args.audits / 1000:.0f} s for {args.audits:,}"
                + ("" if args.intake else ": the month's rows were inserted straight")
            )
        settings = Settings(data_dir=data_dir, checklists_dir=CHECKLISTS, password_cost="test")
        store = open_store(settings)
        rules = store.memo["appraisal_rules"]
        db = store.read()
        start_rss = rss_mb()

        def baseline():
            return db.execute("select * from audits where month = ?", [MONTH]).fetchall()

        def as_json():
            report = live_report(store, None, MONTH, TIMEZONE, rules)
            return report, msgspec.json.encode(report)

        # The appraisal first, so the peak RSS is its own; the baseline (which holds every
        # body of the month at once) after it.
        computed, result = timed(lambda: compute(store, None, MONTH, TIMEZONE, rules), args.runs)
        answered, (report, encoded) = timed(as_json, args.runs)
        evidence, lines = timed(lambda: evidence_of(store, report), args.runs)
        xlsx = xlsx_figure(store, report, args.runs)
        peak = rss_mb()
        base, rows = timed(baseline, args.runs)
        scored = sum(r["score"] is not None for r in result["rows"])
        behind = sum(r["audit_count"] for r in result["rows"])
        print(
            f"  the report: {len(result['rows'])} rows, {scored} with a score,"
            f" {behind:,} audits behind them (counted once per owner), JSON {len(encoded):,} bytes"
        )
        print(f"\nbaseline: select * from audits where month = ? ({len(rows):,} rows):"
              f" {base * 1000:.1f} ms\n")  # fmt: skip
        print(f"{'figure':<56}{'median':>10}{'vs baseline':>13}  target")
        line = "{:<56}{:>9.2f}s{:>12.1f}x  {}"
        print(line.format("compute() (the rows)", computed, computed / base, ""))
        json_target = f"< {TARGETS['json']:g} s  {verdict(answered, TARGETS['json'])}"
        name = "GET JSON (live_report + encode)"
        print(line.format(name, answered, answered / base, json_target))
        name = f"XLSX's evidence ({lines[0]:,} audit, {lines[1]:,} deduction lines)"
        print(line.format(name, evidence, evidence / base, "(part of the XLSX)"))
        if isinstance(xlsx, str):
            print(f"{'XLSX':<56}{'skipped':>10}  {xlsx}")
        else:
            seconds, size = xlsx
            xlsx_target = f"< {TARGETS['xlsx']:g} s  {verdict(seconds, TARGETS['xlsx'])}"
            name = f"XLSX (render_files, {size / 1e6:.1f} MB)"
            print(line.format(name, seconds, seconds / base, xlsx_target))
        print(
            f"\npeak RSS {peak:.0f} MB (target < {TARGETS['rss_mb']} MB:"
            f" {verdict(peak, TARGETS['rss_mb'])}); {start_rss:.0f} MB before the first timing"
            f" (interpreter, imports, open store); {rss_mb():.0f} MB after the baseline"
        )
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--zones", type=int, default=150)
    parser.add_argument("--audits", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--intake-sample",
        type=int,
        default=30,
        help="audits put through put_audit to time the intake (0: none)",
    )
    parser.add_argument(
        "--intake",
        action="store_true",
        help="store every audit through put_audit + review_audit (slower)",
    )
    parser.add_argument("--quick", action="store_true", help="60 staff, 30 zones, 1,000 audits")
    parser.add_argument("--build", help=argparse.SUPPRESS)  # the child process's data dir
    args = parser.parse_args()
    if args.quick:
        args.staff, args.zones, args.audits, args.runs = 60, 30, 1_000, 1
        args.intake_sample = min(args.intake_sample, 10)
    if args.build:
        build(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
