// The checklist runner: one section per screen (a 60-item checklist in one page is slow on a
// tablet and hard to walk), the live score beside it, every change saved to IndexedDB at once
// (text after a short pause) and "saved" shown only once the transaction has committed.
// Answers update their card in place instead of re-rendering, so focus and scroll stay put.

import { fetchBlob } from "../api.js";
import { lacks, photoMax, saveAudit, visibleSections } from "../audits.js";
import * as db from "../db.js";
import { getLang, nameOf, t, text, when } from "../i18n.js";
import { flushSoon } from "../outbox.js";
import { processPhoto } from "../photos.js";
import { radar } from "../radar.js";
import { isFail, scoreAudit } from "../scoring.js";
import { findZone, loadChecklist } from "../session.js";
import { band, esc, go, percent, statusBadge } from "../ui.js";

/** Whether an audit screen is open: the update banner must not reload under it. */
export const screen = { open: false };

const levelsOf = (item) => (item.max == null ? 4 : Math.trunc(item.max));
const anchorOf = (item, n) => (item.anchors ? text(item.anchors[n] ?? item.anchors[String(n)]) : "");
const answered = (item, a) =>
  Boolean(a && (item.type === "photo" ? (a.photos || []).length : a.value != null));

function rangeText(item) {
  const unit = item.unit ? ` ${item.unit}` : "";
  if (item.min != null && item.max != null) return `${item.min}–${item.max}${unit}`;
  if (item.min != null) return `≥ ${item.min}${unit}`;
  if (item.max != null) return `≤ ${item.max}${unit}`;
  return "";
}

function promptText(item, a) {
  const need = lacks(item, a).filter((f) => f !== "value");
  const failed = a && isFail(item, a.value);
  return need
    .map((f) => (f === "note" ? t("notePrompt") : failed ? t("photoPromptFail") : t("photoPrompt")))
    .join(" ");
}

const btn = (value, label, pressed, cls, ro) =>
  `<button type="button" class="${cls}" data-value="${esc(value)}" aria-pressed="${pressed}"${ro}>${label}</button>`;

function control(item, v, ro) {
  const id = esc(item.id);
  const na = item.na_allowed ? btn("na", esc(t("na")), v === "na", "na", ro) : "";
  switch (item.type) {
    case "score": {
      const max = levelsOf(item);
      const failBelow = item.fail_below == null ? max / 2 : item.fail_below;
      let out = "";
      for (let n = 0; n <= max; n += 1) {
        const anchor = anchorOf(item, n);
        const inner = `<b>${n}</b>${anchor ? `<span>${esc(anchor)}</span>` : ""}`;
        out += btn(n, inner, v === n, n < failBelow ? "lv low" : "lv", ro);
      }
      const sel = typeof v === "number" ? anchorOf(item, v) : "";
      return `<div class="levels${na ? " has-na" : ""}" role="group" aria-labelledby="q-${id}" style="--n:${max + 1}">${out}${na}</div>
        <p class="anchor-now"${sel ? "" : " hidden"}>${sel ? `<b>${v}</b> ${esc(sel)}` : ""}</p>`;
    }
    case "pass_fail":
      return `<div class="choices" role="group" aria-labelledby="q-${id}">${btn("pass", esc(t("pass")), v === "pass", "ok", ro)}${btn("fail", esc(t("fail")), v === "fail", "bad", ro)}${na}</div>`;
    case "choice":
      return `<div class="choices" role="group" aria-labelledby="q-${id}">${(item.options || [])
        .map((o) => btn(o.id, esc(text(o.label)), v === o.id, o.fail ? "bad" : "ok", ro))
        .join("")}${na}</div>`;
    case "number": {
      const range = rangeText(item);
      return `<div class="num"><label for="n-${id}">${esc(t("value"))}</label>
        <input id="n-${id}" type="number" inputmode="decimal" step="any" data-number value="${typeof v === "number" ? v : ""}"${ro}>
        ${item.unit ? `<span class="unit">${esc(item.unit)}</span>` : ""}
        ${range ? `<span class="muted">${esc(t("range", { r: range }))}</span>` : ""}${na}</div>`;
    }
    case "text":
      return `<label class="vh" for="x-${id}">${esc(t("answer"))}</label><textarea id="x-${id}" data-text rows="2"${ro}>${esc(typeof v === "string" ? v : "")}</textarea>`;
    default:
      return "";
  }
}

function thumbs(item, a, ro) {
  return (a && a.photos ? a.photos : [])
    .map(
      (sha, i) => `<li data-photo-sha="${esc(sha)}"><img data-thumb="${esc(sha)}" alt="${esc(t("photoN", { n: i + 1 }))}">${
        ro ? "" : `<button type="button" data-remove-photo aria-label="${esc(t("removePhoto", { n: i + 1 }))}">×</button>`
      }</li>`,
    )
    .join("");
}

