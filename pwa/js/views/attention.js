// What the server would not take. A conflict (409) shows both versions of the answers that
// differ, side by side, and lets the officer keep theirs or take the server's; any other
// refusal shows the server's message and each field it named. Actions and red tags: their own
// module (record-attention.js); the buttons work the same.

import * as db from "../db.js";
import { nameOf, t, text, when } from "../i18n.js";
import { dismiss, keepMine, takeServer } from "../outbox.js";
import { S, loadChecklist, staff } from "../session.js";
import { esc, statusBadge } from "../ui.js";
import { recordEntry } from "./record-attention.js";

function show(item, a) {
  if (!a) return "–";
  let v = a.value;
  if (v === "na") v = t("na");
  else if (v === "pass" || v === "fail") v = t(v);
  else if (item && item.type === "choice") {
    const o = (item.options || []).find((x) => x.id === v);
    if (o) v = text(o.label);
  }
  const parts = [v == null ? "–" : String(v)];
  if (a.note) parts.push(`“${a.note}”`);
  if (a.photos && a.photos.length) parts.push(`${a.photos.length} ${t("photos")}`);
  return parts.join(" · ");
}

const same = (x, y) =>
  (x ? x.value ?? null : null) === (y ? y.value ?? null : null) &&
  ((x && x.note) || "") === ((y && y.note) || "") &&
  JSON.stringify((x && x.photos) || []) === JSON.stringify((y && y.photos) || []);

// A subject value as the officer reads it: a choice's label, a staff member's name.
function showSubject(field, v) {
  if (v == null || v === "") return "–";
  if (field && field.type === "choice") {
    const o = (field.options || []).find((x) => x.id === v);
    if (o) return text(o.label);
  }
  if (field && field.type === "staff") return nameOf(staff(v)) || String(v);
  return String(v);
}

function subjectRows(mine, theirs, fields) {
  const ids = [...new Set([...Object.keys(mine || {}), ...Object.keys(theirs || {})])];
  return ids
    .filter((id) => ((mine || {})[id] ?? null) !== ((theirs || {})[id] ?? null))
    .map((id) => {
      const f = fields.get(id);
      const [a, b] = [showSubject(f, (mine || {})[id]), showSubject(f, (theirs || {})[id])];
      return `<tr><th scope="row">${esc(f ? text(f.label) : id)}</th><td>${esc(a)}</td><td>${esc(b)}</td></tr>`;
    });
}

