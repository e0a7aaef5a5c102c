"""The audit scorecard PDF: what a supervisor prints, pins on the board and files (WeasyPrint).

The first page sums the audit up: the total with its band, which critical item capped it, a
radar of the sections, the status, the current review, a void and the clock and zone flags.
The findings (failed items) follow, each with the anchor text of the level given, the note
and the photos; then the other items compactly, by section; then lines for the signatures.

Text from audits (notes, names, comments) is escaped by Jinja's autoescape, so a note like
`<img src="file:///etc/passwd">` prints as text, and each sits in its own `<bdi>` element, so
a bidi override reorders only itself. The only resources the renderer may load are the
audit's own photos and the emoji font, through `PhotoFetcher`; any other URL is refused and
recorded, and the stylesheet and charts are inline.

A PDF is rendered once per revision and what else it shows (`cached_scorecard_pdf`), and at
most `RENDERS` renders run at once, so a 150-page audit cannot take every worker.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import re
import subprocess
import threading
import unicodedata
import uuid
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from server.checklists.format import Checklist, Item
from server.photos.files import PhotoFiles, valid_sha256, write_atomic
from server.photos.images import FORMATS

# Importing WeasyPrint switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would
# let truncated uploads through photo intake. Scorecards only embed our own complete
# photos, so switch it back off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "scorecard.html"
jinja = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
PHOTO_SCHEME = "genba-photo:"  # the thumbnail (long edge 320 px)
FULL_PHOTO_SCHEME = "genba-photo-full:"  # the sanitized photo itself
# Findings print the thumbnail (320 px: about 150 dpi in its 55 mm box), embedded as it is:
# asking WeasyPrint for a dpi would have it decode and shrink every full photo (0.5 s for 12).

# Emoji in notes print in colour from Noto Color Emoji (Debian's fonts-noto-color-emoji), as
# the family "Genba Emoji" that takes only emoji code points. Naming "Noto Color Emoji" itself
# in a font-family list makes fontconfig prefer it (its rules then ask for a colour font) for
# the digits, spaces and `#` it also has, so `59.0%` would print as wide keycap digits. The
# font comes through `PhotoFetcher` as FONT_URL: WeasyPrint would fetch a `local()` font as a
# file: URL, and the fetcher refuses every file: URL.
FONT_URL = "genba-font:emoji"
EMOJI_FAMILY = "Noto Color Emoji"
EMOJI_RANGE = (
    "U+00A9, U+00AE, U+203C, U+2049, U+20E3, U+2122, U+2139, U+2194-2199, U+21A9-21AA,"
    " U+231A-23FF, U+24C2, U+25AA-25FE, U+2600-27BF, U+2934-2935, U+2B05-2B55, U+3030,"
    " U+303D, U+3297, U+3299, U+FE0F, U+200D, U+1F000-1FAFF, U+E0020-E007F"
)
FONT_FACES = Markup(
    '@font-face {{ font-family: "Genba Emoji"; src: url("{}"); unicode-range: {}; }}'
).format(Markup(FONT_URL), Markup(EMOJI_RANGE))
FONTS = Markup('"Noto Sans CJK SC", "Genba Emoji", sans-serif')


@functools.cache
def emoji_font() -> Path | None:
    """Where fontconfig has Noto Color Emoji; None when it is not installed."""
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{family}|%{file}", EMOJI_FAMILY],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, file = found.partition("|")
    return Path(file) if EMOJI_FAMILY in family.split(",") and Path(file).is_file() else None


# At most this many scorecards render at once; others wait their turn.
RENDERS = threading.BoundedSemaphore(2)
renders = 0  # scorecards rendered by this process (tests count cache misses with it)
_renders_lock = threading.Lock()

STATUS = {
    "draft": ("草稿", "Draft"),
    "submitted": ("已提交", "Submitted"),
    "returned": ("已退回", "Returned"),
    "approved": ("已批准", "Approved"),
    "void": ("已作废", "Void"),
    "discarded": ("已放弃", "Discarded"),
}
DECISION = {"approve": ("批准", "Approve"), "return": ("退回", "Return")}


def status_text(status: str) -> str:
    """`已批准 Approved` for `approved`; an unknown id prints as it is."""
    zh, en = STATUS.get(status, (status, ""))
    return f"{zh} {en}".strip()


def decision_text(decision: str) -> str:
    zh, en = DECISION.get(decision, (decision, ""))
    return f"{zh} {en}".strip()


class PhotoFetcher(URLFetcher):
    """Serves `genba-photo:<sha256>` thumbnails and `genba-photo-full:<sha256>` photos from the
    photo folder, and the emoji font as FONT_URL, and nothing else."""

    def __init__(self, files: PhotoFiles | None):
        super().__init__(allowed_protocols=[])
        self.files = files
        self.refused: list[str] = []

    def _file(self, url: str) -> tuple[Path, str] | None:
        if url == FONT_URL:
            font = emoji_font()
            return (font, "font/ttf") if font else None
        if self.files is None:
            return None
        if url.startswith(FULL_PHOTO_SCHEME):
            sha = url.removeprefix(FULL_PHOTO_SCHEME)
            if valid_sha256(sha):
                for content_type in FORMATS:
                    path = self.files.path(sha, content_type)
                    if path.is_file():
                        return path, content_type
        elif url.startswith(PHOTO_SCHEME):
            sha = url.removeprefix(PHOTO_SCHEME)
            if valid_sha256(sha) and self.files.thumb_path(sha).is_file():
                return self.files.thumb_path(sha), "image/jpeg"
        return None

    def fetch(self, url, headers=None):
        found = self._file(url)
        if found is None:
            self.refused.append(url)
            raise ValueError(f"scorecards load only their own photos, not {url[:80]!r}")
        path, content_type = found
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# --------------------------------------------------------------------------- the radar


def text_width(text: str, size: float) -> float:
    """About how wide `text` sets at font `size`, in the same units: a Chinese character is a
    full em; a Latin letter or digit at most 0.62 em in Noto Sans (bold included)."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.62 * size for c in text)


