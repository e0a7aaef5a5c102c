// One audit, for review (#/review/<audit id>): the header, every item by section beside the
// zone's previous audit, then approve / return (and void for admins). Keys: a approve, r return
// (to the comment), n / p the next / previous in the queue, Esc back to the queue. A decision
// goes on to the next audit in the queue, or back to the queue when none is left.

import { t, text } from "../../i18n.js";
import { findZone, loadChecklist } from "../../session.js";
import { esc, go, toast } from "../../ui.js";
import { bind, panel } from "./decide.js";
import { photos } from "./photos.js";
import { around, filters, last, queuePage } from "./queue-data.js";
import { header, previous, scoreLine, toolbar } from "./review-head.js";
import { sections } from "./review-items.js";
import { T, api, checklistTitle, enc, frame, kbd, knowOfficers, learnNames, openFile, screen, shortcuts, zoneName } from "./shared.js";

const DONE = { approve: "approved", return: "returnedDone", void: "void" };

export const render = screen(async (view, [id]) => {
  const audit = await api("GET", `/api/audits/${enc(id)}`);
  const [checklist, cmp, queue, counts] = await Promise.all([
    loadChecklist(audit.checklist_id, audit.checklist_version),
    api("GET", `/api/audits/${enc(id)}/previous`),
    queuePage(null, filters()).catch(() => ({ audits: [] })),
    api("GET", "/api/reports/queue").catch(() => null),
  ]);
  learnNames(counts && counts.officers);
  await knowOfficers([audit, cmp.previous]);
  last.id = audit.id;
  const ids = queue.audits.map((a) => a.id);
  const where = around(ids, audit.id);
  const found = findZone(audit.zone_id);
  const step = (key, to, k) =>
    `<button type="button" data-${key}-audit${to ? "" : " disabled"} aria-keyshortcuts="${k}">${T(`${key}Audit`)} <kbd>${k.toUpperCase()}</kbd></button>`;
  frame(
    view,
    `${zoneName(audit.zone_id)} · ${checklistTitle(audit.checklist_id)}`,
    `<div class="rtools"><a class="btn" href="#/review" data-back aria-keyshortcuts="Escape">← ${T("queueNav")} <kbd>Esc</kbd></a>
      ${step("prev", where.prev, "p")}${step("next", where.next, "n")}
      <span class="muted" data-queue-position>${where.index >= 0 ? T("queuePosition", { i: where.index + 1, n: ids.length }) : T("notInQueue")}</span>
      <button type="button" data-scorecard>${T("scorecard")}</button></div>${kbd("keysAudit")}
    <div class="rgrid" data-review="${esc(audit.id)}" data-status="${esc(audit.status)}">
      <div class="rmain">${header(audit, checklist)}${toolbar(checklist, audit, cmp)}
        <div class="rsecs" data-items>${sections(checklist, audit, cmp.previous, cmp.changed, found && found.zone.kind)}</div></div>
      <aside class="rside" aria-label="${T("score")}">${scoreLine(audit)}${panel(audit)}${previous(audit, checklist, cmp)}</aside></div>`,
  );
  const $ = (s) => view.querySelector(s);
  const open = (to) => to && go(`#/review/${to}`);
  const back = () => go("#/review");
  const decided = async (saved, decision) => {
    toast(`${zoneName(saved.zone_id)} · ${text(checklist.title)}：${t(DONE[decision])}`);
    if (decision === "void") return go(`#/review/${saved.id}`);
    last.id = where.next;
    return where.next ? open(where.next) : back();
  };
  const keys = bind($(".rside"), audit, decided);
  $("[data-only-changed]").addEventListener("change", (event) => $("[data-items]").classList.toggle("only", event.target.checked));
  view.addEventListener("click", (event) => {
    const b = event.target.closest("button");
    if (!b) return;
    if ("prevAudit" in b.dataset) open(where.prev);
    if ("nextAudit" in b.dataset) open(where.next);
    if ("scorecard" in b.dataset) openFile(`/api/audits/${enc(audit.id)}/scorecard.pdf`);
  });
  const unphoto = photos(view);
  const unkey = shortcuts({
    a: keys.approve,
    r: keys.returnIt,
    n: () => open(where.next),
    p: () => open(where.prev),
    Escape: back,
  });
  return () => {
    unphoto();
    unkey();
  };
});
