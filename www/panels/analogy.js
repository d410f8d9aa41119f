// Lesson panel: vector arithmetic (TransE). A − B + C over a word list, the five nearest
// words with their cosines, and arrows on a 2D map: B → A, and C → the query.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { analogy, shippedVocabulary } from '../lessons/analogy.js';
import { showModelStatus } from '../ui/model-status.js';
import { PROJECTIONS, mountProjectionPicker } from '../ui/picker.js';
import { mountPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { drawScatter } from '../ui/plots.js';
import { lessonParams } from '../url-state.js';

/** Words of a textarea: one per line or separated by commas (，、 too). */
function wordsOf(text) {
  return text.split(/[\n,，、]+/).map((w) => w.trim()).filter(Boolean);
}

export function mountAnalogyPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const terms = { a: $('#analogy-a'), b: $('#analogy-b'), c: $('#analogy-c') };
  const words = $('#analogy-words');
  const button = $('#analogy-run');
  const notices = $('#analogy-notices');
  const list = $('#analogy-results');
  const verdict = $('#analogy-verdict');
  const map = $('#analogy-map');
  const link = lessonParams('analogy');
  let method = link.choice('proj', PROJECTIONS.map((p) => p.id)) ?? 'pca';
  /** The last answer and the preset it answered (whose `expected` words judge it), for redrawing. */
  let shown = null;

  showModelStatus($('#analogy-status'), models, () => models.encoder);
  const updateCount = () => ($('#analogy-count').textContent = String(wordsOf(words.value).length));
  words.addEventListener('input', updateCount);
  /** The shipped word list of the preset's language, unless the reader typed their own. */
  let ownWords = false;
  words.addEventListener('input', () => (ownWords = true));
  const fillWords = async (lang) => {
    if (ownWords) return;
    words.value = (await shippedVocabulary(lang)).join(', ');
    updateCount();
  };
  const restored = ['a', 'b', 'c'].map(link.text);
  const restoredWords = link.text('words');
  if (restoredWords !== null) {
    words.value = restoredWords;
    ownWords = true;
  }
  const presetMenu = mountPresets($('#analogy-preset'), presets, {
    apply: (preset) => {
      Object.entries(terms).forEach(([key, input]) => (input.value = preset[key]));
      fillWords(preset.lang);
    },
    inputs: Object.values(terms),
    linked: link.text('preset'),
    restored: restored.every((v) => v !== null),
    // An edit makes the preset's expected answer meaningless: its verdict goes.
    onChange: () => draw(),
  });
  if (restored.every((v) => v !== null)) ['a', 'b', 'c'].forEach((key, i) => (terms[key].value = restored[i]));
  mountLanguageFit($('#analogy-fit-encoder'), { models, kind: 'encoder', read: () => Object.values(terms).map((input) => input.value).join(' '), inputs: [...Object.values(terms), $('#analogy-preset')] });
  fillWords(presetMenu.current()?.lang ?? language());
  updateCount();
  mountProjectionPicker($('#analogy-projection'), (picked) => {
    method = picked;
    if (shown?.answer) run();
  }, method);

  /** The verdict: only for a preset's own terms, against its accepted answers. */
  function judge() {
    const preset = presetMenu.current();
    const sameTerms = preset && shown.terms.every((term, i) => term === preset[['a', 'b', 'c'][i]]);
    if (!sameTerms || !preset.expected) return null;
    const rank = shown.answer.results.findIndex((r) => preset.expected.includes(r.word));
    const word = rank >= 0 ? shown.answer.results[rank].word : preset.expected.join(t('analogy.or'));
    if (rank === 0) return { outcome: 'right', text: t('analogy.right', { word }) };
    if (rank > 0) return { outcome: 'close', text: t('analogy.close', { word, rank: rank + 1, first: shown.answer.results[0].word }) };
    return { outcome: 'wrong', text: t('analogy.wrong', { word }) };
  }

  function draw() {
    if (!shown?.answer) return;
    const { results, points } = shown.answer;
    list.replaceChildren(...results.map((r) => element('li', {}, element('span', { className: 'score' }, r.cosine.toFixed(3)), ' ', r.word)));
    const judged = judge();
    verdict.textContent = judged?.text ?? '';
    if (judged) verdict.dataset.outcome = judged.outcome;
    else delete verdict.dataset.outcome;
    const groups = [0, 0, 0, 1, ...results.map(() => 2)];
    drawScatter(map, {
      points: points.labels.map((label, i) => ({ x: points.coords[2 * i], y: points.coords[2 * i + 1], text: label, label, group: groups[i] })),
      arrows: [[1, 0], [2, 3]],
    });
  }

  async function run() {
    const [a, b, c] = Object.values(terms).map((input) => input.value.trim());
    const vocabulary = wordsOf(words.value);
    if (!a || !b || !c) return showNotices(notices, [{ text: t('analogy.missing'), kind: 'error' }]);
    if (vocabulary.length < 2) return showNotices(notices, [{ text: t('analogy.fewWords'), kind: 'error' }]);
    showNotices(notices, [{ text: t('analogy.working', { count: vocabulary.length }) }]);
    await runBusy({ root, button, notices }, async () => {
      const answer = await analogy(models, { a, b, c, words: vocabulary, method });
      shown = { answer, terms: [a, b, c] };
      showNotices(notices, []);
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
  return {
    run,
    reset: () => {
      [ownWords, shown, method] = [false, null, 'pca'];
      $('#analogy-projection').value = method;
      presetMenu.reset();
    },
    summary: () => (shown?.answer ? [`${shown.terms[0]} − ${shown.terms[1]} + ${shown.terms[2]} ≈ ${shown.answer.results[0].word}.`, verdict.textContent].join(' ').trim() : null),
    link: () => {
      const preset = presetMenu.current();
      return {
        preset: preset?.id ?? null,
        ...Object.fromEntries(Object.entries(terms).map(([key, input]) => [key, preset ? null : input.value])),
        words: ownWords ? words.value : null,
        proj: method === 'pca' ? null : method,
      };
    },
  };
}
