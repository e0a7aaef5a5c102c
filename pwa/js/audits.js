// The audit on the device: creating, saving (audit + outbox entry in one transaction), the
// body the server takes, and copies made from the server's views.

import * as db from "./db.js";
import { scoreAudit } from "./scoring.js";
import { changed } from "./ui.js";

export function newAudit(checklist, zoneId, owner) {
  const now = new Date().toISOString();
  const audit = {
    id: crypto.randomUUID(),
    checklist_id: checklist.id,
    checklist_version: checklist.version,
    zone_id: zoneId,
    started_at: now,
    submitted_at: null,
    status: "draft",
    answers: {},
    base_revision: null,
    server: null,
    owner,
    preview: null,
    updated_at: now,
  };
  // What the audit is about (a car's VIN, the sales consultant): only a checklist with subject
  // fields has one, and only such an audit sends one.
  if (hasSubject(checklist)) Object.assign(audit, { subject: {}, subject_invalid: [] });
  return audit;
}

export const hasSubject = (checklist) => Boolean(checklist && checklist.subject && checklist.subject.length);

/**
 * The subject values to send: the filled-in ones, except those the tablet's own check refuses
 * (`subject_invalid`, set by the runner): the server would refuse the whole body for them, draft
 * or not, so a half-typed VIN stays on the tablet until it is right.
 */
export function subjectBody(audit) {
  const held = new Set(audit.subject_invalid || []);
  const out = {};
  for (const [id, v] of Object.entries(audit.subject || {})) if (v != null && v !== "" && !held.has(id)) out[id] = v;
  return out;
}

/** The PUT body. Returned audits being fixed go up as drafts until they are resubmitted. */
export function bodyOf(audit) {
  const answers = {};
  for (const [id, a] of Object.entries(audit.answers)) {
    if (a.value == null && !a.note && !(a.photos && a.photos.length)) continue;
    answers[id] = { value: a.value ?? null, note: a.note || "", photos: a.photos || [] };
  }
  const body = {
    checklist_id: audit.checklist_id,
    checklist_version: audit.checklist_version,
    zone_id: audit.zone_id,
    started_at: audit.started_at,
    submitted_at: audit.status === "submitted" ? audit.submitted_at : null,
    status: audit.status === "submitted" || audit.status === "discarded" ? audit.status : "draft",
    base_revision: audit.base_revision,
    answers,
  };
  // Only for a checklist with subject fields: other bodies stay as they were.
  if (audit.subject && typeof audit.subject === "object") body.subject = subjectBody(audit);
  return body;
}

/** Write the outbox entry for `audit` inside an open transaction `s` (audits+outbox stores). */
export async function queueIn(s, audit) {
  const body = bodyOf(audit);
  const key = `audit:${audit.id}`;
  const old = await db.req(s.outbox.get(key));
  // An untouched (or emptied) new draft is not worth a server revision.
  const touched = Object.keys(body.answers).length || Object.keys(body.subject || {}).length;
  if (body.status === "draft" && !touched && !audit.server) {
    if (old) s.outbox.delete(key);
    return;
  }
  s.outbox.put({
    key,
    audit_id: audit.id,
    owner: audit.owner,
    seq: (old ? old.seq : 0) + 1, // lets a finished PUT tell whether a newer save replaced it
    queued_at: old ? old.queued_at : new Date().toISOString(),
    parked: old ? old.parked : false, // a conflict waits for the officer's decision
    body,
  });
}

/**
 * Save the audit and queue it, in one transaction; resolves after commit. `photo` adds a
 * photo record, `dropPhotos` deletes local photo records no longer named by any answer.
 */
