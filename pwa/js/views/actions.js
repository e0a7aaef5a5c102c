// One corrective action (#/action/<id>): what the audit found (before photos, the item, the
// finding, owner, due), and what can be done with it here: close it (an after photo beside
// the before photo, and a note: done), verify or reopen it once done. Each save is in
// IndexedDB with its outbox entry before "saved" shows; the outbox sends it (docs/actions.md).
// Moves the server refuses (done without an after photo or a note) are refused here first.

import { nameOf, t, text, when } from "../i18n.js";
import { flushSoon } from "../outbox.js";
import * as R from "../records.js";
import { S, findZone } from "../session.js";
import { esc } from "../ui.js";
import { PickPhotos } from "./pick-photos.js";
import { badge, dirty, fillThumbs, follow, loadRecord, ownerName, thumbList } from "./record-lists.js";

const NOTE_MAX = 4000;
const AFTER_MAX = 10;
let savedFlash = null; // the id just saved: its screen says so once

function facts(a) {
  const late = R.isOverdue(a);
  return `<dl class="facts">
    <dt>${esc(t("owner"))}</dt><dd>${esc(ownerName(a))}</dd>
    <dt>${esc(t("dueDate"))}</dt><dd>${esc(a.due || "–")}${late ? ` <b class="late-chip" data-overdue-days>${esc(t("overdueN", { n: R.daysLate(a) }))}</b>` : ""}</dd>
    <dt>${esc(t("problem"))}</dt><dd class="prewrap">${esc(a.finding || "–")}</dd>
    ${a.note ? `<dt>${esc(t("note"))}</dt><dd class="prewrap" data-note-shown>${esc(a.note)}</dd>` : ""}</dl>`;
}

// The owner (the user linked to the owning staff member) does not verify their own fix.
const owns = (a) => Boolean(S.session && S.session.user.staff_id && S.session.user.staff_id === a.owner_staff_id);

function form(a) {
  const before = `<section class="side"><h2>${esc(t("before"))}</h2>${thumbList(a.before_photos, t("before"), "thumbs big") || `<p class="muted">${esc(t("none"))}</p>`}</section>`;
  const err = `<p class="ferr" data-form-error role="alert" tabindex="-1"></p>`;
  if (a.status === "open" || a.status === "reopened") {
    return `<form data-close-form novalidate>
      <div class="pair">${before}<section class="side"><h2>${esc(t("after"))}</h2><div data-after-photos></div></section></div>
      <label for="a-note">${esc(t("whatDone"))}</label>
      <textarea id="a-note" data-action-note rows="3" maxlength="${NOTE_MAX}"></textarea>${err}
      <p class="actions"><button type="submit" class="primary" data-close-action>${esc(t("markDone"))}</button></p></form>`;
  }
  const pair = `<div class="pair">${before}<section class="side"><h2>${esc(t("after"))}</h2>${thumbList(a.after_photos, t("after"), "thumbs big")}</section></div>`;
  if (a.status !== "done") return `${pair}<p class="banner">${esc(t("finalRec"))}</p>`;
  const mine = owns(a) ? " disabled" : "";
  return `${pair}<form data-verify-form novalidate>${owns(a) ? `<p class="notice">${esc(t("youOwn"))}</p>` : ""}
    <label for="a-note">${esc(t("verifyNote"))}</label>
    <textarea id="a-note" data-action-note rows="2" maxlength="${NOTE_MAX}"${mine}></textarea>${err}
    <p class="actions"><button type="button" class="primary" data-verify${mine}>${esc(t("verify"))}</button>
      <button type="button" data-reopen${mine}>${esc(t("reopen"))}</button></p></form>`;
}

export async function render(view, [id]) {
  let a = await loadRecord("action", id);
  if (!a) {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("notFound"))}</h1><p class="notice">${esc(t("notOnDevice"))}</p><p><a href="#/zones">${esc(t("back"))}</a></p>`;
    return;
  }
  let picker = null;

  function draw() {
    const found = findZone(a.zone_id);
    const saved = savedFlash === a.id;
    savedFlash = null;
    view.innerHTML = `<p class="crumbs"><a href="#/zone/${esc(a.zone_id)}">← ${esc(found ? nameOf(found.zone) : a.zone_id)}</a></p>
      <article data-action="${esc(a.id)}" data-status="${esc(a.status)}">
      <h1 tabindex="-1">${esc(text(a.item_label) || a.item_id)}</h1>
      <p class="muted">${esc(t("actions"))} · ${esc(when(a.opened_at))} ${badge(a.status)}
        ${a.owner ? `<span class="syncflag pending" data-sync-state="pending">${esc(t("notSynced"))}</span>` : ""}</p>
      <p class="saved-line" role="status"><span data-saved${saved ? "" : " hidden"}>✓ ${esc(t("saved"))} ${esc(when(a.local_at))}</span></p>
      ${facts(a)}${form(a)}</article>`;
    const box = view.querySelector("[data-after-photos]");
    picker = box ? new PickPhotos(box, a.after_photos || [], AFTER_MAX) : null;
    fillThumbs(view);
  }

  function refuse(message) {
    const el = view.querySelector("[data-form-error]");
    el.textContent = message;
    el.focus();
  }

  async function save(changes, extra) {
    const next = { ...a, ...changes };
    for (const b of view.querySelectorAll("form button")) b.disabled = true;
    try {
      await R.saveRecord("action", next, extra);
    } catch (err) {
      for (const b of view.querySelectorAll("form button")) b.disabled = false;
      return refuse(t("saveFailed", { e: err.message || err }));
    }
    a = next;
    savedFlash = a.id;
    draw();
    view.querySelector("h1").focus();
    flushSoon(1000);
  }

  view.addEventListener("submit", (event) => {
    event.preventDefault();
    const add = view.querySelector("[data-action-note]").value;
    const note = R.addNote(a.note, add);
    // The server's rule (docs/actions.md), on the device: a photo of the fix and a note.
    if (!picker.photos().length) return refuse(t("needAfter"));
    if (!add.trim()) return refuse(t("needNote"));
    if (note.length > NOTE_MAX) return refuse(t("tooLong", { n: NOTE_MAX }));
    save({ status: "done", note, after_photos: picker.shas }, { photos: picker.photos(), drop: picker.dropped(a.after_photos || []) });
  });

  view.addEventListener("input", () => {
    const el = view.querySelector("[data-form-error]");
    if (el) el.textContent = ""; // the message was about what is being fixed now
  });

  view.addEventListener("click", (event) => {
    const b = event.target.closest("[data-verify], [data-reopen]");
    if (!b || b.disabled) return;
    const add = view.querySelector("[data-action-note]").value;
    const note = R.addNote(a.note, add);
    if (b.hasAttribute("data-reopen") && !add.trim()) return refuse(t("reopenWhy"));
    if (note.length > NOTE_MAX) return refuse(t("tooLong", { n: NOTE_MAX }));
    save({ status: b.hasAttribute("data-verify") ? "verified" : "reopened", note });
  });

  draw();
  // The sync's answer (or another device's change) shows up unless the user is at the form.
  const busy = () => dirty(view.querySelector("form")) || Boolean(picker && picker.photos().length);
  return follow("action", id, () => a, (now) => {
    a = now;
    draw();
  }, busy);
}
