// Panel 3, surprise (teacher forcing): any text in, each token coloured by the probability
// the decoder gave it after the tokens before it; click a token for the alternatives.
import { runBusy } from '../ui/busy.js';
import { showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { mountTextPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { lessonParams } from '../url-state.js';
import { ChipRow, drawCandidates, visibleToken } from '../ui/tokens.js';
import { clearChart } from '../ui/plots.js';

/** Green for expected tokens, red for surprising ones (log-probability 0 … −8 and below). */
function surpriseTint(logprob) {
  const expected = Math.min(1, Math.max(0, 1 + logprob / 8));
  return `hsl(${Math.round(expected * 120)} 75% 80%)`;
}

export function mountSurprisePanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#surprise-input');
  const button = $('#surprise-score');
  const chips = new ChipRow($('#surprise-chips'));
  const summary = $('#surprise-summary');
  const notices = $('#surprise-notices');
  const caption = $('#surprise-caption');
  const bars = $('#surprise-bars');
  /** The last scoring: {tokens, scored, per, selected}. */
  let shown = null;

  const link = lessonParams('surprise');
  const presetMenu = mountTextPresets($('#surprise-preset'), presets, { link, name: 'text', input, text: (preset) => preset.text });
  mountLanguageFit($('#surprise-fit-decoder'), { models, kind: 'decoder', read: () => input.value, inputs: [input, $('#surprise-preset')] });

  const showPosition = (i) => {
    shown.selected = i;
    chips.select(i);
    if (i === 0) {
      caption.textContent = t('surprise.first');
      clearChart(bars);
      return;
    }
    const { scored, per, tokens } = shown;
    const k = i - 1;
    const top = Array.from({ length: per }, (_, j) => ({
      id: scored.topIds[k * per + j],
      text: scored.topTexts[k * per + j],
      prob: Math.exp(scored.topLogprobs[k * per + j]),
    }));
    drawCandidates(bars, top, { id: scored.ids[k], text: tokens[i], prob: Math.exp(scored.logprobs[k]) });
    caption.textContent = t('surprise.caption', { token: visibleToken(tokens[i]), prob: Math.exp(scored.logprobs[k]).toFixed(4) });
  };

  const showSummary = () => {
    if (!shown) return;
    const { logprobs } = shown.scored;
    const mean = logprobs.reduce((sum, lp) => sum + lp, 0) / logprobs.length;
    const worst = logprobs.indexOf(Math.min(...logprobs));
    summary.textContent = t('surprise.summary', {
      count: shown.tokens.length,
      mean: mean.toFixed(2),
      perplexity: Math.exp(-mean).toFixed(1),
      worst: visibleToken(shown.tokens[worst + 1]),
      worstProb: Math.exp(logprobs[worst]).toPrecision(2),
    });
  };

  async function score() {
    showNotices(notices, []);
    if (!input.value.trim()) {
      showNotices(notices, [{ text: t('surprise.empty'), kind: 'error' }]);
      return;
    }
    showNotices(notices, [{ text: t('surprise.working') }]);
    await runBusy({ root, button, notices }, async () => {
      const { ids, tokens } = await models.tokenize(input.value);
      if (ids.length < 2) throw new Error(t('surprise.tooShort'));
      const scored = await models.score(ids, {
        onEvent: (event) => event.kind === 'prefill' && (summary.textContent = t('decoder.prefill', { done: event.done, total: event.total })),
      });
      shown = { tokens, scored, per: scored.topIds.length / scored.ids.length, selected: -1 };
      chips.clear();
      tokens.forEach((piece, i) => chips.add(i, piece, {
        tint: i === 0 ? 'var(--line)' : surpriseTint(scored.logprobs[i - 1]),
        title: i === 0 ? '' : `p = ${Math.exp(scored.logprobs[i - 1]).toFixed(4)}`,
        onClick: () => showPosition(i),
      }));
      showNotices(notices, []);
      showSummary();
      caption.textContent = t('surprise.hint');
    });
  }

  button.addEventListener('click', score);
  onLanguageChange(() => {
    showSummary();
    if (shown?.selected >= 0) showPosition(shown.selected);
    else if (shown) caption.textContent = t('surprise.hint');
  });
  return {
    run: score,
    reset: () => {
      shown = null;
      presetMenu.reset();
    },
    summary: () => summary.textContent || null,
    link: presetMenu.params,
  };
}
