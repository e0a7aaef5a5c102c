"""The statement (考核明细单): one person's month, read back with pdftotext and as page PNGs.

First the demo dealership's busiest month (read only): a person with several zones, their
figures, every deduction with its anchor text, and the deductions agreeing with a count made
from the raw answers. Then a small store of our own, made through the API: a hostile note
prints as text and loads nothing, and corrective actions closed on time and late.
"""

import hashlib
import json
import re
import subprocess
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import msgspec
import pytest
from litestar.testing import TestClient
from PIL import Image

import images
from conftest import CHECKLISTS, audit_body, token_headers, upload_photo
from server.app import create_app
from server.appraisal.compute import compute, rule_text
from server.appraisal.evidence import audit_lines, deductions
from server.appraisal.rules import load_rules
from server.appraisal.statement import (
    StatementPhotos,
    actions_closed,
    history_chart,
    months_back,
    score_history,
    statement_pdf,
)
from server.checklists.registry import get_version, latest_versions
from server.checklists.scoring import Answer, is_red_line, item_points
from server.core.settings import Settings
from server.people.places import get_zone
from server.photos.files import PhotoFiles

HOSTILE = "<script>x</script>"
SNEAKY = '<img src="genba-photo-full:{sha}"> <link href="file:///etc/passwd">'
PAGE_W, MARGIN = 595.3, 14 / 25.4 * 72  # A4 in points, the side margins (14 mm)


