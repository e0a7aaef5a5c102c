// The photos of a record's form (an action's after photos, a red tag's): thumbnails with a
// remove button, camera and gallery inputs. A picked file is made small and hashed at once
// (photos.js); it is stored only with the record, in the save's transaction.

import { t } from "../i18n.js";
import { processPhoto } from "../photos.js";
import { esc } from "../ui.js";
import { fillThumbs, setThumb } from "./record-lists.js";

export class PickPhotos {
  /** @param {HTMLElement} el the box to draw in; `shas` the photos the record has already */
  constructor(el, shas, max) {
    Object.assign(this, { el, max, shas: [...shas], fresh: new Map() });
    el.addEventListener("change", (event) => event.target.type === "file" && this.add(event.target));
    el.addEventListener("click", (event) => {
      const b = event.target.closest("[data-remove-photo]");
      if (b) this.remove(b.closest("[data-photo-sha]").dataset.photoSha);
    });
    this.draw();
  }

  draw(status = "") {
    const n = this.shas.length;
    const full = n >= this.max ? " disabled" : "";
    const input = (label, attrs) =>
      `<label class="btn file${full ? " off" : ""}">${esc(t(label))}<input type="file" accept="image/*" ${attrs} class="vh"${full}></label>`;
    this.el.innerHTML = `<ul class="thumbs">${this.shas
      .map(
        (sha, i) => `<li data-photo-sha="${esc(sha)}"><img data-thumb="${esc(sha)}" alt="${esc(t("photoN", { n: i + 1 }))}">
          <button type="button" data-remove-photo aria-label="${esc(t("removePhoto", { n: i + 1 }))}">×</button></li>`,
      )
      .join("")}</ul>
      <span class="photos">${input("takePhoto", 'capture="environment" data-photo-input')}${input("gallery", "data-photo-gallery")}
      <span class="muted" data-photo-count>${n}/${this.max}</span><span class="muted" data-photo-status role="status">${esc(status)}</span></span>`;
    fillThumbs(this.el);
  }

  async add(input) {
    const file = input.files && input.files[0];
    input.value = ""; // picking the same file again fires change again
    if (!file) return;
    this.draw(t("photoBusy"));
    try {
      const photo = await processPhoto(file);
      if (!this.shas.includes(photo.sha256) && this.shas.length < this.max) {
        this.shas.push(photo.sha256);
        this.fresh.set(photo.sha256, photo);
        setThumb(photo.sha256, photo.thumb);
      }
      this.draw();
    } catch (err) {
      this.draw(t("photoFailed", { e: err.message || err }));
    }
    this.el.querySelector("input:not([disabled]), button")?.focus();
  }

  remove(sha) {
    this.shas = this.shas.filter((s) => s !== sha);
    this.fresh.delete(sha);
    this.draw();
    this.el.querySelector("input:not([disabled])")?.focus();
  }

  /** The new photos to store with the record ({sha256, blob, thumb}). */
  photos() {
    return [...this.fresh.values()];
  }

  /** Of the photos the record had, those removed here. */
  dropped(had) {
    return had.filter((sha) => !this.shas.includes(sha));
  }
}
