"""`genba import` and POST /api/import: a workbook or YAML of the company, all or nothing."""

import io
import subprocess
import sys
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from server.ops.verify import problems

SHEETS = {
    "场所": [["编号 (id)", "名称 (name)", "name_en"], ["west", "西区店", "West store"]],
    "员工": [
        ["id", "employee_no (工号)", "姓名 (name)", "site_id", "position"],
        ["s-wu", 2001, "吴刚", "west", "车间主管"],
        ["s-xu", "HD2002", "徐丽", "west", "仓管员"],
    ],
    "区域": [
        ["id", "site_id", "name", "kind", "checklist_ids", "active"],
        ["west-shop", "west", "西区车间", "workshop", "6s-zone，facility-daily", "是"],
        ["west-store", "west", "西区库房", "warehouse", "6s-zone, goods-receiving", None],
    ],
    "责任人": [
        ["zone_id", "from", "staff_id", "share"],
        ["west-shop", datetime(2026, 11, 1), "s-wu", 60],
        ["west-shop", "2026-11-01", "s-xu", 40],
        ["west-store", "2026-11-01", "s-xu", None],
    ],
}


def workbook(sheets=SHEETS) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _post(client, headers, data, dry_run):
    return client.post(f"/api/import?dry_run={str(dry_run).lower()}", content=data, headers=headers)


def _events(app):
    return app.state.store.read().execute("select count(*) from events").fetchone()[0]


def test_dry_run_shows_the_changes_and_writes_nothing(client, app, admin):
    before = _events(app)
    report = _post(client, admin, workbook(), True)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["dry_run"] is True and body["applied"] is False
    assert body["counts"] == {"create": 7, "update": 0, "unchanged": 0}
    assert _events(app) == before
    assert "west" not in {s["id"] for s in client.get("/api/sites", headers=admin).json()}


def test_import_applies_once_and_again_changes_nothing(client, app, admin):
    assert _post(client, admin, workbook(), False).json()["counts"]["create"] == 7
    staff = {s["id"]: s for s in client.get("/api/staff", headers=admin).json()}
    assert staff["s-wu"]["employee_no"] == "2001", "a number typed in Excel is the 工号's text"
    periods = client.get("/api/zones/west-shop/owners", headers=admin).json()
    assert periods == [
        {
            "from": "2026-11-01",
            "to": None,
            "owners": [{"staff_id": "s-wu", "share": 60.0}, {"staff_id": "s-xu", "share": 40.0}],
        }
    ]
    zones = {z["id"]: z for z in client.get("/api/zones", headers=admin).json()}
    assert zones["west-shop"]["checklist_ids"] == ["6s-zone", "facility-daily"]
    before = _events(app)
    again = _post(client, admin, workbook(), False).json()
    assert again["counts"] == {"create": 0, "update": 0, "unchanged": 7}
    assert _events(app) == before
    assert problems(app.state.store, app.state.settings) == []


def test_an_update_changes_only_what_the_cells_say(client, admin):
    _post(client, admin, workbook(), False)
    changed = {**SHEETS, "员工": [SHEETS["员工"][0], ["s-wu", None, "吴刚", None, "站长"]]}
    report = _post(client, admin, workbook(changed), False).json()
    updates = [c for c in report["changes"] if c["action"] == "update"]
    assert [(c["id"], c["fields"]) for c in updates] == [("s-wu", ["position"])]
    staff = {s["id"]: s for s in client.get("/api/staff", headers=admin).json()}
    assert staff["s-wu"]["employee_no"] == "2001", "an empty cell keeps what is stored"


BAD_CELLS = [
    ("区域", 1, 3, "garage", "区域!D2"),  # unknown kind
    ("区域", 1, 4, "6s-zone, goods-receiving", "区域!E2"),  # receiving is for warehouses only
    ("责任人", 2, 3, 30, "责任人!D2"),  # shares 60 + 30
    ("员工", 2, 1, 2001, "员工!B3"),  # the same 工号 twice
    ("责任人", 3, 2, "s-nobody", "责任人!C4"),
    ("场所", 1, 0, "West Store!", "场所!A2"),
]


