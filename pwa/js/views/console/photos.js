// Photos the API gives only with the token: thumbnails as object URLs (revoked when the screen
// closes), and the full size in a dialog with zoom: − / + / fit buttons, the same on the keys
// (- + 0), Esc closes and focus goes back to the thumbnail.

import { fetchBlob } from "../../api.js";
import { esc } from "../../ui.js";
import { T } from "./shared.js";

const urls = new Set();
const keep = (blob) => {
  const url = URL.createObjectURL(blob);
  urls.add(url);
  return url;
};

/** A thumbnail button; `label` names the photo (its item and number). */
export const thumb = (sha, label) =>
  `<li><button type="button" class="pthumb" data-photo="${esc(sha)}" aria-label="${esc(label)}"><img alt="" data-thumb="${esc(sha)}"></button></li>`;

/** Loads the thumbnails under `root`; clicks on them open the full size. Returns the cleanup. */
export function photos(root) {
  for (const img of root.querySelectorAll("img[data-thumb]:not([src])")) {
    fetchBlob(`/api/photos/${img.dataset.thumb}?size=thumb`)
      .then((blob) => (img.src = keep(blob)))
      .catch(() => img.closest("button").classList.add("broken"));
  }
  const open = (event) => {
    const button = event.target.closest("[data-photo]");
    if (button) lightbox(button.dataset.photo, button.getAttribute("aria-label"), button);
  };
  root.addEventListener("click", open);
  return () => {
    root.removeEventListener("click", open);
    for (const dialog of document.querySelectorAll("dialog[data-lightbox]")) dialog.close();
    for (const url of urls) URL.revokeObjectURL(url);
    urls.clear();
  };
}

const STEP = 1.25;

export async function lightbox(sha, label, from) {
  const dialog = document.createElement("dialog");
  dialog.className = "lightbox";
  dialog.dataset.lightbox = sha;
  dialog.setAttribute("aria-label", label);
  const zoom = (dir, k) => `<button type="button" data-zoom="${dir}" aria-label="${T(k)}" aria-keyshortcuts="${dir === "in" ? "+" : "-"}">${dir === "in" ? "+" : "−"}</button>`;
  dialog.innerHTML = `<div class="lbbar"><b class="lbtitle">${esc(label)}</b><span class="muted">${T("keysPhoto")}</span>
    ${zoom("out", "zoomOut")}<output data-zoom-level aria-live="polite"></output>${zoom("in", "zoomIn")}
    <button type="button" data-zoom="fit" aria-keyshortcuts="0">${T("fit")}</button><button type="button" class="primary" data-close>${T("close")}</button></div>
    <div class="lbpic" tabindex="0" role="group" aria-label="${esc(label)}"><img alt="${esc(label)}" data-full></div>`;
  document.body.append(dialog);
  const img = dialog.querySelector("img");
  const level = dialog.querySelector("[data-zoom-level]");
  let scale = null; // null: fit the window
  let url = null;
  const draw = () => {
    img.classList.toggle("fit", scale == null);
    img.style.width = scale == null ? "" : `${Math.round(img.naturalWidth * scale)}px`;
    const shown = scale ?? (img.naturalWidth ? img.clientWidth / img.naturalWidth : null);
    level.textContent = shown ? `${Math.round(shown * 100)}%` : "";
    dialog.dataset.zoom = scale == null ? "fit" : String(Math.round(scale * 100));
  };
  const act = (what) => {
    if (what === "fit") scale = null;
    else {
      const now = scale ?? (img.naturalWidth ? img.clientWidth / img.naturalWidth : 1);
      scale = Math.min(8, Math.max(0.1, what === "in" ? now * STEP : now / STEP));
    }
    draw();
  };
  dialog.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (button && button.dataset.zoom) act(button.dataset.zoom);
    if (button && "close" in button.dataset) dialog.close();
  });
  dialog.addEventListener("keydown", (event) => {
    const what = { "+": "in", "=": "in", "-": "out", _: "out", 0: "fit" }[event.key];
    if (!what || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    act(what);
  });
  dialog.addEventListener("close", () => {
    if (url) URL.revokeObjectURL(url);
    dialog.remove();
    if (from && from.isConnected) from.focus();
  });
  draw();
  dialog.showModal();
  dialog.querySelector("[data-close]").focus();
  try {
    url = URL.createObjectURL(await fetchBlob(`/api/photos/${sha}`));
    img.src = url;
    await img.decode().catch(() => {});
    draw();
    dialog.dataset.loaded = "true";
  } catch (err) {
    level.textContent = err.message;
  }
}
