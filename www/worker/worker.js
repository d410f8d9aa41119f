// The model worker: owns the wasm module and the loaded models, so that downloads, model
// loading and inference never freeze the page. One handler per verb; every message carries
// the request id it answers. Long runs (generate, score) advance one chunk or token at a
// time and yield between them, so 'cancel' and 'resume' messages are seen within a token.
// This folder is the worker side: this worker, the weights it fetches and keeps (weights.js),
// the wasm build and helper threads it runs (threads.js, thread-helper.js). The page imports
// only their constants; nothing here imports the page's ui/, panels/ or lessons/
// (e2e/layers.test.mjs checks).
import { loadWasm, PRECISIONS } from './threads.js';
import { openedBytes } from './opened.js';
import { clearStoredWeights, DamagedCopy, WeightStore } from './weights.js';

/** The wasm module's exports, once loaded (plain or threaded build: see threads.js). */
let wasm = null;
/** Which build runs and why it has fewer threads than asked for (see threads.js), for 'stats'. */
let build = null;
let threadsShortBecause = null;
const params = new URL(self.location.href).searchParams;
/** How f32 encoders' matrices (MiniLM's) are kept from their next load on: 'f32' as published,
 * or 'int16' (faster, within cosine 0.9999; docs/performance.md). */
let encoderWeights = PRECISIONS.includes(params.get('precision')) ? params.get('precision') : 'f32';
const wasmReady = loadWasm(Number(params.get('threads')) || 1, params.get('build')).then((loaded) => {
  ({ wasm, build, reason: threadsShortBecause } = loaded);
});
/** The WeightStore of the last 'configure', as a promise: requests that arrive while it is
 * still reading the manifest wait for it. */
let store = null;
/** model id → Promise<{role, handle, info}>, shared by concurrent requests; dropped on failure. */
const loaded = new Map();
/** request id → RunControl of a generate or score run. */
const runs = new Map();
/** Generations share the decoder: they run one after another, in arrival order. */
let decoderQueue = Promise.resolve();
/** Embedded word lists and keyword candidates, most recent last: embedding them is the slow part. */
const vocabularies = new Map();
const keywordCandidates = new Map();
const CACHED_HANDLES = 4;
/** Checks of stored weight files (see WeightStore.load), run once no request has come for
 * IDLE_MS: a page loads a model and then uses it, often in a burst of requests, which the
 * check (hashing the whole model) would slow. */
const checksWhenIdle = [];
const IDLE_MS = 1000;
let lastRequestAt = 0;

/** `cache.get(key)`, else `make()` stored under key; the oldest entries are freed. */
function cached(cache, key, make) {
  if (!cache.has(key)) {
    cache.set(key, make());
    while (cache.size > CACHED_HANDLES) {
      const [oldest, handle] = cache.entries().next().value;
      cache.delete(oldest);
      handle.free();
    }
  }
  return cache.get(key);
}

/** A model file from WeightStore.load or an opened one in wasm memory (a FileBytes): a download
 * is there already; a stored copy's Blob streams in chunk by chunk and opened bytes are copied,
 * never read whole into this worker's memory. */
async function fileBytes(file) {
  if (file instanceof wasm.FileBytes) return file;
  const into = new wasm.FileBytes(file instanceof Blob ? file.size : file.length);
  try {
    if (file instanceof Blob) {
      const reader = file.stream().getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) into.append(chunk.value);
    } else {
      into.append(file);
    }
    return into;
  } catch (error) {
    into.free();
    throw error;
  }
}

/** Builds a model of each role from its files (see WeightStore.load). */
const BUILDERS = {
  async encoder(stored) {
    const files = {};
    try {
      for (const [name, file] of Object.entries(stored)) files[name] = await fileBytes(file);
    } catch (error) {
      // Each file's copy in wasm memory, if it has one yet: nothing will take it now.
      for (const [name, file] of Object.entries(stored)) {
        const inWasm = files[name] ?? file;
        if (inWasm instanceof wasm.FileBytes) inWasm.free();
      }
      throw error;
    }
    const encoder = files['model.gguf']
      ? wasm.Encoder.fromE5(files['model.gguf'], files['tokenizer.json'])
      // MiniLM's weights as float16 (the default download) or f32 (from Hugging Face): the same loader.
      : new wasm.Encoder(files['model.f16.safetensors'] ?? files['model.safetensors'], files['config.json'], files['tokenizer.json'], files['sentence_bert_config.json'], encoderWeights);
    const precision = files['model.gguf'] ? null : encoderWeights;
    return { handle: encoder, precision, info: { dim: encoder.dim, maxTokens: encoder.maxTokens, precision } };
  },
  async decoder(files) {
    const gguf = Object.keys(files).find((name) => name.endsWith('.gguf'));
    const decoder = new wasm.Decoder(await fileBytes(files[gguf]));
    return {
      handle: decoder,
      info: {
        contextLength: decoder.contextLength,
        trainedContextLength: decoder.trainedContextLength,
        chat: decoder.hasChatTemplate,
        architecture: decoder.architecture,
        kvBytesPerToken: decoder.kvBytesPerToken,
      },
    };
  },
};

