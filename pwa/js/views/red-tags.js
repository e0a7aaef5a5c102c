// Red tags (红牌): a tag (#/red-tag/<id>, what the printed tag's QR code opens) with its
// number (the server's RT-0001, or 临-N until synced), age against the site's limit and the
// form to close it (a disposition and when); a new tag (#/zone/<id>/red-tag/new) and a change
// to an open one (#/red-tag/<id>/edit): photos, item, quantity, reason, proposed disposition.
// Each save is in IndexedDB with its outbox entry before "saved" shows (docs/actions.md).

import { nameOf, t, when } from "../i18n.js";
import { flushSoon } from "../outbox.js";
import * as R from "../records.js";
import { findZone } from "../session.js";
import { esc, go } from "../ui.js";
import { PickPhotos } from "./pick-photos.js";
import { dirty, fillThumbs, follow, loadRecord, tagBadge, thumbList } from "./record-lists.js";

const DISPOSITIONS = ["discard", "move", "keep", "sell", "repair"];
const PHOTO_MAX = 5;
let savedFlash = null; // the id just saved: its screen says so once

const back = (zoneId) => {
  const found = findZone(zoneId);
  return `<p class="crumbs"><a href="#/zone/${esc(zoneId)}">← ${esc(found ? nameOf(found.zone) : zoneId)}</a></p>`;
};

const notFound = (view) => {
  view.innerHTML = `<h1 tabindex="-1">${esc(t("notFound"))}</h1><p class="notice">${esc(t("notOnDevice"))}</p><p><a href="#/zones">${esc(t("back"))}</a></p>`;
};

/** A group of radio buttons, one per disposition. */
const choices = (name, legend, value) => `<fieldset class="radios" aria-describedby="e-${name}"><legend>${esc(t(legend))}</legend>
  ${DISPOSITIONS.map((d) => `<label class="opt"><input type="radio" name="${name}" value="${d}"${d === value ? " checked" : ""}> ${esc(t(d))}</label>`).join("")}
  <p class="ferr" id="e-${name}" data-error-for="${name}"></p></fieldset>`;

const field = (form, name) => form.querySelector(`[name="${name}"]`);
const picked = (form, name) => (form.querySelector(`[name="${name}"]:checked`) || {}).value || "";

/** Show each [field, message]; focus the first. False when there were any. */
function flag(form, problems) {
  for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const [name, message] of problems) {
    form.querySelector(`[data-error-for="${name}"]`).textContent = message;
    const field = form.querySelector(`[name="${name}"]`);
    if (field && field.type !== "radio") field.setAttribute("aria-invalid", "true");
  }
  const top = form.querySelector("[data-form-error]");
  top.textContent = problems.length ? t("fillIn") : "";
  if (problems.length) (form.querySelector(`[name="${problems[0][0]}"]`) || top).focus();
  return !problems.length;
}

async function saved(view, kind, rec, extra) {
  const form = view.querySelector("form");
  for (const b of form.querySelectorAll("button")) b.disabled = true;
  try {
    await R.saveRecord(kind, rec, extra);
  } catch (err) {
    for (const b of form.querySelectorAll("button")) b.disabled = false;
    form.querySelector("[data-form-error]").textContent = t("saveFailed", { e: err.message || err });
    return;
  }
  savedFlash = rec.id;
  flushSoon(1000);
  go(`#/red-tag/${rec.id}`);
}

/** The new-tag and change form; `tag` null for a new one in zone `zoneId`. */
function editor(view, tag, zoneId) {
  const v = tag || { qty: 1, photos: [] };
  view.innerHTML = `${back(zoneId)}<h1 tabindex="-1">${esc(tag ? R.tagLabel(tag) : t("newRedTag"))}</h1>
    <form class="tagform" data-red-tag-form novalidate>
      <fieldset class="fld"><legend>${esc(t("tagPhotos"))}</legend><div data-tag-photos></div><p class="ferr" data-error-for="photos"></p></fieldset>
      <div class="fld"><label for="t-item">${esc(t("thing"))}</label><input id="t-item" name="item" maxlength="200" value="${esc(v.item)}" aria-describedby="e-item"><p class="ferr" id="e-item" data-error-for="item"></p></div>
      <div class="fld"><label for="t-qty">${esc(t("qty"))}</label><input id="t-qty" name="qty" type="number" inputmode="numeric" min="1" max="100000" step="1" value="${esc(v.qty)}" aria-describedby="e-qty"><p class="ferr" id="e-qty" data-error-for="qty"></p></div>
      <div class="fld wide"><label for="t-reason">${esc(t("reason"))}</label><textarea id="t-reason" name="reason" rows="2" maxlength="1000" aria-describedby="e-reason">${esc(v.reason)}</textarea><p class="ferr" id="e-reason" data-error-for="reason"></p></div>
      <div class="wide">${choices("proposed", "proposed", v.proposed)}</div>
      <p class="ferr wide" data-form-error role="alert" tabindex="-1"></p>
      <p class="wide"><button type="submit" class="primary" data-save-tag>${esc(t("saveTag"))}</button></p></form>`;
  const picker = new PickPhotos(view.querySelector("[data-tag-photos]"), v.photos, PHOTO_MAX);
  const form = view.querySelector("form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const qty = Number(field(form, "qty").value);
    const item = field(form, "item").value.trim();
    const reason = field(form, "reason").value.trim();
    const proposed = picked(form, "proposed");
    const problems = [];
    if (!picker.shas.length) problems.push(["photos", t("needPhoto")]);
    if (!item) problems.push(["item", t("required")]);
    if (!Number.isInteger(qty) || qty < 1 || qty > 100000) problems.push(["qty", t("qtyRange")]);
    if (!reason) problems.push(["reason", t("required")]);
    if (!proposed) problems.push(["proposed", t("required")]);
    if (!flag(form, problems)) return;
    const base = tag || { id: crypto.randomUUID(), zone_id: zoneId, tagged_at: R.isoLocal(), status: "open", disposition: null, closed_at: null, note: "" };
    const rec = { ...base, item, qty, reason, proposed, photos: picker.shas };
    saved(view, "red_tag", rec, { photos: picker.photos(), drop: picker.dropped(v.photos) });
  });
  field(form, "item").focus();
}

