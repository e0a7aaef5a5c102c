// An audit's answers, section by section, as the supervisor reads them: each item with the
// officer's answer and its anchor text (what that score means), the note and photos; failed
// items stand out, and an answer that changed since the zone's previous audit says before → now.

import { t, text } from "../../i18n.js";
import { isFail } from "../../scoring.js";
import { esc, percent } from "../../ui.js";
import { thumb } from "./photos.js";
import { T } from "./shared.js";

const valueOf = (a) => (a ? a.value ?? null : null);
const applies = (item, kind) => item.zone_kinds == null || kind == null || item.zone_kinds.includes(kind);

/** An answer in a few words: "3/4", "不合格", an option, "12 kg"; the note and photos aside. */
export function short(item, a) {
  const v = valueOf(a);
  if (v == null) return t("noAnswer");
  if (v === "na") return t("na");
  switch (item.type) {
    case "score":
      return `${v}/${item.max == null ? 4 : Math.trunc(item.max)}`;
    case "pass_fail":
      return t(v);
    case "choice": {
      const o = (item.options || []).find((x) => x.id === v);
      return o ? text(o.label) : String(v);
    }
    case "number":
      return `${v}${item.unit ? ` ${item.unit}` : ""}`;
    default:
      return String(v);
  }
}

const anchor = (item, v) => (item.type === "score" && typeof v === "number" && item.anchors ? text(item.anchors[String(v)]) : "");

function card(item, a, change) {
  const v = valueOf(a);
  const failed = isFail(item, v);
  const tags = `${item.critical ? `<span class="tag crit">${T("critical")}</span>` : ""}${failed ? `<span class="tag bad">${T("fail")}</span>` : ""}`;
  const words = anchor(item, v);
  const delta = change
    ? `<p class="delta" data-delta>${change.before ? T("beforeAfter", { b: short(item, change.before), a: short(item, a) }) : T("newItem")}</p>`
    : "";
  const shots = ((a && a.photos) || []).map((sha, n) => thumb(sha, t("photoOf", { item: text(item.label), n: n + 1 }))).join("");
  return `<li class="ritem${failed ? " fail" : ""}" data-review-item="${esc(item.id)}" data-fail="${failed}" data-changed="${Boolean(change)}">
    <p class="q">${esc(text(item.label))}${tags}</p>
    <p class="ans"><b data-answer>${esc(short(item, a))}</b>${words ? ` <span data-anchor>${esc(words)}</span>` : ""}</p>${delta}
    ${a && a.note ? `<p class="rnote" data-note>“${esc(a.note)}”</p>` : ""}${shots ? `<ul class="pthumbs">${shots}</ul>` : ""}</li>`;
}

/** Every section of the checklist with the items that apply to the zone (or were answered). */
export function sections(checklist, audit, previous, changed, kind) {
  const byItem = new Map(changed.map((c) => [c.item_id, c]));
  const prevSections = (previous && previous.score && previous.score.sections) || {};
  return checklist.sections
    .map((s) => {
      const items = s.items.filter((i) => applies(i, kind) || Object.hasOwn(audit.answers, i.id));
      if (!items.length) return "";
      const now = (audit.score.sections || {})[s.id];
      const before = prevSections[s.id];
      return `<section class="rsec" data-section="${esc(s.id)}" aria-labelledby="sec-${esc(s.id)}">
        <h2 id="sec-${esc(s.id)}">${esc(text(s.title))} <span class="muted" data-section-percent>${esc(percent(now && now.percent))}${
          before ? ` <small>(${T("previous")} ${esc(percent(before.percent))})</small>` : ""
        }</span></h2>
        <ul class="ritems">${items.map((i) => card(i, audit.answers[i.id], byItem.get(i.id))).join("")}</ul></section>`;
    })
    .join("");
}

/** How many answered items failed, for the header. */
export const failures = (checklist, audit) =>
  checklist.sections.flatMap((s) => s.items).filter((i) => isFail(i, valueOf(audit.answers[i.id])));
