"""Browser tests: the real server in a subprocess, Debian's Chromium driven by Playwright.

Fixtures
- `server`: one demo server (`--demo --no-demo-audits`) for the whole session, with `.origin`
  (http://localhost:<port>, a secure context, so service workers run) and `.login(user)`.
- `pw`, `browser`: Playwright and a launched Chromium (session-scoped).
- `pages`: a factory for pages at 1024x768 or 768x1024, in a fresh context (`pages.new()`) or a
  persistent profile that survives closing the browser (`pages.persistent(dir)`); every page's
  uncaught errors fail the test.

Helpers (import from this module)
- `shot(page, name)`: screenshot to test-artifacts/screenshots/<name>-<w>x<h>.png, and fail on
  horizontal overflow, naming the elements past the right edge; `shots()` does both sizes.
- `axe_check(page)`: axe-core on the page, failing on serious or critical violations.
- `sign_in(page, origin)`, `app_ready(page)`, `sw_ready(page)`, and IndexedDB access
  (`idb_get`, `idb_all`) that depends only on the stores docs/pwa.md names.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import msgspec
import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Page, sync_playwright

from live import CHROMIUM, CHROMIUM_ARGS, LiveServer
from server.checklists.format import Checklist
from server.checklists.scoring import Answer, score_audit

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
SIZES = (LANDSCAPE, PORTRAIT)
WAIT_MS = 15_000  # any single wait in a browser test
LOCALE = "zh-CN"  # the officers' language; the app picks it from navigator.language


# --- the server ---------------------------------------------------------------------------


class Server:
    """A LiveServer plus what browser tests need: the localhost origin and API helpers."""

    def __init__(self, live: LiveServer):
        self.live = live
        self.port = live.port
        self.base = live.base
        self.origin = f"http://localhost:{live.port}"
        self._tokens: dict[str, dict] = {}

    def headers(self, username: str) -> dict:
        if username not in self._tokens:
            self._tokens[username] = self.live.login(username)
        return self._tokens[username]

    def api(self, method: str, path: str, user: str = "supervisor", **kwargs) -> httpx.Response:
        return httpx.request(
            method, self.base + path, headers=self.headers(user), timeout=15, **kwargs
        )

    def checklist(self, checklist_id: str = "6s-zone", version: int | None = None) -> dict:
        """One version of a checklist; without `version`, the newest (what the tablet runs)."""
        if version is None:
            checklists = self.api("GET", "/api/bootstrap").json()["checklists"]
            return next(c for c in checklists if c["id"] == checklist_id)
        response = self.api("GET", f"/api/checklists/{checklist_id}/{version}")
        response.raise_for_status()
        return response.json()

    def zone(self, zone_id: str) -> dict:
        bootstrap = self.api("GET", "/api/bootstrap").json()
        zones = [zone for site in bootstrap["sites"] for zone in site["zones"]]
        return next(zone for zone in zones if zone["id"] == zone_id)

    def audit_ids(self, user: str = "officer") -> set[str]:
        """Every audit id the server holds for this user (their own, for an officer)."""
        ids, cursor = set(), None
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = self.api("GET", "/api/audits", user=user, params=params).json()
            ids |= {a["id"] for a in page["audits"]}
            cursor = page.get("next_cursor")
            if not cursor:
                return ids

    def audit(self, audit_id: str, user: str = "supervisor") -> dict:
        response = self.api("GET", f"/api/audits/{audit_id}", user=user)
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def running_server(data: Path, pwa_dir: Path | None = None) -> Iterator[Server]:
    """A demo server; with `pwa_dir`, serving that folder at / (GENBA_PWA)."""
    live = LiveServer(data)
    saved = os.environ.get("GENBA_PWA")
    try:
        if pwa_dir is not None:
            os.environ["GENBA_PWA"] = str(pwa_dir)  # LiveServer passes os.environ on
        live.start()
    finally:
        if saved is None:
            os.environ.pop("GENBA_PWA", None)
        else:
            os.environ["GENBA_PWA"] = saved
    try:
        yield Server(live)
    finally:
        live.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("browser-data")) as running:
        yield running


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """The demo dealership with its eight weeks of audits, actions and red tags, made once per
    run here in the test process (the slowest thing a test server could do at start-up)."""
    from conftest import demo_with_audits
    from server.app import create_app

    data = tmp_path_factory.mktemp("demo-data") / "data"
    create_app(demo_with_audits(data)).state.store.close()
    return data


@contextmanager
def demo_server(demo_data: Path, tmp_path_factory, name: str) -> Iterator[Server]:
    """A real server on its own copy of the demo data (tests may write to it)."""
    data = tmp_path_factory.mktemp(name) / "data"
    shutil.copytree(demo_data, data)
    live = LiveServer(data, demo=False).start()
    try:
        yield Server(live)
    finally:
        live.stop()


@pytest.fixture(scope="session")
def pw():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(pw):
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class Pages:
    """Opens pages and remembers every uncaught error they raise."""

    def __init__(self, pw, browser):
        self.pw, self.browser = pw, browser
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []
        self.console: list[str] = []

    def _watch(self, context: BrowserContext) -> BrowserContext:
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        context.on("weberror", lambda e: self.errors.append(f"{e.page and e.page.url}: {e.error}"))

        def console(message) -> None:
            if message.type == "error":
                where = message.location.get("url", "")
                self.console.append(f"{message.text} ({where})")
                # Chromium reports what the server's CSP blocked as a console error: every
                # browser test doubles as a check that the PWA runs under that policy.
                if "Content Security Policy" in message.text:
                    self.errors.append(f"CSP violation: {message.text} ({where})")

        context.on("console", console)
        self.contexts.append(context)
        return context

    def new(self, size: dict = LANDSCAPE) -> Page:
        """A page in a fresh, empty browser context."""
        context = self._watch(
            self.browser.new_context(viewport=size, locale=LOCALE, service_workers="allow")
        )
        return context.new_page()

    def persistent(self, user_data_dir: Path, size: dict = LANDSCAPE) -> Page:
        """A browser on a profile folder: close it and launch again to get the same storage."""
        context = self._watch(
            self.pw.chromium.launch_persistent_context(
                str(user_data_dir),
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                viewport=size,
                locale=LOCALE,
                service_workers="allow",
            )
        )
        return context.pages[0] if context.pages else context.new_page()

    def close(self, page: Page) -> None:
        context = page.context
        context.close()
        if context in self.contexts:
            self.contexts.remove(context)

    def check(self) -> None:
        """Fail on any uncaught error in any page so far (console errors shown as context)."""
        if self.errors:
            errors, self.errors = self.errors, []
            console = "\n  ".join(self.console[-20:]) or "(none)"
            pytest.fail(
                "uncaught errors in the page:\n  "
                + "\n  ".join(errors)
                + f"\nlast console errors:\n  {console}"
            )

    def close_all(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # already gone with its browser
                context.close()
        self.contexts.clear()


@pytest.fixture
def pages(pw, browser) -> Iterator[Pages]:
    factory = Pages(pw, browser)
    yield factory
    factory.close_all()
    factory.check()


# --- helpers ------------------------------------------------------------------------------

_OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    for (const a of el.attributes) if (a.name.startsWith('data-')) s += `[${a.name}="${a.value}"]`;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    return s;
  };
  // Inside a clipping or scrolling box that itself fits, an element cannot widen the page.
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 0.5) {
        return true;
      }
    }
    return false;
  };
  const past = [];
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (rect.right > width + 0.5 && !clipped(el)) {
      past.push(`${describe(el)} right=${Math.round(rect.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, past: past.slice(0, 20)};
}
"""


