// Service worker: the app shell offline. Cache-first for the files below (one cache per
// VERSION), the network for everything else and never a cached /api answer: audits and photos
// live in IndexedDB, where the page manages them. A new version installs alongside and waits
// until the page says SKIP_WAITING (the officer tapped reload with no audit open).

const VERSION = "2026.12.01-2"; // keep equal to VERSION in js/app.js
const CACHE = `genba-shell-${VERSION}`;
const SHELL = [
  "/",
  "/manifest.webmanifest",
  "/css/app.css",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/js/api.js",
  "/js/app.js",
  "/js/audits.js",
  "/js/db.js",
  "/js/i18n.js",
  "/js/outbox.js",
  "/js/photos.js",
  "/js/radar.js",
  "/js/records.js",
  "/js/rules.js",
  "/js/scoring.js",
  "/js/session.js",
  "/js/ui.js",
  "/js/views/actions.js",
  "/js/views/attention.js",
  "/js/views/audit.js",
  "/js/views/audit/answer.js",
  "/js/views/audit/item-card.js",
  "/js/views/audit/page.js",
  "/js/views/audit/photo-block.js",
  "/js/views/audit/saver.js",
  "/js/views/audit/score-panel.js",
  "/js/views/audit/section-tabs.js",
  "/js/views/audit/subject-form.js",
  "/js/views/login.js",
  "/js/views/pick-photos.js",
  "/js/views/record-attention.js",
  "/js/views/record-lists.js",
  "/js/views/red-tags.js",
  "/js/views/summary.js",
  "/js/views/zone.js",
  "/js/views/zones.js",
];

self.addEventListener("install", (event) => {
  // cache: "reload" skips the HTTP cache, so a new version never stores an old file.
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })))),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("genba-shell-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  // Every page is the one shell (hash routes); serve it even when the network is gone.
  const key = req.mode === "navigate" ? "/" : req;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => (await cache.match(key, { ignoreSearch: true })) || fetch(req)),
  );
});

// Background Sync: the flush lives in the page (IndexedDB + fetch), so wake the open pages.
self.addEventListener("sync", (event) => {
  if (event.tag !== "genba-sync") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then((pages) => pages.forEach((p) => p.postMessage({ type: "FLUSH" }))),
  );
});
