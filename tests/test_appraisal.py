"""The monthly appraisal on the demo dealership (docs/appraisal.md): figures recomputed from the
raw answers, the files agree with the JSON, access, and the month close with its amendments.
"""

import calendar
import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest
import yaml
from litestar.testing import TestClient
from openpyxl import load_workbook

from conftest import CHECKLISTS, login, site_supervisor
from server.app import create_app
from server.checklists.registry import get_version
from server.checklists.scoring import Answer, score_audit
from server.core.settings import Settings
from server.people.places import get_zone

RULES = yaml.safe_load((CHECKLISTS / "appraisal.yaml").read_text(encoding="utf-8"))


def r1(x: float) -> float:
    return int(x * 10 + 0.5 + 1e-9) / 10


def _month(app) -> str:
    """The demo month with the most approved audits (a full one)."""
    row = (
        app.state.store.read()
        .execute(
            "select month, count(*) n from audits where status = 'approved'"
            " group by month order by n desc limit 1"
        )
        .fetchone()
    )
    return row[0]


def _previous(month: str) -> str:
    year, number = map(int, month.split("-"))
    return (date(year, number, 1) - timedelta(days=1)).strftime("%Y-%m")


def _zone_months(app, month: str) -> dict[str, tuple[float, int]]:
    """Per zone: (zone-month score, audits), rescored from the stored answers."""
    store, weights = app.state.store, {s["checklist"]: s["weight"] for s in RULES["score"]}
    percents = defaultdict(lambda: defaultdict(list))
    for row in store.read().query(
        "select body, zone_id from audits where status = 'approved' and month = ?", [month]
    ):
        body = json.loads(row["body"])
        checklist = get_version(store, body["checklist_id"], body["checklist_version"])
        if checklist.id not in weights or not checklist.appraisal:
            continue
        answers = {k: msgspec.convert(v, Answer) for k, v in body["answers"].items()}
        kind = get_zone(store, row["zone_id"]).kind
        percent = score_audit(checklist, answers, kind).percent
        if percent is not None:
            percents[row["zone_id"]][checklist.id].append(percent)
    out = {}
    for zone, per in percents.items():
        means = {c: r1(sum(p) / len(p)) for c, p in per.items()}
        total = sum(weights[c] for c in means)
        score = r1(sum(m * weights[c] for c, m in means.items()) / total)
        out[zone] = (score, sum(len(p) for p in per.values()))
    return out


def _held(db, month: str) -> dict[str, dict[str, float]]:
    """Per person, per zone: Σ share × days owned in the month, from the raw tables."""
    year, number = map(int, month.split("-"))
    first, last = date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    held = defaultdict(lambda: defaultdict(float))
    starts = defaultdict(list)
    for zone_id, start in db.execute("select zone_id, starts from zone_owner_periods"):
        starts[zone_id].append(start)
    for zone_id, periods in starts.items():
        periods.sort()
        for n, start in enumerate(periods):
            end = (
                date.fromisoformat(periods[n + 1]) - timedelta(days=1)
                if n + 1 < len(periods)
                else last
            )
            lo, hi = max(first, date.fromisoformat(start)), min(last, end)
            if lo > hi:
                continue
            for staff_id, share in db.execute(
                "select staff_id, share from zone_owners where zone_id = ? and starts = ?",
                [zone_id, start],
            ):
                held[staff_id][zone_id] += share * ((hi - lo).days + 1)
    return held


def recomputed(app, month: str) -> dict[str, dict]:
    """Each person's score, grade, coefficient and 样本不足, by docs/appraisal.md, literally."""
    now, before = _zone_months(app, month), _zone_months(app, _previous(month))
    minimum, rule = RULES["min_audits"], RULES["insufficient"]["rule"]
    out = {}
    for staff_id, zones in _held(app.state.store.read(), month).items():
        used, short = {}, False
        for zone_id in zones:
            score, count = now.get(zone_id, (None, 0))
            if count < minimum:
                short = True
                carried = before.get(zone_id, (None, 0))
                if rule == "carry_forward" and carried[1] >= minimum:
                    score = carried[0]
                elif rule == "exclude":
                    score = None
            if score is not None:
                used[zone_id] = score
        weight = sum(zones[z] for z in used)
        score = r1(sum(used[z] * zones[z] for z in used) / weight) if weight else None
        grade = next((g for g in RULES["grades"] if score is not None and score >= g["min"]), None)
        out[staff_id] = {
            "score": score,
            "grade": grade["label"]["zh"] if grade else None,
            "coefficient": grade["coefficient"] if grade else RULES["insufficient"]["coefficient"],
            "insufficient": short,
        }
    return out


