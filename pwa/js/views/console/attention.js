// Needs attention (#/needs-attention, 需关注): what a supervisor or admin should look at, from
// GET /api/attention for their sites. Counts first (waiting for review, waiting for photos,
// refused uploads, overdue actions, free disk), then the lists: audits waiting for review,
// oldest first, each opening in the review screen, with the queue one link away; audits whose
// photos have not arrived, longest waiting first; the uploads the server refused lately (who,
// which device, why); the overdue actions, linking to their screen; and the server: version,
// uptime, free disk, database and photo sizes. (#/attention is the tablet's own 需处理 screen.)
// Its strings are registered here, out of the tablet's shell, like the console's strings.js.

import { ApiError } from "../../api.js";
import { addStrings, t, when } from "../../i18n.js";
import { esc } from "../../ui.js";
import { T, api, checklistTitle, frame, screen, siteName, waited, zoneName } from "./shared.js";

addStrings({
  naIntro: [
    "需要处理的事项：等待审核或照片的审核、服务器拒绝的上传、逾期的整改措施，以及服务器的状态。",
    "What needs handling: audits waiting for review or for photos, uploads the server refused, overdue corrective actions, and the server's state.",
  ],
  naReview: ["待审核", "Waiting for review"],
  naPhotos: ["等待照片", "Waiting for photos"],
  naRefused: ["被拒绝的上传", "Refused uploads"],
  naOverdue: ["逾期整改", "Overdue actions"],
  naServer: ["服务器", "Server"],
  naDiskFree: ["磁盘剩余", "Disk free"],
  naDiskLow: ["空间不足：低于 {min}", "Low: under {min}"],
  naDiskOk: ["正常", "OK"],
  naOldest: ["最久 {d} 天", "oldest {d} d"],
  naLastDays: ["近 {d} 天", "last {d} days"],
  naAge: ["{d} 天", "{d} d"],
  naShown: ["显示最早的 {shown} 份，共 {n} 份", "Showing the oldest {shown} of {n}"],
  naShownNewest: ["显示最近的 {shown} 条，共 {n} 条", "Showing the newest {shown} of {n}"],
  naOpenQueue: ["打开审核队列", "Open the review queue"],
  naOpenActions: ["打开整改措施", "Open the corrective actions"],
  naNoReview: ["没有待审核的审核", "Nothing waits for review"],
  naNoPhotos: ["没有等待照片的审核", "No audit waits for photos"],
  naNoRefused: ["近 {d} 天没有被拒绝的上传", "No upload refused in the last {d} days"],
  naNoOverdue: ["没有逾期的整改措施", "No corrective action is overdue"],
  naOverdueText: ["{n} 项整改措施已过期限", "{n} corrective actions are past their due date"],
  naPhotosWhy: ["设备已提交审核，但照片尚未上传到服务器", "The device sent the audit, but not yet its photos"],
  naSince: ["收到于 {time}", "received {time}"],
  naAudit: ["审核", "Audit"],
  naPhoto: ["照片", "Photo"],
  naNobody: ["未登录", "not signed in"],
  naDevice: ["设备：{d}", "device: {d}"],
  naStatus: ["状态码 {s}", "status {s}"],
  naVersion: ["版本", "Version"],
  naUptime: ["已运行", "Up for"],
  naDatabase: ["数据库", "Database"],
  naPhotoFiles: ["照片文件", "Photo files"],
  naBackup: ["上次备份", "Last backup"],
  naBackupUnknown: ["服务器不记录备份：请查看备份任务的记录", "Not recorded by the server: see your backup job's log"],
  naRefresh: ["刷新", "Refresh"],
  naUpdated: ["更新于 {time}", "Updated {time}"],
});

const UNITS = ["B", "KB", "MB", "GB", "TB"];
/** Bytes in decimal units (1 GB = 10⁹ bytes, as the server's threshold is set). */
export function bytes(n) {
  if (n == null) return "–";
  let value = n;
  let i = 0;
  while (value >= 1000 && i < UNITS.length - 1) {
    value /= 1000;
    i += 1;
  }
  return `${i === 0 || value >= 100 ? Math.round(value) : value.toFixed(1)} ${UNITS[i]}`;
}

