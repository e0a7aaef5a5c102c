// The section tabs, each with its answered count.

import { text } from "../../i18n.js";
import { esc } from "../../ui.js";
import { answered } from "./answer.js";

export class SectionTabs {
  constructor(el, sections, audit) {
    this.el = el;
    this.sections = sections;
    this.audit = audit;
    this.idx = 0;
  }

  count(s) {
    return `${s.items.filter((it) => answered(it, this.audit.answers[it.id])).length}/${s.items.length}`;
  }

  /** Rebuild the tabs with section idx as the current one. */
  show(idx) {
    this.idx = idx;
    this.el.innerHTML = this.sections
      .map(
        (s, i) =>
          `<button type="button" data-section-tab="${esc(s.id)}"${i === idx ? ' aria-current="step"' : ""}>${esc(text(s.title))}<small>${this.count(s)}</small></button>`,
      )
      .join("");
  }

  /** An answer changed: only the count of the current tab, since a rebuild drops keyboard focus on a tab. */
  update() {
    const s = this.sections[this.idx];
    const small = this.el.querySelector(`[data-section-tab="${CSS.escape(s.id)}"] small`);
    if (small) small.textContent = this.count(s);
  }
}
