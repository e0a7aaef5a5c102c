// Corrective actions (整改项) and red tags (红牌) on the device (docs/actions.md): the server's
// copy of each and this user's edits the server has not confirmed, saved with their outbox
// entry in one transaction; what the server sends back (bootstrap, changes feed, PUT answers,
// refusals); and the rules the screens show (overdue, a tag's age and number).
// A record with `owner` set holds that user's unconfirmed edit, and `server` the server's copy:
// the server's copy never overwrites the edit, and other users on a shared tablet see `server`.

import { fetchBlob } from "./api.js";
import * as db from "./db.js";
import { localOffset } from "./rules.js";
import { changed } from "./ui.js";

export const KINDS = {
  action: { store: "actions", key: "action:", path: "/api/actions/", photos: "after_photos", final: ["verified", "cancelled"] },
  red_tag: { store: "red_tags", key: "red-tag:", path: "/api/red-tags/", photos: "photos", final: ["closed"] },
};
export const kindOfKey = (key) => (key.startsWith("action:") ? "action" : key.startsWith("red-tag:") ? "red_tag" : null);

// The fields a device changes: kept over the server's copy until the server has them.
const TAG = ["zone_id", "item", "qty", "reason", "photos", "tagged_at", "proposed", "status", "disposition", "closed_at", "note"];
const EDITS = { action: ["status", "note", "after_photos"], red_tag: TAG };
const LOCAL = ["id", "revision", "server", "owner", "base_revision", "provisional", "local_at"];
export const ACTIVE = ["open", "reopened", "done"];

const pick = (obj, keys) => Object.fromEntries(keys.filter((k) => k in obj).map((k) => [k, obj[k]]));

/** The PUT body: an action as the server sent it (read-only fields are ignored there), a tag's
 * own fields only (the server numbers it), each with the revision the edit was made on. */
export function bodyOf(kind, rec) {
  const body = kind === "red_tag" ? pick(rec, TAG) : { ...rec };
  if (kind === "action") for (const f of LOCAL) delete body[f];
  body.base_revision = rec.base_revision ?? null;
  return body;
}

const fromServer = (view, local) => ({ ...view, server: view, base_revision: view.revision, owner: null, provisional: local ? local.provisional : undefined });

/** The copy a user sees: another user's unsent edit on a shared tablet stays theirs. */
export const seenBy = (rec, me) => (!rec ? null : !rec.owner || rec.owner === me ? rec : rec.server || null);

export const getRecord = (kind, id) => db.get(KINDS[kind].store, id);

/** The records of a zone this user sees. */
export async function zoneRecords(kind, zoneId, me) {
  return (await db.byIndex(KINDS[kind].store, "zone_id", zoneId)).map((r) => seenBy(r, me)).filter(Boolean);
}

/**
 * Save an edit and queue it, in one transaction that has committed when this resolves.
 * `photos` are new photo records ({sha256, blob, thumb}); `drop` shas this record no longer names.
 */
export async function saveRecord(kind, rec, { photos = [], drop = [] } = {}) {
  const K = KINDS[kind];
  const now = new Date().toISOString();
  await db.tx(["kv", K.store, "outbox", "photos"], "readwrite", async (s) => {
    const session = await db.req(s.kv.get("session"));
    const me = session && session.user.id;
    if (!me) throw new Error("signed out");
    const stored = await db.req(s[K.store].get(rec.id));
    // Another user's unsent edit of the same record waits on this tablet: it is not overwritten.
    if (stored && stored.owner && stored.owner !== me) throw new Error("another user's change is waiting to sync");
    // The sync engine owns the revision and the server's copy: a screen's copy may predate a PUT.
    rec.base_revision = stored ? stored.base_revision : null;
    rec.server = stored ? stored.server : null;
    if (kind === "red_tag" && rec.provisional == null && !rec.tag_no) {
      rec.provisional = ((await db.req(s.kv.get("tagSeq"))) || 0) + 1; // shown as 临-N until numbered
      s.kv.put(rec.provisional, "tagSeq");
    }
    rec.owner = me;
    rec.local_at = now;
    s[K.store].put(rec);
    for (const p of photos) {
      // The same picture stored already (an audit's): keep that record and its upload state.
      if (!(await db.req(s.photos.get(p.sha256)))) {
        s.photos.put({ ...p, record_id: rec.id, created_at: now, uploaded: false, pending: 1 });
      }
    }
    for (const sha of drop) {
      const p = await db.req(s.photos.get(sha));
      if (p && p.record_id === rec.id) s.photos.delete(sha);
    }
    const key = K.key + rec.id;
    const old = await db.req(s.outbox.get(key));
    s.outbox.put({
      key,
      kind,
      record_id: rec.id,
      owner: me,
      seq: (old ? old.seq : 0) + 1,
      queued_at: old ? old.queued_at : now,
      parked: old ? old.parked : false, // a conflict waits for the user's decision
      body: bodyOf(kind, rec),
    });
  });
  changed();
}

