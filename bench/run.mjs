// `make bench`: the page's own speed on the shared workloads (bench/workloads.json, the same
// work the transformers.js and wllama anchors measure), in headless Chromium, through the
// page's public hook. Prints a table (min / median of the repetitions) and writes
// bench/results/bench.json. With --anchors FILE it also prints our figures against the
// anchors' results from the same invocation. The Chinese decoder, Gemma 3 270M, runs its own
// workload (bench/gemma-workload.json); with --gemma-anchors DIR (wllama's gemma-1.json and
// gemma-2.json on the same file, from the same invocation) it is compared too.
//
//   node bench/run.mjs [--reps 3] [--threads 1,2 (default)] [--anchors path/to/anchors.json]
//                      [--gemma-anchors DIR] [--no-limit] [--no-gemma] [--only-gemma] [--only-limit]
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';
import { launchBrowser } from '../e2e/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const REPS = Number(argument('reps', 3));
const THREADS = argument('threads', '1,2').split(',').map(Number);
const ANCHORS = argument('anchors', null);
const GEMMA_ANCHORS = argument('gemma-anchors', null);
const GEMMA = !process.argv.includes('--no-gemma');
const ONLY_GEMMA = process.argv.includes('--only-gemma');
const ONLY_LIMIT = process.argv.includes('--only-limit');
const E5 = 'multilingual-e5-small';
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'models', 'manifest.json'), 'utf8'));
const downloadMB = (id) => manifest.models[id].files.reduce((sum, f) => sum + f.size, 0) / 1e6;
const workloads = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'workloads.json'), 'utf8'));
const gemmaWorkload = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'gemma-workload.json'), 'utf8'));

/** The "who sees what" lesson's timing sentence: 32 tokens for SmolLM2, 34 for MiniLM (with
 * [CLS] and [SEP]). */
const INSIDE_TEXT = 'The animal did not cross the busy street because it was far too tired after walking all day long in the heat of the summer sun, so it lay down.';
/** The same for the Chinese pair, e5 and Gemma (32 tokens for Gemma with its <bos>). */
const INSIDE_TEXT_ZH = '那只动物没有穿过繁忙的街道，因为它在夏天的烈日下走了一整天，实在太累了，所以就躺下休息了。';

/** A decoder's logit lens over `text` in page `p`, once untimed, then timed:
 * `{lensColumnMs, logitLensMs}` — to its last column (the first batch the hook reports, which
 * the lesson draws at once) and to the whole lens; and `lessonColumnMs`, from the start of the
 * decoder's attention to that column when the lens follows it, as in the lesson (which shares
 * the attention's recording pass). */
const lensTimes = (p, text, model) => p.evaluate(async ({ text, model }) => {
  const hook = window.bertVsGpt;
  await hook.logitLens(text, { model });
  const timeToColumn = async (before) => {
    const started = performance.now();
    await before();
    let columnMs = null;
    await hook.logitLens(text, { model, onProgress: () => { columnMs ??= performance.now() - started; } });
    return [columnMs, performance.now() - started];
  };
  const [lensColumnMs, logitLensMs] = await timeToColumn(async () => {});
  const [lessonColumnMs] = await timeToColumn(() => hook.attention(text, { model }));
  return { lensColumnMs, logitLensMs, lessonColumnMs };
}, { text, model });

/**
 * The classifier lesson's training at the size its issue names: a softmax layer on 1,000
 * vectors of 384 numbers in 5 classes (seeded clusters on the unit sphere), trained by Adam until
 * an epoch lowers the loss by less than 0.01 %; and TF-IDF + its layer on 1,000 texts in 5
 * classes (12 words each, drawn per class from the shipped English sets' words, seeded).
 */
