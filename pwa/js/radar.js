// SVG radar chart: one spoke per section on a 0-100 scale. Built as a string (no library, no
// layout work) so it can be redrawn on every answer. The <title> carries the numbers for
// screen readers; the picture is only a summary of them.

import { esc } from "./ui.js";

let serial = 0;

/** At most two short lines per label; the full names are in the <title> and the list beside. */
function lines(label) {
  const cjk = /[\u3400-\u9fff]/.test(label);
  const max = cjk ? 6 : 13;
  if (label.length <= max) return [label];
  // CJK has no spaces: split evenly (7 characters become 4 + 3, not 6 + 1).
  const even = Math.ceil(label.length / Math.ceil(label.length / max));
  const parts = cjk ? label.match(new RegExp(`.{1,${even}}`, "g")) : [];
  if (!cjk) {
    for (const word of label.split(/\s+/)) {
      const last = parts.length - 1;
      if (last >= 0 && `${parts[last]} ${word}`.length <= max) parts[last] += ` ${word}`;
      else parts.push(word);
    }
  }
  if (parts.length > 2) parts.splice(1, parts.length - 1, `${parts[1].slice(0, max - 1)}…`);
  return parts;
}

/**
 * @param {{label: string, value: number|null, before?: number|null}[]} spokes value null =
 *   nothing scored yet; `before` values (another month, the previous audit) draw a second polygon
 * @param {string} title accessible description
 */
export function radar(spokes, title, size = 240) {
  const n = spokes.length;
  const c = size / 2;
  const r = c - 26; // room above and below for the labels
  // Room beside the chart for the widest label (CJK glyphs ~12 px at this size, Latin ~6.5).
  const labels = spokes.map((s) => lines(s.label));
  const widest = Math.max(0, ...labels.flat().map((l) => l.length * (/[\u3400-\u9fff]/.test(l) ? 12 : 6.5)));
  const pad = Math.max(12, Math.ceil(widest - r * 0.12 + 6));
  const at = (i, v) => {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / Math.max(n, 1);
    return [c + Math.cos(a) * r * (v / 100), c + Math.sin(a) * r * (v / 100)];
  };
  const poly = (vals) => vals.map((v, i) => at(i, v).map((x) => x.toFixed(1)).join(",")).join(" ");
  const id = `radar-${++serial}`;
  let out = `<svg data-radar class="radar" viewBox="${-pad} 0 ${size + 2 * pad} ${size}" role="img" aria-labelledby="${id}"><title id="${id}">${esc(title)}</title>`;
  for (const ring of [25, 50, 75, 100]) {
    out += `<polygon points="${poly(spokes.map(() => ring))}" class="ring"/>`;
  }
  spokes.forEach((s, i) => {
    const [x, y] = at(i, 100);
    out += `<line x1="${c}" y1="${c}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}" class="spoke"/>`;
    const [lx, ly] = at(i, 112);
    const anchor = Math.abs(lx - c) < 4 ? "middle" : lx < c ? "end" : "start";
    const ls = labels[i];
    const tx = lx.toFixed(1);
    const ty = ly + 4 - (ls.length - 1) * 6.5;
    out += `<text x="${tx}" y="${ty.toFixed(1)}" text-anchor="${anchor}">${ls
      .map((l, k) => `<tspan x="${tx}" dy="${k ? 13 : 0}">${esc(l)}</tspan>`)
      .join("")}</text>`;
  });
  if (spokes.some((s) => s.before != null)) out += `<polygon points="${poly(spokes.map((s) => s.before ?? 0))}" class="before"/>`;
  out += `<polygon points="${poly(spokes.map((s) => s.value ?? 0))}" class="area"/>`;
  spokes.forEach((s, i) => {
    if (s.value == null) return;
    const [x, y] = at(i, s.value);
    out += `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" class="dot"/>`;
  });
  return `${out}</svg>`;
}
