// The page's state in its URL, so a teacher can share a link to a lesson with its inputs:
// ?lesson=analogy&a=king&b=man&c=woman. Values are checked on the way in: an unknown lesson,
// a number out of range or an over-long text is ignored (the default stays), never trusted.

export const LESSONS = ['encoder', 'decoder', 'surprise', 'analogy', 'keywords', 'compare', 'roi', 'context', 'tokenizers'];
/** Longer texts are not put in (or taken from) the URL. */
const MAX_TEXT = 2000;

const params = () => new URLSearchParams(location.search);

/** A text parameter, or null when absent or too long. */
export function textParam(name) {
  const value = params().get(name);
  return value !== null && value.length <= MAX_TEXT ? value : null;
}

/** A number parameter within [min, max], or null. */
export function numberParam(name, min, max) {
  const raw = params().get(name);
  if (raw === null || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) && value >= min && value <= max ? value : null;
}

/** One of `choices`, or null. */
export function choiceParam(name, choices) {
  const value = params().get(name);
  return choices.includes(value) ? value : null;
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
