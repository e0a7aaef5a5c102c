// The review queue as the supervisor has filtered it, for this browser tab (and this user): the
// queue screen draws it, an audit's screen walks it (n / p, and on to the next after a decision).

import { userId } from "../../session.js";
import { api, query } from "./shared.js";

const key = () => `genba.queue.${userId()}`;
export const FILTERS = ["site_id", "zone_id", "officer_id", "checklist_id"];

export function filters() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key()) || "{}");
    return Object.fromEntries(FILTERS.filter((k) => saved[k]).map((k) => [k, String(saved[k])]));
  } catch {
    return {};
  }
}

export const setFilters = (f) => sessionStorage.setItem(key(), JSON.stringify(f));

/** Longest waiting first, by submitted_at (the API's "oldest" is the order the server first
 * saw each audit, often as a draft, which is not when it was submitted). */
export const ordered = (audits) => [...audits].sort((a, b) => Date.parse(a.submitted_at) - Date.parse(b.submitted_at));

/** One page of the queue, longest waiting first: {audits, next_cursor}. */
export async function queuePage(cursor, f = filters()) {
  const page = await api("GET", `/api/audits?${query({ status: "submitted", order: "oldest", limit: 50, ...f, cursor })}`);
  return { ...page, audits: ordered(page.audits) };
}

/** What waits, counted by site, zone, officer and checklist (for the chips). */
export const queueCounts = () => api("GET", "/api/reports/queue");

/** The audit last opened from the queue: focused again when the queue draws. */
export const last = { id: null };

/** Where an audit stands in the queue: its neighbours (`next` is also where a decision goes on
 * to; from an audit not in the queue, that is the queue's first). */
export function around(ids, id) {
  const i = ids.indexOf(id);
  return { index: i, prev: i > 0 ? ids[i - 1] : null, next: (i >= 0 ? ids[i + 1] : ids[0]) || null };
}
