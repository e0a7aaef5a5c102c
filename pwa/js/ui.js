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

// Band colours chosen for white text at >= 4.5:1 contrast; checklists name them loosely.
const BAND = { green: "#1d6b35", blue: "#0b57a4", orange: "#8a4600", red: "#b0241b" };

export function band(b) {
  if (!b) return "";
  const bg = BAND[b.color] || (/^#[0-9a-f]{6}$/i.test(b.color || "") ? b.color : "#444");
  return `<span class="band" style="background:${bg}">${esc(text(b))}</span>`;
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
