// Zones (区域): site, kind and checklists; the form offers only the checklists written for the
// chosen kind. A new zone goes on to its owners (#/admin/zones/<id>).

import { nameOf, t, text } from "../../i18n.js";
import { loadBootstrap } from "../../session.js";
import { esc, go } from "../../ui.js";
import { active, api, checks, crud, field, idField, names, read, screen } from "./form.js";

export const render = screen(async (view) => {
  const [sites, boot] = await Promise.all([api("GET", "/api/sites"), loadBootstrap()]);
  const cl = (id) => text((boot.checklists.find((c) => c.id === id) || {}).title) || id;
  const kinds = boot.zone_kinds.map((k) => [k.id, text(k.name)]);
  const kindName = Object.fromEntries(kinds);
  const lists = (kind, chosen) =>
    checks("checklist_ids", t("checklists"), boot.checklists.filter((c) => !c.zone_kinds || c.zone_kinds.includes(kind)).map((c) => [c.id, text(c.title)]), chosen);
  return crud(view, {
    path: "/api/zones",
    name: "zone",
    title: t("zones"),
    cols: [
      [t("name"), (z) => `<a href="#/admin/zones/${esc(z.id)}" data-zone-link="${esc(z.id)}">${esc(nameOf(z))}</a> <small>${esc(z.id)}</small>`],
      [t("site"), (z) => esc(nameOf(sites.find((s) => s.id === z.site_id)))],
      [t("kind"), (z) => esc(kindName[z.kind] || z.kind)],
      [t("checklists"), (z) => esc(z.checklist_ids.map(cl).join("、"))],
    ],
    fields: (z) =>
      idField(z) +
      field("site_id", t("site"), z && z.site_id, { opts: sites.filter((s) => s.active || (z && z.site_id === s.id)).map((s) => [s.id, nameOf(s)]) }) +
      names(z) +
      field("kind", t("kind"), z && z.kind, { opts: kinds }) +
      `<div class="wide" data-lists>${lists(z ? z.kind : kinds[0][0], z ? z.checklist_ids : ["6s-zone"])}</div>` +
      active(z),
    bind: (form) => {
      form.elements.kind.onchange = () => (form.querySelector("[data-lists]").innerHTML = lists(form.elements.kind.value, read(form).checklist_ids));
    },
    done: (zone, row) => {
      if (!row) go(`#/admin/zones/${encodeURIComponent(zone.id)}`);
    },
  });
});