def test_every_row_equals_the_rule_recomputed_from_the_answers(demo_app):
    app, client = demo_app
    month = _month(app)
    report = client.get(f"/api/appraisal?month={month}", headers=login(client, "supervisor"))
    assert report.status_code == 200
    rows = {r["staff_id"]: r for r in report.json()["rows"]}
    expected = recomputed(app, month)
    assert len([e for e in expected.values() if e["score"] is not None]) >= 5
    for staff_id, want in expected.items():
        row = rows[staff_id]
        assert {k: row[k] for k in want} == want, staff_id
        assert (
            row["audit_count"]
            == len(row["audit_ids"])
            == sum(p["audit_count"] for p in row["parts"])
        )
    for staff_id in rows.keys() - expected.keys():  # owning nothing: no score, the default
        assert rows[staff_id]["score"] is None and rows[staff_id]["coefficient"] == 1.0


def test_the_report_says_its_rule_and_marks_a_single_officer(demo_app):
    app, client = demo_app
    report = client.get(
        f"/api/appraisal?month={_month(app)}", headers=login(client, "supervisor")
    ).json()
    assert "样本不足" in report["rule"]["zh"] and "insufficient" in report["rule"]["en"]
    assert report["closed"] is None and report["rules"]["version"] == RULES["version"]
    db = app.state.store.read()
    for row in report["rows"]:
        officers = {
            db.execute("select officer_id from audits where id = ?", [a]).fetchone()[0]
            for p in row["parts"]
            if p["used"] is not None and not p["carried_from"]
            for a in p["audit_ids"]
        }
        assert row["single_officer"] == (len(officers) == 1), row["staff_id"]
    assert {o["name"] for o in report["officers"]}  # calibration beside the month


def test_officers_get_403_and_bad_months_400(demo_app):
    _, client = demo_app
    officer = login(client, "officer")
    assert client.get("/api/appraisal?month=2026-11", headers=officer).status_code == 403
    boss = login(client, "supervisor")
    for bad in ["2026-13", "26-11", "", "2026-11&format=doc"]:
        assert client.get(f"/api/appraisal?month={bad}", headers=boss).status_code == 400, bad
    closing = client.post("/api/appraisal/2026-13/close", headers=login(client, "admin"))
    assert closing.status_code == 400
    assert client.post("/api/appraisal/2020-01/close", headers=boss).status_code == 403


def test_site_limited_supervisor_sees_only_their_people(demo_app):
    app, client = demo_app
    east = site_supervisor(client, login(client, "admin"), "east.chief")
    rows = client.get(f"/api/appraisal?month={_month(app)}", headers=east).json()["rows"]
    assert {r["staff_id"] for r in rows} == {"s-sun", "s-zhou", "s-ma"}


# --- the month close --------------------------------------------------------------------


@pytest.fixture(scope="module")
def closing(demo_app, tmp_path_factory):
    """(app, client) on a copy of the demo data that the close tests may change."""
    source, _ = demo_app
    data = tmp_path_factory.mktemp("appraisal-close") / "data"
    data.mkdir(parents=True)
    photos = source.state.settings.photos_dir
    shutil.copytree(photos, data / photos.relative_to(source.state.settings.data_dir))
    target = data / source.state.settings.db_path.name
    with sqlite3.connect(source.state.settings.db_path) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    settings = Settings(data_dir=data, checklists_dir=CHECKLISTS, password_cost="test")
    app = create_app(settings)
    with TestClient(app=app) as client:
        yield app, client
    app.state.store.close()


