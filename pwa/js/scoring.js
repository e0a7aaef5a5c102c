// Scoring preview: the same rules as server/checklists/scoring.py, on the JSON form of a checklist.
//
// The server is the authority; this only lets the tablet show the score before syncing. The two
// are held equal by tests/vectors/scoring.json (tests/js/check_vectors.mjs), so the arithmetic
// below keeps the server's order of operations exactly: doubles, checklist order, left to right,
// rounding with Math.floor(x + 0.5). Any change here needs the same change there.
//
// Defaults are applied as server/checklists/format.py defines them, because a checklist may come
// with fields left out.

const NA = "na";

const levels = (item) => (item.max == null ? 4 : Math.trunc(item.max));
const failLevel = (item) => (item.fail_below == null ? levels(item) / 2 : item.fail_below);
const weightOf = (thing) => (thing.weight == null ? 1 : thing.weight);
const appliesTo = (item, zoneKind) =>
  item.zone_kinds == null || zoneKind == null || item.zone_kinds.includes(zoneKind);

// A finite number, else null; booleans and numeric strings are not numbers.
const number = (value) => (typeof value === "number" && Number.isFinite(value) ? value : null);

function scoreValue(item, value) {
  const n = number(value);
  return n !== null && n >= 0 && n <= levels(item) ? n : null;
}

const inRange = (item, n) => (item.min == null || item.min <= n) && (item.max == null || n <= item.max);

function option(item, value) {
  return (item.options || []).find((o) => o.id === value) || null;
}

function topOptionScore(item) {
  let top = 0;
  for (const o of item.options || []) top = Math.max(top, o.score == null ? 0 : o.score);
  return top;
}

/** Whether an answer is a fail; "na", unanswered and invalid values never are. */
export function isFail(item, value) {
  if (value == null || value === NA) return false;
  switch (item.type) {
    case "score": {
      const n = scoreValue(item, value);
      return n !== null && n < failLevel(item);
    }
    case "pass_fail":
      return value === "fail";
    case "number": {
      const n = number(value);
      return n !== null && !inRange(item, n);
    }
    case "choice": {
      const o = option(item, value);
      return o !== null && o.fail === true;
    }
    default:
      return false;
  }
}

/**
 * Whether an answer triggers the checklist's critical_fail rule (is_red_line): any fail of a
 * `critical` item, or a score below the item's `critical_below` (a red line at its worst levels).
 */
export function isRedLine(item, value) {
  if (item.critical === true && isFail(item, value)) return true;
  if (item.critical_below == null || item.type !== "score") return false;
  const n = scoreValue(item, value);
  return n !== null && n < item.critical_below;
}

/** [earned, possible] for one answer, or null when it does not count (see item_points). */
export function itemPoints(item, value) {
  const weight = weightOf(item);
  if (value == null || value === NA || weight === 0) return null;
  switch (item.type) {
    case "score": {
      const n = scoreValue(item, value);
      return n === null ? null : [(n / levels(item)) * weight, weight];
    }
    case "pass_fail":
      if (value !== "pass" && value !== "fail") return null;
      return [value === "pass" ? weight : 0, weight];
    case "number": {
      const n = number(value);
      return n === null ? null : [inRange(item, n) ? weight : 0, weight];
    }
    case "choice": {
      const top = topOptionScore(item);
      const o = option(item, value);
      if (top <= 0 || o === null) return null;
      return [((o.score == null ? 0 : o.score) / top) * weight, weight];
    }
    default:
      return null;
  }
}

const cap = (earned, possible, capPercent) => Math.min(earned, (capPercent / 100) * possible);
const percentOf = (earned, possible) =>
  possible === 0 ? null : Math.floor((earned / possible) * 100 * 10 + 0.5) / 10;
const round2 = (x) => Math.floor(x * 100 + 0.5) / 100;

function bandOf(bands, percent) {
  if (percent === null) return null;
  const band = (bands || []).find((b) => b.min <= percent);
  if (!band) return null;
  return { zh: band.label.zh, en: band.label.en, min: band.min, color: band.color ?? null };
}

/**
 * Score an audit exactly as the server does.
 * @param {object} checklist the checklist JSON
 * @param {Object<string, {value: *}>} answers answers by item id
 * @param {string|null} [zoneKind]
 * @returns {{percent: number|null, earned: number, possible: number, band: object|null,
 *            sections: Object<string, {percent: number|null, earned: number, possible: number}>,
 *            capped_by: string[]}}
 */
export function scoreAudit(checklist, answers, zoneKind = null) {
  const rule = checklist.critical_fail || {};
  const scope = rule.scope ?? "total";
  const capPercent = rule.cap ?? 0;
  let earned = 0;
  let possible = 0;
  const sections = {};
  const cappedBy = [];
  for (const section of checklist.sections) {
    let sectionEarned = 0;
    let sectionPossible = 0;
    let sectionFailed = false;
    for (const item of section.items) {
      if (!appliesTo(item, zoneKind)) continue;
      // Own keys only: an item id like "constructor" must not find Object.prototype's.
      const answer = answers && Object.hasOwn(answers, item.id) ? answers[item.id] : null;
      const value = answer == null || answer.value === undefined ? null : answer.value;
      const points = itemPoints(item, value);
      if (points !== null) {
        sectionEarned += points[0];
        sectionPossible += points[1];
      }
      if (isRedLine(item, value)) {
        cappedBy.push(item.id);
        sectionFailed = true;
      }
    }
    if (sectionFailed && scope === "section") {
      sectionEarned = cap(sectionEarned, sectionPossible, capPercent);
    }
    sections[section.id] = {
      percent: percentOf(sectionEarned, sectionPossible),
      earned: round2(sectionEarned),
      possible: round2(sectionPossible),
    };
    if (checklist.section_weighting === "equal") {
      // Each section by its fraction, so each S weighs the same whatever its item count.
      if (sectionPossible > 0) {
        earned += (sectionEarned / sectionPossible) * weightOf(section);
        possible += weightOf(section);
      }
    } else {
      earned += sectionEarned * weightOf(section);
      possible += sectionPossible * weightOf(section);
    }
  }
  if (cappedBy.length > 0 && scope === "total") earned = cap(earned, possible, capPercent);
  const percent = percentOf(earned, possible);
  return {
    percent,
    earned: round2(earned),
    possible: round2(possible),
    band: bandOf(checklist.bands, percent),
    sections,
    capped_by: cappedBy,
  };
}
