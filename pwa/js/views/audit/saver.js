// The save chain of one audit screen. Each save waits for the one before, so saves land in the
// order the officer made them, and "saved" is shown only once the IndexedDB transaction has
// committed, and only for the latest save: an earlier one landing says nothing of later edits.

import { saveAudit } from "../../audits.js";
import { getLang, t } from "../../i18n.js";
import { flushSoon } from "../../outbox.js";

const TEXT_PAUSE_MS = 400; // a save per keystroke would queue dozens of transactions

export class Saver {
  /** @param {HTMLElement} el the save state line, holding [data-saved] and [data-save-error] */
  constructor(audit, el) {
    this.audit = audit;
    this.savedEl = el.querySelector("[data-saved]");
    this.errEl = el.querySelector("[data-save-error]");
    this.chain = Promise.resolve();
    this.timer = null;
    this.dirty = false;
  }

  /** Save now; `extra` is a photo to store or shas to drop along with the audit. */
  save(extra) {
    clearTimeout(this.timer);
    this.timer = null;
    this.dirty = false;
    this.savedEl.hidden = true;
    const mine = (this.chain = this.chain
      .then(() => saveAudit(this.audit, extra))
      .then(
        () => {
          this.errEl.textContent = "";
          if (this.chain === mine) this.showSaved();
          flushSoon();
        },
        (err) => {
          this.errEl.textContent = t("saveFailed", { e: err.message || err });
        },
      ));
    return mine;
  }

  /** Typing: save once the officer pauses. Until then the screen is ahead of the store. */
  saveSoon() {
    this.savedEl.hidden = true;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), TEXT_PAUSE_MS);
  }

  /** Save typing that is still waiting for its pause; resolves once every save so far has landed. */
  flushPending() {
    return this.dirty ? this.save() : this.chain;
  }

  showSaved() {
    const time = new Date().toLocaleTimeString(getLang() === "en" ? "en-GB" : "zh-CN");
    this.savedEl.textContent = `✓ ${t("saved")} ${time}`;
    this.savedEl.hidden = false;
  }
}
