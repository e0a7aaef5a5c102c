// The reports' charts: each zone's trend over the last six months (with its zone board PDF for
// the month), and the per-S radar of the month against the month before, for every zone or one.

import { nameOf, t, text } from "../../i18n.js";
import { radar } from "../../radar.js";
import { esc } from "../../ui.js";
import { monthLabel, one, trend } from "./charts.js";
import { T, addMonths, kindName, siteName } from "./shared.js";

export const rowName = (r) => nameOf({ name: r.zone, name_en: r.zone_en });

/** The zones in the report, by site, kind and name: [{zone_id, ...a row of it}]. */
export function zonesOf(report) {
  const zones = new Map();
  for (const r of report.rows) zones.set(r.zone_id, r);
  return [...zones.values()].sort((a, b) => `${a.site_id}|${a.kind}|${a.zone_id}`.localeCompare(`${b.site_id}|${b.kind}|${b.zone_id}`));
}

export function trendSection(report, month, bands) {
  const months = Array.from({ length: 6 }, (_, i) => addMonths(month, i - 5));
  const cards = zonesOf(report).map((z) => {
    const values = months.map((m) => {
      const r = report.rows.find((x) => x.zone_id === z.zone_id && x.month === m);
      return r ? r.mean : null;
    });
    const name = rowName(z);
    const list = months.map((m, i) => `${monthLabel(m)} ${one(values[i])}`).join("，");
    return `<li class="card tcard" data-trend-zone="${esc(z.zone_id)}"><div class="thead"><h3>${esc(name)} <small class="muted">${esc(siteName(z.site_id))} · ${esc(kindName(z.kind))}</small></h3>
      <button type="button" data-board="${esc(z.zone_id)}">${T("board")}<span class="vh"> ${esc(name)} ${esc(month)}</span></button></div>
      ${trend(months, values, t("trendOf", { zone: name, list }), bands)}</li>`;
  });
  return `<section class="rep" data-trend aria-labelledby="h-trend"><h2 id="h-trend">${T("trend")}</h2>${
    cards.length ? `<ul class="tcards">${cards.join("")}</ul>` : `<p class="muted">${T("noMonthData")}</p>`
  }</section>`;
}

/** Mean of the zones' section means, each weighted by its audits (one zone: its own mean). */
function sectionMean(rows, id) {
  let [sum, n] = [0, 0];
  for (const r of rows) {
    const v = r.sections[id];
    if (v != null) [sum, n] = [sum + v * r.audits, n + r.audits];
  }
  return n ? Math.floor((sum / n) * 10 + 0.5) / 10 : null;
}

export function radarSection(report, month, zone) {
  const before = addMonths(month, -1);
  const rows = (m) => report.rows.filter((r) => r.month === m && (!zone || r.zone_id === zone));
  const spokes = report.sections.map((s) => ({
    id: s.id,
    label: text(s.title),
    value: sectionMean(rows(month), s.id),
    before: sectionMean(rows(before), s.id),
  }));
  const list = (k) => spokes.map((s) => `${s.label} ${one(s[k])}`).join("，");
  const zones = zonesOf(report).filter((z) => report.rows.some((r) => r.zone_id === z.zone_id && (r.month === month || r.month === before)));
  const opts = [["", t("allZones")], ...zones.map((z) => [z.zone_id, rowName(z)])]
    .map(([v, l]) => `<option value="${esc(v)}"${v === (zone || "") ? " selected" : ""}>${esc(l)}</option>`)
    .join("");
  const table = `<table class="atable stable"><tr><th scope="col">S</th><th scope="col"><span class="sw now"></span>${T("thisMonth")} ${esc(month)}</th>
    <th scope="col"><span class="sw before"></span>${T("lastMonth")} ${esc(before)}</th></tr>${spokes
      .map((s) => `<tr data-s="${esc(s.id)}"><th scope="row">${esc(s.label)}</th><td data-now>${esc(one(s.value))}</td><td data-before>${esc(one(s.before))}</td></tr>`)
      .join("")}</table>`;
  return `<section class="rep" data-radar-compare aria-labelledby="h-radar"><h2 id="h-radar">${T("radarMonths")}</h2>
    <p class="fld inline"><label for="r-zone">${T("zone")}</label><select id="r-zone" data-radar-zone>${opts}</select></p>
    <div class="radarbox">${radar(spokes, t("radarOf", { now: list("value"), before: list("before") }), 260)}
    <div><p class="legend"><span class="sw now"></span>${T("thisMonth")} <span class="sw before"></span>${T("lastMonth")}</p>${table}</div></div></section>`;
}
