"""The audit scorecard PDF: what a supervisor prints and files (WeasyPrint).

Text from audits (notes, names) is escaped by Jinja's autoescape, so a note like
`<img src="file:///etc/passwd">` prints as text. The only resources the renderer may load are
the audit's own photo thumbnails, through `PhotoFetcher`; any other URL is refused and
recorded, and the stylesheet and radar chart are inline.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from server.checklists.format import Checklist, Item
from server.photos.files import PhotoFiles, valid_sha256

# Importing WeasyPrint switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would
# let truncated uploads through photo intake. Scorecards only embed our own complete
# thumbnails, so switch it back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATES = Path(__file__).parent / "templates"
jinja = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
PHOTO_SCHEME = "genba-photo:"


class PhotoFetcher(URLFetcher):
    """Serves `genba-photo:<sha256>` thumbnails from the photo folder and nothing else."""

    def __init__(self, files: PhotoFiles | None):
        super().__init__(allowed_protocols=[])
        self.files = files
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        sha = url.removeprefix(PHOTO_SCHEME) if url.startswith(PHOTO_SCHEME) else ""
        path = self.files.thumb_path(sha) if self.files and valid_sha256(sha) else None
        if path is None or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"scorecards load only their own photos, not {url[:80]!r}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "image/jpeg"})


def _spoke(index: int, count: int, r: float, center: float = 100) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # the first spoke points up
    return center + r * math.cos(angle), center + r * math.sin(angle)


def radar_points(values: list[float | None], radius: float = 70) -> str:
    """SVG polygon points for percents (None as 0), one spoke per value."""
    spokes = [_spoke(i, len(values), radius * (v or 0) / 100) for i, v in enumerate(values)]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in spokes)


def radar_labels(titles: list[str], radius: float = 86) -> list[dict]:
    return [
        {"x": round(x, 1), "y": round(y + 3, 1), "text": title}
        for title, (x, y) in ((t, _spoke(i, len(titles), radius)) for i, t in enumerate(titles))
    ]


def _answer_text(item: Item, value) -> str:
    if value is None:
        return "—"
    if value == "na":
        return "不适用 N/A"
    if item.type == "score":
        anchor = (item.anchors or {}).get(value)
        return f"{value}/{item.levels}" + (f"  {anchor.zh}" if anchor else "")
    if item.type == "pass_fail":
        return "合格 Pass" if value == "pass" else "不合格 Fail"
    if item.type == "choice":
        option = next((o for o in item.options or () if o.id == value), None)
        return f"{option.label.zh} {option.label.en}" if option else str(value)
    if item.type == "number":
        return f"{value} {item.unit or ''}".strip()
    return str(value)


def _rows(checklist: Checklist, view: dict, zone_kind: str) -> list[dict]:
    from server.checklists.scoring import is_fail

    # Only photos the audit's officer delivered: a hash merely named prints as nothing.
    missing = set(view["missing_photos"])
    sections = []
    for section in checklist.sections:
        items = []
        for item in section.items:
            if not item.applies_to(zone_kind):
                continue
            answer = view["answers"].get(item.id) or {}
            value = answer.get("value")
            items.append(
                {
                    "item": item,
                    "answer": _answer_text(item, value),
                    "fail": value is not None and is_fail(item, value),
                    "note": answer.get("note") or "",
                    "photos": [
                        s for s in answer.get("photos", []) if valid_sha256(s) and s not in missing
                    ],
                }
            )
        score = view["score"]["sections"].get(section.id, {})
        sections.append({"section": section, "rows": items, "score": score})
    return sections


def local_time(stamp: str | None, timezone: str = "Asia/Shanghai") -> str:
    """An ISO timestamp as the sites read it: `2026-11-26 23:31`."""
    if not stamp:
        return "—"
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


jinja.filters["local_time"] = local_time


def render(view: dict, checklist: Checklist, context: dict, files: PhotoFiles) -> bytes:
    """The PDF for one audit view (as GET /api/audits/{id} gives it)."""
    sections = _rows(checklist, view, context["zone"].kind)
    percents = [s["score"].get("percent") for s in sections]
    html = jinja.get_template("scorecard.html").render(
        view=view,
        checklist=checklist,
        sections=sections,
        radar=radar_points(percents),
        grid=[radar_points([level] * len(percents)) for level in (25, 50, 75, 100)],
        labels=radar_labels([s["section"].title.zh for s in sections]),
        photo_scheme=PHOTO_SCHEME,
        **context,
    )
    fetcher = PhotoFetcher(files)
    return HTML(string=html, url_fetcher=fetcher, base_url=PHOTO_SCHEME).write_pdf()


def scorecard_pdf(store, settings, view: dict) -> bytes:
    """Gather who and where for an audit view, then render its scorecard."""
    from server.checklists.registry import get_version
    from server.people.owners import owners_on
    from server.people.places import get_zone

    checklist = get_version(store, view["checklist_id"], view["checklist_version"])
    zone = get_zone(store, view["zone_id"])
    db = store.read()

    def name(sql: str, key) -> str:
        row = db.execute(sql, [key]).fetchone()
        return row[0] if row else "—"

    context = {
        "zone": zone,
        "site_name": name("select name from sites where id = ?", zone.site_id),
        "owner_name": "、".join(
            name("select name from staff where id = ?", owner.staff_id)
            for owner in owners_on(db, zone.id, view["day"])
        )
        or "—",
        "officer_name": name("select name from users where id = ?", view["officer_id"]),
        "timezone": settings.timezone,
    }
    return render(view, checklist, context, PhotoFiles(settings.photos_dir))