def shot(page: Page, name: str) -> Path:
    """Save a screenshot named by screen and size; fail if anything sticks out to the right."""
    size = page.viewport_size or LANDSCAPE
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path))
    found = page.evaluate(_OVERFLOW_JS)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(f"page scrollWidth {found['scrollWidth']} > innerWidth {found['width']}")
    problems += [f"past the right edge: {p}" for p in found["past"]]
    assert not problems, f"{name} at {size['width']}x{size['height']}:\n  " + "\n  ".join(problems)
    return path


def shots(page: Page, name: str, axe: bool = True) -> None:
    """`shot` at 1024x768 and 768x1024, axe once; the page keeps its size after.

    axe runs at the first size only: both sizes are the same document (the layout differs,
    which the overflow check of each shot covers), and axe is the slow part of a screen test.
    """
    before = page.viewport_size
    try:
        for n, size in enumerate(SIZES):
            page.set_viewport_size(size)
            page.evaluate("() => window.scrollTo(0, 0)")  # each screen as it opens
            page.wait_for_timeout(100)  # a layout pass after the resize
            shot(page, name)
            if axe and n == 0:
                axe_check(page, name)
    finally:
        if before:
            page.set_viewport_size(before)


_AXE = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_check(page: Page, name: str = "") -> None:
    """Run axe-core on the page; fail listing every serious or critical violation."""
    results = _AXE.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    lines = []
    for violation in bad:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}; "
            f"{len(violation['nodes'])} element(s): {' | '.join(targets)}"
        )
    assert not lines, f"accessibility violations on {name or page.url}:\n  " + "\n  ".join(lines)


def app_ready(page: Page) -> None:
    """Wait until the app has started (`window.__genba.ready` resolved)."""
    page.wait_for_function("() => window.__genba && window.__genba.ready", timeout=WAIT_MS)
    page.evaluate("() => window.__genba.ready.then(() => true)")


