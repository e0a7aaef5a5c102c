// Shared by the admin screens (online only, nothing kept on the device): the frame, fields, the
// server's errors by the field their path names, files fetched with the token, and crud().

import { ApiError, fetchBlob, request } from "../../api.js";
import { t } from "../../i18n.js";
import { S } from "../../session.js";
import { esc, toast } from "../../ui.js";
import { foot } from "../zones.js";

export const T = (k, v) => esc(t(k, v));
export const api = async (method, path, json) => (await request(method, path, { json })).data;
const $$ = (el, sel) => [...el.querySelectorAll(sel)];

export function frame(view, title, body) {
  const link = (k) => `<a href="#/admin${k && `/${k}`}"${k === location.hash.slice(8) ? ' aria-current="page"' : ""}>${T(k || "admin")}</a>`;
  view.innerHTML = `<nav class="anav" aria-label="${T("admin")}" data-admin-nav>${["", "sites", "staff", "zones", "users", "import"].map(link).join("")}
    <a href="#/review" data-nav-review>${T("queueNav")}</a><a href="#/reports" data-nav-reports>${T("reportsNav")}</a><a href="#/needs-attention" data-nav-attention>${T("attentionNav")}</a>
    <a href="#/zones" data-nav-audit>${T("toAudit")}</a></nav><h1 tabindex="-1">${esc(title)}</h1>${body}`;
  foot(view);
}

/** A render for admins only; offline it says so (app.js renders again once online). */
export const screen = (fn) => async (view, args) => {
  if (S.session.user.role !== "admin") return void (view.innerHTML = `<h1 tabindex="-1" data-admins-only>${T("adminOnly")}</h1><a class="btn" href="#/zones">${T("zones")}</a>`);
  try {
    if (!navigator.onLine) throw new ApiError(0);
    return await fn(view, args);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status) throw err;
    frame(view, t("admin"), `<p class="notice" role="alert" data-admin-offline>${T("adminOffline")}</p>`);
  }
};

/** A labelled input or select (`opts`: [[value, label]]) with its error slot. */
export function field(n, label, v, { type = "text", opts, req, ro } = {}) {
  const a = `id="f-${n}" name="${n}" data-path="${n}" aria-describedby="e-${n}"${req ? " required" : ""}${ro ? " readonly" : ""}`;
  return `<div class="fld"><label for="f-${n}">${esc(label)}</label>${
    opts
      ? `<select ${a}>${opts.map(([x, l]) => `<option value="${esc(x)}"${x === (v || "") ? " selected" : ""}>${esc(l)}</option>`).join("")}</select>`
      : `<input ${a} type="${type}" value="${esc(v)}" autocomplete="${type === "password" ? "new-password" : "off"}">`
  }<p id="e-${n}" class="ferr" data-error-for="${n}"></p></div>`;
}

export const tick = (n, label, on, more = "") => `<label class="opt"><input type="checkbox" name="${n}"${more}${on ? " checked" : ""}>${esc(label)}</label>`;
/** Checkboxes whose ticked values make a list. */
export const checks = (n, legend, opts, chosen) =>
  `<fieldset class="wide" data-path="${n}" aria-describedby="e-${n}"><legend>${esc(legend)}</legend>${opts
    .map(([x, l]) => tick(n, l, chosen.includes(x), ` value="${esc(x)}" data-many`))
    .join("")}<p id="e-${n}" class="ferr" data-error-for="${n}"></p></fieldset>`;
export const idField = (row) => field("id", t("newId"), row && row.id, { req: 1, ro: row });
export const names = (row, label = "name") => field("name", t(label), row && row.name, { req: 1 }) + field("name_en", t("nameEn"), row && row.name_en);
export const active = (row) => (row ? tick("active", t("active"), row.active) : "");

export const formHtml = (name, title, body, submit = "save", extra = "") =>
  `<form class="card aform" novalidate data-form="${name}"><h2 tabindex="-1">${esc(title)}</h2><p class="ferr wide" role="alert" tabindex="-1" data-form-error></p>${body}
  <p class="wide"><button type="submit" class="primary" data-save>${T(submit)}</button> ${extra}</p></form>`;

export function read(form) {
  const o = {};
  for (const { name: n, dataset, type, checked, value } of form.elements) {
    if ("many" in dataset) (o[n] ||= []).push(...(checked ? [value] : []));
    else if (n) o[n] = type === "checkbox" ? checked : value.trim() || null;
  }
  return o;
}

