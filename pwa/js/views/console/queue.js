// The supervisor's home (#/review): what waits for review, longest waiting first, with chips to
// filter by site, zone, officer and checklist (each with its count), and j / k / ↓ / ↑ to move,
// Enter to open. Each row: zone, checklist, officer, when it was submitted and how long it has
// waited, the score and what to notice (capped, photos missing, clock or zone flags).

import { nameOf, t, when } from "../../i18n.js";
import { S, findZone } from "../../session.js";
import { band, esc, percent, toast } from "../../ui.js";
import { FILTERS, filters, last, ordered, queueCounts, queuePage, setFilters } from "./queue-data.js";
import { T, checklistTitle, flags, frame, kbd, kindName, learnNames, officerName, screen, shortcuts, siteName, waited, zoneName } from "./shared.js";

const label = {
  site_id: (c) => nameOf(((S.bootstrap && S.bootstrap.sites) || []).find((s) => s.id === c.id)) || c.name || c.id,
  zone_id: (c) => zoneName(c.id) || c.name,
  officer_id: (c) => c.name || officerName(c.id),
  checklist_id: (c) => checklistTitle(c.id),
};
const GROUP = { site_id: "sites", zone_id: "zones", officer_id: "officers", checklist_id: "checklists" };

function chips(counts, chosen) {
  return FILTERS.map((k) => {
    const list = [...counts[GROUP[k]]];
    if (chosen[k] && !list.some((c) => c.id === chosen[k])) list.push({ id: chosen[k], name: null, count: 0 });
    const chip = (value, text, n) =>
      `<button type="button" class="fchip" data-filter="${k}" data-filter-value="${esc(value)}" aria-pressed="${(chosen[k] || "") === value}">${esc(text)} <b>${n}</b></button>`;
    return `<div class="fgroup" role="group" aria-labelledby="fl-${k}"><span class="glabel" id="fl-${k}">${T(`f_${k}`)}</span>${chip("", t("filterAll"), counts.total)}${list
      .map((c) => chip(c.id, label[k](c), c.count))
      .join("")}</div>`;
  }).join("");
}

function row(a) {
  const found = findZone(a.zone_id);
  const where = found ? `${nameOf(found.site)} · ${kindName(found.zone.kind)}` : siteName(a.site_id);
  const score = a.score || {};
  return `<li><a class="qrow" href="#/review/${esc(a.id)}" data-queue-row="${esc(a.id)}">
    <span class="qzone"><b>${esc(zoneName(a.zone_id))}</b><small>${esc(where)}</small></span>
    <span><span>${esc(checklistTitle(a.checklist_id))}</span><small>${T("officerIs", { name: officerName(a.officer_id) })}</small></span>
    <span><span>${esc(when(a.submitted_at))}</span><small data-waited>${T("waited", { w: waited(a.submitted_at) })}</small></span>
    <span class="qscore"><b data-percent>${esc(percent(score.percent))}</b> ${band(score.band)}</span>
    <span class="qflags">${flags(a)}</span></a></li>`;
}

export const render = screen(async (view) => {
  let chosen = filters();
  let [counts, page] = await Promise.all([queueCounts(), queuePage(null, chosen)]);
  learnNames(counts.officers);
  let rows = page.audits;
  frame(
    view,
    t("queueNav"),
    `<p class="qsum" data-queue-total></p><div class="filters" data-filters></div>${kbd("keysQueue")}
    <ol class="queue" data-review-queue aria-label="${T("queueNav")}"></ol><p data-more></p>`,
  );
  const [sum, box, list, more] = ["[data-queue-total]", "[data-filters]", "[data-review-queue]", "[data-more]"].map((s) => view.querySelector(s));
  const draw = () => {
    sum.dataset.queueTotal = String(counts.total);
    sum.innerHTML = `<b>${T("queueCount", { n: counts.total })}</b>${counts.oldest ? ` · ${T("oldestWait", { w: waited(counts.oldest) })}` : ""}`;
    box.innerHTML = chips(counts, chosen);
    const empty = Object.keys(chosen).length ? "filterEmpty" : "queueEmpty";
    list.innerHTML = rows.map(row).join("") || `<li class="notice" data-queue-empty>${T(empty)}</li>`;
    list.dataset.count = String(rows.length);
    more.innerHTML = page.next_cursor ? `<button type="button" data-load-more>${T("loadMore")}</button>` : "";
  };
  draw();
  const reload = async (cursor) => {
    const [c, p] = await Promise.all([cursor ? counts : queueCounts(), queuePage(cursor, chosen)]);
    learnNames(c.officers);
    [counts, page, rows] = [c, p, cursor ? ordered([...rows, ...p.audits]) : p.audits];
    draw();
  };
  view.addEventListener("click", async ({ target }) => {
    const chip = target.closest("[data-filter]");
    const open = target.closest("[data-queue-row]");
    if (open) last.id = open.dataset.queueRow;
    if (chip) {
      const { filter, filterValue } = chip.dataset;
      chosen = { ...chosen, [filter]: filterValue };
      if (!filterValue) delete chosen[filter];
      setFilters(chosen);
      await reload(null).catch((err) => toast(err.message));
      box.querySelector(`[data-filter="${filter}"][aria-pressed="true"]`)?.focus();
    } else if (target.closest("[data-load-more]")) {
      await reload(page.next_cursor).catch((err) => toast(err.message));
    }
  });
  const focusRow = (id) => list.querySelector(`[data-queue-row="${CSS.escape(id)}"]`)?.focus();
  if (last.id) focusRow(last.id);
  const move = (step) => () => {
    const links = [...list.querySelectorAll("[data-queue-row]")];
    if (!links.length) return;
    const i = links.indexOf(document.activeElement);
    const next = links[i < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, i + step))];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  };
  return shortcuts({ j: move(1), ArrowDown: move(1), k: move(-1), ArrowUp: move(-1) });
});
