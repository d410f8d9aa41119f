// Lesson panel: vector arithmetic (TransE). A − B + C over a word list, the five nearest
// words with their cosines, and arrows on a 2D map: B → A, and C → the query.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { analogy, shippedVocabulary } from '../lessons/analogy.js';
import { showModelStatus } from '../ui/model-status.js';
import { mountPresetPicker, mountProjectionPicker } from '../ui/picker.js';
import { drawScatter } from '../ui/plots.js';
import { textParam, updateUrl } from '../url-state.js';

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
  let method = 'pca';
  /** The last answer and the preset's expected word, for redrawing. */
  let shown = null;

  showModelStatus($('#analogy-status'), models, () => models.encoder);
  const usePreset = async (preset) => {
    Object.entries(terms).forEach(([key, input]) => (input.value = preset[key]));
    words.value = (await shippedVocabulary(preset.lang)).join(', ');
    shown = { expected: preset.expected };
    updateCount();
  };
  const updateCount = () => ($('#analogy-count').textContent = String(wordsOf(words.value).length));
  words.addEventListener('input', updateCount);
  mountPresetPicker($('#analogy-preset'), presets, usePreset);
  mountProjectionPicker($('#analogy-projection'), (picked) => {
    method = picked;
    if (shown?.answer) run();
  });

  const restored = ['a', 'b', 'c'].map(textParam);
  const initial = presets.find((p) => p.lang === language()) ?? presets[0];
  usePreset(initial).then(() => {
    if (restored.every((v) => v !== null)) ['a', 'b', 'c'].forEach((key, i) => (terms[key].value = restored[i]));
  });

  const draw = () => {
    if (!shown?.answer) return;
    const { results, points } = shown.answer;
    list.replaceChildren(...results.map((r) => element('li', {}, element('span', { className: 'score' }, r.cosine.toFixed(3)), ' ', r.word)));
    const expected = shown.expected;
    const matches = Object.values(terms).every((input, i) => input.value.trim() === shown.terms[i]);
    if (expected && matches) {
      const rank = results.findIndex((r) => r.word === expected);
      verdict.textContent = rank === 0 ? t('analogy.right', { word: expected }) : rank > 0 ? t('analogy.close', { word: expected, rank: rank + 1 }) : t('analogy.wrong', { word: expected });
      verdict.dataset.outcome = rank === 0 ? 'right' : 'wrong';
    } else {
      verdict.textContent = '';
      delete verdict.dataset.outcome;
    }
    const groups = [0, 0, 0, 1, ...results.map(() => 2)];
    drawScatter(map, {
      points: points.labels.map((label, i) => ({ x: points.coords[2 * i], y: points.coords[2 * i + 1], text: label, label, group: groups[i] })),
      arrows: [[1, 0], [2, 3]],
    });
  };

  async function run() {
    const [a, b, c] = Object.values(terms).map((input) => input.value.trim());
    const vocabulary = wordsOf(words.value);
    if (!a || !b || !c) return showNotices(notices, [{ text: t('analogy.missing'), kind: 'error' }]);
    if (vocabulary.length < 2) return showNotices(notices, [{ text: t('analogy.fewWords'), kind: 'error' }]);
    showNotices(notices, [{ text: t('analogy.working', { count: vocabulary.length }) }]);
    await runBusy({ root, button, notices }, async () => {
      const answer = await analogy(models, { a, b, c, words: vocabulary, method });
      shown = { expected: shown?.expected, answer, terms: [a, b, c] };
      showNotices(notices, []);
      updateUrl({ a, b, c });
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
}