function classifierWorkload() {
  let state = 7;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const [rows, dim, classes] = [1000, 384, 5];
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, normal));
  const labels = Array.from({ length: rows }, (_, i) => i % classes);
  const vectors = labels.flatMap((label) => {
    const row = centres[label].map((c) => 0.3 * c + normal());
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  });
  const { datasets } = JSON.parse(readFileSync(path.join(ROOT, 'www', 'data', 'datasets.json'), 'utf8'));
  const words = [...new Set(datasets.filter((d) => d.lang === 'en').flatMap((d) => d.examples.flatMap(([, text]) => text.toLowerCase().match(/[a-z]+/g))))];
  const classWords = Array.from({ length: classes }, () => words.filter(() => random() < 0.4));
  const pick = (pool) => pool[Math.floor(random() * pool.length)];
  const texts = labels.map((label) => ({ label: `class ${label}`, text: Array.from({ length: 12 }, () => pick(random() < 0.7 ? classWords[label] : words)).join(' ') }));
  return { vectors, dim, labels, texts };
}
const CLASSIFIER = classifierWorkload();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};
const min = (values) => Math.min(...values);
const max = (values) => Math.max(...values);

/** One repetition at `threads`: cold and warm loads in fresh profiles, then the workloads. */
async function repetition(browser, url, threads) {
  const page = async (context) => {
    const p = await context.newPage();
    await p.goto(`${url}?threads=${threads}`);
    await p.evaluate(() => window.bertVsGpt.ready);
    return p;
  };
  const sinceNavigation = (p, call) => p.evaluate(async (call) => {
    await new Function(`return (${call})`)()();
    return performance.now();
  }, call);
  const firstEmbedding = `() => window.bertVsGpt.embed([${JSON.stringify(workloads.embed.sentences[0])}])`;
  const firstE5 = `() => window.bertVsGpt.embed([${JSON.stringify(workloads.embed.sentences[0])}], { model: '${E5}' })`;
  const firstToken = `() => window.bertVsGpt.generate(${JSON.stringify(workloads.generate.prompt)}, { chat: false, maxNewTokens: 1 })`;

  const out = { threads };
  for (const [model, call] of [['encoder', firstEmbedding], ['e5', firstE5], ['decoder', firstToken]]) {
    const context = await browser.newContext();
    const p = await page(context);
    out[`${model}ColdMs`] = await sinceNavigation(p, call);
    await p.reload();
    await p.evaluate(() => window.bertVsGpt.ready);
    out[`${model}WarmMs`] = await sinceNavigation(p, call);
    if (model !== 'decoder') await context.close();
    else out.page = p;
  }

  const p = out.page;
  delete out.page;
  Object.assign(out, await p.evaluate(async ({ embed, generate, e5, inside, classifier }) => {
    const hook = window.bertVsGpt;
    const sentences = embed.sentences;
    // Each encoder loads, then embeds the first 8 sentences untimed, as the anchors warm up:
    // V8 first runs wasm functions in its baseline tier and compiles the hot ones with its
    // optimising tier in the background.
    const warmUp = async (options) => {
      for (const sentence of sentences.slice(0, 8)) await hook.embed([sentence], options);
    };
    await warmUp();
    let started = performance.now();
    for (const sentence of sentences) await hook.embed([sentence]);
    const batch1 = (performance.now() - started) / sentences.length;
    started = performance.now();
    for (let i = 0; i < sentences.length; i += 8) await hook.embed(sentences.slice(i, i + 8));
    const batch8 = (performance.now() - started) / sentences.length;
    // MiniLM again with int16 weights: its load from storage, then the same sentences.
    await hook.setPrecision('int16');
    started = performance.now();
    await hook.embed([sentences[0]]);
    const int16LoadMs = performance.now() - started;
    await warmUp();
    started = performance.now();
    for (const sentence of sentences) await hook.embed([sentence]);
    const int16Batch1 = (performance.now() - started) / sentences.length;
    started = performance.now();
    for (let i = 0; i < sentences.length; i += 8) await hook.embed(sentences.slice(i, i + 8));
    const int16Batch8 = (performance.now() - started) / sentences.length;
    await warmUp({ model: e5 });
    started = performance.now();
    for (const sentence of sentences) await hook.embed([sentence], { model: e5 });
    const e5Batch1 = (performance.now() - started) / sentences.length;
    const result = await hook.generate(generate.prompt, { chat: false, maxNewTokens: generate.max_new_tokens, temperature: 0, ignoreEos: generate.ignore_eos });
    // Inside the models (the "who sees what" lesson) on one sentence, each verb once untimed first.
    const timed = async (call) => {
      await call();
      const started = performance.now();
      const out = await call();
      return [performance.now() - started, out];
    };
    const [encoderAttentionMs, seen] = await timed(() => hook.attention(inside));
    const [decoderAttentionMs, read] = await timed(() => hook.attention(inside, { model: 'SmolLM2-135M-Instruct' }));
    // The classifier lesson's two trainings at 1,000 examples (each once untimed first).
    const vectors = Float32Array.from(classifier.vectors);
    const [layerMs, layer] = await timed(() => hook.trainLayer({ vectors, dim: classifier.dim, labels: classifier.labels, training: { epochs: 1000, tolerance: 1e-4 } }));
    const [tfidfMs, tfidf] = await timed(() => hook.classify({ train: classifier.texts, test: classifier.texts.slice(0, 100), methods: ['tfidf'] }));
    const stats = await hook.stats();
    let pageMemory = null;
    if (self.crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
      pageMemory = (await performance.measureUserAgentSpecificMemory()).bytes;
    }
    return {
      batch1MsPerSentence: batch1,
      batch8MsPerSentence: batch8,
      int16Batch1MsPerSentence: int16Batch1,
      int16Batch8MsPerSentence: int16Batch8,
      int16LoadMs,
      e5Batch1MsPerSentence: e5Batch1,
      promptTokens: result.promptTokens,
      generatedTokens: result.tokenIds.length,
      prefillTokensPerSecond: result.promptTokens / (result.prefillMs / 1000),
      decodeTokensPerSecond: result.tokensPerSecond,
      weightBytesPerToken: result.weightBytesPerToken,
      msToFirstToken: result.msToFirstToken,
      text: result.text,
      wasmMemoryBytes: stats.wasmMemoryBytes,
      threadsUsed: stats.threads,
      build: stats.build,
      crossOriginIsolated: stats.crossOriginIsolated,
      pageMemoryBytes: pageMemory,
      inside: { encoderTokens: seen.tokens.length, decoderTokens: read.tokens.length, encoderAttentionMs, decoderAttentionMs },
      classifier: { layerMs, layerTrainMs: layer.trainMs, layerEpochs: layer.epochs.length, layerConverged: layer.converged, tfidfMs, tfidfTrainMs: tfidf.results.tfidf.trainMs, tfidfFeatures: tfidf.results.tfidf.features },
    };
  }, { ...workloads, e5: E5, inside: INSIDE_TEXT, classifier: CLASSIFIER }));
  Object.assign(out.inside, await lensTimes(p, INSIDE_TEXT, 'SmolLM2-135M-Instruct'));
  await p.context().close();
  return out;
}

