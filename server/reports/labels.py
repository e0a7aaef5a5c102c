"""Printable QR zone labels: A4 sheets of 8 labels that a site sticks up at each zone (WeasyPrint).

Scanning a label's QR code with the tablet opens that zone in the app. Each label shows, Chinese
first, the zone's name, its kind, its owner (责任人) and the site, with the zone id and the URL in
small print. QR codes are drawn by `segno` as inline SVG, so the PDF needs no image files.

Zone and owner names are untrusted text: Jinja's autoescape prints `<img src=...>` as text, the
renderer's URL fetcher refuses every URL, and each name sits in its own bidi-isolated element.
Font sizes shrink with the length of the text, so long names wrap inside their label.
"""

from __future__ import annotations

import math
import unicodedata

import msgspec
import segno
from markupsafe import Markup
from weasyprint import HTML

from server.reports.scorecard import PhotoFetcher, jinja

# The sheet, in mm: 2 x 4 labels fill the A4 page inside its margins (210 x 297).
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
MARGIN_X, MARGIN_Y = 8.0, 12.0
# 1 mm to spare for the cut lines, so that rounding never pushes a row onto the next page.
LABEL_W = (210 - 2 * MARGIN_X - 1) / COLUMNS  # 96.5 mm
LABEL_H = (297 - 2 * MARGIN_Y - 1) / ROWS  # 68 mm
PAD = 2.5
# The QR code with its 4-module quiet zone: the symbol itself prints about 40 mm wide, which a
# tablet camera reads from arm's length.
QR_MM = 52.0
TEXT_W = LABEL_W - 1 - QR_MM - 1 - PAD  # the column right of the code: 40 mm
TEXT_H = LABEL_H - 3 * PAD  # the label pads twice as much at the top
TEXT_GAPS = 10  # the text column's padding, gaps between lines, the kind's box and site's rule
SMALL = (6.5, 6, 5.5, 5, 4.5, 4)  # sizes (pt) of the small print
MM_PER_PT = 25.4 / 72
LINE = 1.25  # line height, as in the template


class Label(msgspec.Struct, frozen=True):
    zone_id: str
    name: str  # Chinese name, e.g. 机电维修车间
    name_en: str | None  # English name
    kind_zh: str  # e.g. 维修车间
    kind_en: str  # e.g. Workshop
    owner: str  # the zone owner's (责任人) name(s), "" when none
    url: str  # what the QR code encodes, e.g. https://genba.local/#/zone/hq-workshop


def qr_svg(url: str) -> Markup:
    """The QR code for `url` as an inline SVG that scales to its box (no width or height)."""
    # Level M survives a scuffed or dirty label; boost_error=False keeps the symbol small, and
    # so its modules big, for a given URL length.
    code = segno.make_qr(url, error="m", boost_error=False)
    # segno writes only path data here (no title or description), so the SVG holds no text of
    # ours and is safe to insert unescaped.
    return Markup(code.svg_inline(border=4, omitsize=True, svgclass="qr-code", lineclass=None))


def _lines(text: str, width: float, size: float) -> int:
    # Chinese characters are a full em wide and may break anywhere; Latin letters average about
    # 0.6 em and break at word ends, so their lines are not filled to the last millimetre.
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    ems = wide / 0.95 + (len(text) - wide) * 0.6 / 0.85
    return max(1, math.ceil(ems * size * MM_PER_PT / width))


def height(text: str, width: float, size: float) -> float:
    """About how many mm `text` takes at `size` pt when it wraps at `width` mm."""
    return _lines(text, width, size) * size * MM_PER_PT * LINE if text else 0


def fit(
    text: str, width: float, room: float, sizes: tuple[float, ...], single: float = math.inf
) -> float:
    """The biggest font size (pt) from `sizes` at which `text` wraps into width x room mm.

    With `single`, a size of at least that which keeps the text on one line wins over a bigger
    one that wraps: 机电维修车间 reads better on one line than as 机电维修车 / 间.
    """
    fitting = [s for s in sizes if height(text, width, s) <= room]
    one_line = [s for s in fitting if s >= single and _lines(text, width, s) == 1]
    return (one_line or fitting or [sizes[-1]])[0]


def _sizes(label: Label, site: str) -> dict[str, float]:
    # Each line of the text column gets a share of its height, and the name all that the others
    # leave, so the column never runs out of the label (which still clips as a last resort).
    kind = f"{label.kind_zh} {label.kind_en}"
    owner = f"责任人 Owner：{label.owner or '—'}"
    parts = {  # text, width mm, room mm, sizes pt, one line from pt
        "name_en": (label.name_en or "", TEXT_W, 8, (11, 10, 9, 8, 7, 6, 5), 10),
        "kind": (kind, TEXT_W - 3, 5, (9, 8, 7, 6, 5, 4), math.inf),
        "owner": (owner, TEXT_W, 8, (10, 9, 8, 7, 6, 5, 4), 8),
        "site": (site, TEXT_W, 7, (8, 7, 6, 5, 4), math.inf),
    }
    size = {key: fit(*part) for key, part in parts.items()}
    used = sum(height(part[0], part[1], size[key]) for key, part in parts.items())
    room = TEXT_H - TEXT_GAPS - used
    size["name"] = fit(label.name, TEXT_W, room, (20, 18, 16, 14, 12, 10, 9, 8, 7, 6, 5), 14)
    # Under the code: the zone id on one line, the URL on the next ones, in what the code leaves.
    width, room = QR_MM - 3, TEXT_H - QR_MM  # 3: the small print's side margins
    line = fit(label.zone_id, width, room / 3, SMALL)
    size["small"] = fit(
        label.url, width, room - height("x", width, line), SMALL[SMALL.index(line) :]
    )
    return size


def _pages(labels: list[Label]) -> list[list[Label]]:
    return [labels[i : i + PER_PAGE] for i in range(0, len(labels), PER_PAGE)] or [[]]


def labels_html(site_name: str, site_name_en: str | None, labels: list[Label]) -> str:
    """The HTML of the label sheets (what `labels_pdf` prints)."""
    site = f"{site_name} {site_name_en or ''}"
    geometry = {
        "margin_x": MARGIN_X,
        "margin_y": MARGIN_Y,
        "label_w": LABEL_W,
        "label_h": LABEL_H,
        "pad": PAD,
        "qr_mm": QR_MM,
        "text_w": TEXT_W,
    }
    pages = [
        [{"label": lb, "qr": qr_svg(lb.url), "size": _sizes(lb, site)} for lb in page]
        for page in _pages(labels)
    ]
    return jinja.get_template("labels.html").render(
        site_name=site_name, site_name_en=site_name_en, pages=pages, g=geometry
    )


def labels_pdf(site_name: str, site_name_en: str | None, labels: list[Label]) -> bytes:
    """A4 pages of labels, 2 columns x 4 rows per page (8 labels a page), in the order given."""
    html = labels_html(site_name, site_name_en, labels)
    # The labels need no resource at all: refuse every URL, whatever a name smuggles in.
    return HTML(string=html, url_fetcher=PhotoFetcher(None), base_url="genba-label:").write_pdf()
