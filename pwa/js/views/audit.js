// The checklist runner: one section per screen (a 60-item checklist in one page is slow on a
// tablet and hard to walk), the live score beside it, every change saved to IndexedDB at once
// (text after a short pause) and "saved" shown only once the transaction has committed.
// Answers update their card in place instead of re-rendering, so focus and scroll stay put.
// A checklist with subject fields opens with their form at the top of the first section.
// The parts live in ./audit/; this module loads the audit, lays out the screen and routes events.

import { hasSubject } from "../audits.js";
import { t } from "../i18n.js";
import { visibleSections } from "../rules.js";
import { findZone, loadChecklist, ownAudit } from "../session.js";
import { esc, go } from "../ui.js";
import { answerOf, parseValue } from "./audit/answer.js";
import { cardOf, updateCard } from "./audit/item-card.js";
import { layout, section } from "./audit/page.js";
import { Photos } from "./audit/photo-block.js";
import { fillShows } from "./record-lists.js";
import { Saver } from "./audit/saver.js";
import { ScorePanel } from "./audit/score-panel.js";
import { SectionTabs } from "./audit/section-tabs.js";
import { invalidIds, readValue, showProblem, subjectForm } from "./audit/subject-form.js";

/** Whether an audit screen is open: the update banner must not reload under it. */
export const screen = { open: false };

/** ?item= or ?subject= (a link from the summary's missing list): bring that card or field into
 * view, focus its control. */
function focusItem(root, itemId, subjectId) {
  if (subjectId) {
    const field = root.querySelector(`[data-subject="${CSS.escape(subjectId)}"]`);
    if (field) {
      field.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    }
    return;
  }
  const el = itemId && cardOf(root, itemId);
  if (!el) return;
  el.scrollIntoView({ block: "center" });
  const f = el.querySelector("button:not([disabled]), textarea, input");
  if (f) f.focus({ preventScroll: true });
}

const itemOf = (el) => {
  const c = el.closest("[data-item-id]");
  return c ? c.dataset.itemId : null;
};

