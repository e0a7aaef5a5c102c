// The rules the tablet mirrors from the server, besides the score (scoring.js): which items
// apply to a zone, what a submitted audit still lacks (server/checklists/answers.py) and what
// is due on a zone (server/checklists/due.py). tests/vectors/rules.json holds these equal to
// the server's under node and in Chromium; a change here needs the same change there.
//
// Defaults are applied as server/checklists/format.py defines them: a checklist may come with
// fields left out.

import { isFail } from "./scoring.js";

const SCORED = ["score", "pass_fail", "number", "choice"];

export const appliesTo = (item, kind) => !item.zone_kinds || !kind || item.zone_kinds.includes(kind);

/** Sections with only the items this zone's kind uses; sections left empty are dropped. */
export function visibleSections(checklist, kind) {
  return checklist.sections
    .map((s) => ({ ...s, items: s.items.filter((i) => appliesTo(i, kind)) }))
    .filter((s) => s.items.length > 0);
}

export const isRequired = (item) => (item.required == null ? SCORED.includes(item.type) : item.required);
const photoRule = (item) => item.photo || {};
export const photoMax = (item) => (photoRule(item).max == null ? 5 : photoRule(item).max);

// A note of only whitespace is no note; `\s` is the set the server spells out.
export const isBlank = (note) => note == null || /^\s*$/.test(note);

/** What one answer still lacks, in the server's order: "value", then "photos", then "note". */
export function lacks(item, answer) {
  const a = answer || {};
  const photos = (a.photos || []).length > 0;
  const rule = photoRule(item);
  if (item.type === "photo") return (isRequired(item) || rule.required) && !photos ? ["photos"] : [];
  if (a.value == null) return isRequired(item) ? ["value"] : [];
  const out = [];
  const failed = isFail(item, a.value);
  if (!photos && (rule.required || (failed && rule.required_if_fail))) out.push("photos");
  if (failed && item.note_required_if_fail && isBlank(a.note)) out.push("note");
  return out;
}

/** Every gap of a submit over the given (already filtered) sections: {section, item, field}. */
export function missing(sections, answers) {
  const out = [];
  for (const section of sections) {
    for (const item of section.items) {
      for (const field of lacks(item, answers[item.id])) out.push({ section, item, field });
    }
  }
  return out;
}

const ownAnswer = (answers, id) => (answers && Object.hasOwn(answers, id) ? answers[id] : null);

/** [item id, field] for each gap, in checklist order (the vectors' form). */
export function submitGaps(checklist, answers, zoneKind) {
  const sections = visibleSections(checklist, zoneKind);
  const gaps = [];
  for (const section of sections) {
    for (const item of section.items) {
      for (const field of lacks(item, ownAnswer(answers, item.id))) gaps.push([item.id, field]);
    }
  }
  return gaps;
}

/** Ids of the answered items that fail, in checklist order. */
export function failingItems(checklist, answers, zoneKind) {
  const out = [];
  for (const section of visibleSections(checklist, zoneKind)) {
    for (const item of section.items) {
      const a = ownAnswer(answers, item.id);
      if (a && isFail(item, a.value ?? null)) out.push(item.id);
    }
  }
  return out;
}

// ---------------------------------------------------------------- what is due

const DONE = ["submitted", "returned", "approved"];
const DAY_MS = 86400000;

/** Days since 1970-01-01 of an ISO time, at a UTC offset in minutes. */
export const localDay = (iso, offsetMinutes) => Math.floor((Date.parse(iso) + offsetMinutes * 60000) / DAY_MS);

/** The tablet's own UTC offset in minutes (480 in China). */
export const localOffset = (at = new Date()) => -at.getTimezoneOffset();

/**
 * Ids of the checklists ({id, due_every_days}) due now, in the order given: none of the zone's
 * audits of it finished within the last `due_every_days` local calendar days.
 */
export function dueIds(checklists, audits, nowIso, offsetMinutes) {
  const last = new Map();
  for (const a of audits) {
    const at = a.submitted_at || a.started_at;
    if (!DONE.includes(a.status) || !at) continue;
    const day = localDay(at, offsetMinutes);
    last.set(a.checklist_id, Math.max(day, last.has(a.checklist_id) ? last.get(a.checklist_id) : day));
  }
  const today = localDay(nowIso, offsetMinutes);
  return checklists
    .filter((c) => c.due_every_days != null && (!last.has(c.id) || today - last.get(c.id) >= c.due_every_days))
    .map((c) => c.id);
}
