// An audit's header (zone, site, checklist, officer, when, month, status, the critical item that
// capped the total, flags), the line above its items (failed, changed, "only those"), and for
// the side panel the score and the zone's previous audit (date, officer, percent) with both
// audits on one radar.

import { nameOf, t, text, when } from "../../i18n.js";
import { radar } from "../../radar.js";
import { findZone } from "../../session.js";
import { band, esc, percent, statusBadge } from "../../ui.js";
import { failures } from "./review-items.js";
import { T, checklistTitle, flags, kindName, officerName, siteName, waited } from "./shared.js";

const fact = (label, value, attr = "") => `<div${attr}><dt>${esc(label)}</dt><dd>${value}</dd></div>`;

export function header(audit, checklist) {
  const found = findZone(audit.zone_id);
  const items = new Map(checklist.sections.flatMap((s) => s.items.map((i) => [i.id, i])));
  const capped = (audit.score.capped_by || []).map((id) => (items.has(id) ? text(items.get(id).label) : id));
  const sent = audit.submitted_at
    ? `${esc(when(audit.submitted_at))}${audit.status === "submitted" ? `<small class="block">${T("waited", { w: waited(audit.submitted_at) })}</small>` : ""}`
    : "–";
  return `<section class="card rhead" data-audit-header>
    <dl class="facts">
      ${fact(t("site"), esc(found ? nameOf(found.site) : siteName(audit.site_id)))}
      ${fact(t("kind"), esc(found ? kindName(found.zone.kind) : "–"))}
      ${fact(t("checklist"), `${esc(checklistTitle(audit.checklist_id))} <small class="muted">v${esc(audit.checklist_version)}</small>`)}
      ${fact(t("officer"), esc(officerName(audit.officer_id)), " data-audit-officer")}
      ${fact(t("submittedAt"), sent)}
      ${fact(t("month"), esc(audit.month))}
      ${fact(t("status"), statusBadge(audit.status), ` data-status="${esc(audit.status)}"`)}
    </dl>
    ${capped.length ? `<p class="capline" data-capped>${T("cappedBy", { items: capped.join("、") })}</p>` : ""}
    <p class="qflags">${flags(audit, true)}</p></section>`;
}

/** The score and band for the side panel's top. */
export const scoreLine = (audit) =>
  `<p class="big" data-audit-percent>${esc(percent(audit.score.percent))}<small>%</small> ${band(audit.score.band)}</p>`;

/** Above the items: how many changed and failed, and the toggle to see only those. */
export function toolbar(checklist, audit, cmp) {
  const failed = failures(checklist, audit).length;
  return `<p class="itools"><span data-failed-count="${failed}">${T("failedN", { n: failed })}</span>${
    cmp.previous ? ` · <span data-changed-count="${cmp.changed.length}">${T("changedN", { n: cmp.changed.length })}</span>` : ""
  }<label class="opt"><input type="checkbox" data-only-changed>${T("onlyChanged")}</label></p>`;
}

/** The zone's previous audit (date, officer, percent) and the radar of both audits by section. */
export function previous(audit, checklist, cmp) {
  const prev = cmp.previous;
  const spokes = checklist.sections.map((s) => ({
    label: text(s.title),
    value: (audit.score.sections[s.id] || {}).percent ?? null,
    before: prev ? ((prev.score.sections || {})[s.id] || {}).percent ?? null : null,
  }));
  const list = spokes.map((s) => `${s.label} ${percent(s.value)}${prev ? ` (${percent(s.before)})` : ""}`).join("，");
  const legend = prev ? `<p class="legend"><span class="sw now"></span>${T("thisAudit")} <span class="sw before"></span>${T("previous")}</p>` : "";
  return `<section class="rprev" aria-labelledby="h-prev" ${prev ? `data-previous="${esc(prev.id)}"` : "data-previous"}>
    <h2 id="h-prev">${T("previous")}</h2>${
      prev
        ? `<p><a href="#/review/${esc(prev.id)}" data-previous-link>${esc(when(prev.submitted_at || prev.started_at))}</a> · ${esc(officerName(prev.officer_id))}
        · <b data-previous-percent>${esc(percent(prev.score.percent))}</b> ${band(prev.score.band)}</p>`
        : `<p class="muted">${T("noPrevious")}</p>`
    }${radar(spokes, t("radarTitle", { list }), 220)}${legend}</section>`;
}