function photoBlock(item, a, ro) {
  const max = photoMax(item);
  if (max <= 0) return "";
  const n = a && a.photos ? a.photos.length : 0;
  const full = n >= max ? " disabled" : "";
  const inputs = ro
    ? ""
    : `<label class="btn file${full ? " off" : ""}">${esc(t("takePhoto"))}<input type="file" accept="image/*" capture="environment" data-photo-input class="vh"${full}></label>
       <label class="btn file${full ? " off" : ""}">${esc(t("gallery"))}<input type="file" accept="image/*" data-photo-gallery class="vh"${full}></label>`;
  return `<div class="photos"><ul class="thumbs">${thumbs(item, a, ro)}</ul>${inputs}
    <span class="muted" data-photo-count>${n}/${max}</span><span class="muted" data-photo-status role="status"></span></div>`;
}

function card(item, a, ro) {
  const v = a ? a.value ?? null : null;
  const id = esc(item.id);
  const cls = `card item${isFail(item, v) ? " fail" : ""}${answered(item, a) ? " answered" : ""}`;
  const prompt = promptText(item, a);
  const tags = `${item.critical ? `<span class="tag crit">${esc(t("critical"))}</span>` : ""}${
    item.type === "text" || (item.required === false && item.type !== "photo") ? `<span class="tag">${esc(t("optional"))}</span>` : ""
  }`;
  return `<article class="${cls}" data-item-id="${id}" aria-labelledby="q-${id}">
    <h3 id="q-${id}" class="q">${esc(text(item.label))}${tags}</h3>
    ${item.help ? `<details><summary>${esc(t("howTo"))}</summary><p>${esc(text(item.help))}</p></details>` : ""}
    ${control(item, v, ro)}
    <p class="prompt" data-prompt${prompt ? "" : " hidden"}>${esc(prompt)}</p>
    ${item.type === "photo" || item.type === "text" ? "" : `<div class="note"><label for="note-${id}">${esc(t("note"))}</label><textarea id="note-${id}" data-note rows="1"${ro}>${esc(a ? a.note || "" : "")}</textarea></div>`}
    ${photoBlock(item, a, ro)}
  </article>`;
}

function banner(audit) {
  const r = audit.server && audit.server.review;
  const comment = r && r.comment ? `<br><b>${esc(t("review"))}</b>（${esc(t("reviewBy", { by: r.by, at: when(r.at) }))}）：${esc(r.comment)}` : "";
  if (audit.status === "returned") return `<p class="banner warn">${esc(t("returnedBanner"))}${comment}</p>`;
  if (audit.status === "submitted") return `<p class="banner">${esc(t("readOnlySubmitted"))}${comment}</p>`;
  if (audit.status === "approved") return `<p class="banner ok">${esc(t("readOnlyApproved"))}${comment}</p>`;
  return "";
}