/** Gemma at `threads`: cold and warm loads to its first token in a fresh profile, then greedy
 * continuations of the workload's prompts (prefill and decode rates of each). */
async function gemmaRepetition(browser, url, threads) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const firstToken = (p) => p.evaluate(async (model) => {
    await window.bertVsGpt.ready;
    await window.bertVsGpt.generate('你好', { model, chat: false, maxNewTokens: 1 });
    return performance.now();
  }, gemmaWorkload.model);
  await page.goto(`${url}?threads=${threads}`);
  const coldMs = await firstToken(page);
  await page.reload();
  const warmMs = await firstToken(page);
  const runs = await page.evaluate(async ({ model, prompts, n }) => {
    const out = [];
    for (const prompt of prompts) {
      const r = await window.bertVsGpt.generate(prompt, { model, chat: false, temperature: 0, maxNewTokens: n, ignoreEos: true });
      out.push({ promptTokens: r.promptTokens, prefillTokensPerSecond: r.promptTokens / (r.prefillMs / 1000), decodeTokensPerSecond: r.tokensPerSecond, weightBytesPerToken: r.weightBytesPerToken, text: r.text });
    }
    return out;
  }, { model: gemmaWorkload.model, prompts: gemmaWorkload.prompts, n: gemmaWorkload.max_new_tokens });
  const wasmMemoryBytes = (await page.evaluate(() => window.bertVsGpt.stats())).wasmMemoryBytes;
  // The "who sees what" lesson in 中文: e5's and Gemma's attention and Gemma's logit lens on one
  // sentence, each once untimed first (after the memory reading: e5 is not Gemma's).
  const inside = await page.evaluate(async ({ model, e5, text }) => {
    const hook = window.bertVsGpt;
    const timed = async (call) => {
      await call();
      const started = performance.now();
      const out = await call();
      return [performance.now() - started, out];
    };
    const [encoderAttentionMs, seen] = await timed(() => hook.attention(text, { model: e5 }));
    const [decoderAttentionMs, read] = await timed(() => hook.attention(text, { model }));
    return { encoderTokens: seen.tokens.length, decoderTokens: read.tokens.length, encoderAttentionMs, decoderAttentionMs };
  }, { model: gemmaWorkload.model, e5: E5, text: INSIDE_TEXT_ZH });
  Object.assign(inside, await lensTimes(page, INSIDE_TEXT_ZH, gemmaWorkload.model));
  await context.close();
  return { threads, coldMs, warmMs, runs, wasmMemoryBytes, inside };
}

