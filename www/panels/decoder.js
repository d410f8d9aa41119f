// Panel 2, the decoder: a prompt in, tokens out one at a time as chips; click a chip to see
// the ten tokens the model weighed at that step. Generate runs to the end, Step adds one
// token per click, Stop ends the run between two tokens. A GGUF decoder can be opened here from
// a file (picker or drag and drop; it never leaves the tab) or an https URL.
import { showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { showModelStatus } from '../ui/model-status.js';
import { mountPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { lessonParams } from '../url-state.js';
import { ChipRow, drawCandidates, visibleToken } from '../ui/tokens.js';

/** Reads a number input, clamped to its min/max; the default when empty. */
function numberFrom(input, fallback) {
  const value = input.valueAsNumber;
  if (!Number.isFinite(value)) return fallback;
  return Math.min(Number(input.max || Infinity), Math.max(Number(input.min || -Infinity), value));
}

/** The link's names for the settings: `?topk=` sets fields.topK. */
const LINKED_FIELDS = { temperature: 'temperature', topk: 'topK', topp: 'topP', seed: 'seed', repeat: 'repeatPenalty', max: 'maxNewTokens' };

/** The settings a preset sets (and an edit of which leaves the preset). */
const PRESET_FIELDS = ['repeatPenalty', 'maxNewTokens'];

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
    repeatPenalty: $('#decoder-repeat'),
    maxNewTokens: $('#decoder-max'),
  };
  const buttons = { generate: $('#decoder-generate'), step: $('#decoder-step'), stop: $('#decoder-stop') };
  const chips = new ChipRow($('#decoder-chips'));
  const output = $('#decoder-output');
  const stats = $('#decoder-stats');
  const notices = $('#decoder-notices');
  const caption = $('#decoder-step-caption');
  const bars = $('#decoder-bars');

  /** The current or last run: {handle, steps, paused, promptTokens, started, firstAt, result}. */
  let run = null;
  let shownStep = null;

  showModelStatus($('#decoder-status'), models, () => models.decoder);
  const noChat = $('#decoder-no-chat');
  /** Whether the decoder in use has a chat template (known from its manifest entry, or once loaded). */
  const chatAvailable = () => {
    const state = models.state(models.decoder);
    return (state.info?.chat ?? state.plan?.chat ?? true) !== false;
  };
  let wantsChat = true;
  const showChat = () => {
    const available = chatAvailable();
    chat.disabled = !available || root.hasAttribute('aria-busy');
    chat.checked = available && wantsChat;
    noChat.hidden = available;
    noChat.textContent = available ? '' : t('decoder.noChat', { model: models.opened(models.decoder)?.name ?? models.decoder });
  };
  const usePreset = (preset) => {
    prompt.value = preset.prompt;
    fields.repeatPenalty.value = String(preset.repeatPenalty ?? 1);
    fields.maxNewTokens.value = String(preset.max ?? fields.maxNewTokens.defaultValue);
    wantsChat = preset.chat;
    showChat();
  };
  chat.addEventListener('change', () => (wantsChat = chat.checked));
  // A link restores the prompt, the chat switch and every setting it names.
  const link = lessonParams('decoder');
  const restoredPrompt = link.text('prompt');
  const presetMenu = mountPresets($('#decoder-preset'), presets, {
    apply: usePreset,
    inputs: [prompt, chat, ...PRESET_FIELDS.map((field) => fields[field])],
    linked: link.text('preset'),
    restored: restoredPrompt !== null,
  });
  if (restoredPrompt !== null) prompt.value = restoredPrompt;
  mountLanguageFit($('#decoder-fit-decoder'), { models, kind: 'decoder', read: () => prompt.value, inputs: [prompt, $('#decoder-preset')] });
  const chatLinked = link.choice('chat', ['0', '1']);
  if (chatLinked !== null) wantsChat = chatLinked === '1';
  for (const [name, field] of Object.entries(LINKED_FIELDS)) {
    const { min, max } = fields[field];
    const value = link.number(name, min === '' ? -Infinity : Number(min), max === '' ? Infinity : Number(max));
    if (value !== null) fields[field].value = String(value);
  }
  models.addEventListener('decoder', showChat);
  models.addEventListener('change', ({ detail }) => detail === models.decoder && showChat());
  showChat();
  mountOpener(root, models, $);

  const options = () => ({
    chat: chat.checked && chatAvailable(),
    temperature: numberFrom(fields.temperature, 0),
    topK: Math.round(numberFrom(fields.topK, 0)),
    topP: numberFrom(fields.topP, 1),
    seed: Math.round(numberFrom(fields.seed, 42)),
    repeatPenalty: numberFrom(fields.repeatPenalty, 1),
    maxNewTokens: Math.round(numberFrom(fields.maxNewTokens, 64)),
  });

  const setBusy = (busy) => {
    for (const input of [prompt, ...Object.values(fields)]) input.disabled = busy;
    buttons.stop.disabled = !busy;
    buttons.generate.disabled = busy && !run?.paused;
    buttons.step.disabled = busy && !run?.paused;
    root.toggleAttribute('aria-busy', busy && !run?.paused);
    chat.disabled = busy || !chatAvailable();
  };

  const showStats = () => {
    if (!run) return;
    const { result } = run;
    const parts = [t('decoder.promptTokens', { count: run.promptTokens ?? '…' })];
    const ttft = result?.msToFirstToken ?? (run.firstAt ? run.firstAt - run.started : null);
    if (ttft !== null) parts.push(t('decoder.firstToken', { ms: Math.round(ttft) }));
    // While the reader steps, wall-clock time is mostly waiting for clicks: the rate waits for
    // the worker's own figure at the end, which counts only the model's time.
    const live = !run.stepped && run.steps.length > 1 ? (run.steps.length - 1) / ((performance.now() - run.firstAt) / 1000) : null;
    const rate = result?.tokensPerSecond ?? live;
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
    chips.select(index);
    drawCandidates(bars, step.top, { id: step.id, text: step.piece, prob: step.prob });
    caption.textContent = t('decoder.stepCaption', { n: index + 1, token: visibleToken(step.piece), prob: step.prob.toFixed(3) });
  };

  const addChip = (step) => {
    const index = run.steps.length - 1;
    chips.add(index, step.piece, {
      tint: probabilityTint(step.prob),
      title: `p = ${step.prob.toFixed(3)}`,
      onClick: () => showStep(index),
    });
    output.textContent += step.text;
  };

  function start(paused) {
    if (!prompt.value.trim()) {
      showNotices(notices, [{ text: t('decoder.emptyPrompt'), kind: 'error' }]);
      return;
    }
    chips.clear();
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
          run.stepped = true;
          setBusy(true);
          showStats();
        }
      },
    });
    run = { handle, steps: [], paused: false, stepped: false, promptTokens: null, started: performance.now(), firstAt: null, result: null };
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
  return {
    run: () => start(false),
    reset: () => {
      [run, shownStep] = [null, null];
      for (const input of Object.values(fields)) input.value = input.defaultValue;
      presetMenu.reset();
    },
    summary: () => (run?.result ? t('decoder.summary', { model: models.opened(models.decoder)?.name ?? models.decoder, prompt: prompt.value, text: run.result.text.trim(), tokens: run.steps.length }) : null),
    link: () => {
      const preset = presetMenu.current();
      // A preset on screen carries its own repeat penalty and length; other settings are written
      // when they differ from the page's defaults.
      const settings = Object.fromEntries(Object.entries(LINKED_FIELDS).map(([name, field]) => {
        const input = fields[field];
        const implied = (preset && PRESET_FIELDS.includes(field)) || input.value === input.defaultValue;
        return [name, implied ? null : input.value];
      }));
      return {
        preset: preset?.id ?? null,
        prompt: preset ? null : prompt.value,
        chat: preset && chat.checked === preset.chat ? null : chat.checked ? '1' : '0',
        ...settings,
      };
    },
  };
}

