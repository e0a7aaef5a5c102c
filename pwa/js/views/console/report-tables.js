// The reports' tables: the month's ranking within each zone kind (流动红旗 for the best), the
// findings Pareto (the items failed most, their zones and a few photos) and officer calibration
// (with the server's line on how to read it above the table).

import { t, text } from "../../i18n.js";
import { esc } from "../../ui.js";
import { hbar, one } from "./charts.js";
import { thumb } from "./photos.js";
import { rowName } from "./report-charts.js";
import { T, kindName, zoneName } from "./shared.js";

const FLAG = `<svg class="flag" viewBox="0 0 12 12" aria-hidden="true"><path d="M2.5 1v10.5" stroke="currentColor" stroke-width="1.4"/><path d="M3 1.5h7.5l-2 2.6 2 2.6H3z" fill="#c8102e"/></svg>`;
const th = (keys) => `<tr>${keys.map((k) => `<th scope="col">${T(k)}</th>`).join("")}</tr>`;

export function ranking(report, month) {
  const kinds = new Map();
  for (const r of report.rows.filter((x) => x.month === month)) (kinds.get(r.kind) || kinds.set(r.kind, []).get(r.kind)).push(r);
  const groups = [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, rows]) => {
    rows.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.zone_id.localeCompare(b.zone_id));
    const body = rows
      .map(
        (r) => `<tr data-rank-zone="${esc(r.zone_id)}" data-rank="${r.rank ?? ""}"${r.red_flag ? ' class="flagged"' : ""}>
        <td>${r.rank ?? "–"} <small class="muted">/ ${r.ranked}</small></td>
        <td>${esc(rowName(r))}${r.red_flag ? ` <span class="chip redflag" data-red-flag>${FLAG}${T("redFlag")}</span>` : ""}</td>
        <td data-mean>${one(r.mean)}</td><td data-audits>${r.audits}</td></tr>`,
      )
      .join("");
    return `<tbody data-rank-kind="${esc(kind)}"><tr class="kindrow"><th colspan="4" scope="colgroup">${esc(kindName(kind))}</th></tr>${body}</tbody>`;
  });
  return `<section class="rep" data-ranking aria-labelledby="h-rank"><h2 id="h-rank">${T("ranking")} <small class="muted">${esc(month)}</small></h2>${
    groups.length ? `<table class="atable ranks"><thead>${th(["rank", "zone", "mean", "auditsN"])}</thead>${groups.join("")}</table>` : `<p class="muted">${T("noMonthData")}</p>`
  }</section>`;
}

const TOP = 10;
const PHOTOS = 4;

export function findings(report) {
  const list = report.findings.slice(0, TOP);
  const max = list.length ? list[0].fails : 1;
  const total = report.findings.reduce((n, f) => n + f.fails, 0);
  let sum = 0;
  const rows = list.map((f) => {
    sum += f.fails;
    const label = f.label ? text(f.label) : f.item_id;
    const zones = f.zones.map((z) => `<span data-finding-zone="${esc(z.zone_id)}">${esc(zoneName(z.zone_id))} ×${z.fails}</span>`).join("、");
    const shots = f.photos.slice(0, PHOTOS).map((sha, n) => thumb(sha, t("photoOf", { item: label, n: n + 1 }))).join("");
    return `<li class="finding" data-finding="${esc(f.item_id)}"><p class="frow"><span class="flabel">${esc(label)}</span>
      <b data-fails="${f.fails}">${T("fails", { n: f.fails })}</b> <small class="muted">${T("cumulative", { p: Math.round((100 * sum) / total) })}</small></p>
      ${hbar(f.fails, max)}<p class="fzones">${zones}</p>${shots ? `<ul class="pthumbs small">${shots}</ul>` : ""}</li>`;
  });
  return `<section class="rep" data-findings aria-labelledby="h-find"><h2 id="h-find">${T("findings")}</h2>
    <p class="muted" data-findings-audits="${report.audits}">${T("findingsOf", { n: report.audits })}</p>${
      rows.length ? `<ol class="pareto">${rows.join("")}</ol>` : `<p class="muted">${T("noMonthData")}</p>`
    }</section>`;
}

function difference(o) {
  if (o.difference == null) return "–";
  const v = o.difference;
  const word = v > 0 ? ` ${T("lenient")}` : v < 0 ? ` ${T("strict")}` : "";
  return `<b class="${v > 0 ? "lenient" : v < 0 ? "strict" : ""}">${v > 0 ? "+" : v < 0 ? "−" : ""}${one(Math.abs(v))}</b>${word} <small class="muted">${T("compared", { n: o.compared })}</small>`;
}

export function calibration(report) {
  const rate = (v) => (v == null ? "–" : `${one(v)}%`);
  const rows = report.officers
    .map(
      (o) => `<tr data-officer="${o.officer_id}"><th scope="row">${esc(o.name)}</th><td data-k="audits">${o.audits}</td><td data-k="mean">${one(o.mean)}</td>
      <td data-k="difference" data-value="${o.difference ?? ""}">${difference(o)}</td><td data-k="na_rate">${rate(o.na_rate)}</td>
      <td data-k="photo_rate">${rate(o.photo_rate)}</td><td data-k="fail_rate">${rate(o.fail_rate)}</td></tr>`,
    )
    .join("");
  return `<section class="rep" data-calibration aria-labelledby="h-cal"><h2 id="h-cal">${T("calibration")}</h2>
    <p class="notice" data-how-to-read>${esc(text(report.how_to_read))}</p>${
      rows
        ? `<div class="scroll"><table class="atable">${th(["officer", "auditsN", "mean", "difference", "naRate", "photoRate", "failRate"])}${rows}</table></div>`
        : `<p class="muted">${T("noMonthData")}</p>`
    }</section>`;
}
