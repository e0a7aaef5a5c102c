// One zone (also what a QR label opens: /#/zone/<id>): its checklists to start, and the audits
// on this device for it, with their status, sync state and the supervisor's comment.

import { newAudit, saveAudit } from "../audits.js";
import * as db from "../db.js";
import { nameOf, t, text, when } from "../i18n.js";
import { S, findZone, latestChecklist, staff } from "../session.js";
import { band, esc, go, percent, statusBadge } from "../ui.js";
import { dueFor, history } from "./zones.js";

function reviewNote(audit) {
  const r = audit.server && audit.server.review;
  if (!r || !r.comment) return "";
  return `<p class="review"><b>${esc(t("review"))}</b>（${esc(t("reviewBy", { by: r.by, at: when(r.at) }))}）：${esc(r.comment)}</p>`;
}

function auditRow(audit, pending) {
  const c = latestChecklist(audit.checklist_id);
  const score = audit.server && audit.server.score ? audit.server.score : audit.preview;
  return `<li class="card audit-row">
    <a href="#/audit/${esc(audit.id)}" data-audit-id="${esc(audit.id)}">
      <span class="aname">${esc(c ? text(c.title) : audit.checklist_id)}</span>
      <span class="muted">${esc(when(audit.submitted_at || audit.started_at))}</span>
      ${statusBadge(audit.status)}
      <span>${esc(t("score"))} <b>${esc(percent(score && score.percent))}</b> ${band(score && score.band)}</span>
      <span class="syncflag${pending ? " pending" : ""}">${esc(t(pending ? "notSynced" : "isSynced"))}</span>
    </a>${reviewNote(audit)}</li>`;
}

async function auditList(zoneId) {
  const [audits, outbox] = await Promise.all([db.byIndex("audits", "zone_id", zoneId), db.getAll("outbox")]);
  const pending = new Set(outbox.map((e) => e.audit_id));
  audits.sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
  const html = audits.length
    ? `<ul class="audits">${audits.map((a) => auditRow(a, pending.has(a.id))).join("")}</ul>`
    : `<p class="muted">${esc(t("none"))}</p>`;
  return { audits, html };
}

export async function render(view, [zoneId]) {
  const found = findZone(zoneId);
  if (!found) {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("unknownZone"))}</h1><p><a href="#/zones">${esc(t("back"))}</a></p>`;
    return;
  }
  const { zone, site } = found;
  const [list, hist] = await Promise.all([auditList(zoneId), history()]);
  const due = new Set(dueFor(zone, hist[zoneId] || []));
  const owner = staff(zone.owner_id);
  const drafts = {};
  for (const a of list.audits) if (a.status === "draft" && !drafts[a.checklist_id]) drafts[a.checklist_id] = a;

  view.innerHTML = `<p class="crumbs"><a href="#/zones">← ${esc(t("zones"))}</a></p>
    <h1 tabindex="-1">${esc(nameOf(zone))}</h1>
    <p class="muted">${esc(nameOf(site))} · ${esc(t(zone.kind))} · ${esc(t("owner"))}：${esc(owner ? nameOf(owner) : "–")}</p>
    <section aria-labelledby="h-cl"><h2 id="h-cl">${esc(t("checklists"))}</h2>
      <ul class="checklists">${zone.checklist_ids
        .map((id) => {
          const c = latestChecklist(id);
          const draft = drafts[id];
          return `<li class="card cl-row"><span class="aname">${esc(c ? text(c.title) : id)}
              ${due.has(id) ? `<span class="chip due">${esc(t("due"))}</span>` : ""}</span>
            ${draft ? `<a class="btn" href="#/audit/${esc(draft.id)}">${esc(t("continueDraft"))}</a>` : ""}
            <button type="button" class="primary" data-start-checklist="${esc(id)}" ${c ? "" : "disabled"}>${esc(t("start"))}</button></li>`;
        })
        .join("")}</ul></section>
    <section aria-labelledby="h-au"><h2 id="h-au">${esc(t("localAudits"))}</h2>
      <div class="audit-list">${list.html}</div></section>`;

  view.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-start-checklist]");
    if (!button) return;
    button.disabled = true;
    const checklist = latestChecklist(button.dataset.startChecklist);
    const audit = newAudit(checklist, zone.id, S.session.user.id);
    await saveAudit(audit);
    go(`#/audit/${audit.id}`);
  });

  // Sync progress (synced / returned / approved) shows up in the list without a reload.
  let timer = null;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const box = view.querySelector(".audit-list");
      if (box && !box.contains(document.activeElement)) box.innerHTML = (await auditList(zoneId)).html;
    }, 200);
  };
  window.addEventListener("genba:changed", onChange);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("genba:changed", onChange);
  };
}
