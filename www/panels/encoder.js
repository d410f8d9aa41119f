// Panel 1, the encoder: sentences in, a cosine heatmap and a 2D PCA map out; click a point
// for its nearest neighbours. All maths happens in the worker (Rust); this file only shows.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { showModelStatus } from '../ui/model-status.js';
import { drawHeatmap, drawScatter, shortLabel } from '../ui/plots.js';
import { PROJECTIONS, mountProjectionPicker } from '../ui/picker.js';
import { mountTextPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { lessonParams } from '../url-state.js';

/** More lines than this make an unreadable map and heatmap. */
const MAX_LINES = 200;
const NEIGHBOURS = 5;

/** The non-blank lines of `text`, with their 1-based line numbers. */
function linesToEmbed(text) {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ line: index + 1, text: line }))
    .filter(({ text }) => text.trim() !== '');
}

/** The most and the least similar pair of different sentences: `{closest, farthest}`, each
 * `[i, j, cosine]`, read off the n × n cosine matrix. */
function extremePairs(matrix, n) {
  let closest = null;
  let farthest = null;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const value = matrix[i * n + j];
      if (!closest || value > closest[2]) closest = [i, j, value];
      if (!farthest || value < farthest[2]) farthest = [i, j, value];
    }
  }
  return { closest, farthest };
}

export function mountEncoderPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#encoder-input');
  const button = $('#encoder-embed');
  const notices = $('#encoder-notices');
  const mapElement = $('#encoder-map');
  const heatmapElement = $('#encoder-heatmap');
  const caption = $('#encoder-variance');
  const neighboursElement = $('#encoder-neighbours');
  /** The last result, kept for neighbour queries and for redrawing in another language. */
  let shown = null;
  let method = 'pca';

  showModelStatus($('#encoder-status'), models, () => models.encoder);

  const link = lessonParams('encoder');
  const presetMenu = mountTextPresets($('#encoder-preset'), presets, { link, name: 'texts', input, text: (preset) => preset.texts.join('\n') });
  mountLanguageFit($('#encoder-fit-encoder'), { models, kind: 'encoder', read: () => input.value, inputs: [input, $('#encoder-preset')] });
  method = link.choice('proj', PROJECTIONS.map((p) => p.id)) ?? method;

  const drawMap = () => {
    if (!shown) return;
    const { texts, projection, selected, neighbours } = shown;
    const near = new Set(neighbours?.indices ?? []);
    drawScatter(mapElement, {
      points: texts.map((text, i) => ({
        x: projection.coords[2 * i],
        y: projection.coords[2 * i + 1],
        text,
        label: shortLabel(text, i),
        short: String(i + 1),
        group: i === selected ? 1 : near.has(i) ? 2 : 0,
      })),
      axisNames: method === 'pca' ? ['PC1', 'PC2'] : ['', ''],
      selected,
      onSelect: showNeighbours,
    });
  };

  const drawCaptions = () => {
    if (!shown) return;
    const { extremes } = shown;
    $('#encoder-verdict').textContent = extremes
      ? t('encoder.verdict', {
          a: shown.texts[extremes.closest[0]], b: shown.texts[extremes.closest[1]], high: extremes.closest[2].toFixed(2),
          c: shown.texts[extremes.farthest[0]], d: shown.texts[extremes.farthest[1]], low: extremes.farthest[2].toFixed(2),
        })
      : '';
    const [pc1, pc2] = Array.from(shown.projection.explained, (v) => v * 100);
    caption.textContent = shown.texts.length < 3
      ? t('encoder.fewForMap')
      : pc1 === undefined
      ? t('encoder.tsne')
      : t('encoder.variance', { pc1: pc1.toFixed(1), pc2: pc2.toFixed(1), total: (pc1 + pc2).toFixed(1) });
    if (shown.selected < 0) {
      neighboursElement.replaceChildren(element('p', { className: 'hint' }, t('encoder.clickHint')));
      return;
    }
    const { indices, scores } = shown.neighbours;
    neighboursElement.replaceChildren(
      element('p', {}, t('encoder.neighbours', { text: shown.texts[shown.selected] })),
      element('ol', {}, ...Array.from(indices, (index, k) =>
        element('li', {}, element('span', { className: 'score' }, scores[k].toFixed(3)), ' ', shown.texts[index]))),
    );
  };

  async function showNeighbours(index) {
    const { vectors, dim } = shown;
    const neighbours = await models.client.call('neighbours', { vectors, dim, index, k: NEIGHBOURS });
    Object.assign(shown, { selected: index, neighbours });
    drawMap();
    drawCaptions();
  }

  async function embed() {
    let lines = linesToEmbed(input.value);
    const messages = [];
    if (lines.length === 0) {
      showNotices(notices, [{ text: t('notice.allBlank'), kind: 'error' }]);
      return;
    }
    if (lines.length > MAX_LINES) {
      lines = lines.slice(0, MAX_LINES);
      messages.push({ text: t('notice.tooMany', { max: MAX_LINES }) });
    }
    const texts = lines.map((l) => l.text);
    showNotices(notices, [...messages, { text: t('encoder.embedding', { count: texts.length }) }]);
    await runBusy({ root, button, notices }, async () => {
      const started = performance.now();
      const out = await models.embed(texts, models.encoder);
      const ms = Math.round(performance.now() - started);
      const { vectors, dim } = out;
      const [projection, similarity] = await Promise.all([
        models.client.call('project', { vectors, dim, method }),
        models.client.call('similarity', { vectors, dim }),
      ]);
      shown = { texts, vectors, dim, projection, selected: -1, neighbours: null };
      lines.forEach(({ line }, i) => {
        if (out.truncated[i]) messages.push({ text: t('notice.truncated', { line, max: out.maxTokens }) });
      });
      showNotices(notices, [...messages, { text: t(texts.length === 1 ? 'encoder.embeddedOne' : 'encoder.embedded', { count: texts.length, ms }) }]);
      drawMap();
      shown.extremes = texts.length >= 2 ? extremePairs(similarity, texts.length) : null;
      drawHeatmap(heatmapElement, { labels: texts.map(shortLabel), texts, matrix: similarity });
      drawCaptions();
    });
  }

  mountProjectionPicker($('#encoder-projection'), async (picked) => {
    method = picked;
    if (!shown) return;
    const { vectors, dim } = shown;
    shown.projection = await models.client.call('project', { vectors, dim, method });
    drawMap();
    drawCaptions();
  }, method);
  button.addEventListener('click', embed);
  onLanguageChange(drawCaptions);
  return {
    run: embed,
    reset: () => {
      [shown, method] = [null, 'pca'];
      $('#encoder-projection').value = method;
      presetMenu.reset();
    },
    summary: () => $('#encoder-verdict').textContent || null,
    link: () => ({
      ...presetMenu.params(),
      proj: method === 'pca' ? null : method,
    }),
  };
}
