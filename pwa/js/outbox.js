// The sync engine. Rules (docs/pwa.md): photos first (HEAD, then PUT if the server lacks it),
// then the audit (or the action or red tag: records.js keeps those); only a 2xx empties an
// outbox entry; network errors, 5xx and 429 retry with backoff; 401 keeps everything and asks
// for a new sign-in; 409 parks the entry and records the conflict for the officer; any other
// 4xx leaves the outbox as an attention entry.
// One flush at a time; a flush asked for while one runs is queued behind it.

import { ApiError, request } from "./api.js";
import { applyServerAudits, dropPhotosOf, fromServer, serverMeta } from "./audits.js";
import * as db from "./db.js";
import * as records from "./records.js";
import { S, expire, loadBootstrap, loadChecklist } from "./session.js";
import { changed } from "./ui.js";

export const state = { running: false, lastOk: null, retryAt: null };

const listeners = new Set();
export const subscribe = (fn) => listeners.add(fn);
// Listeners may return promises: a flush resolves only once the status bar shows its result.
const emit = () => Promise.all([...listeners].map((fn) => fn(state))).catch(() => {});

let running = null;
let queued = null;
let retryTimer = null;
let soonTimer = null;
let failures = 0;

export const isRunning = () => running !== null;
/** Resolves when the flush running now (if any) has ended; starts none. */
export const idle = () => (running || Promise.resolve()).catch(() => {});

export function flush() {
  if (!running) {
    clearTimeout(retryTimer);
    running = run().finally(() => {
      running = null;
      state.running = false;
      return emit();
    });
    return running;
  }
  if (!queued) {
    queued = running.then(() => {
      queued = null;
      return flush();
    });
  }
  return queued;
}

/** After a save: wait for a pause in the officer's work rather than PUT every answer. */
export function flushSoon(ms = 10000) {
  clearTimeout(soonTimer);
  soonTimer = setTimeout(flush, ms);
}

function scheduleRetry(err) {
  // 1 s doubling to 5 min, with jitter so a room of tablets does not retry in step.
  const base = Math.min(300000, 1000 * 2 ** failures);
  failures += 1;
  let wait = base / 2 + Math.random() * (base / 2);
  if (err.retryAfter) wait = Math.max(wait, err.retryAfter * 1000);
  state.retryAt = new Date(Date.now() + wait).toISOString();
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, wait);
}

/** Start over at 1 s: the network just came back. */
export function resetBackoff() {
  failures = 0;
}

async function run() {
  const session = S.session;
  if (!session || !session.token || session.expired) return;
  // Known offline: wait for the "online" event instead of failing and backing off.
  if (navigator.onLine === false) return;
  state.running = true;
  emit();
  try {
    // Re-read each pass: the officer may save while a PUT is in flight.
    for (let pass = 0; pass < 10; pass += 1) {
      const entries = (await db.getAll("outbox"))
        .filter((e) => !e.parked && e.owner === session.user.id)
        .sort((a, b) => (a.queued_at < b.queued_at ? -1 : 1));
      if (!entries.length) break;
      for (const entry of entries) await (entry.kind ? pushRecord(entry) : push(entry));
    }
    await pullChanges();
    failures = 0;
    state.retryAt = null;
    state.lastOk = new Date().toISOString();
  } catch (err) {
    if (!(err instanceof ApiError)) {
      // A bug or a storage failure, not the network: report it, keep the data, try later.
      console.error("sync failed", err);
      scheduleRetry({});
    } else if (err.status === 401) {
      await expire(); // the status bar and the router ask for a new sign-in
    } else {
      // Network, 5xx, 429, or a 4xx outside an audit PUT (e.g. the changes feed).
      scheduleRetry(err);
    }
  } finally {
    changed();
  }
}

async function uploadPhotos(shas) {
  for (const sha of new Set(shas)) {
    const photo = await db.get("photos", sha);
    if (!photo || photo.uploaded) continue; // not on this device: the server says missing_photos
    let have = false;
    try {
      await request("HEAD", `/api/photos/${sha}`);
      have = true;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    if (!have) {
      await request("PUT", `/api/photos/${sha}`, {
        body: photo.blob,
        headers: { "Content-Type": "image/jpeg" },
        timeout: 120000,
      });
    }
    await db.tx("photos", "readwrite", async (s) => {
      const p = await db.req(s.photos.get(sha));
      if (!p) return;
      p.uploaded = true;
      delete p.pending;
      s.photos.put(p);
    });
    changed();
  }
}

async function push(entry) {
  const audit = await db.get("audits", entry.audit_id);
  if (!audit) {
    await db.del("outbox", entry.key);
    return;
  }
  // The device's latest word on the server revision wins over the one queued with the body.
  const body = { ...entry.body, base_revision: audit.base_revision ?? null };
  try {
    await uploadPhotos(Object.values(body.answers).flatMap((a) => a.photos || []));
    const { data } = await request("PUT", `/api/audits/${audit.id}`, { json: body });
    await accepted(entry, data);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.retryable) throw err;
    await refused(entry, audit, err);
  }
}

