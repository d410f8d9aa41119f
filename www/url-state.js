// The page's state in its URL, so a teacher can share a link to a lesson with its inputs:
// ?lesson=analogy&a=king&b=man&c=woman. Values are checked on the way in: an unknown lesson,
// a number out of range or an over-long text is ignored (the default stays), never trusted, and
// the page says which were ignored.

/** The lessons; the first is what a link without `lesson` opens. The guided path's order is in
 * main.js (PATH). */
export const LESSONS = ['encoder', 'decoder', 'surprise', 'inside', 'analogy', 'keywords', 'compare', 'roi', 'classify', 'context', 'tokenizers', 'intro', 'summary'];
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
function numberParam(name, min, max) {
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

/** Each lesson's own parameters (docs/links.md says what each holds). Only the lesson on
 * screen keeps its own in the URL, so a link says what is on screen and no more. */
const LESSON_PARAMS = {
  encoder: ['preset', 'texts', 'proj'],
  decoder: ['preset', 'prompt', 'chat', 'temperature', 'topk', 'topp', 'seed', 'repeat', 'max'],
  surprise: ['preset', 'text'],
  inside: ['preset', 'text'],
  analogy: ['preset', 'a', 'b', 'c', 'words', 'proj'],
  keywords: ['preset', 'doc', 'diversity'],
  compare: ['preset', 'groups', 'proj'],
  roi: ['roi', 'ask'],
  classify: ['data', 'texts', 'split', 'seed', 'methods', 'shots', 'chat', 'epochs', 'l2', 'digits', 'questions', 'ops'],
  context: ['preset', 'ctx', 'lengths'],
  tokenizers: ['preset', 'tok'],
  intro: [],
  summary: [],
};

/** The lesson the link names, or the first. */
export function linkedLesson() {
  return choiceParam('lesson', LESSONS) ?? LESSONS[0];
}

/** Readers of `lesson`'s own parameters, which answer null unless the link is for that lesson;
 * `given` says whether the link sets any of them (then the page runs the lesson on opening). */
export function lessonParams(lesson) {
  const mine = linkedLesson() === lesson;
  return {
    given: mine && LESSON_PARAMS[lesson].some((name) => params().has(name)),
    text: (name) => (mine ? textParam(name) : null),
    number: (name, min, max) => (mine ? numberParam(name, min, max) : null),
    choice: (name, choices) => (mine ? choiceParam(name, choices) : null),
  };
}

function setParams(next, changes) {
  for (const [name, value] of Object.entries(changes)) {
    const text = value === null || value === undefined ? null : String(value);
    if (text === null || text.length > MAX_TEXT) next.delete(name);
    else next.set(name, text);
  }
  return next;
}

function writeUrl(next, push) {
  const query = next.toString();
  const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(history.state, '', url);
}

/** Sets (or, for null/undefined, removes) parameters without reloading or adding history. */
export function updateUrl(changes) {
  writeUrl(setParams(params(), changes), false);
}

/** Makes the URL show `lesson` with its inputs `values` ({name: value | null}) and no other
 * lesson's parameters; `push` makes it a new history entry (a switch of lesson). */
export function linkLesson(lesson, values, { push = false } = {}) {
  const next = params();
  for (const [other, names] of Object.entries(LESSON_PARAMS)) {
    if (other !== lesson) for (const name of names) if (!LESSON_PARAMS[lesson].includes(name)) next.delete(name);
  }
  for (const name of LESSON_PARAMS[lesson]) if (!(name in values)) next.delete(name);
  setParams(next, { lesson: lesson === LESSONS[0] ? null : lesson, ...values });
  if (push && next.toString() === params().toString()) return;
  writeUrl(next, push);
}