/** Gemma's table, and the ratios to wllama's on the same file when its results are given. */
function gemmaTable(results) {
  const rows = ['', `Gemma 3 270M (Q4_K_M, ${downloadMB('gemma-3-270m').toFixed(0)} MB), greedy, ${gemmaWorkload.max_new_tokens} new tokens (bench/gemma-workload.json):`, ''];
  rows.push('| threads | decode tok/s (short prompt) | prefill tok/s (long prompt, tokens) | cold / warm load to first token, ms | wasm memory MB (Gemma alone) | wllama decode / prefill tok/s | ours ÷ wllama: decode / prefill |');
  rows.push('|---|---|---|---|---|---|---|');
  for (const threads of THREADS) {
    const reps = results.filter((r) => r.threads === threads);
    if (!reps.length) continue;
    const decode = reps.map((r) => r.runs[0].decodeTokensPerSecond);
    const prefill = reps.map((r) => r.runs.at(-1).prefillTokensPerSecond);
    let anchor = ['–', '–'];
    if (GEMMA_ANCHORS) {
      const wllama = JSON.parse(readFileSync(path.join(GEMMA_ANCHORS, `gemma-${threads}.json`), 'utf8'));
      const w = [wllama.out[0].timings.predicted_per_second, wllama.out.at(-1).timings.prompt_per_second];
      anchor = [`${w[0].toFixed(1)} / ${w[1].toFixed(1)}`, `${(median(decode) / w[0]).toFixed(2)}× / ${(median(prefill) / w[1]).toFixed(2)}×`];
    }
    rows.push(`| ${threads} | ${pair(decode, 1, max)} | ${pair(prefill, 1, max)} (${reps[0].runs.at(-1).promptTokens}) | ${median(reps.map((r) => r.coldMs)).toFixed(0)} / ${median(reps.map((r) => r.warmMs)).toFixed(0)} | ${(max(reps.map((r) => r.wasmMemoryBytes)) / 1e6).toFixed(0)} | ${anchor[0]} | ${anchor[1]} |`);
  }
  rows.push('', '| inside the models in 中文, one sentence (tokens: e5 / Gemma) | e5 attention ms | Gemma attention ms | Gemma logit lens: its last column ms | Gemma logit lens ms | Gemma attention then its lens’s last column, as the lesson runs, ms |', '|---|---|---|---|---|---|');
  for (const threads of THREADS) {
    const inside = results.filter((r) => r.threads === threads).map((r) => r.inside);
    if (!inside.length) continue;
    const col = (key) => inside.map((r) => r[key]);
    rows.push(`| ${threads} thread(s) (${inside[0].encoderTokens} / ${inside[0].decoderTokens}) | ${pair(col('encoderAttentionMs'), 0)} | ${pair(col('decoderAttentionMs'), 0)} | ${pair(col('lensColumnMs'), 0)} | ${pair(col('logitLensMs'), 0)} | ${pair(col('lessonColumnMs'), 0)} |`);
  }
  return rows.join('\n');
}

