// The corrective actions (整改项) as the console asks for them: the filters kept for this browser
// tab (and user), a page of GET /api/actions, the load per owner, and a move (PUT
// /api/actions/{id} with base_revision, docs/actions.md).

import { request } from "../../api.js";
import { userId } from "../../session.js";
import { api, enc, query } from "./shared.js";

const key = () => `genba.actions.${userId()}`;
export const FILTERS = ["status", "site_id", "zone_id", "owner"];
// The status chips: the API's `active` (open, reopened, done), `overdue=true`, or one status.
export const STATUSES = ["active", "overdue", "done", "verified", "cancelled", ""];

export function filters() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key()) || "{}");
    const out = Object.fromEntries(FILTERS.filter((k) => saved[k] != null).map((k) => [k, String(saved[k])]));
    return STATUSES.includes(out.status) ? out : { ...out, status: "active" };
  } catch {
    return { status: "active" };
  }
}

export const setFilters = (f) => sessionStorage.setItem(key(), JSON.stringify(f));

/** One page of actions, newest opened first: {actions, next_cursor}. */
export function actionsPage(cursor, f) {
  const { status, ...rest } = f;
  const which = status === "overdue" ? { overdue: "true" } : { status };
  return api("GET", `/api/actions?${query({ ...rest, ...which, limit: 30, cursor })}`);
}

/** Per owner, the actions not yet closed (open, overdue, done): {owners}. */
export const ownerLoads = (siteId) => api("GET", `/api/actions/owners?${query({ site_id: siteId })}`);

// What GET gives that a PUT does not carry (the server ignores them; sent clean anyway).
const SERVER_ONLY = ["id", "revision"];

/** Send the action with `changes` on top of the revision shown; the server's answer. */
export async function move(action, changes) {
  const body = Object.fromEntries(Object.entries({ ...action, ...changes }).filter(([k]) => !SERVER_ONLY.includes(k)));
  const { data } = await request("PUT", `/api/actions/${enc(action.id)}`, { json: { ...body, base_revision: action.revision } });
  return data;
}
