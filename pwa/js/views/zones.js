// Zones by site: who owns each (责任人), its last score, and what is due, from what the device
// has (its own audits, the officer's recent server audits, and each zone's newest audits by
// any officer from the bootstrap), so it works offline.

import * as db from "../db.js";
import { nameOf, t, text, when } from "../i18n.js";
import { S, latestChecklist, logout, staff } from "../session.js";
import { band, esc, go, percent } from "../ui.js";

// How often a checklist is expected per zone, in days. Others (handover, receiving, red tags)
// happen when the work does, so they are never "due".
const CADENCE = { "6s-zone": 7, "facility-daily": 1, "facility-weekly": 7 };
const DAY = 86400000;

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
  for (const a of await db.getAll("audits")) {
    if (a.status === "draft") continue;
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

export function dueFor(zone, audits) {
  const now = Date.now();
  return zone.checklist_ids.filter((id) => {
    if (!CADENCE[id]) return false;
    const last = audits.find((a) => a.checklist_id === id);
    return !last || now - new Date(doneAt(last)).getTime() > CADENCE[id] * DAY;
  });
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
  const hist = await history();
  const user = S.session.user;
  view.innerHTML = `<h1 tabindex="-1">${esc(t("zones"))}</h1>
    ${boot.sites
      .map(
        (site) => `<section class="site" aria-labelledby="site-${esc(site.id)}">
        <h2 id="site-${esc(site.id)}">${esc(nameOf(site))}</h2>
        <ul class="zones">${site.zones.map((z) => zoneCard(z, hist[z.id] || [])).join("")}</ul>
      </section>`,
      )
      .join("")}
    <p class="foot muted">${esc(t("signedInAs", { name: user.name || user.username }))}
      <button type="button" class="link" data-sign-out>${esc(t("signOut"))}</button></p>`;
  view.querySelector("[data-sign-out]").addEventListener("click", async () => {
    const n = await db.count("outbox");
    if (n && !confirm(t("signOutPending", { n }))) return;
    await logout();
    go("#/login");
  });
}