export async function saveAudit(audit, { photo = null, dropPhotos = [] } = {}) {
  audit.updated_at = new Date().toISOString();
  await db.tx(["kv", "audits", "outbox", "photos"], "readwrite", async (s) => {
    // A shared tablet: nobody saves (and so nobody sends) another user's audit.
    const session = await db.req(s.kv.get("session"));
    if (!session || session.user.id !== audit.owner) throw new Error("this audit belongs to another user");
    // The sync engine owns base_revision and server: a screen's copy may predate its last PUT.
    const stored = await db.req(s.audits.get(audit.id));
    if (stored) {
      audit.base_revision = stored.base_revision;
      audit.server = stored.server;
    }
    s.audits.put(audit);
    if (photo) s.photos.put(photo);
    if (dropPhotos.length) {
      // The same picture may be in another audit (picked twice from the gallery): keep it then.
      const others = (await db.req(s.audits.getAll())).filter((a) => a.id !== audit.id);
      const used = new Set(others.flatMap((a) => Object.values(a.answers).flatMap((x) => x.photos || [])));
      for (const sha of dropPhotos) if (!used.has(sha)) s.photos.delete(sha);
    }
    await queueIn(s, audit);
  });
  changed();
}

export function preview(checklist, answers, kind) {
  const score = scoreAudit(checklist, answers, kind);
  return { percent: score.percent, band: score.band, score };
}

export const serverMeta = (view, review) => ({
  revision: view.revision,
  status: view.status,
  score: view.score,
  complete: view.complete,
  missing_photos: view.missing_photos || [],
  review: view.review !== undefined ? view.review : review ?? null,
});

/** A local copy made from the server's view of an audit (changes feed, take-server, import). */
export function fromServer(view, local) {
  return {
    ...(local || {}),
    id: view.id,
    checklist_id: view.checklist_id,
    checklist_version: view.checklist_version,
    zone_id: view.zone_id,
    started_at: view.started_at,
    submitted_at: view.submitted_at,
    status: view.status,
    answers: view.answers,
    // The server's subject is one it took, so nothing in it is held back.
    subject: view.subject != null ? view.subject : undefined,
    subject_invalid: [],
    base_revision: view.revision,
    server: serverMeta(view),
    owner: local ? local.owner : view.officer_id,
    preview: view.score ? { percent: view.score.percent, band: view.score.band } : null,
    updated_at: new Date().toISOString(),
  };
}

/**
 * Give up a draft. One the server never had goes at once, with its photos; one the server has
 * is sent as "discarded" (kept there, out of every list) and leaves the device once it is.
 */
export async function discardDraft(audit) {
  if (audit.server) {
    await saveAudit({ ...audit, status: "discarded" });
    return;
  }
  await db.tx(["audits", "outbox", "attention", "photos"], "readwrite", async (s) => {
    s.audits.delete(audit.id);
    s.outbox.delete(`audit:${audit.id}`);
    s.attention.delete(`audit:${audit.id}`);
    await dropPhotosOf(s, audit.id);
  });
  changed();
}

/** Delete the photos recorded for an audit that no other audit on the device names. */
export async function dropPhotosOf(s, auditId) {
  const others = (await db.req(s.audits.getAll())).filter((a) => a.id !== auditId);
  const used = new Set(others.flatMap((a) => Object.values(a.answers).flatMap((x) => x.photos || [])));
  for (const sha of await db.req(s.photos.index("audit_id").getAllKeys(auditId))) if (!used.has(sha)) s.photos.delete(sha);
}

/** Apply audits the server changed (reviews) to the local copies. */
export async function applyServerAudits(views) {
  await db.tx(["audits", "outbox", "photos"], "readwrite", async (s) => {
    for (const view of views) {
      if (view.status === "approved") {
        // Final and on the server: keep only the thumbnails, the tablet's storage is finite.
        for (const p of await db.req(s.photos.index("audit_id").getAll(view.id))) {
          if (p.uploaded && p.blob) s.photos.put({ ...p, blob: null });
        }
      }
      const local = await db.req(s.audits.get(view.id));
      const pending = await db.req(s.outbox.get(`audit:${view.id}`));
      if (local && pending) {
        // Unsent work wins locally; if the server moved on, its PUT meets a 409 the officer
        // resolves. Only the server's own view is recorded.
        local.server = serverMeta(view);
        s.audits.put(local);
      } else {
        s.audits.put(fromServer(view, local));
      }
    }
  });
  changed();
}
