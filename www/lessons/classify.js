// Lesson: three ways to build a classifier, on the same labelled texts — the essay's three
// paradigms of NLP. (1) Hand-made features: TF-IDF + a trained softmax layer. (2) Pre-train +
// fine-tune: the encoder's embeddings + a softmax layer trained here (and, for comparison, the
// nearest label centroid, which trains nothing). (3) Prompting: GPT asked for each test text's
// label, zero-shot or shown k labelled training texts — as text to continue by default (as
// "Language Models are Few-Shot Learners" asks GPT-3; SmolLM2-135M follows that far better
// than the same prompt in its chat template, where it copies the examples: docs/hook.md),
// or in the chat template on request. Each method's accuracy, macro-F1,
// confusion matrix, time and FLOPs per prediction come out side by side; all the maths runs in
// the worker (src/lessons/), this file only orders the calls.
import { loadData } from '../data/index.js';

export const METHODS = ['tfidf', 'linear', 'centroid', 'gpt-zero-shot', 'gpt-few-shot'];
/** How the layers are trained unless asked otherwise: TF-IDF's L2 as scikit-learn's C = 10;
 * the embedding layer by Adam as tests/classify_reference.rs checks it, every epoch asked for
 * (`tolerance` 0; above 0 it stops once an epoch lowers the loss by less than that share). */
export const TRAINING = { tfidfC: 10, epochs: 100, batchSize: 16, learningRate: 0.01, l2: 1e-4, tolerance: 0 };

const HAN = /\p{Script=Han}/u;
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
const stopped = () => new DOMException('The classification was stopped.', 'AbortError');

/** Reads pasted or opened labelled texts and splits them (seeded, stratified; `folds` ≥ 2 for
 * k-fold, else `testFraction` held out): `{labels, texts, labelIds, splits: [{train, test}]}`.
 * Throws an Error whose `problem` ({kind, …}, src/error.rs DataProblem) says what is wrong. */
export async function readLabelled(models, { input, testFraction = 0.25, folds = 0, seed = 0 }) {
  const read = await models.client.call('readLabelledTexts', { input, testFraction, folds, seed });
  if (read.problem) throw Object.assign(new Error(read.message), { problem: read.problem });
  return read;
}

/**
 * A softmax layer trained on `vectors` (rows × `dim`, labels 0…classes−1) by Adam, an epoch at
 * a time in the worker: `{weights (classes × dim), epochs: [{epoch, loss, accuracy}],
 * predictions (of testVectors), trainMs, predictMs, flopsPerPrediction, converged}`; `accuracy`
 * is on `testVectors`/`testLabels` (null without them). `onProgress` hears each epoch.
 */
export async function trainLayer(models, { vectors, dim, labels, classes = Math.max(...labels) + 1, testVectors = new Float32Array(0), testLabels = [], seed = 0, onProgress, signal, ...training }) {
  const settings = { ...TRAINING, ...training };
  const epochs = [];
  const out = await models.client.call('linearClassify', {
    vectors, labels, dim, classes, testVectors, testLabels, seed,
    epochs: settings.epochs, batchSize: settings.batchSize, learningRate: settings.learningRate, l2: settings.l2, tolerance: settings.tolerance,
  }, {
    signal,
    onProgress: (event) => {
      if (event.kind !== 'epoch') return;
      const step = { epoch: event.epoch, loss: event.loss, accuracy: testLabels.length ? event.accuracy : null };
      epochs.push(step);
      onProgress?.({ ...step, done: step.epoch, total: settings.epochs });
    },
  });
  return { ...out, predictions: Array.from(out.predictions), epochs };
}

/** `shots` training examples to show GPT: the labels in turn, each label's examples in order
 * starting `seed` places in, so a few shots still cover every label. */
function pickShots(train, labels, shots, seed) {
  const byLabel = labels.map((label) => train.filter((e) => e.label === label));
  const picked = [];
  for (let round = 0; picked.length < shots && round < train.length; round++) {
    for (const group of byLabel) {
      if (picked.length < shots && group.length) picked.push(group[(seed + round) % group.length]);
    }
  }
  return picked.slice(0, shots);
}

