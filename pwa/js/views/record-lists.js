// A zone's corrective actions and red tags from the tablet's copy: the zone screen's lists, the
// compact panel beside a runner item that `shows` them, and the photos' thumbnails (the
// device's, else the server's while online). Also the one way a record screen finds its record.

import { fetchBlob, request } from "../api.js";
import * as db from "../db.js";
import { nameOf, t, text } from "../i18n.js";
import * as R from "../records.js";
import { findZone, staff, userId } from "../session.js";
import { esc } from "../ui.js";

const urls = new Map(); // sha -> object URL of its thumbnail, for the page's life (small JPEGs)

export const setThumb = (sha, blob) => urls.set(sha, URL.createObjectURL(blob));

async function thumbUrl(sha) {
  if (!urls.has(sha)) {
    const p = await db.get("photos", sha);
    const online = navigator.onLine && !p;
    const blob = p ? p.thumb : online ? await fetchBlob(`/api/photos/${sha}?size=thumb`).catch(() => null) : null;
    if (!blob) return ""; // not cached: it may be later
    setThumb(sha, blob);
  }
  return urls.get(sha);
}

/** Give every thumbnail under root still without a picture its image. */
export async function fillThumbs(root) {
  for (const img of root.querySelectorAll("img[data-thumb]:not([src])")) {
    const url = await thumbUrl(img.dataset.thumb);
    if (url) img.src = url;
    else img.closest("li").classList.add("remote");
  }
}

export const thumbList = (shas, label, cls = "thumbs") =>
  shas && shas.length
    ? `<ul class="${cls}">${shas.map((sha, i) => `<li><img data-thumb="${esc(sha)}" alt="${esc(`${label} ${i + 1}`)}"></li>`).join("")}</ul>`
    : "";

/** The record as this user sees it: the device's copy, else (online) the server's. */
export async function loadRecord(kind, id) {
  const local = R.seenBy(await R.getRecord(kind, id), userId());
  if (local || !navigator.onLine) return local;
  try {
    const { data } = await request("GET", R.KINDS[kind].path + encodeURIComponent(id));
    await R.applyServer(kind, [data]);
    return R.seenBy(await R.getRecord(kind, id), userId()) || data; // a closed one is not kept
  } catch {
    return null;
  }
}

/** Whether the user has started filling in a form (typed, picked, ticked): not to be redrawn. */
export const dirty = (form) =>
  Boolean(form) &&
  [...form.elements].some((el) =>
    el.type === "radio" || el.type === "checkbox" ? el.checked !== el.defaultChecked : el.type !== "file" && "defaultValue" in el && el.value !== el.defaultValue,
  );

/**
 * Draw a record's screen again when the sync changes the record (its number, revision, status,
 * where it stands), unless `busy()` says the user is working on it; returns the cleanup.
 */
export function follow(kind, id, shown, redraw, busy) {
  const sig = (r) => (r ? [r.revision, r.owner, r.status, r.tag_no].join("|") : "");
  let timer = null;
  const onChange = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const now = R.seenBy(await R.getRecord(kind, id), userId());
      if (now && sig(now) !== sig(shown()) && !busy()) redraw(now);
    }, 200);
  };
  window.addEventListener("genba:changed", onChange);
  return () => {
    clearTimeout(timer);
    window.removeEventListener("genba:changed", onChange);
  };
}

/** Where a record stands for this user: waiting to sync, refused or in conflict, or synced. */
export function syncFlag(kind, rec, attention) {
  if (attention.has(R.KINDS[kind].key + rec.id)) {
    return `<span class="syncflag attention" data-sync-state="attention">${esc(t("needsAttention"))}</span>`;
  }
  if (rec.owner) return `<span class="syncflag pending" data-sync-state="pending">${esc(t("notSynced"))}</span>`;
  return "";
}

export const badge = (status, key = status) => `<span class="status s-${esc(status)}">${esc(t(key))}</span>`;
export const tagBadge = (tag) => badge(tag.status, tag.status === "open" ? "tagOpen" : tag.status);
export const ownerName = (a) => a.owner_name || nameOf(staff(a.owner_staff_id)) || "–";

/** The zone's active actions (overdue first, then by due day) and open tags (over the site's
 * limit first, then oldest first), with what the rows need. */
export async function zoneData(zoneId) {
  const me = userId();
  const [actions, tags, attention] = await Promise.all([
    R.zoneRecords("action", zoneId, me),
    R.zoneRecords("red_tag", zoneId, me),
    me == null ? [] : db.byIndex("attention", "owner", me),
  ]);
  const found = findZone(zoneId);
  const day = R.today();
  const limit = R.limitOf(found && found.site, tags);
  // Overdue first, then what waits on the owner, then what waits for a check.
  const late = (a) => (R.isOverdue(a, day) ? 0 : a.status === "done" ? 2 : 1);
  const over = (x) => (R.overLimit(x, limit) ? 0 : 1);
  return {
    day,
    limit,
    attention: new Set(attention.map((x) => x.key)),
    actions: actions
      .filter((a) => R.ACTIVE.includes(a.status))
      .sort((a, b) => late(a) - late(b) || String(a.due).localeCompare(String(b.due))),
    tags: tags
      .filter((x) => x.status === "open")
      .sort((a, b) => over(a) - over(b) || String(a.tagged_at).localeCompare(String(b.tagged_at))),
  };
}

