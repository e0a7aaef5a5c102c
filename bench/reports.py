"""Are the supervisor's reports fast over a year of a big company?

Sets up 50 zones and stores 12 months x 50 zones x 20 audits a month (12,000 6S audits, 43-45
answers each, some failing) through the server's own intake (`put_audit`, so each audit has
its score, tally and day as in real use; untimed), approves most, then times each report the
way the API calls it, over the whole year where it spans months:

- zone trends and ranks, 12 months (`GET /api/reports/zones?from=&to=`),
- the findings Pareto of a month (`GET /api/reports/findings?month=`),
- officer calibration of a month (`GET /api/reports/officers?month=`),
- the review queue's first page (`GET /api/audits?status=submitted&order=oldest`),
- the month's appraisal (`GET /api/appraisal?month=`), with each owner's actions at its end,
- corrective actions: the overdue list's first page (`GET /api/actions?overdue=true`), the load
  per owner (`GET /api/actions/owners`) and what a tablet caches (every action not closed,
  as `GET /api/bootstrap` carries them; here none is ever closed, the worst case),

each against a baseline measured in the same run: one plain `SELECT` of every counted audit's
percent over the same year (the least a report over those rows must read). Target: every
report under 300 ms. Prints the figures; asserts nothing.

Run: .venv/bin/python bench/reports.py [--zones 50] [--per-month 20] [--months 12]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.app import open_store  # noqa: E402
from server.appraisal.close import live_report  # noqa: E402
from server.appraisal.rules import load_rules  # noqa: E402
from server.audits.intake import put_audit  # noqa: E402
from server.audits.review import review_audit  # noqa: E402
from server.audits.shapes import AuditBody, ReviewBody  # noqa: E402
from server.audits.views import list_audits  # noqa: E402
from server.checklists.registry import latest_versions  # noqa: E402
from server.core.settings import Settings  # noqa: E402
from server.people import setup  # noqa: E402
from server.people.owners import SINCE_ALWAYS, OwnerShare, OwnersIn  # noqa: E402
from server.people.users import Passwords, User, add_user, get_user  # noqa: E402
from server.records.action_lists import device_actions, list_actions, owner_loads  # noqa: E402
from server.reports import trends  # noqa: E402

TARGET_MS = 300
ADMIN = User(id=0, username="bench", name="bench", role="admin")
KINDS = ["workshop", "warehouse", "office", "showroom", "lounge"]


def set_up(store, zones: int) -> list[tuple[str, str]]:
    """A site with `zones` zones of every kind, each with an owner; (zone id, kind) each."""
    known = setup.catalog(store)
    made = []
    with store.write() as db:
        setup.add_site(db, ADMIN, setup.SiteRow(id="big", name="大店"))
        for n in range(zones):
            kind = KINDS[n % len(KINDS)]
            staff = setup.StaffRow(id=f"s-{n}", name=f"员工{n}", site_id="big")
            setup.add_staff(db, ADMIN, staff)
            zone = setup.ZoneRow(
                id=f"z-{n}", site_id="big", name=f"区域{n}", kind=kind, checklist_ids=["6s-zone"]
            )
            setup.add_zone(db, ADMIN, zone, known)
            owners = OwnersIn(starts=SINCE_ALWAYS, owners=[OwnerShare(staff_id=f"s-{n}")])
            setup.set_zone_owners(db, ADMIN, zone.id, owners)
            made.append((zone.id, kind))
    return made


def answers_for(checklist, kind: str, rng: random.Random, photo: str) -> dict:
    answers = {}
    for item in checklist.items():
        if not item.applies_to(kind) or item.type != "score":
            continue
        value = rng.choice([4, 4, 4, 3, 3, 2, 1]) if rng.random() > 0.02 else 0
        failed = value < 2
        answers[item.id] = {
            "value": value,
            "note": "现场问题" if failed else "",
            "photos": [photo] if failed else [],
        }
    return answers


def finding_photo(store, settings, officers: list[User]) -> str:
    """One small photo every officer has uploaded, for their findings."""
    import hashlib
    import io

    from PIL import Image

    from server.photos.files import PhotoFiles
    from server.photos.store import save_photo

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, "JPEG")
    data = out.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    files = PhotoFiles(settings.photos_dir)
    for officer in officers:
        save_photo(store, files, officer, sha, data, settings.max_photo_pixels)
    return sha


def fill(store, settings, zones, per_month: int, months: int, officers: list[User]) -> int:
    rng = random.Random(7)
    photo = finding_photo(store, settings, officers)
    checklist = next(c for c in latest_versions(store) if c.id == "6s-zone")
    reviewer = get_user(store, 1)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    count = 0
    for month in range(months):
        for zone_id, kind in zones:
            for n in range(per_month):
                when = start + timedelta(days=30 * month + n, hours=rng.randint(8, 17))
                body = AuditBody(
                    checklist_id=checklist.id,
                    checklist_version=checklist.version,
                    zone_id=zone_id,
                    started_at=when - timedelta(minutes=40),
                    submitted_at=when,
                    status="submitted",
                    answers=answers_for(checklist, kind, rng, photo),
                )
                audit_id = str(uuid.uuid4())
                officer = officers[(month + n) % len(officers)]
                put_audit(store, settings.timezone, officer, audit_id, body, when)
                if rng.random() < 0.9:
                    review_audit(store, reviewer, audit_id, ReviewBody("approve"), when)
                count += 1
    return count


def timed(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def run(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", password_cost="test")
        store = open_store(settings)
        passwords = Passwords("test")
        add_user(store, passwords, "boss", "pw-1234", "supervisor")
        officers = [add_user(store, passwords, f"o{n}", "pw-1234", "officer") for n in range(4)]
        zones = set_up(store, args.zones)
        began = time.perf_counter()
        count = fill(store, settings, zones, args.per_month, args.months, officers)
        print(f"stored {count:,} audits in {time.perf_counter() - began:.0f} s (untimed)")
        boss = get_user(store, 1)
        rules = load_rules(Settings().checklists_dir, latest_versions(store))
        first, last = (
            "2025-01",
            f"{2025 + (args.months - 1) // 12}-{(args.months - 1) % 12 + 1:02d}",
        )
        month = "2025-06" if args.months >= 6 else first
        today = datetime.now(UTC).date().isoformat()
        db = store.read()

        def baseline():
            db.execute(
                "select score_percent from audits where month between ? and ?"
                " and status in ('submitted', 'approved')",
                [first, last],
            ).fetchall()

        cases = {
            f"zone trends, {args.months} months": lambda: trends.zones_report(
                store, boss, first, last, "6s-zone", None
            ),
            "findings, one month": lambda: trends.findings_report(
                store, boss, month, "6s-zone", None
            ),
            "officer calibration, one month": lambda: trends.officers_report(
                store, boss, month, "6s-zone", None
            ),
            "review queue, first page": lambda: list_audits(
                store, boss, {"status": "submitted", "order": "oldest"}, None, 50
            ),
            "appraisal, one month": lambda: live_report(store, boss, month, "Asia/Shanghai", rules),
            "actions overdue, first page": lambda: list_actions(
                store, boss, {"overdue": True}, None, 50, today
            ),
            "actions per owner": lambda: owner_loads(store, boss, None, today),
            "a tablet's actions (bootstrap)": lambda: device_actions(store, boss, today),
        }
        actions = store.read().execute("select count(*) from actions").fetchone()[0]
        print(f"{actions} corrective actions opened by the failed items")
        base = timed(baseline, args.runs)
        print(f"\nbaseline: one SELECT of every counted audit's percent: {base:.1f} ms\n")
        print(f"{'report':<34}{'median ms':>10}{'vs baseline':>13}  target < {TARGET_MS} ms")
        for name, work in cases.items():
            ms = timed(work, args.runs)
            verdict = "PASS" if ms < TARGET_MS else "FAIL"
            print(f"{name:<34}{ms:>10.1f}{ms / base:>12.1f}x  {verdict}")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zones", type=int, default=50)
    parser.add_argument("--per-month", type=int, default=20)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