/**
 * Runs `methods` on `train` and `test` (`[{text, label}]`, labels as strings): `{labels,
 * results: {<method>: {accuracy, macroF1, confusion, predictions, trainMs, predictMs,
 * flopsPerPrediction, …}}}` — `linear` adds `epochs` ([{epoch, loss, accuracy}]) and `weights`
 * (classes × dim), the GPT methods `answers` (each test text's generated answer). `onProgress`
 * hears `{method, done, total}` (and `{method: 'linear', epoch, loss, accuracy}`); aborting
 * `signal` stops between steps. `labels` orders the labels (default: as they first appear in
 * `train`).
 */
export async function runClassify(models, { train, test, methods = METHODS, encoder = models.encoder, decoder = models.decoder, shots = 6, seed = 0, chat = false, training = {}, onProgress, signal, labels = [...new Set(train.map((e) => e.label))] }) {
  const settings = { ...TRAINING, ...training };
  const unseen = test.find((e) => !labels.includes(e.label));
  if (unseen) throw new Error(`The test label “${unseen.label}” has no training example: every label needs some to learn from.`);
  if (labels.length < 2) throw new Error('The training texts need at least two labels.');
  const trainIds = train.map((e) => labels.indexOf(e.label));
  const testIds = test.map((e) => labels.indexOf(e.label));
  const results = {};
  const check = () => {
    if (signal?.aborted) throw stopped();
  };
  const scored = async (predicted) => models.client.call('classificationScores', { truth: testIds, predicted: predicted.map((p) => p ?? -1), classes: labels.length });
  const finish = async (method, predicted, extra) => {
    results[method] = { ...(await scored(predicted)), predictions: predicted.map((p) => (p === null ? null : labels[p])), ...extra };
  };

  if (methods.includes('tfidf')) {
    check();
    onProgress?.({ method: 'tfidf', done: 0, total: 1 });
    const out = await models.client.call('tfidfClassify', { train: train.map((e) => e.text), labels: trainIds, test: test.map((e) => e.text), classes: labels.length, c: settings.tfidfC });
    await finish('tfidf', Array.from(out.predictions), { trainMs: out.trainMs, predictMs: out.predictMs, flopsPerPrediction: out.flopsPerPrediction, features: out.features });
  }

  if (methods.includes('linear') || methods.includes('centroid')) {
    check();
    onProgress?.({ method: methods.includes('linear') ? 'linear' : 'centroid', done: 0, total: 1 });
    let started = performance.now();
    const embeddedTrain = await models.embed(train.map((e) => e.text), encoder);
    const embedTrainMs = performance.now() - started;
    started = performance.now();
    const embeddedTest = await models.embed(test.map((e) => e.text), encoder);
    const embedTestMs = performance.now() - started;
    const { dim } = embeddedTrain;
    const encoderFlops = (await models.withModel(encoder, 'flops', { tokenCounts: Array.from(embeddedTest.tokenCounts) })) / test.length;
    if (methods.includes('linear')) {
      check();
      const out = await trainLayer(models, {
        ...training, vectors: embeddedTrain.vectors, labels: trainIds, dim, classes: labels.length,
        testVectors: embeddedTest.vectors, testLabels: testIds, seed, signal,
        onProgress: (step) => onProgress?.({ method: 'linear', ...step }),
      });
      await finish('linear', out.predictions, {
        trainMs: embedTrainMs + out.trainMs, predictMs: embedTestMs + out.predictMs, layerTrainMs: out.trainMs, embedMs: embedTrainMs + embedTestMs,
        flopsPerPrediction: encoderFlops + out.flopsPerPrediction, epochs: out.epochs, weights: out.weights, encoder,
      });
    }
    if (methods.includes('centroid')) {
      check();
      started = performance.now();
      const predicted = await models.client.call('nearestCentroid', { train: embeddedTrain.vectors, labels: trainIds, test: embeddedTest.vectors, dim });
      const ms = performance.now() - started;
      const layerFlops = await models.client.call('linearLayerFlops', { inputs: dim, classes: labels.length });
      // Training is the train texts' embedding; predicting, the test texts' and the cosines.
      await finish('centroid', predicted, { trainMs: embedTrainMs, predictMs: embedTestMs + ms, flopsPerPrediction: encoderFlops + layerFlops, encoder });
    }
  }

  const gptMethods = methods.filter((m) => m.startsWith('gpt-'));
  if (gptMethods.length) {
    const { prompts } = await loadData('datasets.json');
    const texts = [...train, ...test].map((e) => e.text);
    const lang = texts.filter((t) => HAN.test(t)).length * 2 > texts.length ? 'zh' : 'en';
    const words = prompts[lang];
    if (chat && (await models.load(decoder)).chat === false) throw new Error(`${decoder} has no chat template: ask it with text to continue (chat: false).`);
    const labelList = labels.join(words.separator);
    for (const method of gptMethods) {
      const examples = method === 'gpt-few-shot' ? pickShots(train, labels, shots, seed) : [];
      const ask = (text) => {
        if (chat) {
          const shown = examples.map((e) => fill(words.chatExample, e)).join('');
          return [fill(words.chat, { labels: labelList, text, examples: shown ? fill(words.chatExamples, { examples: shown }) : '' }), { chat: true, maxNewTokens: 16, temperature: 0 }];
        }
        const shown = examples.map((e) => fill(words.example, e)).join('');
        return [fill(words.header, { labels: labelList }) + shown + fill(words.query, { text }), { chat: false, maxNewTokens: 8, temperature: 0, stop: ['\n'] }];
      };
      const answers = [];
      const predicted = [];
      let flops = 0;
      const started = performance.now();
      for (const [i, item] of test.entries()) {
        check();
        onProgress?.({ method, done: i, total: test.length });
        const [prompt, options] = ask(item.text);
        const result = await models.generate(prompt, options, { model: decoder, signal }).result;
        if (result.finishReason === 'cancelled') throw stopped();
        const named = await models.client.call('labelInAnswer', { answer: result.text, labels });
        answers.push(result.text);
        predicted.push(named);
        flops += await models.withModel(decoder, 'flops', { prompt: result.promptTokens, generated: result.tokenIds.length });
      }
      onProgress?.({ method, done: test.length, total: test.length });
      await finish(method, predicted, { trainMs: 0, predictMs: performance.now() - started, flopsPerPrediction: flops / test.length, answers, decoder, shots: examples.length, chat });
    }
  }
  return { labels, results };
}