/** An action or red tag: its photos, then the record, as for an audit. */
async function pushRecord(entry) {
  const K = records.KINDS[entry.kind];
  const rec = await db.get(K.store, entry.record_id);
  if (!rec) {
    await db.del("outbox", entry.key);
    return;
  }
  const body = { ...entry.body, base_revision: rec.base_revision ?? null };
  try {
    await uploadPhotos(body[K.photos] || []);
    const { data } = await request("PUT", K.path + rec.id, { json: body });
    await records.accepted(entry, data);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.retryable) throw err;
    await records.refused(entry, err);
  }
}

async function accepted(entry, data) {
  await db.tx(["audits", "outbox", "attention", "photos"], "readwrite", async (s) => {
    const audit = await db.req(s.audits.get(entry.audit_id));
    if (audit && data.status === "discarded") {
      // The server keeps the discarded draft; the device has no more use for it.
      s.audits.delete(audit.id);
      await dropPhotosOf(s, audit.id);
    } else if (audit) {
      audit.server = serverMeta(data, audit.server ? audit.server.review : null);
      audit.base_revision = data.revision;
      s.audits.put(audit);
    }
    const now = await db.req(s.outbox.get(entry.key));
    if (now && now.seq === entry.seq) s.outbox.delete(entry.key);
    s.attention.delete(entry.key);
  });
}

async function refused(entry, audit, err) {
  const conflict = err.status === 409 && err.body && err.body.current;
  await db.tx(["audits", "outbox", "attention"], "readwrite", async (s) => {
    s.attention.put({
      key: entry.key,
      audit_id: entry.audit_id,
      owner: entry.owner,
      status: err.status,
      detail: err.detail,
      errors: (err.body && err.body.errors) || [],
      current: conflict ? err.body.current : null,
      at: new Date().toISOString(),
    });
    const now = await db.req(s.outbox.get(entry.key));
    if (conflict) {
      // Parked, not dropped: the device's version still exists only here.
      if (now) s.outbox.put({ ...now, parked: true });
      return;
    }
    if (now && now.seq === entry.seq) s.outbox.delete(entry.key);
    // Refused as submitted: give it back to the officer to fix and submit again.
    if (audit.status === "submitted") {
      const a = await db.req(s.audits.get(audit.id));
      a.status = "draft";
      a.submitted_at = null;
      s.audits.put(a);
    }
  });
}

/** GET /api/changes: reviews of this officer's audits, newly published checklists, and the
 * actions and red tags of the user's sites changed since. */
async function pullChanges() {
  let cursor = await db.kvGet("changesCursor");
  for (let page = 0; page < 20; page += 1) {
    const q = cursor != null ? `?since=${encodeURIComponent(cursor)}` : "";
    const { data } = await request("GET", `/api/changes${q}`);
    if (data.audits && data.audits.length) await applyServerAudits(data.audits);
    if (data.actions && data.actions.length) await records.applyServer("action", data.actions);
    if (data.red_tags && data.red_tags.length) await records.applyServer("red_tag", data.red_tags);
    if (data.checklists && data.checklists.length) {
      for (const c of data.checklists) {
        if (c && c.id && c.version) await loadChecklist(c.id, c.version).catch(() => {});
      }
      await loadBootstrap();
    }
    cursor = data.cursor;
    await db.kvSet("changesCursor", cursor);
    if (!data.more) break;
  }
  records.cacheThumbs().catch(() => {}); // not awaited: the sync is done, thumbnails follow
}

/** The officer chose: put my answers on top of the server's revision and send again. */
export async function keepMine(key) {
  if (records.kindOfKey(key)) {
    await records.keepMine(key);
    flush();
    return;
  }
  await db.tx(["audits", "outbox", "attention"], "readwrite", async (s) => {
    const att = await db.req(s.attention.get(key));
    const entry = await db.req(s.outbox.get(key));
    const audit = att && (await db.req(s.audits.get(att.audit_id)));
    if (!att || !audit) return;
    audit.base_revision = att.current.revision;
    s.audits.put(audit);
    if (entry) {
      const body = { ...entry.body, base_revision: audit.base_revision };
      s.outbox.put({ ...entry, parked: false, seq: entry.seq + 1, body });
    }
    s.attention.delete(key);
  });
  changed();
  flush(); // not awaited: the screen updates now, the upload follows
}

/** The officer chose the server's copy: it replaces the local one; nothing is queued. */
export async function takeServer(key) {
  if (records.kindOfKey(key)) return records.takeServer(key);
  await db.tx(["audits", "outbox", "attention", "photos"], "readwrite", async (s) => {
    const att = await db.req(s.attention.get(key));
    if (!att || !att.current) return;
    const local = await db.req(s.audits.get(att.audit_id));
    const next = fromServer(att.current, local);
    s.audits.put(next);
    s.outbox.delete(key);
    s.attention.delete(key);
    // Photos only the discarded version named are of no use any more.
    const keep = new Set(Object.values(next.answers).flatMap((a) => a.photos || []));
    const mine = await db.req(s.photos.index("audit_id").getAllKeys(att.audit_id));
    for (const sha of mine) if (!keep.has(sha)) s.photos.delete(sha);
  });
  changed();
}

export const dismiss = async (key) => {
  await db.del("attention", key);
  changed();
};