export async function render(view, [id, query]) {
  // A shared tablet: another user's audit is not found here, whatever its state.
  const audit = await ownAudit(id);
  if (!audit) {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("notFound"))}</h1><p><a href="#/zones">${esc(t("back"))}</a></p>`;
    return;
  }
  let checklist;
  try {
    checklist = await loadChecklist(audit.checklist_id, audit.checklist_version);
  } catch {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("notFound"))}</h1><p class="notice">${esc(t("checklistMissing"))}</p>`;
    return;
  }
  const found = findZone(audit.zone_id);
  const kind = found ? found.zone.kind : null;
  const sections = visibleSections(checklist, kind);
  const items = new Map(sections.flatMap((s) => s.items.map((i) => [i.id, i])));
  const ro = audit.status === "submitted" || audit.status === "approved" ? " disabled" : "";
  const evidence = checklist.evidence_below_max === true;
  const fields = hasSubject(checklist) ? checklist.subject : [];
  const subjectFields = new Map(fields.map((f) => [f.id, f]));
  if (fields.length) {
    audit.subject ||= {}; // sent as the body's subject, {} until something is filled in
    audit.subject_invalid = invalidIds(fields, audit.subject);
  }
  const params = new URLSearchParams(query || "");
  // Back from the summary (or a reload) returns to the section the officer was on.
  const remembered = `genba.section.${id}`;
  let idx = params.get("subject") ? 0 : sections.findIndex((s) => s.id === params.get("section"));
  if (idx < 0) idx = Math.min(Number(sessionStorage.getItem(remembered)) || 0, sections.length - 1);

  view.innerHTML = layout(audit, checklist, found);
  const secEl = view.querySelector(".sec");
  const tabs = new SectionTabs(view.querySelector(".tabs"), sections, audit);
  const score = new ScorePanel(view.querySelector(".scoreview"), checklist, sections, kind);
  const saver = new Saver(audit, view.querySelector(".savestate"));
  const photos = new Photos({ root: secEl, audit, ro, saver, changed: (itemId) => patch(itemId, true) });

  function showScore() {
    const sc = score.update(audit.answers);
    audit.preview = { percent: sc.percent, band: sc.band };
  }

  function showSection(focus) {
    sessionStorage.setItem(remembered, String(idx));
    const form = idx === 0 && fields.length ? subjectForm(fields, audit.subject, ro, found && found.site.id) : "";
    secEl.innerHTML = form + section(sections, idx, audit.answers, ro, evidence);
    tabs.show(idx);
    photos.fill();
    fillShows(secEl, audit.zone_id); // the zone's open actions or red tags beside an item that `shows` them
    if (focus) {
      window.scrollTo(0, 0);
      secEl.querySelector("#sec-h").focus({ preventScroll: true });
    }
  }

  function patch(itemId, photosChanged) {
    const item = items.get(itemId);
    const a = audit.answers[itemId];
    const el = cardOf(secEl, itemId);
    if (el) {
      updateCard(el, item, a, evidence);
      if (photosChanged) photos.update(el, item, a);
    }
    tabs.update();
    showScore();
  }

  function setValue(itemId, raw) {
    answerOf(audit, itemId).value = parseValue(items.get(itemId), raw);
    patch(itemId);
  }

  /** A subject control changed: store its value, say what is wrong with it (if anything). */
  function setSubject(el) {
    const f = subjectFields.get(el.dataset.subject);
    if (!f) return;
    const v = readValue(f, el);
    if (v == null) delete audit.subject[f.id];
    else audit.subject[f.id] = v;
    audit.subject_invalid = invalidIds(fields, audit.subject);
    showProblem(secEl, f, v);
  }

  const typed = (el) => el.tagName === "INPUT" && (el.type === "text" || el.type === "number");

  function goSection(i) {
    if (i < 0 || i >= sections.length || i === idx) return;
    idx = i;
    showSection(true);
  }

  view.addEventListener("click", (event) => {
    const el = event.target.closest("button");
    if (!el || el.disabled) return;
    if (el.dataset.sectionTab) goSection(sections.findIndex((s) => s.id === el.dataset.sectionTab));
    else if (el.hasAttribute("data-prev-section")) goSection(idx - 1);
    else if (el.hasAttribute("data-next-section")) goSection(idx + 1);
    else if (el.hasAttribute("data-submit")) saver.flushPending().then(() => go(`#/audit/${audit.id}/summary`));
    else if (el.hasAttribute("data-remove-photo")) {
      photos.remove(itemOf(el), el.closest("[data-photo-sha]").dataset.photoSha);
    } else if (el.dataset.value !== undefined && itemOf(el)) {
      setValue(itemOf(el), el.dataset.value);
      saver.save();
    }
  });

  view.addEventListener("input", (event) => {
    const el = event.target;
    if (el.dataset.subject !== undefined) {
      // Typing is checked at once and saved after a pause; a pick is saved on its change event.
      if (typed(el)) {
        setSubject(el);
        saver.saveSoon();
      }
      return;
    }
    const itemId = itemOf(el);
    if (!itemId) return;
    if (el.hasAttribute("data-note")) {
      answerOf(audit, itemId).note = el.value;
      patch(itemId);
      saver.saveSoon();
    } else if (el.hasAttribute("data-text") || el.hasAttribute("data-number")) {
      setValue(itemId, el.value);
      saver.saveSoon();
    }
  });

  view.addEventListener("change", (event) => {
    const el = event.target;
    if (el.dataset.subject !== undefined) {
      if (typed(el)) saver.flushPending(); // leaving the field saves at once
      else {
        setSubject(el);
        saver.save();
      }
      return;
    }
    const itemId = itemOf(el);
    if (!itemId) return;
    if (el.type === "file") photos.add(el, itemId);
    else saver.flushPending(); // leaving a text or number field saves at once
  });

  showScore();
  showSection(false);
  focusItem(secEl, params.get("item"), params.get("subject"));
  screen.open = true;

  return () => {
    screen.open = false;
    // Revoke after pending saves so no image flashes broken while leaving.
    saver.flushPending().then(() => photos.release());
  };
}
