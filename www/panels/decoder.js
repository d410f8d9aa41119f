// Panel 2, the decoder: a prompt in, tokens out one at a time as chips; click a chip to see
// the ten tokens the model weighed at that step. Generate runs to the end, Step adds one
// token per click, Stop ends the run between two tokens.
import { showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { showModelStatus } from '../ui/model-status.js';
import { DECODER } from '../models.js';
import { mountPresetPicker } from '../ui/picker.js';
import { drawCandidates, selectChip, tokenChip, visibleToken } from '../ui/tokens.js';

/** Reads a number input, clamped to its min/max; the default when empty. */
function numberFrom(input, fallback) {
  const value = input.valueAsNumber;
  if (!Number.isFinite(value)) return fallback;
  return Math.min(Number(input.max || Infinity), Math.max(Number(input.min || -Infinity), value));
}

/** Chip background: the more probable, the deeper the blue. */
function probabilityTint(prob) {
  return `hsl(220 80% ${Math.round(96 - 36 * prob)}%)`;
}

export function mountDecoderPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const prompt = $('#decoder-prompt');
  const chat = $('#decoder-chat');
  const fields = {
    temperature: $('#decoder-temperature'),
    topK: $('#decoder-top-k'),
    topP: $('#decoder-top-p'),
    seed: $('#decoder-seed'),
    maxNewTokens: $('#decoder-max'),
  };
  const buttons = { generate: $('#decoder-generate'), step: $('#decoder-step'), stop: $('#decoder-stop') };
  const chips = $('#decoder-chips');
  const output = $('#decoder-output');
  const stats = $('#decoder-stats');
  const notices = $('#decoder-notices');
  const caption = $('#decoder-step-caption');
  const bars = $('#decoder-bars');

  /** The current or last run: {handle, steps, paused, promptTokens, started, firstAt, result}. */
  let run = null;
  let shownStep = null;

  showModelStatus($('#decoder-status'), models, DECODER);
  mountPresetPicker($('#decoder-preset'), presets, (preset) => {
    prompt.value = preset.prompt;
    chat.checked = preset.chat;
  });
  if (!prompt.value) {
    prompt.value = presets[0].prompt;
    chat.checked = presets[0].chat;
  }

  const options = () => ({
    chat: chat.checked,
    temperature: numberFrom(fields.temperature, 0),
    topK: Math.round(numberFrom(fields.topK, 0)),
    topP: numberFrom(fields.topP, 1),
    seed: Math.round(numberFrom(fields.seed, 42)),
    maxNewTokens: Math.round(numberFrom(fields.maxNewTokens, 64)),
  });

  const setBusy = (busy) => {
    for (const input of [prompt, chat, ...Object.values(fields)]) input.disabled = busy;
    buttons.stop.disabled = !busy;
    buttons.generate.disabled = busy && !run?.paused;
    buttons.step.disabled = busy && !run?.paused;
    root.toggleAttribute('aria-busy', busy && !run?.paused);
  };

  const showStats = () => {
    if (!run) return;
    const { result } = run;
    const parts = [t('decoder.promptTokens', { count: run.promptTokens ?? '…' })];
    const ttft = result?.msToFirstToken ?? (run.firstAt ? run.firstAt - run.started : null);
    if (ttft !== null) parts.push(t('decoder.firstToken', { ms: Math.round(ttft) }));
    const rate = result?.tokensPerSecond ?? (run.steps.length > 1 ? (run.steps.length - 1) / ((performance.now() - run.firstAt) / 1000) : null);
    if (rate) parts.push(t('decoder.rate', { rate: rate.toFixed(1) }));
    parts.push(t('decoder.generated', { count: run.steps.length }));
    if (result) parts.push(t(`finish.${result.finishReason}`));
    else if (run.paused) parts.push(t('decoder.paused'));
    stats.textContent = parts.join(' · ');
  };

  const showStep = (index) => {
    shownStep = index;
    const step = run?.steps[index] ?? null;
    if (!step) return;
    selectChip(chips.children[index]);
    drawCandidates(bars, step.top, { id: step.id, text: step.piece, prob: step.prob });
    caption.textContent = t('decoder.stepCaption', { n: index + 1, token: visibleToken(step.piece), prob: step.prob.toFixed(3) });
  };

  const addChip = (step) => {
    const index = run.steps.length - 1;
    chips.append(tokenChip(step.piece, {
      tint: probabilityTint(step.prob),
      title: `p = ${step.prob.toFixed(3)}`,
      onClick: () => showStep(index),
    }));
    output.textContent += step.text;
  };

  function start(paused) {
    chips.replaceChildren();
    output.textContent = '';
    caption.textContent = '';
    showNotices(notices, []);
    const handle = models.generate(prompt.value, options(), {
      paused,
      onEvent: (event) => {
        if (event.kind === 'prefill') {
          run.promptTokens = event.total;
          stats.textContent = t('decoder.prefill', { done: event.done, total: event.total });
        } else if (event.kind === 'token') {
          run.firstAt ??= performance.now();
          run.steps.push(event.step);
          addChip(event.step);
          if (run.paused || shownStep === null || shownStep === run.steps.length - 2) showStep(run.steps.length - 1);
          showStats();
        } else if (event.kind === 'paused') {
          run.paused = true;
          setBusy(true);
          showStats();
        }
      },
    });
    run = { handle, steps: [], paused: false, promptTokens: null, started: performance.now(), firstAt: null, result: null };
    shownStep = null;
    setBusy(true);
    handle.result
      .then((result) => {
        Object.assign(run, { result, promptTokens: result.promptTokens });
        output.textContent = result.text;
        showStats();
      })
      .catch((error) => showNotices(notices, [{ text: error.message, kind: 'error' }]))
      .finally(() => {
        run.paused = false;
        setBusy(false);
        run.handle = null;
      });
  }

  const resume = (tokens) => {
    run.paused = false;
    setBusy(true);
    run.handle.resume(tokens);
  };

  buttons.generate.addEventListener('click', () => (run?.handle && run.paused ? resume(Infinity) : start(false)));
  buttons.step.addEventListener('click', () => (run?.handle && run.paused ? resume(1) : start(true)));
  buttons.stop.addEventListener('click', () => run?.handle?.cancel());
  onLanguageChange(() => {
    showStats();
    if (shownStep !== null) showStep(shownStep);
  });
}
