"""README "Set up your own site", step by step, against the real server on an empty data dir:
the commands as the README gives them, and the HTTP calls the screens make."""

import io
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from live import LiveServer

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
STEPS = README.split("## Set up your own site", 1)[1].split("\n## ", 1)[0]
PUBLIC = "https://genba.shop.lan:8443"


def genba(*args, stdin=""):
    command = [sys.executable, "-m", "server", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)


def test_the_readme_gives_these_steps():
    for command in (
        "genba serve --data /var/lib/genba",
        "genba user add admin --role admin --data /var/lib/genba",
        "genba import company.xlsx --dry-run --data /var/lib/genba",
        "genba import company.xlsx --data /var/lib/genba",
        "genba import --template company.xlsx",
    ):
        assert command in " ".join(STEPS.split()), command


def _fill(template: bytes) -> bytes:
    """The template filled in for a small store: one site, two zones, three staff, owners."""
    book = load_workbook(io.BytesIO(template))
    rows = {
        "场所": [["lz", "临州店", "Linzhou store", "是"]],
        "区域": [
            ["lz-shop", "lz", "维修车间", "Workshop", "workshop", "6s-zone, facility-daily", "是"],
            ["lz-parts", "lz", "配件库", "Parts", "warehouse", "6s-zone, goods-receiving", "是"],
        ],
        "员工": [
            ["s-ma", "LZ001", "马力", "Ma Li", "lz", "车间主管", "是"],
            ["s-niu", "LZ002", "牛芳", "Niu Fang", "lz", "仓管员", "是"],
            ["s-lu", "LZ003", "陆明", "Lu Ming", "lz", "6S管理员", "是"],
        ],
        "责任人": [
            ["lz-shop", "2026-01-01", "s-ma", 100],
            ["lz-parts", "2026-01-01", "s-niu", 100],
        ],
    }
    for title, lines in rows.items():
        sheet = book[title]
        sheet.delete_rows(2, sheet.max_row)  # the example row goes
        for line in lines:
            sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _qr_urls(pdf: bytes, folder: Path) -> list[str]:
    (folder / "labels.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(folder / "labels.pdf"), str(folder / "page")],
        check=True,
    )
    return [
        code.text
        for page in sorted(folder.glob("page-*.png"))
        for code in zxingcpp.read_barcodes(Image.open(page))
    ]


@pytest.mark.e2e
def test_from_an_empty_data_dir_to_the_first_synced_audit(tmp_path):
    data = tmp_path / "genba"
    # 1. Start the server on an empty data dir: it says how to add the first admin.
    server = LiveServer(data, demo=False, extra=["--public-url", PUBLIC]).start()
    try:
        assert "genba user add admin --role admin" in server.output()
        # 2. The first admin, from the command line.
        added = genba(
            "user", "add", "admin", "--role", "admin", "--data", str(data), stdin="s3cret-pw\n"
        )
        assert added.returncode == 0, added.stderr
        api = httpx.Client(base_url=server.base, timeout=30)
        admin = server.login("admin", "s3cret-pw")
        # 3. The template, filled in, previewed, imported.
        template = api.get("/api/import/template.xlsx", headers=admin).content
        company = _fill(template)
        preview = api.post("/api/import?dry_run=true", content=company, headers=admin).json()
        assert preview["counts"] == {"create": 8, "update": 0, "unchanged": 0}
        assert api.get("/api/zones", headers=admin).json() == []
        done = api.post("/api/import?dry_run=false", content=company, headers=admin).json()
        assert done["applied"] is True
        # 4. The users: an officer limited to the site, a supervisor.
        for username, role, staff in (("luming", "officer", "s-lu"), ("boss", "supervisor", None)):
            body = {
                "username": username,
                "password": "pw-1234",
                "role": role,
                "site_ids": ["lz"],
                "staff_id": staff,
            }
            assert api.post("/api/users", json=body, headers=admin).status_code == 201
        # 5. The labels: each QR code opens its zone at the public address.
        pdf = api.get("/api/sites/lz/labels.pdf", headers=admin)
        assert sorted(_qr_urls(pdf.content, tmp_path)) == [
            f"{PUBLIC}/#/zone/lz-parts",
            f"{PUBLIC}/#/zone/lz-shop",
        ]
        # 6. The officer audits the workshop (the tablet's calls: bootstrap, then the PUT).
        officer = server.login("luming", "pw-1234")
        boot = api.get("/api/bootstrap", headers=officer).json()
        zone = next(z for s in boot["sites"] for z in s["zones"] if z["id"] == "lz-shop")
        assert zone["owner_id"] == "s-ma"
        checklist = next(c for c in boot["checklists"] if c["id"] == "6s-zone")
        audit_id = str(uuid.uuid4())
        body = _passing_audit(checklist, zone)
        assert api.put(f"/api/audits/{audit_id}", json=body, headers=officer).status_code == 201
        # 7. The supervisor approves; the month's appraisal counts it for the zone's owner.
        boss = server.login("boss", "pw-1234")
        review = api.post(
            f"/api/audits/{audit_id}/review", json={"decision": "approve"}, headers=boss
        )
        assert review.status_code == 200, review.text
        month = review.json()["month"]
        rows = {
            r["staff_id"]: r
            for r in api.get(f"/api/appraisal?month={month}", headers=admin).json()["rows"]
        }
        assert rows["s-ma"]["audit_ids"] == [audit_id] and rows["s-ma"]["score"] == 100.0
    finally:
        server.stop()
    assert genba("verify", "--data", str(data)).returncode == 0


def _passing_audit(checklist: dict, zone: dict) -> dict:
    from conftest import good_value, iso_ago

    answers = {
        item["id"]: {"value": good_value(item), "note": "", "photos": []}
        for section in checklist["sections"]
        for item in section["items"]
        if item.get("zone_kinds") is None or zone["kind"] in item["zone_kinds"]
    }
    return {
        "checklist_id": checklist["id"],
        "checklist_version": checklist["version"],
        "zone_id": zone["id"],
        "started_at": iso_ago(hours=2),
        "submitted_at": iso_ago(hours=1),
        "status": "submitted",
        "answers": answers,
    }


def test_the_first_run_hint_names_the_data_dir():
    from server.cli import first_admin_hint

    hint = first_admin_hint(Path("/var/lib/genba"), "https://x/")
    assert re.search(r"genba user add admin --role admin --data /var/lib/genba", hint)
