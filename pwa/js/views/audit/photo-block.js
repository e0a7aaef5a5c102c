// The photo block of an item card: thumbnails, take / gallery inputs, the count and a status line.
// Photos keeps one object URL per thumbnail for the screen's life, so redrawing a block after
// each add or remove does not read IndexedDB again or flash a broken image.

import { fetchBlob } from "../../api.js";
import { photoMax } from "../../rules.js";
import * as db from "../../db.js";
import { t } from "../../i18n.js";
import { processPhoto } from "../../photos.js";
import { esc } from "../../ui.js";
import { answerOf } from "./answer.js";

function thumbs(item, a, ro) {
  return (a && a.photos ? a.photos : [])
    .map(
      (sha, i) => `<li data-photo-sha="${esc(sha)}"><img data-thumb="${esc(sha)}" alt="${esc(t("photoN", { n: i + 1 }))}">${
        ro ? "" : `<button type="button" data-remove-photo aria-label="${esc(t("removePhoto", { n: i + 1 }))}">×</button>`
      }</li>`,
    )
    .join("");
}

/** The block's HTML; empty for an item that takes no photos. */
export function photoBlock(item, a, ro) {
  const max = photoMax(item);
  if (max <= 0) return "";
  const n = a && a.photos ? a.photos.length : 0;
  const full = n >= max ? " disabled" : "";
  const inputs = ro
    ? ""
    : `<label class="btn file${full ? " off" : ""}">${esc(t("takePhoto"))}<input type="file" accept="image/*" capture="environment" data-photo-input class="vh"${full}></label>
       <label class="btn file${full ? " off" : ""}">${esc(t("gallery"))}<input type="file" accept="image/*" data-photo-gallery class="vh"${full}></label>`;
  return `<div class="photos"><ul class="thumbs">${thumbs(item, a, ro)}</ul>${inputs}
    <span class="muted" data-photo-count>${n}/${max}</span><span class="muted" data-photo-status role="status"></span></div>`;
}

export class Photos {
  /**
   * @param {HTMLElement} root where the cards are (thumbnails are filled in there)
   * @param {(itemId: string) => void} changed called once an item's photos changed
   */
  constructor({ root, audit, ro, saver, changed }) {
    Object.assign(this, { root, audit, ro, saver, changed });
    this.urls = new Map(); // photo sha -> object URL of its thumbnail, "" when there is none
  }

  /** Give every thumbnail still without a picture its image. */
  async fill() {
    for (const img of this.root.querySelectorAll("img[data-thumb]:not([src])")) {
      const sha = img.dataset.thumb;
      if (!this.urls.has(sha)) {
        const photo = await db.get("photos", sha);
        // A photo from another device (a returned audit): the server's thumbnail, when online.
        const blob = photo ? photo.thumb : await fetchBlob(`/api/photos/${sha}?size=thumb`).catch(() => null);
        this.urls.set(sha, blob ? URL.createObjectURL(blob) : "");
      }
      if (this.urls.get(sha)) img.src = this.urls.get(sha);
      else img.closest("li").classList.add("remote");
    }
  }

  /** Redraw the block of a card for its answer now. */
  update(card, item, a) {
    const block = card.querySelector(".photos");
    const focused = block.contains(document.activeElement);
    block.outerHTML = photoBlock(item, a, this.ro);
    this.fill();
    // Keep keyboard users where they were: on the photo controls of this card.
    if (focused) card.querySelector(".photos input:not([disabled]), .photos button")?.focus();
  }

  /** A file picked in a card's take / gallery input. */
  async add(input, itemId) {
    const file = input.files && input.files[0];
    input.value = ""; // so picking the same file again fires change again
    if (!file) return;
    const status = input.closest("[data-item-id]").querySelector("[data-photo-status]");
    status.textContent = t("photoBusy");
    try {
      const { blob, thumb, sha256 } = await processPhoto(file);
      const a = answerOf(this.audit, itemId);
      if (a.photos.includes(sha256)) {
        status.textContent = "";
        return;
      }
      a.photos.push(sha256);
      // Already stored (the same picture in another audit): keep that record, its upload state included.
      const have = await db.get("photos", sha256);
      const photo = have || {
        sha256,
        blob,
        thumb,
        audit_id: this.audit.id,
        item_id: itemId,
        created_at: new Date().toISOString(),
        uploaded: false,
        pending: 1,
      };
      this.urls.set(sha256, URL.createObjectURL(photo.thumb));
      this.changed(itemId);
      await this.saver.save(have ? undefined : { photo });
    } catch (err) {
      status.textContent = t("photoFailed", { e: err.message || err });
    }
  }

  remove(itemId, sha) {
    const a = answerOf(this.audit, itemId);
    a.photos = a.photos.filter((s) => s !== sha);
    // The same picture may answer another item here: then its bytes must stay.
    const stillUsed = Object.values(this.audit.answers).some((x) => (x.photos || []).includes(sha));
    this.changed(itemId);
    this.saver.save(stillUsed ? undefined : { dropPhotos: [sha] });
  }

  /** Free the thumbnails' object URLs once nothing shows them any more. */
  release() {
    this.urls.forEach((u) => u && URL.revokeObjectURL(u));
  }
}
