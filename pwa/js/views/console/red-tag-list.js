// The red-tag register (#/red-tags, 红牌登记): the tags of the supervisor's sites, oldest first as
// GET /api/red-tags gives them, with chips for the site, open or closed, and over the site's age
// limit; paged by the API's cursor. Each site's register PDF (as filtered) and its printable
// tags (the open ones, four to a page with a QR code each) open in a new tab.

import { nameOf, t } from "../../i18n.js";
import { S } from "../../session.js";
import { esc, toast } from "../../ui.js";
import { photos, thumb } from "./photos.js";
import { T, api, enc, frame, openFile, query, screen, siteName, zoneName } from "./shared.js";

const sites = () => ((S.bootstrap && S.bootstrap.sites) || []).filter((s) => s.active !== false);
const STATUS = ["open", "closed", ""];

/** The sites' date of an ISO time (tags age by the sites' days, not the browser's). */
function day(iso) {
  if (!iso) return "–";
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: (S.bootstrap && S.bootstrap.timezone) || undefined }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

function chips(chosen) {
  const chip = (k, value, label) =>
    `<button type="button" class="fchip" data-filter="${k}" data-filter-value="${esc(value)}" aria-pressed="${(chosen[k] || "") === value}">${esc(label)}</button>`;
  const group = (k, list) =>
    `<div class="fgroup" role="group" aria-labelledby="ft-${k}"><span class="glabel" id="ft-${k}">${T(`f_${k}`)}</span>${list.map(([v, l]) => chip(k, v, l)).join("")}</div>`;
  const seen = sites();
  const out = [];
  if (seen.length > 1) out.push(group("site_id", [["", t("filterAll")], ...seen.map((s) => [s.id, nameOf(s)])]));
  out.push(group("status", STATUS.map((s) => [s, t(`rt_s_${s || "all"}`)])));
  const over = `<button type="button" class="fchip" data-over-limit aria-pressed="${Boolean(chosen.over_limit)}">${T("rt_over")}</button>`;
  out.push(`<div class="fgroup" role="group" aria-labelledby="ft-age"><span class="glabel" id="ft-age">${T("f_age")}</span>${over}</div>`);
  return out.join("");
}

function pdfs(chosen) {
  const which = chosen.site_id ? sites().filter((s) => s.id === chosen.site_id) : sites();
  return which
    .map(
      (s) => `<p class="rtpdf"><b>${esc(nameOf(s))}</b>
      <button type="button" data-register-pdf="${esc(s.id)}">${T("registerPdf")}</button>
      <button type="button" data-labels-pdf="${esc(s.id)}">${T("labelsPdf")}</button></p>`,
    )
    .join("");
}

const disposition = (d) => (d ? t(`d_${d}`) : "–");

function row(tag) {
  const photo = tag.photos.find((sha) => !tag.missing_photos.includes(sha));
  const age = `<span class="${tag.over_limit ? "chip due" : ""}" data-age="${tag.age_days}">${T("rt_age", { n: tag.age_days })}</span>`;
  const closed = tag.status === "closed";
  return `<li class="rtrow${tag.over_limit ? " late" : ""}" data-tag-row="${esc(tag.id)}" data-over-limit="${tag.over_limit}" data-tag-status="${esc(tag.status)}">
    <span class="rtno"><b data-tag-label>${esc(tag.tag_label)}</b>${photo ? `<ul class="pthumbs small">${thumb(photo, `${tag.tag_label} ${tag.item}`)}</ul>` : ""}</span>
    <span class="rtwhat"><span><b>${esc(tag.item)}</b> <span class="muted" data-qty="${tag.qty}">×${tag.qty}</span></span><small>${esc(zoneName(tag.zone_id))} · ${esc(siteName(tag.site_id))}</small>
      <small>${T("rt_reason")}：${esc(tag.reason)}</small></span>
    <span><span>${T("taggedOn", { d: day(tag.tagged_at) })}</span>${age}${tag.over_limit ? `<small class="warn" data-over>${T("rt_overLimit", { n: tag.age_limit_days })}</small>` : ""}</span>
    <span><span class="status rt-${esc(tag.status)}">${T(`rt_s_${tag.status}`)}</span><small>${T("proposedIs", { d: disposition(tag.proposed) })}</small>
      ${closed ? `<small>${T("dispositionIs", { d: disposition(tag.disposition) })} · ${T("closedOn", { d: day(tag.closed_at) })}</small>` : ""}</span></li>`;
}

export const render = screen(async (view) => {
  let chosen = { status: "open" };
  const get = (cursor) =>
    api("GET", `/api/red-tags?${query({ site_id: chosen.site_id, status: chosen.status, over_limit: chosen.over_limit ? "true" : "", limit: 50, cursor })}`);
  let page = await get(null);
  let tags = page.red_tags;
  frame(
    view,
    t("redTagsNav"),
    `<div class="filters" data-filters></div><div class="rtpdfs" data-pdfs></div>
    <p class="qsum" data-tags-shown></p><ol class="rtlist" data-red-tags aria-label="${T("redTagsNav")}"></ol><p data-more></p>`,
  );
  const [box, bar, sum, list, more] = ["[data-filters]", "[data-pdfs]", "[data-tags-shown]", "[data-red-tags]", "[data-more]"].map((s) => view.querySelector(s));
  let unphoto = () => {};
  const draw = () => {
    unphoto();
    box.innerHTML = chips(chosen);
    bar.innerHTML = pdfs(chosen);
    sum.innerHTML = T("tagsShown", { n: tags.length });
    list.innerHTML = tags.map(row).join("") || `<li class="notice" data-tags-empty>${T("tagsEmpty")}</li>`;
    list.dataset.count = String(tags.length);
    more.innerHTML = page.next_cursor ? `<button type="button" data-load-more>${T("loadMore")}</button>` : "";
    unphoto = photos(list);
  };
  draw();
  const reload = async (cursor) => {
    const p = await get(cursor);
    [page, tags] = [p, cursor ? [...tags, ...p.red_tags] : p.red_tags];
    draw();
  };
  view.addEventListener("click", async ({ target }) => {
    const b = target.closest("button");
    if (!b) return;
    if ("filter" in b.dataset) {
      chosen = { ...chosen, [b.dataset.filter]: b.dataset.filterValue };
      await reload(null).catch((err) => toast(err.message));
      box.querySelector(`[data-filter="${b.dataset.filter}"][aria-pressed="true"]`)?.focus();
    } else if ("overLimit" in b.dataset) {
      chosen = { ...chosen, over_limit: !chosen.over_limit };
      await reload(null).catch((err) => toast(err.message));
      box.querySelector("[data-over-limit]")?.focus();
    } else if ("loadMore" in b.dataset) await reload(page.next_cursor).catch((err) => toast(err.message));
    else if (b.dataset.registerPdf) openFile(`/api/sites/${enc(b.dataset.registerPdf)}/red-tags.pdf?${query({ status: chosen.status })}`);
    else if (b.dataset.labelsPdf) openFile(`/api/sites/${enc(b.dataset.labelsPdf)}/red-tags/labels.pdf?status=open`);
  });
  return () => unphoto();
});
