"""A whole shift offline: an audit with a photo survives closing the browser and syncs once.

Sign in online; go offline; the service worker serves the shell on reload; fill the 6S
checklist of the workshop with a photo; the live score is the server's score; close the browser
and start it again on the same profile; the draft and the photo are still there; submit offline
(one audit pending); back online, one flush puts exactly that audit and its photo on the server.
"""

from __future__ import annotations

from .conftest import (
    answer_items,
    app_ready,
    applicable,
    counter,
    flush,
    idb_all,
    idb_get,
    jpeg,
    number_in,
    open_zone,
    plan,
    poll,
    python_score,
    show_section,
    sign_in,
    start_audit,
    stored_answers,
    submit,
    sw_controlled,
    wait_counter,
    wait_saved,
)

ZONE = "hq-workshop"
CHECKLIST = "6s-zone"

# The sha256 of a photo's Blob as stored, computed in the page like the app does.
BLOB_SHA_JS = """
async (sha) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('genba');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const record = await new Promise((resolve, reject) => {
      const request = db.transaction('photos').objectStore('photos').get(sha);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    if (!record || !(record.blob instanceof Blob)) return null;
    const digest = await crypto.subtle.digest('SHA-256', await record.blob.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  } finally {
    db.close();
  }
}
"""

THUMB_LOADED_JS = """
(el) => {
  const img = el.tagName === 'IMG' ? el : el.querySelector('img');
  if (!img) return true;  // a background image or canvas: visible is all we can ask
  return img.complete && img.naturalWidth > 0;
}
"""


def test_offline_audit_with_photo_survives_restart_and_syncs_once(server, pages, tmp_path):
    checklist = server.checklist(CHECKLIST)
    zone_kind = server.zone(ZONE)["kind"]
    items = applicable(checklist, zone_kind)
    values = plan(items)
    before = server.audit_ids("officer")
    profile = tmp_path / "profile"

    # Online: sign in, let the service worker cache the shell.
    page = pages.persistent(profile)
    sign_in(page, server.origin)
    sw_controlled(page)

    # Offline from here on; the worker serves the shell.
    page.context.set_offline(True)
    page.reload()
    app_ready(page)
    assert page.evaluate("() => !!navigator.serviceWorker.controller"), "reload not via the SW"
    page.wait_for_selector(f'[data-zone-id="{ZONE}"]')
    open_zone(page, ZONE)
    audit_id = start_audit(page, CHECKLIST)

    answer_items(page, items, values, walk="next")
    wait_saved(page, audit_id, values)

    # A photo on the first item.
    photo_section, photo_item = items[0]
    show_section(page, photo_section)
    card = page.locator(f'[data-item-id="{photo_item["id"]}"]')
    card.locator("input[type=file][data-photo-input]").first.set_input_files(
        files=[{"name": "finding.jpg", "mimeType": "image/jpeg", "buffer": jpeg(2000, 1500)}]
    )
    thumb = card.locator("[data-photo-sha]")
    thumb.first.wait_for(state="visible")
    sha = thumb.first.get_attribute("data-photo-sha")
    assert sha and len(sha) == 64, f"data-photo-sha is {sha!r}"
    stored = poll(
        "the photo in IndexedDB, named by its answer",
        lambda: _photo_record(page, audit_id, photo_item["id"], sha),
        page=page,
    )
    assert stored["blob"]["blob"] and stored["blob"]["size"] > 0, stored
    assert stored.get("uploaded") is False, f"uploaded while offline? {stored.get('uploaded')}"
    assert page.evaluate(BLOB_SHA_JS, sha) == sha, "the key is not the sha256 of the stored JPEG"

    # The live score is the server's score for the same answers.
    expected = python_score(checklist, values, zone_kind)
    live = number_in(page.text_content("[data-live-score]"))
    assert live == expected.percent, f"live score {live}, server's scorer {expected.percent}"
    assert page.locator("svg[data-radar]").count() >= 1, "no radar chart"
    for section_id, section_score in expected.sections.items():
        shown = page.locator(f'[data-section-score="{section_id}"]')
        if shown.count():
            number = number_in(shown.first.text_content())
            assert number in (section_score.percent, int(section_score.percent + 0.5)), (
                f"section {section_id}: shows {number}, expected {section_score.percent}"
            )
    pages.check()

    # Close the browser; start it again on the same profile, still offline.
    pages.close(page)
    page = pages.persistent(profile)
    page.context.set_offline(True)
    page.goto(server.origin + "/")
    app_ready(page)
    page.wait_for_selector(f'[data-zone-id="{ZONE}"]')
    open_zone(page, ZONE)
    page.click(f'[data-audit-id="{audit_id}"]')
    page.wait_for_selector("[data-item-id]")
    assert {k: v for k, v in stored_answers(page, audit_id).items() if k in values} == values
    show_section(page, photo_section)
    thumb = page.locator(f'[data-item-id="{photo_item["id"]}"] [data-photo-sha="{sha}"]')
    thumb.wait_for(state="visible")
    assert thumb.evaluate(THUMB_LOADED_JS), "the thumbnail image did not load after restart"

    submit(page, audit_id)
    wait_counter(page, "[data-pending-audits]", 1)
    assert counter(page, "[data-pending-photos]") == 1
    assert server.audit_ids("officer") == before, "something reached the server while offline"

    # Online: one flush sends the photo, then the audit.
    page.context.set_offline(False)
    flush(page)
    wait_counter(page, "[data-pending-audits]", 0)
    wait_counter(page, "[data-pending-photos]", 0)
    assert idb_all(page, "outbox") == [], "the outbox is not empty after a good sync"
    assert idb_get(page, "photos", sha)["uploaded"] is True

    new = server.audit_ids("officer") - before
    assert new == {audit_id}, f"the server got {new}, expected exactly {{{audit_id}}}"
    held = server.audit(audit_id)
    assert held["status"] == "submitted"
    assert held["complete"] is True and held["missing_photos"] == []
    assert {k: v["value"] for k, v in held["answers"].items()} == values
    assert held["answers"][photo_item["id"]]["photos"] == [sha]
    assert held["score"]["percent"] == expected.percent
    head = server.api("HEAD", f"/api/photos/{sha}")
    assert head.status_code == 200, f"HEAD /api/photos/{sha}: {head.status_code}"
    local = idb_get(page, "audits", audit_id)
    assert (local.get("server") or {}).get("revision") == held["revision"] == 1
    pages.check()


def _photo_record(page, audit_id: str, item_id: str, sha: str) -> dict | None:
    """The photo's IndexedDB record once the item's answer names it."""
    answers = (idb_get(page, "audits", audit_id) or {}).get("answers") or {}
    if sha not in (answers.get(item_id) or {}).get("photos", []):
        return None
    return idb_get(page, "photos", sha)
