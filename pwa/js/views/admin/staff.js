// Staff (员工): who owns zones and is appraised; 工号 is the employee number. Retiring someone
// who still owns a zone is refused.

import { nameOf, t } from "../../i18n.js";
import { esc } from "../../ui.js";
import { active, api, crud, field, idField, names, screen } from "./form.js";

export const render = screen(async (view) => {
  const sites = await api("GET", "/api/sites");
  const site = (id) => nameOf(sites.find((s) => s.id === id)) || id;
  return crud(view, {
    path: "/api/staff",
    name: "staff",
    title: t("staff"),
    cols: [
      [t("employeeNo"), (p) => esc(p.employee_no)],
      [t("person"), (p) => esc(nameOf(p))],
      [t("site"), (p) => esc(site(p.site_id))],
      [t("position"), (p) => esc(p.position)],
    ],
    fields: (p) =>
      idField(p) +
      names(p, "person") +
      field("employee_no", t("employeeNo"), p && p.employee_no) +
      field("site_id", t("site"), p && p.site_id, { opts: [["", t("noneOpt")], ...sites.map((s) => [s.id, nameOf(s)])] }) +
      field("position", t("position"), p && p.position) +
      active(p),
  });
});
