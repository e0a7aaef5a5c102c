// The answer model the runner's parts share. audit.answers holds only the items touched so far,
// so every reader must cope with a missing answer and every writer goes through answerOf().

/** Whether an item counts as done for the tab counts and the card's "answered" look. */
export const answered = (item, a) =>
  Boolean(a && (item.type === "photo" ? (a.photos || []).length : a.value != null));

export const answerOf = (audit, itemId) => (audit.answers[itemId] ||= { value: null, note: "", photos: [] });

/** A control's raw value (a data-value attribute, an input's text) as the item type stores it. */
export function parseValue(item, raw) {
  if (raw === "na" || raw === null) return raw;
  if (item.type === "score") return Number(raw);
  // A half-typed number ("-", "1e") is no answer yet rather than NaN in the score.
  if (item.type === "number") return raw === "" || !Number.isFinite(Number(raw)) ? null : Number(raw);
  if (item.type === "text") return raw === "" ? null : raw;
  return raw;
}
