// Small shared view helpers. Screens are built as HTML strings: every value from the server or
// the officer goes through esc() first.

import { t, text } from "./i18n.js";

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (ch) => ESC[ch]);

export const go = (hash) => {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
};

/** Tell the status bar (and anyone listening) that local data changed. */
export const changed = () => window.dispatchEvent(new Event("genba:changed"));

// Band colours chosen for white text at >= 4.5:1 contrast (pwa/css/app.css .band-*); a
// checklist may also name a colour as #rrggbb. The CSP allows no inline style attributes, so such
// a colour gets a class whose rule is added through the CSSOM, once per colour.
const NAMED_BANDS = new Set(["green", "blue", "orange", "red"]);
const bandSheet = typeof CSSStyleSheet === "function" ? new CSSStyleSheet() : null;
const hexBands = new Set();

function bandClass(color) {
  if (NAMED_BANDS.has(color)) return `band-${color}`;
  if (!bandSheet || !/^#[0-9a-f]{6}$/i.test(color || "")) return "band-other";
  const name = `band-x${color.slice(1).toLowerCase()}`;
  if (!hexBands.has(name)) {
    hexBands.add(name);
    bandSheet.insertRule(`.band.${name} { background: ${color}; }`);
    if (!document.adoptedStyleSheets.includes(bandSheet)) {
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, bandSheet];
    }
  }
  return name;
}

export function band(b) {
  if (!b) return "";
  return `<span class="band ${bandClass(b.color)}">${esc(text(b))}</span>`;
}

export const percent = (p) => (p == null ? "–" : String(p));

export const statusBadge = (status) => `<span class="status s-${esc(status)}">${esc(t(status))}</span>`;

let toastTimer;
export function toast(message) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}