async function requireStore() {
  if (!store) throw new Error('The worker has not been configured yet.');
  return store;
}

/** The loaded model `id`, which must have `role`; loads it on first use. */
async function model(id, role, report) {
  if (!loaded.has(id)) {
    const loading = (async () => {
      const { role: actual } = (await requireStore()).model(id);
      for (let attempt = 0; ; attempt += 1) {
        const { files, verify } = await (await requireStore()).load(id, report);
        report({ phase: 'compile' });
        let built;
        try {
          built = await BUILDERS[actual](files);
        } catch (error) {
          // A damaged stored copy may be why: check it now, and if so load again (downloading).
          try {
            await verify();
          } catch (damage) {
            if (!(damage instanceof DamagedCopy) || attempt > 0) throw damage;
            report({ notice: damage.message });
            continue;
          }
          throw error;
        }
        checksWhenIdle.push(() => verify().catch((damage) => unload(id, `${damage.message} What it answered since loading may be wrong.`)));
        return { role: actual, ...built };
      }
    })();
    loaded.set(id, loading);
    loading.catch(() => loaded.delete(id));
  }
  const found = await loaded.get(id);
  const a = (role) => (role === 'encoder' ? `an ${role}` : `a ${role}`);
  if (role && found.role !== role) throw new Error(`${id} is ${a(found.role)}, not ${a(role)}.`);
  return found;
}

/** Runs the pending checks if no request is in flight or came in the last IDLE_MS (else the
 * last request schedules this again as it ends). */
function runChecksIfIdle() {
  if (runs.size === 0 && performance.now() - lastRequestAt >= IDLE_MS) checksWhenIdle.splice(0).forEach((check) => check());
}

/**
 * Drops model `id` and what was computed with it, so that its next use loads it again: when a
 * stored file failed its check after the model was built from it (it downloads again, and
 * `message` tells the page that what it answered may be wrong), or when it was built at
 * another precision (no message).
 */
async function unload(id, message) {
  const dropped = loaded.get(id);
  loaded.delete(id);
  for (const cache of [vocabularies, keywordCandidates]) {
    for (const [key, handle] of cache) {
      if (key.startsWith(`${id}\n`)) {
        cache.delete(key);
        handle.free();
      }
    }
  }
  self.postMessage({ kind: 'unloaded', model: id, message });
  const { handle } = await dropped;
  // Freed after the generations queued with it, and after requests that already hold it.
  decoderQueue = decoderQueue.then(() => setTimeout(() => handle.free()));
}

/** Lets queued messages (cancel, resume) run before the next chunk of work. */
function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Stop and step control of one run: `allowance` tokens may come before it pauses. */
class RunControl {
  cancelled = false;
  #wake = null;

  constructor(allowance) {
    this.allowance = allowance;
  }

  cancel() {
    this.cancelled = true;
    this.#wake?.();
  }

  allow(tokens) {
    this.allowance += tokens;
    this.#wake?.();
  }

