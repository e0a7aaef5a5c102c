"""What the server says back and what the tablet does with it: 409, other 4xx, a returned audit."""

from __future__ import annotations

from .conftest import (
    answer,
    answer_items,
    applicable,
    flush,
    go,
    idb_all,
    idb_get,
    open_zone,
    plan,
    poll,
    shots,
    sign_in,
    start_audit,
    stored_answers,
    submit,
    wait_counter,
    wait_saved,
)

ZONE = "hq-workshop"
CHECKLIST = "6s-zone"
BODY_FIELDS = ("checklist_id", "checklist_version", "zone_id", "started_at", "submitted_at")

# Put a bad answer into the queued body of an audit, exactly where the app keeps it.
CORRUPT_OUTBOX_JS = """
async ([key, itemId, value]) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('genba');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const tx = db.transaction('outbox', 'readwrite');
    const store = tx.objectStore('outbox');
    const entry = await new Promise((resolve, reject) => {
      const request = store.get(key);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    if (!entry) return {error: `no outbox entry ${key}`};
    const body = entry.body && entry.body.answers ? entry.body : entry.answers ? entry : null;
    if (!body) return {error: `no body with answers in the entry; keys: ${Object.keys(entry)}`};
    body.answers[itemId] = {value: value === undefined ? 4 : value, note: '', photos: []};
    store.put(entry);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    return {ok: true};
  } finally {
    db.close();
  }
}
"""


def _setup(server, pages):
    checklist = server.checklist(CHECKLIST)
    zone_kind = server.zone(ZONE)["kind"]
    items = applicable(checklist, zone_kind)
    page = pages.new()
    sign_in(page, server.origin)
    return page, items, plan(items)


def _server_revision(server, audit_id: str) -> int | None:
    response = server.api("GET", f"/api/audits/{audit_id}")
    return response.json()["revision"] if response.status_code == 200 else None


def _resubmitted(server, audit_id: str) -> dict | None:
    held = server.audit(audit_id)
    return held if held["status"] == "submitted" and held["revision"] >= 2 else None


def _synced(page, audit_id: str, revision: int) -> bool:
    local = idb_get(page, "audits", audit_id) or {}
    pending = [e for e in idb_all(page, "outbox") if audit_id in str(e.get("key"))]
    return not pending and (local.get("server") or {}).get("revision") == revision


def _conflict(server, pages, shot_name: str | None = None):
    """A draft synced as revision 1, changed on the server (revision 2: first item -> 2), then
    changed on the device (second item -> 1): the flush gets 409 and shows it for attention.
    (page, audit_id, the device's answers, the server's answers, the attention item)."""
    page, items, values = _setup(server, pages)
    first_section = items[0][0]
    section_items = [(s, i) for s, i in items if s == first_section]
    mine = {i["id"]: values[i["id"]] for _, i in section_items}

    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)
    answer_items(page, section_items, mine)
    wait_saved(page, audit_id, mine)
    flush(page)
    poll("revision 1 synced", lambda: _synced(page, audit_id, 1), page=page)

    # Meanwhile the same officer changes the audit from another device: revision 2.
    held = server.audit(audit_id, user="officer")
    theirs = {k: dict(v) for k, v in held["answers"].items()}
    theirs[section_items[0][1]["id"]]["value"] = 2
    body = {k: held[k] for k in BODY_FIELDS}
    body |= {"status": "draft", "answers": theirs, "base_revision": 1}
    response = server.api("PUT", f"/api/audits/{audit_id}", user="officer", json=body)
    assert response.status_code == 200 and response.json()["revision"] == 2, response.text

    # This device, still on revision 1, edits another item: the server answers 409.
    _, other = section_items[1]
    mine[other["id"]] = 1
    answer(page, other, 1)
    wait_saved(page, audit_id, mine)
    flush(page)
    wait_counter(page, "[data-attention-count]", 1)
    go(page, "#/attention")
    item = page.locator(f'[data-attention-item="{audit_id}"]')
    item.wait_for(state="visible")
    assert item.text_content().strip(), "the attention item shows no message"
    if shot_name:
        shots(page, shot_name)
    theirs_values = {k: v["value"] for k, v in theirs.items()}
    return page, audit_id, mine, theirs_values, item


def _click_in(page, item, selector: str) -> None:
    inside = item.locator(selector)
    (inside if inside.count() else page.locator(selector)).first.click()


def test_conflict_shows_attention_and_keep_mine_wins(server, pages):
    page, audit_id, mine, _, item = _conflict(server, pages, shot_name="attention")
    _click_in(page, item, "[data-keep-mine]")
    flush(page)
    poll("revision 3 on the server", lambda: _server_revision(server, audit_id) == 3)
    held = server.audit(audit_id)
    assert {k: v["value"] for k, v in held["answers"].items()} == mine, "mine did not win"
    poll("revision 3 synced", lambda: _synced(page, audit_id, 3), page=page)
    wait_counter(page, "[data-attention-count]", 0)
    assert page.locator(f'[data-attention-item="{audit_id}"]').count() == 0
    pages.check()


