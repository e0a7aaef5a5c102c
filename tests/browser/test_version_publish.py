"""Publishing a new version never strands work.

The server starts publishing the 6S checklist up to v3 (a copy of checklists/ without the live
6s-zone.yaml). The officer starts a 6S audit of the office on the tablet: it runs v3, and is
half done when the server stops, is given 6s-zone.yaml (v4) and starts again on the same port
and data (the same origin: the tablet keeps its IndexedDB). One sync and the tablet holds v4
beside v3. The half-done draft still opens on v3, with v3's items, and is finished, submitted
and stored on the server as v3 with v3's score; a new audit starts on v4. A supervisor approves
the v3 audit and a v4 audit of the same zone: both count side by side in the month's
appraisal of the zone's owner and in the zone's audits and report for the month.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import CHECKLISTS

from .conftest import (
    Server,
    answer,
    api_answers,
    app_ready,
    applicable,
    flush,
    idb_get,
    number_in,
    open_zone,
    plan,
    poll,
    python_score,
    running_server,
    shots,
    show_section,
    sign_in,
    start_audit,
    submit,
    wait_saved,
)

CHECKLIST = "6s-zone"
ZONE = "hq-office"  # kind office; owner 刘芳 (s-liu)
OTHER_ZONE = "hq-workshop"
OLD, NEW = 3, 4
ITEM_IDS_JS = "(cards) => cards.map((card) => card.dataset.itemId)"


@pytest.fixture
def v3_server(tmp_path, monkeypatch) -> Iterator[tuple[Server, Path]]:
    """A demo server whose newest 6s-zone is v3 (archive/6s-zone.v3.yaml); its folder."""
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS, folder, ignore=shutil.ignore_patterns("*.md"))
    (folder / f"{CHECKLIST}.yaml").unlink()
    monkeypatch.setenv("GENBA_CHECKLISTS", str(folder))  # LiveServer passes os.environ on
    with running_server(tmp_path / "data") as server:
        yield server, folder


def shown_items(page, section_id: str, first_item: str) -> list[str]:
    """The item ids the runner shows on one section's page."""
    show_section(page, section_id)
    page.wait_for_selector(f'[data-item-id="{first_item}"]', state="visible")
    return page.eval_on_selector_all("[data-item-id]", ITEM_IDS_JS)


