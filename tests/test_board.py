"""The zone board (看板) on the demo with audits: one A4 page per zone and month, read back
with pdftotext and held to what the supervisor reports' API says; looked at as a PNG."""

import subprocess
from types import SimpleNamespace

import pytest
from PIL import Image

from conftest import site_supervisor, token_headers
from server.checklists.format import Text
from server.core.errors import Invalid, NotFound
from server.people.users import get_user, user_id_by_name
from server.photos.files import PhotoFiles
from server.reports.board import (
    MAX_ACTIONS,
    MAX_TAGS,
    board_context,
    months_up_to,
    owners_day,
    render_board,
)
from server.reports.board import zone_board_pdf as board_pdf

COUNTED = ("submitted", "approved")


def _user(app, username: str):
    store = app.state.store
    return get_user(store, user_id_by_name(store, username))


def _text(pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _box(pdf: bytes, tmp_path, left: float, top: float, width: float, height: float) -> str:
    """The text inside a box of the page, given in mm from its top left corner."""
    pt = [str(round(v / 25.4 * 72)) for v in (left, top, width, height)]
    return _text(pdf, tmp_path, "-x", pt[0], "-y", pt[1], "-W", pt[2], "-H", pt[3])


# The four boxes under the header: 11 mm margin, 10 + 31 + 3 mm down, 44.5 mm wide, 3 apart.
STATS = [(11 + i * 47.5, 44, 44.5, 24) for i in range(4)]
# The bottom band: the zone's actions to do (left, 124 mm) and its open red tags (right, 60 mm),
# under the stats (24), the charts (60) and the findings (100), 3 mm apart.
RECORDS_TOP = 10 + 31 + 3 + 24 + 3 + 60 + 3 + 100 + 3
ACTIONS_BOX = (11, RECORDS_TOP, 124, 49)
TAGS_BOX = (199 - 60, RECORDS_TOP, 60, 49)


def _flat(text: str) -> str:
    return "".join(text.split())


def _pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(info.split("Pages:")[1].split()[0])


def _png(pdf: bytes, tmp_path, dpi: int = 60) -> Image.Image:
    path = tmp_path / "board.pdf"
    path.write_bytes(pdf)
    root = path.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", path, root], check=True)
    return Image.open(root.with_suffix(".png")).convert("L")


@pytest.fixture(scope="module")
def demo(demo_app):
    """The month of the demo's latest counted audits, the API's zone rows for it at the head
    office, and two rival workshops: the month's best (流动红旗) and another."""
    app, client = demo_app
    headers = token_headers(app, "supervisor")
    month = (
        app.state.store.read()
        .execute(
            f"select max(month) from audits where checklist_id = '6s-zone' and status in {COUNTED}"
        )
        .fetchone()[0]
    )
    report = client.get(
        f"/api/reports/zones?from={month}&to={month}&site_id=hq", headers=headers
    ).json()
    rows = {r["zone_id"]: r for r in report["rows"]}
    workshops = sorted(
        (r for r in rows.values() if r["kind"] == "workshop"), key=lambda r: r["rank"]
    )
    assert workshops[0]["red_flag"] and not workshops[-1]["red_flag"]
    findings = client.get(f"/api/reports/findings?month={month}&site_id=hq", headers=headers).json()
    return SimpleNamespace(
        app=app,
        client=client,
        headers=headers,
        month=month,
        rows=rows,
        best=workshops[0]["zone_id"],
        other=workshops[-1]["zone_id"],
        findings=findings["findings"],
        user=_user(app, "supervisor"),
    )


def _board(demo, zone_id: str, month: str | None = None) -> bytes:
    store, settings = demo.app.state.store, demo.app.state.settings
    return board_pdf(store, settings, demo.user, zone_id, month or demo.month)


@pytest.fixture(scope="module")
def best(demo):
    """The board of the month's best workshop."""
    return _board(demo, demo.best)


def test_the_board_shows_the_zone_its_mean_rank_findings_and_audits(demo, best, tmp_path):
    row = demo.rows[demo.best]
    text = _text(best, tmp_path)
    flat = _flat(text)
    assert _pages(best, tmp_path) == 1
    assert row["zone"] in text and "维修车间 Workshop" in text and "鸿达汽车4S店" in text
    assert "区域看板Zoneboard·6S区域审核6Szoneaudit" in flat
    # The month's mean as GET /api/reports/zones has it, and the rank among the site's
    # workshops with the red flag (流动红旗) of the best.
    mean, _, rank, audits = (_flat(_box(best, tmp_path, *box)) for box in STATS)
    assert mean.startswith(f"本月均分Monthmean{row['mean']:.1f}"), mean
    assert rank == f"排名Rank·本店维修车间第{row['rank']}/{row['ranked']}名流动红旗Redflag"
    assert row["rank"] == 1 and row["red_flag"]
    assert audits == f"本月审核Auditscounted{row['audits']}次"
    # The zone's most failed items that month, with their counts out of its audits.
    mine = [(z["fails"], f) for f in demo.findings for z in f["zones"] if z["zone_id"] == demo.best]
    mine.sort(key=lambda pair: -pair[0])
    assert mine, "the demo's zones have findings every month"
    for fails, finding in mine[:5]:
        assert _flat(finding["label"]["zh"]) in flat, finding["item_id"]
        assert f"{fails}/{row['audits']}次不合格" in flat
    if len(mine) > 5:
        assert f"另有{len(mine) - 5}项不合格" in flat
    # Each audit of the month: its date, officer, percent and status in both languages.
    audits = demo.client.get(
        f"/api/audits?zone_id={demo.best}&month={demo.month}&checklist_id=6s-zone",
        headers=demo.headers,
    ).json()["audits"]
    listed = [a for a in audits if a["status"] in (*COUNTED, "returned")]
    assert len([a for a in listed if a["status"] in COUNTED]) == row["audits"]
    status = {"submitted": "已提交", "approved": "已批准", "returned": "已退回"}
    db = demo.app.state.store.read()
    for audit in listed[:8]:
        officer = db.execute("select name from users where id = ?", [audit["officer_id"]])
        line = f"{audit['day'][5:]}{officer.fetchone()[0]}{audit['score']['percent']:.1f}"
        line += status[audit["status"]] + audit["status"].title()
        assert _flat(line) in flat, line


def test_the_trend_and_radar_print_their_values(demo, best, tmp_path):
    zone_id = demo.best
    flat = _flat(_text(best, tmp_path))
    report = demo.client.get(
        f"/api/reports/zones?from={months_up_to(demo.month, 6)[0]}&to={demo.month}&site_id=hq",
        headers=demo.headers,
    ).json()
    mine = {r["month"]: r for r in report["rows"] if r["zone_id"] == zone_id}
    for month in months_up_to(demo.month, 6):
        assert month in flat
        if month in mine:
            assert f"{mine[month]['mean']:.1f}" in flat
    for section, value in demo.rows[zone_id]["sections"].items():
        title = next(s["title"]["zh"] for s in report["sections"] if s["id"] == section)
        assert f"{title}{value:.1f}" in flat, section
    assert "上月Lastmonth" in flat and "本月Thismonth" in flat


def test_the_board_reads_well_on_one_page(best, tmp_path):
    pdf = best
    assert _pages(pdf, tmp_path) == 1
    image = _png(pdf, tmp_path)
    w, h = image.size
    # Ink inside the 11 mm side margins only: nothing is cut off or spills over.
    side = round(10 / 210 * w)
    for strip in ((0, 0, side, h), (w - side, 0, w, h)):
        assert image.crop(strip).getextrema()[0] > 200, strip
    # The page is used: ink in each quarter of the content's height.
    for quarter in range(4):
        box = (side, round(h * quarter / 4), w - side, round(h * (quarter + 1) / 4))
        assert image.crop(box).getextrema()[0] < 100, quarter
    # Only the findings' photos: at most two thumbnails each.
    path = tmp_path / "board.pdf"
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert 0 < len(listing) <= 10


def test_a_month_without_audits_still_prints_a_page_saying_so(demo, tmp_path):
    later = months_up_to(demo.month, 1)[0]
    year, month = (int(p) for p in later.split("-"))
    later = f"{year + month // 12}-{month % 12 + 1:02d}"
    pdf = _board(demo, demo.other, later)
    text = _text(pdf, tmp_path)
    assert _pages(pdf, tmp_path) == 1
    assert (
        "本月该区域没有计分的审核" in text and f"No counted audits of this zone in {later}" in text
    )
    # The months before it still show in the trend; what is still to do shows as of today.
    assert f"{demo.rows[demo.other]['mean']:.1f}" in text
    assert "待整改 Corrective actions" in text and "红牌 Red tags" in text


def _every(demo, path: str, key: str, **params) -> list[dict]:
    found, cursor = [], None
    while True:
        paging = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = demo.client.get(path, params={**params, **paging}, headers=demo.headers).json()
        found += page[key]
        cursor = page["next_cursor"]
        if not cursor:
            return found


def test_the_board_lists_what_the_zone_still_has_to_do(demo, best, tmp_path):
    """Its actions still open (overdue first) and its open red tags (over the limit first), as
    GET /api/actions and GET /api/red-tags have them today."""
    actions = _every(demo, "/api/actions", "actions", zone_id=demo.best, status="active")
    waiting = [a for a in actions if a["status"] in ("open", "reopened")]
    waiting.sort(key=lambda a: (-a["days_overdue"], a["due"]))
    overdue = [a for a in waiting if a["overdue"]]
    assert waiting and overdue, "the demo leaves some actions open and overdue"
    shown = _flat(_box(best, tmp_path, *ACTIONS_BOX))
    assert f"共{len(waiting)}项open·逾期{len(overdue)}overdue" in shown, shown
    for action in waiting[:MAX_ACTIONS]:
        # Labels print in Chinese, cut with an ellipsis past one line.
        assert _flat(action["item_label"]["zh"])[:12] in shown, action["item_id"]
        assert action["due"] in shown
        assert (action["owner_name"] or "—") in shown
    for action in overdue[:MAX_ACTIONS]:
        assert f"{action['due']}{action['days_overdue']}天" in shown
    if len(waiting) > MAX_ACTIONS:
        assert f"另有{len(waiting) - MAX_ACTIONS}项" in shown

    tags = _every(demo, "/api/red-tags", "red_tags", zone_id=demo.best, status="open")
    tags.sort(key=lambda t: (not t["over_limit"], -t["age_days"], t["tag_no"]))
    over = [t for t in tags if t["over_limit"]]
    assert tags and over, "the demo has an open tag past the limit in each workshop"
    shown = _flat(_box(best, tmp_path, *TAGS_BOX))
    limit = tags[0]["age_limit_days"]
    assert f"未处理{len(tags)}张open·超过{limit}天over{limit}days{len(over)}" in shown, shown
    for tag in tags[:MAX_TAGS]:
        mark = "超期" if tag["over_limit"] else ""
        assert f"{tag['age_days']}天{mark}" in shown and tag["tag_label"] in shown
    listed = [shown.index(t["tag_label"]) for t in tags[:MAX_TAGS]]
    assert listed == sorted(listed), "over the limit first, then the oldest"
    assert shown.count("超期") == len(over[:MAX_TAGS])
    if len(tags) > MAX_TAGS:
        assert f"另有{len(tags) - MAX_TAGS}张" in shown


def test_photos_are_the_zones_own_and_few(demo):
    store, settings = demo.app.state.store, demo.app.state.settings
    context = board_context(store, settings, demo.user, demo.other, demo.month)
    db = store.read()
    for finding in context["findings"]:
        assert len(finding["photos"]) <= 2
        for sha in finding["photos"]:
            zones = {
                zone
                for (zone,) in db.execute(
                    "select a.zone_id from audit_photos p join audits a on a.id = p.audit_id"
                    " where p.sha256 = ? and a.month = ?",
                    [sha, demo.month],
                )
            }
            assert demo.other in zones


def test_long_names_and_many_rows_still_fit_one_page(demo, tmp_path):
    """The runner-up's board with every name as long as names may be and every list full."""
    store, settings = demo.app.state.store, demo.app.state.settings
    context = board_context(store, settings, demo.user, demo.other, demo.month)
    long_zh, long_en = "超长名称" * 50, "Averyveryverylongname" * 10
    photos = [sha for f in context["findings"] for sha in f["photos"]][:2]
    finding = {
        "item_id": "x",
        "label": Text(zh=long_zh, en=long_en),
        "section": Text(zh=long_zh, en=long_en),
        "critical": True,
        "fails": 9,
        "photos": photos,
    }
    audit = {**context["audits"][0], "officer": long_zh}
    action = {
        "label": Text(zh=long_zh, en=long_en),
        "item_id": "x",
        "owner": "\u202e" + long_zh,
        "due": "2020-01-01",
        "days_overdue": 99999,
        "reopened": True,
    }
    tag = {"label": "RT-9999", "item": "<b>" + long_en, "qty": 100000, "age": 999, "over": True}
    pdf = render_board(
        {
            **context,
            "zone": {**context["zone"], "name": long_zh, "name_en": long_en},
            "site": {"name": long_zh, "name_en": long_en},
            "owners": [{"name": long_zh, "name_en": long_en, "share": 5}] * 20,
            "findings": [finding] * 5,
            "more_findings": 40,
            "audits": [audit] * 40,
            "rivals": context["rivals"] * 10,
            "records": {
                "actions": [action] * 30,
                "actions_overdue": 30,
                "tags": [tag] * 30,
                "tags_over": 30,
                "tag_limit": 7,
            },
        },
        PhotoFiles(settings.photos_dir),
    )
    assert _pages(pdf, tmp_path) == 1
    # Every list capped with a count of the rest; markup in a name prints as text.
    actions, tags = (_flat(_box(pdf, tmp_path, *box)) for box in (ACTIONS_BOX, TAGS_BOX))
    assert f"另有{30 - MAX_ACTIONS}项" in actions and actions.count("99999天") == MAX_ACTIONS
    assert f"另有{30 - MAX_TAGS}张" in tags and tags.count("<b>") == MAX_TAGS
    image = _png(pdf, tmp_path)
    w, h = image.size
    side = round(10 / 210 * w)
    for strip in ((0, 0, side, h), (w - side, 0, w, h)):
        assert image.crop(strip).getextrema()[0] > 200, strip
    # Not the month's best: its rank, and no red flag of its own (the best's shows beside).
    row = demo.rows[demo.other]
    rank = _flat(_box(pdf, tmp_path, *STATS[2]))
    assert rank == f"排名Rank·本店维修车间第{row['rank']}/{row['ranked']}名"
    assert "流动红旗" in _text(pdf, tmp_path)


def test_zones_outside_the_callers_sites_are_not_found(demo):
    store, settings = demo.app.state.store, demo.app.state.settings
    admin = token_headers(demo.app, "admin")
    site_supervisor(demo.client, admin, "board.east")
    east = _user(demo.app, "board.east")
    with pytest.raises(NotFound):
        board_pdf(store, settings, east, "hq-workshop", demo.month)
    with pytest.raises(NotFound):
        board_pdf(store, settings, demo.user, "no-such-zone", demo.month)
    # Their own site's zones are theirs to print, ranked within that site.
    context = board_context(store, settings, east, "east-store", demo.month)
    assert context["zone"]["id"] == "east-store"
    with pytest.raises(Invalid):
        board_pdf(store, settings, demo.user, "hq-workshop", "2026-13")


def test_months_and_the_owners_day():
    assert months_up_to("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert owners_day("2026-02", "2026-11-30") == "2026-02-28"
    assert owners_day("2024-02", "2026-11-30") == "2024-02-29"
    assert owners_day("2026-11", "2026-11-15") == "2026-11-15"
