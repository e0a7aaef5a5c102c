// Check pwa/js/scoring.js against tests/vectors/scoring.json; exit 1 on the first mismatch.
//
// Each vector runs twice: as stored (every field present, as the API serves it) and with
// default-valued fields removed, so the defaults applied in JS are checked against format.py too.
// Run: node tests/js/check_vectors.mjs

import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { scoreAudit } from "../../pwa/js/scoring.js";

const here = new URL(".", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("../vectors/scoring.json", here), "utf8"));

// Values format.py would fill in when the field is left out.
const ITEM_DEFAULTS = {
  weight: 1,
  na_allowed: false,
  critical: false,
  note_required_if_fail: false,
  note_required_if_na: false,
};
const CHECKLIST_DEFAULTS = { section_weighting: "items", evidence_below_max: false, appraisal: true };
const SECTION_DEFAULTS = { weight: 1 };

function strip(obj, defaults) {
  const out = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === null || (key in defaults && defaults[key] === value)) continue;
    out[key] = value;
  }
  return out;
}

function withoutDefaults(checklist) {
  const out = strip(checklist, CHECKLIST_DEFAULTS);
  if (out.bands.length === 0) delete out.bands;
  else out.bands = out.bands.map((band) => strip(band, {}));
  const rule = strip(checklist.critical_fail, { scope: "total", cap: 0 });
  if (Object.keys(rule).length === 0) delete out.critical_fail;
  else out.critical_fail = rule;
  out.sections = checklist.sections.map((section) => {
    const s = strip(section, SECTION_DEFAULTS);
    s.items = section.items.map((item) => {
      const i = strip(item, ITEM_DEFAULTS);
      delete i.photo;
      if (i.options) i.options = i.options.map((o) => strip(o, { fail: false }));
      return i;
    });
    return s;
  });
  return out;
}

function firstDifference(actual, expected, path = "$") {
  if (isDeepStrictEqual(actual, expected)) return null;
  if (actual && expected && typeof actual === "object" && typeof expected === "object") {
    for (const key of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
      const diff = firstDifference(actual[key], expected[key], `${path}.${key}`);
      if (diff) return diff;
    }
  }
  return `${path}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
}

let checked = 0;
for (const vector of vectors) {
  for (const [form, checklist] of [
    ["full", vector.checklist],
    ["defaults left out", withoutDefaults(vector.checklist)],
  ]) {
    const actual = scoreAudit(checklist, vector.answers, vector.zone_kind);
    const diff = firstDifference(actual, vector.expected);
    if (diff) {
      console.error(`vector ${JSON.stringify(vector.name)} (${form}): ${diff}`);
      process.exit(1);
    }
    checked += 1;
  }
}
if (vectors.length < 40) {
  console.error(`only ${vectors.length} vectors; expected at least 40`);
  process.exit(1);
}
console.log(`ok: ${vectors.length} vectors, ${checked} runs`);