def test_conflict_take_server_replaces_the_local_copy(server, pages):
    page, audit_id, _, theirs, item = _conflict(server, pages)
    _click_in(page, item, "[data-take-server]")
    poll(
        "the server's answers on the device",
        lambda: stored_answers(page, audit_id) == theirs,
        page=page,
    )
    flush(page)
    wait_counter(page, "[data-attention-count]", 0)
    wait_counter(page, "[data-pending-audits]", 0)
    assert (idb_get(page, "audits", audit_id).get("server") or {}).get("revision") == 2
    assert _server_revision(server, audit_id) == 2, "taking the server's copy sent something"
    pages.check()


def test_rejected_body_shows_server_message_and_keeps_the_audit(server, pages):
    page, items, values = _setup(server, pages)
    first_section = items[0][0]
    section_items = [(s, i) for s, i in items if s == first_section]
    mine = {i["id"]: values[i["id"]] for _, i in section_items[:3]}

    page.context.set_offline(True)  # keep the entry in the outbox until it is corrupted
    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)
    answer_items(page, section_items, mine)
    wait_saved(page, audit_id, mine)
    result = page.evaluate(CORRUPT_OUTBOX_JS, [f"audit:{audit_id}", "no-such-item"])
    assert result.get("ok"), result

    page.context.set_offline(False)
    flush(page)
    wait_counter(page, "[data-attention-count]", 1)
    go(page, "#/attention")
    item = page.locator(f'[data-attention-item="{audit_id}"]')
    item.wait_for(state="visible")
    assert "no-such-item" in item.text_content(), (
        f"the server's message is not shown: {item.text_content()!r}"
    )
    shots(page, "attention-rejected")

    # Nothing lost: out of the outbox (retrying fails the same way), still on the device.
    assert not [e for e in idb_all(page, "outbox") if audit_id in str(e.get("key"))]
    assert {k: v for k, v in stored_answers(page, audit_id).items() if k in mine} == mine
    assert server.api("GET", f"/api/audits/{audit_id}", user="officer").status_code == 404

    # Still editable: the next save queues a fresh body, which the server takes.
    open_zone(page, ZONE)
    page.click(f'[data-audit-id="{audit_id}"]')
    page.wait_for_selector("[data-item-id]")
    extra_section, extra = section_items[3]
    answer_items(page, [(extra_section, extra)], {extra["id"]: values[extra["id"]]})
    mine[extra["id"]] = values[extra["id"]]
    wait_saved(page, audit_id, mine)
    flush(page)
    poll("the edited audit on the server", lambda: _server_revision(server, audit_id) == 1)
    held = server.audit(audit_id)
    assert {k: v["value"] for k, v in held["answers"].items()} == mine
    pages.check()


def test_returned_audit_shows_comment_and_is_resubmitted(server, pages):
    page, items, values = _setup(server, pages)
    comment = "灭火器压力表请补拍 recheck the extinguisher gauge"

    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)
    answer_items(page, items, values)
    wait_saved(page, audit_id, values)
    submit(page, audit_id)
    flush(page)
    poll("the audit submitted on the server", lambda: _synced(page, audit_id, 1), page=page)
    assert server.audit(audit_id)["status"] == "submitted"

    response = server.api(
        "POST", f"/api/audits/{audit_id}/review", json={"decision": "return", "comment": comment}
    )
    assert response.status_code == 200, response.text

    flush(page)  # then GET /api/changes
    poll(
        "the device to learn it was returned",
        lambda: (idb_get(page, "audits", audit_id) or {}).get("status") == "returned",
        page=page,
    )
    open_zone(page, ZONE)
    page.locator(f'[data-audit-id="{audit_id}"]').wait_for(state="visible")
    on_zone = comment in (page.text_content("body") or "")
    page.click(f'[data-audit-id="{audit_id}"]')
    page.wait_for_selector("[data-item-id]")
    on_audit = comment in (page.text_content("body") or "")
    assert on_zone or on_audit, "the supervisor's comment is shown neither on the zone nor audit"

    # Fix one answer and submit again.
    fixed_section, fixed = next((s, i) for s, i in items if values[i["id"]] != 4)
    values[fixed["id"]] = 4
    answer_items(page, [(fixed_section, fixed)], {fixed["id"]: 4})
    wait_saved(page, audit_id, values)
    submit(page, audit_id)
    flush(page)
    held = poll(
        "the fixed audit submitted again on the server",
        lambda: _resubmitted(server, audit_id),
    )
    assert {k: v["value"] for k, v in held["answers"].items()} == values
    pages.check()


def test_refusal_names_the_item_as_the_officer_knows_it(server, pages):
    page, items, values = _setup(server, pages)
    (_, first), *_ = items
    page.context.set_offline(True)
    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)
    answer_items(page, [items[0]], {first["id"]: values[first["id"]]})
    wait_saved(page, audit_id, {first["id"]: values[first["id"]]})
    result = page.evaluate(CORRUPT_OUTBOX_JS, [f"audit:{audit_id}", first["id"], 9])
    assert result.get("ok"), result
    page.context.set_offline(False)
    flush(page)
    wait_counter(page, "[data-attention-count]", 1)
    go(page, "#/attention")
    item = page.locator(f'[data-attention-item="{audit_id}"]')
    item.wait_for(state="visible")
    shown = item.text_content()
    assert first["label"]["zh"] in shown or first["label"]["en"] in shown, shown
    assert "out of range" in shown
