// The monthly appraisal's parts (#/appraisal): the month's state (closed with its frozen files'
// hashes, or open with the admin's close button), the table HR pays from with each person's
// zones behind their score, the rule, the amendments to closed months and the officers.

import { getLang, nameOf, t, text } from "../../i18n.js";
import { S } from "../../session.js";
import { esc } from "../../ui.js";
import { one } from "./charts.js";
import { T, enc } from "./shared.js";

const th = (label, more = "") => `<th scope="col"${more}>${label}</th>`;
const yes = (on) => (on ? `<span class="chip apmark">${T("apYes")}</span>` : `<span class="muted" aria-hidden="true">–</span><span class="vh">${T("apNo")}</span>`);
/** A coefficient as HR reads it: 1.0, 1.2, 0.85. */
const coef = (v) => (v == null ? "–" : Number.isInteger(v) ? v.toFixed(1) : String(v));
const grade = (r) => (getLang() === "en" ? r.grade_en || r.grade : r.grade) || "–";

/** A moment in the sites' time zone, with the year: a close is read long after. */
export function stamp(iso) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(getLang() === "en" ? "en-GB" : "zh-CN", { ...options, timeZone: (S.bootstrap && S.bootstrap.timezone) || undefined }).format(new Date(iso));
  } catch {
    return iso;
  }
}

export const statementUrl = (month, staffId) => `/api/appraisal/${enc(month)}/staff/${enc(staffId)}.pdf`;

/** Closed: when, by whom and the frozen files' hashes. Open: the admin's close button. */
export function state(report, admin) {
  const c = report.closed;
  if (c) {
    const files = Object.entries(c.sha256 || {})
      .map(([k, sha]) => `<li><b>${esc(k.toUpperCase())}</b> <code title="${esc(sha)}" data-sha="${esc(k)}">${esc(String(sha).slice(0, 12))}…</code></li>`)
      .join("");
    return `<div class="banner ok apstate" role="status" tabindex="-1" data-closed data-closed-at="${esc(c.at)}">
      <p>${T("apClosed", { at: stamp(c.at), by: c.by })}</p>${files ? `<div class="apsha"><span>${T("apClosedFiles")}</span><ul>${files}</ul></div>` : ""}</div>`;
  }
  const button = admin
    ? `<p class="apclose"><button type="button" class="bad" data-close-month aria-describedby="ap-close-hint">${T("apCloseMonth", { m: report.month })}</button>
      <small class="muted" id="ap-close-hint">${T("apCloseHint")}</small></p><p class="error" role="alert" tabindex="-1" data-close-error></p>`
    : "";
  return `<div class="apstate" data-open-month><p class="banner warn">${T("apOpen")}</p>${button}</div>`;
}

function rateCell(r) {
  const value = r.value == null ? "–" : `${one(r.value)}%`;
  const base = r.measure === "mean" ? T("apRateN", { n: r.count }) : r.of ? T("apRateOf", { c: r.count, o: one(r.of).replace(/\.0$/, "") }) : "";
  return `<td class="apn" data-rate="${esc(r.id)}" data-value="${r.value ?? ""}">${value}${base && r.value != null ? `<small class="muted">${base}</small>` : ""}</td>`;
}

function parts(row, id, span) {
  const body = row.parts
    .map((p) => {
      const from = p.used == null ? T("apLeftOut") : p.carried_from ? T("apCarried", { m: p.carried_from }) : T("apThisMonth");
      return `<tr data-part="${esc(p.zone_id)}"><th scope="row">${esc(getLang() === "en" ? p.zone_en || p.zone : p.zone)}${p.insufficient ? ` <span class="chip apmark">${T("apInsufficient")}</span>` : ""}</th>
        <td class="apn" data-k="score">${one(p.score)}</td><td class="apn" data-k="used">${one(p.used)}</td><td class="apn">${one(p.share)}</td>
        <td class="apn">${p.days}</td><td class="apn">${p.audit_count}</td><td>${from}</td></tr>`;
    })
    .join("");
  const head = [T("zone"), T("apZoneScore"), T("apUsed"), T("apShare"), T("apDays"), T("auditsN"), T("apFrom")];
  const table = `<table class="atable stable apsub"><thead><tr>${head.map((h) => th(h)).join("")}</tr></thead><tbody>${body}</tbody></table>`;
  return `<tr class="apparts" id="${id}" data-parts-for="${esc(row.staff_id)}" hidden><td colspan="${span}">${table}</td></tr>`;
}

/** The row's 说明 (insufficient zones and what was done), the width of the table under the person. */
const noteRow = (row, note, id, span) =>
  `<tr class="apnoterow" data-note-for="${esc(row.staff_id)}"><td></td><td colspan="${span - 1}" id="${id}" data-note><p><b>${T("apNote")}</b> ${esc(note)}</p></td></tr>`;

