// Lesson panel: encoder vs decoder embeddings. The same labelled sentences mapped by BERT and
// by GPT side by side, with how well each keeps the groups apart.
import { runBusy } from '../ui/busy.js';
import { showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { compareEmbeddings, groupsFromLines } from '../lessons/compare.js';
import { PROJECTIONS, mountProjectionPicker } from '../ui/picker.js';
import { mountTextPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { drawLegend, drawScatter, shortLabel } from '../ui/plots.js';
import { lessonParams } from '../url-state.js';

/**
 * The verdict from the two scores. Nearest-neighbour accuracy is what a task built on the vectors
 * would get (find the closest sentence, take its group), so it decides; the silhouette (how far
 * apart the groups sit against how spread each is) decides only a tie.
 */
function compareVerdict(encoder, decoder) {
  const [a, b] = [encoder.nearestNeighbourAccuracy, decoder.nearestNeighbourAccuracy];
  if (a !== b) return a > b ? 'encoderBetter' : 'decoderBetter';
  if (encoder.silhouette === decoder.silhouette) return 'tie';
  return encoder.silhouette > decoder.silhouette ? 'encoderTighter' : 'decoderTighter';
}

export function mountComparePanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#compare-input');
  const button = $('#compare-run');
  const notices = $('#compare-notices');
  const verdict = $('#compare-verdict');
  const link = lessonParams('compare');
  let method = link.choice('proj', PROJECTIONS.map((p) => p.id)) ?? 'pca';
  let shown = null;

  const presetMenu = mountTextPresets($('#compare-preset'), presets, {
    link, name: 'groups', input, text: (preset) => preset.groups.map((g) => g.join('\n')).join('\n\n'),
  });
  for (const kind of ['encoder', 'decoder']) {
    mountLanguageFit($(`#compare-fit-${kind}`), { models, kind, read: () => input.value, inputs: [input, $('#compare-preset')] });
  }
  mountProjectionPicker($('#compare-projection'), (picked) => {
    method = picked;
    if (shown) run();
  }, method);

  const draw = () => {
    if (!shown) return;
    const groups = [...new Set(shown.labels)];
    // Each group is named by its first sentence, in the colour its points have on both maps.
    drawLegend($('#compare-legend'), groups.map((group) => ({
      group,
      text: t('compare.group', { n: group + 1, first: shown.texts[shown.labels.indexOf(group)] }),
    })));
    for (const side of ['encoder', 'decoder']) {
      const result = shown.results[side];
      $(`#compare-${side}-caption`).textContent = t(`compare.${side}Caption`, { model: models.opened(result.model)?.name ?? result.model, dim: result.dim });
      drawScatter($(`#compare-${side}-map`), {
        points: shown.texts.map((text, i) => ({ x: result.coords[2 * i], y: result.coords[2 * i + 1], text, label: shortLabel(text, i, 16), short: String(i + 1), group: shown.labels[i] })),
      });
      $(`#compare-${side}-score`).textContent = t('compare.score', {
        silhouette: result.silhouette.toFixed(3),
        accuracy: (result.nearestNeighbourAccuracy * 100).toFixed(0),
        ms: Math.round(result.ms),
      });
    }
    const { encoder, decoder } = shown.results;
    const outcome = compareVerdict(encoder, decoder);
    verdict.textContent = t(`compare.verdict.${outcome}`, {
      encoder: models.opened(encoder.model)?.name ?? encoder.model,
      decoder: models.opened(decoder.model)?.name ?? decoder.model,
      encoderAccuracy: (encoder.nearestNeighbourAccuracy * 100).toFixed(0),
      decoderAccuracy: (decoder.nearestNeighbourAccuracy * 100).toFixed(0),
      encoderSilhouette: encoder.silhouette.toFixed(3),
      decoderSilhouette: decoder.silhouette.toFixed(3),
    });
    verdict.dataset.outcome = outcome.startsWith('encoder') ? 'right' : outcome === 'tie' ? 'mixed' : 'wrong';
  };

  async function run() {
    const { texts, labels } = groupsFromLines(input.value);
    if (new Set(labels).size < 2 || texts.length < 4) return showNotices(notices, [{ text: t('compare.needGroups'), kind: 'error' }]);
    showNotices(notices, [{ text: t('compare.working', { count: texts.length }) }]);
    await runBusy({ root, button, notices }, async () => {
      shown = { texts, labels, results: await compareEmbeddings(models, texts, labels, { method }) };
      showNotices(notices, []);
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
  return {
    run,
    reset: () => {
      [shown, method] = [null, 'pca'];
      $('#compare-projection').value = method;
      presetMenu.reset();
    },
    summary: () => verdict.textContent || null,
    link: () => ({
      ...presetMenu.params(),
      proj: method === 'pca' ? null : method,
    }),
  };
}
