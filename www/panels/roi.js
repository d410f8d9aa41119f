// Lesson panel: return on investment. One labelled task, solved with embeddings (nearest
// label centroid) and by asking GPT text by text: accuracy, time and FLOPs side by side.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { runRoi } from '../lessons/roi.js';
import { mountPicker } from '../ui/picker.js';
import { choiceParam, updateUrl } from '../url-state.js';

const TASKS = [
  { id: 'en', label: { en: 'English: sport, food, technology', zh: '英文：体育、美食、科技' } },
  { id: 'zh', label: { en: 'Chinese: 体育, 美食, 科技', zh: '中文：体育、美食、科技' } },
];

/** "1.23 GFLOP" */
function formatFlops(flops) {
  const units = [['PFLOP', 1e15], ['TFLOP', 1e12], ['GFLOP', 1e9], ['MFLOP', 1e6]];
  const [unit, size] = units.find(([, size]) => flops >= size) ?? ['FLOP', 1];
  return `${(flops / size).toFixed(2)} ${unit}`;
}

export function mountRoiPanel(root, { models }) {
  const $ = (selector) => root.querySelector(selector);
  const languageSelect = $('#roi-language');
  const button = $('#roi-run');
  const notices = $('#roi-notices');
  const cell = (name) => root.querySelector(`[data-cell="${name}"]`);
  let lang = choiceParam('roi', ['en', 'zh']) ?? language();
  let shown = null;

  mountPicker(languageSelect, TASKS, (task) => (lang = task.id));
  languageSelect.value = lang;

  const draw = () => {
    if (!shown) return;
    for (const side of ['embedding', 'gpt']) {
      const result = shown[side];
      cell(`${side}-accuracy`).textContent = t('roi.accuracyValue', { correct: result.correct, total: result.total, percent: Math.round((100 * result.correct) / result.total) });
      cell(`${side}-ms`).textContent = t('roi.msValue', { ms: Math.round(result.ms).toLocaleString() });
      cell(`${side}-flops`).textContent = formatFlops(result.flops);
    }
    $('#roi-summary').textContent = t('roi.summary', {
      times: (shown.gpt.ms / shown.embedding.ms).toFixed(0),
      flops: (shown.gpt.flops / shown.embedding.flops).toFixed(0),
    });
    $('#roi-models').textContent = t('roi.models', {
      encoder: shown.embedding.model,
      decoder: models.opened(shown.gpt.model)?.name ?? shown.gpt.model,
      mode: t(`roi.mode.${shown.gpt.mode}`),
    });
    $('#roi-answers').replaceChildren(...shown.gpt.answers.map((a) =>
      element('li', { className: a.predicted === a.expected ? 'right' : 'wrong' },
        a.text, ' → ', element('q', {}, a.answer), ` (${a.predicted === null ? '—' : shown.labels[a.predicted]} / ${shown.labels[a.expected]})`)));
  };

  const run = () => runBusy({ root, button, stop: $('#roi-stop'), notices }, async (signal) => {
    for (const td of root.querySelectorAll('[data-cell]')) td.textContent = '…';
    $('#roi-summary').textContent = '';
    updateUrl({ roi: lang });
    shown = await runRoi(models, {
      lang,
      signal,
      onProgress: ({ done, total }) => showNotices(notices, [{ text: t('roi.progress', { done, total }) }]),
    });
    showNotices(notices, []);
    draw();
  });

  button.addEventListener('click', run);
  onLanguageChange(draw);
}