export async function render(view, [id, query]) {
  const audit = await db.get("audits", id);
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
  const params = new URLSearchParams(query || "");
  const remembered = `genba.section.${id}`;
  let idx = sections.findIndex((s) => s.id === params.get("section"));
  if (idx < 0) idx = Math.min(Number(sessionStorage.getItem(remembered)) || 0, sections.length - 1);
  const urls = new Map(); // photo sha -> object URL of its thumbnail

  view.innerHTML = `<div class="runner">
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
  const tabsEl = view.querySelector(".tabs");
  const secEl = view.querySelector(".sec");
  const scoreEl = view.querySelector(".scoreview");
  const savedEl = view.querySelector("[data-saved]");
  const errEl = view.querySelector("[data-save-error]");

  const answerOf = (itemId) => (audit.answers[itemId] ||= { value: null, note: "", photos: [] });

  function renderTabs() {
    tabsEl.innerHTML = sections
      .map((s, i) => {
        const done = s.items.filter((it) => answered(it, audit.answers[it.id])).length;
        return `<button type="button" data-section-tab="${esc(s.id)}"${i === idx ? ' aria-current="step"' : ""}>${esc(text(s.title))}<small>${done}/${s.items.length}</small></button>`;
      })
      .join("");
  }

  function renderScore() {
    const sc = scoreAudit(checklist, audit.answers, kind);
    audit.preview = { percent: sc.percent, band: sc.band };
    const list = sections.map((s) => `${text(s.title)} ${percent(sc.sections[s.id].percent)}`).join(", ");
    scoreEl.innerHTML = `<p class="big"><span data-live-score>${percent(sc.percent)}</span><small>%</small> ${band(sc.band)}</p>
      ${sc.capped_by.length ? `<p class="warn">${esc(t("capped"))}</p>` : ""}
      ${radar(sections.map((s) => ({ label: text(s.title), value: sc.sections[s.id].percent })), t("radarTitle", { list }))}
      <ul class="secs">${sections
        .map((s) => `<li><span>${esc(text(s.title))}</span><b data-section-score="${esc(s.id)}">${percent(sc.sections[s.id].percent)}</b></li>`)
        .join("")}</ul>`;
  }

  function renderSection(focus) {
    const s = sections[idx];
    sessionStorage.setItem(remembered, String(idx));
    const last = idx === sections.length - 1;
    secEl.innerHTML = `<section aria-labelledby="sec-h">
      <h2 id="sec-h" tabindex="-1">${esc(text(s.title))} <small class="muted">${esc(t("sectionOf", { n: idx + 1, total: sections.length }))}</small></h2>
      ${s.items.map((it) => card(it, audit.answers[it.id], ro)).join("")}
      <div class="pager">
        <button type="button" data-prev-section${idx === 0 ? " disabled" : ""}>← ${esc(t("prev"))}</button>
        <button type="button" data-next-section${last ? " disabled" : ""}${last ? "" : ' class="primary"'}>${esc(t("next"))} →</button>
        ${ro ? "" : `<button type="button" data-submit class="${last ? "primary" : ""}">${esc(t("toSummary"))}</button>`}
      </div></section>`;
    renderTabs();
    fillThumbs();
    if (focus) {
      window.scrollTo(0, 0);
      secEl.querySelector("#sec-h").focus({ preventScroll: true });
    }
  }

  async function fillThumbs() {
    for (const img of secEl.querySelectorAll("img[data-thumb]:not([src])")) {
      const sha = img.dataset.thumb;
      if (!urls.has(sha)) {
        const photo = await db.get("photos", sha);
        // A photo from another device (a returned audit): the server's thumbnail, when online.
        const blob = photo ? photo.thumb : await fetchBlob(`/api/photos/${sha}?size=thumb`).catch(() => null);
        urls.set(sha, blob ? URL.createObjectURL(blob) : "");
      }
      if (urls.get(sha)) img.src = urls.get(sha);
      else img.closest("li").classList.add("remote");
    }
  }

  // --- saving: one chain so saves land in order; "saved" only after the commit ---
  let chain = Promise.resolve();
  let textTimer = null;
  let dirty = false;

  function persist(extra) {
    clearTimeout(textTimer);
    textTimer = null;
    dirty = false;
    savedEl.hidden = true;
    const mine = (chain = chain
      .then(() => saveAudit(audit, extra))
      .then(
        () => {
          errEl.textContent = "";
          if (chain === mine) {
            const time = new Date().toLocaleTimeString(getLang() === "en" ? "en-GB" : "zh-CN");
            savedEl.textContent = `✓ ${t("saved")} ${time}`;
            savedEl.hidden = false;
          }
          flushSoon();
        },
        (err) => {
          errEl.textContent = t("saveFailed", { e: err.message || err });
        },
      ));
    return mine;
  }

  function persistSoon() {
    savedEl.hidden = true;
    dirty = true;
    clearTimeout(textTimer);
    textTimer = setTimeout(persist, 400);
  }

  /** Bring a card in line with its answer without rebuilding it (focus stays where it is). */
  function patch(itemId, photosChanged) {
    const item = items.get(itemId);
    const el = secEl.querySelector(`[data-item-id="${CSS.escape(itemId)}"]`);
    const a = audit.answers[itemId];
    const v = a ? a.value ?? null : null;
    if (el) {
      for (const b of el.querySelectorAll("button[data-value]")) {
        b.setAttribute("aria-pressed", String(b.dataset.value === String(v)));
      }
      el.classList.toggle("fail", isFail(item, v));
      el.classList.toggle("answered", answered(item, a));
      const now = el.querySelector(".anchor-now");
      if (now) {
        const sel = typeof v === "number" ? anchorOf(item, v) : "";
        now.innerHTML = sel ? `<b>${v}</b> ${esc(sel)}` : "";
        now.hidden = !sel;
      }
      const num = el.querySelector("[data-number]");
      if (num && v === "na") num.value = "";
      const p = el.querySelector("[data-prompt]");
      p.textContent = promptText(item, a);
      p.hidden = !p.textContent;
      if (photosChanged) {
        const block = el.querySelector(".photos");
        const focused = block.contains(document.activeElement);
        block.outerHTML = photoBlock(item, a, ro);
        fillThumbs();
        // Keep keyboard users where they were: on the photo controls of this card.
        if (focused) el.querySelector(".photos input:not([disabled]), .photos button")?.focus();
      }
    }
    // Only the count changes: re-rendering the tabs would drop keyboard focus on them.
    const count = tabsEl.querySelector(`[data-section-tab="${CSS.escape(sections[idx].id)}"] small`);
    const s = sections[idx];
    if (count) count.textContent = `${s.items.filter((it) => answered(it, audit.answers[it.id])).length}/${s.items.length}`;
    renderScore();
  }

  function setValue(itemId, raw) {
    const item = items.get(itemId);
    let value = raw;
    if (raw !== "na" && raw !== null) {
      if (item.type === "score") value = Number(raw);
      else if (item.type === "number") value = raw === "" || !Number.isFinite(Number(raw)) ? null : Number(raw);
      else if (item.type === "text") value = raw === "" ? null : raw;
    }
    answerOf(itemId).value = value;
    patch(itemId);
  }

  async function addPhoto(input, itemId) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const el = secEl.querySelector(`[data-item-id="${CSS.escape(itemId)}"]`);
    const status = el && el.querySelector("[data-photo-status]");
    if (status) status.textContent = t("photoBusy");
    try {
      const { blob, thumb, sha256 } = await processPhoto(file);
      const a = answerOf(itemId);
      if (a.photos.includes(sha256)) {
        if (status) status.textContent = "";
        return;
      }
      a.photos.push(sha256);
      const have = await db.get("photos", sha256);
      const photo = have || {
        sha256,
        blob,
        thumb,
        audit_id: audit.id,
        item_id: itemId,
        created_at: new Date().toISOString(),
        uploaded: false,
        pending: 1,
      };
      urls.set(sha256, URL.createObjectURL(photo.thumb));
      patch(itemId, true);
      await persist(have ? undefined : { photo });
    } catch (err) {
      if (status) status.textContent = t("photoFailed", { e: err.message || err });
    }
  }

  function removePhoto(itemId, sha) {
    const a = answerOf(itemId);
    a.photos = a.photos.filter((s) => s !== sha);
    const stillUsed = Object.values(audit.answers).some((x) => (x.photos || []).includes(sha));
    patch(itemId, true);
    persist(stillUsed ? undefined : { dropPhotos: [sha] });
  }

  function goSection(i) {
    if (i < 0 || i >= sections.length || i === idx) return;
    idx = i;
    renderSection(true);
  }

  const itemOf = (el) => {
    const c = el.closest("[data-item-id]");
    return c ? c.dataset.itemId : null;
  };

  view.addEventListener("click", (event) => {
    const el = event.target.closest("button");
    if (!el || el.disabled) return;
    if (el.dataset.sectionTab) goSection(sections.findIndex((s) => s.id === el.dataset.sectionTab));
    else if (el.hasAttribute("data-prev-section")) goSection(idx - 1);
    else if (el.hasAttribute("data-next-section")) goSection(idx + 1);
    else if (el.hasAttribute("data-submit")) {
      (dirty ? persist() : chain).then(() => go(`#/audit/${audit.id}/summary`));
    } else if (el.hasAttribute("data-remove-photo")) {
      removePhoto(itemOf(el), el.closest("[data-photo-sha]").dataset.photoSha);
    } else if (el.dataset.value !== undefined && itemOf(el)) {
      setValue(itemOf(el), el.dataset.value);
      persist();
    }
  });

  view.addEventListener("input", (event) => {
    const el = event.target;
    const itemId = itemOf(el);
    if (!itemId) return;
    if (el.hasAttribute("data-note")) {
      answerOf(itemId).note = el.value;
      patch(itemId);
      persistSoon();
    } else if (el.hasAttribute("data-text") || el.hasAttribute("data-number")) {
      setValue(itemId, el.value);
      persistSoon();
    }
  });

  view.addEventListener("change", (event) => {
    const el = event.target;
    const itemId = itemOf(el);
    if (!itemId) return;
    if (el.type === "file") addPhoto(el, itemId);
    else if (dirty) persist(); // leaving a text or number field saves at once
  });

  renderScore();
  renderSection(false);
  const target = params.get("item");
  const targetEl = target && secEl.querySelector(`[data-item-id="${CSS.escape(target)}"]`);
  if (targetEl) {
    targetEl.scrollIntoView({ block: "center" });
    const f = targetEl.querySelector("button:not([disabled]), textarea, input");
    if (f) f.focus({ preventScroll: true });
  }
  screen.open = true;

  return () => {
    screen.open = false;
    if (dirty) persist();
    // Revoke after pending saves so no image flashes broken while leaving.
    chain.then(() => urls.forEach((u) => u && URL.revokeObjectURL(u)));
  };
}
