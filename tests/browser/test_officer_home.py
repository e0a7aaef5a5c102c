"""What an officer meets on the tablet's home and zone screens: what is due (from each
checklist's due_every_days), returned audits, a second draft as a choice, discarding a draft,
and "已同步" only once the server has the audit."""

from __future__ import annotations

import re

from .conftest import (
    WAIT_MS,
    answer_items,
    applicable,
    flush,
    go,
    idb_get,
    open_zone,
    plan,
    poll,
    shots,
    sign_in,
    start_audit,
    submit,
    wait_saved,
)


def _items(server, zone_id):
    return applicable(server.checklist("6s-zone"), server.zone(zone_id)["kind"])


def test_due_chips_come_from_the_checklists_cadence(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    card = page.locator('[data-zone-id="east-store"]')
    chips = card.locator(".chip.due").all_text_contents()
    assert any("待检查" in chip and "6S" in chip for chip in chips), chips
    assert not any("待审核" in chip for chip in chips), (
        "due is 待检查, not 待审核 (awaiting review)"
    )
    assert not any("入库" in chip for chip in chips), "goods receiving has no cadence"


def test_a_returned_audit_shows_on_the_home_screen(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, "hq-parts")
    audit_id = start_audit(page)
    items = _items(server, "hq-parts")
    values = plan(items)
    answer_items(page, items, values)
    wait_saved(page, audit_id, values)
    submit(page, audit_id)
    flush(page)
    poll("the audit on the server", lambda: audit_id in server.audit_ids(), page=page)
    comment = "货架标识不清，请重拍"
    review = {"decision": "return", "comment": comment}
    assert server.api("POST", f"/api/audits/{audit_id}/review", json=review).status_code == 200
    flush(page)
    go(page, "#/zones")
    banner = page.locator("[data-returned-count]")
    banner.wait_for(state="visible")
    assert int(banner.get_attribute("data-returned-count")) >= 1
    assert comment in banner.text_content()
    shots(page, "home-returned")
    page.click(f'[data-returned-audit="{audit_id}"]')
    page.wait_for_selector(".banner.warn")


def test_a_second_draft_is_a_choice_and_a_draft_can_be_discarded(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, "hq-bodyshop")
    first = start_audit(page)
    items = _items(server, "hq-bodyshop")[:2]
    values = plan(items)
    answer_items(page, items, values)
    wait_saved(page, first, values)
    flush(page)
    poll("the draft on the server", lambda: first in server.audit_ids(), page=page)

    open_zone(page, "hq-bodyshop")
    row = page.locator('[data-start-checklist="6s-zone"]').locator("xpath=ancestor::li")
    page.click('[data-start-checklist="6s-zone"]')
    row.locator("[data-draft-choice]").wait_for(state="visible")
    shots(page, "zone-draft-choice")
    row.locator("[data-continue-draft]").click()
    page.wait_for_url(re.compile(rf"#/audit/{first}"), timeout=WAIT_MS)

    open_zone(page, "hq-bodyshop")
    page.click('[data-start-checklist="6s-zone"]')
    row.locator("[data-start-new]").click()
    page.wait_for_url(re.compile(r"#/audit/"), timeout=WAIT_MS)
    second = page.url.rsplit("/", 1)[1].lower()
    assert second != first

    open_zone(page, "hq-bodyshop")
    flag = page.locator(f'[data-audit-id="{second}"] [data-sync-state]')
    assert flag.get_attribute("data-sync-state") == "pending", "an empty new draft is device-only"
    synced = page.locator(f'[data-audit-id="{first}"] [data-sync-state]')
    assert synced.get_attribute("data-sync-state") == "synced"

    for audit_id in (second, first):
        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f'[data-discard-draft="{audit_id}"]')
        page.locator(f'[data-audit-id="{audit_id}"]').wait_for(state="detached")
    assert idb_get(page, "audits", second) is None, "never sent: gone at once"
    flush(page)
    poll(
        "the server's draft discarded",
        lambda: server.audit(first, user="officer")["status"] == "discarded",
        page=page,
    )
    poll(
        "the discarded draft gone from the device",
        lambda: idb_get(page, "audits", first) is None,
        page=page,
    )
