// Charts as plain SVG with fills and strokes (they print, unlike a canvas): a zone's months as
// bars with their values written on, and a horizontal bar for a finding. The numbers are in each
// chart's <title> as well, for screen readers.

import { getLang } from "../../i18n.js";
import { esc } from "../../ui.js";

// The band colours of ui.js (white text on them reads at >= 4.5:1).
const COLORS = { green: "#1d6b35", blue: "#0b57a4", orange: "#8a4600", red: "#b0241b" };

/** The colour of the checklist's band a percent falls in (bands are highest first). */
export const colorOf = (bands, v) => {
  const found = (bands || []).find((b) => b.min <= v);
  return (found && COLORS[found.color]) || "#0b57a4";
};

export const monthLabel = (m) =>
  getLang() === "en" ? new Date(Number(m.slice(0, 4)), Number(m.slice(5)) - 1, 1).toLocaleString("en-GB", { month: "short" }) : `${Number(m.slice(5))}月`;

/** A report's figure as the API has it, one decimal: 73.0, 0.0; "–" for none. */
export const one = (v) => (v == null ? "–" : Number(v).toFixed(1));

let serial = 0;

/** Bars for `months` (oldest first) with `values` (null: no audit that month). */
export function trend(months, values, title, bands) {
  const [W, H, top, base, bw] = [240, 132, 20, 108, 24];
  const slot = W / months.length;
  const id = `trend-${++serial}`;
  let out = `<svg class="trend" data-trend-chart viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}"><title id="${id}">${esc(title)}</title>`;
  for (const g of [50, 100]) {
    const y = base - ((base - top) * g) / 100;
    out += `<line class="grid" x1="0" x2="${W}" y1="${y}" y2="${y}"/>`;
  }
  months.forEach((m, i) => {
    const v = values[i];
    const cx = slot * i + slot / 2;
    const h = v == null ? 0 : ((base - top) * Math.max(0, v)) / 100;
    if (v != null) out += `<rect x="${(cx - bw / 2).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${bw}" height="${h.toFixed(1)}" fill="${colorOf(bands, v)}"/>`;
    const last = i === months.length - 1 ? " now" : "";
    out += `<text class="val${last}" x="${cx.toFixed(1)}" y="${(base - h - 5).toFixed(1)}" text-anchor="middle" data-trend-value="${esc(m)}">${one(v)}</text>`;
    out += `<text class="mon${last}" x="${cx.toFixed(1)}" y="${H - 6}" text-anchor="middle">${esc(monthLabel(m))}</text>`;
  });
  return `${out}<line class="axis" x1="0" x2="${W}" y1="${base}" y2="${base}"/></svg>`;
}

/** A horizontal bar, `value` of `max`, stretched to its box. */
export const hbar = (value, max, color = "#b0241b") =>
  `<svg class="hbar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true"><rect width="100" height="12" class="track"/><rect width="${(
    (100 * value) / Math.max(max, 1)
  ).toFixed(1)}" height="12" fill="${color}"/></svg>`;