function diff(mine, theirs, items, subjects = []) {
  const ids = [...new Set([...Object.keys(mine || {}), ...Object.keys(theirs || {})])];
  const rows = subjects.concat(ids
    .filter((id) => !same(mine[id], theirs[id]))
    .map((id) => {
      const item = items.get(id);
      return `<tr><th scope="row">${esc(item ? text(item.label) : id)}</th><td>${esc(show(item, mine[id]))}</td><td>${esc(show(item, theirs[id]))}</td></tr>`;
    }));
  if (!rows.length) return `<p class="muted">${esc(t("sameAnswers"))}</p>`;
  return `<div class="scroll"><table class="diff"><thead><tr><th scope="col">${esc(t("item"))}</th><th scope="col">${esc(t("mine"))}</th><th scope="col">${esc(t("theirs"))}</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

// `$.answers.<item id>.<field>`: name the item as the officer knows it, in their language;
// the server's own words follow for the supervisor or support.
const FIELD = { value: "answer", note: "note", photos: "photos" };

function errorLine(error, items, fields) {
  const match = /^\$\.answers\.([^.\[]+)(?:\.(\w+))?/.exec(error.path || "");
  const item = match && items.get(match[1]);
  // `$.subject.<field id>`: the field's label (a VIN, the sales consultant).
  const about = /^\$\.subject\.([^.\[]+)$/.exec(error.path || "");
  const field = about && fields.get(about[1]);
  const where = item
    ? `<b>${esc(text(item.label))}</b>${match[2] && FIELD[match[2]] ? ` · ${esc(t(FIELD[match[2]]))}` : ""}`
    : field
      ? `<b>${esc(text(field.label))}</b>`
      : `<code>${esc(error.path)}</code>`;
  return `<li>${where} <span class="muted" lang="en">${esc(error.message)}</span></li>`;
}

async function entry(att) {
  if (att.kind) return recordEntry(att); // an action or a red tag
  const audit = await db.get("audits", att.audit_id);
  const checklist = audit && (await loadChecklist(audit.checklist_id, audit.checklist_version).catch(() => null));
  const items = new Map(checklist ? checklist.sections.flatMap((s) => s.items.map((i) => [i.id, i])) : []);
  const fields = new Map(((checklist && checklist.subject) || []).map((f) => [f.id, f]));
  const title = checklist ? text(checklist.title) : audit ? audit.checklist_id : att.audit_id;
  const head = `<h2>${esc(title)} <small class="muted">${esc(when(att.at))}</small></h2>`;
  const detail = att.detail ? `<p class="detail" lang="en">${esc(att.detail)}</p>` : "";
  if (att.current) {
    const cur = att.current;
    const canKeep = cur.status === "draft" || cur.status === "returned";
    return `<article class="card attn-item" data-attention-item="${esc(att.audit_id)}" data-key="${esc(att.key)}">${head}
      <p class="warn">${esc(t("conflict", { r: cur.revision, status: t(cur.status) }))}</p>${detail}
      <p>${esc(t("mine"))}: ${audit ? statusBadge(audit.status) : ""} · ${esc(t("theirs"))}: ${statusBadge(cur.status)}</p>
      ${diff(audit ? audit.answers : {}, cur.answers || {}, items, subjectRows(audit && audit.subject, cur.subject, fields))}
      ${canKeep ? "" : `<p class="muted">${esc(t("cannotKeep"))}</p>`}
      <p class="actions"><button type="button" data-keep-mine${canKeep ? "" : " disabled"}>${esc(t("keepMine"))}</button>
        <button type="button" data-take-server>${esc(t("takeServer"))}</button></p></article>`;
  }
  const errors = (att.errors || []).map((e) => errorLine(e, items, fields)).join("");
  return `<article class="card attn-item" data-attention-item="${esc(att.audit_id)}" data-key="${esc(att.key)}">${head}
    <p class="warn">${esc(t("refused", { code: att.status }))}</p>${detail}
    ${errors ? `<ul class="errors">${errors}</ul>` : ""}
    <p class="actions">${audit ? `<a class="btn" href="#/audit/${esc(audit.id)}">${esc(t("openAudit"))}</a>` : ""}
      <button type="button" data-dismiss>${esc(t("dismiss"))}</button></p></article>`;
}

// A shared tablet: only the signed-in user's refusals and conflicts.
const mine = () => (S.session ? db.byIndex("attention", "owner", S.session.user.id) : Promise.resolve([]));

async function draw(view) {
  const all = await mine();
  all.sort((a, b) => (a.at < b.at ? 1 : -1));
  const parts = await Promise.all(all.map(entry));
  view.innerHTML = `<p class="crumbs"><a href="#/zones">← ${esc(t("zones"))}</a></p>
    <h1 tabindex="-1">${esc(t("attentionTitle"))}</h1>
    ${parts.length ? parts.join("") : `<p class="muted">${esc(t("nothing"))}</p>`}`;
}

export async function render(view) {
  await draw(view);
  view.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    const art = button && button.closest("[data-key]");
    if (!art || button.disabled) return;
    button.disabled = true;
    const key = art.dataset.key;
    if (button.hasAttribute("data-keep-mine")) await keepMine(key);
    else if (button.hasAttribute("data-take-server")) await takeServer(key);
    else if (button.hasAttribute("data-dismiss")) await dismiss(key);
    await draw(view);
    const h1 = view.querySelector("h1");
    if (h1) h1.focus();
  });
  // A flush may add or clear entries while this screen is open.
  let timer = null;
  let known = (await mine()).map((a) => a.key + a.at).join();
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const now = (await mine()).map((a) => a.key + a.at).join();
      if (now === known) return;
      known = now;
      await draw(view);
    }, 200);
  };
  window.addEventListener("genba:changed", onChange);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("genba:changed", onChange);
  };
}
