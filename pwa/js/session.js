// Who is signed in and what the device knows about the dealership (the cached bootstrap).
// Both are read from IndexedDB at start so the app opens offline; the network only refreshes.

import { request, setToken } from "./api.js";
import { applyServerAudits } from "./audits.js";
import * as db from "./db.js";
import * as records from "./records.js";

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
  records.setTimeZone(S.bootstrap && S.bootstrap.timezone);
  setToken(session && session.token);
}

export const signedIn = () => Boolean(S.session && S.session.token && !S.session.expired);
export const userId = () => (S.session ? S.session.user.id : null);
/** Where a user starts: admins on the set-up screens, supervisors on the review queue,
 * officers on the zones. */
export const home = () => ({ admin: "#/admin", supervisor: "#/review" })[S.session && S.session.user.role] || "#/zones";

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

/**
 * What of this user's work exists only on this device: `queued` audits, actions and red tags
 * in the outbox, `photos` not uploaded, `attention` entries, and `unsynced` records (any of
 * those, or never sent). Other users' work on a shared tablet is not counted, nor shown.
 */
export async function deviceCounts(owner) {
  const [audits, outbox, attention, photos, edits] = await Promise.all([
    db.byIndex("audits", "owner", owner),
    db.getAll("outbox"),
    db.byIndex("attention", "owner", owner),
    db.byIndex("photos", "pending", 1),
    records.unsyncedIds(owner),
  ]);
  const queued = outbox.filter((e) => e.owner === owner);
  const waiting = new Set([...queued.map((e) => e.audit_id), ...attention.map((a) => a.audit_id)]);
  const mine = new Set(audits.map((a) => a.id));
  const unsynced = audits.filter((a) => waiting.has(a.id) || (!a.server && a.status === "draft" && Object.keys(a.answers).length));
  return {
    queued: queued.length,
    photos: photos.filter((p) => mine.has(p.audit_id) || edits.has(p.record_id)).length,
    attention: attention.length,
    unsynced: unsynced.length + edits.size,
  };
}

/**
 * Sign out on a shared tablet: the next user must find nothing of this one's. What the server
 * has is deleted from the device (audits, their photos, the cached dealership); what it does
 * not have yet stays, hidden from everyone else, and syncs when this user signs in again.
 */
export async function logout() {
  const userId = S.session && S.session.user.id;
  request("POST", "/api/logout").catch(() => {});
  S.session = null;
  S.bootstrap = null;
  S.recent = [];
  setToken(null);
  const stores = ["kv", "audits", "outbox", "attention", "photos", "actions", "red_tags"];
  await db.tx(stores, "readwrite", async (s) => {
    for (const key of ["session", "bootstrap", "bootstrapEtag", "recent", "changesCursor"]) s.kv.delete(key);
    if (userId != null) await forgetSynced(s, userId);
    await records.forgetSynced(s);
  });
}

async function forgetSynced(s, userId) {
  const outbox = await db.req(s.outbox.getAll());
  const attention = await db.req(s.attention.index("owner").getAll(userId));
  const keep = new Set([...outbox.map((e) => e.audit_id), ...attention.map((a) => a.audit_id)]);
  const audits = await db.req(s.audits.index("owner").getAll(userId));
  const gone = audits.filter((a) => a.server && !keep.has(a.id));
  const kept = new Set(audits.filter((a) => !gone.includes(a)).flatMap((a) => Object.values(a.answers).flatMap((x) => x.photos || [])));
  for (const audit of gone) {
    s.audits.delete(audit.id);
    for (const sha of await db.req(s.photos.index("audit_id").getAllKeys(audit.id))) if (!kept.has(sha)) s.photos.delete(sha);
  }
}

/**
 * GET /api/bootstrap with the cached ETag; stores every checklist version seen. Its actions and
 * red tags go to their stores, not into the cached body.
 */
export async function loadBootstrap() {
  // A body cached before the bootstrap carried actions and red tags is asked for again in full.
  const etag = S.bootstrap && S.bootstrap.records ? await db.kvGet("bootstrapEtag") : null;
  const res = await request("GET", "/api/bootstrap", { headers: etag ? { "If-None-Match": etag } : {} });
  if (res.status === 304 || !res.data) return S.bootstrap;
  const { actions, red_tags: tags, ...boot } = res.data;
  boot.records = Boolean(actions && tags);
  const asOf = boot.server_time;
  if (actions) await records.applyServer("action", actions, { all: true, asOf });
  if (tags) await records.applyServer("red_tag", tags, { all: true, asOf });
  await db.tx(["kv", "checklists"], "readwrite", (s) => {
    for (const c of boot.checklists) s.checklists.put(c, `${c.id}@${c.version}`);
    s.kv.put(boot, "bootstrap");
    s.kv.put(res.headers.get("etag"), "bootstrapEtag");
  });
  S.bootstrap = boot;
  records.setTimeZone(boot.timezone);
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
  // Only the user's own: a supervisor's tablet never takes other officers' work to edit.
  const me = userId();
  const reviewed = data.audits.filter((a) => a.officer_id === me && (a.status === "returned" || a.status === "approved"));
  const local = new Map((await db.byIndex("audits", "owner", me)).map((a) => [a.id, a]));
  const news = reviewed.filter((a) => {
    const mine = local.get(a.id);
    return mine ? mine.status !== a.status || (mine.server || {}).revision !== a.revision : a.status === "returned";
  });
  if (news.length) await applyServerAudits(news);
}

/** An audit of the signed-in user's, or null: a shared tablet never opens another's. */
export async function ownAudit(id) {
  const audit = await db.get("audits", id);
  return audit && S.session && audit.owner === S.session.user.id && audit.status !== "discarded" ? audit : null;
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
