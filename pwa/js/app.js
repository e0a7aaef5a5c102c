// Start-up, the hash router, the status bar, the update banner and window.__genba.

import { whenUnauthorized } from "./api.js";
import * as db from "./db.js";
import { getLang, setLang, t } from "./i18n.js";
import * as outbox from "./outbox.js";
import { S, deviceCounts, expire, home, load, loadBootstrap, refreshRecent, signedIn } from "./session.js";
import { go } from "./ui.js";
import * as actions from "./views/actions.js";
import * as attention from "./views/attention.js";
import * as audit from "./views/audit.js";
import * as login from "./views/login.js";
import * as redTags from "./views/red-tags.js";
import * as summary from "./views/summary.js";
import * as zone from "./views/zone.js";
import * as zones from "./views/zones.js";

// The shell version: keep equal to VERSION in /sw.js (they are cached together).
const VERSION = "2026.12.01-2";

let resolveReady;
window.__genba = {
  ready: new Promise((resolve) => {
    resolveReady = resolve;
  }),
  flush: () => outbox.flush(),
  db,
  version: VERSION,
};

// What an online-only screen shows without the network.
const OFFLINE_NOTICE = "[data-admin-offline], [data-console-offline], [data-needs-network]";
let watching = null;

/**
 * Draw the screen again once the network is back. The "online" event does it too; this also
 * covers an event missed or a load that failed while the browser still said online.
 */
function watchForNetwork() {
  if (watching) return;
  watching = setInterval(() => {
    if (!document.querySelector(OFFLINE_NOTICE)) {
      clearInterval(watching);
      watching = null;
    } else if (navigator.onLine) {
      route();
    }
  }, 2000);
}

/** A screen loaded from the network when first opened (views/<name>.js): online only. */
function online(name) {
  // A failed module load stays failed under its URL for the page's life: after a failure
  // (the network dropped mid-load) the next try asks under a new URL.
  let failures = 0;
  const load = () =>
    import(`./views/${name}.js${failures ? `?retry=${failures}` : ""}`).catch((err) => {
      failures += 1;
      throw err;
    });
  load.online = true;
  return load;
}

