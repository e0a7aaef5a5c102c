// Who is signed in and what the device knows about the dealership (the cached bootstrap).
// Both are read from IndexedDB at start so the app opens offline; the network only refreshes.

import { request, setToken } from "./api.js";
import { applyServerAudits } from "./audits.js";
import * as db from "./db.js";

export const S = { session: null, bootstrap: null, recent: [] };

export async function load() {
  const [session, bootstrap, recent] = await Promise.all([
    db.kvGet("session"),
    db.kvGet("bootstrap"),
    db.kvGet("recent"),
  ]);
  S.session = session || null;
  S.bootstrap = bootstrap || null;
  S.recent = recent || [];
  setToken(session && session.token);
}

export const signedIn = () => Boolean(S.session && S.session.token && !S.session.expired);
export const userId = () => (S.session ? S.session.user.id : null);

export async function login(username, password) {
  const { data } = await request("POST", "/api/login", {
    json: { username, password, device: navigator.userAgent.slice(0, 200) },
  });
  const lastUser = await db.kvGet("lastUserId");
  S.session = { token: data.token, user: data.user };
  setToken(data.token);
  await db.kvSet("session", S.session);
  // Audits feed people's pay: ask the browser not to evict this origin's storage.
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  // The changes feed is per user: another officer on this tablet starts from "now".
  if (lastUser !== data.user.id) {
    await db.del("kv", "changesCursor");
    await db.kvSet("lastUserId", data.user.id);
  }
  await loadBootstrap();
  await refreshRecent().catch(() => {});
}

/** Marks the token unusable but keeps it and everything else: sign-in resumes the sync. */
export async function expire() {
  if (!S.session || S.session.expired) return;
  S.session = { ...S.session, expired: true };
  await db.kvSet("session", S.session);
}

export async function logout() {
  request("POST", "/api/logout").catch(() => {});
  S.session = null;
  setToken(null);
  await db.del("kv", "session");
}

/** GET /api/bootstrap with the cached ETag; stores every checklist version seen. */
export async function loadBootstrap() {
  const etag = S.bootstrap ? await db.kvGet("bootstrapEtag") : null;
  const res = await request("GET", "/api/bootstrap", { headers: etag ? { "If-None-Match": etag } : {} });
  if (res.status === 304 || !res.data) return S.bootstrap;
  const boot = res.data;
  await db.tx(["kv", "checklists"], "readwrite", (s) => {
    for (const c of boot.checklists) s.checklists.put(c, `${c.id}@${c.version}`);
    s.kv.put(boot, "bootstrap");
    s.kv.put(res.headers.get("etag"), "bootstrapEtag");
  });
  S.bootstrap = boot;
  window.dispatchEvent(new Event("genba:data"));
  return boot;
}

/**
 * The officer's latest audits on the server, kept small, for "last score" and "what is due".
 * Returned audits not on this device yet are imported so they can be fixed here.
 */
export async function refreshRecent() {
  const { data } = await request("GET", "/api/audits?limit=100");
  S.recent = data.audits.map((a) => ({
    id: a.id,
    zone_id: a.zone_id,
    checklist_id: a.checklist_id,
    status: a.status,
    percent: a.score ? a.score.percent : null,
    band: a.score ? a.score.band : null,
    started_at: a.started_at,
    submitted_at: a.submitted_at,
  }));
  await db.kvSet("recent", S.recent);
  window.dispatchEvent(new Event("genba:data"));
  // Reviews this device missed (signed out, or a new tablet): returned ones can be fixed here.
  const reviewed = data.audits.filter((a) => a.status === "returned" || a.status === "approved");
  const local = new Map((await db.getAll("audits")).map((a) => [a.id, a]));
  const news = reviewed.filter((a) => {
    const mine = local.get(a.id);
    return mine ? mine.status !== a.status || (mine.server || {}).revision !== a.revision : a.status === "returned";
  });
  if (news.length) await applyServerAudits(news);
}

export function findZone(zoneId) {
  for (const site of (S.bootstrap && S.bootstrap.sites) || []) {
    const zone = site.zones.find((z) => z.id === zoneId);
    if (zone) return { zone, site };
  }
  return null;
}

export const staff = (id) => ((S.bootstrap && S.bootstrap.staff) || []).find((p) => p.id === id) || null;

export const latestChecklist = (id) =>
  ((S.bootstrap && S.bootstrap.checklists) || []).find((c) => c.id === id) || null;

/** A checklist version from the device, fetched once if missing (an old draft, a new pack). */
export async function loadChecklist(id, version) {
  const key = `${id}@${version}`;
  const have = await db.get("checklists", key);
  if (have) return have;
  const { data } = await request("GET", `/api/checklists/${encodeURIComponent(id)}/${version}`);
  await db.put("checklists", data, key);
  return data;
}