  async waitWhilePaused(report) {
    while (!this.cancelled && this.allowance <= 0) {
      report({ kind: 'paused' });
      await new Promise((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }
}

/** Advances `generation` to its end (or a cancel), streaming tokens through `report`. */
async function drive(generation, decoder, report, control) {
  const steps = [];
  const scored = { ids: [], logprobs: [], topIds: [], topLogprobs: [] };
  let finished = null;
  let firstTokenMs = null;
  let prefillMs = 0;
  let decodeMs = 0;
  const started = performance.now();
  try {
    while (!finished) {
      await control.waitWhilePaused(report);
      if (control.cancelled) {
        finished = 'cancelled';
        break;
      }
      const before = performance.now();
      const advance = generation.advance(decoder);
      const spent = performance.now() - before;
      if (advance.scored) for (const key of Object.keys(scored)) scored[key].push(...advance.scored[key]);
      if (advance.step) {
        if (firstTokenMs === null) {
          firstTokenMs = performance.now() - started;
          prefillMs += spent;
        } else {
          decodeMs += spent;
        }
        steps.push(advance.step);
        control.allowance -= 1;
        report({ kind: 'token', step: advance.step });
      } else {
        prefillMs += spent;
        report({ kind: 'prefill', done: advance.promptDone, total: advance.promptTotal });
      }
      finished = advance.finished;
      await nextTask();
    }
    return {
      text: generation.output,
      tokenIds: Array.from(generation.tokenIds),
      steps,
      scored,
      promptTokens: generation.promptTokens,
      msToFirstToken: firstTokenMs,
      prefillMs,
      tokensPerSecond: steps.length > 1 ? (steps.length - 1) / (decodeMs / 1000) : 0,
      weightBytesPerToken: decoder.weightBytesPerToken,
      finishReason: finished,
    };
  } finally {
    generation.free();
  }
}

/** Runs `start(decoder)` → Generation after the generations queued before it. */
function queued(modelId, report, control, start) {
  const run = decoderQueue.then(async () => {
    const { handle } = await model(modelId, 'decoder', report);
    return drive(start(handle), handle, report, control);
  });
  decoderQueue = run.catch(() => {});
  return run;
}

/** The buffers of the typed arrays in a result: moved to the page, not copied. */
function typedArrayBuffers(value) {
  if (ArrayBuffer.isView(value)) return [value.buffer];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).filter((v) => ArrayBuffer.isView(v)).map((v) => v.buffer);
}

const verbs = {
  /** Reads the manifest (while the module instantiates) and answers once both are ready: the
   * page's `ready`. */
  async configure({ manifestUrl, weightsBase }) {
    store = WeightStore.open(manifestUrl, weightsBase, { hasher: () => new wasm.Sha256Hasher(), fileBytes: (size) => new wasm.FileBytes(size) });
    store.catch(() => {}); // reported to this request; later ones see it through requireStore
    const { manifest } = await store;
    await wasmReady;
    return { models: Object.keys(manifest.models) };
  },

  /** Deletes the stored weights (loaded models stay loaded): `{bytes}` freed. */
  async clearDownloads() {
    return { bytes: await clearStoredWeights() };
  },

  async plan({ model: id }) {
    return (await requireStore()).plan(id);
  },

  async load({ model: id }, report) {
    return (await model(id, null, report)).info;
  },

  /** A GGUF decoder from the user's file (`bytes`, moved here) or `url`, loaded under `id`
   * beside the manifest's models; one opened before under the same id is replaced. */
  async open({ id, bytes, url }, report) {
    await wasmReady;
    const name = id.replace(/^opened:/, '');
    const data = await openedBytes({ bytes, url, name }, report);
    report({ phase: 'compile' });
    const built = { role: 'decoder', ...(await BUILDERS.decoder({ [`${name}.gguf`]: data })) };
    const before = loaded.get(id);
    loaded.set(id, Promise.resolve(built));
    if (before) {
      const old = await before.catch(() => null);
      if (old) decoderQueue = decoderQueue.then(() => setTimeout(() => old.handle.free()));
    }
    return { ...built.info, fileBytes: data.length };
  },

  /** Drops model `model` from memory (the next use loads it again): its wasm memory is reused by
   * the next model loaded. */
  async unload({ model: id }) {
    if (loaded.has(id)) await unload(id, null);
    return {};
  },

  async embed({ texts, model: id }, report) {
    const { handle, info } = await model(id, null, report);
    return { ...handle.embed(texts), maxTokens: info.maxTokens ?? info.contextLength };
  },

  async tokenize({ text, model: id }, report) {
    const { role, handle } = await model(id, null, report);
    if (role === 'encoder') {
      const { ids, tokens } = handle.tokens(text);
      return { ids: Array.from(ids), tokens };
    }
    const ids = handle.tokenize(text);
    return { ids: Array.from(ids), tokens: handle.tokenTexts(ids) };
  },

  /** Every layer's and head's attention over `text`, by an encoder or a decoder. */
  async attention({ text, model: id }, report) {
    const { handle } = await model(id, null, report);
    return handle.attention(text);
  },

  /** A decoder's logit lens over `text`: its `k` likeliest next tokens after every layer,
   * one output-layer product at a time (the last position's column first), reporting
   * `{kind: 'lens', done, total, layersDone, cells}` after each and stopping (an AbortError)
   * when cancelled. */
  async logitLens({ text, k, model: id }, report, control) {
    const { handle } = await model(id, 'decoder', report);
    const run = handle.logitLens(text, k);
    for (;;) {
      const batch = run.advance(handle);
      report({ kind: 'lens', ...batch });
      if (batch.done === batch.total) return run.finish();
      await nextTask();
      if (control.cancelled) {
        run.free();
        throw new DOMException('The logit lens was stopped.', 'AbortError');
      }
    }
  },

  async flops({ model: id, tokenCounts, prompt, generated }, report) {
    const { role, handle } = await model(id, null, report);
    return role === 'encoder' ? handle.flops(Uint32Array.from(tokenCounts)) : handle.flops(prompt, generated);
  },

  async analogy({ a, b, c, words, k = 5, model: id }, report) {
    const { handle } = await model(id, 'encoder', report);
    const vocabulary = cached(vocabularies, `${id}\n${words.join('\n')}`, () => handle.vocabulary(words));
    return { ...vocabulary.analogy(handle, a, b, c, k), vocabularySize: vocabulary.size };
  },

  async keywords({ document, top = 5, diversity = 0.5, maxWords = 3, limit = 400, model: id }, report) {
    const { handle } = await model(id, 'encoder', report);
    const candidates = cached(keywordCandidates, `${id}\n${maxWords}\n${limit}\n${document}`, () => handle.keywordCandidates(document, maxWords, limit));
    return { keywords: candidates.pick(top, diversity), candidates: candidates.count };
  },

  project({ vectors, dim, method = 'pca' }) {
    return wasm.project(vectors, dim, method);
  },

  separation({ vectors, dim, labels }) {
    return wasm.separation(vectors, dim, Uint32Array.from(labels));
  },

  nearestCentroid({ train, labels, test, dim }) {
    return Array.from(wasm.nearestCentroid(train, Uint32Array.from(labels), test, dim));
  },

  /** Paradigm 1: TF-IDF + a softmax layer trained on `train` (label ids `labels`, scikit-learn's
   * regularisation `c`), applied to `test`: `{predictions, probabilities, features,
   * flopsPerPrediction, trainMs, predictMs}`. */
  tfidfClassify({ train, labels, test, classes, c }) {
    let started = performance.now();
    const classifier = new wasm.TfidfClassifier(train, Uint32Array.from(labels), classes, c);
    const trainMs = performance.now() - started;
    try {
      started = performance.now();
      const out = classifier.classify(test);
      return { ...out, features: classifier.features, trainMs, predictMs: performance.now() - started };
    } finally {
      classifier.free();
    }
  },

  /** Pasted or opened labelled texts, read and split (src/wasm/classifier.rs): `{labels,
   * texts, labelIds, splits}` or `{problem, message}`. */
  readLabelledTexts({ input, testFraction, folds, seed }) {
    return wasm.readLabelledTexts(input, testFraction, folds, seed);
  },

  /** Paradigm 2: a softmax layer trained on `vectors` (rows × dim) by Adam, an epoch at a
   * time, reporting `{kind: 'epoch', epoch, loss, accuracy}` (accuracy on `testVectors`) and
   * stopping between epochs when cancelled, or once an epoch lowers the loss by less than
   * `tolerance` of it (converged): `{predictions, weights, flopsPerPrediction, trainMs,
   * predictMs, converged}`. */
  async linearClassify({ vectors, labels, dim, classes, testVectors, testLabels, epochs, batchSize, learningRate, l2, seed, tolerance = 0 }, report, control) {
    const training = new wasm.LinearTraining(vectors, Uint32Array.from(labels), dim, classes, epochs, batchSize, learningRate, l2, seed);
    const truth = Uint32Array.from(testLabels);
    let trainMs = 0;
    let epoch = 0;
    let converged = false;
    let lastLoss = Infinity;
    try {
      while (!training.finished && !converged) {
        const started = performance.now();
        const loss = training.epoch();
        trainMs += performance.now() - started;
        converged = lastLoss - loss < tolerance * loss;
        lastLoss = loss;
        const { accuracy } = wasm.classificationScores(truth, Int32Array.from(training.predict(testVectors)), classes);
        epoch += 1;
        report({ kind: 'epoch', epoch, loss, accuracy });
        await nextTask();
        if (control.cancelled) throw new DOMException('Training was stopped.', 'AbortError');
      }
      const started = performance.now();
      const predictions = training.predict(testVectors);
      return { predictions, weights: training.weights(), flopsPerPrediction: training.flopsPerPrediction, trainMs, predictMs: performance.now() - started, converged };
    } finally {
      training.free();
    }
  },

  /** FLOPs of a product with one vector per class over `inputs` values (nearest centroid). */
  linearLayerFlops({ inputs, classes }) {
    return wasm.linearLayerFlops(inputs, classes);
  },

  /** `{accuracy, macroF1, confusion}` of `predicted` (−1: no label) against `truth`. */
  classificationScores({ truth, predicted, classes }) {
    return wasm.classificationScores(Uint32Array.from(truth), Int32Array.from(predicted), classes);
  },

  labelInAnswer({ answer, labels }) {
    return wasm.labelInAnswer(answer, labels) ?? null;
  },

  /** From `prompt` (text), or after exactly the token `ids` when given. */
  async generate({ prompt, ids, options, model: id }, report, control) {
    const start = (decoder) => (ids ? decoder.generateAfter(Uint32Array.from(ids), options) : decoder.generate(prompt, options));
    const { scored, ...result } = await queued(id, report, control, start);
    return result;
  },

  async score({ ids, model: id }, report, control) {
    const { scored, finishReason } = await queued(id, report, control, (decoder) => decoder.score(Uint32Array.from(ids)));
    const { handle } = await model(id, 'decoder', report);
    return { ...scored, topTexts: handle.tokenTexts(Uint32Array.from(scored.topIds)), finishReason };
  },

  /** What the benchmark reports: wasm memory (it only grows, so this is its peak), threads and build. */
  /** Keeps f32 encoders' matrices at `precision` ('f32' or 'int16') from their next load on;
   * one loaded at another precision is dropped (it loads again, from storage, on next use). */
  async precision({ precision }) {
    if (!PRECISIONS.includes(precision)) throw new TypeError(`precision must be 'f32' or 'int16', not ${JSON.stringify(precision)}.`);
    encoderWeights = precision;
    for (const [id, loading] of loaded) {
      const built = await loading.catch(() => null);
      if (built?.precision && built.precision !== precision && loaded.get(id) === loading) unload(id, null);
    }
    return precision;
  },

  async stats() {
    const decoders = [];
    for (const [id, loading] of loaded) if ((await loading.catch(() => null))?.role === 'decoder') decoders.push(id);
    return { decoders, wasmMemoryBytes: wasm.memoryBytes(), threads: wasm.threads(), threadsShortBecause, build, precision: encoderWeights, crossOriginIsolated: self.crossOriginIsolated };
  },

  /** Makes the wasm module panic, to show (and test) that the page recovers. */
  panic() {
    wasm.panicOnPurpose();
  },

  cancel({ target }) {
    runs.get(target)?.cancel();
    return null;
  },

  resume({ target, tokens }) {
    runs.get(target)?.allow(tokens);
    return null;
  },

  /**
   * How fast this machine reads memory and runs the one-token products, on the worker's own
   * thread: for each kind ('read', 'q4', 'q8') the best of `passes` timed passes over about
   * `megabytes` (after one untimed pass, so the optimising tier has compiled the loop).
   */
  machineCheck({ kinds = ['read', 'q4', 'q8', 'f32'], megabytes = 100, passes = 3 }) {
    const out = {};
    for (const kind of kinds) {
      const check = new wasm.MachineCheck(kind, megabytes);
      try {
        const sum = check.run();
        let best = Infinity;
        for (let i = 0; i < passes; i++) {
          const started = performance.now();
          check.run();
          best = Math.min(best, performance.now() - started);
        }
        out[kind] = { bytes: check.bytes, ms: best, gbPerSecond: check.bytes / best / 1e6, productsPerSecond: (check.products / best) * 1000, sum };
      } finally {
        check.free();
      }
    }
    return out;
  },

  similarity({ vectors, dim }) {
    return wasm.similarityMatrix(vectors, dim);
  },

  neighbours({ vectors, dim, index, k }) {
    return wasm.nearestNeighbours(vectors, dim, index, k);
  },
};

self.onmessage = async ({ data: { id, verb, args = {} } }) => {
  const report = (progress) => self.postMessage({ id, kind: 'progress', progress });
  const control = new RunControl(args.paused ? 1 : Infinity);
  runs.set(id, control);
  lastRequestAt = performance.now();
  try {
    if (verb !== 'configure') await wasmReady; // configure waits itself, after starting its fetch
    const handler = verbs[verb];
    if (!handler) throw new Error(`unknown request "${verb}"`);
    const value = await handler(args, report, control);
    self.postMessage({ id, kind: 'result', value }, typedArrayBuffers(value));
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      // A panic or a trap: this module's memory can no longer be trusted. Say so and stop;
      // the page starts a fresh worker.
      const why = wasm?.lastPanic() ?? error.message;
      self.postMessage({ id, kind: 'crashed', error: { name: 'ModelCrash', message: why } });
      self.close();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    self.postMessage({ id, kind: 'error', error: { name: error?.name ?? 'Error', message, file: error?.file } });
  } finally {
    runs.delete(id);
    if (runs.size === 0 && checksWhenIdle.length) setTimeout(runChecksIfIdle, IDLE_MS);
  }
};
