// The officer's home: audits the supervisor returned, then zones by site with who owns each
// (责任人), its last score and what is due. All from what the device has (this user's audits,
// their recent server audits, each zone's newest audits by any officer from the bootstrap), so
// it works offline.

import * as db from "../db.js";
import { nameOf, t, text, when } from "../i18n.js";
import { dueIds, localOffset } from "../rules.js";
import { S, deviceCounts, latestChecklist, logout, staff } from "../session.js";
import { band, esc, go, percent } from "../ui.js";

const doneAt = (a) => a.submitted_at || a.started_at;

/** Per zone: finished audits (not drafts), newest first, from the device and the server. */
export async function history() {
  const byId = new Map();
  for (const site of (S.bootstrap && S.bootstrap.sites) || []) {
    for (const zone of site.zones) {
      for (const last of zone.last_audits || []) {
        byId.set(`last:${zone.id}:${last.checklist_id}`, { ...last, zone_id: zone.id });
      }
    }
  }
  for (const r of S.recent) if (r.status !== "draft") byId.set(r.id, r);
  for (const a of await myAudits()) {
    if (a.status === "draft" || a.status === "discarded") continue;
    const score = a.server && a.server.score ? a.server.score : a.preview;
    byId.set(a.id, {
      ...a,
      percent: score ? score.percent : null,
      band: score ? score.band : null,
    });
  }
  const byZone = {};
  for (const a of byId.values()) (byZone[a.zone_id] ||= []).push(a);
  for (const list of Object.values(byZone)) list.sort((x, y) => (doneAt(x) < doneAt(y) ? 1 : -1));
  return byZone;
}

/** This user's audits on the device: a shared tablet shows nobody else's. */
export const myAudits = () => (S.session ? db.byIndex("audits", "owner", S.session.user.id) : Promise.resolve([]));

/** The zone's checklists due now, by each checklist's `due_every_days` (rules.js). */
export function dueFor(zone, audits) {
  const checklists = zone.checklist_ids.map((id) => latestChecklist(id) || { id });
  return dueIds(checklists, audits, new Date().toISOString(), localOffset());
}

function returnedBanner(audits) {
  const returned = audits.filter((a) => a.status === "returned");
  if (!returned.length) return "";
  const rows = returned.map((a) => {
    const c = latestChecklist(a.checklist_id);
    const found = (S.bootstrap.sites || []).flatMap((s) => s.zones).find((z) => z.id === a.zone_id);
    const comment = a.server && a.server.review && a.server.review.comment;
    return `<li><a href="#/audit/${esc(a.id)}" data-returned-audit="${esc(a.id)}">${esc(found ? nameOf(found) : a.zone_id)} · ${esc(c ? text(c.title) : a.checklist_id)}</a>${
      comment ? ` <span class="muted">“${esc(comment)}”</span>` : ""
    }</li>`;
  });
  return `<section class="banner warn returned-home" data-returned-count="${returned.length}" aria-labelledby="h-returned">
    <h2 id="h-returned">${esc(t("returnedHome", { n: returned.length }))}</h2><ul>${rows.join("")}</ul></section>`;
}

function zoneCard(zone, audits) {
  const owner = staff(zone.owner_id);
  const main = zone.checklist_ids.includes("6s-zone") ? "6s-zone" : null;
  const last = audits.find((a) => !main || a.checklist_id === main);
  const due = dueFor(zone, audits);
  const chips = due.length
    ? due
        .map((id) => {
          const c = latestChecklist(id);
          return `<span class="chip due">${esc(t("due"))} · ${esc(c ? text(c.title) : id)}</span>`;
        })
        .join("")
    : `<span class="chip ok">✓ ${esc(t("upToDate"))}</span>`;
  return `<li><a class="zone card" href="#/zone/${esc(zone.id)}" data-zone-id="${esc(zone.id)}">
    <span class="zname">${esc(nameOf(zone))}</span>
    <span class="muted">${esc(t(zone.kind))} · ${esc(t("owner"))}：${esc(owner ? nameOf(owner) : "–")}</span>
    <span>${esc(t("lastScore"))}：${
      last
        ? `<b>${esc(percent(last.percent))}</b> ${band(last.band)} <span class="muted">${esc(when(doneAt(last)))}</span>`
        : esc(t("none"))
    }</span>
    <span class="chips">${chips}</span></a></li>`;
}

export async function render(view) {
  const boot = S.bootstrap;
  if (!boot) {
    view.innerHTML = `<h1 tabindex="-1">${esc(t("zones"))}</h1><p class="notice">${esc(t("noData"))}</p>`;
    return;
  }
  const [hist, mine] = await Promise.all([history(), myAudits()]);
  view.innerHTML = `<h1 tabindex="-1">${esc(t("zones"))}</h1>
    ${returnedBanner(mine)}
    ${boot.sites
      .filter((site) => site.active !== false)
      .map(
        (site) => `<section class="site" aria-labelledby="site-${esc(site.id)}">
        <h2 id="site-${esc(site.id)}">${esc(nameOf(site))}</h2>
        <ul class="zones">${site.zones
          .filter((z) => z.active !== false)
          .map((z) => zoneCard(z, hist[z.id] || []))
          .join("")}</ul>
      </section>`,
      )
      .join("")}`;
  foot(view);
}

/** Who is signed in, sign out, for admins the way to the admin screens (and back), for
 * supervisors and admins the way to the console from the zones. */
export function foot(view) {
  const user = S.session.user;
  const admin = user.role === "admin" && !location.hash.startsWith("#/admin");
  const boss = user.role !== "officer" && !/^#\/(review|reports)/.test(location.hash);
  view.insertAdjacentHTML(
    "beforeend",
    `<p class="foot muted">${boss ? `<a class="btn" href="#/review" data-nav-console>${esc(t("console"))}</a> ` : ""}${admin ? `<a class="btn" href="#/admin" data-nav-admin>${esc(t("admin"))}</a> ` : ""}${esc(t("signedInAs", { name: user.name || user.username }))}
      <button type="button" class="link" data-sign-out>${esc(t("signOut"))}</button></p>`,
  );
  view.querySelector("[data-sign-out]").addEventListener("click", async () => {
    const left = await deviceCounts(user.id);
    if ((left.unsynced || left.photos) && !confirm(t("signOutPending", { n: left.unsynced, p: left.photos }))) return;
    await logout();
    go("#/login");
  });
}