/**
 * The file picker, drag and drop onto the panel, the URL box, and the page's `open-gguf` event
 * (a `decoder=https://…` link): each opens a GGUF decoder, which then becomes the decoder in
 * use. What goes wrong is said here, and the page's own decoders stay as they were.
 */
function mountOpener(root, models, $) {
  const notices = $('#decoder-open-notices');
  const file = $('#decoder-file');
  const url = $('#decoder-url');
  const openUrl = $('#decoder-open-url');
  let busy = false;
  const open = async (source, name) => {
    if (busy) return;
    busy = true;
    openUrl.disabled = file.disabled = true;
    showNotices(notices, [{ text: t('decoder.opening', { name }), kind: 'info' }]);
    try {
      await models.openDecoder(source);
      showNotices(notices, [{ text: t('decoder.opened', { name }), kind: 'info' }]);
    } catch (error) {
      showNotices(notices, [{ text: t('decoder.openFailed', { name, message: error.message }), kind: 'error' }]);
    } finally {
      busy = false;
      openUrl.disabled = file.disabled = false;
    }
  };
  file.addEventListener('change', () => {
    const [chosen] = file.files;
    file.value = '';
    if (chosen) open({ file: chosen }, chosen.name);
  });
  const openTyped = () => {
    const address = url.value.trim();
    if (address) open({ url: address }, address.split('/').pop() || address);
  };
  openUrl.addEventListener('click', openTyped);
  url.addEventListener('keydown', (event) => event.key === 'Enter' && openTyped());
  root.addEventListener('open-gguf', ({ detail }) => {
    url.value = detail.url;
    openTyped();
  });
  root.addEventListener('dragover', (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes('Files')) return;
    event.preventDefault();
    root.classList.add('dropping');
    root.dataset.dropLabel = t('decoder.dropHere');
  });
  root.addEventListener('dragleave', (event) => {
    if (!root.contains(event.relatedTarget)) root.classList.remove('dropping');
  });
  root.addEventListener('drop', (event) => {
    root.classList.remove('dropping');
    const [dropped] = event.dataTransfer?.files ?? [];
    if (!dropped) return;
    event.preventDefault();
    open({ file: dropped }, dropped.name);
  });
}
