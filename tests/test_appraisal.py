"""The monthly appraisal: recomputed from raw answers it equals every export, per person."""

import csv
import io
import json
import subprocess
import sys
from collections import defaultdict

import msgspec
import pytest
from openpyxl import load_workbook

from conftest import login, site_supervisor
from server.checklists.registry import get_version
from server.checklists.scoring import Answer, score_audit
from server.people.places import get_zone


@pytest.fixture
def demo(demo_app):
    return demo_app


def _month(app) -> str:
    row = (
        app.state.store.read()
        .execute(
            "select month, count(*) n from audits where status = 'approved'"
            " group by month order by n desc limit 1"
        )
        .fetchone()
    )
    return row[0]


def _owners_on(db, zone_id: str, day: str) -> list[str]:
    """Straight from the tables: the zone's owners in the latest period starting by `day`."""
    return [
        r[0]
        for r in db.execute(
            "select staff_id from zone_owners where zone_id = ? and starts ="
            " (select max(starts) from zone_owner_periods where zone_id = ? and starts <= ?)",
            [zone_id, zone_id, day],
        )
    ]


def _recomputed(app, month: str) -> dict[str, float | None]:
    """Each owner's mean over approved audits of checklists that count in the appraisal
    (not those saying `appraisal: false`, such as service-delivery), scored again from the
    stored answers."""
    store = app.state.store
    percents = defaultdict(list)
    for row in store.read().query(
        "select body, zone_id, day from audits where status = 'approved' and month = ?", [month]
    ):
        body = json.loads(row["body"])
        checklist = get_version(store, body["checklist_id"], body["checklist_version"])
        if not checklist.appraisal:
            continue
        zone = get_zone(store, row["zone_id"])
        answers = {k: msgspec.convert(v, Answer) for k, v in body["answers"].items()}
        percent = score_audit(checklist, answers, zone.kind).percent
        if percent is not None:
            for owner in _owners_on(store.read(), row["zone_id"], row["day"]):
                percents[owner].append(percent)
    return {owner: int(sum(p) / len(p) * 10 + 0.5) / 10 for owner, p in percents.items()}


def test_json_rows_equal_scores_recomputed_from_answers(demo):
    app, client = demo
    month = _month(app)
    report = client.get(f"/api/appraisal?month={month}", headers=login(client, "supervisor"))
    assert report.status_code == 200
    rows = {r["staff_id"]: r for r in report.json()["rows"]}
    expected = _recomputed(app, month)
    assert expected, "the demo month has approved audits"
    for staff_id, row in rows.items():
        assert row["score"] == expected.get(staff_id), staff_id
        assert (
            row["audit_count"]
            == len(row["audit_ids"])
            == sum(p["audit_count"] for p in row["parts"])
        )
        assert {"staff_id", "name", "score", "parts", "audit_count", "audit_ids"} <= set(row)


def test_csv_xlsx_and_pdf_hold_the_same_figures(demo, tmp_path):
    app, client = demo
    month = _month(app)
    headers = login(client, "admin")
    rows = client.get(f"/api/appraisal?month={month}", headers=headers).json()["rows"]
    scores = {r["staff_id"]: r["score"] for r in rows}

    raw = client.get(f"/api/appraisal?month={month}&format=csv", headers=headers).content
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["staff_id"]: (float(r["score"]) if r["score"] else None) for r in table} == scores

    xlsx = client.get(f"/api/appraisal?month={month}&format=xlsx", headers=headers).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert {r[0]: r[3] for r in cells[1:]} == scores

    pdf = client.get(f"/api/appraisal?month={month}&format=pdf", headers=headers)
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "a.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "王建国" in text and month in text
    top = max(s for s in scores.values() if s is not None)
    assert str(top) in text


def test_officers_get_403_and_bad_months_400(demo):
    _, client = demo
    officer = login(client, "officer")
    assert client.get("/api/appraisal?month=2026-11", headers=officer).status_code == 403
    boss = login(client, "supervisor")
    for bad in ["2026-13", "26-11", "", "2026-11&format=doc"]:
        assert client.get(f"/api/appraisal?month={bad}", headers=boss).status_code == 400, bad


def test_site_limited_supervisor_sees_only_their_people(demo):
    app, client = demo
    east = site_supervisor(client, login(client, "admin"), "east.chief")
    rows = client.get(f"/api/appraisal?month={_month(app)}", headers=east).json()["rows"]
    assert {r["staff_id"] for r in rows} == {"s-sun", "s-zhou", "s-ma"}


def test_cli_export_writes_the_file(demo, tmp_path):
    app, _ = demo
    month = _month(app)
    target = tmp_path / "appraisal.xlsx"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "server",
            "export",
            "appraisal",
            "--month",
            month,
            "--format",
            "xlsx",
            "-o",
            str(target),
            "--data",
            str(app.state.settings.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert load_workbook(target).worksheets[0].max_row == 1 + 10
