"""QR zone labels: print them, read every QR code back off the page images, read the text back.

Real parts only: WeasyPrint writes the PDF, Debian's pdftoppm / pdftotext / pdfimages read it,
zxing-cpp decodes the codes, and a local HTTP server counts whether anything tried to fetch.
"""

import http.server
import re
import subprocess
import threading
from collections import Counter

import pytest
import zxingcpp
from PIL import Image

from server.reports import labels as sheet
from server.reports.labels import Label, labels_pdf

DPI = 200
SITE, SITE_EN = "鸿达汽车4S店", "Hongda Motors 4S dealership"
KINDS = {
    "workshop": ("维修车间", "Workshop"),
    "warehouse": ("仓库", "Warehouse"),
    "showroom": ("展厅", "Showroom"),
    "office": ("办公区", "Office"),
    "lounge": ("休息区", "Lounge"),
}
ZONES = [
    # id, name, English name, kind, owner
    ("hq-workshop", "机电维修车间", "Mechanical workshop", "workshop", "王建国"),
    ("hq-bodyshop", "钣喷车间", "Body and paint shop", "workshop", "李海涛"),
    ("hq-parts", "配件仓库", "Parts warehouse", "warehouse", "张丽"),
    ("hq-showroom", "展厅", "Showroom", "showroom", "陈晓敏"),
    ("hq-office", "办公区", "Office", "office", "刘芳"),
    ("hq-lounge", "客户休息区", "Customer lounge", "lounge", "赵静"),
    ("hq-tyres", "轮胎存放区", "Tyre store", "warehouse", "周强、孙伟"),
    ("hq-wash", "洗车区", None, "workshop", ""),
    ("east-workshop", "快修车间", "Quick-service workshop", "workshop", "孙伟"),
    ("east-store", "配件库房", "Parts store", "warehouse", "周强"),
    ("east-lounge", "客户等候区", "Waiting area", "lounge", "何敏"),
]


def zone_label(zone_id, name, name_en, kind, owner) -> Label:
    url = f"https://genba.local/#/zone/{zone_id}"
    return Label(zone_id, name, name_en, *KINDS[kind], owner, url)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _print(labels: list[Label], folder) -> dict:
    """Render the labels, then read the PDF back: page images, text, words with their boxes."""
    pdf = folder / "labels.pdf"
    pdf.write_bytes(labels_pdf(SITE, SITE_EN, labels))
    _run("pdftoppm", "-r", str(DPI), "-png", str(pdf), str(folder / "page"))
    return {
        "pdf": pdf,
        "pages": sorted(folder.glob("page-*.png")),
        "text": _run("pdftotext", "-raw", str(pdf), "-"),
        "words": _words(_run("pdftotext", "-bbox", str(pdf), "-")),
        "images": _run("pdfimages", "-list", str(pdf)).splitlines()[2:],
    }


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">')


def _words(bbox_html: str) -> list[list[tuple[float, float, float, float]]]:
    """Per page, each word's box in mm (x0, y0, x1, y1)."""
    pages = bbox_html.split("<page ")[1:]
    mm = 25.4 / 72
    return [[tuple(float(v) * mm for v in m) for m in WORD.findall(page)] for page in pages]


def _decode(png) -> list:
    return zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    return _print([zone_label(*z) for z in ZONES], tmp_path_factory.mktemp("labels"))


@pytest.fixture(scope="module")
def bait():
    """A local HTTP server that records every request: nothing in the labels may reach it."""
    hits: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


LONG_ZH = "机电维修车间钣喷车间配件仓库" * 8 + "展厅办公区客户休"  # 120 characters, no spaces
LONG_EN = "Mechanicalworkshop" * 6 + "Bodyandpaint"  # 120 letters, no spaces


@pytest.fixture(scope="module")
def odd(tmp_path_factory, bait):
    """One sheet of awkward labels: hostile markup, bidi overrides, names far too long."""
    url, _ = bait
    hostile = (
        f'<img src="file:///etc/passwd"><img src="{url}/img"> '
        f"<style>@import url({url}/css);</style> @import url(http://169.254.169.254/);"
    )
    zone = "https://genba.local/#/zone/"
    labels = [
        Label("long-zh", LONG_ZH, LONG_EN, "维修车间", "Workshop", "王建国" * 40, zone + "long-zh"),
        Label(
            "hostile",
            hostile,
            f'<link rel="stylesheet" href="{url}/link">',
            "办公区",
            "Office",
            f"<object data='{url}/object'></object>",
            zone + "hostile",
        ),
        Label(
            "bidi",
            "\u202e展厅\u202d",
            "\u202eHall",
            "\u202e展厅",
            "Showroom",
            "\u202e王建国 Wang",
            zone + "bidi",
        ),
        Label("long-en", LONG_EN, None, "仓库", "Warehouse", "", zone + "x" * 60),
    ]
    return _print(labels, tmp_path_factory.mktemp("odd"))