JOINTS = " 与和及、/"  # a two-line title breaks after one of these when it can


def split_title(title: str, limit: float = 6) -> list[str]:
    """A title longer than `limit` ems on two lines, so a long section name does not shrink the
    whole radar: after the joint (与, a space...) nearest the middle, else in the middle.
    深度清洁与虫害防治 gives 深度清洁与 / 虫害防治."""
    if text_width(title, 1) <= limit:
        return [title]
    middle = len(title) / 2
    joints = [i + 1 for i, c in enumerate(title[:-1]) if c in JOINTS and i > 0]
    cut = min(joints, key=lambda i: abs(i - middle)) if joints else math.ceil(middle)
    return [title[:cut].strip(), title[cut:].strip()]


class Series(NamedTuple):
    """One polygon of a radar: percents per spoke (None: nothing counted, drawn at 0)."""

    values: list[float | None]
    color: str
    fill_opacity: float = 0.3
    dashed: bool = False


def _spoke(index: int, count: int, r: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count  # the first spoke points up
    return r * math.cos(angle), r * math.sin(angle)


def _points(values: list[float | None], radius: float) -> str:
    spokes = [_spoke(i, len(values), radius * (v or 0) / 100) for i, v in enumerate(values)]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in spokes)


class RadarLabel(NamedTuple):
    x: float
    y: float  # the first line's baseline
    anchor: str  # SVG text-anchor
    lines: list[str]
    box: tuple[float, float, float, float]  # left, top, right, bottom


FONT = 9.0  # label size in chart units
LEADING = 1.25
GAP = 7.0  # between the outer ring and a label


def radar_labels(
    titles: list[str], notes: list[str] | None = None, radius: float = 70
) -> list[RadarLabel]:
    """Where each spoke's label goes, and the box it takes (about the chart's centre)."""
    labels = []
    for i, title in enumerate(titles):
        cos, sin = _spoke(i, len(titles), 1)
        x, y = (radius + GAP) * cos, (radius + GAP) * sin
        lines = split_title(title) + ([notes[i]] if notes else [])
        width = max(text_width(line, FONT) for line in lines)
        height = len(lines) * FONT * LEADING
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        top = y - height if sin < -0.3 else y if sin > 0.3 else y - height / 2
        baseline = top + FONT * 0.95  # Noto's ascent is about 0.88 em, plus the leading
        labels.append(
            RadarLabel(x, baseline, anchor, lines, (left, top, left + width, top + height))
        )
    return labels


