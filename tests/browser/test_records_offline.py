"""Corrective actions (整改项) and red tags (红牌) on the tablet, offline (docs/actions.md).

The server opens four actions on the mechanical workshop from an audit ten days old (two
overdue, one due in days, one the supervisor has done) and the supervisor's red tag there is
past the site's age limit. The officer signs in, goes offline, is refused "done" without an
after photo and a note, closes the overdue action with both; the page reloads; the officer
raises a red tag with a photo (numbered 临-N on the tablet) and the browser restarts on the same
profile. The runner shows the zone's tags and open actions beside the items that ask. Back
online, one sync puts each record on the server exactly once, although the server's answer to
the tag's first PUT is lost on the way (the retry is a replay); the tablet then shows the
server's number. Offline again, the officer (not the owner) verifies the supervisor's done
action, and it syncs. The zone screen and the close-action screen are looked at in both tablet
sizes: nothing past the right edge, nothing serious in axe.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from .conftest import (
    LANDSCAPE,
    SIZES,
    Server,
    api_answers,
    app_ready,
    applicable,
    axe_check,
    counter,
    flush,
    go,
    idb_all,
    idb_get,
    jpeg,
    open_zone,
    plan,
    poll,
    running_server,
    shot,
    shots,
    sign_in,
    start_audit,
    sw_controlled,
    wait_counter,
)

ZONE = "hq-workshop"  # owner 王建国 (s-wang); the officer (何敏, s-he) owns no zone
# Items of 6s-zone that open an action when failed, due 1, 1, 14 and 7 days after the audit.
CHOSEN = {
    "late": "shine-ws-oil",  # closed by the officer
    "stale": "sus-ws-vehicle-protection",  # left overdue
    "later": "sort-broken-idle",
    "done": "sort-unneeded",  # done by the supervisor, verified by the officer
}
TAG_URL = re.compile(r"#/red-tag/([0-9a-f-]{36})$")
THUMB_SHOWN_JS = "(img) => img.complete && img.naturalWidth > 0"


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """A demo company of its own: the actions and tags made here stay out of other tests."""
    with running_server(tmp_path_factory.mktemp("records-data")) as running:
        yield running


# --- set-up through the API ----------------------------------------------------------------


def six_s(server: Server) -> dict:
    boot = server.api("GET", "/api/bootstrap", user="officer").json()
    return next(c for c in boot["checklists"] if c["id"] == "6s-zone")


def upload(server: Server, data: bytes, user: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    headers = {**server.headers(user), "Content-Type": "image/jpeg"}
    response = httpx.put(f"{server.base}/api/photos/{sha}", content=data, headers=headers)
    assert response.status_code in (200, 201), response.text
    return sha


def open_actions(server: Server, zone: str = ZONE, chosen=CHOSEN) -> tuple[dict, str]:
    """Submit an audit of the zone ten days old failing the chosen items: the id of the action
    each opened, by the names in `chosen`, and the before photo."""
    checklist = six_s(server)
    assert checklist["version"] >= 3, "6s-zone v3 (with `shows`) expected"
    items = applicable(checklist, server.zone(zone)["kind"])
    answers = api_answers(items, plan(items))
    before = upload(server, jpeg(1600, 1200, seed=len(zone)), "officer")
    for name, item_id in chosen.items():
        assert item_id in answers, f"{item_id} does not apply to {zone}"
        answers[item_id] = {"value": 0, "note": f"问题 {name}", "photos": [before]}
    at = datetime.now(UTC) - timedelta(days=10)
    audit_id = str(uuid.uuid4())
    body = {
        "checklist_id": "6s-zone",
        "checklist_version": checklist["version"],
        "zone_id": zone,
        "started_at": (at - timedelta(minutes=30)).isoformat(),
        "submitted_at": at.isoformat(),
        "status": "submitted",
        "answers": answers,
    }
    response = server.api("PUT", f"/api/audits/{audit_id}", user="officer", json=body)
    assert response.status_code == 201, response.text
    ids = {
        name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"genba:action:{audit_id}:{item_id}"))
        for name, item_id in chosen.items()
    }
    for action_id in ids.values():
        assert action(server, action_id)["status"] == "open"
    return ids, before


def action(server: Server, action_id: str) -> dict:
    response = server.api("GET", f"/api/actions/{action_id}")
    assert response.status_code == 200, response.text
    return response.json()


def done_by_supervisor(server: Server, action_id: str) -> None:
    after = upload(server, jpeg(1200, 900, seed=7), "supervisor")
    held = action(server, action_id)
    body = {**held, "status": "done", "after_photos": [after], "note": "已清理"}
    body["base_revision"] = held["revision"]
    response = server.api("PUT", f"/api/actions/{action_id}", json=body)
    assert response.status_code == 200, response.text


def old_tag(server: Server) -> str:
    """The supervisor's red tag, ten days old: past the site's limit (7 days)."""
    tag_id = str(uuid.uuid4())
    body = {
        "zone_id": ZONE,
        "item": "旧轮胎",
        "qty": 4,
        "reason": "三个月未使用",
        "photos": [upload(server, jpeg(1200, 900, seed=9), "supervisor")],
        "tagged_at": (datetime.now(UTC) - timedelta(days=10)).isoformat(),
        "proposed": "discard",
        "status": "open",
        "disposition": None,
        "closed_at": None,
        "note": "",
        "base_revision": None,
    }
    response = server.api("PUT", f"/api/red-tags/{tag_id}", json=body)
    assert response.status_code == 201, response.text
    return tag_id


def zone_tags(server: Server) -> dict:
    response = server.api("GET", "/api/red-tags", params={"zone_id": ZONE, "limit": 100})
    assert response.status_code == 200, response.text
    return {t["id"]: t for t in response.json()["red_tags"]}


# --- the tablet ------------------------------------------------------------------------------


def photo_file(seed: int) -> list[dict]:
    return [{"name": f"p{seed}.jpg", "mimeType": "image/jpeg", "buffer": jpeg(2000, 1500, seed)}]


def offline_reload(page) -> None:
    page.context.set_offline(True)
    page.reload()
    app_ready(page)
    assert page.evaluate("() => !!navigator.serviceWorker.controller"), "reload not via the SW"


def thumbs_shown(page, root: str) -> None:
    imgs = page.locator(f"{root} img[data-thumb]")
    assert imgs.count() >= 1, f"no thumbnail in {root}"
    poll(
        f"the thumbnails in {root} drawn",
        lambda: all(imgs.nth(i).evaluate(THUMB_SHOWN_JS) for i in range(imgs.count())),
        page=page,
    )


def zone_shots(page) -> None:
    """The zone screen at both sizes, scrolled to its actions and red tags; axe once."""
    for n, size in enumerate(SIZES):
        page.set_viewport_size(size)
        page.evaluate("() => document.querySelector('#h-ac').scrollIntoView({block: 'center'})")
        page.wait_for_timeout(100)
        shot(page, "zone-records")
        if n == 0:
            axe_check(page, "zone-records")
    # English is longer: it fits the portrait tablet too.
    page.click("[data-lang-toggle]")
    page.wait_for_selector("html[lang=en] #h-ac")
    page.evaluate("() => document.querySelector('#h-ac').scrollIntoView({block: 'center'})")
    shot(page, "zone-records-en")
    page.click("[data-lang-toggle]")
    page.wait_for_selector("html[lang=zh-CN] #h-ac")
    page.set_viewport_size(LANDSCAPE)


def form_error(page) -> str:
    page.wait_for_function("() => (document.querySelector('[data-form-error]') || {}).textContent")
    return page.text_content("[data-form-error]")


def test_actions_and_red_tags_offline_sync_once_and_verify(shop, pages, tmp_path):
    ids, before = open_actions(shop)
    late, stale, later, done = ids["late"], ids["stale"], ids["later"], ids["done"]
    done_by_supervisor(shop, done)
    overdue_tag = old_tag(shop)
    me = shop.api("GET", "/api/me", user="officer").json()["id"]
    profile = tmp_path / "profile"

    # Online: sign in; the bootstrap fills the stores, the before photo's thumbnail is kept.
    page = pages.persistent(profile)
    sign_in(page, shop.origin)
    sw_controlled(page)
    poll("the actions and the tag on the tablet", lambda: idb_get(page, "actions", late), page=page)
    assert {a["id"] for a in idb_all(page, "actions")} == set(ids.values())
    assert [t["id"] for t in idb_all(page, "red_tags")] == [overdue_tag]
    poll("the before photo cached", lambda: idb_get(page, "photos", before), page=page)

    # Offline: the zone lists its actions, overdue first and marked, and the old tag.
    offline_reload(page)
    open_zone(page, ZONE)
    rows = [e.get_attribute("data-action-id") for e in page.locator("[data-action-id]").all()]
    assert set(rows[:2]) == {late, stale} and rows[2:] == [later, done], "overdue first"
    assert page.get_attribute(f'[data-action-id="{late}"]', "data-overdue") == "true"
    assert page.get_attribute(f'[data-action-id="{later}"]', "data-overdue") == "false"
    assert page.get_attribute(f'[data-action-id="{done}"]', "data-status") == "done"
    assert page.get_attribute(f'[data-red-tag-id="{overdue_tag}"]', "data-over-limit") == "true"
    thumbs_shown(page, f'[data-action-id="{late}"]')

    # Close the overdue action: refused without a photo of the fix, then without a note.
    page.click(f'[data-action-id="{late}"]')
    page.wait_for_selector(f'[data-action="{late}"] form[data-close-form]')
    thumbs_shown(page, "[data-close-form] .side")  # the before photo, beside the camera
    page.click("[data-close-action]")
    assert form_error(page), "done without an after photo was not refused"
    page.set_input_files("[data-after-photos] input[data-photo-input]", files=photo_file(2))
    after = page.locator("[data-after-photos] [data-photo-sha]")
    after.first.wait_for(state="visible")
    after_sha = after.first.get_attribute("data-photo-sha")
    page.evaluate("() => { document.querySelector('[data-form-error]').textContent = ''; }")
    page.click("[data-close-action]")
    assert form_error(page), "done without a note was not refused"
    assert idb_get(page, "actions", late)["status"] == "open"
    page.fill("[data-action-note]", "已清理并补漆")
    shots(page, "close-action")
    page.click("[data-close-action]")
    page.wait_for_selector("[data-saved]", state="visible")
    stored = idb_get(page, "actions", late)
    assert stored["status"] == "done" and stored["after_photos"] == [after_sha], stored
    assert idb_get(page, "outbox", f"action:{late}"), "the close is not queued"

    # The page reloads in the middle; then a new red tag with a photo.
    page.reload()
    app_ready(page)
    go(page, f"#/zone/{ZONE}")
    page.click("[data-new-red-tag]")
    page.wait_for_selector("form[data-red-tag-form]")
    page.set_input_files("[data-tag-photos] input[data-photo-input]", files=photo_file(3))
    tag_photo = page.locator("[data-tag-photos] [data-photo-sha]")
    tag_photo.first.wait_for(state="visible")
    tag_sha = tag_photo.first.get_attribute("data-photo-sha")
    page.fill("#t-item", "旧工具车")
    page.fill("#t-qty", "2")
    page.fill("#t-reason", "已损坏，三个月未使用")
    page.check('input[name="proposed"][value="repair"]')
    page.click("[data-save-tag]")
    page.wait_for_url(TAG_URL)
    tag_id = TAG_URL.search(page.url).group(1)
    page.wait_for_selector("[data-saved]", state="visible")
    assert page.text_content("[data-tag-label]").startswith("临-")
    wait_counter(page, "[data-pending-audits]", 2)
    assert counter(page, "[data-pending-photos]") == 2
    assert action(shop, late)["status"] == "open", "the close reached the server offline"
    assert set(zone_tags(shop)) == {overdue_tag}, "the tag reached the server offline"
    pages.check()

    # Close the browser; start it again on the same profile, still offline.
    pages.close(page)
    page = pages.persistent(profile)
    page.context.set_offline(True)
    page.goto(shop.origin + "/")
    app_ready(page)
    open_zone(page, ZONE)
    assert page.get_attribute(f'[data-action-id="{late}"]', "data-status") == "done"
    assert page.text_content(f'[data-red-tag-id="{tag_id}"] [data-tag-label]').startswith("临-")
    thumbs_shown(page, f'[data-red-tag-id="{tag_id}"]')
    zone_shots(page)

    # The runner: the zone's tags (over the limit first) and open actions beside the items.
    start_audit(page, "6s-zone")
    panel = page.locator('[data-shows="red_tags"]').first
    panel.locator("[data-red-tag-id]").first.wait_for()
    shown = [e.get_attribute("data-red-tag-id") for e in panel.locator("[data-red-tag-id]").all()]
    assert shown == [overdue_tag, tag_id], shown
    panel.scroll_into_view_if_needed()
    shot(page, "runner-red-tags")
    page.click('[data-section-tab="standardize"]')
    acts = page.locator('[data-shows="actions"] [data-action-id]')
    acts.first.wait_for()
    assert [e.get_attribute("data-action-id") for e in acts.all()] == [stale, later]

    # Online: the close, then the tag; the server's answer to the tag's first PUT is lost.
    lost = []

    def lose_first_answer(route):
        if route.request.method == "PUT" and not lost:
            lost.append(route.fetch().status)  # the server stores it; the tablet never hears
            route.abort()
        else:
            route.continue_()

    page.context.route(f"**/api/red-tags/{tag_id}", lose_first_answer)
    page.context.set_offline(False)
    flush(page)
    poll("the tag's first PUT answered and lost", lambda: lost, page=page)
    assert lost == [201]

    def synced():
        flush(page)
        return counter(page, "[data-pending-audits]") == 0

    poll("everything synced", synced, page=page, timeout=20)
    wait_counter(page, "[data-pending-photos]", 0)
    assert idb_all(page, "outbox") == [] and idb_all(page, "attention") == []

    held = action(shop, late)
    assert held["status"] == "done" and held["revision"] == 2, held
    assert held["after_photos"] == [after_sha] and held["done_by"] == me
    assert held["note"] == "已清理并补漆" and held["missing_photos"] == []
    tags = zone_tags(shop)
    assert set(tags) == {overdue_tag, tag_id}, "the tag is not on the server exactly once"
    tag = tags[tag_id]
    assert tag["revision"] == 1 and tag["tag_no"] == 2 and tag["tag_label"] == "RT-0002", tag
    assert tag["photos"] == [tag_sha] and tag["missing_photos"] == []
    assert (tag["item"], tag["qty"], tag["proposed"]) == ("旧工具车", 2, "repair")
    local = idb_get(page, "red_tags", tag_id)
    assert local["tag_label"] == "RT-0002" and local["owner"] is None, local
    go(page, f"#/red-tag/{tag_id}")
    page.wait_for_selector(f'[data-red-tag="{tag_id}"]')
    assert page.text_content("[data-tag-label]") == "RT-0002"

    # Offline again: the officer, not the owner, verifies the supervisor's done action.
    page.context.set_offline(True)
    go(page, f"#/action/{done}")
    page.wait_for_selector(f'[data-action="{done}"] form[data-verify-form]')
    page.fill("[data-action-note]", "复查合格")
    page.click("[data-verify]")
    page.wait_for_selector("[data-saved]", state="visible")
    assert idb_get(page, "actions", done)["status"] == "verified"
    wait_counter(page, "[data-pending-audits]", 1)
    assert action(shop, done)["status"] == "done"

    page.context.set_offline(False)
    poll("the verification synced", synced, page=page, timeout=20)
    verified = action(shop, done)
    assert verified["status"] == "verified" and verified["revision"] == 3, verified
    assert verified["verified_by"] == me and verified["note"].endswith("复查合格")
    pages.check()


# Put a bad value into the queued body of a record, exactly where the app keeps it.
CORRUPT_OUTBOX_JS = """
async ([key, field, value]) => {
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
    if (!entry || !entry.body) return false;
    entry.body[field] = value;
    store.put(entry);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    return true;
  } finally {
    db.close();
  }
}
"""


def test_conflicts_and_refusals_of_records_show_and_resolve(shop, pages):
    zone = "hq-bodyshop"  # owner 李海涛 (s-li)
    ids, _ = open_actions(shop, zone, {"fix": "sort-unneeded"})
    fix = ids["fix"]
    page = pages.new()
    sign_in(page, shop.origin)
    poll("the action on the tablet", lambda: idb_get(page, "actions", fix), page=page)

    # Offline the officer closes it; meanwhile the supervisor moves its due day.
    page.context.set_offline(True)
    go(page, f"#/action/{fix}")
    page.wait_for_selector("form[data-close-form]")
    page.set_input_files("[data-after-photos] input[data-photo-input]", files=photo_file(11))
    page.locator("[data-after-photos] [data-photo-sha]").first.wait_for()
    page.fill("[data-action-note]", "纸箱已清走")
    page.click("[data-close-action]")
    page.wait_for_selector("[data-saved]", state="visible")
    held = action(shop, fix)
    later_due = (datetime.fromisoformat(held["due"]) + timedelta(days=3)).date().isoformat()
    moved = shop.api(
        "PUT",
        f"/api/actions/{fix}",
        json={**held, "due": later_due, "base_revision": held["revision"]},
    )
    assert moved.status_code == 200, moved.text

    # Online: 409; the attention screen shows both sides; keep mine puts done on top.
    page.context.set_offline(False)
    flush(page)
    wait_counter(page, "[data-attention-count]", 1)
    assert action(shop, fix)["status"] == "open"
    go(page, "#/attention")
    item = page.locator(f'[data-attention-item="{fix}"]')
    item.wait_for()
    cells = item.locator("table.diff tbody tr").all_text_contents()
    assert any("已完成待验证" in row and "待整改" in row for row in cells), cells
    assert any(later_due in row for row in cells), cells
    shots(page, "record-conflict")
    item.locator("[data-keep-mine]").click()
    poll("kept and synced", lambda: action(shop, fix)["status"] == "done", page=page)
    kept = action(shop, fix)
    assert kept["due"] == later_due and kept["revision"] == 3, kept
    wait_counter(page, "[data-attention-count]", 0)

    # A new red tag: the form says what is missing before anything is saved.
    go(page, f"#/zone/{zone}/red-tag/new")
    page.wait_for_selector("form[data-red-tag-form]")
    page.click("[data-save-tag]")
    assert page.text_content('[data-error-for="item"]')
    assert page.text_content('[data-error-for="photos"]')
    assert page.get_attribute("#t-item", "aria-invalid") == "true"
    assert idb_all(page, "red_tags") == [] or all(
        t["zone_id"] != zone for t in idb_all(page, "red_tags")
    )
    shots(page, "red-tag-new")
    page.set_input_files("[data-tag-photos] input[data-photo-input]", files=photo_file(12))
    page.locator("[data-tag-photos] [data-photo-sha]").first.wait_for()
    page.fill("#t-item", "废机油桶")
    page.fill("#t-reason", "空桶")
    page.check('input[name="proposed"][value="sell"]')
    page.click("[data-save-tag]")
    page.wait_for_url(TAG_URL)
    tag_id = TAG_URL.search(page.url).group(1)
    assert page.text_content("[data-tag-label]").startswith("临-")
    flush(page)
    # The screen follows the sync: the server's number replaces the provisional one.
    page.wait_for_function(
        "() => /^RT-\\d{4}$/.test(document.querySelector('[data-tag-label]').textContent)"
    )
    assert page.text_content("[data-tag-label]") == _tag(shop, tag_id)["tag_label"]
    page.wait_for_selector(f'[data-red-tag="{tag_id}"] form[data-close-tag-form]')
    shots(page, "red-tag")

    # A change the server refuses (qty 0 slipped into the queue): its message, then discard.
    page.context.set_offline(True)
    page.click("[data-edit-tag]")
    page.wait_for_selector("form[data-red-tag-form]")
    page.fill("#t-qty", "3")
    page.click("[data-save-tag]")
    page.wait_for_selector("[data-saved]", state="visible")
    assert page.evaluate(CORRUPT_OUTBOX_JS, [f"red-tag:{tag_id}", "qty", 0])
    page.context.set_offline(False)
    flush(page)
    wait_counter(page, "[data-attention-count]", 1)
    go(page, "#/attention")
    refused = page.locator(f'[data-attention-item="{tag_id}"]')
    refused.wait_for()
    assert "$.qty" in refused.text_content()  # the server's word, by the field it names
    refused.locator("[data-take-server]").click()
    wait_counter(page, "[data-attention-count]", 0)
    assert idb_get(page, "red_tags", tag_id)["qty"] == 1
    assert idb_all(page, "outbox") == []

    # Close the tag: a disposition is asked for; then it syncs as closed.
    go(page, f"#/red-tag/{tag_id}")
    page.wait_for_selector("form[data-close-tag-form]")
    page.click("[data-close-tag]")
    assert page.text_content('[data-error-for="disposition"]')
    page.check('input[name="disposition"][value="sell"]')
    page.click("[data-close-tag]")
    page.wait_for_selector("[data-saved]", state="visible")
    flush(page)
    poll("the tag closed on the server", lambda: _tag(shop, tag_id)["status"] == "closed")
    closed = _tag(shop, tag_id)
    assert closed["disposition"] == "sell" and closed["closed_at"] and closed["revision"] == 2
    assert closed["qty"] == 1
    wait_counter(page, "[data-pending-audits]", 0)


def _tag(server: Server, tag_id: str) -> dict:
    response = server.api("GET", f"/api/red-tags/{tag_id}")
    assert response.status_code == 200, response.text
    return response.json()
