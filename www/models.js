import { formatBytes, language, onLanguageChange, t } from './i18n/index.js';
import { deviceMemory, memoryFit } from './memory.js';

/** The models the page uses, by their ids in models/manifest.json. */
export const ENCODER = 'all-MiniLM-L6-v2';
/** The encoder that reads Chinese well; the default while the page speaks 中文. */
export const MULTILINGUAL_ENCODER = 'multilingual-e5-small';
export const ENCODERS = [ENCODER, MULTILINGUAL_ENCODER];
export const DECODER = 'SmolLM2-135M-Instruct';
/** The decoder that writes Chinese (and ~140 languages); the default while the page speaks 中文. */
export const MULTILINGUAL_DECODER = 'gemma-3-270m';
export const DECODERS = [DECODER, MULTILINGUAL_DECODER];
/** The encoder or decoder choice that follows the page's language. */
export const AUTO = 'auto';
/** What an opened GGUF of `bytes` is taken to need: it keeps the file and its matrices converted
 * for the page's kernels (at most as large again), and while loading it also holds the file as
 * read from disk (docs/performance.md#memory-per-lesson). */
const openedMemory = (bytes) => ({ keptBytes: 2 * bytes, peakBytes: 3 * bytes });

/** A model was not loaded because the tab would likely take more memory than the device gives
 * it; `fit` says how much (see memory.js). Loading it `{anyway: true}` goes ahead. */
export class TooLittleMemory extends Error {
  constructor(model, fit) {
    super(TooLittleMemory.explain(model, fit));
    this.name = 'TooLittleMemory';
    this.model = model;
    this.fit = fit;
  }

  /** What loading `model` would take and what the device is likely to give, in the page's language. */
  static explain(model, fit) {
    return t('memory.tooMuch', {
      model,
      need: formatBytes(fit.needBytes),
      total: formatBytes(fit.tabBytes),
      budget: formatBytes(fit.budgetBytes),
      device: deviceMemory() ? t('memory.device', { gb: deviceMemory() }) : '',
    });
  }
}

// What the page knows about each model: what loading it would download, its progress while
// loading, and whether it is ready. Panels and the scripting hook go through here, so a load
// started by either shows its progress in the same place. Fires 'change' with {detail: id},
// 'encoder' when the encoder in use changes, 'decoder' when the decoder in use changes, and
// 'memory' with {detail: {id, fit}} when a load was refused for want of memory.

export class Models extends EventTarget {
  #client;
  #states = new Map();
  #encoderChoice = AUTO;
  #decoderChoice = AUTO;
  /** Decoders opened from a file or URL: id → {name, source, bytes}. */
  #opened = new Map();
  /** The last load asked for: the next one starts after it. */
  #loads = Promise.resolve();

