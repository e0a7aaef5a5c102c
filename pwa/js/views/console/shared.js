// Shared by the supervisor's console (online only, nothing kept on the device): its strings and
// stylesheet, the frame and nav, the role and network check, names of zones, sites, kinds,
// checklists and officers, durations and months, single-key shortcuts and the audit flags.

import { ApiError } from "../../api.js";
import { addStrings, nameOf, t, text } from "../../i18n.js";
import { S, findZone, latestChecklist } from "../../session.js";
import { esc } from "../../ui.js";
import { T, api, openFile } from "../admin/form.js";
import { foot } from "../zones.js";
import strings from "./strings.js";

export { T, api, openFile };
addStrings(strings);

// Loaded with the console, not with the tablet's shell; drawn only once it has arrived.
const styled = new Promise((resolve) => {
  const href = new URL("./console.css", import.meta.url).href;
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href });
  link.onload = link.onerror = resolve;
  document.head.append(link);
});

export const isAdmin = () => S.session.user.role === "admin";
const allowed = () => ["supervisor", "admin"].includes(S.session.user.role);

export function frame(view, title, body) {
  const here = location.hash;
  const link = (href, key, attr) =>
    `<a href="${href}" ${attr}${here === href || here.startsWith(`${href}/`) ? ' aria-current="page"' : ""}>${T(key)}</a>`;
  view.innerHTML = `<nav class="anav" aria-label="${T("console")}" data-console-nav>${link("#/review", "queueNav", "data-nav-review")}${link(
    "#/actions",
    "actionsNav",
    "data-nav-actions",
  )}${link("#/red-tags", "redTagsNav", "data-nav-red-tags")}${link("#/reports", "reportsNav", "data-nav-reports")}${link("#/appraisal", "appraisalNav", "data-nav-appraisal")}${link("#/needs-attention", "attentionNav", "data-nav-attention")}${isAdmin() ? link("#/admin", "admin", "data-console-admin") : ""}<a href="#/zones" data-nav-audit>${T("toAudit")}</a></nav>
    <h1 tabindex="-1">${esc(title)}</h1>${body}`;
  foot(view);
}

/** A render for supervisors and admins; offline it says so (app.js renders again once online). */
export const screen = (fn) => async (view, args) => {
  await styled;
  if (!allowed()) {
    view.innerHTML = `<h1 tabindex="-1" data-supervisors-only>${T("supervisorsOnly")}</h1><a class="btn" href="#/zones">${T("zones")}</a>`;
    return undefined;
  }
  try {
    if (!navigator.onLine) throw new ApiError(0);
    return await fn(view, args);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status) throw err;
    frame(view, t("console"), `<p class="notice" role="alert" data-console-offline>${T("consoleOffline")}</p>`);
    return undefined;
  }
};

export const enc = encodeURIComponent;
export const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== "")).toString();

// ---- names: zones, sites and kinds from the bootstrap, officers from the reports

export const zoneName = (id) => {
  const found = findZone(id);
  return found ? nameOf(found.zone) : id;
};
export const siteName = (id) => nameOf(((S.bootstrap && S.bootstrap.sites) || []).find((s) => s.id === id)) || id;
export const kindName = (kind) => {
  const found = ((S.bootstrap && S.bootstrap.zone_kinds) || []).find((k) => k.id === kind);
  return found ? text(found.name) : t(kind);
};
export const checklistTitle = (id) => {
  const c = latestChecklist(id);
  return c ? text(c.title) : id;
};

const officers = new Map();
/** Remember officers' names: [{id|officer_id, name}] from the queue counts or a report. */
export const learnNames = (list) => (list || []).forEach((o) => officers.set(String(o.officer_id ?? o.id), o.name));
export const officerName = (id) => officers.get(String(id)) || `#${id}`;

/** Officers' names for these audits: the month's calibration report knows who audited. */
export async function knowOfficers(audits) {
  const wanted = audits.filter((a) => a && !officers.has(String(a.officer_id)));
  const months = new Set(wanted.map((a) => `${a.month}|${a.checklist_id}`));
  await Promise.all(
    [...months].map((key) => {
      const [month, checklist] = key.split("|");
      return api("GET", `/api/reports/officers?${query({ month, checklist_id: checklist })}`)
        .then((r) => learnNames(r.officers))
        .catch(() => {});
    }),
  );
}

// ---- time

export function waited(iso) {
  const mins = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 6e4));
  const [d, h, m] = [Math.floor(mins / 1440), Math.floor(mins / 60) % 24, mins % 60];
  return d ? t("dur_d", { d, h }) : h ? t("dur_h", { h, m }) : t("dur_m", { m });
}

const pad = (n) => String(n).padStart(2, "0");
// The sites' month, not the browser's: audits count by the sites' date (the server's time
// zone), and an office PC in another zone (or a test browser in UTC) must not open a report
// on the wrong side of midnight on the 1st.
export const thisMonth = () => {
  const zone = S.bootstrap && S.bootstrap.timezone;
  if (zone) {
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit" }).format(new Date()).slice(0, 7);
    } catch {
      // an unknown zone name: the browser's month below
    }
  }
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
};
export const addMonths = (month, k) => {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(y, m - 1 + k, 1);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
};

// ---- keys and flags

/**
 * Single-key shortcuts, `{key: fn}` (letters in lower case, or names such as "ArrowDown"):
 * never with a modifier, while typing in a field, or under an open dialog. Returns the remover.
 */
export function shortcuts(map) {
  const on = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (event.target.closest?.("input, textarea, select, [contenteditable]") || document.querySelector("dialog[open]")) return;
    const fn = map[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!fn) return;
    event.preventDefault();
    fn(event);
  };
  document.addEventListener("keydown", on);
  return () => document.removeEventListener("keydown", on);
}

export const kbd = (keys) => `<p class="keys muted" data-shortcuts><b>${T("keys")}</b> ${esc(t(keys))}</p>`;

/**
 * What a supervisor should notice before reading an audit, as chips. `long` (the audit's own
 * header, which names the capping item on a line of its own): the why written out, no "capped".
 */
export function flags(a, long = false) {
  const out = [];
  if (!long && a.score && a.score.capped_by && a.score.capped_by.length) out.push(["capped", t("flagCapped")]);
  if (a.missing_photos && a.missing_photos.length) out.push(["photos", t("flagPhotos", { n: a.missing_photos.length })]);
  else if (!a.complete) out.push(["incomplete", t("flagIncomplete")]);
  if (a.clock_flag) out.push(["clock", t("flagClock"), a.clock_flag]);
  if (a.zone_flag) out.push(["zone", t("flagZone"), a.zone_flag]);
  return out
    .map(([k, label, why]) => `<span class="chip due" data-flag="${k}">${esc(label)}${why ? `<span class="${long ? "why" : "vh"}" lang="en">: ${esc(why)}</span>` : ""}</span>`)
    .join("");
}
