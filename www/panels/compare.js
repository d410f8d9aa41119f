// Lesson panel: encoder vs decoder embeddings. The same labelled sentences mapped by BERT and
// by GPT side by side, with how well each keeps the groups apart.
import { runBusy } from '../ui/busy.js';
import { showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { compareEmbeddings, groupsFromLines } from '../lessons/compare.js';
import { mountPresetPicker, mountProjectionPicker } from '../ui/picker.js';
import { drawScatter, shortLabel } from '../ui/plots.js';
import { textParam, updateUrl } from '../url-state.js';

export function mountComparePanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#compare-input');
  const button = $('#compare-run');
  const notices = $('#compare-notices');
  let method = 'pca';
  let shown = null;

  mountPresetPicker($('#compare-preset'), presets, (preset) => (input.value = preset.groups.map((g) => g.join('\n')).join('\n\n')));
  const initial = presets.find((p) => p.lang === language()) ?? presets[0];
  input.value = textParam('groups') ?? initial.groups.map((g) => g.join('\n')).join('\n\n');
  mountProjectionPicker($('#compare-projection'), (picked) => {
    method = picked;
    if (shown) run();
  });

  const draw = () => {
    if (!shown) return;
    for (const side of ['encoder', 'decoder']) {
      const result = shown.results[side];
      $(`#compare-${side}-caption`).textContent = t(`compare.${side}Caption`, { model: result.model, dim: result.dim });
      drawScatter($(`#compare-${side}-map`), {
        points: shown.texts.map((text, i) => ({ x: result.coords[2 * i], y: result.coords[2 * i + 1], text, label: shortLabel(text, i, 16), group: shown.labels[i] })),
      });
      $(`#compare-${side}-score`).textContent = t('compare.score', {
        silhouette: result.silhouette.toFixed(3),
        accuracy: (result.nearestNeighbourAccuracy * 100).toFixed(0),
        ms: Math.round(result.ms),
      });
    }
  };

  async function run() {
    const { texts, labels } = groupsFromLines(input.value);
    if (new Set(labels).size < 2 || texts.length < 4) return showNotices(notices, [{ text: t('compare.needGroups'), kind: 'error' }]);
    showNotices(notices, [{ text: t('compare.working', { count: texts.length }) }]);
    await runBusy({ root, button, notices }, async () => {
      shown = { texts, labels, results: await compareEmbeddings(models, texts, labels, { method }) };
      showNotices(notices, []);
      updateUrl({ groups: input.value });
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
}
