"""Demo audits: two months of realistic audits, photos drawn by code, reviews.

Every zone gets its weekly audits (the 6S audit and area packs such as the service reception
or the NEV high-voltage bay) and its other checklists now and then. Each zone has its own
level (the showroom shines, the body shop struggles) and improves a little week by week, so
trends, scorecards and the appraisal have something true-looking to show. Findings carry
photos drawn here with Pillow (no image files ship with the app). Everything goes through
the same code paths as a device's sync, so the demo data verifies like real data.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from PIL import Image, ImageDraw

from server.audits.intake import put_audit
from server.audits.review import review_audit
from server.audits.shapes import AuditBody, ReviewBody
from server.checklists.answers import submit_errors
from server.checklists.format import Checklist, Item
from server.checklists.registry import latest_versions
from server.checklists.scoring import NA, Answer, is_fail
from server.core.db import Store
from server.core.settings import Settings
from server.people.places import Zone, sites_for
from server.people.users import User, get_user
from server.photos.files import PhotoFiles
from server.photos.store import save_photo

WEEKS = 8
# How well each zone keeps up, 0..1: the chance an item is at its best.
ZONE_LEVEL = {
    "hq-showroom": 0.85,
    "hq-office": 0.75,
    "hq-lounge": 0.7,
    "hq-parts": 0.6,
    "hq-workshop": 0.5,
    "hq-bodyshop": 0.35,
    "east-workshop": 0.45,
    "east-store": 0.55,
    "hq-reception": 0.7,
    "hq-paint": 0.4,
    "hq-yard": 0.65,
}
# Done every week in each zone that uses them: the packs due weekly, and one of the week's
# service deliveries (维修交车) checked; the other checklists now and then.
WEEKLY = {"6s-zone", "service-reception", "nev-hv-bay", "body-paint", "stock-yard"}
WEEKLY |= {"service-delivery"}
RETURN_COMMENTS = [
    "整顿项照片看不清，请重拍。Photo of the set-in-order finding is unclear, please retake.",
    "安全通道扣分请补充说明。Please add a note for the safety-aisle deduction.",
]


def draw_photo(rng: random.Random, label: str, small: bool = False) -> bytes:
    """A plausible shop-floor scene: floor, shelving, a coloured finding, a caption strip.

    Drawn at 1280x960, or half that (`small`, a quarter of the time to make and store).
    """
    width, height = 1280, 960
    image = Image.new("RGB", (width, height), (rng.randint(150, 200),) * 3)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, height * 2 // 3, width, height], fill=(90, 110, 95))  # painted floor
    draw.line([0, height * 2 // 3 + 40, width, height * 2 // 3 + 40], fill=(240, 200, 0), width=12)
    for shelf in range(rng.randint(2, 4)):
        x = 60 + shelf * 300
        draw.rectangle([x, 120, x + 240, height * 2 // 3], outline=(60, 60, 70), width=8)
        for level in range(1, 4):
            y = 120 + level * 150
            draw.line([x, y, x + 240, y], fill=(60, 60, 70), width=6)
            for _ in range(rng.randint(1, 4)):
                bx = x + rng.randint(10, 180)
                color = tuple(rng.randint(40, 230) for _ in range(3))
                draw.rectangle([bx, y - rng.randint(30, 90), bx + 50, y - 4], fill=color)
    fx, fy = rng.randint(200, width - 300), rng.randint(height * 2 // 3, height - 160)
    draw.ellipse([fx, fy, fx + 220, fy + 90], fill=(40, 30, 20))  # oil stain / clutter
    draw.rectangle([fx + 60, fy - 120, fx + 140, fy - 20], fill=(210, 30, 30))  # red tag
    draw.rectangle([0, 0, width, 56], fill=(20, 20, 20))
    draw.text((20, 18), label, fill=(255, 255, 255))
    if small:
        image = image.reduce(2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


NA_REASON = "本区域不涉及此项。Not part of this zone."
EVIDENCE_NOTE = "现场已指出，见备注。Shown on site."
# Candidates for a subject text field's value; the first its pattern accepts is used.
TEXT_SAMPLES = ["RO2026112801", "LSVAU2180N2123456", "2026112801", "粤A·12345", "演示 Demo"]


def _matching_text(pattern: str | None, rng: random.Random) -> str | None:
    if pattern is None:
        return rng.choice(["王先生 Mr Wang", "李女士 Ms Li", "演示 Demo"])
    for sample in TEXT_SAMPLES:
        if re.fullmatch(pattern, sample):
            return sample
    return None


def _value(item: Item, rng: random.Random, level: float):
    good = rng.random() < level
    kind = item.type
    if kind == "score":
        top = item.levels
        return top if good else rng.choice([top - 1, top - 1, top - 2, max(0, top - 3)])
    if kind == "pass_fail":
        return "pass" if good or rng.random() < 0.6 else "fail"
    if kind == "number":
        low = item.min if item.min is not None else (item.max or 0) - 10
        high = item.max if item.max is not None else low + 10
        inside = round(rng.uniform(low, high), 1)
        return inside if good or rng.random() < 0.7 else round(high + rng.uniform(1, 5), 1)
    if kind == "choice":
        options = list(item.options or ())
        best = [o for o in options if not o.fail]
        return (rng.choice(best) if good or not options else rng.choice(options)).id
    if kind == "text":
        return "" if rng.random() < 0.7 else "已现场沟通 Discussed on site"
    return None


class _Demo:
    def __init__(self, store: Store, settings: Settings, seed: int):
        self.store, self.settings = store, settings
        self.rng = random.Random(seed)
        self.files = PhotoFiles(settings.photos_dir)
        self.checklists = {c.id: c for c in latest_versions(store)}
        self.supervisor = self._user("supervisor")
        self.kept_returned = False
        self.waiting: set[str] = set()  # sites with a submitted audit left unreviewed

    def _user(self, username: str) -> User:
        row = self.store.read().execute("select id from users where username = ?", [username])
        return get_user(self.store, row.fetchone()[0])

    def photo(self, officer: User, label: str) -> str:
        data = draw_photo(self.rng, label)
        sha = hashlib.sha256(data).hexdigest()
        save_photo(self.store, self.files, officer, sha, data, self.settings.max_photo_pixels)
        return sha

    def answers(self, checklist: Checklist, zone: Zone, level: float, officer: User, day) -> dict:
        answers = {}
        for item in checklist.items():
            if not item.applies_to(zone.kind):
                continue
            value = _value(item, self.rng, level)
            answer = {"value": value, "note": "", "photos": []}
            failed = value is not None and is_fail(item, value)
            if failed and item.note_required_if_fail:
                answer["note"] = "现场发现问题，已通知责任人整改。Finding shown to the zone owner."
            wants_photo = item.type == "photo" or item.photo.required
            if wants_photo or (failed and item.photo.required_if_fail):
                answer["photos"] = [self.photo(officer, f"{zone.id} {item.id} {day:%Y-%m-%d}")]
            answers[item.id] = answer
        self.give_evidence(checklist, zone, answers)
        return answers

    def give_evidence(self, checklist: Checklist, zone: Zone, answers: dict) -> None:
        """What the checklist's own submit rules still ask for (a reason for an N/A, evidence
        for a deduction): a note, as an officer writes it on the spot."""
        given = {
            k: Answer(value=a["value"], note=a["note"], photos=a["photos"])
            for k, a in answers.items()
        }
        for error in submit_errors(checklist, given, zone.kind):
            item_id, _, field = error["path"].removeprefix("$.answers.").partition(".")
            if field == "note" and item_id in answers:
                value = answers[item_id]["value"]
                answers[item_id]["note"] = NA_REASON if value == NA else EVIDENCE_NOTE

    def subject(self, checklist: Checklist, zone: Zone, when: datetime) -> dict | None:
        """Plausible values for the checklist's subject fields (a VIN, an order number...)."""
        if not checklist.subject:
            return None
        staff = [r[0] for r in self.store.read().execute(
            "select id from staff where active = 1 and (site_id = ? or site_id is null)"
            " order by id", [zone.site_id])]  # fmt: skip
        values = {}
        for field in checklist.subject:
            if field.type == "staff":
                values[field.id] = self.rng.choice(staff) if staff else None
            elif field.type == "date":
                values[field.id] = when.date().isoformat()
            elif field.type == "number":
                values[field.id] = self.rng.randint(1, 9)
            elif field.type == "choice":
                values[field.id] = field.options[0].id
            else:
                values[field.id] = _matching_text(field.pattern, self.rng)
        return {k: v for k, v in values.items() if v is not None}

    def audit(self, zone: Zone, checklist: Checklist, officer: User, when: datetime, level: float):
        started = when - timedelta(minutes=self.rng.randint(25, 50))
        status = "draft" if when > datetime.now(UTC) - timedelta(hours=30) else "submitted"
        body = AuditBody(
            checklist_id=checklist.id,
            checklist_version=checklist.version,
            zone_id=zone.id,
            started_at=started,
            submitted_at=when if status == "submitted" else None,
            status=status,
            answers=self.answers(checklist, zone, level, officer, when),
            subject=self.subject(checklist, zone, when) or msgspec.UNSET,
        )
        audit_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        # Received a little after, never after now (the newest audits come in as drafts).
        received = min(when + timedelta(minutes=self.rng.randint(1, 240)), datetime.now(UTC))
        put_audit(self.store, self.settings.timezone, officer, audit_id, body, received)
        return audit_id, body, received

    def review(self, site_id: str, audit_id: str, body: AuditBody, officer: User, received, age):
        if body.status != "submitted":
            return
        # The newest audits wait in the supervisor's queue, and every site keeps at least
        # one waiting, whatever the draws, so each site's reviewer has work on screen.
        if age < timedelta(days=3) or (site_id not in self.waiting and age < timedelta(days=12)):
            self.waiting.add(site_id)
            return
        at = received + timedelta(hours=self.rng.randint(2, 40))
        # About one in eight returned; at least one still with its officer, for the screens.
        still_out = not self.kept_returned and age < timedelta(days=10)
        if self.rng.random() < 0.12 or still_out:
            comment = self.rng.choice(RETURN_COMMENTS)
            review_audit(self.store, self.supervisor, audit_id, ReviewBody("return", comment), at)
            if age < timedelta(days=10):
                self.kept_returned = True
                return  # still with the officer
            fixed = AuditBody(
                **{**_fields(body), "submitted_at": at + timedelta(hours=3), "base_revision": 1}
            )
            put_audit(
                self.store,
                self.settings.timezone,
                officer,
                audit_id,
                fixed,
                at + timedelta(hours=4),
            )
            at += timedelta(hours=20)
        review_audit(self.store, self.supervisor, audit_id, ReviewBody("approve", "确认 OK"), at)

    def cross_check(self, zone: Zone, officer: User, when: datetime, level: float, now) -> int:
        checklist = self.checklists.get("6s-zone")
        if checklist is None or "6s-zone" not in zone.checklist_ids:
            return 0
        later = when + timedelta(hours=3)
        audit_id, body, received = self.audit(
            zone, checklist, officer, later, min(0.99, level + 0.1)
        )
        self.review(zone.site_id, audit_id, body, officer, received, now - received)
        return 1