@pytest.mark.parametrize(("sheet", "row", "column", "value", "where"), BAD_CELLS)
def test_a_bad_cell_is_named_and_nothing_is_written(
    client, app, admin, sheet, row, column, value, where
):
    sheets = {k: [list(r) for r in v] for k, v in SHEETS.items()}
    sheets[sheet][row][column] = value
    before = _events(app)
    response = _post(client, admin, workbook(sheets), False)
    assert response.status_code == 422, response.text
    paths = [e["path"] for e in response.json()["errors"]]
    assert where in paths, response.json()["errors"]
    assert _events(app) == before, "all or nothing"


def test_extra_or_missing_columns_and_unknown_sheets_are_named(client, admin):
    sheets = {
        "场所": [["id", "name", "colour"], ["west", "西区店", "red"]],
        "区域": [["id", "name"], ["west-shop", "西区车间"]],
        "Sheet1": [["whatever"]],
    }
    response = _post(client, admin, workbook(sheets), True)
    assert response.status_code == 422
    errors = [(e["path"], e["message"]) for e in response.json()["errors"]]
    assert any(p == "场所!C1" and "colour" in m for p, m in errors)
    assert any(p == "区域!1" and "kind" in m for p, m in errors)
    assert any(p == "Sheet1" for p, _ in errors)


def test_not_a_workbook_or_yaml_is_a_clear_422(client, admin):
    for data in (b"PK\x03\x04 broken zip", b"- just\n- a list\n", b"\xff\xfe\x00"):
        response = _post(client, admin, data, True)
        assert response.status_code == 422, data


def test_yaml_imports_the_same(client, app, admin):
    text = """
sites: [{id: west, name: 西区店}]
staff: [{id: s-wu, name: 吴刚, site_id: west}]
zones: [{id: west-shop, site_id: west, name: 西区车间, kind: workshop, checklist_ids: [6s-zone]}]
owners: [{zone_id: west-shop, from: '2026-11-01', staff_id: s-wu}]
"""
    report = _post(client, admin, text.encode(), False)
    assert report.json()["counts"]["create"] == 4, report.text
    bad = text.replace("kind: workshop", "kind: garage")
    bad = bad.replace("west-shop, site", "west-shop2, site")
    response = _post(client, admin, bad.encode(), False)
    assert response.json()["errors"][0]["path"] == "zones[0].kind"


def test_only_admins_import(client, supervisor):
    assert _post(client, supervisor, workbook(), True).status_code == 403


def test_the_template_imports_as_it_is(client, app, admin, tmp_path):
    response = client.get("/api/import/template.xlsx", headers=admin)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明 notes", "场所", "区域", "员工", "责任人"]
    assert book["员工"]["B1"].value == "工号 (employee_no)"
    report = _post(client, admin, response.content, True)
    assert report.status_code == 200, report.text


def _genba(*args):
    command = [sys.executable, "-m", "server", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_command_line_imports_and_names_bad_cells(tmp_path):
    data = str(tmp_path / "data")
    template = tmp_path / "t.xlsx"
    assert _genba("import", "--template", str(template), "--data", data).returncode == 0
    file = tmp_path / "company.xlsx"
    file.write_bytes(workbook())
    dry = _genba("import", str(file), "--dry-run", "--data", data)
    assert dry.returncode == 0 and "7 create" in dry.stdout and "dry run" in dry.stdout
    done = _genba("import", str(file), "--data", data)
    assert done.returncode == 0 and "create  zones west-shop" in done.stdout
    again = _genba("import", str(file), "--data", data)
    assert "0 create, 0 update, 7 unchanged" in again.stdout
    sheets = {
        **SHEETS,
        "区域": [SHEETS["区域"][0], ["west-x", "west", "X", "garage", "6s-zone", None]],
    }
    file.write_bytes(workbook(sheets))
    bad = _genba("import", str(file), "--data", data)
    assert bad.returncode == 1 and "区域!D2" in bad.stderr and "Traceback" not in bad.stderr
    assert _genba("verify", "--data", data).returncode == 0
