// The runner's static HTML: the frame around the parts and the page of one section.

import { nameOf, t, text, when } from "../../i18n.js";
import { esc, statusBadge } from "../../ui.js";
import { card } from "./item-card.js";

function banner(audit) {
  const r = audit.server && audit.server.review;
  const comment = r && r.comment ? `<br><b>${esc(t("review"))}</b>（${esc(t("reviewBy", { by: r.by, at: when(r.at) }))}）：${esc(r.comment)}` : "";
  if (audit.status === "returned") return `<p class="banner warn">${esc(t("returnedBanner"))}${comment}</p>`;
  if (audit.status === "submitted") return `<p class="banner">${esc(t("readOnlySubmitted"))}${comment}</p>`;
  if (audit.status === "approved") return `<p class="banner ok">${esc(t("readOnlyApproved"))}${comment}</p>`;
  return "";
}

/** The runner's frame; the tabs, the section and the score are filled in by their parts. */
export function layout(audit, checklist, found) {
  return `<div class="runner">
    <header class="rhead">
      <p class="crumbs"><a href="#/zone/${esc(audit.zone_id)}">← ${esc(found ? nameOf(found.zone) : audit.zone_id)}</a></p>
      <h1 tabindex="-1">${esc(text(checklist.title))}</h1>
      <p class="muted">${esc(found ? nameOf(found.zone) : "")} · ${esc(when(audit.started_at))} ${statusBadge(audit.status)}</p>
      ${banner(audit)}
      <nav class="tabs" aria-label="${esc(t("sections"))}"></nav>
    </header>
    <div class="rbody">
      <div class="sec"></div>
      <aside class="scorebox" aria-label="${esc(t("score"))}">
        <div class="scoreview"></div>
        <p class="savestate" aria-live="polite"><span data-saved hidden></span><span class="error" data-save-error></span></p>
      </aside>
    </div></div>`;
}

/**
 * One section's page: its description (an S's definition and slogan), its cards and the pager.
 * `evidence` is the checklist's evidence_below_max.
 */
export function section(sections, idx, answers, ro, evidence) {
  const s = sections[idx];
  const last = idx === sections.length - 1;
  return `<section aria-labelledby="sec-h">
      <h2 id="sec-h" tabindex="-1">${esc(text(s.title))} <small class="muted">${esc(t("sectionOf", { n: idx + 1, total: sections.length }))}</small></h2>
      ${s.description ? `<p class="sec-desc" data-section-description>${esc(text(s.description))}</p>` : ""}
      ${s.items.map((it) => card(it, answers[it.id], ro, evidence)).join("")}
      <div class="pager">
        <button type="button" data-prev-section${idx === 0 ? " disabled" : ""}>← ${esc(t("prev"))}</button>
        <button type="button" data-next-section${last ? " disabled" : ""}${last ? "" : ' class="primary"'}>${esc(t("next"))} →</button>
        ${ro ? "" : `<button type="button" data-submit class="${last ? "primary" : ""}">${esc(t("toSummary"))}</button>`}
      </div></section>`;
}
