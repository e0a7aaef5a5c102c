"""PWA benchmark: the officer's tablet app in Chromium against the real Genba server.

    .venv/bin/python bench/pwa.py [--runs 5] [--photos 300] [--keep]

What it measures (see bench/pwa.md), each against its budget, printed with PASS/FAIL:

1. App shell bytes: the sum of the files pwa/sw.js precaches (its list parsed from the file),
   as stored on disk, uncompressed (gzip shown for information).
2. First load to usable: navigation start to `window.__genba.ready` resolved and the zone list
   rendered (`[data-zone-id]`), signed in, with no service worker, no Cache Storage and an
   empty HTTP cache (what a tablet sees the first time after sign-in, or after a cache wipe).
3. Offline reload: the same figure with the network off, served by the service worker.
4. Opening a checklist: click on `[data-start-checklist="6s-zone"]` in the workshop zone (43
   items apply) to the first section's items in the DOM (`[data-item-id]`).
5. Saving an answer: click on a score button to `[data-saved]` showing the save committed.
6. With 300 photos in IndexedDB (real JPEG blobs with thumbnails, as photos.js stores them):
   opening the zone list (hash route to `[data-zone-id]`), opening a draft audit
   (`[data-audit-id]` click to `[data-item-id]`), and the offline reload again.

Every figure is the median of --runs tries, timed in the page with performance.now(), so
Playwright's round trips are not in it. Chromium is Debian's (/usr/bin/chromium); the server
is `python -m server serve --demo --no-demo-audits` on a free port, reached as localhost.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from live import CHROMIUM, CHROMIUM_ARGS, LiveServer  # noqa: E402

PWA = ROOT / "pwa"
VIEWPORT = {"width": 1024, "height": 768}
ZONE, CHECKLIST = "hq-workshop", "6s-zone"
WAIT_MS = 15_000

# Budgets
SHELL_KB = 150
FIRST_LOAD_MS = 1000
OFFLINE_RELOAD_MS = 300
OPEN_CHECKLIST_MS = 100
SAVE_MS = 20
OPEN_SCREEN_MS = 100  # zone list and an audit, with the photos stored
PHOTO_ITEMS, PHOTOS_PER_ITEM = 7, 5  # on the measured draft: its first section, 5 each (max)

# Runs before the app's first script: when it is ready and when the zone list appears, in ms
# since navigation start (performance.now() in the new document).
TIMING_INIT = """
(() => {
  const sw = navigator.serviceWorker;
  const marks = (window.__bench = {ready: null, zones: null, controlled: !!(sw && sw.controller)});
  let genba;
  Object.defineProperty(window, '__genba', {
    configurable: true,
    enumerable: true,
    get() { return genba; },
    set(value) {
      genba = value;
      if (value && value.ready && typeof value.ready.then === 'function') {
        value.ready.then(() => { if (marks.ready === null) marks.ready = performance.now(); });
      }
    },
  });
  new MutationObserver((_, observer) => {
    if (marks.zones === null && document.querySelector('[data-zone-id]')) {
      marks.zones = performance.now();
      observer.disconnect();
    }
  }).observe(document, {subtree: true, childList: true});
})();
"""

# After the zones showed: when both had happened (a `ready` set later than the object itself is
# awaited here, which can only make the figure larger).
USABLE_JS = """
async () => {
  const marks = window.__bench;
  if (marks.ready === null) {
    await window.__genba.ready;
    if (marks.ready === null) marks.ready = performance.now();
  }
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return {ready: marks.ready, zones: marks.zones, usable: Math.max(marks.ready, marks.zones),
          controlled: marks.controlled,
          network: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0)};
}
"""

# Do something in the page and time it until `until` matches, by MutationObserver; also until
# the frame after (requestAnimationFrame, then a task: the DOM painted).
TIME_ACTION_JS = """
async ([kind, target, until]) => {
  if (document.querySelector(until)) throw new Error(`${until} is there before ${target}`);
  let observer;
  const done = new Promise((resolve) => {
    observer = new MutationObserver(() => {
      if (document.querySelector(until)) resolve(performance.now());
    });
    observer.observe(document, {subtree: true, childList: true, attributes: true});
  });
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`no ${until} after 10 s`)), 10000));
  const start = (window.__benchStart = performance.now());
  if (kind === 'click') document.querySelector(target).click();
  else location.hash = target;
  try {
    const dom = (await Promise.race([done, timeout])) - start;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return {dom, painted: performance.now() - start};
  } finally {
    observer.disconnect();
  }
}
"""

# Click a score button and time it until [data-saved] shows the save made after the click.
# The runner hides [data-saved] when an answer changes and shows it again once the transaction
# has committed; so: visible again after being hidden, or visible with a different state.
TIME_SAVE_JS = """
async ([itemId, value]) => {
  const button = document.querySelector(`[data-item-id="${itemId}"] button[data-value="${value}"]`);
  if (!button) throw new Error(`no button ${value} for ${itemId}`);
  const state = () => {
    const el = document.querySelector('[data-saved]');
    if (!el) return {visible: false, key: null};
    const visible = !el.hidden && el.getClientRects().length > 0;
    const attrs = [...el.attributes].map((a) => `${a.name}=${a.value}`).join(' ');
    return {visible, key: `${visible}|${attrs}|${el.textContent}`};
  };
  const before = state();
  let hiddenSince = !before.visible;
  let observer;
  const done = new Promise((resolve) => {
    observer = new MutationObserver(() => {
      const now = state();
      if (!now.visible) hiddenSince = true;
      else if (hiddenSince || now.key !== before.key) resolve(performance.now());
    });
    observer.observe(document, {subtree: true, childList: true, attributes: true,
                                characterData: true});
  });
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('[data-saved] did not show a new save after 10 s')), 10000));
  const start = performance.now();
  button.click();
  try {
    return (await Promise.race([done, timeout])) - start;
  } finally {
    observer.disconnect();
  }
}
"""

# `count` photos as photos.js stores them, not uploaded yet (a shift offline); the first
# `perItem` x items.length belong to the draft `auditId`, named by its answers (each item 4,
# with its photos), the rest to other audits.
STORE_PHOTOS_JS = """
async ([jpegB64, thumbB64, count, auditId, itemIds, perItem]) => {
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const jpeg = bytes(jpegB64), thumb = bytes(thumbB64);
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('genba');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const done = (tx) => new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  try {
    const hex = (n) => [...crypto.getRandomValues(new Uint8Array(n))]
      .map((b) => b.toString(16).padStart(2, '0')).join('');
    const named = {};
    const own = itemIds.length * perItem;
    for (let start = 0; start < count; start += 25) {
      const tx = db.transaction('photos', 'readwrite');
      for (let i = start; i < Math.min(count, start + 25); i++) {
        // Distinct bytes per photo (a tail after the JPEG's end marker), like real photos.
        const tail = new Uint8Array([i & 255, i >> 8, 0x47, 0x42]);
        const sha256 = hex(32);
        const itemId = i < own ? itemIds[Math.floor(i / perItem)] : 'sort-unneeded';
        if (i < own) (named[itemId] ||= []).push(sha256);
        tx.objectStore('photos').put({
          sha256,
          blob: new Blob([jpeg, tail], {type: 'image/jpeg'}),
          thumb: new Blob([thumb, tail], {type: 'image/jpeg'}),
          audit_id: i < own ? auditId : crypto.randomUUID(),
          item_id: itemId,
          created_at: new Date(Date.now() - i * 60000).toISOString(),
          uploaded: false,
          pending: 1,  // db.js's sparse index of photos still to upload
        });
      }
      await done(tx);
    }
    const tx = db.transaction('audits', 'readwrite');
    const audits = tx.objectStore('audits');
    const audit = await new Promise((resolve) => {
      const request = audits.get(auditId);
      request.onsuccess = () => resolve(request.result);
    });
    for (const [itemId, shas] of Object.entries(named)) {
      audit.answers[itemId] = {value: 4, note: '', photos: shas};
    }
    audits.put(audit);
    await done(tx);
    return await new Promise((resolve) => {
      const request = db.transaction('photos').objectStore('photos').count();
      request.onsuccess = () => resolve(request.result);
    });
  } finally {
    db.close();
  }
}
"""

# After opening an audit: ms from the same start until every thumbnail shown is decoded.
THUMBS_LOADED_JS = """
async () => {
  const start = window.__benchStart;
  const loaded = () => [...document.querySelectorAll('[data-photo-sha] img')]
    .every((img) => img.complete && img.naturalWidth > 0);
  const limit = performance.now() + 10000;
  while (!loaded()) {
    if (performance.now() > limit) throw new Error('thumbnails not loaded after 10 s');
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return {ms: performance.now() - start,
          count: document.querySelectorAll('[data-photo-sha] img').length};
}
"""

CLEAR_OFFLINE_STATE_JS = """
async () => {
  for (const reg of await navigator.serviceWorker.getRegistrations()) await reg.unregister();
  for (const key of await caches.keys()) await caches.delete(key);
}
"""


# --- the shell ----------------------------------------------------------------------------


def precached_files(sw_js: str) -> list[str]:
    """The URLs of the largest array of string literals in sw.js: its precache list."""
    best: list[str] = []
    for match in re.finditer(r"\[([^\[\]]*)\]", sw_js):
        body = re.sub(r"//[^\n]*", "", match.group(1))
        strings = re.findall(r"""(["'`])([^"'`]*)\1""", body)
        rest = re.sub(r"""(["'`])([^"'`]*)\1""", "", body)
        if strings and not rest.replace(",", "").strip() and len(strings) > len(best):
            best = [s for _, s in strings]
    return best


def shell_file(url: str) -> Path:
    path = url.split("?")[0].split("#")[0].lstrip("./").lstrip("/")
    if path in ("", "index.html") or path.endswith("/"):
        return PWA / path / "index.html" if path else PWA / "index.html"
    return PWA / path


def shell_size() -> tuple[int, int, list[str], list[str]]:
    """(bytes, gzip bytes, files, missing files) of the precache list."""
    files = precached_files((PWA / "sw.js").read_text(encoding="utf-8"))
    total = zipped = 0
    missing, seen = [], set()
    for url in files:
        path = shell_file(url)
        if path in seen:
            continue
        seen.add(path)
        if not path.is_file():
            missing.append(url)
            continue
        data = path.read_bytes()
        total += len(data)
        zipped += len(gzip.compress(data, 6))
    return total, zipped, files, missing


# --- photos -------------------------------------------------------------------------------


def photo_jpegs() -> tuple[bytes, bytes]:
    """A 1600x1200 photo-like JPEG (~ what photos.js stores) and its 240 px thumbnail."""
    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(30):
        x, y = (i * 211) % 1500, (i * 137) % 1100
        draw.rectangle([x, y, x + 180, y + 120], fill=(30 + i * 7, 120, 200 - i * 5))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    thumb = image.copy()
    thumb.thumbnail((240, 240))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=70)
    return out.getvalue(), small.getvalue()


# --- the browser --------------------------------------------------------------------------


def wait_ready(page: Page) -> None:
    page.wait_for_function("() => window.__genba && window.__genba.ready", timeout=WAIT_MS)
    page.evaluate("() => window.__genba.ready.then(() => true)")


def sign_in(page: Page, origin: str) -> None:
    page.goto(origin + "/#/login")
    wait_ready(page)
    page.fill("#username", "officer")
    page.fill("#password", "demo")
    page.click("[data-login]")
    page.wait_for_selector("[data-zone-id]")


def usable_after(page: Page, load, info: list | None = None) -> float:
    """Run `load` (a navigation); ms from its navigation start to ready + zones rendered."""
    if "#/zones" not in page.url and page.url.startswith("http"):
        page.evaluate("() => { location.hash = '#/zones'; }")
        page.wait_for_selector("[data-zone-id]", timeout=WAIT_MS)
    load()
    page.wait_for_selector("[data-zone-id]", timeout=WAIT_MS)
    marks = page.evaluate(USABLE_JS)
    if info is not None:
        info.append(marks)
    return marks["usable"]


def time_action(page: Page, kind: str, target: str, until: str) -> dict:
    """{dom: ms until `until` is in the DOM, painted: ms until the frame after}."""
    return page.evaluate(TIME_ACTION_JS, [kind, target, until])


def to_zone(page: Page) -> None:
    page.evaluate("(h) => { location.hash = h; }", f"#/zone/{ZONE}")
    page.wait_for_selector(f'[data-start-checklist="{CHECKLIST}"]')


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_runs(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" if v >= 10 else f"{v:.1f}" for v in values)


def run(args) -> list[tuple[str, float, float, str, str]]:
    """Every measurement: (label, value, budget, unit, detail)."""
    results = []
    total, zipped, files, missing = shell_size()
    detail = f"{len(files)} files, gzip {zipped / 1024:.1f} KB"
    if missing:
        detail += f"; not in pwa/: {', '.join(missing)}"
    results.append(("app shell (sw.js precache)", total / 1024, SHELL_KB, "KB", detail))
    print(f"app shell: {len(files)} precached files: {' '.join(files)}")

    workdir = Path(tempfile.mkdtemp(prefix="genba-pwa-bench-"))
    live = LiveServer(workdir / "data")
    live.start()
    origin = f"http://localhost:{live.port}"
    print(f"server: {origin} (data {workdir / 'data'})")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            context.set_default_timeout(WAIT_MS)
            context.add_init_script(TIMING_INIT)
            errors: list[str] = []
            context.on("weberror", lambda e: errors.append(str(e.error)))
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            sign_in(page, origin)

            # 2. first load, cold: no worker, no caches, empty HTTP cache; signed in.
            cold, info = [], []
            for _ in range(args.runs):
                page.evaluate(CLEAR_OFFLINE_STATE_JS)
                cdp.send("Network.clearBrowserCache")
                page.goto("about:blank")
                cold.append(usable_after(page, lambda: page.goto(origin + "/#/zones"), info))
            controlled = sum(i["controlled"] for i in info)
            network = median([i["network"] / 1024 for i in info])
            results.append(
                (
                    "first load to usable (cold)",
                    median(cold),
                    FIRST_LOAD_MS,
                    "ms",
                    f"{fmt_runs(cold)}; {network:.0f} KB over the network, "
                    f"{controlled} of {len(info)} loads had a service worker",
                )
            )

            # 3. offline reload through the worker
            page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
            page.reload()
            page.wait_for_function("() => !!navigator.serviceWorker.controller")
            context.set_offline(True)
            offline = [usable_after(page, page.reload) for _ in range(args.runs)]
            context.set_offline(False)
            results.append(
                (
                    "offline reload (service worker)",
                    median(offline),
                    OFFLINE_RELOAD_MS,
                    "ms",
                    fmt_runs(offline),
                )
            )

            # 4. opening the 6S checklist of the workshop
            wait_ready(page)
            opens, painted, audit_ids = [], [], []
            for run_no in range(args.runs):
                to_zone(page)
                start = f'[data-start-checklist="{CHECKLIST}"]'
                if run_no:
                    # A draft of it exists now: starting asks first; "start a new one" opens.
                    page.click(start)
                    page.wait_for_selector("[data-start-new]")
                    start = "[data-start-new]"
                opened = time_action(page, "click", start, "[data-item-id]")
                opens.append(opened["dom"])
                painted.append(opened["painted"])
                audit_ids.append(re.search(r"#/audit/([0-9a-fA-F-]{36})", page.url).group(1))
            results.append(
                (
                    "open a 43-item checklist",
                    median(opens),
                    OPEN_CHECKLIST_MS,
                    "ms",
                    f"{fmt_runs(opens)}; painted {median(painted):.1f}",
                )
            )

            # 5. saving answers on the last opened audit, first section
            item_ids = page.eval_on_selector_all(
                "[data-item-id]", "els => els.map(e => e.dataset.itemId)"
            )
            saves = []
            for index in range(max(args.runs, 10)):
                item = item_ids[index % len(item_ids)]
                value = "4" if (index // len(item_ids)) % 2 == 0 else "3"
                saves.append(page.evaluate(TIME_SAVE_JS, [item, value]))
                page.wait_for_timeout(50)
            results.append(("save an answer", median(saves), SAVE_MS, "ms", fmt_runs(saves)))

            # 6. the same screens with photos stored
            base = screen_times(page, audit_ids[0], args.runs)
            jpeg, thumb = photo_jpegs()
            start = time.perf_counter()
            own = item_ids[:PHOTO_ITEMS]
            stored = page.evaluate(
                STORE_PHOTOS_JS,
                [
                    base64.b64encode(jpeg).decode(),
                    base64.b64encode(thumb).decode(),
                    args.photos,
                    audit_ids[0],
                    own,
                    PHOTOS_PER_ITEM,
                ],
            )
            page.reload()
            wait_ready(page)
            pending = page.text_content("[data-pending-photos]")
            print(
                f"stored {args.photos} photos ({len(jpeg) // 1024} KB + {len(thumb) // 1024} KB"
                f" thumbnail each) in {time.perf_counter() - start:.1f} s: {stored} in the store,"
                f" {pending} pending in the status bar, {len(own) * PHOTOS_PER_ITEM} on the"
                f" measured draft ({PHOTOS_PER_ITEM} on each of its first {len(own)} items)"
            )
            loaded = screen_times(page, audit_ids[0], args.runs)
            results.append(
                (
                    f"open the zone list, {args.photos} photos stored",
                    median(loaded["zones"]),
                    OPEN_SCREEN_MS,
                    "ms",
                    f"{fmt_runs(loaded['zones'])}; no photos {median(base['zones']):.1f}",
                )
            )
            results.append(
                (
                    f"open a draft with {len(own) * PHOTOS_PER_ITEM} photos",
                    median(loaded["audit"]),
                    OPEN_SCREEN_MS,
                    "ms",
                    f"{fmt_runs(loaded['audit'])}; painted {median(loaded['painted']):.1f}; "
                    f"{loaded['thumb_count'][0]} thumbnails decoded "
                    f"{median(loaded['thumbs']):.1f}; no photos {median(base['audit']):.1f}",
                )
            )
            context.set_offline(True)
            offline = [usable_after(page, page.reload) for _ in range(args.runs)]
            context.set_offline(False)
            results.append(
                (
                    f"offline reload, {args.photos} photos stored",
                    median(offline),
                    OFFLINE_RELOAD_MS,
                    "ms",
                    fmt_runs(offline),
                )
            )
            if errors:
                print("uncaught errors in the page:\n  " + "\n  ".join(errors[:10]))
            browser.close()
    finally:
        live.stop()
        if args.keep:
            print(f"data kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    return results


def screen_times(page: Page, audit_id: str, runs: int) -> dict[str, list[float]]:
    """Opening the zone list (from a zone) and a draft audit (from its zone), `runs` times:
    zones/audit (in the DOM), audit-painted, thumbs (every thumbnail shown decoded)."""
    times: dict[str, list[float]] = {"zones": [], "audit": [], "painted": [], "thumbs": []}
    for _ in range(runs):
        to_zone(page)
        times["zones"].append(time_action(page, "hash", "#/zones", "[data-zone-id]")["dom"])
        to_zone(page)
        opened = time_action(page, "click", f'[data-audit-id="{audit_id}"]', "[data-item-id]")
        times["audit"].append(opened["dom"])
        times["painted"].append(opened["painted"])
        thumbs = page.evaluate(THUMBS_LOADED_JS)
        times["thumbs"].append(thumbs["ms"])
        times["thumb_count"] = [thumbs["count"]]
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PWA benchmark in Chromium, real server")
    parser.add_argument("--runs", type=int, default=5, help="tries per figure (median shown)")
    parser.add_argument("--photos", type=int, default=300, help="photos stored for step 6")
    parser.add_argument("--keep", action="store_true", help="keep the data dir, print where")
    args = parser.parse_args(argv)
    version = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"Genba PWA benchmark: {version}, {args.runs} runs per figure (median)")
    results = run(args)
    print("\n== Budgets ==")
    failed = 0
    for label, value, budget, unit, detail in results:
        passed = value <= budget
        failed += not passed
        figure = f"{value:.1f} {unit}"
        print(
            f"  {'PASS' if passed else 'FAIL'}  {label:<40} {figure:>10}  "
            f"(budget {budget} {unit})  [{detail}]"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
