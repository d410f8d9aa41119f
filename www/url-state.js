// The page's state in its URL, so a teacher can share a link to a lesson with its inputs:
// ?lesson=analogy&a=king&b=man&c=woman. Values are checked on the way in: an unknown lesson,
// a number out of range or an over-long text is ignored (the default stays), never trusted, and
// the page says which were ignored.

export const LESSONS = ['encoder', 'decoder', 'surprise', 'analogy', 'keywords', 'compare', 'roi', 'context', 'tokenizers'];
/** Longer texts are not put in (or taken from) the URL. */
const MAX_TEXT = 2000;

const params = () => new URLSearchParams(location.search);

/** Parameters of the page's link that were ignored: [{ name, value, expected }], where
 * `expected` says what would have been accepted ({ kind: 'choice', choices } | { kind: 'range',
 * min, max } | { kind: 'length', max } | { kind: 'threads', max } | { kind: 'decoder' }). The
 * page shows them in one notice, so a mistyped link does not fail silently. */
const ignored = [];

/** Records that parameter `name` (given as `value`) was ignored; returns null. */
export function rejectParam(name, value, expected) {
  if (!ignored.some((entry) => entry.name === name)) ignored.push({ name, value, expected });
  return null;
}

/** The parameters ignored so far. */
export function ignoredParams() {
  return [...ignored];
}

/** A parameter's raw value, or null. */
export function rawParam(name) {
  return params().get(name);
}

/** A text parameter, or null when absent or too long. */
export function textParam(name) {
  const value = params().get(name);
  if (value === null || value.length <= MAX_TEXT) return value;
  return rejectParam(name, value, { kind: 'length', max: MAX_TEXT });
}

/** A number parameter within [min, max], or null. */
export function numberParam(name, min, max) {
  const raw = params().get(name);
  if (raw === null) return null;
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (Number.isFinite(value) && value >= min && value <= max) return value;
  return rejectParam(name, raw, { kind: 'range', min, max });
}

/** One of `choices`, or null. */
export function choiceParam(name, choices) {
  const value = params().get(name);
  if (value === null || choices.includes(value)) return value;
  return rejectParam(name, value, { kind: 'choice', choices });
}

/** Sets (or, for null/undefined, removes) parameters without reloading or adding history. */
export function updateUrl(changes) {
  const next = params();
  for (const [name, value] of Object.entries(changes)) {
    const text = value === null || value === undefined ? null : String(value);
    if (text === null || text.length > MAX_TEXT) next.delete(name);
    else next.set(name, text);
  }
  const query = next.toString();
  history.replaceState(history.state, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
}
