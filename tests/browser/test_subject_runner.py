"""A handover on the tablet: the audit opens with its subject (the car's VIN, the sales
consultant, the delivery date, the customer's channel), checked as it is typed with the
server's rules; each section starts with its description; N/A asks for its reason and every
deduction for its evidence (evidence_below_max); a red line (critical_below) caps the live
score; sections weigh the same (section_weighting: equal). After submit and sync the server
holds the same subject and the same score the tablet showed.

The checklist is published from a copy of checklists/ with one more file, and the demo
showroom is given it (admin PATCH /api/zones/{id}).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import yaml

from conftest import CHECKLISTS

from .conftest import (
    WAIT_MS,
    Server,
    answer,
    flush,
    idb_all,
    idb_get,
    number_in,
    open_zone,
    poll,
    python_score,
    running_server,
    shots,
    show_section,
    sign_in,
    start_audit,
    submit,
)

ZONE = "hq-showroom"
CHECKLIST = "test-handover-v2"
GOOD_VIN = "LSVAU2180N2123456"
BAD_VIN = "LSVAU2180N212345O"  # an O is never in a VIN


def text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


HANDOVER = {
    "id": CHECKLIST,
    "version": 1,
    "title": text("新车交付检查（测试）", "New car handover (test)"),
    "appraisal": False,
    "section_weighting": "equal",
    "evidence_below_max": True,
    "critical_fail": {"scope": "total", "cap": 59},
    "bands": [
        {"min": 90, "label": text("优", "Excellent"), "color": "green"},
        {"min": 0, "label": text("差", "Poor"), "color": "red"},
    ],
    "subject": [
        {"id": "vin", "label": text("车架号", "VIN"), "type": "text",
         "pattern": "[A-HJ-NPR-Z0-9]{17}", "required": True,
         "help": text("17 位，见前挡风玻璃左下角或行驶证；不含字母 I、O、Q",
                      "17 characters, bottom left of the windscreen or on the registration;"
                      " never I, O or Q")},
        {"id": "consultant", "label": text("销售顾问", "Sales consultant"), "type": "staff",
         "required": True},
        {"id": "delivered", "label": text("交车日期", "Delivery date"), "type": "date"},
        {"id": "channel", "label": text("客户来源", "Customer came from"), "type": "choice",
         "options": [{"id": "walk-in", "label": text("到店", "Walk-in")},
                     {"id": "online", "label": text("线上", "Online")}]},
    ],
    "sections": [
        {"id": "exterior", "title": text("外观", "Exterior"),
         "description": text("绕车一周，在自然光下逐项目视检查漆面、玻璃和轮胎，"
                             "与客户一起确认。",
                             "Walk round the car in daylight and check the paint, glass and"
                             " tyres one by one, with the customer."),
         "items": [
             {"id": "paint", "type": "score", "critical_below": 1,
              "label": text("漆面无划痕、无色差", "Paint free of scratches and colour mismatch")},
             {"id": "glass", "type": "pass_fail", "label": text("玻璃完好", "Glass intact")},
             {"id": "tyres", "type": "score", "label": text("轮胎与轮毂", "Tyres and rims")},
             {"id": "charger", "type": "pass_fail", "na_allowed": True,
              "note_required_if_na": True,
              "label": text("随车充电枪齐全", "Charging cable in the boot")},
         ]},
        {"id": "documents", "title": text("文件", "Documents"),
         "description": text("交付文件须齐全，逐份交给客户并请客户签收。",
                             "Every document is handed to the customer, who signs for it."),
         "items": [
             {"id": "manual", "type": "pass_fail",
              "label": text("用户手册与保修手册", "Owner's manual and warranty booklet")},
         ]},
    ],
}  # fmt: skip

SUBJECT = {
    "vin": GOOD_VIN,
    "consultant": "s-chen",
    "delivered": "2026-11-30",
    "channel": "walk-in",
}


@pytest.fixture
def handover_server(tmp_path, monkeypatch) -> Iterator[Server]:
    """A demo server publishing checklists/ and the handover above; the showroom uses it."""
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLISTS, folder, ignore=shutil.ignore_patterns("*.md"))
    (folder / f"{CHECKLIST}.yaml").write_text(
        yaml.safe_dump(HANDOVER, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    monkeypatch.setenv("GENBA_CHECKLISTS", str(folder))  # LiveServer passes os.environ on
    with running_server(tmp_path / "data") as server:
        used = [*server.zone(ZONE)["checklist_ids"], CHECKLIST]
        changed = server.api("PATCH", f"/api/zones/{ZONE}", user="admin",
                             json={"checklist_ids": used})  # fmt: skip
        assert changed.status_code == 200, changed.text
        yield server


def field(page, field_id: str):
    return page.locator(f'[data-subject="{field_id}"]')


def message(page, field_id: str) -> str:
    return (page.text_content(f'[data-subject-error="{field_id}"]') or "").strip()


def prompt(page, item_id: str) -> str:
    el = page.locator(f'[data-item-id="{item_id}"] [data-prompt]')
    return "" if el.is_hidden() else (el.text_content() or "").strip()


def note(page, item_id: str, words: str) -> None:
    page.locator(f'[data-item-id="{item_id}"] textarea[data-note]').fill(words)


def stored_audit(page, audit_id: str) -> dict:
    return idb_get(page, "audits", audit_id) or {}


def test_a_handover_with_its_subject_syncs_with_the_score_shown(handover_server, pages):
    server = handover_server
    checklist = server.checklist(CHECKLIST)
    assert checklist["subject"][0]["pattern"] == HANDOVER["subject"][0]["pattern"]
    page = pages.new()
    puts: list[str] = []  # every audit body the tablet sends

    def watch(request) -> None:
        if request.method == "PUT" and "/api/audits/" in request.url:
            puts.append(request.post_data or "")

    page.on("request", watch)
    sign_in(page, server.origin)
    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)

    # The audit opens with its subject, above the first section and its description.
    page.wait_for_selector("[data-subject-form]")
    assert page.locator("[data-subject]").count() == 4
    first = page.locator("[data-section-description]")
    assert "绕车一周" in first.text_content()
    assert field(page, "delivered").get_attribute("type") == "date"
    options = field(page, "consultant").locator("option").all_inner_texts()
    assert any("陈晓敏" in o for o in options), options
    assert field(page, "channel").locator("option").count() == 3  # "choose" and the two

    # A wrong VIN is named as it is typed, kept on the tablet, and never sent.
    field(page, "vin").press_sequentially(BAD_VIN[:5])
    poll("a message for a half-typed VIN", lambda: "5" in message(page, "vin"), page=page)
    field(page, "vin").press_sequentially(BAD_VIN[5:])
    poll("a message for the VIN", lambda: "17" in message(page, "vin"), page=page)
    assert field(page, "vin").get_attribute("aria-invalid") == "true"
    held = poll(
        "the typed VIN saved on the tablet",
        lambda: (a := stored_audit(page, audit_id)).get("subject", {}).get("vin") == BAD_VIN and a,
        page=page,
    )
    assert held["subject_invalid"] == ["vin"]
    page.wait_for_selector("[data-saved]", state="visible")
    shots(page, "runner-subject-form")

    # The summary will not submit: the VIN is wrong and the consultant is missing.
    page.click("[data-submit]")
    page.wait_for_selector("[data-confirm-submit]")
    vin_gap = page.locator('[data-missing-subject="vin"]')
    assert "格式不对" in vin_gap.text_content()
    assert page.locator('[data-missing-subject="consultant"]').count() == 1
    assert page.locator("[data-confirm-submit]").is_disabled()
    shots(page, "summary-subject-gaps")
    vin_gap.locator("a").click()  # back to the field itself
    page.wait_for_selector("[data-subject-form]")
    poll(
        "the VIN field focused",
        lambda: page.evaluate("() => document.activeElement.dataset.subject") == "vin",
        page=page,
    )

    # Fixed: the message goes; the rest of the subject is picked.
    field(page, "vin").fill(GOOD_VIN)
    poll("no message for a good VIN", lambda: message(page, "vin") == "", page=page)
    assert field(page, "vin").get_attribute("aria-invalid") is None
    field(page, "consultant").select_option("s-chen")
    field(page, "delivered").fill(SUBJECT["delivered"])
    field(page, "channel").select_option("walk-in")
    saved = poll(
        "the subject saved, nothing held back",
        lambda: (
            (a := stored_audit(page, audit_id)).get("subject") == SUBJECT
            and a.get("subject_invalid") == []
            and a
        ),
        page=page,
    )
    assert saved["subject"] == SUBJECT

    # A red line: paint at 0 caps the total (59) even with everything else passing.
    values = {"glass": "pass", "tyres": 4, "manual": "pass"}
    items = {i["id"]: i for s in checklist["sections"] for i in s["items"]}
    for item_id in ("glass", "tyres"):
        answer(page, items[item_id], values[item_id])
    answer(page, items["paint"], 0)
    assert page.locator('[data-item-id="paint"] [data-red-line]').count() == 1
    poll("the capped score", lambda: number_in(page.text_content("[data-live-score]")) == 59.0,
         page=page)  # fmt: skip
    capped = python_score(checklist, {**values, "paint": 0}, "showroom")
    assert (capped.percent, capped.capped_by) == (59.0, ["paint"])

    # A 3 of 4 is a deduction: it needs a photo or a note before submitting (`answer` wrote
    # one with the 0: cleared, to see the prompt).
    page.locator('[data-item-id="paint"] button[data-value="3"]').click()
    note(page, "paint", "")
    poll("the evidence prompt", lambda: "扣分必有依据" in prompt(page, "paint"), page=page)
    note(page, "paint", "左后门轻微划痕，已告知客户")
    poll("the prompt gone with the note", lambda: prompt(page, "paint") == "", page=page)

    # N/A asks for the reason.
    answer(page, items["charger"], "na")
    poll("the N/A reason prompt", lambda: "说明原因" in prompt(page, "charger"), page=page)
    note(page, "charger", "燃油车，无充电枪")
    poll("the prompt gone with the reason", lambda: prompt(page, "charger") == "", page=page)

    # The second section starts with its own description.
    show_section(page, "documents")
    page.wait_for_selector('[data-item-id="manual"]', state="visible")
    assert "逐份交给客户" in page.text_content("[data-section-description]")
    assert page.locator("[data-subject-form]").count() == 0
    answer(page, items["manual"], "pass")
    shots(page, "runner-section-description")

    values = {**values, "paint": 3, "charger": "na"}
    expected = python_score(checklist, values, "showroom")
    # Equal weighting: (2.75/3 + 1) / 2, not 3.75 / 4 as items would weigh it.
    assert expected.percent == 95.8 and not expected.capped_by
    shown = poll(
        "the live score",
        lambda: (
            number_in(page.text_content("[data-live-score]")) == expected.percent
            and expected.percent
        ),
        page=page,
    )

    submit(page, audit_id)
    flush(page)
    poll(
        "the audit on the server",
        lambda: audit_id in server.audit_ids("officer"),
        timeout=WAIT_MS / 1000,
    )
    on_server = server.audit(audit_id)
    assert on_server["status"] == "submitted"
    assert on_server["subject"] == SUBJECT
    assert on_server["score"]["percent"] == shown
    assert on_server["score"]["capped_by"] == []
    assert on_server["answers"]["charger"]["note"] == "燃油车，无充电枪"
    # The wrong VIN never reached the server: nothing was refused on the way.
    assert idb_all(page, "attention") == []
    assert puts, "no PUT of the audit seen"
    assert all(BAD_VIN not in body and '"subject"' in body for body in puts), puts