// [pattern, view, who may see it]: audit screens stay open with an expired token, because the
// work is saved locally and only the sync waits for the new sign-in.
const ROUTES = [
  [/^#\/login$/, login, "anyone"],
  [/^#\/zones$/, zones, "user"],
  [/^#\/zone\/([^/?]+)$/, zone, "user"],
  // Corrective actions and red tags: work saved on the device, like an audit (the printed red
  // tag's QR code opens #/red-tag/<id>).
  [/^#\/zone\/([^/?]+)\/red-tag\/new$/, redTags.create, "audit"],
  [/^#\/red-tag\/([^/?]+)\/edit$/, redTags.edit, "audit"],
  [/^#\/red-tag\/([^/?]+)$/, redTags, "audit"],
  [/^#\/action\/([^/?]+)$/, actions, "audit"],
  [/^#\/audit\/([^/?]+)\/summary$/, summary, "audit"],
  [/^#\/audit\/([^/?]+)(?:\?(.*))?$/, audit, "audit"],
  [/^#\/attention$/, attention, "user"],
  // Set-up screens: online only, so not in the tablet's offline shell: loaded when opened.
  // Other roles get "admins only" from the view.
  [/^#\/admin$/, online("admin/overview"), "user"],
  [/^#\/admin\/sites$/, online("admin/sites"), "user"],
  [/^#\/admin\/zones$/, online("admin/zones"), "user"],
  [/^#\/admin\/zones\/([^/?]+)$/, online("admin/zone"), "user"],
  [/^#\/admin\/staff$/, online("admin/staff"), "user"],
  [/^#\/admin\/users$/, online("admin/users"), "user"],
  [/^#\/admin\/import$/, online("admin/import"), "user"],
  // The supervisor's console (review queue, one audit, reports, actions, the red-tag
  // register, the monthly appraisal): online only as well; other
  // roles get "supervisors only" from the view.
  [/^#\/review$/, online("console/queue"), "user"],
  [/^#\/review\/([^/?]+)$/, online("console/review"), "user"],
  [/^#\/reports$/, online("console/reports"), "user"],
  [/^#\/actions$/, online("console/actions"), "user"],
  [/^#\/red-tags$/, online("console/red-tag-list"), "user"],
  [/^#\/appraisal$/, online("console/appraisal"), "user"],
  // What needs a supervisor's or admin's attention (需关注); #/attention is the tablet's 需处理.
  [/^#\/needs-attention$/, online("console/attention"), "user"],
];

const $ = (sel) => document.querySelector(sel);
let cleanup = null;
let serial = 0;

async function route() {
  const hash = location.hash || home();
  const found = ROUTES.find(([re]) => re.test(hash));
  if (!found) return go(home());
  let [re, view, who] = found;
  const allowed = who === "anyone" || signedIn() || (who === "audit" && S.session);
  if (!allowed) {
    if (location.hash) sessionStorage.setItem("genba.next", hash);
    return go("#/login");
  }
  if (view === login && signedIn()) return go(home());
  const mine = ++serial;
  if (cleanup) {
    const c = cleanup;
    cleanup = null;
    c();
  }
  const [, id, query] = hash.match(re);
  const el = document.createElement("div");
  el.className = "view";
  $("#view").replaceChildren(el);
  window.scrollTo(0, 0);
  if (view.online) {
    try {
      // Offline, do not even try: a failed module load stays failed for the page's life.
      if (!navigator.onLine) throw new Error("offline");
      // A connection left hanging by the network coming and going: give up, and try again.
      const late = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 10000));
      view = await Promise.race([view(), late]);
    } catch {
      el.innerHTML = `<h1 tabindex="-1">${t("app")}</h1><p class="notice" data-needs-network>${t("needsNetwork")}</p>`;
      watchForNetwork();
      return;
    }
    if (mine !== serial) return;
  }
  let result;
  try {
    result = await view.render(el, [id && decodeURIComponent(id), query]);
    if (el.querySelector(OFFLINE_NOTICE)) watchForNetwork();
  } catch (err) {
    console.error(err);
    el.innerHTML = `<h1 tabindex="-1">${t("notFound")}</h1><p class="error">${String(err.message || err)}</p>`;
  }
  if (mine !== serial) {
    if (typeof result === "function") result();
    return;
  }
  cleanup = typeof result === "function" ? result : null;
  // Move focus to the new screen for screen readers, unless the view focused something itself.
  if (!el.contains(document.activeElement)) {
    const h1 = el.querySelector("h1");
    if (h1) h1.focus({ preventScroll: true });
  }
}

// ---------------------------------------------------------------- status bar

function translateStatic() {
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  const toggle = $("[data-lang-toggle]");
  toggle.textContent = t("langOther");
  toggle.lang = getLang() === "zh" ? "en" : "zh-CN";
  toggle.setAttribute("aria-label", `${t("langLabel")}: ${t("langOther")}`);
  document.title = t("title");
}

function showOnline() {
  const el = $("[data-online]");
  el.dataset.online = String(navigator.onLine);
  el.textContent = t(navigator.onLine ? "online" : "offline");
}

let statusTimer = null;
const scheduleStatus = () => {
  if (!statusTimer) statusTimer = setTimeout(refreshStatus, 30);
};

const clock = (iso, seconds) =>
  new Date(iso).toLocaleTimeString(getLang() === "en" ? "en-GB" : "zh-CN", {
    hour: "2-digit",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
  });

async function refreshStatus() {
  clearTimeout(statusTimer);
  statusTimer = null;
  const mine = S.session ? await deviceCounts(S.session.user.id) : { queued: 0, photos: 0, attention: 0 };
  const [audits, photos, attn] = [mine.queued, mine.photos, mine.attention];
  $("[data-pending-audits]").textContent = String(audits);
  $("[data-pending-photos]").textContent = String(photos);
  $("[data-attention-count]").textContent = String(attn);
  $(".bar .attn").classList.toggle("has", attn > 0);
  $(".bar .pend").classList.toggle("has", audits + photos > 0);
  const st = outbox.state;
  const el = $(".syncstate");
  if (S.session && S.session.expired) {
    el.innerHTML = `<a href="#/login" class="relogin">${t("signInAgain")}</a>`;
  } else {
    el.textContent = st.running
      ? t("syncing")
      : !navigator.onLine
        ? t("offlineWait")
      : st.retryAt
        ? t("syncRetry", { time: clock(st.retryAt, true) })
        : st.lastOk
          ? t("synced", { time: clock(st.lastOk) })
          : "";
  }
  if (audits && !navigator.onLine && registration && registration.sync) {
    // Background Sync: once the network is back the worker wakes an open page to flush.
    // Only while offline: registered online it fires at once and would defeat the backoff.
    registration.sync.register("genba-sync").catch(() => {});
  }
}

async function onUnauthorized() {
  await expire();
  scheduleStatus();
  if (!audit.screen.open && !location.hash.startsWith("#/login")) {
    sessionStorage.setItem("genba.next", location.hash);
    go("#/login");
  }
}

// ---------------------------------------------------------------- service worker and updates

let registration = null;

async function setupWorker() {
  // Absent outside a secure context (plain http on the shop's LAN): the app still works
  // online, only without the offline shell.
  const sw = navigator.serviceWorker;
  if (!sw) return;
  let controlled = Boolean(sw.controller);
  registration = await sw.register("/sw.js");
  const announce = () => {
    if (registration.waiting && sw.controller) $("[data-update-available]").hidden = false;
  };
  announce();
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    if (worker) worker.addEventListener("statechange", () => worker.state === "installed" && announce());
  });
  sw.addEventListener("controllerchange", () => {
    if (!controlled) {
      controlled = true; // the first worker claiming this page: nothing to reload
      return;
    }
    if (audit.screen.open) $("[data-update-available]").hidden = false;
    else location.reload();
  });
  sw.addEventListener("message", (event) => {
    if (event.data && event.data.type === "FLUSH") outbox.flush();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

async function applyUpdate() {
  const hint = $("[data-update-hint]");
  // Never swap the shell under an open audit or a running sync.
  if (audit.screen.open) {
    hint.textContent = t("updateWait");
    return;
  }
  while (outbox.isRunning()) await outbox.idle();
  if (audit.screen.open) {
    hint.textContent = t("updateWait");
    return;
  }
  const reg = registration || (await navigator.serviceWorker?.getRegistration());
  if (reg && reg.waiting) reg.waiting.postMessage({ type: "SKIP_WAITING" });
  else location.reload();
}

// ---------------------------------------------------------------- start

async function start() {
  setLang(getLang());
  translateStatic();
  // The sticky score panel sits below the status bar, whose height depends on wrapping.
  const bar = $(".top");
  new ResizeObserver(() => document.documentElement.style.setProperty("--barh", `${bar.offsetHeight}px`)).observe(bar);
  showOnline();
  await db.open();
  await load();
  whenUnauthorized(onUnauthorized);
  outbox.subscribe(refreshStatus);
  window.addEventListener("genba:changed", scheduleStatus);
  window.addEventListener("hashchange", route);
  // Fresh server data (bootstrap, recent audits): redraw the lists that show it.
  window.addEventListener("genba:data", () => {
    if (/^#\/(zones|zone\/|attention)/.test(location.hash)) route();
  });
  window.addEventListener("online", () => {
    if (document.querySelector(OFFLINE_NOTICE)) route();
    showOnline();
    refreshStatus();
    outbox.resetBackoff();
    outbox.flush();
  });
  window.addEventListener("offline", () => {
    showOnline();
    refreshStatus();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") outbox.flush();
  });
  $("[data-sync-now]").addEventListener("click", () => {
    outbox.resetBackoff();
    outbox.flush();
  });
  $("[data-lang-toggle]").addEventListener("click", () => {
    setLang(getLang() === "zh" ? "en" : "zh");
    translateStatic();
    showOnline();
    refreshStatus();
    route();
  });
  $("[data-reload]").addEventListener("click", applyUpdate);
  await route();
  await refreshStatus();
  setupWorker().catch((err) => console.warn("service worker", err));
  if (signedIn()) {
    outbox.flush();
    if (navigator.onLine) {
      loadBootstrap().catch(() => {});
      refreshRecent().catch(() => {});
    }
  }
}

start()
  .catch((err) => {
    console.error(err);
    $("#view").innerHTML = `<h1>${t("app")}</h1><p class="error">${String(err.message || err)}</p>`;
  })
  .finally(() => resolveReady());
