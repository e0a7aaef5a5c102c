// Check pwa/js/rules.js against tests/vectors/rules.json; exit 1 listing every mismatch.
// Run: node tests/js/check_rules.mjs

import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { dueIds, failingItems, subjectErrors, subjectMissing, submitGaps } from "../../pwa/js/rules.js";

const here = new URL(".", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("../vectors/rules.json", here), "utf8"));
const wrong = [];

for (const v of vectors.submit) {
  const got = {
    missing: submitGaps(v.checklist, v.answers, v.zone_kind),
    fails: failingItems(v.checklist, v.answers, v.zone_kind),
  };
  if (!isDeepStrictEqual(got, v.expected)) {
    wrong.push(`submit ${v.name}: got ${JSON.stringify(got)}, expected ${JSON.stringify(v.expected)}`);
  }
}
for (const v of vectors.subject) {
  const known = new Set(v.staff);
  const got = {
    errors: subjectErrors(v.checklist, v.subject, (id) => known.has(id)).map((e) => [e.path, e.code]),
    missing: subjectMissing(v.checklist, v.subject).map((e) => e.path),
  };
  if (!isDeepStrictEqual(got, v.expected)) {
    wrong.push(`subject ${v.name}: got ${JSON.stringify(got)}, expected ${JSON.stringify(v.expected)}`);
  }
}
for (const v of vectors.due) {
  const got = dueIds(v.checklists, v.audits, v.now, v.offset_minutes);
  if (!isDeepStrictEqual(got, v.expected)) {
    wrong.push(`due ${v.name}: got ${JSON.stringify(got)}, expected ${JSON.stringify(v.expected)}`);
  }
}
if (wrong.length) {
  console.error(wrong.join("\n"));
  process.exit(1);
}
console.log(`ok: ${vectors.submit.length} submit, ${vectors.subject.length} subject and ${vectors.due.length} due vectors`);
