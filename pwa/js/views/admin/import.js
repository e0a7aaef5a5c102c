// Import: sites, zones, staff and owners from an .xlsx or .yaml file. A dry run first (the
// changes, or each bad cell); only then "apply", the same bytes again (all or nothing).

import { request } from "../../api.js";
import { t } from "../../i18n.js";
import { esc } from "../../ui.js";
import { T, fail, formHtml, frame, onSubmit, openFile, screen } from "./form.js";

const table = (attr, heads, rows) =>
  `<div class="scroll"><table class="atable" ${attr}><tr>${heads.map((h) => `<th scope="col">${T(h)}</th>`).join("")}</tr>${rows
    .map(([key, cells]) => `<tr ${key}>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("")}</table></div>`;

export const render = screen((view) => {
  const file = `<div class="fld wide"><label for="f-file">${T("file")}</label><input type="file" id="f-file" data-path="file" accept=".xlsx,.yaml,.yml" required
    aria-describedby="e-file"><p id="e-file" class="ferr" data-error-for="file"></p></div>`;
  frame(
    view,
    t("import"),
    `<p>${T("importHelp")} <button type="button" data-import-template>${T("template")}</button></p>${formHtml("import", t("check"), file, "check")}<section data-import-result></section>`,
  );
  const form = view.querySelector("form");
  const out = view.querySelector("[data-import-result]");
  let bytes;
  const show = (html) => {
    out.innerHTML = html;
    out.querySelector("h2").focus();
  };
  const run = async (dry) => {
    try {
      const { data: r } = await request("POST", `/api/import?dry_run=${dry}`, { body: bytes, headers: { "Content-Type": "application/octet-stream" } });
      const c = r.changes.filter((x) => x.action !== "unchanged");
      show(`<h2 tabindex="-1" data-import-done="${r.applied}">${T(r.applied ? "applied" : "checked")}</h2><p data-import-counts>${T("counts", r.counts)}</p>
        ${c.length ? table("data-import-changes", ["sheet", "row", "id", "action", "fields"], c.map((x) => [`data-change="${esc(x.id)}"`, [x.sheet, x.row, x.id, t(`import_${x.action}`), x.fields.join(", ")]])) : ""}
        ${r.applied || !c.length ? "" : `<p><button type="button" class="primary" data-import-apply>${T("apply")}</button></p>`}`);
    } catch (err) {
      const errors = err.status === 422 && err.body.errors;
      if (!errors) throw err;
      show(`<h2 tabindex="-1" class="error">${T("importErrors", { n: errors.length })}</h2>
        ${table("data-import-errors", ["cell", "problem"], errors.map((e) => [`data-import-error="${esc(e.path)}"`, [e.path, e.message]]))}`);
    }
  };
  form.onchange = () => (out.innerHTML = "");
  onSubmit(form, async () => {
    bytes = await form.querySelector("input").files[0].arrayBuffer();
    await run(true);
  });
  view.addEventListener("click", ({ target }) => {
    const apply = target.closest("[data-import-apply]");
    if (target.closest("[data-import-template]")) openFile("/api/import/template.xlsx", "genba-import.xlsx");
    if (apply) {
      apply.disabled = true;
      run(false).catch((err) => fail(form, err));
    }
  });
});