function uptime(seconds) {
  const mins = Math.floor(seconds / 60);
  const [d, h, m] = [Math.floor(mins / 1440), Math.floor(mins / 60) % 24, mins % 60];
  return d ? t("dur_d", { d, h }) : h ? t("dur_h", { h, m }) : t("dur_m", { m });
}

const tile = (key, count, label, note, href, bad) => {
  const inner = `<b data-count="${key}">${count}</b><span>${esc(label)}</span><small>${esc(note || "")}</small>`;
  const cls = `natile${bad ? " hot" : ""}`;
  return href ? `<a class="${cls}" href="${href}" data-tile="${key}">${inner}</a>` : `<div class="${cls}" data-tile="${key}">${inner}</div>`;
};

function tiles(a) {
  const server = a.server;
  const oldest = a.review.audits.length ? t("naOldest", { d: a.review.audits[0].age_days }) : "";
  return `<div class="natiles">${[
    tile("review", a.review.count, t("naReview"), oldest, "#/review", a.review.count > 0),
    tile("photos", a.photos.count, t("naPhotos"), "", "", a.photos.count > 0),
    tile("refused", a.refusals.count, t("naRefused"), t("naLastDays", { d: a.refusals.days }), "", a.refusals.count > 0),
    tile("overdue", a.actions_overdue, t("naOverdue"), "", "#/actions", a.actions_overdue > 0),
    `<div class="natile${server.disk_free_ok ? "" : " hot"}" data-tile="disk"><b data-disk-free>${esc(bytes(server.disk_free_bytes))}</b><span>${T("naDiskFree")}</span><small>${
      server.disk_free_ok ? T("naDiskOk") : T("naDiskLow", { min: bytes(server.min_free_disk_bytes) })
    }</small></div>`,
  ].join("")}</div>`;
}

const section = (key, title, count, body) =>
  `<section class="card nasec" aria-labelledby="na-h-${key}" data-section="${key}"><h2 id="na-h-${key}">${esc(title)} <span class="nacount">${count}</span></h2>${body}</section>`;