def radar_svg(
    titles: list[str],
    series: list[Series],
    notes: list[str] | None = None,
    width_mm: float = 70,
    height_mm: float = 60,
    radius: float = 70,
) -> Markup:
    """A radar chart as inline SVG, sized so that every label fits inside it.

    The viewBox is the union of the rings and each label's box (its text width estimated
    generously), so a long section name makes the chart smaller, never cut off. Fewer than
    three spokes make no radar: an empty string.
    """
    if len(titles) < 3:
        return Markup("")
    labels = radar_labels(titles, notes, radius)
    pad = 3
    left = min([-radius, *(lb.box[0] for lb in labels)]) - pad
    top = min([-radius, *(lb.box[1] for lb in labels)]) - pad
    right = max([radius, *(lb.box[2] for lb in labels)]) + pad
    bottom = max([radius, *(lb.box[3] for lb in labels)]) + pad
    width, height = right - left, bottom - top
    scale = min(width_mm / width, height_mm / height)
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="radar" role="img"'
            ' width="{:.2f}mm" height="{:.2f}mm" viewBox="{:.1f} {:.1f} {:.1f} {:.1f}">'
        ).format(width * scale, height * scale, left, top, width, height)
    ]
    for level in (25, 50, 75, 100):
        ring = _points([level] * len(titles), radius)
        parts.append(
            Markup('<polygon points="{}" fill="none" stroke="#bbb" stroke-width="0.7"/>').format(
                ring
            )
        )
    for i in range(len(titles)):
        x, y = _spoke(i, len(titles), radius)
        parts.append(
            Markup(
                '<line x1="0" y1="0" x2="{:.1f}" y2="{:.1f}" stroke="#ddd" stroke-width="0.6"/>'
            ).format(x, y)
        )
    for s in series:
        parts.append(
            Markup(
                '<polygon points="{}" fill="{}" fill-opacity="{}" stroke="{}"'
                ' stroke-width="1.6"{}/>'
            ).format(
                _points(s.values, radius),
                s.color,
                s.fill_opacity,
                s.color,
                Markup(' stroke-dasharray="4 2.5"') if s.dashed else "",
            )
        )
    for label in labels:
        for n, line in enumerate(label.lines):
            bold = notes is not None and n == len(label.lines) - 1
            parts.append(
                Markup(
                    '<text x="{:.1f}" y="{:.1f}" text-anchor="{}" font-size="{}"'
                    ' font-family="Noto Sans CJK SC" fill="#222"{}>{}</text>'
                ).format(
                    label.x,
                    label.y + n * FONT * LEADING,
                    label.anchor,
                    FONT,
                    Markup(' font-weight="bold"') if bold else "",
                    line,
                )
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def percent_text(value: float | None, sign: str = "") -> str:
    """`82.5` (or `82.5%` with sign="%"); `—` when nothing counted."""
    return "—" if value is None else f"{value:.1f}{sign}"


# --------------------------------------------------------------------------- the page


def _anchor(item: Item, value):
    """The anchor text of the level a score item was given (levels are whole numbers)."""
    if item.type != "score" or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    whole = isinstance(value, int) or (math.isfinite(value) and value.is_integer())
    return (item.anchors or {}).get(int(value)) if whole else None


def _number(value) -> str:
    """`3` for 3.0, `0.6` for 0.6, never `1.2e+07`."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _answer_text(item: Item, value, photos: int = 0) -> str:
    if item.type == "photo" and value is None:
        return f"照片 {photos} 张 Photos" if photos else "无照片 No photo"
    if value is None:
        return "未答 Unanswered"
    if value == "na":
        return "不适用 N/A"
    if item.type == "score":
        return f"{_number(value)}/{item.levels}"
    if item.type == "pass_fail":
        return "合格 Pass" if value == "pass" else "不合格 Fail"
    if item.type == "choice":
        option = next((o for o in item.options or () if o.id == value), None)
        return f"{option.label.zh} {option.label.en}" if option else str(value)
    if item.type == "number":
        return f"{_number(value)} {item.unit or ''}".strip()
    return str(value)


def _accepted(item: Item) -> str:
    """A number item's accepted range, e.g. `≤ 5 kg`."""
    unit = f" {item.unit}" if item.unit else ""
    if item.min is not None and item.max is not None:
        return f"{_number(item.min)}–{_number(item.max)}{unit}"
    if item.min is not None:
        return f"≥ {_number(item.min)}{unit}"
    return f"≤ {_number(item.max)}{unit}"


def _rows(checklist: Checklist, view: dict, zone_kind: str) -> tuple[list[dict], list[dict]]:
    """(findings, sections): the failed items in checklist order, and every section with its
    other items."""
    from server.checklists.scoring import is_fail

    # Only photos the audit's officer delivered: a hash merely named prints as nothing.
    missing = set(view["missing_photos"])
    capped = set(view["score"]["capped_by"])
    findings, sections = [], []
    for section in checklist.sections:
        rows = []
        for item in section.items:
            if not item.applies_to(zone_kind):
                continue
            answer = view["answers"].get(item.id) or {}
            value = answer.get("value")
            fail = value is not None and is_fail(item, value)
            photos = [s for s in answer.get("photos", []) if valid_sha256(s) and s not in missing]
            row = {
                "item": item,
                "section": section,
                "answer": _answer_text(item, value, len(photos)),
                "anchor": _anchor(item, value),
                "accepted": _accepted(item) if item.type == "number" else None,
                "text": item.type == "text",  # the officer's own words: untrusted
                "fail": fail,
                "capped": item.id in capped,
                "note": answer.get("note") or "",
                "photos": photos,
            }
            (findings if fail else rows).append(row)
        score = view["score"]["sections"].get(section.id, {})
        sections.append({"section": section, "rows": rows, "score": score})
    return findings, sections


def _cap_notice(checklist: Checklist, view: dict) -> dict | None:
    if not view["score"]["capped_by"]:
        return None
    rule = checklist.critical_fail
    if rule.scope == "section":
        zh, en = f"所在部分得分封顶 {rule.cap:g} 分", f"its section is capped at {rule.cap:g}"
    else:
        zh, en = f"总分封顶 {rule.cap:g} 分", f"the total is capped at {rule.cap:g}"
    return {"zh": f"关键项不合格，{zh}", "en": f"A critical item failed: {en}"}


CSS_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}")
# The bands' colour names as they print well (CSS's own `blue` and `green` are glaring).
PRINT_COLORS = {"green": "#2e7d32", "blue": "#1f5fa8", "orange": "#e08a00", "red": "#c62828"}