/** The table: one row per person, their note and their zones (if any, opened by a button) in rows below. */
export function table(report) {
  const rates = (report.rows[0] && report.rows[0].rates) || [];
  const head = [
    th(T("apEmpNo")),
    th(T("apName")),
    th(T("apScore"), ' class="apn"'),
    th(T("apGrade")),
    th(T("apCoef"), ' class="apn"'),
    th(T("apInsufficient"), ' class="apw"'),
    th(T("apSingle"), ' class="apw"'),
    th(T("apRedLines"), ' class="apn"'),
    th(`${T("apActions")}<small>${T("apActionsSub")}</small>`, ' class="apw apact"'),
    ...rates.map((r) => th(esc(getLang() === "en" ? r.label_en || r.label : r.label), ' class="apw"')),
    th(T("apStatement")),
  ];
  const span = head.length;
  const rows = report.rows
    .map((r, i) => {
      const name = nameOf(r);
      const note = text(r.note);
      const id = `ap-parts-${i}`;
      return `<tr data-staff="${esc(r.staff_id)}"${r.insufficient ? ' class="short"' : ""}><td data-k="employee_no">${esc(r.employee_no)}</td>
        <th scope="row" class="apname"${note ? ` aria-describedby="${id}-note"` : ""}><span data-k="name">${esc(name)}</span>
          ${
            r.parts.length
              ? `<button type="button" class="link" aria-expanded="false" aria-controls="${id}" data-parts-toggle="${esc(r.staff_id)}">${T("apParts")} (${r.parts.length})<span class="vh"> ${esc(name)}</span></button>`
              : ""
          }</th>
        <td class="apn apsc" data-k="score" data-value="${r.score ?? ""}">${r.score == null ? `<span class="muted">–</span>` : one(r.score)}</td>
        <td data-k="grade">${esc(grade(r))}</td><td class="apn" data-k="coefficient" data-value="${r.coefficient}">${coef(r.coefficient)}</td>
        <td data-k="insufficient" data-value="${r.insufficient}">${yes(r.insufficient)}</td><td data-k="single_officer" data-value="${r.single_officer}">${yes(r.single_officer)}</td>
        <td class="apn" data-k="red_lines" data-value="${r.red_lines.length}">${r.red_lines.length ? `<b class="warn">${r.red_lines.length}</b>` : "0"}</td>
        <td class="apn" data-k="actions" data-open="${r.actions_open}" data-overdue="${r.actions_overdue}"><span aria-hidden="true">${r.actions_open} / ${
          r.actions_overdue ? `<b class="warn">${r.actions_overdue}</b>` : "0"
        }</span><span class="vh">${T("apActionsOf", { o: r.actions_open, l: r.actions_overdue })}</span></td>
        ${r.rates.map(rateCell).join("")}
        <td><a href="${statementUrl(report.month, r.staff_id)}" data-statement="${esc(r.staff_id)}">${T("apStatement")}<span class="vh"> ${T("apStatementOf", { name })}</span></a></td></tr>${note ? noteRow(r, note, `${id}-note`, span) : ""}${r.parts.length ? parts(r, id, span) : ""}`;
    })
    .join("");
  return `<section class="rep" data-appraisal-rows aria-labelledby="h-ap-table"><h2 id="h-ap-table">${T("apTable")} <small class="muted" data-count="${report.rows.length}">${T("apPeople", {
    n: report.rows.length,
  })}</small></h2>${
    rows
      ? `<div class="scroll apscroll" tabindex="0" role="region" aria-labelledby="h-ap-table"><table class="atable aptable" data-appraisal-table><thead><tr>${head.join("")}</tr></thead><tbody>${rows}</tbody></table></div>`
      : `<p class="muted">${T("apEmpty")}</p>`
  }</section>`;
}

export function rule(report) {
  const r = report.rules || {};
  return `<section class="rep" data-rule aria-labelledby="h-ap-rule"><h2 id="h-ap-rule">${T("apRule")}</h2><p class="card aprule">${esc(text(report.rule))}</p>
    ${r.sha256 ? `<p class="muted"><small>${T("apRulesVersion", { v: r.version, sha: `${String(r.sha256).slice(0, 12)}…` })}</small></p>` : ""}</section>`;
}

const figures = (f) => `${one(f.score)} · ${esc((f.grade ?? "–") || "–")} · ${coef(f.coefficient)}`;

export function amendments(report) {
  const list = report.amendments || [];
  if (!list.length) return "";
  const rows = list
    .map(
      (a) => `<tr data-amendment="${esc(a.month)}:${esc(a.staff_id)}"><td>${esc(a.month)}</td><th scope="row">${esc(a.name)}</th>
      <td data-k="closed">${figures(a.closed)}</td><td data-k="now"><b>${figures(a.now)}</b></td>
      <td>${[a.audits_added.length ? T("apAdded", { n: a.audits_added.length }) : "", a.audits_removed.length ? T("apRemoved", { n: a.audits_removed.length }) : ""].filter(Boolean).join("，") || "–"}</td></tr>`,
    )
    .join("");
  const head = [T("month"), T("apName"), `${T("apAtClose")} <small>${T("apScore")} · ${T("apGrade")} · ${T("apCoef")}</small>`, T("apNow"), T("apAuditsChanged")];
  return `<section class="rep" data-amendments="${list.length}" aria-labelledby="h-ap-amend"><h2 id="h-ap-amend">${T("apAmendments")}</h2>
    <p class="notice">${T("apAmendHint")}</p><div class="scroll"><table class="atable"><thead><tr>${head.map((h) => th(h)).join("")}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** The calibration report's shape, with the appraisal's own line on how to read it. */
export const officers = (report) => ({ officers: report.officers || [], how_to_read: { zh: t("apHowToRead"), en: t("apHowToRead") } });