function auditRow(a, photos) {
  const where = `${siteName(a.site_id)} · ${checklistTitle(a.checklist_id)}`;
  const waiting = photos
    ? `<span><span>${T("flagPhotos", { n: a.missing_photos })}</span><small>${T("naSince", { time: when(a.since) })}</small></span>`
    : `<span><span>${esc(when(a.since))}</span><small>${T("waited", { w: waited(a.since) })}</small></span>`;
  return `<li><a class="narow" href="#/review/${esc(a.id)}" data-attention-audit="${esc(a.id)}">
    <span class="nazone"><b>${esc(zoneName(a.zone_id))}</b><small>${esc(where)}</small></span>
    <span><span>${esc(a.officer_name || `#${a.officer_id}`)}</span><small>${esc(t(a.status))}</small></span>
    ${waiting}<span class="naage" data-age-days="${a.age_days}">${T("naAge", { d: a.age_days })}</span></a></li>`;
}

function audits(waiting, photos) {
  const list = waiting.audits;
  if (!list.length) return `<p class="muted" data-empty>${T(photos ? "naNoPhotos" : "naNoReview")}</p>`;
  const more = waiting.count > list.length ? `<p class="muted">${T("naShown", { shown: list.length, n: waiting.count })}</p>` : "";
  const why = photos ? `<p class="muted">${T("naPhotosWhy")}</p>` : "";
  return `${why}<ol class="nalist" data-list>${list.map((a) => auditRow(a, photos)).join("")}</ol>${more}`;
}

function refusalRow(r) {
  const photo = r.route === "/api/photos/{sha256}";
  const last = (r.path || "").split("/").pop();
  const id = last.length > 8 ? `${last.slice(0, 8)}…` : last;
  const who = r.username ? esc(r.username) : T("naNobody");
  const device = r.device ? ` · ${T("naDevice", { d: r.device })}` : "";
  return `<li class="narefusal" data-refusal="${esc(r.id)}">
    <span><span>${esc(when(r.at))}</span><small><span class="chip due">${T("naStatus", { s: r.status })}</span></small></span>
    <span><span>${T(photo ? "naPhoto" : "naAudit")} <code>${esc(id)}</code></span><small>${who}${device}</small></span>
    <span class="nadetail">${esc(r.detail || "")}</span></li>`;
}

function refusals(r) {
  if (!r.items.length) return `<p class="muted" data-empty>${T("naNoRefused", { d: r.days })}</p>`;
  const more = r.count > r.items.length ? `<p class="muted">${T("naShownNewest", { shown: r.items.length, n: r.count })}</p>` : "";
  return `<ol class="nalist" data-list>${r.items.map(refusalRow).join("")}</ol>${more}`;
}

function overdue(n) {
  const text = n ? T("naOverdueText", { n }) : T("naNoOverdue");
  return `<p${n ? "" : ' class="muted"'}>${text}</p><p><a class="btn" href="#/actions" data-open-actions>${T("naOpenActions")}</a></p>`;
}

function server(s) {
  const fact = (key, label, value, wide) => `<div${wide ? ' class="nawide"' : ""}><dt>${esc(label)}</dt><dd data-fact="${key}">${value}</dd></div>`;
  const disk = `${esc(bytes(s.disk_free_bytes))} <span class="chip ${s.disk_free_ok ? "ok" : "due"}">${
    s.disk_free_ok ? T("naDiskOk") : T("naDiskLow", { min: bytes(s.min_free_disk_bytes) })
  }</span>`;
  return `<dl class="facts">${[
    fact("version", t("naVersion"), esc(s.version)),
    fact("uptime", t("naUptime"), esc(uptime(s.uptime_s))),
    fact("disk", t("naDiskFree"), disk),
    fact("database", t("naDatabase"), esc(bytes(s.database_bytes))),
    fact("photos", t("naPhotoFiles"), esc(bytes(s.photos_bytes))),
    fact("backup", t("naBackup"), `<span class="muted">${T("naBackupUnknown")}</span>`, true),
  ].join("")}</dl>`;
}

function draw(a) {
  return `${tiles(a)}
    ${section("review", t("naReview"), a.review.count, `${audits(a.review, false)}<p><a class="btn" href="#/review" data-open-queue>${T("naOpenQueue")}</a></p>`)}
    ${section("photos", t("naPhotos"), a.photos.count, audits(a.photos, true))}
    ${section("refused", `${t("naRefused")} · ${t("naLastDays", { d: a.refusals.days })}`, a.refusals.count, refusals(a.refusals))}
    ${section("overdue", t("naOverdue"), a.actions_overdue, overdue(a.actions_overdue))}
    ${section("server", t("naServer"), "", server(a.server))}`;
}

export const render = screen(async (view) => {
  frame(
    view,
    t("attentionNav"),
    `<p class="muted">${T("naIntro")}</p>
    <p class="natools"><button type="button" data-refresh>${T("naRefresh")}</button><small class="muted" data-updated></small></p>
    <div class="attention" data-attention aria-busy="true" aria-live="polite"></div>`,
  );
  const body = view.querySelector("[data-attention]");
  const updated = view.querySelector("[data-updated]");
  let serial = 0;
  const load = async () => {
    const mine = ++serial;
    body.setAttribute("aria-busy", "true");
    const got = await api("GET", "/api/attention");
    if (mine !== serial) return;
    body.innerHTML = draw(got);
    updated.textContent = t("naUpdated", { time: when(got.at) });
    body.setAttribute("aria-busy", "false");
  };
  const fail = (err) => {
    if (!(err instanceof ApiError)) throw err;
    body.innerHTML = `<p class="error" role="alert" data-attention-error>${esc(err.status ? err.detail || err.message : t("consoleOffline"))}</p>`;
    body.setAttribute("aria-busy", "false");
  };
  view.querySelector("[data-refresh]").addEventListener("click", () => load().catch(fail));
  await load().catch((err) => {
    if (err instanceof ApiError && !err.status) throw err; // offline: screen() says so
    fail(err);
  });
  return undefined;
});