/**
 * `runClassify` on each of `splits` of read labelled texts (`readLabelled`'s `{labels, texts,
 * labelIds, splits}`), folds one after another: one fold gives its own results; k folds give,
 * per method, the scores of every text's prediction from the fold that held it out, times
 * summed over the folds and FLOPs per prediction averaged. `onProgress` also hears `fold`.
 */
export async function classifyOnSplits(models, { data, onProgress, ...options }) {
  const { labels, texts, labelIds, splits } = data;
  const examples = (indices) => Array.from(indices, (i) => ({ text: texts[i], label: labels[labelIds[i]] }));
  const runs = [];
  for (const [fold, split] of splits.entries()) {
    // Every fold orders the labels as the texts do, so folds' weights and matrices line up.
    const run = await runClassify(models, {
      ...options, labels, train: examples(split.train), test: examples(split.test),
      onProgress: (event) => onProgress?.({ ...event, fold, folds: splits.length }),
    });
    runs.push({ ...run, test: split.test });
  }
  if (runs.length === 1) return { ...runs[0], folds: 1, tested: runs[0].test.length, order: Array.from(runs[0].test) };
  // Every text was tested once: `at[i]` is where text i's prediction sits in the folds' order.
  const order = runs.flatMap((run) => Array.from(run.test));
  const at = new Map(order.map((text, position) => [text, position]));
  const tested = [...order].sort((a, b) => a - b);
  const results = {};
  for (const method of Object.keys(runs[0].results)) {
    const parts = runs.map((run) => run.results[method]);
    const inOrder = (key) => {
      const all = parts.flatMap((p) => p[key]);
      return tested.map((i) => all[at.get(i)]);
    };
    const predictions = inOrder('predictions');
    const scores = await models.client.call('classificationScores', {
      truth: tested.map((i) => labelIds[i]),
      predicted: predictions.map((p) => (p === null ? -1 : labels.indexOf(p))),
      classes: labels.length,
    });
    const sum = (key) => parts.reduce((total, p) => total + (p[key] ?? 0), 0);
    results[method] = {
      ...parts.at(-1), ...scores, predictions, trainMs: sum('trainMs'), predictMs: sum('predictMs'),
      flopsPerPrediction: parts.reduce((total, p, f) => total + p.flopsPerPrediction * runs[f].test.length, 0) / order.length,
      ...(parts[0].answers && { answers: inOrder('answers') }),
    };
  }
  return { labels, results, folds: runs.length, tested: tested.length, order: tested };
}