def css_color(value: str | None, default: str = "#666") -> str:
    """A band colour from a checklist, only when it is plainly a colour."""
    if not value or not CSS_COLOR.fullmatch(value):
        return default
    return PRINT_COLORS.get(value.lower(), value)


def local_time(stamp: str | None, timezone: str = "Asia/Shanghai") -> str:
    """An ISO timestamp as the sites read it: `2026-11-26 23:31`."""
    if not stamp:
        return "—"
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


jinja.filters["local_time"] = local_time
jinja.filters["status_text"] = status_text
jinja.filters["decision_text"] = decision_text
jinja.filters["percent"] = percent_text


def scorecard_html(view: dict, checklist: Checklist, facts: dict) -> str:
    """The HTML of one audit's scorecard (what `render` prints)."""
    findings, sections = _rows(checklist, view, facts["zone"]["kind"])
    titles = [s["section"].title.zh for s in sections]
    percents = [s["score"].get("percent") for s in sections]
    band = view["score"]["band"]
    return jinja.get_template(TEMPLATE).render(
        view=view,
        checklist=checklist,
        findings=findings,
        sections=sections,
        capped=[f for f in findings if f["capped"]],
        cap=_cap_notice(checklist, view),
        radar=radar_svg(
            titles, [Series(percents, "#1f5fa8")], [percent_text(p) for p in percents], 72, 62
        ),
        band_color=css_color(band and band.get("color")),
        photo_scheme=PHOTO_SCHEME,
        full_photo_scheme=FULL_PHOTO_SCHEME,
        font_faces=FONT_FACES,
        fonts=FONTS,
        **facts,
    )


