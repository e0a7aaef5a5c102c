"""A new app version waits while an audit is open, and takes over when the officer says so.

The server serves a copy of pwa/ (GENBA_PWA=<dir>); the test changes the copy's VERSION in
sw.js, and the shell files that carry the same version string, the way a deploy would.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from .conftest import (
    app_ready,
    copy_pwa,
    go,
    idb_get,
    open_zone,
    running_server,
    sign_in,
    start_audit,
    sw_controlled,
)

VERSION = re.compile(r"""\bVERSION\s*=\s*(["'`])([^"'`]+)\1""")
TEXT_FILES = {".js", ".html", ".css", ".json", ".webmanifest", ".svg"}

REGISTRATION_JS = """
async () => {
  const reg = await navigator.serviceWorker.getRegistration();
  return {
    active: !!(reg && reg.active),
    waiting: !!(reg && reg.waiting),
    installing: !!(reg && reg.installing),
    controlled: !!navigator.serviceWorker.controller,
  };
}
"""


def bump_version(pwa: Path) -> tuple[str, str]:
    """Give the copied shell a new VERSION; (old, new)."""
    sw = pwa / "sw.js"
    match = VERSION.search(sw.read_text(encoding="utf-8"))
    assert match, "no VERSION = '...' in pwa/sw.js"
    old = match.group(2)
    new = f"{old}-next"
    for path in pwa.rglob("*"):
        if path.suffix not in TEXT_FILES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        changed = re.sub(rf"""(["'`]){re.escape(old)}\1""", rf"\g<1>{new}\g<1>", text)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
    return old, new


def app_version(page) -> str | None:
    return page.evaluate("() => window.__genba && window.__genba.version")


def wait_version(page, version: str, timeout: float = 15) -> None:
    """Survive the reload the update makes: poll until the new page reports `version`."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = app_version(page)
            if seen == version:
                app_ready(page)
                return
        except Exception:  # the page is navigating: its context is gone for a moment
            pass
        time.sleep(0.2)
    pytest.fail(f"window.__genba.version is {seen!r}, expected {version!r}")


def test_update_waits_for_the_open_audit_then_reload_activates_it(pages, tmp_path):
    pwa = copy_pwa(tmp_path / "pwa")
    with running_server(tmp_path / "data", pwa_dir=pwa) as server:
        page = pages.new()
        sign_in(page, server.origin)
        sw_controlled(page)
        old_sw = (pwa / "sw.js").read_text(encoding="utf-8")
        old = VERSION.search(old_sw).group(2)
        assert app_version(page) == old, "window.__genba.version is not sw.js's VERSION"

        open_zone(page, "hq-workshop")
        audit_id = start_audit(page, "6s-zone")
        _, new = bump_version(pwa)

        # Reloading checks for the new worker; with the audit open it must only be announced.
        page.reload()
        app_ready(page)
        page.wait_for_selector("[data-update-available]", state="visible")
        page.wait_for_selector("[data-item-id]")
        state = page.evaluate(REGISTRATION_JS)
        assert state["waiting"], f"the new worker is not waiting: {state}"
        assert app_version(page) == old
        page.wait_for_timeout(1500)
        state = page.evaluate(REGISTRATION_JS)
        assert state["waiting"] and app_version(page) == old, (
            f"the new worker took over while an audit was open: {state}"
        )

        # Leave the audit; the officer chooses to reload.
        go(page, "#/zones")
        page.wait_for_selector("[data-zone-id]")
        page.click("[data-reload]")
        wait_version(page, new)
        state = page.evaluate(REGISTRATION_JS)
        assert state["controlled"] and not state["waiting"], state
        assert idb_get(page, "audits", audit_id), "the draft is gone after the update"
        assert page.locator("[data-update-available]:visible").count() == 0
        pages.check()