async function drop(s, store, rec) {
  s[store].delete(rec.id);
  for (const sha of await db.req(s.photos.index("record_id").getAllKeys(rec.id))) s.photos.delete(sha);
}

/**
 * The server's copies (bootstrap: `all`, every active one as of `asOf`, so what is missing was
 * closed; changes feed: some, in any status). Final ones leave the device; an edit waiting to
 * sync keeps its fields and only learns the server's copy (its PUT meets the 409).
 */
export async function applyServer(kind, views, { all = false, asOf = null } = {}) {
  const K = KINDS[kind];
  await db.tx([K.store, "photos"], "readwrite", async (s) => {
    const seen = new Set();
    for (const v of views) {
      seen.add(v.id);
      const local = await db.req(s[K.store].get(v.id));
      if (local && local.server && local.server.revision > v.revision) continue; // older news
      if (local && local.owner) s[K.store].put({ ...local, server: v });
      else if (K.final.includes(v.status)) local && (await drop(s, K.store, local));
      else s[K.store].put(fromServer(v, local));
    }
    if (!all) return;
    // A record the server answered after the list was made (a PUT that landed meanwhile) stays.
    const newer = (rec) => asOf && Date.parse(rec.updated_at) > Date.parse(asOf);
    for (const rec of await db.req(s[K.store].getAll())) {
      if (!rec.owner && !seen.has(rec.id) && !newer(rec)) await drop(s, K.store, rec);
    }
  });
  changed();
}

/** A 2xx: the server's answer becomes the record, unless the user saved again meanwhile. */
export async function accepted(entry, view) {
  const K = KINDS[entry.kind];
  await db.tx([K.store, "outbox", "attention"], "readwrite", async (s) => {
    const now = await db.req(s.outbox.get(entry.key));
    const newer = now && now.seq !== entry.seq;
    const rec = await db.req(s[K.store].get(entry.record_id));
    if (rec && newer) {
      s[K.store].put({ ...view, ...pick(rec, EDITS[entry.kind]), server: view, base_revision: view.revision, owner: rec.owner, provisional: rec.provisional });
    } else {
      s[K.store].put(fromServer(view, rec));
      if (now) s.outbox.delete(entry.key);
    }
    s.attention.delete(entry.key);
  });
  changed();
}

/** A 409 parks the entry beside the server's copy; any other 4xx leaves the outbox. */
export async function refused(entry, err) {
  const K = KINDS[entry.kind];
  const current = err.status === 409 && err.body && err.body.current ? err.body.current : null;
  await db.tx([K.store, "outbox", "attention"], "readwrite", async (s) => {
    s.attention.put({
      key: entry.key,
      kind: entry.kind,
      record_id: entry.record_id,
      owner: entry.owner,
      status: err.status,
      detail: err.detail,
      errors: (err.body && err.body.errors) || [],
      current,
      at: new Date().toISOString(),
    });
    const now = await db.req(s.outbox.get(entry.key));
    if (current) {
      if (now) s.outbox.put({ ...now, parked: true });
      const rec = await db.req(s[K.store].get(entry.record_id));
      if (rec) s[K.store].put({ ...rec, server: current });
    } else if (now && now.seq === entry.seq) {
      s.outbox.delete(entry.key);
    }
  });
  changed();
}

export const isFinal = (kind, rec) => Boolean(rec) && KINDS[kind].final.includes(rec.status);

/** "Keep mine": my fields on top of the server's revision, queued again. */
export async function keepMine(key) {
  const kind = kindOfKey(key);
  const K = KINDS[kind];
  await db.tx([K.store, "outbox", "attention"], "readwrite", async (s) => {
    const att = await db.req(s.attention.get(key));
    const rec = att && att.current && (await db.req(s[K.store].get(att.record_id)));
    if (!rec || isFinal(kind, att.current)) return;
    const next = { ...att.current, ...pick(rec, EDITS[kind]), server: att.current, base_revision: att.current.revision };
    next.owner = rec.owner;
    next.provisional = rec.provisional;
    s[K.store].put(next);
    const entry = await db.req(s.outbox.get(key));
    if (entry) s.outbox.put({ ...entry, parked: false, seq: entry.seq + 1, body: bodyOf(kind, next) });
    s.attention.delete(key);
  });
  changed();
}

