// The rules the tablet mirrors from the server, besides the score (scoring.js): which items
// apply to a zone, what a submitted audit still lacks and which subject values the server
// would refuse (server/checklists/answers.py), and what is due on a zone
// (server/checklists/due.py). tests/vectors/rules.json holds these equal to the server's under
// node and in Chromium; a change here needs the same change there.
//
// Defaults are applied as server/checklists/format.py defines them: a checklist may come with
// fields left out.

import { isFail, itemPoints } from "./scoring.js";

const SCORED = ["score", "pass_fail", "number", "choice"];
const NA = "na";

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

/** A scored answer earning less than the item's full points, with no photo and no note. */
function belowMax(item, a, photos) {
  const points = itemPoints(item, a.value);
  if (points === null || points[0] >= points[1]) return false;
  return !photos && isBlank(a.note);
}

/**
 * What one answer still lacks, in the server's order (`_missing`): "value", then "photos",
 * then "note". `evidence` is the checklist's evidence_below_max: every deduction needs a photo
 * or a note.
 */
export function lacks(item, answer, evidence = false) {
  const a = answer || {};
  const photos = (a.photos || []).length > 0;
  const rule = photoRule(item);
  if (item.type === "photo") return (isRequired(item) || rule.required) && !photos ? ["photos"] : [];
  if (a.value == null) return isRequired(item) ? ["value"] : [];
  const out = [];
  const failed = isFail(item, a.value);
  const lacksPhoto = !photos && Boolean(rule.required || (failed && rule.required_if_fail));
  if (lacksPhoto) out.push("photos");
  if (failed && item.note_required_if_fail && isBlank(a.note)) out.push("note");
  else if (a.value === NA && item.note_required_if_na && isBlank(a.note)) out.push("note");
  else if (evidence && !lacksPhoto && belowMax(item, a, photos)) out.push("note");
  return out;
}

/**
 * Why an answer's note is asked for, for the card's prompt: "fail" (note_required_if_fail),
 * "na" (note_required_if_na) or "evidence" (evidence_below_max: a photo would do as well).
 */
export function noteReason(item, a) {
  const v = a && a.value != null ? a.value : null;
  if (isFail(item, v) && item.note_required_if_fail) return "fail";
  return v === NA && item.note_required_if_na ? "na" : "evidence";
}

/** Every gap of a submit over the given (already filtered) sections: {section, item, field}. */
export function missing(sections, answers, evidence = false) {
  const out = [];
  for (const section of sections) {
    for (const item of section.items) {
      for (const field of lacks(item, answers[item.id], evidence)) out.push({ section, item, field });
    }
  }
  return out;
}

const ownAnswer = (answers, id) => (answers && Object.hasOwn(answers, id) ? answers[id] : null);

/** [item id, field] for each gap, in checklist order (the vectors' form). */
export function submitGaps(checklist, answers, zoneKind) {
  const sections = visibleSections(checklist, zoneKind);
  const evidence = checklist.evidence_below_max === true;
  const gaps = [];
  for (const section of sections) {
    for (const item of section.items) {
      for (const field of lacks(item, ownAnswer(answers, item.id), evidence)) gaps.push([item.id, field]);
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

// ---------------------------------------------------------------- subject fields

// The server's subject checks (answers.py: subject_problem, subject_errors, subject_missing).
// Each problem is a code the screens word in the officer's language:
// "number", "text", "length", "pattern", "date", "option", "staff", "unknown".

const patterns = new Map(); // pattern -> RegExp, or null where JavaScript cannot compile it

function compiled(pattern) {
  if (!patterns.has(pattern)) {
    let re = null;
    try {
      re = new RegExp("^(?:" + pattern + ")$");
    } catch {
      re = null; // the server's word alone then: the tablet does not guess
    }
    patterns.set(pattern, re);
  }
  return patterns.get(pattern);
}

// A number the server takes (answers.py `_is_number`): finite, and not an integer past 1e15,
// which JSON.stringify writes as a JSON integer (up to 1e21) that the server refuses.
const isNumber = (v) =>
  typeof v === "number" && Number.isFinite(v) && !(Number.isInteger(v) && Math.abs(v) > 1e15 && Math.abs(v) < 1e21);

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` naming a real day (years 1 to 9999, as Python's date). */
export function isDate(v) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && leap ? 29 : DAYS[mo - 1]);
}

/** Why `value` can never fill `field` (`isStaff(id)`: a staff member the tablet knows), or null. */
export function subjectProblem(field, value, isStaff) {
  if (value == null) return null;
  if (field.type === "number") return isNumber(value) ? null : "number";
  if (typeof value !== "string") return "text";
  switch (field.type) {
    case "text": {
      if ([...value].length > 200) return "length"; // code points, as Python's len()
      const re = field.pattern ? compiled(field.pattern) : null;
      return re && !re.test(value) ? "pattern" : null;
    }
    case "date":
      return isDate(value) ? null : "date";
    case "choice":
      return (field.options || []).some((o) => o.id === value) ? null : "option";
    default:
      return isStaff(value) ? null : "staff";
  }
}

/**
 * Subject values the server would refuse, draft or not: {id, path, code} in the subject's own
 * key order (the server's is the body's; they differ only for all-digit keys, which JavaScript
 * puts first).
 */
export function subjectErrors(checklist, subject, isStaff) {
  const fields = new Map((checklist.subject || []).map((f) => [f.id, f]));
  const out = [];
  for (const [id, value] of Object.entries(subject || {})) {
    const field = fields.get(id);
    const code = field ? subjectProblem(field, value, isStaff) : "unknown";
    if (code) out.push({ id, path: `$.subject.${id}`, code });
  }
  return out;
}

/** Required subject fields left empty (only a submit needs them): {id, path}, in field order. */
export function subjectMissing(checklist, subject) {
  const out = [];
  for (const f of checklist.subject || []) {
    const v = subject && Object.hasOwn(subject, f.id) ? subject[f.id] : null;
    if (f.required === true && (v == null || v === "")) out.push({ id: f.id, path: `$.subject.${f.id}` });
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