def sw_ready(page: Page) -> None:
    """Wait until a service worker is active for the page's scope (its shell cached)."""
    page.evaluate(
        """() => Promise.race([
             navigator.serviceWorker.ready.then(() => true),
             new Promise((_, reject) => setTimeout(
               () => reject(new Error('no active service worker after 15 s')), 15000)),
           ])"""
    )


def sw_controlled(page: Page) -> None:
    """Reload until the page is controlled by the service worker (the first load is not)."""
    sw_ready(page)
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
        app_ready(page)
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=WAIT_MS)


def sign_in(page: Page, origin: str, username: str = "officer", password: str = "demo") -> None:
    """Sign in through the login screen and wait for the zone list (a supervisor starts on the
    review queue, and is taken on to the zones)."""
    page.goto(origin + "/#/login")
    app_ready(page)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("[data-login]")
    page.wait_for_selector("[data-zone-id], [data-review-queue]")
    if not page.locator("[data-zone-id]").count():
        go(page, "#/zones")
        page.wait_for_selector("[data-zone-id]")


def flush(page: Page) -> None:
    page.evaluate("() => window.__genba.flush()")


def counter(page: Page, selector: str) -> int | None:
    text = page.text_content(selector) or ""
    match = re.search(r"\d+", text)
    return int(match.group()) if match else None


