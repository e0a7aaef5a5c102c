// An action or red tag the server would not take, on the attention screen: a conflict (409)
// shows this device's copy beside the server's, field by field, with "keep mine" and "take the
// server's"; any other refusal shows the server's message and the fields it named, with the
// record to open and "discard my change".

import { nameOf, t, text, when } from "../i18n.js";
import * as R from "../records.js";
import { staff } from "../session.js";
import { esc } from "../ui.js";

const FIELDS = {
  action: { status: "status", note: "note", after_photos: "after", due: "dueDate", owner_staff_id: "owner" },
  red_tag: { item: "thing", qty: "qty", reason: "reason", proposed: "proposed", photos: "photos", status: "status", disposition: "disposition", closed_at: "closedAt", zone_id: "zone" },
};

function show(kind, field, v) {
  if (v == null || v === "") return "–";
  if (Array.isArray(v)) return `${v.length} ${t("photos")}`;
  if (field === "status" && kind === "red_tag" && v === "open") return t("tagOpen");
  if (field === "status" || field === "proposed" || field === "disposition") return t(v);
  if (field === "closed_at") return when(v);
  if (field === "owner_staff_id") return nameOf(staff(v)) || v;
  return String(v);
}

const same = (x, y) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);

function diff(kind, mine, theirs) {
  const rows = Object.entries(FIELDS[kind])
    .filter(([f]) => !same(mine[f], theirs[f]))
    .map(([f, label]) => `<tr><th scope="row">${esc(t(label))}</th><td>${esc(show(kind, f, mine[f]))}</td><td>${esc(show(kind, f, theirs[f]))}</td></tr>`);
  if (!rows.length) return "";
  return `<div class="scroll"><table class="diff"><thead><tr><th scope="col">${esc(t("item"))}</th><th scope="col">${esc(t("mine"))}</th><th scope="col">${esc(t("theirs"))}</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

export async function recordEntry(att) {
  const kind = att.kind;
  const rec = (await R.getRecord(kind, att.record_id)) || {};
  const title = kind === "action" ? text(rec.item_label) || rec.item_id : rec.id ? `${R.tagLabel(rec)} ${rec.item}` : "";
  const route = `#/${kind === "action" ? "action" : "red-tag"}/${att.record_id}`;
  const head = `<article class="card attn-item" data-attention-item="${esc(att.record_id)}" data-key="${esc(att.key)}">
    <h2>${esc(t(kind === "action" ? "actions" : "redTags"))} · ${esc(title || att.record_id)} <small class="muted">${esc(when(att.at))}</small></h2>`;
  const detail = att.detail ? `<p class="detail" lang="en">${esc(att.detail)}</p>` : "";
  if (att.current) {
    const cur = att.current;
    const canKeep = !R.isFinal(kind, cur) ? "" : " disabled";
    return `${head}<p class="warn">${esc(t("conflict", { r: cur.revision, status: show(kind, "status", cur.status) }))}</p>${detail}
      ${diff(kind, rec, cur)}${canKeep ? `<p class="muted">${esc(t("finalRec"))}</p>` : ""}
      <p class="actions"><button type="button" data-keep-mine${canKeep}>${esc(t("keepMine"))}</button>
        <button type="button" data-take-server>${esc(t("takeServer"))}</button></p></article>`;
  }
  const errors = (att.errors || []).map((e) => `<li><code>${esc(e.path)}</code> <span class="muted" lang="en">${esc(e.message)}</span></li>`).join("");
  return `${head}<p class="warn">${esc(t("refusedRec", { code: att.status }))}</p>${detail}
    ${errors ? `<ul class="errors">${errors}</ul>` : ""}
    <p class="actions">${rec.id ? `<a class="btn" href="${esc(route)}">${esc(t("openRecord"))}</a>` : ""}
      <button type="button" data-take-server>${esc(t("discardMine"))}</button>
      <button type="button" data-dismiss>${esc(t("dismiss"))}</button></p></article>`;
}
