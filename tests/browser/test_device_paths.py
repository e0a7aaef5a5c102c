"""Smaller paths on the tablet: removing a photo, switching language, a sign-in that expired."""

from __future__ import annotations

import httpx

from .conftest import (
    answer_items,
    applicable,
    counter,
    flush,
    idb_get,
    jpeg,
    open_zone,
    plan,
    poll,
    sign_in,
    start_audit,
    wait_counter,
    wait_saved,
)

ZONE = "hq-workshop"


def _first_section(server):
    items = applicable(server.checklist("6s-zone"), server.zone(ZONE)["kind"])
    first = [(s, i) for s, i in items if s == items[0][0]]
    return first, plan(first)


def test_a_photo_can_be_removed_before_submit(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, ZONE)
    audit_id = start_audit(page)
    (_, item), *_ = _first_section(server)[0]
    card = page.locator(f'[data-item-id="{item["id"]}"]')
    card.locator("input[type=file][data-photo-input]").first.set_input_files(
        files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1200, 900, seed=7)}]
    )
    card.locator("[data-photo-sha]").first.wait_for(state="visible")
    sha = card.locator("[data-photo-sha]").first.get_attribute("data-photo-sha")
    card.locator("button[data-remove-photo]").first.click()
    card.locator("[data-photo-sha]").first.wait_for(state="detached")

    def photos_gone():
        answer = (idb_get(page, "audits", audit_id) or {}).get("answers", {}).get(item["id"])
        return answer is not None and answer.get("photos") == []

    poll("the answer to name no photo", photos_gone, page=page)
    wait_counter(page, "[data-pending-photos]", 0)
    assert idb_get(page, "photos", sha) is None, "the removed photo's blob is still stored"


def test_language_switches_and_sticks(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    heading = page.text_content("h1")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.click("[data-lang-toggle]")
    poll("English", lambda: page.evaluate("document.documentElement.lang") == "en", page=page)
    assert page.text_content("h1") != heading
    page.reload()
    page.wait_for_selector("[data-zone-id]")
    assert page.evaluate("document.documentElement.lang") == "en", "the choice did not stick"
    page.click("[data-lang-toggle]")
    poll("Chinese", lambda: page.evaluate("document.documentElement.lang") == "zh-CN", page=page)


def test_expired_sign_in_keeps_the_work_and_syncs_it_once_after_signing_in(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, ZONE)
    audit_id = start_audit(page)
    items, values = _first_section(server)
    # The device's token stops working (as when it expires) before it syncs anything.
    token = idb_get(page, "kv", "session")["token"]
    signed_out = httpx.post(
        server.base + "/api/logout", headers={"Authorization": f"Bearer {token}"}, timeout=15
    )
    assert signed_out.status_code == 200
    answer_items(page, items, values)
    wait_saved(page, audit_id, values)
    flush(page)
    page.locator('a[href="#/login"]').first.wait_for(state="visible")
    assert counter(page, "[data-pending-audits]") == 1
    assert server.api("GET", f"/api/audits/{audit_id}").status_code == 404

    page.click('a[href="#/login"]')
    page.fill("#password", "demo")
    if not page.input_value("#username"):
        page.fill("#username", "officer")
    page.click("[data-login]")
    page.wait_for_selector("[data-zone-id], [data-item-id]")
    flush(page)
    wait_counter(page, "[data-pending-audits]", 0)
    held = server.audit(audit_id)
    assert held["revision"] == 1
    assert {k: v["value"] for k, v in held["answers"].items()} == values


def test_server_errors_and_lost_connections_keep_the_audit_queued(server, pages):
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, ZONE)
    audit_id = start_audit(page)
    items, values = _first_section(server)
    answer_items(page, items, values)
    wait_saved(page, audit_id, values)
    tried = []

    def failing(how):
        def handle(route):
            tried.append(how)
            if how == "503":
                route.fulfill(status=503, body="{}")
            else:
                route.abort("connectionreset")

        return handle

    for failure in ("503", "abort"):
        page.route("**/api/audits/*", failing(failure))
        flush(page)
        assert tried[-1:] == [failure], f"the flush never tried the server ({tried})"
        assert counter(page, "[data-pending-audits]") == 1, f"{failure} emptied the outbox"
        assert server.api("GET", f"/api/audits/{audit_id}").status_code == 404
        page.unroute("**/api/audits/*")
    flush(page)
    wait_counter(page, "[data-pending-audits]", 0)
    assert server.audit(audit_id)["revision"] == 1


def test_qr_label_url_opens_its_zone_after_sign_in(server, pages):
    page = pages.new()
    page.goto(server.origin + "/#/zone/hq-bodyshop")
    page.wait_for_selector("#username")
    page.fill("#username", "officer")
    page.fill("#password", "demo")
    page.click("[data-login]")
    page.wait_for_selector('[data-start-checklist="6s-zone"]')
    assert page.url.endswith("#/zone/hq-bodyshop")


def test_manifest_makes_the_app_installable(server, pages):
    page = pages.new()
    page.goto(server.origin + "/")
    href = page.get_attribute('link[rel="manifest"]', "href")
    manifest = page.evaluate("(href) => fetch(href).then((r) => r.json())", href)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert manifest["name"] and manifest["theme_color"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        status = page.evaluate("(src) => fetch(src).then((r) => r.status)", icon["src"])
        assert status == 200, icon["src"]
