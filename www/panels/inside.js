// Panel "who sees what": one sentence through the page's encoder and decoder side by side —
// each one's attention for a chosen layer and head (or the mean of the heads) as a heatmap and
// as lines, the decoder's empty upper triangle counted in words — and the decoder's logit lens,
// its guess for the next token after every layer. The numbers come from the worker
// (bertVsGpt.attention and .logitLens); this file only draws them.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { mountTextPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { showModelStatus } from '../ui/model-status.js';
import { lessonParams } from '../url-state.js';
import { visibleToken } from '../ui/tokens.js';
import { clearChart, drawAttention, drawBars } from '../ui/plots.js';
import { drawAttentionLines } from '../ui/attention-lines.js';

/** The longest text the views draw (the worker refuses longer: src/models/inside.rs). */
const MAX_TOKENS = 128;
/** Next-token candidates kept per lens cell. */
const LENS_K = 5;
/** Each half's colour, in the diagram, the lines and the headings. */
const COLOURS = { encoder: '#3b6fd8', decoder: '#d8693b' };

/** Cells of `matrix` that are exactly 0: keys the model may not look at. */
const emptyCells = (matrix) => matrix.reduce((count, value) => count + (value === 0), 0);

/** One model's attention views: layer and head menus, heatmap, mask in words, lines. */
class AttentionView {
  #shown = null;

  constructor(root, kind) {
    this.kind = kind;
    const $ = (suffix) => root.querySelector(`#inside-${kind}-${suffix}`);
    Object.assign(this, { name: $('name'), layer: $('layer'), head: $('head'), heatmap: $('heatmap'), mask: $('mask'), lines: $('lines') });
    this.layer.addEventListener('change', () => this.draw());
    this.head.addEventListener('change', () => this.draw());
  }

  /** Shows `attention` ({tokens, layers, heads, weights, meanHeads}) of model `model`. */
  show(attention, model) {
    this.#shown = { ...attention, model, tokens: attention.tokens.map(visibleToken), selected: -1 };
    this.#fillMenus();
    this.draw();
  }

