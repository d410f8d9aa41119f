// window.bertVsGpt: the page's scripting hook, public API for teachers at the console and for
// tests. Every verb is documented in docs/hook.md; keep names and shapes stable.
import { analogy, shippedVocabulary } from './lessons/analogy.js';
import { compareEmbeddings } from './lessons/compare.js';
import { contextCost } from './lessons/context.js';
import { keybert } from './lessons/keywords.js';
import { runRoi } from './lessons/roi.js';
import { METHODS, TRAINING, runClassify, trainLayer } from './lessons/classify.js';
import { askCalculator } from './lessons/calculator.js';
import { language } from './i18n/index.js';
import { DECODERS } from './models.js';
import { PAGE_BYTES, deviceMemory, tabBudget } from './memory.js';
import { PRECISIONS } from './worker/threads.js';

const HAN = /\p{Script=Han}/u;

function check(condition, message) {
  if (!condition) throw new TypeError(`bertVsGpt.${message}`);
}

/** The bounds of each training setting a caller may give. */
const TRAINING_BOUNDS = { tfidfC: [1e-6, 1e6], epochs: [1, 10_000], batchSize: [1, 10_000], learningRate: [1e-6, 10], l2: [0, 10], tolerance: [0, 1] };

function checkTraining(verb, training) {
  check(training !== null && typeof training === 'object' && Object.entries(training).every(([name, value]) => name in TRAINING && Number.isFinite(value) && value >= TRAINING_BOUNDS[name][0] && value <= TRAINING_BOUNDS[name][1] && (!['epochs', 'batchSize'].includes(name) || Number.isInteger(value))),
    `${verb}: training may set ${Object.entries(TRAINING_BOUNDS).map(([name, [low, high]]) => `${name} (${low}…${high})`).join(', ')}`);
}