def test_every_qr_code_decodes_to_its_zone_url(printed):
    codes = [_decode(png) for png in printed["pages"]]
    assert [len(page) for page in codes] == [8, 3], "8 labels a page, 11 labels: two pages"
    decoded = Counter(code.text for page in codes for code in page)
    assert decoded == Counter(f"https://genba.local/#/zone/{z[0]}" for z in ZONES)
    for code in (code for page in codes for code in page):
        assert code.ec_level in {"M", "Q", "H"}
        side = code.position.top_right.x - code.position.top_left.x
        assert side / DPI * 25.4 >= 39, "big enough to scan from arm's length"


def test_labels_come_in_the_order_given(printed):
    # The label order is reading order: left to right, then down, page by page.
    def reading_order(code):
        corner = code.position.top_left
        return int((corner.y / DPI * 25.4 - sheet.MARGIN_Y) // sheet.LABEL_H), corner.x

    order = [
        code.text.rsplit("/", 1)[1]
        for png in printed["pages"]
        for code in sorted(_decode(png), key=reading_order)
    ]
    assert order == [z[0] for z in ZONES]


def test_text_reads_back_in_chinese_and_english(printed):
    text = printed["text"]
    flat = " ".join(text.split())
    squeezed = "".join(text.split())  # lines may wrap anywhere in Chinese
    for zone_id, name, name_en, kind, owner in ZONES:
        assert name in text
        assert name_en is None or name_en in flat
        assert f"{KINDS[kind][0]} {KINDS[kind][1]}" in flat
        assert f"责任人Owner：{owner or '—'}" in squeezed
        assert zone_id in text and f"https://genba.local/#/zone/{zone_id}" in text
    assert SITE in text and SITE_EN in flat
    assert "第 1 / 2 页" in text and "第 2 / 2 页" in text
    assert printed["images"] == [], "QR codes are vector drawings, no images"


def test_hostile_names_print_as_text_and_fetch_nothing(odd, bait):
    _, hits = bait
    flat = " ".join(odd["text"].split())
    squeezed = "".join(odd["text"].split())
    for markup in ['<img src="file:///etc/passwd">', "@import url(http://169.254.169.254/);"]:
        assert "".join(markup.split()) in squeezed
    assert "<link" in flat and "<object" in flat and "<style>" in flat
    assert "root:x:0:0" not in flat
    assert odd["images"] == [], "no image was embedded"
    assert hits == [], "the renderer fetched something"


def test_bidi_overrides_stay_inside_their_name(odd):
    flat = " ".join(odd["text"].split())
    assert "llaH" in flat, "the override does reverse its own name"
    # ...and only that: the words after it and around it read as written.
    assert "Showroom" in flat and "moorwohS" not in flat
    assert "责任人 Owner：" in flat
    assert f"{SITE} {SITE_EN}" in flat


def test_long_names_wrap_inside_their_label(odd):
    assert len(odd["pages"]) == 1
    squeezed = "".join(odd["text"].split())
    assert LONG_ZH in squeezed and LONG_EN in squeezed and "王建国" * 40 in squeezed
    assert "https://genba.local/#/zone/" + "x" * 60 in squeezed
    _assert_words_inside_labels(odd["words"][0])
    # ...and no text ran over a QR code: all four still decode.
    decoded = {code.text.rsplit("/", 1)[1] for code in _decode(odd["pages"][0])}
    assert decoded == {"long-zh", "hostile", "bidi", "x" * 60}


def test_no_text_leaves_its_label(printed):
    for words in printed["words"]:
        _assert_words_inside_labels(words)


def _assert_words_inside_labels(words):
    top, bottom = sheet.MARGIN_Y, sheet.MARGIN_Y + sheet.ROWS * sheet.LABEL_H
    for x0, y0, x1, y1 in words:
        if y1 < top or y0 > bottom:
            continue  # the running header and footer
        column = int((x0 - sheet.MARGIN_X) // sheet.LABEL_W)
        row = int((y0 - top) // sheet.LABEL_H)
        left = sheet.MARGIN_X + column * sheet.LABEL_W
        upper = top + row * sheet.LABEL_H
        assert 0 <= column < sheet.COLUMNS and 0 <= row < sheet.ROWS
        assert left <= x0 and x1 <= left + sheet.LABEL_W, (x0, x1, "overflows to the side")
        assert upper <= y0 and y1 <= upper + sheet.LABEL_H, (y0, y1, "overflows downwards")


def test_no_zones_still_prints_a_page(tmp_path):
    pdf = tmp_path / "empty.pdf"
    pdf.write_bytes(labels_pdf(SITE, None, []))
    assert "No zones" in _run("pdftotext", str(pdf), "-")