def _fields(body: AuditBody) -> dict:
    return {name: getattr(body, name) for name in body.__struct_fields__}


def load_demo_audits(store: Store, settings: Settings, seed: int = 6) -> int:
    """Audit every zone weekly for the last WEEKS weeks; returns how many audits were made."""
    demo = _Demo(store, settings, seed)
    officers = {"hq": demo._user("officer"), "east": demo._user("officer2")}
    now = datetime.now(UTC)
    count = 0
    done: set[tuple[str, str]] = set()  # (zone, checklist) audited at least once
    today = now.astimezone(ZoneInfo(settings.timezone)).date().isoformat()
    for site in sites_for(store, demo.supervisor, today):
        for zone in (z for z in site.zones if z.active):
            level = ZONE_LEVEL.get(zone.id, 0.6)
            for week in range(WEEKS, -1, -1):
                when = now - timedelta(
                    days=7 * week + demo.rng.randint(0, 4), hours=demo.rng.randint(0, 6)
                )
                improved = min(0.97, level + (WEEKS - week) * 0.02)
                for checklist_id in zone.checklist_ids:
                    checklist = demo.checklists.get(checklist_id)
                    # The other checklists now and then, but each at least once (week 1).
                    now_and_then = week != 1 or (zone.id, checklist_id) in done
                    if checklist is None or (
                        checklist_id not in WEEKLY and now_and_then and demo.rng.random() > 0.3
                    ):
                        continue
                    done.add((zone.id, checklist_id))
                    officer = officers[site.id]
                    audit_id, body, received = demo.audit(zone, checklist, officer, when, improved)
                    demo.review(site.id, audit_id, body, officer, received, now - received)
                    count += 1
                if site.id == "east" and weekly_cross_check(week):
                    count += demo.cross_check(zone, officers["hq"], when, improved, now)
    return count


def weekly_cross_check(week: int) -> bool:
    """Every other week the hq officer audits an east zone too, a little more leniently:
    what the officer calibration report compares."""
    return week % 2 == 0