/**
 * Memory at the limit, once: all four models loaded, then for each decoder a prompt that fills
 * its whole context, generating until the window is full. Reports wasm memory after each (it
 * only grows, so the last is the peak) and how each run ended, which must be 'context'.
 */
async function memoryAtTheLimit(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}?threads=1`);
  const out = await page.evaluate(async ({ e5, decoders }) => {
    const hook = window.bertVsGpt;
    await hook.ready;
    await hook.embed(['warm'], { model: 'all-MiniLM-L6-v2' });
    await hook.embed(['warm'], { model: e5 });
    for (const model of decoders) await hook.generate('warm', { model, chat: false, maxNewTokens: 1 });
    const runs = [];
    for (const model of decoders) {
      const prompt = ' word'.repeat(8180);
      const started = performance.now();
      const result = await hook.generate(prompt, { model, chat: false, maxNewTokens: 64, ignoreEos: true });
      runs.push({ model, promptTokens: result.promptTokens, generated: result.tokenIds.length, finishReason: result.finishReason, seconds: (performance.now() - started) / 1000, wasmMemoryBytes: (await hook.stats()).wasmMemoryBytes });
    }
    return runs;
  }, { e5: E5, decoders: ['SmolLM2-135M-Instruct', 'gemma-3-270m'] });
  await context.close();
  return out;
}

/** How fast this host reads memory and runs the one-token products, in the page on one thread
 * (the hook's machineCheck): what every figure below is to be read against. */
async function machineCheck(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}?threads=1`);
  const check = await page.evaluate(() => window.bertVsGpt.ready.then(() => window.bertVsGpt.machineCheck()));
  await context.close();
  return check;
}

/** The host, named with every table: its CPU as the OS reports it, its cores, and the check. */
function hostLines(check) {
  const cpus = os.cpus();
  const lines = [`Host: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores (${os.platform()} ${os.arch()}), Chromium headless. Figures from another host are not comparable.`];
  if (check) {
    const product = (pass) => `${pass.gbPerSecond.toFixed(1)} GB/s (${(pass.productsPerSecond / 1e9).toFixed(1)} G multiply-adds/s, ${Math.round((100 * pass.gbPerSecond) / check.read.gbPerSecond)}% of the read)`;
    lines.push(`In the page, one thread, ${Math.round(check.read.bytes / 1e6)} MB: streaming read ${check.read.gbPerSecond.toFixed(1)} GB/s; one token's product with a 4-bit matrix ${product(check.q4)}, with an 8-bit matrix ${product(check.q8)}; the encoder's f32 product of 24 tokens ${(check.f32.productsPerSecond / 1e9).toFixed(1)} G multiply-adds/s.`);
  }
  return lines.join('\n');
}

/** How fast each decoder streamed its weights (decode rate × bytes of weights a token reads),
 * against the streaming read of the machine check: how close decoding comes to the memory's
 * limit on this host. */
function streamingLines(results, gemmaResults, check) {
  const lines = ['', `Weights streamed while decoding (median tok/s × bytes of weights a token reads), against the page's streaming read above (${check ? check.read.gbPerSecond.toFixed(1) : '–'} GB/s, one thread):`, ''];
  const decoders = [
    ['SmolLM2-135M-Instruct', results, (r) => r],
    ['gemma-3-270m', gemmaResults, (r) => r.runs[0]],
  ];
  for (const [name, reps, run] of decoders) {
    for (const threads of THREADS) {
      const runs = reps.filter((r) => r.threads === threads).map(run);
      if (!runs.length) continue;
      const rate = median(runs.map((r) => r.decodeTokensPerSecond));
      const bytes = runs[0].weightBytesPerToken;
      const gb = (rate * bytes) / 1e9;
      const share = check ? `, ${Math.round((100 * gb) / check.read.gbPerSecond)}% of the read` : '';
      lines.push(`- ${name}, ${threads} thread(s): ${rate.toFixed(1)} tok/s × ${(bytes / 1e6).toFixed(1)} MB = ${gb.toFixed(1)} GB/s${share}`);
    }
  }
  return lines.join('\n');
}

