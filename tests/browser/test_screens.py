"""Every screen at 1024x768 and 768x1024: a screenshot, no horizontal overflow, no serious axe
violation; and the sign-in screen's error and status bar."""

from __future__ import annotations

from .conftest import (
    WAIT_MS,
    answer_items,
    app_ready,
    applicable,
    go,
    open_zone,
    plan,
    shots,
    sign_in,
    start_audit,
    wait_saved,
)

ZONE = "hq-workshop"
CHECKLIST = "6s-zone"
STATUS_BAR = (
    "[data-pending-audits]",
    "[data-pending-photos]",
    "[data-online]",
    "[data-sync-now]",
    "[data-attention-count]",
    "[data-lang-toggle]",
)


def test_every_screen_fits_and_passes_axe(server, pages):
    checklist = server.checklist(CHECKLIST)
    items = applicable(checklist, server.zone(ZONE)["kind"])
    page = pages.new()

    page.goto(server.origin + "/")
    app_ready(page)
    page.wait_for_selector("#username")
    assert page.evaluate("() => document.documentElement.lang").startswith("zh")
    shots(page, "login")

    page.fill("#username", "officer")
    page.fill("#password", "not the password")
    page.click("[data-login]")
    page.wait_for_selector("[data-error]", state="visible")
    assert (page.text_content("[data-error]") or "").strip(), "empty sign-in error"
    shots(page, "login-error")

    page.fill("#password", "demo")
    page.click("[data-login]")
    page.wait_for_selector(f'[data-zone-id="{ZONE}"]')
    for selector in STATUS_BAR:
        assert page.locator(selector).count() >= 1, f"status bar lacks {selector}"
    shots(page, "zones")

    open_zone(page, ZONE)
    shots(page, "zone")

    audit_id = start_audit(page, CHECKLIST)
    first_section = items[0][0]
    section_items = [(s, i) for s, i in items if s == first_section]
    values = plan(section_items)
    answer_items(page, section_items, values)
    wait_saved(page, audit_id, values)
    shots(page, "runner")

    page.click("[data-submit]")
    page.wait_for_selector("[data-confirm-submit]", timeout=WAIT_MS)
    assert page.locator("[data-missing]").count() >= 1, "nothing listed as missing"
    shots(page, "summary")

    go(page, "#/attention")
    page.wait_for_function("() => location.hash === '#/attention'")
    page.wait_for_timeout(200)
    shots(page, "attention-empty")
    pages.check()


def test_touch_targets_are_large_enough(server, pages):
    """Buttons at least 48 px; score buttons at least 64 px (gloved fingers)."""
    checklist = server.checklist(CHECKLIST)
    items = applicable(checklist, server.zone(ZONE)["kind"])
    page = pages.new()
    sign_in(page, server.origin)
    open_zone(page, ZONE)
    start_audit(page, CHECKLIST)
    card = page.locator(f'[data-item-id="{items[0][1]["id"]}"]')
    card.wait_for(state="visible")
    small = card.evaluate(
        """(card) => [...card.querySelectorAll('button[data-value]')]
             .map((b) => [b.dataset.value, b.getBoundingClientRect()])
             .filter(([, r]) => r.width < 64 || r.height < 64)
             .map(([v, r]) => `${v}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert not small, f"score buttons under 64 px: {small}"
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, [role=button], a[href]')]
             .filter((b) => b.offsetParent !== null && !b.closest('[data-item-id] p, p'))
             .map((b) => [b, b.getBoundingClientRect()])
             .filter(([, r]) => r.width > 0 && (r.width < 48 || r.height < 48))
             .map(([b, r]) =>
               `${b.outerHTML.slice(0, 80)}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert not small, "touch targets under 48 px:\n  " + "\n  ".join(small)
    pages.check()
