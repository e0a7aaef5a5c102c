// One item card: the question, the control for its type, a note, the prompt for what is still
// missing, the photo block, and a box the runner fills with the zone's open actions or red tags
// when the item `shows` them (record-lists.js). updateCard() follows an answer in place rather
// than rebuilding the card, so focus and the caret stay where the officer left them.

import { lacks, noteReason } from "../../rules.js";
import { t, text } from "../../i18n.js";
import { isFail } from "../../scoring.js";
import { esc } from "../../ui.js";
import { answered } from "./answer.js";
import { photoBlock } from "./photo-block.js";

const levelsOf = (item) => (item.max == null ? 4 : Math.trunc(item.max));
const anchorOf = (item, n) => (item.anchors ? text(item.anchors[n] ?? item.anchors[String(n)]) : "");
const valueOf = (a) => (a ? a.value ?? null : null);

export const cardOf = (root, itemId) => root.querySelector(`[data-item-id="${CSS.escape(itemId)}"]`);

function rangeText(item) {
  const unit = item.unit ? ` ${item.unit}` : "";
  if (item.min != null && item.max != null) return `${item.min}–${item.max}${unit}`;
  if (item.min != null) return `≥ ${item.min}${unit}`;
  if (item.max != null) return `≤ ${item.max}${unit}`;
  return "";
}

const NOTE_PROMPT = { fail: "notePrompt", na: "naNotePrompt", evidence: "evidencePrompt" };

/**
 * What the officer still owes beyond the answer itself: a photo, a note on a fail, the reason
 * for an N/A, or (evidence_below_max) a photo or a note for a deduction.
 */
function promptText(item, a, evidence) {
  const need = lacks(item, a, evidence).filter((f) => f !== "value");
  const failed = a && isFail(item, a.value);
  return need
    .map((f) => (f === "note" ? t(NOTE_PROMPT[noteReason(item, a)]) : failed ? t("photoPromptFail") : t("photoPrompt")))
    .join(" ");
}

const anchorNow = (item, v) => (typeof v === "number" ? anchorOf(item, v) : "");

const btn = (value, label, pressed, cls, ro) =>
  `<button type="button" class="${cls}" data-value="${esc(value)}" aria-pressed="${pressed}"${ro}>${label}</button>`;

function levels(item, v, na, ro) {
  const id = esc(item.id);
  const max = levelsOf(item);
  const failBelow = item.fail_below == null ? max / 2 : item.fail_below;
  let out = "";
  for (let n = 0; n <= max; n += 1) {
    const anchor = anchorOf(item, n);
    const inner = `<b>${n}</b>${anchor ? `<span>${esc(anchor)}</span>` : ""}`;
    const red = item.critical_below != null && n < item.critical_below ? " red" : ""; // a red line
    out += btn(n, inner, v === n, `${n < failBelow ? "lv low" : "lv"}${red}`, ro);
  }
  const sel = anchorNow(item, v);
  return `<div class="levels n${max + 1}${na ? " has-na" : ""}" role="group" aria-labelledby="q-${id}">${out}${na}</div>
        <p class="anchor-now"${sel ? "" : " hidden"}>${sel ? `<b>${v}</b> ${esc(sel)}` : ""}</p>`;
}

function control(item, v, ro) {
  const id = esc(item.id);
  const na = item.na_allowed ? btn("na", esc(t("na")), v === "na", "na", ro) : "";
  switch (item.type) {
    case "score":
      return levels(item, v, na, ro);
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

/**
 * The card's HTML; ro is " disabled" for an audit that can no longer change, else "";
 * `evidence` is the checklist's evidence_below_max.
 */
export function card(item, a, ro, evidence = false) {
  const v = valueOf(a);
  const id = esc(item.id);
  const cls = `card item${isFail(item, v) ? " fail" : ""}${answered(item, a) ? " answered" : ""}`;
  const prompt = promptText(item, a, evidence);
  const red = item.critical_below != null && item.type === "score";
  const tags = `${item.critical ? `<span class="tag crit">${esc(t("critical"))}</span>` : ""}${
    red ? `<span class="tag crit" data-red-line>${esc(t("redLine", { n: item.critical_below }))}</span>` : ""
  }${
    item.type === "text" || (item.required === false && item.type !== "photo") ? `<span class="tag">${esc(t("optional"))}</span>` : ""
  }`;
  return `<article class="${cls}" data-item-id="${id}" aria-labelledby="q-${id}">
    <h3 id="q-${id}" class="q">${esc(text(item.label))}${tags}</h3>
    ${item.help ? `<details><summary>${esc(t("howTo"))}</summary><p>${esc(text(item.help))}</p></details>` : ""}
    ${control(item, v, ro)}
    <p class="prompt" data-prompt${prompt ? "" : " hidden"}>${esc(prompt)}</p>
    ${item.type === "photo" || item.type === "text" ? "" : `<div class="note"><label for="note-${id}">${esc(t("note"))}</label><textarea id="note-${id}" data-note rows="1"${ro}>${esc(a ? a.note || "" : "")}</textarea></div>`}
    ${photoBlock(item, a, ro)}
    ${item.shows === "actions" || item.shows === "red_tags" ? `<div class="shows" data-shows="${item.shows}"></div>` : ""}
  </article>`;
}

/** Bring a card in line with its answer; the photo block is the Photos widget's to redraw. */
export function updateCard(el, item, a, evidence = false) {
  const v = valueOf(a);
  for (const b of el.querySelectorAll("button[data-value]")) {
    b.setAttribute("aria-pressed", String(b.dataset.value === String(v)));
  }
  el.classList.toggle("fail", isFail(item, v));
  el.classList.toggle("answered", answered(item, a));
  const now = el.querySelector(".anchor-now");
  if (now) {
    const sel = anchorNow(item, v);
    now.innerHTML = sel ? `<b>${v}</b> ${esc(sel)}` : "";
    now.hidden = !sel;
  }
  // A number left in the field beside a pressed n/a would contradict the answer.
  const num = el.querySelector("[data-number]");
  if (num && v === "na") num.value = "";
  const p = el.querySelector("[data-prompt]");
  p.textContent = promptText(item, a, evidence);
  p.hidden = !p.textContent;
}