/** The memory budget the page is held to: all four models and a full context. */
const MEMORY_BUDGET_MB = 1536;

/** Sizes of the three builds: plain (not isolated), threaded, threaded with relaxed SIMD. */
function wasmSizes() {
  return ['pkg/bert_vs_gpt_bg.wasm', 'pkg/threads/bert_vs_gpt_bg.wasm', 'pkg/relaxed/bert_vs_gpt_bg.wasm'].map((file) => {
    const bytes = readFileSync(path.join(ROOT, file));
    return { file, raw: statSync(path.join(ROOT, file)).size, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/** min / median, with `digits` decimals; for rates best (max) / median. */
const pair = (values, digits = 1, best = min) => `${best(values).toFixed(digits)} / ${median(values).toFixed(digits)}`;

/** What the runs at the limit found, a line each. */
function limitLines(limit) {
  return (limit ?? []).map((run) =>
    `At the limit with ${run.model} (all four models loaded, a ${run.promptTokens}-token prompt, generation until the 8,192-token window is full): ${run.generated} tokens, ended "${run.finishReason}", ${run.seconds.toFixed(0)} s, wasm memory ${(run.wasmMemoryBytes / 1e6).toFixed(0)} MB (budget ${MEMORY_BUDGET_MB} MB: ${run.wasmMemoryBytes / 1e6 <= MEMORY_BUDGET_MB ? 'within' : 'OVER'}).`).join('\n');
}

function table(results, sizes, limit) {
  const rows = [];
  rows.push('| threads (COI / used / build) | batch1 ms/sent | batch1 sent/s | batch8 ms/sent | prefill tok/s | decode tok/s | TTFT ms (loaded) | encoder cold / warm ms | decoder cold / warm ms | wasm memory MB |');
  rows.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const threads of THREADS) {
    const reps = results.filter((r) => r.threads === threads);
    const col = (key) => reps.map((r) => r[key]);
    rows.push(`| ${threads} (${reps[0].crossOriginIsolated} / ${reps[0].threadsUsed} / ${reps[0].build}) | ${pair(col('batch1MsPerSentence'))} | ${pair(col('batch1MsPerSentence').map((ms) => 1000 / ms), 1, max)} | ${pair(col('batch8MsPerSentence'))} | ${pair(col('prefillTokensPerSecond'), 1, max)} | ${pair(col('decodeTokensPerSecond'), 1, max)} | ${pair(col('msToFirstToken'), 0)} | ${median(col('encoderColdMs')).toFixed(0)} / ${median(col('encoderWarmMs')).toFixed(0)} | ${median(col('decoderColdMs')).toFixed(0)} / ${median(col('decoderWarmMs')).toFixed(0)} | ${(max(col('wasmMemoryBytes')) / 1e6).toFixed(0)} |`);
  }
  rows.push('');
  rows.push('| inside the models, one sentence (tokens: MiniLM / SmolLM2) | MiniLM attention ms | SmolLM2 attention ms | SmolLM2 logit lens: its last column ms | SmolLM2 logit lens ms | SmolLM2 attention then its lens’s last column, as the lesson runs, ms |');
  rows.push('|---|---|---|---|---|---|');
  for (const threads of THREADS) {
    const inside = results.filter((r) => r.threads === threads).map((r) => r.inside);
    const col = (key) => inside.map((r) => r[key]);
    rows.push(`| ${threads} thread(s) (${inside[0].encoderTokens} / ${inside[0].decoderTokens}) | ${pair(col('encoderAttentionMs'), 0)} | ${pair(col('decoderAttentionMs'), 0)} | ${pair(col('lensColumnMs'), 0)} | ${pair(col('logitLensMs'), 0)} | ${pair(col('lessonColumnMs'), 0)} |`);
  }
  rows.push('');
  rows.push('| the classifier lesson at 1,000 examples | softmax layer on 1,000 × 384, 5 classes, Adam to convergence: ms (in the worker / through the hook), epochs | TF-IDF + its layer on 1,000 texts, 5 classes: training ms (through the hook), features |');
  rows.push('|---|---|---|');
  for (const threads of THREADS) {
    const classifier = results.filter((r) => r.threads === threads).map((r) => r.classifier);
    const col = (key) => classifier.map((r) => r[key]);
    rows.push(`| ${threads} thread(s) | ${pair(col('layerTrainMs'), 0)} / ${pair(col('layerMs'), 0)}, ${median(col('layerEpochs'))} epochs${classifier.every((r) => r.layerConverged) ? '' : ' (not converged)'} | ${pair(col('tfidfTrainMs'), 0)} / ${pair(col('tfidfMs'), 0)}, ${classifier[0].tfidfFeatures} features |`);
  }
  rows.push('');
  rows.push('| encoder (the same 64 sentences) | download MB | batch1 ms/sentence | batch8 ms/sentence | cold / warm load to first embedding, ms |');
  rows.push('|---|---|---|---|---|');
  for (const threads of THREADS) {
    const reps = results.filter((r) => r.threads === threads);
    const col = (key) => reps.map((r) => r[key]);
    rows.push(`| all-MiniLM-L6-v2 (${threads} thread) | ${downloadMB('all-MiniLM-L6-v2').toFixed(1)} | ${pair(col('batch1MsPerSentence'))} | ${pair(col('batch8MsPerSentence'))} | ${median(col('encoderColdMs')).toFixed(0)} / ${median(col('encoderWarmMs')).toFixed(0)} |`);
    rows.push(`| all-MiniLM-L6-v2 int16 (${threads} thread) | ${downloadMB('all-MiniLM-L6-v2').toFixed(1)} | ${pair(col('int16Batch1MsPerSentence'))} | ${pair(col('int16Batch8MsPerSentence'))} | – / ${median(col('int16LoadMs')).toFixed(0)} (from storage, page loaded) |`);
    rows.push(`| ${E5} (${threads} thread) | ${downloadMB(E5).toFixed(1)} | ${pair(col('e5Batch1MsPerSentence'))} | – | ${median(col('e5ColdMs')).toFixed(0)} / ${median(col('e5WarmMs')).toFixed(0)} |`);
  }
  rows.push('');
  if (limit) rows.push(limitLines(limit), '');
  rows.push(`wasm memory: peak with all three models loaded. wasm: ${sizes.map((size) => `${size.file} ${(size.raw / 1e6).toFixed(2)} MB raw, ${(size.gzip / 1e6).toFixed(2)} MB gzipped`).join('; ')} (a page loads one of them). Values: min / median of ${REPS} (rates: best / median); loads: median, from navigation to the first result.`);
  return rows.join('\n');
}

/** Our figures against the anchors' (transformers.js 4 fp32 and q8, wllama) at equal threads. */
function ratios(results, anchorsFile) {
  const anchors = JSON.parse(readFileSync(anchorsFile, 'utf8'));
  const lines = ['', `Against the anchors measured in this run (${anchorsFile}; ×: how many times better ours is):`, ''];
  lines.push('| threads | MiniLM ms/sentence: ours f32 / tjs 4 fp32 | ours int16 / tjs 4 q8 | decode tok/s: ours / wllama | prefill tok/s: ours / wllama | TTFT warm ms: ours / wllama |');
  lines.push('|---|---|---|---|---|---|');
  const tjs = (dtype, threads) => anchors.embed.find((a) => a.lib === 'v4' && a.dtype === dtype && a.threads === threads);
  const times = (better, worse) => (worse && better ? ` (${(worse / better).toFixed(2)}×)` : '');
  for (const threads of THREADS) {
    const ours = results.filter((r) => r.threads === threads);
    const mine = {
      sentence: median(ours.map((r) => r.batch1MsPerSentence)),
      int16: median(ours.map((r) => r.int16Batch1MsPerSentence)),
      decode: median(ours.map((r) => r.decodeTokensPerSecond)),
      prefill: median(ours.map((r) => r.prefillTokensPerSecond)),
      warm: median(ours.map((r) => r.decoderWarmMs)),
    };
    const fp32 = tjs('fp32', threads)?.batch1_ms_per_sentence.median;
    const q8 = tjs('q8', threads)?.batch1_ms_per_sentence.median;
    const wllama = anchors.generate.find((a) => a.threads === threads);
    const fmt = (v) => (v === undefined ? '–' : v.toFixed(1));
    lines.push(`| ${threads} | ${fmt(mine.sentence)} / ${fmt(fp32)}${times(mine.sentence, fp32)} | ${fmt(mine.int16)} / ${fmt(q8)}${times(mine.int16, q8)} | ${fmt(mine.decode)} / ${fmt(wllama?.decode_tok_s.median)}${times(wllama?.decode_tok_s.median, mine.decode)} | ${fmt(mine.prefill)} / ${fmt(wllama?.prefill_tok_s.median)}${times(wllama?.prefill_tok_s.median, mine.prefill)} | ${fmt(mine.warm)} / ${fmt(wllama?.load_plus_ttft_warm_ms.median)} |`);
  }
  lines.push('', 'Medians on both sides; for decode and prefill the factor is ours ÷ wllama.');
  return lines.join('\n');
}

const server = await startServer({ root: ROOT, port: 0 });
const browser = await launchBrowser();
const results = [];
const gemmaResults = [];
let limit = null;
let check = null;
try {
  console.error('machine check: streaming read and one-token products, one thread ...');
  check = await machineCheck(browser, server.url);
  for (const threads of ONLY_GEMMA || ONLY_LIMIT ? [] : THREADS) {
    for (let rep = 0; rep < REPS; rep += 1) {
      const result = await repetition(browser, server.url, threads);
      results.push(result);
      console.error(`threads ${threads}, rep ${rep + 1}/${REPS}: ${result.batch1MsPerSentence.toFixed(1)} ms/sentence (int16 ${result.int16Batch1MsPerSentence.toFixed(1)}), decode ${result.decodeTokensPerSecond.toFixed(1)} tok/s, prefill ${result.prefillTokensPerSecond.toFixed(1)} tok/s`);
    }
  }
  for (const threads of GEMMA && !ONLY_LIMIT ? THREADS : []) {
    for (let rep = 0; rep < REPS; rep += 1) {
      const result = await gemmaRepetition(browser, server.url, threads);
      gemmaResults.push(result);
      console.error(`Gemma, threads ${threads}, rep ${rep + 1}/${REPS}: decode ${result.runs[0].decodeTokensPerSecond.toFixed(1)} tok/s, prefill ${result.runs.at(-1).prefillTokensPerSecond.toFixed(1)} tok/s, warm load ${result.warmMs.toFixed(0)} ms`);
    }
  }
  if ((!process.argv.includes('--no-limit') && !ONLY_GEMMA) || ONLY_LIMIT) {
    console.error('memory at the context limit (one run, ~2-3 min) ...');
    limit = await memoryAtTheLimit(browser, server.url);
  }
} finally {
  await browser.close();
  await server.close();
}
const sizes = wasmSizes();
const report = hostLines(check) + '\n\n' + (results.length ? table(results, sizes, limit) + (ANCHORS ? ratios(results, ANCHORS) : '') : '') + (gemmaResults.length ? gemmaTable(gemmaResults) : '') + (results.length || gemmaResults.length ? streamingLines(results, gemmaResults, check) : '') + (ONLY_LIMIT ? limitLines(limit) : '');
console.log(report);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'bench.json'), JSON.stringify({ date: new Date().toISOString(), host: { cpu: os.cpus()[0]?.model.trim(), cores: os.cpus().length }, machineCheck: check, reps: REPS, wasm: sizes, results, gemma: gemmaResults, limit, memoryBudgetMB: MEMORY_BUDGET_MB, anchors: ANCHORS }, null, 1));
writeFileSync(path.join(ROOT, 'bench', 'results', 'bench.md'), report + '\n');
