"""How long and how much memory does a scorecard PDF take?

Makes a workshop 6S audit of 43 items, 12 of them failing with a 1600x1200 photo each, on the
demo data (untimed), then renders its scorecard (`server.reports.scorecard.scorecard_pdf`, what
`GET /api/audits/{id}/scorecard.pdf` renders when it is not cached) and, in the same run, a bare
A4 page with WeasyPrint alone: the floor any PDF pays. Each runs in its own child process,
twice: the first render pays for loading fonts and templates, the second is what a running
server pays (the target); the peak memory (the child's max RSS) is its own. Targets: a running
server's render under 1 s, and under 300 MB. Prints the figures; asserts nothing.

Run: .venv/bin/python bench/pdf.py [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_S = 1.0
TARGET_MB = 300
PHOTOS = 12


def photo(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (1600, 1200), (rng.randint(0, 255), 120, 90))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randint(0, 1500), rng.randint(0, 1100)
        draw.rectangle([x, y, x + 200, y + 120], fill=tuple(rng.randint(0, 255) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def make_audit(folder: Path) -> str:
    """A demo data dir holding the audit to print; returns the audit's id."""
    import msgspec

    from server.app import open_store
    from server.audits.intake import put_audit
    from server.audits.shapes import AuditBody
    from server.checklists.registry import latest_versions
    from server.core.settings import Settings
    from server.people.users import get_user
    from server.photos.files import PhotoFiles
    from server.photos.store import save_photo

    settings = Settings(data_dir=folder, demo=True, password_cost="test")
    store = open_store(settings)
    officer = get_user(store, 1)
    checklist = next(c for c in latest_versions(store) if c.id == "6s-zone")
    items = [i for i in checklist.items() if i.applies_to("workshop")]
    answers, files = {}, PhotoFiles(settings.photos_dir)
    for n, item in enumerate(items):
        answer = {"value": 4, "note": "", "photos": []}
        if n < PHOTOS:
            data = photo(n)
            sha = hashlib.sha256(data).hexdigest()
            save_photo(store, files, officer, sha, data, settings.max_photo_pixels)
            answer = {
                "value": 1,
                "note": "现场发现问题：地面油污，工具未归位。" * 3,
                "photos": [sha],
            }
        answers[item.id] = answer
    when = datetime.now(UTC) - timedelta(hours=1)
    body = AuditBody(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        zone_id="hq-workshop",
        started_at=when - timedelta(minutes=40),
        submitted_at=when,
        status="submitted",
        answers=answers,
    )
    audit_id = str(uuid.uuid4())
    put_audit(store, settings.timezone, officer, audit_id, msgspec.convert(body, AuditBody))
    store.close()
    return audit_id


def render_scorecard(folder: str, audit_id: str, queue) -> None:
    import msgspec

    from server.app import open_store
    from server.audits.views import get_audit
    from server.core.settings import Settings
    from server.people.users import User
    from server.reports.scorecard import scorecard_pdf

    settings = Settings(data_dir=Path(folder), password_cost="test")
    store = open_store(settings)
    admin = User(id=0, username="bench", name="bench", role="admin")
    view = msgspec.to_builtins(get_audit(store, admin, audit_id))
    queue.put(twice(lambda: scorecard_pdf(store, settings, view)))


def render_bare(queue) -> None:
    from weasyprint import HTML

    queue.put(twice(lambda: HTML(string="<html><body><p>x</p></body></html>").write_pdf()))


def twice(render) -> tuple[float, float, int]:
    """(first render's seconds, second's, PDF bytes): a fresh process, then a running server."""
    began = time.perf_counter()
    render()
    cold = time.perf_counter() - began
    began = time.perf_counter()
    pdf = render()
    return cold, time.perf_counter() - began, len(pdf)


def in_child(target, *args) -> tuple[float, float, int, float]:
    """(cold seconds, warm seconds, PDF bytes, peak MB) of two renders in a fresh process."""
    queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=target, args=(*args, queue))
    child.start()
    cold, warm, size = queue.get(timeout=300)
    child.join()
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return cold, warm, size, peak_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    multiprocessing.set_start_method("spawn")
    with tempfile.TemporaryDirectory() as folder:
        audit_id = make_audit(Path(folder))
        print(f"an audit of 43 items, {PHOTOS} failing with a 1600x1200 photo each (untimed)")
        bare = [in_child(render_bare) for _ in range(args.runs)]
        cards = [in_child(render_scorecard, folder, audit_id) for _ in range(args.runs)]
    bare_cold, bare_s = (statistics.median(r[i] for r in bare) for i in (0, 1))
    card_cold, card_s = (statistics.median(r[i] for r in cards) for i in (0, 1))
    # RUSAGE_CHILDREN's max RSS is the largest of any child so far: the bare pages ran first.
    bare_mb, card_mb = max(r[3] for r in bare), max(r[3] for r in cards)
    size = cards[0][2]
    print("\n" + " " * 33 + "running   first in a process   peak memory")
    rows = [
        ("bare A4 page (WeasyPrint alone)", bare_s, bare_cold, bare_mb),
        (f"scorecard ({size:,} bytes)", card_s, card_cold, card_mb),
    ]
    for name, warm, cold, peak in rows:
        print(f"{name:<32}{warm * 1000:7.0f} ms {cold * 1000:12.0f} ms {peak:14.0f} MB")
    print(f"ratio scorecard / bare page     {card_s / bare_s:7.1f}x")
    time_ok = "PASS" if card_s < TARGET_S else "FAIL"
    memory_ok = "PASS" if card_mb < TARGET_MB else "FAIL"
    print(f"\n{time_ok}  under {TARGET_S:.0f} s      {memory_ok}  under {TARGET_MB} MB")


if __name__ == "__main__":
    main()
