// The subject form at the start of an audit: what it is about besides its zone (a car's VIN, the
// delivery date, the sales consultant), the checklist's `subject` fields. Every value is checked
// as it is typed with the server's rules (rules.js); one the server would refuse stays on the
// tablet (listed in audit.subject_invalid, left out of the PUT body) until it is right, and the
// summary will not submit while any is wrong or a required one is empty.

import { nameOf, t, text } from "../../i18n.js";
import { subjectProblem } from "../../rules.js";
import { S } from "../../session.js";
import { esc } from "../../ui.js";

const MESSAGE = {
  pattern: "subjPattern",
  length: "subjLength",
  number: "subjNumber",
  text: "subjText",
  date: "subjDate",
  option: "subjOption",
  staff: "subjStaff",
  unknown: "subjUnknown",
};

const staffList = () => (S.bootstrap && S.bootstrap.staff) || [];

/** Whether the tablet knows this staff member (the bootstrap's list: active, the user's sites). */
export const isStaff = (id) => staffList().some((p) => p.id === id);

const valueIn = (subject, id) => (subject && Object.hasOwn(subject, id) ? subject[id] : null);

/** A problem code of subjectProblem in the officer's words; a pattern says how much was typed. */
export const problemText = (code, value) =>
  t(MESSAGE[code] || "subjText", { n: typeof value === "string" ? [...value].length : 0 });

/** The checklist's fields whose values the server would refuse: their ids. */
export const invalidIds = (fields, subject) =>
  fields.filter((f) => subjectProblem(f, valueIn(subject, f.id), isStaff)).map((f) => f.id);

/** The staff to choose from: the zone's site (and no site) first, the other sites after. */
function staffOptions(v, siteId) {
  const option = (p) => `<option value="${esc(p.id)}"${p.id === v ? " selected" : ""}>${esc(nameOf(p))}${p.position ? ` · ${esc(p.position)}` : ""}</option>`;
  const all = staffList();
  const here = all.filter((p) => !siteId || p.site_id == null || p.site_id === siteId);
  const others = all.filter((p) => !here.includes(p));
  // A value the list does not hold (a returned audit's, since retired) still shows, as its id.
  const lost = v != null && !all.some((p) => p.id === v) ? `<option value="${esc(v)}" selected>${esc(String(v))}</option>` : "";
  return `${lost}${here.map(option).join("")}${
    others.length ? `<optgroup label="${esc(t("otherSite"))}">${others.map(option).join("")}</optgroup>` : ""
  }`;
}

function control(f, v, ro, siteId, invalid) {
  const id = `sf-${esc(f.id)}`;
  const described = `${id}-msg${f.help ? ` ${id}-help` : ""}`;
  const attrs = `id="${id}" data-subject="${esc(f.id)}" aria-describedby="${described}"${f.required ? ' aria-required="true"' : ""}${invalid ? ' aria-invalid="true"' : ""}${ro}`;
  const str = typeof v === "string" ? v : "";
  switch (f.type) {
    case "date":
      return `<input type="date" ${attrs} value="${esc(str)}">`;
    case "number":
      return `<input type="number" inputmode="decimal" step="any" ${attrs} value="${typeof v === "number" ? v : ""}">`;
    case "choice": {
      const opts = (f.options || []).map((o) => `<option value="${esc(o.id)}"${o.id === v ? " selected" : ""}>${esc(text(o.label))}</option>`);
      const lost = v != null && !(f.options || []).some((o) => o.id === v) ? `<option value="${esc(String(v))}" selected>${esc(String(v))}</option>` : "";
      return `<select ${attrs}><option value="">${esc(t("pick"))}</option>${lost}${opts.join("")}</select>`;
    }
    case "staff":
      return `<select ${attrs}><option value="">${esc(t("pick"))}</option>${staffOptions(v, siteId)}</select>`;
    default:
      return `<input type="text" ${attrs} autocomplete="off" autocorrect="off" spellcheck="false" value="${esc(str)}">`;
  }
}

function message(f, v) {
  const code = subjectProblem(f, v, isStaff);
  return code ? problemText(code, v) : "";
}

/** The form's HTML; ro is " disabled" for an audit that can no longer change, else "". */
export function subjectForm(fields, subject, ro, siteId) {
  const rows = fields.map((f) => {
    const v = valueIn(subject, f.id);
    const id = `sf-${esc(f.id)}`;
    const msg = message(f, v);
    return `<div class="subj-field" data-subject-field="${esc(f.id)}">
      <label for="${id}">${esc(text(f.label))}${f.required ? `<span class="tag">${esc(t("mustFill"))}</span>` : ""}</label>
      ${control(f, v, ro, siteId, Boolean(msg))}
      ${f.help ? `<p class="muted hint" id="${id}-help">${esc(text(f.help))}</p>` : ""}
      <p class="ferr" id="${id}-msg" data-subject-error="${esc(f.id)}" aria-live="polite">${esc(msg)}</p>
    </div>`;
  });
  return `<section class="card subject" aria-labelledby="subj-h" data-subject-form>
    <h2 id="subj-h">${esc(t("subjectTitle"))}</h2>
    <div class="subj-grid">${rows.join("")}</div></section>`;
}

/** A control's value as the field stores it: "" is no value; a half-typed number is none yet. */
export function readValue(f, el) {
  const raw = el.value;
  if (raw === "") return null;
  if (f.type === "number") return Number.isFinite(Number(raw)) ? Number(raw) : null;
  return raw;
}

/** Show the field's message for its value now (and mark the control invalid or not). */
export function showProblem(root, f, v) {
  const el = root.querySelector(`[data-subject="${CSS.escape(f.id)}"]`);
  const msg = root.querySelector(`[data-subject-error="${CSS.escape(f.id)}"]`);
  if (!el || !msg) return;
  const words = message(f, v);
  if (msg.textContent !== words) msg.textContent = words;
  if (words) el.setAttribute("aria-invalid", "true");
  else el.removeAttribute("aria-invalid");
}