def _text(pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _flat(text: str) -> str:
    return "".join(text.split())


def _pages(pdf: bytes, tmp_path, name: str) -> list:
    """PNGs of pages 1 and 2 at 50 dpi, as pdftoppm draws them."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = tmp_path / name
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", path, out], check=True)
    return sorted(tmp_path.glob(f"{name}-*.png"))


def _margins_clear(pngs) -> None:
    for png in pngs:
        image = Image.open(png).convert("L")
        edge = round((PAGE_W - MARGIN + 1) / PAGE_W * image.width)
        strip = image.crop((edge, 0, image.width, image.height))
        assert strip.getextrema()[0] > 200, f"ink in the right margin of {png.name}"


def _report(store, month: str, timezone: str, rules) -> dict:
    report = compute(store, None, month, timezone, rules)
    return {**report, "rule": rule_text(rules), "closed": None}


def _history(store, staff_id: str, month: str, timezone: str, rules) -> list[dict]:
    """Twelve months of the person's score, each from `compute` of that month."""
    out = []
    for m in months_back(month):
        rows = compute(store, None, m, timezone, rules)["rows"]
        score = next(r["score"] for r in rows if r["staff_id"] == staff_id)
        out.append({"month": m, "score": score})
    return out


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(demo_app, tmp_path_factory):
    """The statement of the person with the most zones and audits in the demo's busiest
    month (the demo is only read)."""
    app, _ = demo_app
    store, settings = app.state.store, app.state.settings
    timezone = settings.timezone
    rules = load_rules(CHECKLISTS, latest_versions(store))
    (month,) = (
        store.read()
        .execute(
            "select month from audits where status = 'approved'"
            " group by month order by count(*) desc limit 1"
        )
        .fetchone()
    )
    report = _report(store, month, timezone, rules)
    row = max(report["rows"], key=lambda r: (len(r["parts"]), r["audit_count"]))
    assert len(row["parts"]) >= 2 and row["score"] is not None
    history = _history(store, row["staff_id"], month, timezone, rules)
    actions = actions_closed(store, row["staff_id"], month, timezone)
    pdf = statement_pdf(
        store, settings.photos_dir, report, row, history, actions, timezone=timezone
    )
    tmp = tmp_path_factory.mktemp("statement")
    return SimpleNamespace(
        store=store, settings=settings, rules=rules, month=month, report=report, row=row,
        history=history, pdf=pdf, tmp=tmp, found=deductions(store, row["audit_ids"]),
        layout=_text(pdf, tmp, "-layout"), raw=_flat(_text(pdf, tmp, "-raw")),
    )  # fmt: skip


def test_the_header_prints_the_figures(demo):
    row, text = demo.row, demo.layout
    assert "考核明细单" in text and demo.month in text
    assert row["employee_no"] in text and row["name"] in text
    assert f"{row['score']:.1f}" in text
    assert f"等级 {row['grade']} {row['grade_en']}" in text
    assert re.search(rf"系数 Coefficient\s+{re.escape(str(row['coefficient']))}\s", text)
    assert "已封账" not in text, "an open month carries no close stamp"


def test_each_zone_prints_its_score_share_days_and_checklists(demo):
    lines = demo.layout.splitlines()
    for part in demo.row["parts"]:
        score = f"{part['score']:.1f}"
        share = f"{part['share']:g}%"
        assert any(part["zone"] in line and score in line and share in line for line in lines), (
            part["zone"]
        )
        heading = f"{part['zone']}·区域月得分Zone-month{score}·审核{part['audit_count']}次"
        assert heading in demo.raw
        for checklist in part["checklists"]:
            mean = f"{checklist['score']:.1f}（{checklist['audit_count']}次）"
            assert mean in demo.raw, checklist


def test_every_deduction_prints_with_its_label_and_anchor_text(demo):
    found, raw = demo.found, demo.raw
    assert found, "the demo month has deductions"
    assert f"扣分明细Deductions（{len(found)}）" in raw
    for line in found:
        assert _flat(line["item_label"]) in raw, line["item_id"]
        if line["anchor"]:
            assert _flat(f"{line['value']}/{line['max']}{line['anchor']}") in raw, line
    assert sum(bool(line["anchor"]) for line in found) > len(found) / 2
    # Every audit behind the figure is listed, with its officer and percent.
    for audit in audit_lines(demo.store, demo.row["audit_ids"]):
        assert f"{audit['day']}·" in raw and f"{audit['percent']:.1f}%" in raw
    # The first photo of each deduction with photos prints as its thumbnail, nothing more.
    path = demo.tmp / "demo.pdf"
    path.write_bytes(demo.pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(listing) == sum(bool(line["photos"]) for line in found) > 0


def test_red_lines_rates_rule_and_signatures(demo):
    row, raw = demo.row, demo.raw
    assert f"红线Redlines（{len(row['red_lines'])}）" in raw
    for rate in row["rates"]:
        assert _flat(rate["label"]) in raw
    assert _flat(demo.report["rule"]["zh"]) in raw
    tail = raw.split("签字确认Signatures")[-1]
    for role in ("员工确认Employee", "考核人Appraiser", "日期Date"):
        assert role in tail


def test_the_chart_has_twelve_months_with_gaps(demo):
    assert [h["month"] for h in demo.history] == months_back(demo.month)
    assert demo.history[-1]["score"] == demo.row["score"]
    # The statement's own helper gives the same history as compute month by month.
    staff_id, timezone = demo.row["staff_id"], demo.settings.timezone
    helper = score_history(demo.store, staff_id, demo.month, timezone, demo.rules)
    assert helper == demo.history
    chart = history_chart(demo.history, demo.month)
    assert len(chart["bars"]) == 12 and chart["bars"][-1]["current"]
    gaps = [b for b in chart["bars"] if b["missing"]]
    assert gaps and all(b["h"] == 0 for b in gaps), "the demo has months before its audits"
    assert f"{demo.row['score']:.1f}" in _text(demo.pdf, demo.tmp, "-f", "1", "-l", "1")
    for bar in chart["bars"]:
        assert bar["month"] in demo.layout


def test_deductions_agree_with_the_raw_answers(demo):
    """For one audit, recount from its stored body: every applicable scored answer earning
    less than its full points (or a red line) is one deduction, in checklist order."""
    store = demo.store
    audit_id = max(demo.row["audit_ids"], key=lambda i: sum(d["audit_id"] == i for d in demo.found))
    row = (
        store.read()
        .execute("select body, zone_id, score_percent from audits where id = ?", [audit_id])
        .fetchone()
    )
    body = json.loads(row[0])
    checklist = get_version(store, body["checklist_id"], body["checklist_version"])
    kind = get_zone(store, row[1]).kind
    answers = {k: msgspec.convert(v, Answer) for k, v in body["answers"].items()}
    expected = []
    for item in checklist.items():
        answer = answers.get(item.id)
        if answer is None or not item.applies_to(kind):
            continue
        points = item_points(item, answer.value)
        if (points and points[0] < points[1]) or is_red_line(item, answer.value):
            expected.append(item.id)
    mine = deductions(store, [audit_id])
    assert [d["item_id"] for d in mine] == expected and expected
    assert all(d["percent"] == row[2] and d["audit_id"] == audit_id for d in mine)
    for d in mine:
        item = checklist.item_map()[d["item_id"]]
        assert d["value"] == answers[item.id].value and d["note"] == answers[item.id].note
        if item.type == "score":
            assert d["max"] == item.levels and d["anchor"] == item.anchors[d["value"]].zh
    # Asking twice, or in chunks, gives the same lines once per audit.
    assert deductions(store, [audit_id, audit_id]) == mine
    assert deductions(store, ["nope", *demo.row["audit_ids"]]) == demo.found


def test_pages_stay_inside_their_margins(demo):
    pngs = _pages(demo.pdf, demo.tmp, "demo")
    assert len(pngs) == 2
    _margins_clear(pngs)


# --------------------------------------------------------------------------- a small store


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """hq-office (owner s-liu): two approved audits whose failed item opened an action each;
    one action closed late (its due moved back by a supervisor), one on time. Each finding's
    note is hostile; another deduction's note asks for the full photo and a file."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("small") / "data",
        checklists_dir=CHECKLISTS,
        demo=True,
        password_cost="test",
    )
    app = create_app(settings)
    with TestClient(app=app) as client:
        yield _small(app, client, tmp_path_factory.mktemp("small-pdf"))
    app.state.store.close()


def _small(app, client, tmp_path) -> SimpleNamespace:
    store, settings = app.state.store, app.state.settings
    officer, boss = token_headers(app, "officer"), token_headers(app, "supervisor")
    photo = upload_photo(client, officer, images.jpeg((320, 240)))
    stranger = hashlib.sha256(b"not this audit's").hexdigest()
    today = datetime.now(UTC).astimezone(ZoneInfo(settings.timezone)).date()
    closed = []
    for n, due in enumerate([today - timedelta(days=3), None]):
        body = audit_body(client, officer)
        body["answers"]["sort-unneeded"] = {"value": 1, "note": HOSTILE, "photos": [photo]}
        body["answers"]["sort-personal-items"] = {"value": 3, "note": SNEAKY.format(sha=photo)}
        audit_id = str(uuid.uuid4())
        assert client.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
        approve = {"decision": "approve", "comment": f"ok {n}"}
        response = client.post(f"/api/audits/{audit_id}/review", json=approve, headers=boss)
        assert response.status_code == 200, response.text
        aid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:sort-unneeded"))
        action = client.get(f"/api/actions/{aid}", headers=officer).json()
        if due is not None:
            action = _move(client, boss, action, due=due.isoformat())
        after = upload_photo(client, officer, images.jpeg((100 + n, 60)))
        action = _move(client, officer, action, status="done", after_photos=[after], note="清走")
        action = _move(client, boss, action, status="verified")
        closed.append(action)
    audit = client.get(f"/api/audits/{audit_id}", headers=officer).json()
    month = audit["month"]
    rules = load_rules(CHECKLISTS, latest_versions(store))
    report = _report(store, month, settings.timezone, rules)
    row = next(r for r in report["rows"] if r["staff_id"] == "s-liu")
    now_month = datetime.now(UTC).astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m")
    actions = actions_closed(store, "s-liu", now_month, settings.timezone)
    history = [{"month": m, "score": None} for m in months_back(month)[:-1]]
    history.append({"month": month, "score": row["score"]})
    pdf = statement_pdf(
        store, settings.photos_dir, report, row, history, actions, timezone=settings.timezone
    )
    return SimpleNamespace(
        store=store, settings=settings, row=row, month=month, now_month=now_month,
        actions=actions, closed=closed, pdf=pdf, photo=photo, stranger=stranger,
        today=today, tmp=tmp_path,
    )  # fmt: skip


def _move(client, headers, action: dict, **changes) -> dict:
    body = {**action, **changes, "base_revision": action["revision"]}
    response = client.put(f"/api/actions/{action['id']}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_hostile_notes_print_as_text_and_load_nothing(small):
    row = small.row
    assert row["audit_count"] == 2 and row["score"] is not None
    text = _text(small.pdf, small.tmp, "-layout")
    flat = _flat(text)
    assert flat.count(HOSTILE) == 2, "each audit's note prints as it was written"
    assert _flat(SNEAKY.format(sha=small.photo)) in flat
    assert "root:x:0:0" not in text
    # Each finding's photo prints as its thumbnail, once per deduction.
    lines = deductions(small.store, row["audit_ids"])
    assert [d["photos"] for d in lines if d["item_id"] == "sort-unneeded"] == [[small.photo]] * 2
    path = small.tmp / "small.pdf"
    path.write_bytes(small.pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(listing) == 2
    _margins_clear(_pages(small.pdf, small.tmp, "small"))


def test_the_fetcher_serves_only_the_statements_thumbnails(small):
    files = PhotoFiles(small.settings.photos_dir)
    fetcher = StatementPhotos(files, {small.photo})
    assert (
        fetcher.fetch(f"genba-photo:{small.photo}").read()
        == files.thumb_path(small.photo).read_bytes()
    )
    refused = [
        f"genba-photo-full:{small.photo}",
        f"genba-photo:{small.stranger}",
        "genba-photo:../../x",
        "file:///etc/passwd",
        "http://169.254.169.254/",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.refused == refused
    assert StatementPhotos(files, set())._file(f"genba-photo:{small.photo}") is None


def test_actions_closed_on_time_and_late(small):
    late, on_time = small.actions
    assert [a["action_id"] for a in small.actions] == [a["id"] for a in small.closed]
    assert (late["on_time"], late["days_late"]) == (False, 3)
    assert late["due"] == (small.today - timedelta(days=3)).isoformat()
    assert (on_time["on_time"], on_time["days_late"]) == (True, 0)
    for action in small.actions:
        assert action["done_day"] == action["verified_day"] == small.today.isoformat()
        assert action["zone"] == "办公区" and action["item_label"] == "要与不要已区分，现场无不要物"
    # Nobody else's, and not in another month.
    assert actions_closed(small.store, "s-wang", small.now_month, "Asia/Shanghai") == []
    first = date.fromisoformat(f"{small.now_month}-01")
    before = (first - timedelta(days=1)).strftime("%Y-%m")
    assert actions_closed(small.store, "s-liu", before, small.settings.timezone) == []
    flat = _flat(_text(small.pdf, small.tmp, "-raw"))
    assert "本月关闭的整改Actionsclosedthismonth（2：按时Ontime1·逾期Late1）" in flat
    assert "逾期3天Late" in flat and "按时Ontime" in flat


def test_a_closed_month_carries_its_stamp(small):
    report = {
        "month": small.month,
        "rules": {"version": 1, "sha256": "ab" * 32},
        "rule": {"zh": "规则", "en": "The rule"},
        "closed": {"at": "2026-12-01T02:00:00.000Z", "by": HOSTILE, "sha256": {}},
    }
    pdf = statement_pdf(small.store, None, report, small.row, [], [])
    flat = _flat(_text(pdf, small.tmp, "-raw"))
    assert "已封账" in flat and "CLOSED2026-12-0110:00" in flat and HOSTILE in flat
    assert "本月无关闭的整改" in flat