  #fillMenus() {
    const { layers, heads } = this.#shown;
    const layer = Math.min(Number(this.layer.value) || 0, layers - 1);
    const head = this.head.value === '' || Number(this.head.value) >= heads ? 'mean' : this.head.value;
    this.layer.replaceChildren(...Array.from({ length: layers }, (_, i) => element('option', { value: String(i) }, t('inside.layerOption', { layer: i + 1, layers }))));
    this.head.replaceChildren(
      element('option', { value: 'mean' }, t('inside.meanHeads', { heads })),
      ...Array.from({ length: heads }, (_, i) => element('option', { value: String(i) }, t('inside.headOption', { head: i + 1 }))),
    );
    this.layer.value = String(layer);
    this.head.value = head;
    this.layer.disabled = this.head.disabled = false;
  }

  /** The matrix on screen: n × n, `[query * n + key]`. */
  #matrix() {
    const { tokens, heads, weights, meanHeads } = this.#shown;
    const n = tokens.length;
    const layer = Number(this.layer.value);
    if (this.head.value === 'mean') return meanHeads.subarray(layer * n * n, (layer + 1) * n * n);
    const start = (layer * heads + Number(this.head.value)) * n * n;
    return weights.subarray(start, start + n * n);
  }

  draw() {
    if (!this.#shown) return;
    const { tokens, model, selected } = this.#shown;
    const matrix = this.#matrix();
    const n = tokens.length;
    const select = (query) => {
      this.#shown.selected = query;
      this.draw();
    };
    this.name.textContent = t(`inside.${this.kind}Name`, { model });
    drawAttention(this.heatmap, { tokens, matrix, selected, onSelect: select, axisNames: [t('inside.axisKeys'), t('inside.axisQueries')], scaleName: t('inside.scale') });
    drawAttentionLines(this.lines, { tokens, matrix, colour: COLOURS[this.kind], selected, onSelect: select });
    const empty = emptyCells(matrix);
    this.mask.textContent = t(`inside.mask.${this.kind}`, { empty, cells: n * n, triangle: (n * (n - 1)) / 2, tokens: n });
    this.mask.dataset.empty = String(empty);
  }

  /** `{layers, heads}` of `model` when it is the one on screen, else null. */
  shape(model) {
    return this.#shown?.model === model ? { layers: this.#shown.layers, heads: this.#shown.heads } : null;
  }

  /** What the summary says of this model: its name and the empty cells of its first layer. */
  counts() {
    if (!this.#shown) return null;
    const { tokens, meanHeads, model } = this.#shown;
    const n = tokens.length;
    return { model, empty: emptyCells(meanHeads.subarray(0, n * n)), cells: n * n };
  }

  clear() {
    this.#shown = null;
    for (const menu of [this.layer, this.head]) {
      menu.replaceChildren();
      menu.disabled = true;
    }
    clearChart(this.heatmap);
    this.lines.replaceChildren();
    delete this.lines.dataset.drawn;
  }
}

/** A lens cell's colour: pale for an unsure guess, deep for a sure one. */
function lensTint(prob) {
  return `hsl(24 85% ${Math.round(97 - 50 * prob)}%)`;
}

export function mountInsidePanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#inside-input');
  const button = $('#inside-run');
  const stop = $('#inside-stop');
  const notices = $('#inside-notices');
  const lensTable = $('#inside-lens');
  const lensStatus = $('#inside-lens-status');
  const lensCaption = $('#inside-lens-caption');
  const lensBars = $('#inside-lens-bars');
  const views = { encoder: new AttentionView(root, 'encoder'), decoder: new AttentionView(root, 'decoder') };
  /** The lens on screen: {model, tokens, layers, top, selected: [layer, position], layersDone,
   * running}; while it fills, a cell not yet done is null. */
  let lens = null;

  const link = lessonParams('inside');
  const presetMenu = mountTextPresets($('#inside-preset'), presets, { link, name: 'text', input, text: (preset) => preset.text });
  for (const kind of ['encoder', 'decoder']) {
    mountLanguageFit($(`#inside-fit-${kind}`), { models, kind, read: () => input.value, inputs: [input, $('#inside-preset')] });
    showModelStatus($(`#inside-${kind}-status`), models, () => models[kind]);
  }
  /** The diagram names the models in use, with their layers and heads once they have run. */
  const showHalves = () => {
    for (const kind of ['encoder', 'decoder']) {
      const model = models[kind];
      const shape = views[kind].shape(model);
      $(`#inside-half-${kind}-model`).textContent = shape ? t('inside.halfModelShape', { model, ...shape }) : t('inside.halfModel', { model });
    }
  };
  models.addEventListener('encoder', showHalves);
  models.addEventListener('decoder', showHalves);
  showHalves();

  /** The layer from which the lens's guess at `position` is its final one, and stays so. */
  const settledAt = (position) => {
    const { top, layers } = lens;
    const answer = top[layers - 1][position][0].id;
    let layer = layers - 1;
    while (layer > 0 && top[layer - 1][position][0].id === answer) layer--;
    return layer;
  };

  const showCell = (layer, position) => {
    lens.selected = [layer, position];
    for (const cell of lensTable.querySelectorAll('[aria-pressed="true"]')) cell.setAttribute('aria-pressed', 'false');
    lensTable.querySelector(`[data-cell="${layer},${position}"]`)?.setAttribute('aria-pressed', 'true');
    const { top, tokens, layers } = lens;
    const candidates = top[layer][position];
    // The final answer at this position, once its last layer is done (the last position's
    // first; every layer of a position is done by then).
    const answer = top[layers - 1][position]?.[0];
    drawBars(lensBars, {
      labels: candidates.map((c) => visibleToken(c.text)),
      values: candidates.map((c) => c.prob),
      highlight: answer ? candidates.findIndex((c) => c.id === answer.id) : -1,
    });
    const where = { layer: layer + 1, layers, token: visibleToken(tokens[position]) };
    lensCaption.textContent = answer
      ? t('inside.lensCaption', { ...where, answer: visibleToken(answer.text), settled: settledAt(position) + 1 })
      : t('inside.lensCaptionPending', where);
  };

  /** What the status line says of the lens on screen: done, filling, or stopped part way. */
  const lensState = () => {
    const { model, layers, layersDone, running } = lens;
    if (layersDone === layers) return t('inside.lensDone', { model, layers });
    return t(running ? 'inside.lensProgress' : 'inside.lensStopped', { model, done: layersDone, layers });
  };

  /** Draws the grid, the cells not yet done as dots, and the selected cell's top 5. */
  const showLens = () => {
    const { tokens, layers, top, layersDone } = lens;
    const head = element('tr', {}, element('th', { scope: 'col', className: 'corner' }, t('inside.lensCorner')),
      ...tokens.map((token) => element('th', { scope: 'col' }, visibleToken(token))));
    const rows = top.map((cells, layer) => element('tr', { className: layer === layers - 1 ? 'answer' : '' },
      element('th', { scope: 'row' }, layer === layers - 1 ? t('inside.lensLast', { layer: layer + 1 }) : String(layer + 1)),
      ...cells.map((candidates, position) => {
        if (!candidates) return element('td', { className: 'pending', title: t('inside.lensPendingCell') });
        const [best] = candidates;
        const cell = element('button', {
          type: 'button',
          title: `p = ${best.prob.toFixed(3)}`,
          dataset: { cell: `${layer},${position}` },
          onclick: () => showCell(layer, position),
        }, visibleToken(best.text));
        cell.setAttribute('aria-pressed', 'false');
        cell.style.background = lensTint(best.prob);
        if (best.prob > 0.6) cell.style.color = 'white';
        return element('td', {}, cell);
      })));
    // A grid wider than the screen scrolls; one scrolled to its end (as a new grid starts: the
    // last column comes first) stays at its end as the cells fill and widen it.
    const scroller = lensTable.parentElement;
    const atEnd = lensTable.hidden || scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 2;
    lensTable.replaceChildren(element('thead', {}, head), element('tbody', {}, ...rows));
    // `data-layers` once every cell is done; `data-partial` while some are not.
    if (layersDone === layers) {
      lensTable.dataset.layers = String(layers);
      delete lensTable.dataset.partial;
    } else {
      delete lensTable.dataset.layers;
      lensTable.dataset.partial = String(layersDone);
    }
    lensTable.hidden = false;
    if (atEnd) scroller.scrollLeft = scroller.scrollWidth;
    lensStatus.textContent = lensState();
    showCell(...(lens.selected ?? [layers - 1, tokens.length - 1]));
  };

  const clearLens = () => {
    lens = null;
    lensTable.replaceChildren();
    lensTable.hidden = true;
    delete lensTable.dataset.layers;
    delete lensTable.dataset.partial;
    lensCaption.textContent = '';
    clearChart(lensBars);
  };

  /** The token counts of `text` under both models, refused over the views' limit in the page's
   * language (the worker's own refusal is in English, for the scripting hook). */
  async function checkLength(text, encoder, decoder) {
    for (const model of [encoder, decoder]) {
      const { ids } = await models.tokenize(text, model);
      if (ids.length > MAX_TOKENS) throw new Error(t('inside.tooLong', { model, tokens: ids.length, limit: MAX_TOKENS }));
    }
  }

  async function run() {
    showNotices(notices, []);
    const text = input.value;
    if (!text.trim()) {
      showNotices(notices, [{ text: t('inside.empty'), kind: 'error' }]);
      return;
    }
    const encoder = models.encoder;
    const decoder = models.decoder;
    showNotices(notices, [{ text: t('inside.working') }]);
    await runBusy({ root, button, stop, notices }, async (signal) => {
      await checkLength(text, encoder, decoder);
      views.encoder.show(await models.attention(text, encoder), encoder);
      const seen = await models.attention(text, decoder);
      views.decoder.show(seen, decoder);
      const { tokens } = seen;
      showHalves();
      showNotices(notices, []);
      clearLens();
      lensStatus.textContent = t('inside.lensWorking', { model: decoder });
      // Each batch of cells is drawn as it comes: the first is the last position after every
      // layer (where the next word forms), then the rest fill layer by layer.
      const onProgress = ({ kind, total, layersDone, cells }) => {
        if (kind !== 'lens') return;
        const layers = total / tokens.length;
        lens ??= { model: decoder, tokens, layers, top: Array.from({ length: layers }, () => tokens.map(() => null)), layersDone: 0, running: true };
        for (const { layer, position, top } of cells) lens.top[layer][position] = top;
        lens.layersDone = layersDone;
        showLens();
      };
      const done = await models.logitLens(text, LENS_K, decoder, { onProgress, signal });
      lens = { ...lens, ...done, model: decoder, layersDone: done.layers, running: false };
      showLens();
    });
    if (lens?.running) {
      lens.running = false;
      lensStatus.textContent = lensState();
    } else if (!lens) {
      lensStatus.textContent = '';
    }
  }

  button.addEventListener('click', run);
  onLanguageChange(() => {
    showHalves();
    views.encoder.draw();
    views.decoder.draw();
    if (lens) showLens();
  });
  return {
    run,
    reset: () => {
      views.encoder.clear();
      views.decoder.clear();
      showHalves();
      clearLens();
      lensStatus.textContent = '';
      presetMenu.reset();
    },
    summary: () => {
      const [encoder, decoder] = [views.encoder.counts(), views.decoder.counts()];
      if (!encoder || !decoder) return null;
      const said = t('inside.summary', { encoder: encoder.model, encoderEmpty: encoder.empty, decoder: decoder.model, decoderEmpty: decoder.empty, cells: decoder.cells });
      if (!lens) return said;
      const position = lens.tokens.length - 1;
      return `${said} ${t('inside.summaryLens', { answer: visibleToken(lens.top[lens.layers - 1][position][0].text), settled: settledAt(position) + 1, layers: lens.layers })}`;
    },
    link: presetMenu.params,
  };
}
