"""The scorecard PDF, read back with pdftotext and looked at as page PNGs from pdftoppm.

The API's own scorecards first (hostile notes print as text and fetch nothing), then a rich
audit made through the API: a facility-weekly audit (the longest shipped section names) with a
critical fail, notes of 300 characters without a space, a right-to-left override and emoji,
a clock flag, returned, revised on a zone retired meanwhile, printed, then voided; then the
cache and the cap on renders at once.
"""

import hashlib
import re
import subprocess
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from litestar.testing import TestClient
from PIL import Image

import images
from conftest import CHECKLISTS, audit_body, iso_ago, login, site_supervisor, token_headers
from server.app import create_app
from server.checklists.registry import latest_versions
from server.core.settings import Settings
from server.people.users import user_id_by_name
from server.photos.files import PhotoFiles
from server.reports import scorecard
from server.reports.scorecard import (
    PhotoFetcher,
    Series,
    cache_path,
    cached_scorecard_pdf,
    page_facts,
    radar_svg,
)

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/hosts"> '
    "@import url(http://169.254.169.254/); 地面有油污"
)
LONG_ZH = "压" * 300
LONG_LATIN = "A" * 300
LONG_URL = "https://example.com/" + "folder/" * 45 + "end"
EMOJI = "灭火器过期 🔥🧯👍"
RTL_OWNER = "\u202e李海涛"  # a right-to-left override with no end: isolated, it stays in the name
RTL_ADMIN = "\u202e系统管理员"
CAP = "关键项不合格，总分封顶 59 分"
CAP_EN = "A critical item failed: the total is capped at 59"
# A4 in points, and the page's side margins (14 mm)
PAGE_W, MARGIN = 595.3, 14 / 25.4 * 72


def _pdf_text(pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _flat(text: str) -> str:
    return "".join(text.split())


def _pages(pdf: bytes, tmp_path, dpi: int = 60, page: int | None = None) -> list[Path]:
    """PNGs of the pages (or of one), from pdftoppm."""
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    only = ["-f", str(page), "-l", str(page)] if page else []
    out = tmp_path / f"page{page or ''}"
    subprocess.run(["pdftoppm", "-r", str(dpi), *only, "-png", path, out], check=True)
    return sorted(tmp_path.glob(f"{out.name}-*.png"))


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float, float, int]]:
    """(word, xMin, yMin, xMax, yMax, page) from pdftotext -bbox, in points."""
    html = _pdf_text(pdf, tmp_path, "-bbox")
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line
        )
        if found:
            x0, y0, x1, y1 = (float(v) for v in found.groups()[:4])
            words.append((found[5], x0, y0, x1, y1, page))
    return words


# --------------------------------------------------------------------------- via the API