export const create = {
  render(view, [zoneId]) {
    if (!findZone(zoneId)) return notFound(view);
    editor(view, null, zoneId);
  },
};

export const edit = {
  async render(view, [id]) {
    const tag = await loadRecord("red_tag", id);
    if (!tag) return notFound(view);
    if (tag.status !== "open") return go(`#/red-tag/${id}`);
    editor(view, tag, tag.zone_id);
  },
};

function closeForm() {
  return `<form class="tagform" data-close-tag-form novalidate><h2 class="wide">${esc(t("closeTag"))}</h2>
    <div class="wide">${choices("disposition", "disposition", null)}</div>
    <div class="fld"><label for="t-closed">${esc(t("closedAt"))}</label><input id="t-closed" name="closed_at" type="datetime-local" value="${R.isoLocal().slice(0, 16)}" aria-describedby="e-closed"><p class="ferr" id="e-closed" data-error-for="closed_at"></p></div>
    <p class="ferr wide" data-form-error role="alert" tabindex="-1"></p>
    <p class="wide"><button type="submit" class="primary" data-close-tag>${esc(t("closeTag"))}</button></p></form>`;
}

export async function render(view, [id]) {
  let tag = await loadRecord("red_tag", id);
  if (!tag) return notFound(view);
  show(view, tag);
  // The server's number (and any change synced) shows up unless the user is closing the tag.
  return follow("red_tag", id, () => tag, (now) => show(view, (tag = now)), () => dirty(view.querySelector("form")));
}

function show(view, tag) {
  const id = tag.id;
  const found = findZone(tag.zone_id);
  const limit = R.limitOf(found && found.site, [tag]);
  const over = R.overLimit(tag, limit);
  const age = t("ageN", { n: R.ageDays(tag) });
  const flash = savedFlash === id;
  savedFlash = null;
  view.innerHTML = `${back(tag.zone_id)}<article data-red-tag="${esc(id)}" data-status="${esc(tag.status)}" data-over-limit="${over}">
    <h1 tabindex="-1"><span data-tag-label>${esc(R.tagLabel(tag))}</span> ${esc(tag.item)}</h1>
    <p class="muted">${esc(t("redTags"))} · ${tagBadge(tag)}
      ${tag.owner ? `<span class="syncflag pending" data-sync-state="pending">${esc(t("notSynced"))}</span>` : ""}</p>
    <p class="saved-line" role="status"><span data-saved${flash ? "" : " hidden"}>✓ ${esc(t("saved"))} ${esc(when(tag.local_at))}</span></p>
    <dl class="facts">
      <dt>${esc(t("qty"))}</dt><dd>${esc(tag.qty)}</dd>
      <dt>${esc(t("reason"))}</dt><dd class="prewrap">${esc(tag.reason)}</dd>
      <dt>${esc(t("proposed"))}</dt><dd>${esc(t(tag.proposed))}</dd>
      <dt>${esc(t("taggedAt"))}</dt><dd>${esc(when(tag.tagged_at))} · ${over ? `<b class="late-chip">${esc(age)} · ${esc(t("overLimit", { n: limit }))}</b>` : esc(age)}</dd>
      ${tag.status === "closed" ? `<dt>${esc(t("disposition"))}</dt><dd>${esc(t(tag.disposition))} · ${esc(when(tag.closed_at))}</dd>` : ""}
    </dl>
    ${thumbList(tag.photos, t("photos"), "thumbs big")}
    ${tag.status === "open" ? `<p><a class="btn" href="#/red-tag/${esc(id)}/edit" data-edit-tag>${esc(t("edit"))}</a></p>${closeForm()}` : `<p class="banner">${esc(t("finalRec"))}</p>`}
    </article>`;
  fillThumbs(view);
  const form = view.querySelector("[data-close-tag-form]");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = field(form, "closed_at");
    // Left as it was (this minute): now, to the second, so it is never before a new tag's time.
    const at = input.value === input.defaultValue ? new Date() : input.value ? new Date(input.value) : null;
    const disposition = picked(form, "disposition");
    const problems = [];
    if (!disposition) problems.push(["disposition", t("required")]);
    if (!at || Number.isNaN(at.getTime()) || at < new Date(tag.tagged_at) - 60000) problems.push(["closed_at", t("required")]);
    if (!flag(form, problems)) return;
    saved(view, "red_tag", { ...tag, status: "closed", disposition, closed_at: R.isoLocal(at) });
  });
}