def wait_counter(page: Page, selector: str, value: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        seen = counter(page, selector)
        if seen == value:
            return
        page.wait_for_timeout(100)
    pytest.fail(f"{selector} shows {seen!r}, expected {value}")


_IDB_JS = """
async ([store, key]) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('genba');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const tx = db.transaction(store, 'readonly');
    const os = tx.objectStore(store);
    const request = key === null ? os.getAll() : os.get(key);
    const value = await new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    // Blobs do not cross into Python: describe them instead.
    const plain = (v) => {
      if (v instanceof Blob) return {blob: true, size: v.size, type: v.type};
      if (Array.isArray(v)) return v.map(plain);
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
      }
      return v;
    };
    return plain(value === undefined ? null : value);
  } finally {
    db.close();
  }
}
"""


def idb_get(page: Page, store: str, key: str):
    """One record of the app's IndexedDB (`genba`), Blobs as {blob, size, type}."""
    return page.evaluate(_IDB_JS, [store, key])


def idb_all(page: Page, store: str) -> list:
    return page.evaluate(_IDB_JS, [store, None])


# --- data ---------------------------------------------------------------------------------


def jpeg(width: int = 2000, height: int = 1500, seed: int = 0) -> bytes:
    """A camera-sized JPEG with some content, different for each seed."""
    image = Image.new("RGB", (width, height), (40 + seed % 200, 90, 140))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x = (i * 157 + seed * 31) % width
        y = (i * 97 + seed * 17) % height
        draw.rectangle([x, y, x + width // 6, y + height // 8], fill=(255 - i * 15, i * 20, 60))
    draw.text((20, 20), f"genba test photo {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def applicable(checklist: dict, zone_kind: str) -> list[tuple[str, dict]]:
    """(section id, item) for every item of the checklist that applies to the zone kind."""
    return [
        (section["id"], item)
        for section in checklist["sections"]
        for item in section["items"]
        if item.get("zone_kinds") is None or zone_kind in item["zone_kinds"]
    ]


def copy_pwa(target: Path) -> Path:
    shutil.copytree(PWA, target)
    return target


# --- the runner ---------------------------------------------------------------------------

AUDIT_URL = re.compile(r"#/audit/([0-9a-fA-F-]{36})")


def go(page: Page, route: str) -> None:
    """Follow a hash route inside the running app (no page load, works offline)."""
    page.evaluate("(hash) => { location.hash = hash; }", route)


def open_zone(page: Page, zone_id: str) -> None:
    if not page.locator(f'[data-zone-id="{zone_id}"]').count():
        go(page, "#/zones")
    page.click(f'[data-zone-id="{zone_id}"]')
    page.wait_for_selector("[data-start-checklist]")


def start_audit(page: Page, checklist_id: str = "6s-zone") -> str:
    """Start a checklist from the zone screen; the new audit's UUID."""
    page.click(f'[data-start-checklist="{checklist_id}"]')
    page.wait_for_url(AUDIT_URL, timeout=WAIT_MS)
    page.wait_for_selector("[data-item-id]")
    return AUDIT_URL.search(page.url).group(1).lower()


def plan(items: list[tuple[str, dict]], low_every: int = 5) -> dict:
    """A passing answer for every item; every `low_every`th score item a 3 instead of a 4."""
    answers = {}
    for index, (_, item) in enumerate(items):
        kind = item["type"]
        if kind == "score":
            top = int(item.get("max") or 4)
            answers[item["id"]] = top - 1 if index % low_every == low_every - 1 else top
        elif kind == "pass_fail":
            answers[item["id"]] = "pass"
        elif kind == "number":
            answers[item["id"]] = item["min"] if item.get("min") is not None else item.get("max")
        elif kind == "choice":
            options = [o for o in item["options"] if not o.get("fail")]
            answers[item["id"]] = max(options, key=lambda o: o.get("score") or 0)["id"]
    return answers


EVIDENCE_NOTE = "扣分说明 Deduction explained"


def below_max(item: dict, value) -> bool:
    """A score answer under the item's top level: a deduction, which needs a photo or a note
    on a checklist with evidence_below_max (扣分必有依据)."""
    return item["type"] == "score" and value != "na" and value < int(item.get("max") or 4)


def api_answers(items: list[tuple[str, dict]], values: dict) -> dict:
    """Answers for an audit body sent through the API: each deduction with its note."""
    by_id = {item["id"]: item for _, item in items}
    return {
        k: {"value": v, "note": EVIDENCE_NOTE} if below_max(by_id[k], v) else {"value": v}
        for k, v in values.items()
    }


def show_section(page: Page, section_id: str) -> None:
    page.click(f'[data-section-tab="{section_id}"]')


def answer(page: Page, item: dict, value) -> None:
    card = page.locator(f'[data-item-id="{item["id"]}"]')
    if item["type"] == "number":
        field = card.locator("input[data-number]")
        field.fill(str(value))
        field.press("Tab")
    else:
        card.locator(f'button[data-value="{value}"]').click()
        if below_max(item, value):
            card.locator("textarea[data-note]").fill(EVIDENCE_NOTE)  # 扣分必有依据


def answer_items(
    page: Page, items: list[tuple[str, dict]], values: dict, walk: str = "tabs"
) -> None:
    """Answer the items, walking the sections by their tabs, or (walk="next") from the first
    section on by `[data-next-section]`, as an officer going through the zone would."""
    current = None
    for section_id, item in items:
        if section_id != current:
            if walk == "tabs":
                if item["id"] not in values:
                    continue
                show_section(page, section_id)
            elif current is not None:
                page.click("[data-next-section]")
            page.wait_for_selector(f'[data-item-id="{item["id"]}"]', state="visible")
            current = section_id
        if item["id"] in values:
            answer(page, item, values[item["id"]])


def stored_answers(page: Page, audit_id: str) -> dict:
    audit = idb_get(page, "audits", audit_id) or {}
    return {k: (v or {}).get("value") for k, v in (audit.get("answers") or {}).items()}


def wait_saved(page: Page, audit_id: str, values: dict, timeout: float = 15) -> dict:
    """Wait until IndexedDB holds these answers and `[data-saved]` shows; the stored audit."""
    deadline = time.monotonic() + timeout
    stored: dict = {}
    while time.monotonic() < deadline:
        stored = stored_answers(page, audit_id)
        if all(stored.get(k) == v for k, v in values.items()):
            break
        page.wait_for_timeout(100)
    else:
        wrong = {k: (stored.get(k), v) for k, v in values.items() if stored.get(k) != v}
        pytest.fail(f"answers not saved in IndexedDB (stored, given): {wrong}")
    page.wait_for_selector("[data-saved]", state="visible")
    return idb_get(page, "audits", audit_id)


def poll(what: str, check, timeout: float = 15, page: Page | None = None):
    """Call `check` until it returns something truthy; fail naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        if page is not None:
            page.wait_for_timeout(150)
        else:
            time.sleep(0.15)
    pytest.fail(f"timed out waiting for {what}")


def number_in(text: str | None) -> float | None:
    match = re.search(r"-?\d+(?:\.\d+)?", text or "")
    return float(match.group()) if match else None


def python_score(checklist: dict, values: dict, zone_kind: str):
    """The server's scorer on the same answers: what the live preview must show."""
    parsed = msgspec.json.decode(json.dumps(checklist), type=Checklist)  # JSON keys as the API
    answers = {item_id: Answer(value=value) for item_id, value in values.items()}
    return score_audit(parsed, answers, zone_kind)


def submit(page: Page, audit_id: str) -> None:
    """`[data-submit]`, the summary with nothing missing, `[data-confirm-submit]`."""
    page.click("[data-submit]")
    page.wait_for_url(re.compile(rf"#/audit/{audit_id}/summary"), timeout=WAIT_MS)
    page.wait_for_selector("[data-confirm-submit]")
    missing = page.locator("[data-missing]").all_text_contents()
    assert not missing, f"the summary says something is missing: {missing}"
    page.click("[data-confirm-submit]")
    poll(
        "the audit stored as submitted",
        lambda: (idb_get(page, "audits", audit_id) or {}).get("status") == "submitted",
        page=page,
    )