def _files(client, month: str, headers) -> dict[str, bytes]:
    out = {}
    for fmt in ("csv", "xlsx", "pdf"):
        response = client.get(f"/api/appraisal?month={month}&format={fmt}", headers=headers)
        assert response.status_code == 200, response.text
        out[fmt] = response.content
    return out


def _running(app) -> str:
    """The month running now where the sites are (Asia/Shanghai is ahead of UTC)."""
    return datetime.now(ZoneInfo(app.state.settings.timezone)).strftime("%Y-%m")


def test_a_closed_month_is_frozen_and_amended_in_the_next(closing):
    app, client = closing
    admin = login(client, "admin")
    running = _running(app)
    month = _previous(running)  # ended, with the demo's audits
    refused = client.post(f"/api/appraisal/{running}/close", headers=admin)
    assert refused.status_code in (400, 422) and "not ended" in refused.text

    before = client.get(f"/api/appraisal?month={month}", headers=admin).json()
    closed = client.post(f"/api/appraisal/{month}/close", headers=admin)
    assert closed.status_code == 201, closed.text
    stamp = closed.json()["closed"]
    assert set(stamp["sha256"]) == {"json", "csv", "xlsx", "pdf"} and stamp["by"] == "admin"
    again = client.post(f"/api/appraisal/{month}/close", headers=admin)
    assert again.status_code == 409 and stamp["at"] in again.text

    files = _files(client, month, admin)
    import hashlib

    for fmt, data in files.items():
        assert hashlib.sha256(data).hexdigest() == stamp["sha256"][fmt], fmt
    frozen = client.get(f"/api/appraisal?month={month}", headers=admin).json()
    assert frozen["closed"]["sha256"] == stamp["sha256"]
    assert [r["score"] for r in frozen["rows"]] == [r["score"] for r in before["rows"]]

    # Later: an approved audit of that month is voided, and a zone changes owner in it.
    db = app.state.store.read()
    victim = next(r for r in frozen["rows"] if r["score"] is not None and r["audit_ids"])
    audit_id = victim["parts"][0]["audit_ids"][0]
    void = client.post(
        f"/api/audits/{audit_id}/void", json={"reason": "审核有误 wrong zone"}, headers=admin
    )
    assert void.status_code == 200, void.text
    other = next(
        r for r in frozen["rows"] if r["score"] is not None and r["staff_id"] != victim["staff_id"]
    )
    zone_id = other["parts"][0]["zone_id"]
    newcomer = db.execute(
        "select id from staff where active = 1 and id != ? order by id limit 1",
        [other["staff_id"]],
    ).fetchone()[0]
    moved = client.put(
        f"/api/zones/{zone_id}/owners",
        json={"from": f"{month}-15", "owners": [{"staff_id": newcomer, "share": 100}]},
        headers=admin,
    )
    assert moved.status_code in (200, 201), moved.text

    # The closed month never moves: the same bytes, the same rows.
    assert _files(client, month, admin) == files
    assert (
        client.get(f"/api/appraisal?month={month}", headers=admin).json()["rows"] == frozen["rows"]
    )

    # The next open month lists what changed, with the closed and the current figures.
    following = date(*map(int, month.split("-")), 28) + timedelta(days=7)
    amended = client.get(f"/api/appraisal?month={following:%Y-%m}", headers=admin).json()[
        "amendments"
    ]
    by_person = {a["staff_id"]: a for a in amended}
    assert audit_id in by_person[victim["staff_id"]]["audits_removed"]
    assert by_person[victim["staff_id"]]["closed"]["score"] == victim["score"]
    assert other["staff_id"] in by_person or newcomer in by_person
    assert all(a["month"] == month for a in amended)

    # The event chain holds the close with the files' hashes, and verifies.
    event = db.execute(
        "select detail from events where action = 'appraisal.close' and entity_id = ?", [month]
    ).fetchone()
    assert json.loads(event[0])["sha256"] == stamp["sha256"]
    verify = subprocess.run(
        [sys.executable, "-m", "server", "verify", "--data", str(app.state.settings.data_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_csv_and_xlsx_hold_the_json_figures(demo_app):
    app, client = demo_app
    month = _month(app)
    headers = login(client, "admin")
    rows = client.get(f"/api/appraisal?month={month}", headers=headers).json()["rows"]
    scores = {r["employee_no"] or "": r["score"] for r in rows}

    raw = client.get(f"/api/appraisal?month={month}&format=csv", headers=headers).content
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    head = table[0]
    assert head[:6] == ["工号", "姓名", "英文名", "得分", "等级", "系数"]
    got = {r[0]: (float(r[3]) if r[3] else None) for r in table[1:]}
    assert got == scores

    xlsx = client.get(f"/api/appraisal?month={month}&format=xlsx", headers=headers).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    values = [r for r in sheet.iter_rows(values_only=True) if r and r[0] in scores]
    assert {r[0]: r[3] for r in values} == scores


def test_cli_exports_and_closes(closing, tmp_path):
    app, _ = closing
    data = str(app.state.settings.data_dir)
    month = _previous(_previous(_running(app)))

    def genba(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "server", *args, "--data", data],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    target = tmp_path / "a.csv"
    done = genba("export", "appraisal", "--month", month, "--format", "csv", "-o", str(target))
    assert done.returncode == 0, done.stderr
    closed = genba("appraisal", "close", "--month", month)
    assert closed.returncode == 0, closed.stderr
    assert "sha256" in closed.stdout
    assert genba("appraisal", "close", "--month", month).returncode == 1
    again = tmp_path / "b.csv"
    genba("export", "appraisal", "--month", month, "--format", "csv", "-o", str(again))
    stored = (
        app.state.store.read()
        .execute("select csv from appraisal_closes where month = ?", [month])
        .fetchone()[0]
    )
    assert again.read_bytes() == stored


def test_a_statement_per_person_through_the_api(demo_app, tmp_path):
    app, client = demo_app
    month = _month(app)
    boss = login(client, "supervisor")
    rows = client.get(f"/api/appraisal?month={month}", headers=boss).json()["rows"]
    row = next(r for r in rows if r["score"] is not None)
    response = client.get(f"/api/appraisal/{month}/staff/{row['staff_id']}.pdf", headers=boss)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    (tmp_path / "s.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert row["name"] in text and str(row["score"]) in text and row["grade"] in text
    missing = client.get(f"/api/appraisal/{month}/staff/nobody.pdf", headers=boss)
    assert missing.status_code == 404 and "nobody" in missing.text
    east = site_supervisor(client, login(client, "admin"), "east.statements")
    hq_person = next(r for r in rows if r["site_id"] == "hq")
    hidden = client.get(f"/api/appraisal/{month}/staff/{hq_person['staff_id']}.pdf", headers=east)
    assert hidden.status_code == 404
    officer = login(client, "officer")
    assert (
        client.get(
            f"/api/appraisal/{month}/staff/{row['staff_id']}.pdf", headers=officer
        ).status_code
        == 403
    )


def test_verify_names_a_closed_file_changed_behind_its_back(closing):
    app, client = closing
    month = _previous(_previous(_previous(_running(app))))
    closed = client.post(f"/api/appraisal/{month}/close", headers=login(client, "admin"))
    assert closed.status_code == 201, closed.text
    read = app.state.store.read().execute
    original = read("select csv from appraisal_closes where month = ?", [month]).fetchone()[0]
    with app.state.store.write() as db:
        db.execute("update appraisal_closes set csv = ? where month = ?", [b"forged", month])
    verify = subprocess.run(
        [sys.executable, "-m", "server", "verify", "--data", str(app.state.settings.data_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert verify.returncode == 1
    said = verify.stdout + verify.stderr
    assert f"appraisal {month}: the stored csv is not what its close logged" in said
    with app.state.store.write() as db:  # put back for the tests after
        db.execute("update appraisal_closes set csv = ? where month = ?", [original, month])