function actionRow(a, d, compact) {
  const late = R.isOverdue(a, d.day);
  const due = `${esc(t("dueOn", { d: a.due || "–" }))}${late ? ` · <b class="late-chip">${esc(t("overdueN", { n: R.daysLate(a, d.day) }))}</b>` : ""}`;
  return `<li class="card rec${late ? " late" : ""}"><a href="#/action/${esc(a.id)}" data-action-id="${esc(a.id)}" data-status="${esc(a.status)}" data-overdue="${late}">
    ${thumbList((a.before_photos || []).slice(0, compact ? 1 : 3), t("before"))}
    <span class="rtext"><b>${esc(text(a.item_label) || a.item_id)}</b>
      ${a.finding && !compact ? `<span>“${esc(a.finding)}”</span>` : ""}
      <span class="muted">${esc(t("owner"))}：${esc(ownerName(a))} · ${due}</span>
      <span>${badge(a.status)} ${syncFlag("action", a, d.attention)}</span></span></a></li>`;
}

function tagRow(tag, d, compact) {
  const over = R.overLimit(tag, d.limit);
  const age = esc(t("ageN", { n: R.ageDays(tag) }));
  return `<li class="card rec${over ? " late" : ""}"><a href="#/red-tag/${esc(tag.id)}" data-red-tag-id="${esc(tag.id)}" data-over-limit="${over}">
    ${thumbList((tag.photos || []).slice(0, 1), t("photos"))}
    <span class="rtext"><span><b data-tag-label>${esc(R.tagLabel(tag))}</b> ${esc(tag.item)} × ${esc(tag.qty)}</span>
      ${compact ? "" : `<span>${esc(tag.reason)}</span>`}
      <span class="muted">${esc(t("proposed"))}：${esc(t(tag.proposed))} · ${over ? `<b class="late-chip">${age} · ${esc(t("overLimit", { n: d.limit }))}</b>` : age}</span>
      ${compact ? "" : `<span>${tagBadge(tag)} ${syncFlag("red_tag", tag, d.attention)}</span>`}</span></a></li>`;
}

const list = (rows) => (rows.length ? `<ul class="recs">${rows.join("")}</ul>` : `<p class="muted">${esc(t("none"))}</p>`);

/** The zone screen's two lists, each under its heading. */
export function zoneLists(zoneId, d) {
  const late = d.actions.filter((a) => R.isOverdue(a, d.day)).length;
  const over = d.tags.filter((x) => R.overLimit(x, d.limit)).length;
  const count = (n, m, key) => `<small class="muted">${n}${m ? ` · <b class="late-chip">${esc(t(key, { n: m }))}</b>` : ""}</small>`;
  return `<section aria-labelledby="h-ac" data-actions="${d.actions.length}"><h2 id="h-ac">${esc(t("actions"))} ${count(d.actions.length, late, "overdueCount")}</h2>
      ${list(d.actions.map((a) => actionRow(a, d, false)))}</section>
    <section aria-labelledby="h-rt" data-red-tags="${d.tags.length}"><div class="secthead"><h2 id="h-rt">${esc(t("redTags"))} ${count(d.tags.length, over, "overLimitCount")}</h2>
      <a class="btn" href="#/zone/${esc(zoneId)}/red-tag/new" data-new-red-tag>＋ ${esc(t("newRedTag"))}</a></div>
      ${list(d.tags.map((x) => tagRow(x, d, false)))}</section>`;
}

const PANEL_ROWS = 5;

/** The runner: beside an item that `shows` actions or red tags, the zone's open ones. */
export async function fillShows(root, zoneId) {
  const boxes = root.querySelectorAll("[data-shows]");
  if (!boxes.length) return;
  const d = await zoneData(zoneId);
  for (const box of boxes) {
    const acts = box.dataset.shows === "actions";
    const rows = acts ? d.actions.filter((a) => a.status !== "done") : d.tags;
    const flagged = rows.filter((x) => (acts ? R.isOverdue(x, d.day) : R.overLimit(x, d.limit))).length;
    box.innerHTML = `<h4>${esc(t(acts ? "zoneActions" : "zoneTags"))} <small>${rows.length}${
      flagged ? ` · <b class="late-chip">${esc(t(acts ? "overdueCount" : "overLimitCount", { n: flagged }))}</b>` : ""
    }</small></h4>
      ${rows.length ? `<ul class="recs compact">${rows.slice(0, PANEL_ROWS).map((x) => (acts ? actionRow(x, d, true) : tagRow(x, d, true))).join("")}</ul>` : `<p class="muted">${esc(t("none"))}</p>`}
      ${rows.length > PANEL_ROWS ? `<a href="#/zone/${esc(zoneId)}">${esc(t("all"))} (${rows.length}) →</a>` : ""}`;
    box.dataset.count = String(rows.length);
    fillThumbs(box);
  }
}