export function installHook({ ready, models, offlineReady }) {
  const hook = {
    /** Resolves when the worker and its wasm module are initialised. */
    ready,

    /**
     * Resolves (to the build's version, or null where service workers are unavailable) once
     * this build's files are stored for offline use; weights are stored as models load.
     */
    offlineReady,

    /**
     * Embeds `texts` (loading the encoder on first use):
     * {dim, vectors: Float32Array (n × dim, row-major), tokenCounts: number[], truncated: boolean[]}.
     * `model`: 'all-MiniLM-L6-v2' or 'multilingual-e5-small' (default: the page's encoder, which
     * follows the language unless chosen in the header).
     */
    async embed(texts, { model = models.encoder } = {}) {
      check(Array.isArray(texts) && texts.every((text) => typeof text === 'string'), 'embed(texts): texts must be an array of strings');
      await ready;
      const out = await models.embed(texts, model);
      return {
        dim: out.dim,
        vectors: out.vectors,
        tokenCounts: Array.from(out.tokenCounts),
        truncated: Array.from(out.truncated, Boolean),
      };
    },

    /**
     * Generates from `prompt`. Options: maxNewTokens, temperature (0 = greedy), topK, topP,
     * repeatPenalty, seed, chat (default true), stop (strings), onToken(step), signal
     * (an AbortSignal that stops it), ignoreEos; `model`: a decoder id from `decoders()` (default:
     * the page's decoder, which follows the language unless chosen in the header). Returns {text,
     * tokenIds, steps, promptTokens, msToFirstToken, prefillMs, tokensPerSecond,
     * weightBytesPerToken, finishReason}.
     */
    async generate(prompt, { onToken, signal, model = models.decoder, ...options } = {}) {
      check(typeof prompt === 'string', 'generate(prompt): prompt must be a string');
      await ready;
      const run = models.generate(prompt, options, {
        model,
        signal,
        onEvent: (event) => event.kind === 'token' && onToken?.(event.step),
      });
      const { text, tokenIds, steps, promptTokens, msToFirstToken, prefillMs, tokensPerSecond, weightBytesPerToken, finishReason } = await run.result;
      return { text, tokenIds, steps, promptTokens, msToFirstToken, prefillMs, tokensPerSecond, weightBytesPerToken, finishReason };
    },

    /**
     * Teacher forcing in one pass: for each position i ≥ 1 of `tokenIds`,
     * {id, logprob, top: [{id, logprob}] (10)}, the model's log-probabilities after tokens 0…i−1.
     */
    async score(tokenIds, { model = models.decoder, signal } = {}) {
      check(Array.isArray(tokenIds) && tokenIds.every(Number.isInteger), 'score(tokenIds): tokenIds must be an array of integers');
      await ready;
      const scored = await models.score(tokenIds, { model, signal });
      const per = scored.ids.length ? scored.topIds.length / scored.ids.length : 0;
      return Array.from(scored.ids, (id, i) => ({
        id,
        logprob: scored.logprobs[i],
        top: Array.from({ length: per }, (_, k) => ({ id: scored.topIds[i * per + k], logprob: scored.topLogprobs[i * per + k] })),
      }));
    },

    /**
     * `text` as a model's tokenizer splits it, uncut: {ids, tokens}. The page's decoder by
     * default (markers such as <|im_start|> are special; Gemma puts <bos> first);
     * `{model: 'all-MiniLM-L6-v2'}` for BERT's WordPiece ([CLS] … [SEP]).
     */
    async tokenize(text, { model = models.decoder } = {}) {
      check(typeof text === 'string', 'tokenize(text): text must be a string');
      await ready;
      return models.tokenize(text, model);
    },

    /**
     * Every layer's and head's attention over `text` (at most 128 tokens) in `model`, an encoder
     * or a decoder (default: the page's encoder): {model, tokens, layers, heads, weights:
     * Float32Array}, weights[((layer * heads + head) * n + query) * n + key] the probability
     * query token `query` gave key token `key` (n = tokens.length, special tokens included).
     */
    async attention(text, { model = models.encoder } = {}) {
      check(typeof text === 'string', 'attention(text): text must be a string');
      await ready;
      const { tokens, layers, heads, weights } = await models.attention(text, model);
      return { model, tokens, layers, heads, weights };
    },

    /**
     * The logit lens of decoder `model` (default: the page's) over `text` (at most 128 tokens):
     * {model, tokens, layers, top}, top[layer][position] the `k` (5) likeliest next tokens
     * [{id, text, prob}] had the model stopped after layer `layer`. `onProgress({done, total,
     * layersDone, cells})` hears each batch: the (layer, position) cells done so far and in
     * all, the layers complete, and the batch's cells [{layer, position, top}] — the first batch
     * is the last position after every layer. Aborting `signal` stops it (an AbortError).
     */
    async logitLens(text, { model = models.decoder, k = 5, onProgress, signal } = {}) {
      check(typeof text === 'string', 'logitLens(text): text must be a string');
      check(Number.isInteger(k) && k >= 1 && k <= 50, 'logitLens: k must be an integer from 1 to 50');
      check(onProgress === undefined || typeof onProgress === 'function', 'logitLens: onProgress must be a function');
      await ready;
      const progress = onProgress && (({ kind, ...batch }) => kind === 'lens' && onProgress(batch));
      const { tokens, layers, top } = await models.logitLens(text, k, model, { onProgress: progress, signal });
      return { model, tokens, layers, top };
    },

    /**
     * A − B + C among `vocabulary` (default: the shipped English or Chinese list, by the
     * script of A, B and C): {results: [{word, cosine}] (k, default 5), vocabularySize,
     * points: {labels, coords, explained}}.
     */
    async analogy(a, b, c, { vocabulary, k = 5, method = 'pca', model = models.encoder } = {}) {
      check([a, b, c].every((term) => typeof term === 'string'), 'analogy(a, b, c): a, b and c must be strings');
      check(vocabulary === undefined || (Array.isArray(vocabulary) && vocabulary.every((w) => typeof w === 'string')), 'analogy: vocabulary must be an array of strings');
      await ready;
      const words = vocabulary ?? (await shippedVocabulary(HAN.test(a + b + c) ? 'zh' : 'en'));
      return analogy(models, { a, b, c, words, k, method, model });
    },

    /** KeyBERT: {keywords: [{phrase, score}] (top, default 5), candidates, ms}; diversity 0…1. */
    async keywords(document, { diversity = 0.5, top = 5, maxWords = 3, model = models.encoder } = {}) {
      check(typeof document === 'string', 'keywords(document): document must be a string');
      await ready;
      return keybert(models, document, { diversity, top, maxWords, model });
    },

    /** 2D projection of n × dim `vectors` (a Float32Array): {coords, explained}; method 'pca' or 'tsne'. */
    async project(vectors, { dim, method = 'pca' } = {}) {
      check(vectors instanceof Float32Array && Number.isInteger(dim) && dim > 0, 'project(vectors, {dim}): vectors must be a Float32Array and dim a positive integer');
      await ready;
      return models.client.call('project', { vectors, dim, method });
    },

    /** The same texts embedded by both models, scored on `labels` (group numbers); `model` is
     * the decoder (default: the page's). */
    async compareEmbeddings(texts, labels, { method = 'pca', encoder = models.encoder, model = models.decoder } = {}) {
      check(Array.isArray(texts) && Array.isArray(labels) && texts.length === labels.length, 'compareEmbeddings(texts, labels): two arrays of the same length');
      await ready;
      return compareEmbeddings(models, texts, labels, { method, encoder, decoder: model });
    },

    /** The ROI lesson's task in `lang` ('en' or 'zh') by embeddings and by GPT (`model`, default
     * the page's decoder), asked in `style`: 'few-shot' (the default) or 'chat'. */
    async roi({ lang = 'en', style = 'few-shot', onProgress, signal, encoder = models.encoder, model = models.decoder } = {}) {
      await ready;
      return runRoi(models, { lang, style, onProgress, signal, encoder, decoder: model });
    },

    /**
     * Three ways to build a classifier on the same labelled texts (`train`, `test`: [{text,
     * label}], labels strings): {labels, results: {<method>: {accuracy, macroF1, confusion,
     * predictions, trainMs, predictMs, flopsPerPrediction, …}}} for `methods` (any of 'tfidf',
     * 'linear', 'centroid', 'gpt-zero-shot', 'gpt-few-shot'; default all) — confusion[i][j]
     * counts test texts of labels[i] predicted as labels[j]. `shots` (6) training texts are
     * shown to GPT few-shot; `seed` picks them and shuffles the linear layer's batches; `chat`
     * asks GPT in its chat template instead of as text to continue; `training` may change
     * how the layers are trained ({tfidfC, epochs, batchSize, learningRate, l2}).
     */
    async classify({ train, test, methods = METHODS, encoder = models.encoder, decoder = models.decoder, shots = 6, seed = 0, chat = false, training = {}, onProgress, signal } = {}) {
      const labelled = (list) => Array.isArray(list) && list.length > 0 && list.every((e) => typeof e?.text === 'string' && e.text.trim() && typeof e.label === 'string' && e.label.trim());
      check(labelled(train) && labelled(test), 'classify: train and test must be non-empty arrays of {text, label} with non-blank strings');
      check(train.length + test.length <= 5000, 'classify: at most 5,000 texts in train and test together (the lesson trains in the page)');
      check(Array.isArray(methods) && methods.length > 0 && methods.every((m) => METHODS.includes(m)), `classify: methods must be some of ${METHODS.join(', ')}`);
      check(Number.isInteger(shots) && shots >= 1 && shots <= 50, 'classify: shots must be an integer from 1 to 50');
      check(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32, 'classify: seed must be an integer from 0 to 2³² − 1');
      check(onProgress === undefined || typeof onProgress === 'function', 'classify: onProgress must be a function');
      await ready;
      check(typeof chat === 'boolean', 'classify: chat must be true or false');
      checkTraining('classify', training);
      return runClassify(models, { train, test, methods, encoder, decoder, shots, seed, chat, training, onProgress, signal });
    },

    /**
     * Trains a softmax layer on any vectors (e.g. from `embed`) by Adam, an epoch at a time in
     * the worker: `vectors` (Float32Array, n × dim), `labels` (n class numbers 0…k−1), optional
     * held-out `testVectors`/`testLabels`, `seed`, `training` as classify's (plus `tolerance`:
     * stop once an epoch lowers the loss by less than that share). → {weights (k × dim),
     * epochs: [{epoch, loss, accuracy}], predictions, trainMs, predictMs, flopsPerPrediction,
     * converged}.
     */
    async trainLayer({ vectors, dim, labels, testVectors = new Float32Array(0), testLabels = [], seed = 0, training = {}, onProgress, signal } = {}) {
      check(vectors instanceof Float32Array && Number.isInteger(dim) && dim > 0 && vectors.length % dim === 0, 'trainLayer: vectors must be a Float32Array of n × dim numbers');
      const whole = (list, n) => Array.isArray(list) && list.length === n && list.every((l) => Number.isInteger(l) && l >= 0);
      check(whole(labels, vectors.length / dim) && new Set(labels).size >= 2, 'trainLayer: labels must give each vector a class number 0…k−1, at least two classes');
      check(testVectors instanceof Float32Array && testVectors.length % dim === 0 && whole(testLabels, testVectors.length / dim), 'trainLayer: testVectors and testLabels must match as vectors and labels do');
      check(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32, 'trainLayer: seed must be an integer from 0 to 2³² − 1');
      checkTraining('trainLayer', training);
      await ready;
      return trainLayer(models, { ...training, vectors, dim, labels, testVectors, testLabels, seed, onProgress, signal });
    },

    /**
     * Asks the decoder sums and products in words, as the calculator lesson does: `questions`
     * [{a, op: '+' | '×', b}] (whole numbers, up to 30 digits), `lang` 'en' or 'zh' (default:
     * the page's), `decoder`. → {decoder, lang, results: [{question, prompt, answer, value,
     * expected, right, ms, flops, promptTokens, generatedTokens}], machine: {flops: 1, ns}}.
     */
    async calculator(questions, { decoder = models.decoder, lang = language(), onProgress, signal } = {}) {
      check(Array.isArray(questions) && questions.length > 0 && questions.length <= 50, 'calculator(questions): questions must be an array of 1 to 50 {a, op, b}');
      check(['en', 'zh'].includes(lang), 'calculator: lang must be "en" or "zh"');
      await ready;
      return askCalculator(models, questions, { decoder, lang, onProgress, signal });
    },

    /** The decoders that can be chosen: [{id, chosen, loaded, opened}] — the shipped ones
     * ('SmolLM2-135M-Instruct', 'gemma-3-270m'), then any opened from a file or URL. */
    decoders() {
      return models.decoders.map((id) => ({
        id,
        chosen: id === models.decoder,
        loaded: models.state(id).phase === 'loaded',
        opened: Boolean(models.opened(id)),
        shipped: DECODERS.includes(id),
      }));
    },

    /**
     * Loads `model` (an encoder or decoder id) and resolves to what its status line reports:
     * `{dim, maxTokens}` for an encoder, `{contextLength, trainedContextLength, chat, …}` for a
     * decoder. Where the tab would likely take more memory than
     * this device gives it, rejects with a TooLittleMemory error saying so, before downloading
     * anything — unless `{anyway: true}` (see `memory()`).
     */
    async load(model, { anyway = false } = {}) {
      check(typeof model === 'string' && model.length > 0, 'load(model): model must be a model id');
      await ready;
      return models.load(model, { anyway });
    },

    /** Drops `model` from memory (its wasm memory is reused by the next model loaded); it loads
     * again on its next use. Resolves once it is gone. */
    async unload(model) {
      check(typeof model === 'string' && model.length > 0, 'unload(model): model must be a model id');
      await ready;
      return models.unload(model);
    },

    /**
     * What the page plans with before loading a model: `{budgetBytes, deviceMemory, pageBytes,
     * models: {<id>: {keptBytes, peakBytes, loaded}}}` — the memory it takes this device to give
     * one tab (null where nothing suggests a limit), the device's memory in GB as the browser
     * says it (or null), the page's own, and what each model keeps once loaded and takes at most
     * while loading.
     */
    async memory() {
      await ready;
      await Promise.all(models.knownModels.filter((id) => !models.opened(id) && !models.state(id).plan).map((id) => models.refreshPlan(id)));
      return {
        budgetBytes: tabBudget(),
        deviceMemory: deviceMemory(),
        pageBytes: PAGE_BYTES,
        models: Object.fromEntries(models.knownModels.map((id) => [id, { ...models.memoryOf(id), loaded: models.state(id).phase === 'loaded' }])),
      };
    },

    /**
     * Makes the wasm module panic on purpose, to show (and test) recovery: rejects with a
     * ModelCrash error, the page says what happened, and a fresh worker takes over.
     */
    async panic() {
      await ready;
      return models.client.call('panic');
    },

    /**
     * MiniLM's matrices from its next load on: 'f32' (as published) or 'int16' (16-bit
     * integers: faster, within cosine 0.9999); a loaded MiniLM is dropped. Resolves to it.
     */
    async setPrecision(precision) {
      check(PRECISIONS.includes(precision), "setPrecision(precision): precision must be 'f32' or 'int16'");
      await ready;
      return models.setPrecision(precision);
    },

    /** The worker's wasm memory in bytes (its peak: wasm memory never shrinks), thread count, and
     * the decoders loaded (`decoders`: ids). */
    async stats() {
      await ready;
      return models.client.call('stats');
    },

    /**
     * How fast this machine reads memory and runs the decoder's one-token products and the
     * encoder's f32 product, on one thread: `{read, q4, q8, f32}`, each `{bytes, ms, gbPerSecond,
     * productsPerSecond, sum}` (the best of `passes` passes over about `megabytes`; the tab keeps
     * that much more wasm memory after).
     */
    async machineCheck({ megabytes = 100, passes = 3 } = {}) {
      check(Number.isInteger(megabytes) && megabytes >= 1 && megabytes <= 512, 'machineCheck({megabytes}): megabytes must be an integer from 1 to 512');
      check(Number.isInteger(passes) && passes >= 1 && passes <= 20, 'machineCheck({passes}): passes must be an integer from 1 to 20');
      await ready;
      return models.client.call('machineCheck', { megabytes, passes });
    },

    /** Token counts against both limits, and ms per generated token after each context length. */
    async contextCost(text, { contextLengths = [64, 256, 1024], tokensPerMeasure = 8, signal, encoder = models.encoder, model = models.decoder } = {}) {
      check(typeof text === 'string', 'contextCost(text): text must be a string');
      await ready;
      return contextCost(models, text, { contextLengths, tokensPerMeasure, signal, encoder, decoder: model });
    },
  };
  window.bertVsGpt = Object.freeze(hook);
}
