// The monthly appraisal (#/appraisal, 月度考核), HR's screen: a month (last month by default,
// the one HR pays), its state (closed: when, by whom, the frozen files' hashes; open: an admin
// closes it after a confirmation, the server's refusal said in place), the files HR imports
// (CSV, XLSX, PDF, fetched with the token), the table with each person's zones and note and
// a link to their statement (考核明细单), the rule, amendments to closed months and the officers'
// calibration. All from GET /api/appraisal and POST /api/appraisal/{month}/close
// (docs/appraisal.md).

import { ApiError } from "../../api.js";
import { t } from "../../i18n.js";
import { esc, toast } from "../../ui.js";
import { amendments, officers, rule, state, table } from "./appraisal-tables.js";
import { calibration } from "./report-tables.js";
import { T, addMonths, api, enc, frame, isAdmin, openFile, query, screen, thisMonth } from "./shared.js";

const KEY = "genba.appraisal.month"; // the month chosen, for the tab (a language switch redraws)
const FILES = ["csv", "xlsx", "pdf"];
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function chosen() {
  const kept = sessionStorage.getItem(KEY);
  return kept && MONTH.test(kept) && kept <= thisMonth() ? kept : addMonths(thisMonth(), -1);
}

const downloads = () =>
  `<div class="apfiles" role="group" aria-labelledby="ap-export" data-downloads><span class="glabel" id="ap-export">${T("apExport")}</span>${FILES.map(
    (f) => `<button type="button" data-download="${f}">${T("apDownload", { f: f.toUpperCase() })}</button>`,
  ).join("")}</div>`;

export const render = screen(async (view) => {
  let month = chosen();
  frame(
    view,
    t("appraisalNav"),
    `<p class="muted apintro">${T("apIntro")}</p>
    <form class="rfilters" data-appraisal-filters><p class="fld"><label for="ap-month">${T("reportMonth")}</label>
      <input type="month" id="ap-month" data-appraisal-month value="${month}" max="${thisMonth()}" required></p>${downloads()}</form>
    <div class="appraisal" data-appraisal aria-busy="true"></div>
    <dialog class="apdialog" data-close-dialog aria-labelledby="ap-confirm-title" aria-describedby="ap-confirm-text">
      <form method="dialog"><h2 id="ap-confirm-title"></h2><p id="ap-confirm-text">${T("apConfirmText")}</p>
      <p class="actions"><button value="cancel" data-cancel-close>${T("cancel")}</button>
        <button value="close" class="bad" data-confirm-close>${T("apConfirm")}</button></p></form></dialog>`,
  );
  const body = view.querySelector("[data-appraisal]");
  const dialog = view.querySelector("[data-close-dialog]");
  let report = null;
  let serial = 0;
  let busy = false;

  const draw = () => {
    body.innerHTML = `<p class="print-only">${esc(report.month)}</p>${state(report, isAdmin())}${table(report)}${amendments(report)}${rule(report)}${calibration(officers(report))}`;
    body.dataset.month = report.month;
    body.dataset.state = report.closed ? "closed" : "open";
    body.setAttribute("aria-busy", "false");
  };
  const load = async () => {
    const mine = ++serial;
    body.setAttribute("aria-busy", "true");
    const got = await api("GET", `/api/appraisal?${query({ month })}`);
    if (mine !== serial) return false;
    report = got;
    draw();
    return true;
  };
  const fail = (err) => {
    if (!(err instanceof ApiError)) throw err;
    body.innerHTML = `<p class="error" role="alert" data-appraisal-error>${esc(err.status ? err.detail || err.message : t("consoleOffline"))}</p>`;
    body.setAttribute("aria-busy", "false");
  };

  const close = async () => {
    if (busy || !report || report.closed) return;
    busy = true;
    const which = report.month;
    const button = body.querySelector("[data-close-month]");
    const said = body.querySelector("[data-close-error]");
    button.disabled = true;
    said.textContent = "";
    try {
      await api("POST", `/api/appraisal/${enc(which)}/close`);
      if (which === month && (await load())) {
        toast(t("apClosedToast", { m: which }));
        body.querySelector("[data-closed]")?.focus();
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const why = err.status ? err.detail || err.message : t("consoleOffline");
      const here = body.querySelector("[data-close-error]");
      if (here) {
        here.textContent = t("apRefused", { why });
        here.focus();
      } else toast(t("apRefused", { why }));
      if (err.status === 409) await load().catch(() => {}); // closed meanwhile: show how
    } finally {
      busy = false;
      const again = body.querySelector("[data-close-month]");
      if (again) again.disabled = false;
    }
  };

  dialog.addEventListener("close", () => {
    const answer = dialog.returnValue;
    dialog.returnValue = "";
    if (answer === "close") close();
    else body.querySelector("[data-close-month]")?.focus();
  });

  view.addEventListener("change", ({ target }) => {
    if (!target.matches("[data-appraisal-month]") || !MONTH.test(target.value)) return;
    month = target.value;
    sessionStorage.setItem(KEY, month);
    load().catch(fail);
  });
  view.addEventListener("submit", (event) => {
    if (!event.target.closest("dialog")) event.preventDefault();
  });
  view.addEventListener("click", (event) => {
    const el = event.target.closest("button, a");
    if (!el || !report) return;
    const d = el.dataset;
    if (d.download) openFile(`/api/appraisal?${query({ month: report.month, format: d.download })}`, `appraisal-${report.month}.${d.download}`);
    else if (d.statement) {
      event.preventDefault(); // the PDF needs the token: fetched, then opened from a blob
      openFile(el.getAttribute("href"));
    } else if (d.partsToggle) {
      const open = el.getAttribute("aria-expanded") !== "true";
      el.setAttribute("aria-expanded", String(open));
      body.querySelector(`#${el.getAttribute("aria-controls")}`).hidden = !open;
    } else if ("closeMonth" in d) {
      dialog.querySelector("#ap-confirm-title").textContent = t("apConfirmTitle", { m: report.month });
      dialog.showModal();
      dialog.querySelector("[data-cancel-close]").focus();
    }
  });
  await load().catch((err) => {
    if (err instanceof ApiError && !err.status) throw err; // offline: screen() says so
    fail(err);
  });
  return () => {
    if (dialog.open) dialog.close();
  };
});
