// Corrective actions (#/actions): every action of the supervisor's sites, newest first, with
// chips to filter by status (active, overdue, done, verified, cancelled), site, zone and owner,
// paged by the API's cursor; beside them the load per owner (how many overdue). A done action
// can be verified or reopened (with a note why), an open one cancelled (with a note) or given
// another due date or owner; the server's refusals (403, 409 with its copy, 422) show in place.

import { ApiError } from "../../api.js";
import { nameOf, t } from "../../i18n.js";
import { S } from "../../session.js";
import { esc, toast } from "../../ui.js";
import { ownersPanel, row } from "./action-row.js";
import { STATUSES, actionsPage, filters, move, ownerLoads, setFilters } from "./actions-data.js";
import { photos } from "./photos.js";
import { T, frame, screen, zoneName } from "./shared.js";

const sites = () => ((S.bootstrap && S.bootstrap.sites) || []).filter((s) => s.active !== false);

function chips(chosen, loads) {
  const chip = (k, value, label, count = "") =>
    `<button type="button" class="fchip" data-filter="${k}" data-filter-value="${esc(value)}" aria-pressed="${(chosen[k] || "") === value}">${esc(label)}${count}</button>`;
  const group = (k, list) =>
    `<div class="fgroup" role="group" aria-labelledby="fa-${k}"><span class="glabel" id="fa-${k}">${T(`f_${k}`)}</span>${list.map((args) => chip(k, ...args)).join("")}</div>`;
  const all = ["", t("filterAll")];
  const out = [group("status", STATUSES.map((s) => [s, t(`ac_s_${s || "all"}`)]))];
  const seen = sites();
  if (seen.length > 1) out.push(group("site_id", [all, ...seen.map((s) => [s.id, nameOf(s)])]));
  const zones = seen.filter((s) => !chosen.site_id || s.id === chosen.site_id).flatMap((s) => s.zones.filter((z) => z.active !== false));
  out.push(group("zone_id", [all, ...zones.map((z) => [z.id, zoneName(z.id)])]));
  const owners = loads.owners.filter((o) => o.staff_id);
  if (chosen.owner && !owners.some((o) => o.staff_id === chosen.owner)) owners.push({ staff_id: chosen.owner, name: chosen.owner, overdue: 0 });
  const late = (o) => (o.overdue ? ` <b title="${T("k_overdue")}">${o.overdue}<span class="vh"> ${T("k_overdue")}</span></b>` : "");
  out.push(group("owner", [all, ...owners.map((o) => [o.staff_id, o.name || o.staff_id, late(o)])]));
  return out.join("");
}

/** The server's refusal, said in place: 403 and 422 with its reasons, 409 with its copy shown. */
function refusal(err) {
  if (!err.status) return t("consoleOffline");
  const named = (err.body.errors || []).map((e) => `${e.path}: ${e.message}`).join("; ");
  const lead = { 403: "err403", 409: "err409", 422: "err422" }[err.status];
  return [lead ? t(lead) : "", err.detail || err.message, named].filter(Boolean).join(" — ");
}

export const render = screen(async (view) => {
  let chosen = filters();
  let [page, loads] = await Promise.all([actionsPage(null, chosen), ownerLoads(chosen.site_id)]);
  let rows = page.actions;
  frame(
    view,
    t("actionsNav"),
    `<div class="filters" data-filters></div>
    <div class="agrid"><div class="amain-col"><p class="qsum" data-actions-shown></p>
      <ol class="alist" data-actions aria-label="${T("actionsNav")}"></ol><p data-more></p></div>
      <aside class="card aowners" data-owners aria-labelledby="h-owners"></aside></div>`,
  );
  const [box, sum, list, more, side] = ["[data-filters]", "[data-actions-shown]", "[data-actions]", "[data-more]", "[data-owners]"].map((s) => view.querySelector(s));
  let unphoto = () => {};
  const draw = () => {
    unphoto();
    box.innerHTML = chips(chosen, loads);
    sum.innerHTML = T("actionsShown", { n: rows.length });
    list.innerHTML = rows.map(row).join("") || `<li class="notice" data-actions-empty>${T("actionsEmpty")}</li>`;
    list.dataset.count = String(rows.length);
    more.innerHTML = page.next_cursor ? `<button type="button" data-load-more>${T("loadMore")}</button>` : "";
    side.innerHTML = ownersPanel(loads, chosen.owner);
    unphoto = photos(list);
  };
  draw();
  const reload = async (cursor) => {
    const [p, l] = await Promise.all([actionsPage(cursor, chosen), cursor ? loads : ownerLoads(chosen.site_id)]);
    [page, loads, rows] = [p, l, cursor ? [...rows, ...p.actions] : p.actions];
    draw();
  };
  const pick = async (filter, value) => {
    chosen = { ...chosen, [filter]: value };
    if (filter === "site_id") delete chosen.zone_id; // a zone belongs to one site
    if (!value && filter !== "status") delete chosen[filter];
    setFilters(chosen);
    await reload(null).catch((err) => toast(err.message));
    box.querySelector(`[data-filter="${filter}"][aria-pressed="true"]`)?.focus();
  };

  let busy = false;
  const act = async (li, button) => {
    const a = rows.find((x) => x.id === li.dataset.actionRow);
    const $ = (s) => li.querySelector(s);
    const [note, error] = [$("[data-action-note]"), $("[data-action-error]")];
    const why = note ? note.value.trim() : "";
    let changes = null;
    if ("verify" in button.dataset) changes = { status: "verified" };
    else if ("reopen" in button.dataset || "cancelAction" in button.dataset) {
      if (!why) {
        error.textContent = t("needWhy");
        note.setAttribute("aria-invalid", "true");
        return note.focus();
      }
      changes = { status: "reopen" in button.dataset ? "reopened" : "cancelled", note: why };
    } else if ("savePlan" in button.dataset) {
      const due = $("[data-due-input]");
      if (!due.value) return due.focus();
      changes = { due: due.value, owner_staff_id: $("[data-owner-input]").value || null };
    }
    if (!changes || busy) return undefined;
    busy = true;
    error.textContent = "";
    try {
      const saved = await move(a, changes);
      rows = rows.map((x) => (x.id === saved.id ? saved : x));
      loads = await ownerLoads(chosen.site_id).catch(() => loads);
      draw();
      toast(`${zoneName(saved.zone_id)}：${t(`ac_st_${saved.status}`)}`);
      list.querySelector(`[data-action-row="${CSS.escape(saved.id)}"]`)?.focus();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const message = refusal(err);
      if (err.status === 409 && err.body.current) {
        rows = rows.map((x) => (x.id === a.id ? err.body.current : x));
        draw();
      }
      const here = list.querySelector(`[data-action-row="${CSS.escape(a.id)}"]`);
      const shown = here && here.querySelector("[data-action-error]");
      if (shown) {
        here.querySelector("[data-manage]").open = true;
        shown.textContent = message;
        shown.focus();
      } else toast(message);
    } finally {
      busy = false;
    }
    return undefined;
  };

  view.addEventListener("click", async (event) => {
    const chip = event.target.closest("[data-filter]");
    const owner = event.target.closest("[data-owner-pick]");
    const button = event.target.closest("button");
    const li = button && button.closest("[data-action-row]");
    if (chip) await pick(chip.dataset.filter, chip.dataset.filterValue);
    else if (owner) await pick("owner", chosen.owner === owner.dataset.ownerPick ? "" : owner.dataset.ownerPick);
    else if (button && "loadMore" in button.dataset) await reload(page.next_cursor).catch((err) => toast(err.message));
    else if (li) await act(li, button);
  });
  return () => unphoto();
});
