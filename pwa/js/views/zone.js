// One zone (also what a QR label opens: /#/zone/<id>): its checklists to start, its open
// corrective actions and red tags (record-lists.js), and this user's audits on this device for
// it, with their status, sync state and the supervisor's comment. A draft can be discarded;
// starting a second draft of a checklist is a choice.

import { discardDraft, newAudit, saveAudit } from "../audits.js";
import * as db from "../db.js";
import { nameOf, t, text, when } from "../i18n.js";
import { S, findZone, latestChecklist, staff } from "../session.js";
import { band, esc, go, percent, statusBadge } from "../ui.js";
import { fillThumbs, zoneData, zoneLists } from "./record-lists.js";
import { dueFor, history, myAudits } from "./zones.js";

function reviewNote(audit) {
  const r = audit.server && audit.server.review;
  if (!r || !r.comment) return "";
  return `<p class="review"><b>${esc(t("review"))}</b>（${esc(t("reviewBy", { by: r.by, at: when(r.at) }))}）：${esc(r.comment)}</p>`;
}

// "已同步" only when the server holds this very revision; otherwise why not.
function syncState(audit, queued, attention) {
  if (attention) return ["attention", "needsAttention"];
  if (queued) return ["pending", "notSynced"];
  if (!audit.server) return ["pending", "deviceOnly"];
  return ["synced", "isSynced"];
}

function auditRow(audit, queued, attention) {
  const c = latestChecklist(audit.checklist_id);
  const score = audit.server && audit.server.score ? audit.server.score : audit.preview;
  const [state, label] = syncState(audit, queued, attention);
  const discard =
    audit.status === "draft"
      ? `<button type="button" class="link danger" data-discard-draft="${esc(audit.id)}">${esc(t("discardDraft"))}</button>`
      : "";
  return `<li class="card audit-row">
    <a href="#/audit/${esc(audit.id)}" data-audit-id="${esc(audit.id)}">
      <span class="aname">${esc(c ? text(c.title) : audit.checklist_id)}</span>
      <span class="muted">${esc(when(audit.submitted_at || audit.started_at))}</span>
      ${statusBadge(audit.status)}
      <span>${esc(t("score"))} <b>${esc(percent(score && score.percent))}</b> ${band(score && score.band)}</span>
      <span class="syncflag ${state}" data-sync-state="${state}">${esc(t(label))}</span>
    </a>${reviewNote(audit)}${discard}</li>`;
}

async function auditList(zoneId) {
  const [mine, outbox, attention] = await Promise.all([myAudits(), db.getAll("outbox"), db.getAll("attention")]);
  const audits = mine.filter((a) => a.zone_id === zoneId && a.status !== "discarded");
  const queued = new Set(outbox.map((e) => e.audit_id));
  const flagged = new Set(attention.map((e) => e.audit_id));
  audits.sort((a, b) => (a.started_at < b.started_at ? 1 : -1));
  const html = audits.length
    ? `<ul class="audits">${audits.map((a) => auditRow(a, queued.has(a.id), flagged.has(a.id))).join("")}</ul>`
    : `<p class="muted">${esc(t("none"))}</p>`;
  return { audits, html };
}

/** Starting a checklist that already has a draft here asks first: continue it, or a new one. */
function draftChoice(li, draft) {
  li.querySelector("[data-draft-choice]")?.remove();
  const box = document.createElement("div");
  box.className = "draft-choice";
  box.dataset.draftChoice = "";
  box.setAttribute("role", "group");
  box.innerHTML = `<p>${esc(t("draftExists", { at: when(draft.started_at) }))}</p>
    <a class="btn primary" href="#/audit/${esc(draft.id)}" data-continue-draft>${esc(t("continueDraft"))}</a>
    <button type="button" data-start-new>${esc(t("startNew"))}</button>
    <button type="button" class="link" data-cancel-choice>${esc(t("cancel"))}</button>`;
  li.append(box);
  box.querySelector("[data-continue-draft]").focus();
}

export async function render(view, [zoneId]) {
  const found = findZone(zoneId);
  if (!found) {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("unknownZone"))}</h1><p><a href="#/zones">${esc(t("back"))}</a></p>`;
    return;
  }
  const { zone, site } = found;
  const [list, hist, recs] = await Promise.all([auditList(zoneId), history(), zoneData(zoneId)]);
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
    <div class="records">${zoneLists(zoneId, recs)}</div>
    <section aria-labelledby="h-au"><h2 id="h-au">${esc(t("localAudits"))}</h2>
      <div class="audit-list">${list.html}</div></section>`;
  fillThumbs(view);

  async function start(checklistId, button) {
    button.disabled = true;
    const audit = newAudit(latestChecklist(checklistId), zone.id, S.session.user.id);
    await saveAudit(audit);
    go(`#/audit/${audit.id}`);
  }

  view.addEventListener("click", async (event) => {
    const el = event.target.closest("button");
    if (!el) return;
    const li = el.closest("li");
    if (el.dataset.startChecklist) {
      const draft = drafts[el.dataset.startChecklist];
      if (draft) draftChoice(li, draft);
      else await start(el.dataset.startChecklist, el);
    } else if (el.hasAttribute("data-start-new")) {
      await start(li.querySelector("[data-start-checklist]").dataset.startChecklist, el);
    } else if (el.hasAttribute("data-cancel-choice")) {
      li.querySelector("[data-draft-choice]").remove();
      li.querySelector("[data-start-checklist]").focus();
    } else if (el.dataset.discardDraft) {
      const audit = list.audits.find((a) => a.id === el.dataset.discardDraft);
      if (!audit || !confirm(t("discardConfirm"))) return;
      el.disabled = true;
      await discardDraft(audit);
      go(`#/zone/${zone.id}`);
    }
  });

  // Sync progress (synced / returned / approved) shows up in the list without a reload.
  let timer = null;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const box = view.querySelector(".audit-list");
      if (box && !box.contains(document.activeElement)) box.innerHTML = (await auditList(zoneId)).html;
      const recBox = view.querySelector(".records");
      if (recBox && !recBox.contains(document.activeElement)) {
        recBox.innerHTML = zoneLists(zoneId, await zoneData(zoneId));
        fillThumbs(recBox);
      }
    }, 200);
  };
  window.addEventListener("genba:changed", onChange);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("genba:changed", onChange);
  };
}
