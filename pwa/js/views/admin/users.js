// Users: who signs in, with which role and sites ("every site" is null; none ticked is
// refused). Disabling a user or a new password ends their sessions at once: the form says so.

import { nameOf, t } from "../../i18n.js";
import { esc } from "../../ui.js";
import { T, active, api, checks, crud, field, screen, tick } from "./form.js";

const ROLES = ["officer", "supervisor", "admin"];

export const render = screen(async (view) => {
  const [sites, staff] = await Promise.all([api("GET", "/api/sites"), api("GET", "/api/staff")]);
  const site = (id) => nameOf(sites.find((s) => s.id === id)) || id;
  return crud(view, {
    path: "/api/users",
    name: "user",
    title: t("users"),
    cols: [
      [t("username"), (u) => esc(u.username)],
      [t("person"), (u) => esc(u.name)],
      [t("role"), (u) => T(`r_${u.role}`)],
      [t("sites"), (u) => esc(u.site_ids ? u.site_ids.map(site).join("、") : t("allSites"))],
    ],
    fields: (u) =>
      (u ? `<p class="notice wide" data-sessions-note>${T("sessionsNote")}</p>` : "") +
      field("username", t("username"), u && u.username, { req: 1, ro: u }) +
      field("password", t(u ? "newPassword" : "password"), "", { type: "password", req: !u }) +
      field("name", t("person"), u && u.name) +
      field("role", t("role"), u ? u.role : "officer", { opts: ROLES.map((r) => [r, t(`r_${r}`)]) }) +
      field("staff_id", t("staffMember"), u && u.staff_id, {
        opts: [["", t("noneOpt")], ...staff.filter((p) => p.active || (u && u.staff_id === p.id)).map((p) => [p.id, `${nameOf(p)} ${p.employee_no || ""}`])],
      }) +
      `<p class="wide">${tick("all_sites", t("allSites"), !u || !u.site_ids)}</p>` +
      checks("site_ids", t("sites"), sites.filter((s) => s.active).map((s) => [s.id, nameOf(s)]), (u && u.site_ids) || []) +
      active(u),
    body: (v, u) => {
      v.site_ids = v.all_sites ? null : v.site_ids;
      delete v.all_sites;
      delete v[u ? "username" : "active"];
      if (!v.password) delete v.password;
      return v;
    },
    done: (saved) => saved.sessions_ended && t("sessionsEnded", { n: saved.sessions_ended }),
  });
});