/** A refusal: `detail` at the top, each error by the field its path names ($.a[1].b, $.a). */
export function fail(form, err) {
  for (const el of $$(form, "[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of $$(form, ".ferr")) el.textContent = "";
  const top = form.querySelector("[data-form-error]");
  top.textContent = err.status ? err.detail || err.message : t("adminOffline");
  let first;
  for (const e of err.body.errors || []) {
    const p = String(e.path).replace(/^\$\.?/, "");
    const keys = [p, p.replace(/\.\w+$/, ""), p.replace(/[[.].*/, "")].map(CSS.escape);
    const [slot, el] = ["error-for", "path"].map((a) => keys.map((k) => form.querySelector(`[data-${a}="${k}"]`)).find(Boolean));
    if (slot) slot.textContent += ` ${e.message}`;
    el?.setAttribute("aria-invalid", "true");
    first ||= el;
  }
  (first ? (first.matches("fieldset") ? first.querySelector("input, select") : first) : top).focus();
}

/** On submit: required fields first, then `send(values)`; a refusal shows on the form. */
export function onSubmit(form, send) {
  form.onsubmit = async (event) => {
    event.preventDefault();
    const errors = $$(form, "[required]").filter((el) => !el.value.trim()).map((el) => ({ path: el.dataset.path, message: t("required") }));
    if (errors.length) return fail(form, new ApiError(400, t("fillIn"), { errors }));
    const button = form.querySelector("[data-save]");
    button.disabled = true;
    await send(read(form)).catch((err) => {
      if (!(err instanceof ApiError)) throw err;
      fail(form, err);
    });
    button.disabled = false;
  };
}

/** A file the API gives only with the token (labels PDF, template): opened, or saved as `name`. */
export async function openFile(path, name) {
  try {
    const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await fetchBlob(path)), target: "_blank" });
    if (name) a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 6e4);
  } catch (err) {
    toast(err.status ? err.message : t("adminOffline"));
  }
}

/**
 * A table with a form to add a row or change one (PATCH sends only what changed).
 * s: {path, name, title, cols: [[label, row => html]], fields: row => html, body?, bind?, done?}
 */
export async function crud(view, s) {
  let rows = await api("GET", s.path);
  frame(view, s.title, `<p><button type="button" class="primary" data-add>+ ${T("add")}</button></p><div data-editor></div><div class="scroll" data-list></div>`);
  const [edit, list] = view.querySelectorAll("[data-editor], [data-list]");
  const draw = () => {
    list.innerHTML = `<table class="atable"><tr>${[...s.cols.map(([l]) => esc(l)), `<span class="vh">${T("edit")}</span>`].map((l) => `<th scope="col">${l}</th>`).join("")}</tr>${rows
      .map((r) => `<tr data-row="${esc(r.id)}">${s.cols.map(([, f], i) => `<td>${f(r)}${i || r.active ? "" : ` <span class="chip due">${T("retired")}</span>`}</td>`).join("")}
        <td><button type="button" data-edit="${esc(r.id)}">${T("edit")}<span class="vh"> ${esc(r.username || r.name)}</span></button></td></tr>`)
      .join("")}</table>`;
  };
  const open = (row) => {
    edit.innerHTML = formHtml(s.name, row ? `${t("edit")}：${row.username || row.name}` : t("add"), s.fields(row), "save", `<button type="button" data-cancel>${T("cancel")}</button>`);
    const form = edit.firstChild;
    if (s.bind) s.bind(form);
    onSubmit(form, async (values) => {
      const body = s.body ? s.body(values, row) : values;
      if (row) for (const k in body) if (JSON.stringify(body[k]) === JSON.stringify(row[k])) delete body[k];
      const saved = !row ? await api("POST", s.path, body) : Object.keys(body).length ? await api("PATCH", `${s.path}/${encodeURIComponent(row.id)}`, body) : row;
      rows = row ? rows.map((r) => (r === row ? saved : r)) : [...rows, saved];
      edit.innerHTML = "";
      draw();
      toast((s.done && s.done(saved, row)) || t("saved"));
      list.querySelector(`[data-edit="${CSS.escape(saved.id)}"]`).focus();
    });
    form.querySelector("input:not([readonly]), select").focus();
  };
  view.addEventListener("click", ({ target }) => {
    const { add, edit: id, cancel } = (target.closest("button") || {}).dataset || {};
    if (add != null || id) open(rows.find((r) => String(r.id) === id));
    if (cancel == null) return;
    edit.innerHTML = "";
    view.querySelector("[data-add]").focus();
  });
  draw();
}
