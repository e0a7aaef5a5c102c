// The admin's home: how many sites, staff, zones and users there are, each a way in.

import { t } from "../../i18n.js";
import { T, api, frame, screen } from "./form.js";

const PARTS = ["sites", "staff", "zones", "users"];

export const render = screen(async (view) => {
  const all = await Promise.all(PARTS.map((p) => api("GET", `/api/${p}`)));
  const tile = (p, text) => `<li><a class="card tile" href="#/admin/${p}" data-admin-card="${p}"><b>${T(p)}</b>${text}</a></li>`;
  frame(
    view,
    t("admin"),
    `<p class="notice">${T("setupSteps")}</p><ul class="tiles">${PARTS.map((p, i) => tile(p, T("activeOf", { n: all[i].filter((r) => r.active).length, t: all[i].length }))).join("")}${tile("import", T("file"))}</ul>`,
  );
});
