"""A tablet shared by a shift: the next user never sees, edits or sends the previous user's
work; what the previous user had not synced stays theirs and syncs when they sign in again."""

from __future__ import annotations

import re

from .conftest import (
    WAIT_MS,
    answer_items,
    app_ready,
    applicable,
    flush,
    go,
    idb_all,
    idb_get,
    open_zone,
    plan,
    poll,
    sign_in,
    start_audit,
    submit,
    wait_counter,
    wait_saved,
)

ZONE = "hq-lounge"  # no other browser test audits it


def _sign_out(page) -> None:
    go(page, "#/zones")
    page.wait_for_selector("[data-sign-out]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-sign-out]")
    page.wait_for_url(re.compile(r"#/login"), timeout=WAIT_MS)


def _submitted(page, server) -> str:
    """A whole 6S audit of the zone, submitted and on the server; its id."""
    open_zone(page, ZONE)
    audit_id = start_audit(page)
    items = applicable(server.checklist("6s-zone"), server.zone(ZONE)["kind"])
    values = plan(items)
    answer_items(page, items, values)
    wait_saved(page, audit_id, values)
    submit(page, audit_id)
    flush(page)
    poll("the submitted audit on the server", lambda: audit_id in server.audit_ids(), page=page)
    return audit_id


def test_the_next_user_finds_nothing_of_the_previous_one(server, pages):
    page = pages.new()
    sign_in(page, server.origin, "officer")
    synced_id = _submitted(page, server)

    # Work that never reached the server: made offline.
    page.context.set_offline(True)
    open_zone(page, ZONE)
    kept_id = start_audit(page)
    items = applicable(server.checklist("6s-zone"), server.zone(ZONE)["kind"])
    first = plan(items[:3])
    answer_items(page, items[:3], first)
    wait_saved(page, kept_id, first)
    _sign_out(page)
    page.context.set_offline(False)

    stored = {a["id"]: a for a in idb_all(page, "audits")}
    assert synced_id not in stored, "what the server has leaves the device at sign-out"
    assert kept_id in stored and stored[kept_id]["owner"] == server.audit(synced_id)["officer_id"]
    assert not [k for k in ("session", "bootstrap", "recent") if idb_get(page, "kv", k)]

    # The next user: a supervisor, who may see the lounge's zone.
    sign_in(page, server.origin, "supervisor")
    wait_counter(page, "[data-pending-audits]", 0)
    open_zone(page, ZONE)
    assert page.locator(f'[data-audit-id="{kept_id}"]').count() == 0
    go(page, f"#/audit/{kept_id}")
    page.wait_for_selector("h1")
    assert page.locator("[data-item-id]").count() == 0, "another user's draft must not open"
    go(page, f"#/audit/{kept_id}/summary")
    page.wait_for_selector("h1")
    assert page.locator("[data-confirm-submit]").count() == 0
    flush(page)
    assert kept_id not in server.audit_ids("supervisor"), "nobody else sends it"
    _sign_out(page)

    # Its owner again: the draft is there and syncs under their name, once.
    sign_in(page, server.origin, "officer")
    open_zone(page, ZONE)
    page.wait_for_selector(f'[data-audit-id="{kept_id}"]')
    flush(page)
    poll("the kept draft on the server", lambda: kept_id in server.audit_ids(), page=page)
    assert server.audit(kept_id)["officer_id"] == server.audit(synced_id)["officer_id"]


def test_a_supervisors_tablet_does_not_take_other_officers_audits(server, pages):
    officer = pages.new()
    sign_in(officer, server.origin, "officer")
    audit_id = _submitted(officer, server)
    returned = server.api(
        "POST", f"/api/audits/{audit_id}/review", json={"decision": "return", "comment": "补拍照片"}
    )
    assert returned.status_code == 200, returned.text

    boss = pages.new()
    sign_in(boss, server.origin, "supervisor")
    app_ready(boss)
    boss.wait_for_timeout(500)  # the recent audits arrive after the zone list
    assert idb_get(boss, "audits", audit_id) is None, "a returned audit is its officer's to fix"
    assert boss.locator("[data-returned-count]").count() == 0
