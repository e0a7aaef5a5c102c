// Sites (场所): add, rename, retire (refused while it has active zones); QR labels as a PDF.

import { nameOf, t } from "../../i18n.js";
import { esc } from "../../ui.js";
import { T, active, crud, idField, names, openFile, screen } from "./form.js";

export const render = screen((view) => {
  view.addEventListener("click", (event) => {
    const id = event.target.closest("[data-labels]")?.dataset.labels;
    if (id) openFile(`/api/sites/${encodeURIComponent(id)}/labels.pdf`);
  });
  return crud(view, {
    path: "/api/sites",
    name: "site",
    title: t("sites"),
    cols: [
      [t("id"), (s) => esc(s.id)],
      [t("name"), (s) => esc(nameOf(s))],
      [t("labels"), (s) => `<button type="button" data-labels="${esc(s.id)}">PDF<span class="vh"> ${T("labels")} ${esc(s.name)}</span></button>`],
    ],
    fields: (s) => idField(s) + names(s) + active(s),
  });
});