/** "Take the server's" (or, refused, "discard my change"): the server's copy, or nothing. */
export async function takeServer(key) {
  const kind = kindOfKey(key);
  const K = KINDS[kind];
  await db.tx([K.store, "outbox", "attention", "photos"], "readwrite", async (s) => {
    const att = await db.req(s.attention.get(key));
    const rec = att && (await db.req(s[K.store].get(att.record_id)));
    const theirs = (att && att.current) || (rec && rec.server);
    s.outbox.delete(key);
    s.attention.delete(key);
    if (!rec) return;
    if (!theirs) return drop(s, K.store, rec); // a new tag the server never took
    s[K.store].put(fromServer(theirs, rec));
    const keep = new Set(theirs[K.photos] || []);
    for (const sha of await db.req(s.photos.index("record_id").getAllKeys(rec.id))) if (!keep.has(sha)) s.photos.delete(sha);
  });
  changed();
}

/** Sign-out: what the server has leaves the device; unsent edits stay, hidden from others. */
export async function forgetSynced(s) {
  for (const store of ["actions", "red_tags"]) {
    for (const rec of await db.req(s[store].getAll())) if (!rec.owner) await drop(s, store, rec);
  }
}

/** Ids of the records holding this user's edits, not yet confirmed by the server. */
export async function unsyncedIds(me) {
  const all = [...(await db.getAll("actions")), ...(await db.getAll("red_tags"))];
  return new Set(all.filter((r) => r.owner === me).map((r) => r.id));
}

const missed = new Set();

/** Keep the thumbnails of the records' photos (taken on other devices) for offline use. */
export async function cacheThumbs(limit = 60) {
  const want = new Map();
  for (const a of await db.getAll("actions")) for (const sha of a.before_photos || []) want.set(sha, a.id);
  for (const r of await db.getAll("red_tags")) for (const sha of r.photos || []) want.set(sha, r.id);
  for (const [sha, id] of want) {
    if (limit <= 0 || !navigator.onLine) return;
    if (missed.has(sha) || (await db.get("photos", sha))) continue;
    limit -= 1;
    const thumb = await fetchBlob(`/api/photos/${sha}?size=thumb`).catch(() => missed.add(sha) && null);
    if (!thumb) continue;
    await db.tx("photos", "readwrite", async (s) => {
      if (!(await db.req(s.photos.get(sha)))) s.photos.put({ sha256: sha, blob: null, thumb, record_id: id, uploaded: true });
    });
  }
}

// ---------------------------------------------------------------- the rules the screens show

const pad = (n, w = 2) => String(n).padStart(w, "0");
const DAY_MS = 86400000;
let days = null; // the sites' calendar (the bootstrap's `timezone`), else the tablet's

/** Judge days in the sites' IANA time zone, as the server does. */
export function setTimeZone(tz) {
  try {
    days = tz ? new Intl.DateTimeFormat("en", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }) : null;
  } catch {
    days = null; // a zone this browser does not know: the tablet's own
  }
}

/** The day of a moment (a Date or ISO time), YYYY-MM-DD, on the sites' calendar. */
export function today(d = new Date()) {
  if (typeof d === "string") d = new Date(d);
  if (!days) return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const p = Object.fromEntries(days.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

const between = (from, to) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

/** An ISO time with the tablet's offset, as the server takes `tagged_at` and `closed_at`. */
export function isoLocal(d = new Date()) {
  const off = localOffset(d);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** Open or reopened and past its due day. */
export const isOverdue = (a, day = today()) => (a.status === "open" || a.status === "reopened") && Boolean(a.due) && a.due < day;

/** Whole days past due. */
export const daysLate = (a, day = today()) => between(a.due, day);

/** A tag's age in whole days, from the day it was tagged to the day closed, or today. */
export const ageDays = (tag) => between(today(tag.tagged_at), today(tag.closed_at || new Date()));

export const overLimit = (tag, limit) => tag.status === "open" && ageDays(tag) > limit;

/** The tag's number: the server's RT-0001, or a provisional 临-N until the server numbers it. */
export const tagLabel = (tag) =>
  tag.tag_label || (tag.tag_no ? `RT-${pad(tag.tag_no, 4)}` : `临-${tag.provisional ?? "?"}`);

/** The site's age limit: the site's setting, else what its tags say, else the default 7. */
export function limitOf(site, tags = []) {
  if (site && site.red_tag_days != null) return site.red_tag_days;
  const told = tags.find((t) => t.age_limit_days != null && (!site || t.site_id === site.id));
  return told ? told.age_limit_days : 7;
}

/** A note added to the one kept (the server keeps every revision; the record keeps the story). */
export const addNote = (old, add) => (add.trim() ? (old ? `${old}\n${add.trim()}` : add.trim()) : old || "");
