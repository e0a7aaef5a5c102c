// Reports (#/reports): a month (this month by default) and, when the user sees more than one
// site, a site; then each zone's trend over six months with its board PDF, the per-S radar of
// the month against the one before, the ranking within each zone kind, the findings Pareto and
// officer calibration. All from GET /api/reports/zones, /findings and /officers.

import { nameOf, t } from "../../i18n.js";
import { S, latestChecklist } from "../../session.js";
import { esc } from "../../ui.js";
import { photos } from "./photos.js";
import { radarSection, trendSection } from "./report-charts.js";
import { calibration, findings, ranking } from "./report-tables.js";
import { T, addMonths, api, enc, frame, openFile, query, screen, thisMonth } from "./shared.js";

const CHECKLIST = "6s-zone";

export const render = screen(async (view) => {
  const sites = ((S.bootstrap && S.bootstrap.sites) || []).filter((s) => s.active !== false);
  const state = { month: thisMonth(), site: "", zone: "" };
  const siteField =
    sites.length > 1
      ? `<p class="fld"><label for="r-site">${T("site")}</label><select id="r-site" data-report-site><option value="">${T("allSites")}</option>${sites
          .map((s) => `<option value="${esc(s.id)}">${esc(nameOf(s))}</option>`)
          .join("")}</select></p>`
      : "";
  frame(
    view,
    t("reportsNav"),
    `<form class="rfilters" data-report-filters><p class="fld"><label for="r-month">${T("reportMonth")}</label>
      <input type="month" id="r-month" data-report-month value="${state.month}" max="${thisMonth()}" required></p>${siteField}</form>
      <div class="reports" data-report-body aria-busy="true"></div>`,
  );
  const body = view.querySelector("[data-report-body]");
  let data = null;
  let serial = 0;
  let unphoto = () => {};
  const draw = () => {
    const bands = (latestChecklist(CHECKLIST) || {}).bands;
    unphoto();
    const where = state.site ? nameOf(sites.find((x) => x.id === state.site)) : sites.length > 1 ? t("allSites") : "";
    body.innerHTML = `<p class="print-only">${esc([state.month, where].filter(Boolean).join(" · "))}</p>${trendSection(data.zones, state.month, bands)}<div class="repgrid">${radarSection(data.zones, state.month, state.zone)}${ranking(
      data.zones,
      state.month,
    )}</div>${findings(data.findings)}${calibration(data.officers)}`;
    [body.dataset.month, body.dataset.site] = [state.month, state.site];
    body.setAttribute("aria-busy", "false");
    unphoto = photos(body);
  };
  const fail = (err) => {
    body.innerHTML = `<p class="error" role="alert">${esc(err.status ? err.message : t("consoleOffline"))}</p>`;
  };
  const load = async () => {
    const mine = ++serial;
    body.setAttribute("aria-busy", "true");
    const scope = { site_id: state.site, checklist_id: CHECKLIST };
    const [zones, found, officers] = await Promise.all([
      api("GET", `/api/reports/zones?${query({ from: addMonths(state.month, -5), to: state.month, ...scope })}`),
      api("GET", `/api/reports/findings?${query({ month: state.month, ...scope })}`),
      api("GET", `/api/reports/officers?${query({ month: state.month, ...scope })}`),
    ]);
    if (mine !== serial) return;
    data = { zones, findings: found, officers };
    draw();
  };
  view.addEventListener("change", ({ target }) => {
    if (target.matches("[data-report-month]") && /^\d{4}-\d{2}$/.test(target.value)) state.month = target.value;
    else if (target.matches("[data-report-site]")) [state.site, state.zone] = [target.value, ""];
    else if (target.matches("[data-radar-zone]")) {
      state.zone = target.value;
      draw();
      return view.querySelector("[data-radar-zone]").focus();
    } else return undefined;
    return load().catch(fail);
  });
  view.addEventListener("submit", (event) => event.preventDefault());
  view.addEventListener("click", ({ target }) => {
    const zone = target.closest("[data-board]")?.dataset.board;
    if (zone) openFile(`/api/zones/${enc(zone)}/board.pdf?${query({ month: state.month })}`);
  });
  await load();
  return () => unphoto();
});
