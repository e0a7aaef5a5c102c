// Before submit: the score, the radar and every required answer, photo or note still missing,
// and first the subject fields left empty or filled in wrongly (the same rules the server
// applies, so a submit the server would refuse is not offered).

import { hasSubject, saveAudit } from "../audits.js";
import { t, text } from "../i18n.js";
import { flush } from "../outbox.js";
import { radar } from "../radar.js";
import { missing, noteReason, subjectErrors, subjectMissing, visibleSections } from "../rules.js";
import { scoreAudit } from "../scoring.js";
import { findZone, loadChecklist, ownAudit } from "../session.js";
import { band, esc, go, percent, toast } from "../ui.js";
import { isStaff, problemText } from "./audit/subject-form.js";

const WHAT = { value: "missAnswer", photos: "missPhoto", note: "missNote" };
const NOTE = { fail: "missNote", na: "missNaReason", evidence: "missEvidence" };

const gapWords = (g, answers) =>
  g.field === "note" ? t(NOTE[noteReason(g.item, answers[g.item.id])]) : t(WHAT[g.field]);

/** The subject's gaps in the server's order: values it would refuse, then required ones left empty. */
function subjectGaps(checklist, subject) {
  if (!hasSubject(checklist)) return [];
  const fields = new Map(checklist.subject.map((f) => [f.id, f]));
  const bad = subjectErrors(checklist, subject || {}, isStaff).map((e) => ({
    field: fields.get(e.id),
    id: e.id,
    words: problemText(e.code, (subject || {})[e.id]),
  }));
  const empty = subjectMissing(checklist, subject || {}).map((e) => ({ field: fields.get(e.id), id: e.id, words: t("missSubject") }));
  return [...bad, ...empty];
}

export async function render(view, [id]) {
  const audit = await ownAudit(id);
  const checklist = audit && (await loadChecklist(audit.checklist_id, audit.checklist_version).catch(() => null));
  if (!audit || !checklist) {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("notFound"))}</h1><p><a href="#/zones">${esc(t("back"))}</a></p>`;
    return;
  }
  const found = findZone(audit.zone_id);
  const kind = found ? found.zone.kind : null;
  const sections = visibleSections(checklist, kind);
  const gaps = missing(sections, audit.answers, checklist.evidence_below_max === true);
  const about = subjectGaps(checklist, audit.subject);
  const count = about.length + gaps.length;
  const sc = scoreAudit(checklist, audit.answers, kind);
  const editable = audit.status === "draft" || audit.status === "returned";
  const list = sections.map((s) => `${text(s.title)} ${percent(sc.sections[s.id].percent)}`).join(", ");

  view.innerHTML = `<p class="crumbs"><a href="#/audit/${esc(id)}">← ${esc(t("backToAudit"))}</a></p>
    <h1 tabindex="-1">${esc(t("summary"))} · ${esc(text(checklist.title))}</h1>
    <div class="sumgrid">
      <section class="card" aria-labelledby="h-score"><h2 id="h-score">${esc(t("score"))}</h2>
        <p class="big"><span data-live-score>${percent(sc.percent)}</span><small>%</small> ${band(sc.band)}</p>
        ${sc.capped_by.length ? `<p class="warn">${esc(t("capped"))}</p>` : ""}
        ${radar(sections.map((s) => ({ label: text(s.title), value: sc.sections[s.id].percent })), t("radarTitle", { list }))}
        <ul class="secs">${sections
          .map((s) => `<li><span>${esc(text(s.title))}</span><b>${percent(sc.sections[s.id].percent)}</b></li>`)
          .join("")}</ul>
      </section>
      <section class="card" aria-labelledby="h-miss">
        <h2 id="h-miss">${esc(count ? t("missingN", { n: count }) : t("allDone"))}</h2>
        <button type="button" class="primary big-btn" data-confirm-submit${count || !editable ? " disabled" : ""}>${esc(t("confirmSubmit"))}</button>
        ${count ? `<ul class="missing">${about
          .map(
            (g) => `<li data-missing data-missing-subject="${esc(g.id)}"><a href="#/audit/${esc(id)}?subject=${encodeURIComponent(g.id)}">
              <span class="muted">${esc(t("subjectTitle"))}</span> ${esc(g.field ? text(g.field.label) : g.id)} — <b>${esc(g.words)}</b></a></li>`,
          )
          .join("")}${gaps
          .map(
            (g) => `<li data-missing><a href="#/audit/${esc(id)}?section=${encodeURIComponent(g.section.id)}&item=${encodeURIComponent(g.item.id)}">
              <span class="muted">${esc(text(g.section.title))}</span> ${esc(text(g.item.label))} — <b>${esc(gapWords(g, audit.answers))}</b></a></li>`,
          )
          .join("")}</ul>` : ""}
      </section>
    </div>`;

  view.querySelector("[data-confirm-submit]").addEventListener("click", async (event) => {
    event.currentTarget.disabled = true;
    const now = new Date().toISOString();
    audit.status = "submitted";
    audit.submitted_at = now < audit.started_at ? audit.started_at : now;
    audit.preview = { percent: sc.percent, band: sc.band };
    if (audit.subject) audit.subject_invalid = []; // nothing is wrong, or this was not offered
    await saveAudit(audit);
    toast(t(navigator.onLine ? "submittedSyncing" : "submittedToast"));
    flush();
    go(`#/zone/${audit.zone_id}`);
  });
}