def _app(tmp_path_factory, name: str):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp(name) / "data",
        checklists_dir=CHECKLISTS,
        demo=True,
        password_cost="test",
    )
    app = create_app(settings)
    with TestClient(app=app) as client:
        yield app, client
    app.state.store.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app for the module: the API's scorecards are of hq-workshop, the rich audit's
    of hq-bodyshop."""
    yield from _app(tmp_path_factory, "scorecards")


@pytest.fixture(scope="module")
def audit(world):
    """A 6S audit with one finding whose note is hostile, and its scorecard from the API."""
    app, client = world
    officer = token_headers(app, "officer")
    data = images.jpeg()
    sha = hashlib.sha256(data).hexdigest()
    client.put(
        f"/api/photos/{sha}", content=data, headers={**officer, "Content-Type": "image/jpeg"}
    )
    body = audit_body(client, officer, zone_id="hq-workshop", zone_kind="workshop")
    first = next(iter(body["answers"]))
    body["answers"][first] = {"value": 1, "note": HOSTILE, "photos": [sha]}
    audit_id = str(uuid.uuid4())
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
    response = client.get(f"/api/audits/{audit_id}/scorecard.pdf", headers=officer)
    view = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    return SimpleNamespace(id=audit_id, response=response, view=view)


def test_scorecard_reads_back_in_chinese_and_english(audit, tmp_path):
    response = audit.response
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path, "-layout")
    for expected in [
        "6S 区域审核",
        "6S zone audit",
        "机电维修车间",
        "王建国",
        "整理",
        "Safety",
        f"{audit.view['score']['percent']}%",
        "已提交 Submitted",
    ]:
        assert expected in text, expected
    # The one finding comes first with the anchor text of its level (1 of 4), in both
    # languages; the items that passed follow, by section.
    flat = _flat(text)
    findings, passed = flat.index("不合格项Findings"), flat.index("合格及其他项目")
    anchor = "1/4抽查单元内共4–5件不要物。Fourorfiveunneededitemsinthesample"
    assert findings < flat.index(anchor) < passed
    assert passed < flat.index("个人物品集中存放在指定位置") < flat.index("签字确认Signatures")
    assert "submitted" not in text


def test_hostile_notes_print_as_text_and_fetch_nothing(audit, tmp_path):
    flat = " ".join(_pdf_text(audit.response.content, tmp_path, "-layout").split())
    assert "file:///etc/" in flat and "169.254.169.254" in flat, "the note must print as text"
    assert "root:x:0:0" not in flat


def test_scorecards_follow_audit_visibility(world, audit):
    app, client = world
    other = login(client, "officer2")
    url = f"/api/audits/{audit.id}/scorecard.pdf"
    assert client.get(url, headers=other).status_code == 404
    east = site_supervisor(client, token_headers(app, "admin"), "east.lead")
    assert client.get(url, headers=east).status_code == 404
    boss = login(client, "supervisor")
    assert client.get(url, headers=boss).status_code == 200


def test_fetcher_serves_only_photos_and_the_emoji_font(app, tmp_path):
    files = PhotoFiles(app.state.settings.photos_dir)
    data = images.jpeg((1200, 900))
    sha = hashlib.sha256(data).hexdigest()
    files.put(sha, "image/jpeg", data, images.jpeg((320, 240)))
    fetcher = PhotoFetcher(files)
    assert fetcher.fetch(f"genba-photo:{sha}").read() == files.read(sha, "", thumb=True)
    assert fetcher.fetch(f"genba-photo-full:{sha}").read() == data
    font = scorecard.emoji_font()
    assert font and font.name == "NotoColorEmoji.ttf", "Debian's fonts-noto-color-emoji"
    assert fetcher.fetch(scorecard.FONT_URL).read()[:4] == font.read_bytes()[:4]
    refused = [
        "file:///etc/passwd",
        "http://169.254.169.254/",
        "genba-photo:../../x",
        "genba-photo:" + "a" * 64,
        "genba-photo-full:../../x",
        "genba-photo-full:" + "a" * 64,
        f"genba-photo-full:{sha}/../../../etc/passwd",
        f"genba-photo-full:{sha.upper()}",
        "data:text/plain,hi",
        font.as_uri(),
        "genba-font:../../etc/passwd",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused == refused
    with pytest.raises(ValueError):
        PhotoFetcher(None).fetch(f"genba-photo-full:{sha}")


# --------------------------------------------------------------------------- a rich audit


@pytest.fixture(scope="module")
def rich(world):
    """The rich audit printed twice (the second from the cache), then voided and printed."""
    app, client = world
    store, settings = app.state.store, app.state.settings
    officer, boss, admin = (token_headers(app, u) for u in ("officer", "supervisor", "admin"))
    photo = images.jpeg((1200, 900))
    sha = hashlib.sha256(photo).hexdigest()
    headers = {**officer, "Content-Type": "image/jpeg"}
    assert client.put(f"/api/photos/{sha}", content=photo, headers=headers).status_code == 201
    body = audit_body(
        client, officer, "hq-bodyshop", "workshop", checklist="facility-weekly", photos=[sha]
    )
    # A device clock three weeks behind: the clock flag.
    body["started_at"], body["submitted_at"] = iso_ago(days=21, hours=1), iso_ago(days=21)
    body["answers"].update(
        {
            "extinguisher-validity": {"value": "expired", "note": EMOJI, "photos": [sha]},
            "extinguisher-pressure": {"value": 0.6, "note": LONG_ZH, "photos": [sha]},
            "hydrant-cabinets": {"value": "fail", "note": LONG_LATIN, "photos": [sha]},
            "emergency-lighting-test": {"value": "fail", "note": LONG_URL},
            "detectors-sprinklers": {"value": "fail", "note": HOSTILE, "photos": [sha]},
        }
    )
    audit_id = str(uuid.uuid4())
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
    comment = {"decision": "return", "comment": "请补充说明 Please add a note"}
    assert client.post(f"/api/audits/{audit_id}/review", json=comment, headers=boss).is_success
    # The zone retires and its owner's name gets a bidi override before revision 2 arrives.
    assert client.patch("/api/zones/hq-bodyshop", json={"active": False}, headers=admin).is_success
    assert client.patch("/api/staff/s-li", json={"name": RTL_OWNER}, headers=admin).is_success
    body["base_revision"] = 1
    body["answers"]["fire-doors"]["note"] = "已补充说明 Note added"
    assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 200
    view = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    assert (view["revision"], view["status"]) == (2, "submitted")
    assert view["clock_flag"] and view["zone_flag"] and view["score"]["capped_by"]

    before = scorecard.renders
    pdf = cached_scorecard_pdf(store, settings, view)
    again = cached_scorecard_pdf(store, settings, view)
    renders = scorecard.renders - before
    path = cache_path(settings, view, page_facts(store, settings, view))

    # The admin who voids it has a right-to-left override in their name, too.
    admin_id = user_id_by_name(store, "admin")
    name = {"name": RTL_ADMIN}
    assert client.patch(f"/api/users/{admin_id}", json=name, headers=admin).is_success
    reason = {"reason": "重复录入 Entered twice"}
    assert client.post(f"/api/audits/{audit_id}/void", json=reason, headers=admin).is_success
    void_view = client.get(f"/api/audits/{audit_id}", headers=admin).json()
    void_pdf = cached_scorecard_pdf(store, settings, void_view)
    return SimpleNamespace(
        view=view,
        pdf=pdf,
        again=again,
        renders=renders,
        path=path,
        void_view=void_view,
        void_pdf=void_pdf,
        void_renders=scorecard.renders - before - renders,
        void_path=cache_path(settings, void_view, page_facts(store, settings, void_view)),
    )


def test_first_page_sums_up_the_total_band_cap_and_radar(rich, tmp_path):
    first = _pdf_text(rich.pdf, tmp_path, "-f", "1", "-l", "1")
    percent = rich.view["score"]["percent"]
    assert f"{percent}%" in first and "差 Poor" in first
    assert CAP in first and CAP_EN in first
    # Which item capped it, and why: the option chosen.
    assert "灭火器有效期" in first and "有灭火器已过期 Some already expired" in first
    # The radar's labels, the longest shipped section names, on two lines where long.
    for label in ("消防设施", "空调与电气", "车间与", "办公设备", "深度清洁与", "虫害防治"):
        assert first.count(label) >= 2, label  # in the radar and the section table
    # Nothing strays into the right margin on any page: long notes wrap inside their cells.
    pages = _pages(rich.pdf, tmp_path)
    for png in pages:
        image = Image.open(png).convert("L")
        edge = round((PAGE_W - MARGIN + 1) / PAGE_W * image.width)
        strip = image.crop((edge, 0, image.width, image.height))
        assert strip.getextrema()[0] > 200, f"ink in the right margin of {png.name}"


def test_long_unbroken_notes_wrap_inside_their_cells(rich, tmp_path):
    flat = _flat(_pdf_text(rich.pdf, tmp_path))
    for note in (LONG_ZH, LONG_LATIN, LONG_URL):
        assert note in flat
    for word, _, _, x_max, _, _ in _words(rich.pdf, tmp_path):
        assert x_max <= PAGE_W - MARGIN + 1, word[:40]


def test_statuses_reviews_flags_and_names_in_chinese_with_english(rich, tmp_path):
    text = _pdf_text(rich.pdf, tmp_path, "-layout")
    flat = _flat(text)
    assert "已提交Submitted第2版" in flat
    # Only the current review, about revision 1, in both languages.
    assert "审核意见Review：退回Return" in flat and "针对第1版Onrevision1" in flat
    assert "请补充说明Pleaseaddanote" in flat
    assert "时间存疑Clockflag：devicetime" in flat and "morethan14days" in flat
    assert "区域已停用Zoneflag：zonehq-bodyshopwasretired" in flat
    for raw in ("submitted", "returned", "approved", "approve", "return", "void"):
        assert not re.search(rf"(?<![\w-]){raw}(?![\w-])", text), raw
    # The owner's right-to-left override reorders only the owner's name.
    assert "Li Haitao" in text and "oatiaH" not in text
    assert "涛海李" in text


def test_findings_come_first_with_their_photos_and_signatures_end(rich, tmp_path):
    text = _pdf_text(rich.pdf, tmp_path)
    flat = _flat(text)
    findings, passed = flat.index("不合格项Findings（5）"), flat.index("合格及其他项目")
    for label in ("灭火器有效期", "抽查灭火器压力表读数", "消火栓箱内水带", "应急照明测试"):
        assert findings < flat.index(label, findings) < passed, label
    assert "0.6MPa" in flat and "合格范围Accepted：1–1.4MPa" in flat
    assert passed < flat.index("配电箱") < flat.index("签字确认Signatures")
    last = [page for page in text.split("\f") if page.strip()][-1].split("签字确认")[-1]
    for line in ("审核员 Auditor", "责任人 Zone owner", "主管 Supervisor", "何敏 He Min"):
        assert line in last, line
    assert last.count("日期 Date") == 3
    # Findings show each photo's 320-pixel thumbnail (about 150 dpi in its 55 mm box), embedded
    # as it is: shrinking full photos took half a second of every render (bench/pdf.py).
    path = tmp_path / "rich.pdf"
    path.write_bytes(rich.pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert max(int(line.split()[3]) for line in listing) == 320


def test_emoji_print_in_colour_and_digits_stay_plain(rich, tmp_path):
    path = tmp_path / "rich.pdf"
    path.write_bytes(rich.pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Emoji" in fonts
    assert "🔥🧯👍" in _pdf_text(rich.pdf, tmp_path)
    words = _words(rich.pdf, tmp_path)
    dpi = 100
    fire = next(w for w in words if "🔥" in w[0])
    (png,) = _pages(rich.pdf, tmp_path, dpi, fire[5])
    # The bitmap font reports a flat box: take the line the emoji stand on.
    x0, _, x1, y1 = fire[1:5]
    box = tuple(round(v * dpi / 72) for v in (x0, y1 - 12, x1, y1 + 2))
    saturation = Image.open(png).convert("HSV").crop(box).getextrema()[1]
    assert saturation[1] > 150, "the emoji print in colour"
    # The total's digits come from Noto Sans CJK, not the emoji font's wide keycap digits.
    total = next(w for w in words if w[0] == f"{rich.view['score']['percent']}%")
    height = total[4] - total[2]
    assert (total[3] - total[1]) / len(total[0]) < 0.7 * height


def test_a_void_audit_says_so_with_its_reason(rich, tmp_path):
    first = _flat(_pdf_text(rich.void_pdf, tmp_path, "-f", "1", "-l", "1"))
    assert "已作废VOID" in first and "原因Reason：重复录入Enteredtwice" in first
    assert "已作废Void第2版" in first
    # Who voided it and when: the override in the name reorders the name, not the time.
    at = scorecard.local_time(rich.void_view["void"]["at"])
    assert _flat(f"作废人 Voided by 员理管统系 · {at}") in first
    pages = [page for page in _pdf_text(rich.void_pdf, tmp_path).split("\f") if page.strip()]
    assert len(pages) > 1 and all("已作废 VOID" in page for page in pages)


def test_rendered_once_per_revision_and_state(rich, world):
    app, _ = world
    assert rich.renders == 1 and rich.again == rich.pdf
    view = rich.view
    assert rich.path.parent == app.state.settings.data_dir / "cache" / "scorecards"
    assert rich.path.name.startswith(f"{view['id']}-2-") and rich.path.suffix == ".pdf"
    # Voiding changed the page without a new revision: a new file; the old one is gone.
    assert rich.void_renders == 1 and rich.void_path != rich.path
    assert rich.void_path.read_bytes() == rich.void_pdf and not rich.path.exists()
    assert list(rich.path.parent.glob(".*.tmp")) == []


def test_the_cache_key_covers_what_changes_without_a_revision(rich, world, monkeypatch):
    app, _ = world
    store, settings = app.state.store, app.state.settings
    view = rich.void_view
    facts = page_facts(store, settings, view)
    name = cache_path(settings, view, facts).name
    changed = [
        {**view, "status": "approved", "void": None},
        {**view, "review": {**view["review"], "decision": "approve"}},
        {**view, "review": None},
        {**view, "void": {**view["void"], "reason": "other"}},
        {**view, "missing_photos": ["a" * 64]},
    ]
    for other in changed:
        assert cache_path(settings, other, facts).name != name
    owners = [{**facts["owners"][0], "name": "张丽"}]
    assert cache_path(settings, view, {**facts, "owners": owners}).name != name
    # The template's own file is part of the key.
    real = scorecard._file_hash
    template = scorecard.TEMPLATES / scorecard.TEMPLATE
    monkeypatch.setattr(
        scorecard, "_file_hash", lambda path: "edited" if path == template else real(path)
    )
    assert cache_path(settings, view, facts).name != name
    assert cache_path(settings, view, facts).name.startswith(f"{view['id']}-2-")
    with pytest.raises(ValueError):
        cache_path(settings, {**view, "id": "../../etc/passwd"}, facts)


def test_at_most_two_render_at_once(rich, world, monkeypatch):
    app, _ = world
    store, settings = app.state.store, app.state.settings
    assert isinstance(scorecard.RENDERS, type(threading.BoundedSemaphore()))
    assert scorecard.RENDERS._value == 2
    waiting = threading.Event()

    class Watched(threading.BoundedSemaphore):
        def acquire(self, blocking=True, timeout=None):
            if super().acquire(blocking=False):
                return True
            waiting.set()  # full: this caller waits for a render to finish
            return super().acquire(blocking, timeout)

        __enter__ = acquire

    inside: list[str] = []
    started = {}
    finish = {}

    def fake_render(view, checklist, facts, files):
        inside.append(view["id"])
        started[view["id"]].set()
        assert finish[view["id"]].wait(10)
        inside.remove(view["id"])
        return b"%PDF-1.7 fake\n%%EOF\n"

    monkeypatch.setattr(scorecard, "RENDERS", Watched(2))
    monkeypatch.setattr(scorecard, "render", fake_render)
    views = [{**rich.view, "id": str(uuid.uuid4())} for _ in range(3)]
    for view in views:
        started[view["id"]], finish[view["id"]] = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=cached_scorecard_pdf, args=(store, settings, view))
        for view in views
    ]
    first, second, third = (v["id"] for v in views)
    threads[0].start()
    threads[1].start()
    assert started[first].wait(10) and started[second].wait(10)
    threads[2].start()
    assert waiting.wait(10), "the third render must wait"
    assert inside == [first, second] or inside == [second, first]
    assert not started[third].is_set()
    finish[first].set()
    assert started[third].wait(10), "and start when one finishes"
    assert len(inside) <= 2
    finish[second].set()
    finish[third].set()
    for thread in threads:
        thread.join(10)
    assert inside == []


# --------------------------------------------------------------------------- the radar


def _longest_section_titles(store, count: int) -> list[str]:
    titles = {s.title.zh for checklist in latest_versions(store) for s in checklist.sections}
    return sorted(titles, key=lambda t: (-scorecard.text_width(t, 1), t))[:count]


def test_radar_labels_fit_inside_the_chart(world, tmp_path):
    """Radars of 3 to 8 of the longest shipped section names, each on a page of its own
    size: nothing touches a page's edge, so no label is cut off."""
    from weasyprint import HTML

    counts = [3, 4, 5, 6, 8]
    pages, charts = [], []
    for count in counts:
        titles = _longest_section_titles(world[0].state.store, count)
        svg = radar_svg(titles, [Series([100] * count, "#1f5fa8")], ["100.0"] * count, 72, 62)
        width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)mm"', svg))
        assert width <= 72.01 and height <= 62.01
        pages.append(f"@page r{count} {{ size: {width}mm {height}mm; margin: 0 }}")
        pages.append(f".r{count} {{ page: r{count}; break-before: page }}")
        charts.append(f'<div class="r{count}">{svg}</div>')
        assert len(titles) == count
    style = "body { margin: 0 } svg { display: block }" + " ".join(pages)
    html = f"<style>{style}</style>{''.join(charts)}"
    pdf = HTML(string=html, url_fetcher=PhotoFetcher(None)).write_pdf()
    texts = [t for t in _pdf_text(pdf, tmp_path).split("\f") if t.strip()]
    assert len(texts) == len(counts)
    for count, text in zip(counts, texts, strict=True):
        for title in _longest_section_titles(world[0].state.store, count):
            assert _flat(title) in _flat(text), title
    for png in _pages(pdf, tmp_path, 200):
        image = Image.open(png).convert("L")
        w, h = image.size
        for strip in ((0, 0, w, 2), (0, h - 2, w, h), (0, 0, 2, h), (w - 2, 0, w, h)):
            assert image.crop(strip).getextrema()[0] > 240, (png.name, strip)


def test_fewer_than_three_sections_make_no_radar():
    assert radar_svg(["整理", "整顿"], [Series([50, 60], "#000")]) == ""