def render(view: dict, checklist: Checklist, facts: dict, files: PhotoFiles) -> bytes:
    """The PDF for one audit view (as GET /api/audits/{id} gives it)."""
    global renders
    with _renders_lock:
        renders += 1
    html = scorecard_html(view, checklist, facts)
    fetcher = PhotoFetcher(files)
    return HTML(string=html, url_fetcher=fetcher, base_url=PHOTO_SCHEME).write_pdf()


def page_facts(store, settings, view: dict) -> dict:
    """What the page shows besides the view itself: names that can change between revisions
    (the zone's, its site's, its owners' on the audit's day, the officer's)."""
    from server.people.owners import owners_on
    from server.people.places import get_zone

    zone = get_zone(store, view["zone_id"])
    kind = store.memo.get("zone_kinds", {}).get(zone.kind)
    db = store.read()
    site = db.execute("select name, name_en from sites where id = ?", [zone.site_id]).fetchone()
    officer = db.execute("select name from users where id = ?", [view["officer_id"]]).fetchone()
    owners = []
    shares = owners_on(db, zone.id, view["day"])
    for owner in shares:
        row = db.execute(
            "select name, name_en from staff where id = ?", [owner.staff_id]
        ).fetchone()
        owners.append(
            {
                "name": row[0] if row else owner.staff_id,
                "name_en": row[1] if row else None,
                "share": owner.share if len(shares) > 1 else None,
            }
        )
    return {
        "zone": {
            "id": zone.id,
            "name": zone.name,
            "name_en": zone.name_en,
            "kind": zone.kind,
            "kind_zh": kind.name.zh if kind else zone.kind,
            "kind_en": kind.name.en if kind else "",
        },
        "site": {"name": site[0] if site else "—", "name_en": site[1] if site else None},
        "owners": owners,
        "officer_name": officer[0] if officer else "—",
        "timezone": settings.timezone,
    }


def scorecard_pdf(store, settings, view: dict) -> bytes:
    """Gather who and where for an audit view, then render its scorecard (no cache; at most
    `RENDERS` at once)."""
    from server.checklists.registry import get_version

    checklist = get_version(store, view["checklist_id"], view["checklist_version"])
    facts = page_facts(store, settings, view)
    with RENDERS:
        return render(view, checklist, facts, PhotoFiles(settings.photos_dir))


# --------------------------------------------------------------------------- the cache


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_key(view: dict, facts: dict) -> str:
    """A short hash of everything the page shows besides the audit id and revision: the
    view's status, review, void, flags and delivered photos, the names in `facts`, and the
    template's and this module's own files, so a changed page never comes from the cache."""
    everything = {
        "view": view,
        "facts": facts,
        "template": _file_hash(TEMPLATES / TEMPLATE),
        "code": _file_hash(Path(__file__)),
    }
    text = json.dumps(everything, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_path(settings, view: dict, facts: dict) -> Path:
    """settings.data_dir/cache/scorecards/<id>-<revision>-<key>.pdf"""
    audit_id = str(uuid.UUID(view["id"]))  # a uuid, never a path
    name = f"{audit_id}-{int(view['revision'])}-{cache_key(view, facts)}.pdf"
    return settings.data_dir / "cache" / "scorecards" / name


def _read_cached(path: Path) -> bytes | None:
    try:
        pdf = path.read_bytes()
    except FileNotFoundError:
        return None
    # A file cut short (a full disk, say) is rendered again rather than served.
    return pdf if pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") else None


def cached_scorecard_pdf(store, settings, view: dict) -> bytes:
    """The scorecard, rendered once per revision and what else the page shows (`cache_key`).

    The PDF is kept in the data dir's cache folder, written atomically; the audit's older
    files there are removed. Rendering holds `RENDERS`, so at most that many run at once.
    """
    from server.checklists.registry import get_version

    facts = page_facts(store, settings, view)
    path = cache_path(settings, view, facts)
    pdf = _read_cached(path)
    if pdf is not None:
        return pdf
    checklist = get_version(store, view["checklist_id"], view["checklist_version"])
    with RENDERS:
        # Another request may have rendered the same page while this one waited.
        pdf = _read_cached(path)
        if pdf is None:
            pdf = render(view, checklist, facts, PhotoFiles(settings.photos_dir))
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, pdf)
    # Earlier revisions' and states' files of this audit are never served again.
    for old in path.parent.glob(f"{uuid.UUID(view['id'])}-*.pdf"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
    return pdf