def by_section(items: list[tuple[str, dict]]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    for section_id, item in items:
        sections.setdefault(section_id, []).append(item["id"])
    return sections


def round1(value: float) -> float:
    """One decimal, half up, as the server rounds each figure of the appraisal."""
    return int(value * 10 + 0.5 + 1e-9) / 10


def test_a_new_version_never_strands_a_draft(v3_server, pages):
    server, folder = v3_server
    v3 = server.checklist(CHECKLIST)
    assert v3["version"] == OLD, "the fixture should publish 6s-zone up to v3"
    kind = server.zone(ZONE)["kind"]
    items3 = applicable(v3, kind)
    values3 = plan(items3)
    sections3 = by_section(items3)
    first_section = items3[0][0]
    early = {i["id"]: values3[i["id"]] for s, i in items3 if s == first_section}

    # The tablet starts the office's 6S audit on v3 and answers the first section.
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)
    stored = idb_get(page, "audits", audit_id)
    assert (stored["checklist_id"], stored["checklist_version"]) == (CHECKLIST, OLD)
    for _, item in items3:
        if item["id"] in early:
            answer(page, item, early[item["id"]])
    wait_saved(page, audit_id, early)
    flush(page)
    poll("the v3 draft on the server", lambda: audit_id in server.audit_ids("officer"))
    assert server.audit(audit_id)["checklist_version"] == OLD

    # The server is stopped, given v4, and started again: same port, same data, same origin.
    server.live.stop()
    shutil.copy(CHECKLISTS / f"{CHECKLIST}.yaml", folder / f"{CHECKLIST}.yaml")
    server.live.start()
    v4 = server.checklist(CHECKLIST)
    assert v4["version"] == NEW
    items4 = applicable(v4, kind)
    assert [i["id"] for _, i in items4] != [i["id"] for _, i in items3], (
        "v3 and v4 ask the same of an office: this test would prove nothing"
    )

    # One sync: the changes feed names v4, and the tablet keeps it beside v3.
    flush(page)
    poll(
        "6s-zone v4 in the tablet's checklists store",
        lambda: idb_get(page, "checklists", f"{CHECKLIST}@{NEW}"),
        page=page,
    )
    assert idb_get(page, "checklists", f"{CHECKLIST}@{NEW}")["version"] == NEW
    assert idb_get(page, "checklists", f"{CHECKLIST}@{OLD}")["version"] == OLD
    boot = idb_get(page, "kv", "bootstrap")
    assert next(c for c in boot["checklists"] if c["id"] == CHECKLIST)["version"] == NEW

    # The app starts again (a reload); starting the office's 6S checklist offers the draft,
    # which still runs v3.
    page.reload()
    app_ready(page)
    open_zone(page, ZONE)
    page.click(f'[data-start-checklist="{CHECKLIST}"]')
    page.wait_for_selector("[data-draft-choice]")
    page.click("[data-continue-draft]")
    page.wait_for_url(re.compile(rf"#/audit/{audit_id}"))
    page.wait_for_selector("[data-item-id]")
    assert idb_get(page, "audits", audit_id)["checklist_version"] == OLD
    for section_id, expected in sections3.items():
        shown = shown_items(page, section_id, expected[0])
        assert shown == expected, f"the v3 draft shows {section_id} as {shown}, v3 has {expected}"
        for item in (i for s, i in items3 if s == section_id):
            if item["id"] not in early:
                answer(page, item, values3[item["id"]])
    saved = wait_saved(page, audit_id, values3)
    assert saved["checklist_version"] == OLD, "the draft was moved to another version"
    expected3 = python_score(v3, values3, kind)
    poll(
        "the live score of v3",
        lambda: number_in(page.text_content("[data-live-score]")) == expected3.percent,
        page=page,
    )
    shots(page, "runner-6s-zone-v3-after-v4")

    submit(page, audit_id)
    flush(page)
    held = poll(
        "the v3 audit submitted on the server",
        lambda: (a := server.audit(audit_id))["status"] == "submitted" and a,
    )
    assert held["checklist_version"] == OLD
    assert {k: v["value"] for k, v in held["answers"].items()} == values3
    assert held["score"]["percent"] == expected3.percent
    assert held["complete"] is True

    # A new audit starts on v4, with v4's items for the zone.
    open_zone(page, OTHER_ZONE)
    new_id = start_audit(page, CHECKLIST)
    assert idb_get(page, "audits", new_id)["checklist_version"] == NEW
    other = applicable(v4, server.zone(OTHER_ZONE)["kind"])
    count = 0
    for section_id, expected in by_section(other).items():
        shown = shown_items(page, section_id, expected[0])
        assert shown == expected, f"the v4 audit shows {section_id} as {shown}, v4 has {expected}"
        count += len(shown)
    assert count == len(other)
    pages.check()

    # A v4 audit of the office too, sent at the same moment; the supervisor approves both.
    submitted = datetime.fromisoformat(held["submitted_at"])
    body = {
        "checklist_id": CHECKLIST,
        "checklist_version": NEW,
        "zone_id": ZONE,
        "started_at": (submitted - timedelta(minutes=15)).isoformat(),
        "submitted_at": submitted.isoformat(),
        "status": "submitted",
        "answers": api_answers(items4, plan(items4)),
    }
    v4_id = str(uuid.uuid4())
    put = server.api("PUT", f"/api/audits/{v4_id}", user="officer", json=body)
    assert put.status_code == 201, put.text
    for approve in (audit_id, v4_id):
        decided = server.api("POST", f"/api/audits/{approve}/review", json={"decision": "approve"})
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "approved"
    audits = {a: server.audit(a) for a in (audit_id, v4_id)}
    assert audits[audit_id]["checklist_version"] == OLD
    assert audits[v4_id]["checklist_version"] == NEW
    timezone = server.api("GET", "/api/bootstrap").json()["timezone"]
    assert timezone == "Asia/Shanghai"
    month = submitted.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")
    assert {a["month"] for a in audits.values()} == {month}
    percents = [audits[a]["score"]["percent"] for a in (audit_id, v4_id)]
    assert percents[1] == python_score(v4, plan(items4), kind).percent

    # The owner's appraisal counts both versions side by side.
    owner = server.zone(ZONE)["owner_id"]
    report = server.api("GET", "/api/appraisal", params={"month": month})
    assert report.status_code == 200, report.text
    row = next(r for r in report.json()["rows"] if r["staff_id"] == owner)
    part = next(p for p in row["parts"] if p["zone_id"] == ZONE)
    assert sorted(part["audit_ids"]) == sorted([audit_id, v4_id]), part
    assert {audit_id, v4_id} <= set(row["audit_ids"])
    assert part["checklists"] == [
        {"checklist_id": CHECKLIST, "score": round1(sum(percents) / 2), "audit_count": 2}
    ], part["checklists"]

    # The zone's audits of the month, and its line in the reports, hold both.
    listed = server.api("GET", "/api/audits", params={"zone_id": ZONE, "month": month}).json()
    versions = {a["id"]: a["checklist_version"] for a in listed["audits"]}
    assert versions == {audit_id: OLD, v4_id: NEW}, versions
    zones = server.api(
        "GET", "/api/reports/zones", params={"from": month, "to": month, "checklist_id": CHECKLIST}
    )
    assert zones.status_code == 200, zones.text
    line = next(r for r in zones.json()["rows"] if r["zone_id"] == ZONE and r["month"] == month)
    assert line["audits"] == 2
    assert line["mean"] == round1(sum(percents) / 2)
    pages.check()