  constructor(client) {
    super();
    this.#client = client;
    onLanguageChange(() => {
      if (this.#encoderChoice === AUTO) this.dispatchEvent(new Event('encoder'));
      if (this.#decoderChoice === AUTO) this.dispatchEvent(new Event('decoder'));
    });
    // A restarted worker holds no models: every model is to be loaded again.
    client.addEventListener('restart', () => {
      // Opened files are gone with the worker: the page falls back to its own decoders.
      if (this.#opened.size) {
        this.#opened.clear();
        this.dispatchEvent(new Event('decoders'));
        if (!this.decoders.includes(this.#decoderChoice) && this.#decoderChoice !== AUTO) this.setDecoderChoice(AUTO);
      }
      for (const id of this.#states.keys()) {
        this.#update(id, { phase: 'idle', info: null, loading: null, files: {}, compiling: false, error: null, notices: [] });
        this.refreshPlan(id);
      }
    });
    // `model` was dropped (a stored copy failed its check after loading, with a message; or it
    // was built at another precision): it loads again on next use.
    client.addEventListener('unloaded', ({ detail: { model, message } }) => {
      this.#update(model, { phase: 'idle', info: null, loading: null, files: {}, compiling: false, error: null, notices: message ? [message] : [] });
      if (!model.startsWith('opened:')) this.refreshPlan(model);
    });
  }

  /** The encoder lessons use: the one chosen, or with AUTO the one for the page's language. */
  get encoder() {
    if (this.#encoderChoice !== AUTO) return this.#encoderChoice;
    return language() === 'zh' ? MULTILINGUAL_ENCODER : ENCODER;
  }

  get encoderChoice() {
    return this.#encoderChoice;
  }

  /** `choice`: AUTO or one of ENCODERS. */
  setEncoderChoice(choice) {
    if (choice !== AUTO && !ENCODERS.includes(choice)) throw new Error(`Unknown encoder "${choice}"; use ${[AUTO, ...ENCODERS].join(', ')}.`);
    const before = this.encoder;
    this.#encoderChoice = choice;
    if (this.encoder !== before) this.dispatchEvent(new Event('encoder'));
  }

  /** The decoder lessons use: the one chosen, or with AUTO the one for the page's language. */
  get decoder() {
    if (this.#decoderChoice !== AUTO) return this.#decoderChoice;
    return language() === 'zh' ? MULTILINGUAL_DECODER : DECODER;
  }

  get decoderChoice() {
    return this.#decoderChoice;
  }

  /** Every decoder that can be chosen: the shipped ones, then those opened from a file or URL. */
  get decoders() {
    return [...DECODERS, ...this.#opened.keys()];
  }

  /** Every model the page knows: the shipped encoders and decoders, then those opened. */
  get knownModels() {
    return [...ENCODERS, ...this.decoders];
  }

  /** `{name, source}` of an opened decoder, else null. */
  opened(id) {
    return this.#opened.get(id) ?? null;
  }

  /** `choice`: AUTO or one of `decoders`. */
  setDecoderChoice(choice) {
    if (choice !== AUTO && !this.decoders.includes(choice)) throw new Error(`Unknown decoder "${choice}"; use ${[AUTO, ...this.decoders].join(', ')}.`);
    const before = this.decoder;
    this.#decoderChoice = choice;
    if (this.decoder !== before) this.dispatchEvent(new Event('decoder'));
  }

  /**
   * Opens a GGUF decoder from `{file}` (a File or Blob: it never leaves the tab) or `{url}`,
   * loads it in the worker and makes it the decoder in use; returns its id. A file that cannot
   * run is refused with the reason, and the decoder in use stays as it was.
   */
  async openDecoder({ file, url }, { onProgress, anyway = false } = {}) {
    const name = file ? file.name ?? 'model.gguf' : new URL(url, location.href).pathname.split('/').pop() || url;
    const id = `opened:${name}`;
    const fit = file ? this.memoryFit(id, openedMemory(file.size)) : null;
    if (fit && !fit.fits && !anyway) {
      const error = new TooLittleMemory(name, fit);
      this.#update(id, { phase: 'failed', error: error.message, compiling: false });
      throw error;
    }
    this.#update(id, { phase: 'loading', files: {}, compiling: false, error: null, notices: [] });
    try {
      const args = file ? { id, bytes: await file.arrayBuffer() } : { id, url };
      const info = await this.#client.call('open', args, {
        onProgress: (p) => {
          this.#progress(id, p);
          onProgress?.(p);
        },
        transfer: args.bytes ? [args.bytes] : [],
      });
      this.#opened.set(id, { name, source: file ? 'file' : url, bytes: info.fileBytes });
      this.#update(id, { phase: 'loaded', info, compiling: false });
      this.dispatchEvent(new Event('decoders'));
      this.setDecoderChoice(id);
      return id;
    } catch (error) {
      this.#update(id, { phase: 'failed', error: error.message, compiling: false });
      throw error;
    }
  }

  /** MiniLM's matrices from its next load on: 'f32' or 'int16' (a loaded MiniLM is dropped);
   * fires 'precision' with {detail: precision}. */
  async setPrecision(precision) {
    await this.#client.call('precision', { precision });
    this.dispatchEvent(new CustomEvent('precision', { detail: precision }));
    return precision;
  }

  /** The worker connection, for verbs that do not involve loading a model. */
  get client() {
    return this.#client;
  }

  /** {phase: 'idle'|'loading'|'loaded'|'failed', plan, files, compiling, info, error, notices} */
  state(id) {
    if (!this.#states.has(id)) {
      this.#states.set(id, { phase: 'idle', plan: null, files: {}, compiling: false, info: null, error: null, notices: [] });
    }
    return this.#states.get(id);
  }

  #update(id, changes) {
    Object.assign(this.state(id), changes);
    this.dispatchEvent(new CustomEvent('change', { detail: id }));
  }

  /** Points downloads at `weightsBase` ('' = models/ on this site) and re-plans known models. */
  async configure(manifestUrl, weightsBase) {
    await this.#client.call('configure', { manifestUrl, weightsBase });
    await Promise.all([...this.#states.keys()].map((id) => this.refreshPlan(id)));
  }

  /** Deletes the stored weights; the plans then show the downloads again. `{bytes}` freed. */
  async clearDownloads() {
    const result = await this.#client.call('clearDownloads');
    await Promise.all([...this.#states.keys()].map((id) => this.refreshPlan(id)));
    return result;
  }

  async refreshPlan(id) {
    try {
      this.#update(id, { plan: await this.#client.call('plan', { model: id }) });
    } catch (error) {
      this.#update(id, { error: error.message });
    }
  }

  /** `{keptBytes, peakBytes}` of model `id` (the manifest's measured figures; for an opened
   * file, from its size), or null while its plan is not known. */
  memoryOf(id) {
    const opened = this.#opened.get(id);
    if (opened) return openedMemory(opened.bytes);
    return this.state(id).plan?.memory ?? null;
  }

  /** The models in memory or loading, but `except`. */
  #inMemory(except) {
    return [...this.#states].filter(([id, state]) => id !== except && (state.phase === 'loaded' || state.phase === 'loading')).map(([id]) => id);
  }

  /** Whether loading `id` (taking `memory`, by default its own figures) fits this device's tab
   * beside the models in memory (see memory.js); null while its figures are not known. */
  memoryFit(id, memory = this.memoryOf(id)) {
    if (memory === null) return null;
    return memoryFit(memory, this.#inMemory(id).map((other) => this.memoryOf(other) ?? { keptBytes: 0, peakBytes: 0 }));
  }

  /** The loaded models that could be unloaded to make room for `id`: those the lessons are not
   * using now (another language's, or a choice made before). */
  unloadable(id) {
    return this.#inMemory(id).filter((other) => this.state(other).phase === 'loaded' && other !== this.encoder && other !== this.decoder && !this.#opened.has(other));
  }

  /** Drops `id` from memory; it loads again on its next use. (The worker's 'unloaded' message,
   * which arrives before its answer, makes the model's state idle.) */
  async unload(id) {
    if (this.state(id).phase !== 'loaded') return;
    await this.#client.call('unload', { model: id });
    if (this.#opened.delete(id)) {
      this.dispatchEvent(new Event('decoders'));
      if (this.#decoderChoice === id) this.setDecoderChoice(AUTO);
    }
  }

  /**
   * Loads `id` once; concurrent and later calls share the same load. Where the tab would likely
   * take more memory than this device gives it, throws TooLittleMemory before loading anything
   * (the model's status says so, with a way on) — unless `anyway`, which holds for later calls.
   */
  async load(id, { anyway = false } = {}) {
    const state = this.state(id);
    if (state.phase === 'loaded') return state.info;
    if (id.startsWith('opened:')) {
      throw new Error(state.error ?? `${id.slice('opened:'.length)} is no longer loaded: open the file again.`);
    }
    if (state.phase !== 'loading') {
      if (anyway) state.anyway = true;
      if (!state.plan) await this.refreshPlan(id);
      const fit = this.memoryFit(id);
      if (fit && !fit.fits && !state.anyway) {
        this.dispatchEvent(new CustomEvent('memory', { detail: { id, fit } }));
        throw new TooLittleMemory(id, fit);
      }
    }
    // Asked again: another call may have started the load while this one awaited its plan.
    if (state.phase !== 'loading') {
      this.#update(id, { phase: 'loading', files: {}, compiling: false, error: null, notices: [] });
      // One model loads at a time: only one is at its peak of memory (see memory.js).
      state.loading = this.#loads
        .then(() => this.#client.call('load', { model: id }, { onProgress: (p) => this.#progress(id, p) }))
        .then(
          (info) => {
            this.#update(id, { phase: 'loaded', info, compiling: false });
            return info;
          },
          (error) => {
            this.#update(id, { phase: 'failed', error: error.message, compiling: false });
            this.refreshPlan(id);
            throw error;
          },
        );
      this.#loads = state.loading.catch(() => {});
    }
    return state.loading;
  }

  #progress(id, report) {
    const state = this.state(id);
    if (report.notice) this.#update(id, { notices: [...state.notices, report.notice] });
    else if (report.phase === 'compile') this.#update(id, { compiling: true });
    else this.#update(id, { files: { ...state.files, [report.file]: report } });
  }

  /** Runs worker verb `verb` for `model`, loading the model first if needed; `onProgress`
   * hears the verb's progress, aborting `signal` cancels it. */
  async withModel(model, verb, args = {}, { onProgress, signal } = {}) {
    await this.load(model);
    return this.#client.call(verb, { ...args, model }, { onProgress, signal });
  }

  /** `{dim, vectors, tokenCounts, truncated, maxTokens}` of `texts` under any model. */
  embed(texts, model = this.encoder) {
    return this.withModel(model, 'embed', { texts });
  }

  /** `{ids, tokens}` of `text` under either model's tokenizer (the whole text, uncut). */
  tokenize(text, model = this.decoder) {
    return this.withModel(model, 'tokenize', { text });
  }

  /** `{tokens, layers, heads, weights, meanHeads}`: every layer's and head's attention over
   * `text`, and each layer's mean over its heads. */
  attention(text, model = this.encoder) {
    return this.withModel(model, 'attention', { text });
  }

  /** `{tokens, layers, top}`: a decoder's `k` likeliest next tokens after every layer;
   * `onProgress` hears `{kind: 'lens', done, total, layersDone, cells}` after each batch of
   * cells (the first: the last position after every layer); aborting `signal` stops it. */
  logitLens(text, k, model = this.decoder, { onProgress, signal } = {}) {
    return this.withModel(model, 'logitLens', { text, k }, { onProgress, signal });
  }

  /**
   * Starts generating: returns `{result, cancel(), resume(tokens)}`. `onEvent` receives
   * {kind: 'prefill'|'token'|'paused', ...}; with `paused` the run stops after each token
   * until `resume(n)` allows n more.
   */
  generate(prompt, options, { model = this.decoder, paused = false, onEvent, signal } = {}) {
    return this.#run(model, 'generate', { prompt, options, paused }, { onEvent, signal });
  }

  /** Like `generate`, continuing exactly the token `ids` (no chat template). */
  generateAfter(ids, options, { model = this.decoder, onEvent, signal } = {}) {
    return this.#run(model, 'generate', { ids, options }, { onEvent, signal });
  }

  /** Teacher forcing: `{ids, logprobs, topIds, topLogprobs, finishReason}` for tokens 1…n−1. */
  score(ids, { model = this.decoder, onEvent, signal } = {}) {
    return this.#run(model, 'score', { ids }, { onEvent, signal }).result;
  }

  /** A cancellable worker run of `verb` that first loads `model`. */
  #run(model, verb, args, { onEvent, signal }) {
    let request = null;
    let cancelled = false;
    const result = this.load(model).then(() => {
      request = this.#client.start(verb, { ...args, model }, { onProgress: (event) => onEvent?.(event) });
      if (cancelled) request.cancel();
      return request.result;
    });
    const run = {
      result,
      cancel() {
        cancelled = true;
        request?.cancel();
      },
      resume(tokens) {
        request?.resume(tokens);
      },
    };
    if (signal?.aborted) run.cancel();
    signal?.addEventListener('abort', () => run.cancel(), { once: true });
    return run;
  }
}
