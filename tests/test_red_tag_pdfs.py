"""The red-tag PDFs of a site: the register (红牌登记表, A4 landscape) and the printable tags
(four per A4 page, each with a QR code opening it). Tags are made through the API as a tablet
makes them; the PDFs are read back with pdftotext, rendered with pdftoppm and their QR codes
decoded with zxing-cpp, as the zone labels' tests do."""

from __future__ import annotations

import html
import re
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from conftest import site_supervisor, upload_photo
from images import jpeg
from server.reports import red_tag_labels as sheet

PUBLIC = "https://genba.hongda.lan"
MM = 72 / 25.4  # PDF points per mm
LONG = "x" * 300  # one unbroken run: it must wrap inside its cell
HOSTILE_ITEM = '<img src="file:///etc/passwd">'
HOSTILE_REASON = "<script>alert(1)</script> \u202eHall"


def upload(client, headers, data: bytes) -> str:
    return upload_photo(client, headers, data)


def tag(client, headers, photo: str, zone: str, item: str, days: float, **fields) -> dict:
    """A tag as a tablet sends it, tagged `days` ago; the server's answer."""
    body = {
        "zone_id": zone,
        "item": item,
        "qty": 4,
        "reason": "不再使用",
        "photos": [photo],
        "tagged_at": (datetime.now(UTC) - timedelta(days=days)).isoformat(),
        "proposed": "discard",
        **fields,
    }
    response = client.put(f"/api/red-tags/{uuid.uuid4()}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def tags(client, officer) -> dict:
    """Head-office tags: one past the 7-day limit, a hostile one, a long one, a closed one;
    and one at the east station."""
    photo = upload(client, officer, jpeg((160, 120)))
    now = datetime.now(UTC).isoformat()
    return {
        "old": tag(client, officer, photo, "hq-workshop", "旧轮胎", 12, qty=6),
        "hostile": tag(client, officer, photo, "hq-parts", HOSTILE_ITEM, 3, reason=HOSTILE_REASON),
        "long": tag(client, officer, photo, "hq-office", "长条", 2, reason=LONG, proposed="sell"),
        "closed": tag(
            client,
            officer,
            photo,
            "hq-bodyshop",
            "废旧喷枪",
            5,
            status="closed",
            disposition="repair",
            closed_at=now,
        ),
        "east": tag(client, officer, photo, "east-store", "东站旧货架", 1),
    }


def run(*args: str, data: bytes | None = None) -> str:
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode()


def text_of(pdf: bytes) -> str:
    return run("pdftotext", "-", "-", data=pdf)


def squeeze(text: str) -> str:
    return "".join(text.split())


def pages_of(pdf: bytes) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", "-", data=pdf)).group(1))


def words(pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Every word's box in mm from the page's top left, page by page."""
    out = run("pdftotext", "-bbox", "-", "-", data=pdf)
    found = []
    for page in out.split("<page ")[1:]:
        found.append(
            [
                (*(float(v) / MM for v in box), html.unescape(word))
                for *box, word in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"(.*?)</word>",
                    page,
                )
            ]
        )
    return found


def rows(pdf: bytes) -> dict[str, list[str]]:
    """The register's words row by row, keyed by tag number: a row runs from its number down
    to the next one (pdftotext alone reads a table column by column)."""
    found: dict[str, list[str]] = {}
    for page in words(pdf):
        starts = sorted((y0, w) for x0, y0, _, _, w in page if re.fullmatch(r"RT-\d{4}", w))
        for n, (top, label) in enumerate(starts):
            bottom = starts[n + 1][0] if n + 1 < len(starts) else 210 - 12
            found[label] = [w for _, y0, _, _, w in page if top - 1 <= y0 < bottom - 1]
    return found


def cells(pdf: bytes) -> dict[str, list[str]]:
    """The printed tags' words, tag by tag, keyed by tag number (by where each word sits)."""
    found: dict[str, list[str]] = {}
    for page in words(pdf):
        grid: dict[tuple[int, int], list[str]] = {}
        for x0, y0, _, _, word in page:
            column = int((x0 - sheet.MARGIN_X) // sheet.TAG_W)
            row = int((y0 - sheet.MARGIN_Y) // sheet.TAG_H)
            if y0 > sheet.MARGIN_Y and row < 2:
                grid.setdefault((row, column), []).append(word)
        for cell in grid.values():
            found[next(w for w in cell if re.fullmatch(r"RT-\d{4}", w))] = cell
    return found


def qr_codes(pdf: bytes, tmp_path) -> list[list]:
    """The QR codes on each page, rendered at 150 dpi."""
    path = tmp_path / "tags.pdf"
    path.write_bytes(pdf)
    run("pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page"))
    return [
        zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
        for png in sorted(tmp_path.glob("page-*.png"))
    ]


def _day(tags) -> str:
    """The sites' date the closed tag was closed (Asia/Shanghai)."""
    closed = datetime.fromisoformat(tags["closed"]["closed_at"])
    return closed.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()


def get_pdf(client, headers, path: str) -> bytes:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


# --------------------------------------------------------------------------- the register


def test_the_register_lists_the_sites_tags_with_numbers_ages_and_names(client, supervisor, tags):
    pdf = get_pdf(client, supervisor, "/api/sites/hq/red-tags.pdf")
    text = text_of(pdf)
    flat = squeeze(text)
    assert pages_of(pdf) == 1
    assert "红牌登记表" in text and "Red-tag register" in text and "鸿达汽车4S店" in text
    hq = [t for key, t in tags.items() if key != "east"]
    assert [t["tag_label"] for t in hq] == ["RT-0001", "RT-0002", "RT-0003", "RT-0004"]
    assert tags["east"]["tag_label"] == "RT-0001", "numbered per site"
    assert "东站旧货架" not in text, "another site's tag"
    # Oldest first, each with its zone, item, quantity, proposal, age and status as the API
    # has them: the 12-day-old tag is over the limit and marked so.
    assert re.findall(r"RT-\d{4}", text) == ["RT-0001", "RT-0004", "RT-0002", "RT-0003"]
    old = tags["old"]
    assert old["over_limit"] and old["age_days"] == 12 and old["age_limit_days"] == 7
    by_row = rows(pdf)
    first = by_row["RT-0001"]
    for word in ("机电维修车间", "旧轮胎", "6", "不再使用", "报废", "12", "超期", "未处理", "Open"):
        assert word in first, (word, first)
    assert sum("超期" in w for row in by_row.values() for w in row) == 1
    for t in hq:
        assert str(t["age_days"]) in by_row[t["tag_label"]], t["tag_label"]
    assert "共4张tags·未处理Open3·超过7天未处理Overthe7-daylimit1" in flat
    # The closed tag: its disposition and the day it was closed.
    closed = by_row["RT-0004"]
    for word in ("废旧喷枪", "已关闭", "Closed", "维修", "Repair", _day(tags)):
        assert word in closed, (word, closed)
    # One thumbnail per tag: the photo embedded, nothing else.
    listing = run("pdfimages", "-list", "-", data=pdf).splitlines()[2:]
    assert len(listing) == 4


def test_the_register_filters_by_status(client, officer, tags):
    open_ = text_of(get_pdf(client, officer, "/api/sites/hq/red-tags.pdf?status=open"))
    assert re.findall(r"RT-\d{4}", open_) == ["RT-0001", "RT-0002", "RT-0003"]
    assert "未处理 Open tags" in open_
    closed = text_of(get_pdf(client, officer, "/api/sites/hq/red-tags.pdf?status=closed"))
    assert re.findall(r"RT-\d{4}", closed) == ["RT-0004"] and "废旧喷枪" in closed
    bad = client.get("/api/sites/hq/red-tags.pdf?status=lost", headers=officer)
    assert bad.status_code == 400


def test_hostile_text_prints_as_text_inside_its_cells(client, supervisor, tags):
    pdf = get_pdf(client, supervisor, "/api/sites/hq/red-tags.pdf")
    text = text_of(pdf)
    flat = squeeze(text)
    assert squeeze(HOSTILE_ITEM) in flat and "<script>alert(1)</script>" in flat
    assert "root:x:0:0" not in text
    # The override reverses its own reason and nothing after it.
    assert "llaH" in text and "Hall" not in text
    assert "变卖Sell" in flat and "Parts warehouse" in text
    assert LONG in flat, "the unbroken run is printed whole"
    # It wraps: no word past the right margin (297 - 10 mm), none wider than its column.
    for page in words(pdf):
        for x0, _, x1, _, word in page:
            assert x1 <= 297 - 9.5, (word, x1)
            if set(word) == {"x"}:
                assert x1 - x0 < 75, "wrapped inside the reason column"


def test_an_empty_register_still_prints_a_page(client, supervisor):
    pdf = get_pdf(client, supervisor, "/api/sites/east/red-tags.pdf")
    assert pages_of(pdf) == 1 and "没有红牌 No red tags" in text_of(pdf)


# --------------------------------------------------------------------------- the tags


def test_printed_tags_carry_their_number_and_a_qr_code_opening_them(
    client, app, supervisor, tags, tmp_path
):
    app.state.settings.public_url = PUBLIC
    tag(client, supervisor, tags["old"]["photos"][0], "hq-lounge", "多余的椅子", 1)
    tag(client, supervisor, tags["old"]["photos"][0], "hq-showroom", "旧海报", 0.5)
    pdf = get_pdf(client, supervisor, "/api/sites/hq/red-tags/labels.pdf?status=open")
    listed = client.get("/api/red-tags?site_id=hq&status=open", headers=supervisor).json()
    ids = [t["id"] for t in listed["red_tags"]]
    assert len(ids) == 5
    codes = qr_codes(pdf, tmp_path)
    assert [len(page) for page in codes] == [4, 1], "four tags a page"
    decoded = [code.text for page in codes for code in page]
    assert sorted(decoded) == sorted(f"{PUBLIC}/#/red-tag/{i}" for i in ids)
    for code in (code for page in codes for code in page):
        side = code.position.top_right.x - code.position.top_left.x
        assert side / 150 * 25.4 >= 24, "big enough to scan"
    printed = cells(pdf)
    assert sorted(printed) == sorted(t["tag_label"] for t in listed["red_tags"])
    assert "RT-0004" not in printed, "the closed tag is not printed with status=open"
    old = printed["RT-0001"]
    for word in ("机电维修车间", "旧轮胎", "6", "不再使用", "报废", "Discard", "处置期限", "何敏"):
        assert word in old, (word, old)
    assert "责任人确认" in old and "处置人" in old and "处置日期" in old
    deadline = datetime.fromisoformat(tags["old"]["tagged_at"]) + timedelta(days=7)
    assert deadline.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat() in old
    hostile = "".join(printed["RT-0002"])
    assert squeeze(HOSTILE_ITEM) in hostile and "llaH" in hostile


def test_each_tags_text_stays_inside_its_tag(client, supervisor, tags):
    pdf = get_pdf(client, supervisor, "/api/sites/hq/red-tags/labels.pdf")
    assert pages_of(pdf) == 1
    top, left = sheet.MARGIN_Y, sheet.MARGIN_X
    for x0, y0, x1, y1, word in words(pdf)[0]:
        if y1 < top or y0 > top + 2 * sheet.TAG_H:
            continue  # the running header and footer
        column, row = int((x0 - left) // sheet.TAG_W), int((y0 - top) // sheet.TAG_H)
        assert 0 <= column < 2 and 0 <= row < 2, word
        assert x1 <= left + (column + 1) * sheet.TAG_W, (word, "overflows to the side")
        assert y1 <= top + (row + 1) * sheet.TAG_H, (word, "overflows downwards")
    # The long reason is cut to what the tag holds, with an ellipsis.
    flat = squeeze(text_of(pdf))
    assert LONG not in flat and "xxxx…" in flat


def test_without_a_public_url_tags_use_the_address_asked(client, officer, tags, tmp_path):
    pdf = get_pdf(client, officer, "/api/sites/hq/red-tags/labels.pdf?status=closed")
    (code,) = [code for page in qr_codes(pdf, tmp_path) for code in page]
    assert code.text == f"http://testserver.local/#/red-tag/{tags['closed']['id']}"
    assert "已关闭 Closed" in text_of(pdf)


# --------------------------------------------------------------------------- access


def test_a_site_you_cannot_see_is_not_found(client, admin, officer, tags):
    east = site_supervisor(client, admin, "rt.east", "east")
    for path in ("/api/sites/hq/red-tags.pdf", "/api/sites/hq/red-tags/labels.pdf"):
        assert client.get(path, headers=east).status_code == 404
        assert client.get(path.replace("hq", "mars"), headers=officer).status_code == 404
        assert client.get(path).status_code == 401
    own = text_of(get_pdf(client, east, "/api/sites/east/red-tags.pdf"))
    assert "东站旧货架" in own and "旧轮胎" not in own
