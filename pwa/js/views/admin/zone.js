// One zone's owners (责任人): the periods, oldest first, and a form starting a new period from
// a date: staff with shares adding up to 100 (the sum shown live), or nobody for no owner.

import { nameOf, t } from "../../i18n.js";
import { esc, toast } from "../../ui.js";
import { T, api, field, formHtml, frame, onSubmit, screen } from "./form.js";

export const render = screen(async (view, [id]) => {
  const path = `/api/zones/${encodeURIComponent(id)}/owners`;
  const [zones, staff, history] = await Promise.all([api("GET", "/api/zones"), api("GET", "/api/staff"), api("GET", path)]);
  let periods = history;
  const who = (o) => `${esc(nameOf(staff.find((p) => p.id === o.staff_id)) || o.staff_id)} ${o.share}%`;
  const table = () =>
    `<table class="atable"><tr>${["from", "to", "owner"].map((k) => `<th scope="col">${T(k)}</th>`).join("")}</tr>${periods
      .map((p) => `<tr data-period="${esc(p.from)}"><td>${esc(p.from)}</td><td>${esc(p.to || "–")}</td><td>${p.owners.map(who).join("、") || T("noOwner")}</td></tr>`)
      .join("") || `<tr><td colspan="3">${T("noOwner")}</td></tr>`}</table>`;
  const now = new Date();
  const today = new Date(now - now.getTimezoneOffset() * 6e4).toISOString().slice(0, 10);
  const last = periods.at(-1);
  let owners = last && last.owners.length ? last.owners : [{ staff_id: "", share: 100 }];
  frame(
    view,
    `${nameOf(zones.find((z) => z.id === id))} · ${t("owner")}`,
    `<h2 id="h-hist" tabindex="-1">${T("history")}</h2><div class="scroll" data-periods>${table()}</div>${formHtml(
      "owners",
      t("newPeriod"),
      `${field("from", t("from"), today, { type: "date", req: 1 })}<fieldset class="wide" data-path="owners" aria-describedby="e-owners h-owners">
      <legend>${T("owner")}</legend><div data-owner-rows></div><p class="orow"><button type="button" data-add-owner>+ ${T("addOwner")}</button>
      <b data-share-sum aria-live="polite"></b></p><small id="h-owners">${T("periodHint")}</small><p id="e-owners" class="ferr" data-error-for="owners"></p></fieldset>`,
    )}`,
  );
  const form = view.querySelector("form");
  const rows = view.querySelector("[data-owner-rows]");
  const people = staff.filter((p) => p.active).map((p) => [p.id, nameOf(p)]);
  const row = (o, i) => {
    const a = `aria-describedby="e-owners" data-path="owners[${i}].`;
    return `<div class="orow" data-owner-row="${i}"><div class="fld"><label for="o${i}">${T("owner")} ${i + 1}</label><select id="o${i}" ${a}staff_id" required>
      ${[["", t("choose")], ...people].map(([v, l]) => `<option value="${esc(v)}"${v === o.staff_id ? " selected" : ""}>${esc(l)}</option>`).join("")}</select></div>
      <div class="fld"><label for="s${i}">${T("share")}</label><input id="s${i}" ${a}share" type="number" min="0" max="100" step="any" value="${esc(o.share)}"></div>
      <button type="button" data-remove-owner="${i}">${T("remove")}<span class="vh"> ${i + 1}</span></button></div>`;
  };
  const total = () => owners.reduce((n, o) => n + o.share, 0);
  const sum = () => {
    owners = [...rows.children].map((r) => ({ staff_id: r.querySelector("select").value, share: Number(r.querySelector("input").value) }));
    const el = view.querySelector("[data-share-sum]");
    el.textContent = owners.length ? t("shareSum", { n: Math.round(total() * 100) / 100 }) : t("noOwner");
    el.className = owners.length && Math.abs(total() - 100) > 1e-6 ? "warn" : "";
  };
  const draw = () => {
    rows.innerHTML = owners.map(row).join("");
    sum();
  };
  rows.oninput = sum;
  form.onclick = ({ target }) => {
    const b = target.closest("button[type=button]");
    if (!b) return;
    sum();
    if (b.dataset.removeOwner) owners.splice(b.dataset.removeOwner, 1);
    else owners.push({ staff_id: "", share: Math.max(0, 100 - total()) });
    draw();
    (rows.querySelector(`[data-owner-row="${owners.length - 1}"] select`) || form.querySelector("[data-add-owner]")).focus();
  };
  draw();
  onSubmit(form, async (v) => {
    sum();
    periods = await api("PUT", path, { from: v.from, owners });
    view.querySelector("[data-periods]").innerHTML = table();
    toast(t("saved"));
    view.querySelector("#h-hist").focus();
  });
});
