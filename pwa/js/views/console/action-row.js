// One corrective action in the console's list: the item, zone, owner, due date and how many days
// overdue, its status, the before and after photos, and a panel to manage it: verify or reopen a
// done action, cancel an open one (with a note saying why), change its due date or owner.

import { nameOf, t, text } from "../../i18n.js";
import { S, findZone } from "../../session.js";
import { esc } from "../../ui.js";
import { thumb } from "./photos.js";
import { T, siteName, zoneName } from "./shared.js";

const PHOTOS = 3; // thumbnails shown per side; the rest are counted

const ownerOf = (a) => a.owner_name || (a.owner_staff_id ? a.owner_staff_id : t("ac_noOwner"));
export const statusChip = (a) => `<span class="status ac-${esc(a.status)}" data-status="${esc(a.status)}">${T(`ac_st_${a.status}`)}</span>`;

function shots(shas, what, label) {
  const shown = shas.slice(0, PHOTOS).map((sha, i) => thumb(sha, t("photoOf", { item: `${label} · ${what}`, n: i + 1 })));
  const more = shas.length > PHOTOS ? `<li class="pmore">+${shas.length - PHOTOS}</li>` : "";
  return `<div class="apics"><span class="muted">${esc(what)}</span>${
    shas.length ? `<ul class="pthumbs small">${shown.join("")}${more}</ul>` : `<span class="muted nopic">–</span>`
  }</div>`;
}

// The owner (the user linked to the owning staff member) never verifies or reopens their own.
const ownsIt = (a) => Boolean(S.session.user.staff_id && S.session.user.staff_id === a.owner_staff_id);

function staffOptions(a) {
  const people = ((S.bootstrap && S.bootstrap.staff) || []).filter((p) => !p.site_id || p.site_id === a.site_id);
  if (a.owner_staff_id && !people.some((p) => p.id === a.owner_staff_id)) people.push({ id: a.owner_staff_id, name: a.owner_name || a.owner_staff_id });
  return [`<option value="">${T("ac_noOwner")}</option>`, ...people.map((p) => `<option value="${esc(p.id)}"${p.id === a.owner_staff_id ? " selected" : ""}>${esc(nameOf(p))}</option>`)].join("");
}

function manage(a) {
  const id = esc(a.id);
  const note = (hint) => `<label for="an-${id}">${T("noteLabel")}</label>
    <textarea id="an-${id}" rows="2" maxlength="4000" data-action-note aria-describedby="ah-${id} ae-${id}"></textarea><p id="ah-${id}" class="muted">${T(hint)}</p>`;
  const error = `<p id="ae-${id}" class="ferr" role="alert" tabindex="-1" data-action-error></p>`;
  if (a.status === "done") {
    const own = ownsIt(a) ? `<p class="banner warn">${T("youOwnIt")}</p>` : "";
    return `${own}${note("noteHintDone")}${error}<p class="actions"><button type="button" class="primary" data-verify>${T("ac_verify")}</button>
      <button type="button" class="bad" data-reopen>${T("ac_reopen")}</button></p>`;
  }
  if (a.status === "open" || a.status === "reopened") {
    return `<div class="aplan"><p class="fld"><label for="ad-${id}">${T("dueLabel")}</label><input type="date" id="ad-${id}" value="${esc(a.due)}" required data-due-input></p>
      <p class="fld"><label for="ao-${id}">${T("ownerLabel")}</label><select id="ao-${id}" data-owner-input>${staffOptions(a)}</select></p>
      <p><button type="button" data-save-plan>${T("savePlan")}</button></p></div>
      ${note("noteHintOpen")}${error}<p class="actions"><button type="button" class="bad" data-cancel-action>${T("cancelAction")}</button></p>`;
  }
  return "";
}

/** The row's inner HTML (the <li> keeps its place when an answer redraws it). */
export function rowInner(a) {
  const found = findZone(a.zone_id);
  const label = a.item_label ? text(a.item_label) : a.item_id;
  const where = found ? nameOf(found.site) : siteName(a.site_id);
  const late = a.overdue ? `<b class="chip due" data-days-overdue="${a.days_overdue}">${T("daysOverdue", { n: a.days_overdue })}</b>` : "";
  const closedNow = a.status === "verified" || a.status === "cancelled";
  return `<div class="ahead">
      <span class="amain"><b data-item-label>${esc(label)}</b><small><span data-zone>${esc(zoneName(a.zone_id))}</span> · ${esc(where)}</small></span>
      <span><span data-owner>${esc(ownerOf(a))}</span><small data-due="${esc(a.due)}">${T("dueIs", { d: a.due })}</small></span>
      <span class="astate">${statusChip(a)}${late}</span>
      <div class="apair">${shots(a.before_photos, t("ac_before"), label)}${shots(a.after_photos, t("ac_after"), label)}<div class="atext">
        ${a.finding ? `<p class="anote"><span class="muted">${T("finding")}：</span>${esc(a.finding)}</p>` : ""}
        ${a.note ? `<p class="anote" data-note-shown><span class="muted">${T("ac_note")}：</span>${esc(a.note)}</p>` : ""}</div></div>
    </div>
    ${closedNow ? "" : `<details class="amanage" data-manage><summary>${T("manage")}<span class="vh"> ${esc(label)}</span></summary>${manage(a)}</details>`}`;
}

export const row = (a) =>
  `<li class="arow${a.overdue ? " late" : ""}" tabindex="-1" data-action-row="${esc(a.id)}" data-row-status="${esc(a.status)}" data-overdue="${a.overdue}">${rowInner(a)}</li>`;

/** The load per owner, as a table: open, of those overdue, and done waiting to be verified. */
export function ownersPanel(loads, chosen) {
  const rows = loads.owners
    .map((o) => {
      const name = o.name || (o.staff_id ? o.staff_id : t("ac_noOwner"));
      const pick = o.staff_id
        ? `<button type="button" class="link" data-owner-pick="${esc(o.staff_id)}" aria-pressed="${chosen === o.staff_id}">${esc(name)}</button>`
        : esc(name);
      return `<tr data-owner-row="${esc(o.staff_id || "")}"${o.overdue ? ' class="late"' : ""}><th scope="row">${pick}</th>
        <td data-k="open">${o.open}</td><td data-k="overdue">${o.overdue ? `<b>${o.overdue}</b>` : 0}</td><td data-k="done">${o.done}</td></tr>`;
    })
    .join("");
  return `<h2 id="h-owners">${T("ownersPanel")}</h2><p class="muted">${T("ownersHint")}</p>${
    rows
      ? `<table class="atable owners"><thead><tr><th scope="col">${T("f_owner")}</th><th scope="col">${T("k_open")}</th><th scope="col">${T("k_overdue")}</th><th scope="col">${T("k_done")}</th></tr></thead><tbody>${rows}</tbody></table>`
      : `<p class="muted" data-owners-empty>${T("ownersEmpty")}</p>`
  }`;
}
