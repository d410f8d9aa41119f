// Lesson panel: the context limit. Token counts under each tokenizer against BERT's 256 and
// GPT's 8,192, and the measured time per generated token as the context grows.
import { runBusy } from '../ui/busy.js';
import { showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { contextCost } from '../lessons/context.js';
import { mountTextPresets } from '../ui/presets.js';
import { lessonParams, rejectParam } from '../url-state.js';
import { drawBars, drawLine } from '../ui/plots.js';

/** "64, 256, 1024" → [64, 256, 1024]; whole numbers from 1 to 8192 only. */
function parseLengths(text) {
  const values = text.split(/[\s,，]+/).filter(Boolean).map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1 || v > 8192)) return null;
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Slower by more than this from the shortest context to the longest counts as slower. */
const CLEAR_SLOWDOWN = 1.15;

/** What the timings show, in a sentence (empty with fewer than two). */
function trend(timings) {
  if (timings.length < 2) return '';
  const [first, last] = [timings[0], timings.at(-1)];
  const ratio = last.msPerToken / first.msPerToken;
  const percent = Math.round((ratio - 1) * 100);
  return t(ratio > CLEAR_SLOWDOWN ? 'context.slower' : 'context.flat', {
    first: first.msPerToken.toFixed(1),
    last: last.msPerToken.toFixed(1),
    from: first.context.toLocaleString(),
    to: last.context.toLocaleString(),
    change: `${percent >= 0 ? '+' : '−'}${Math.abs(percent)}%`,
  });
}

export function mountContextPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#context-input');
  const lengths = $('#context-lengths');
  const button = $('#context-run');
  const notices = $('#context-notices');
  let shown = null;

  const link = lessonParams('context');
  const presetMenu = mountTextPresets($('#context-preset'), presets, { link, name: 'ctx', input, text: (preset) => preset.text.repeat(preset.repeat ?? 1) });
  const linkedLengths = link.text('lengths');
  if (linkedLengths !== null) {
    if (parseLengths(linkedLengths)) lengths.value = linkedLengths;
    else rejectParam('lengths', linkedLengths, { kind: 'lengths' });
  }

  const draw = () => {
    if (!shown) return;
    const { encoder, decoder, timings } = shown;
    $('#context-counts').textContent = t('context.counts', {
      bert: encoder.tokens.toLocaleString(), bertLimit: encoder.limit, bertRead: Math.min(encoder.tokens, encoder.limit).toLocaleString(),
      gpt: decoder.tokens.toLocaleString(), gptLimit: decoder.limit.toLocaleString(),
      gptFits: decoder.tokens < decoder.limit ? t('context.fits') : t('context.overflows'),
    });
    $('#context-capped').hidden = !(decoder.trainedLimit > decoder.limit);
    const mb = (tokens) => Math.round((tokens * decoder.kvBytesPerToken) / 1e6).toLocaleString();
    $('#context-capped').textContent = decoder.trainedLimit > decoder.limit
      ? [
          t('context.capped', {
            model: models.opened(decoder.model)?.name ?? decoder.model,
            trained: decoder.trainedLimit.toLocaleString(),
            limit: decoder.limit.toLocaleString(),
            perToken: (decoder.kvBytesPerToken / 1e3).toFixed(1),
            capped: mb(decoder.limit),
            full: mb(decoder.trainedLimit),
          }),
          decoder.architecture === 'gemma3' ? t('context.localWindow') : '',
        ].join(' ')
      : '';
    drawBars($('#context-bars'), {
      labels: [t('context.bertText'), t('context.bertLimit'), t('context.gptText'), t('context.gptLimit')],
      values: [encoder.tokens, encoder.limit, decoder.tokens, decoder.limit],
      highlight: encoder.tokens > encoder.limit ? 0 : -1,
      log: true,
      format: (v) => Math.round(v).toLocaleString(),
    });
    $('#context-trend').textContent = trend(timings);
    drawLine($('#context-time'), {
      xs: timings.map((m) => m.context),
      ys: timings.map((m) => m.msPerToken),
      xName: t('context.xAxis'),
      yName: t('context.yAxis'),
    });
  };

  async function run() {
    const contextLengths = parseLengths(lengths.value);
    if (!input.value.trim()) return showNotices(notices, [{ text: t('context.empty'), kind: 'error' }]);
    if (!contextLengths) return showNotices(notices, [{ text: t('context.badLengths'), kind: 'error' }]);
    await runBusy({ root, button, stop: $('#context-stop'), notices }, async (signal) => {
      shown = await contextCost(models, input.value, {
        contextLengths,
        signal,
        onProgress: ({ context, done, total }) => showNotices(notices, [{ text: t('context.progress', { context, done, total }) }]),
      });
      showNotices(notices, []);
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
  return {
    run,
    costly: true,
    reset: () => {
      shown = null;
      presetMenu.reset();
    },
    summary: () => [$('#context-counts').textContent, $('#context-trend').textContent].join(' ').trim() || null,
    link: () => ({
      ...presetMenu.params(),
      lengths: lengths.value === lengths.defaultValue ? null : lengths.value,
    }),
  };
}
