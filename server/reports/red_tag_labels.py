"""Printable red tags (红牌): four numbered tags per A4 page, to cut out and hang on the item.

Each tag has a red border and its number big (RT-0001, the server's per-site number), the
zone, the item and quantity, the reason, the proposed disposition, when it was tagged and by
when it must be decided (the site's limit), boxes to tick the final disposition and lines for
the signatures, and a QR code of `<public url>/#/red-tag/<id>` that opens the tag on a tablet.
The rows come from red_tag_register.site_tags, so both PDFs list the same tags.

Every text box has a fixed size: long items and reasons are cut to what their box holds (with
an ellipsis, so what is not printed is not in the PDF at all) and the boxes clip as a last
resort; untrusted text is escaped and bidi-isolated as on the register.
"""

from __future__ import annotations

from weasyprint import HTML

from server.people.users import User
from server.reports.board import shorten
from server.reports.labels import qr_svg
from server.reports.red_tag_register import DISPOSITIONS, site_tags
from server.reports.scorecard import FONT_FACES, FONTS, PhotoFetcher, jinja

# The sheet, in mm: 2 x 2 tags fill the A4 page inside its margins, 1 mm spare for rounding.
MARGIN_X, MARGIN_Y = 7.0, 9.0
TAG_W = (210 - 2 * MARGIN_X - 1) / 2  # 97.5 mm
TAG_H = (297 - 2 * MARGIN_Y - 1) / 2  # 139 mm
PER_PAGE = 4
QR_MM = 34.0  # with its quiet zone: the symbol about 28 mm, read from a hand's length
MAX_TAGS = 200  # 50 pages; about 0.15 s of rendering per tag
# What each box holds, in ems of its font (cut with an ellipsis beyond).
ITEM_EMS, REASON_EMS, ZONE_EMS, BY_EMS = 44, 96, 30, 16


def _tag(row: dict, base_url: str) -> dict:
    return {
        **row,
        "item": shorten(row["item"], ITEM_EMS),
        "reason": shorten(row["reason"], REASON_EMS),
        "zone": shorten(row["zone"], ZONE_EMS),
        "zone_en": shorten(row["zone_en"], ZONE_EMS * 1.4),
        "by": shorten(row["by"], BY_EMS),
        "url": f"{base_url.rstrip('/')}/#/red-tag/{row['id']}",
    }


def labels_html(context: dict, base_url: str) -> str:
    tags = [_tag(row, base_url) for row in context["tags"]]
    for tag in tags:
        tag["qr"] = qr_svg(tag["url"])
    pages = [tags[i : i + PER_PAGE] for i in range(0, len(tags), PER_PAGE)] or [[]]
    site = context["site"]
    geometry = {"mx": MARGIN_X, "my": MARGIN_Y, "w": TAG_W, "h": TAG_H, "qr": QR_MM}
    return jinja.get_template("red_tag_labels.html").render(
        site={**site, "name": shorten(site["name"], 30), "name_en": shorten(site["name_en"], 40)},
        pages=pages,
        dispositions=[{"id": k, "zh": zh, "en": en} for k, (zh, en) in DISPOSITIONS.items()],
        g=geometry,
        font_faces=FONT_FACES,
        fonts=FONTS,
        left_off=context["left_off"],
    )


def labels_pdf(
    store, settings, user: User, site_id: str, status: str | None, base_url: str
) -> bytes:
    """A4 pages of four tags each, oldest first; NotFound for a site the caller does not see."""
    context = site_tags(store, settings, user, site_id, status, MAX_TAGS)
    html = labels_html(context, base_url)
    # The tags load no resource but the emoji font: every other URL is refused.
    return HTML(string=html, url_fetcher=PhotoFetcher(None), base_url="genba-label:").write_pdf()
