// The live score beside the checklist: percent and band, the capped warning, the radar and the
// score per section. Redrawn whole on every answer: it is small and holds nothing focusable.

import { t, text } from "../../i18n.js";
import { radar } from "../../radar.js";
import { scoreAudit } from "../../scoring.js";
import { band, esc, percent } from "../../ui.js";

export class ScorePanel {
  constructor(el, checklist, sections, kind) {
    this.el = el;
    this.checklist = checklist;
    this.sections = sections;
    this.kind = kind;
  }

  /** Draw the score of these answers; returns it so the screen can keep the audit's preview. */
  update(answers) {
    const { el, sections } = this;
    const sc = scoreAudit(this.checklist, answers, this.kind);
    const pct = (s) => percent(sc.sections[s.id].percent);
    const list = sections.map((s) => `${text(s.title)} ${pct(s)}`).join(", ");
    el.innerHTML = `<p class="big"><span data-live-score>${percent(sc.percent)}</span><small>%</small> ${band(sc.band)}</p>
      ${sc.capped_by.length ? `<p class="warn">${esc(t("capped"))}</p>` : ""}
      ${radar(sections.map((s) => ({ label: text(s.title), value: sc.sections[s.id].percent })), t("radarTitle", { list }))}
      <ul class="secs">${sections
        .map((s) => `<li><span>${esc(text(s.title))}</span><b data-section-score="${esc(s.id)}">${pct(s)}</b></li>`)
        .join("")}</ul>`;
    return sc;
  }
}
