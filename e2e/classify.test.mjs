// Three ways to build a classifier, through the hook on the real models: the shipped topic
// texts held out as tests/fixtures/classify_reference.py holds them out, every method's scores
// consistent with its predictions, TF-IDF and the centroid as the reference computed them, the
// layer trained on MiniLM's embeddings at least as right as scikit-learn's, GPT's answers read
// as labels; Stop, and what is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, sharedPage } from './harness.mjs';

const LONG = { timeout: 600_000 };
const shared = sharedPage();
const reference = fixture('classify_reference.json');
const asLabelled = (c) => ({
  train: c.train.map((e) => ({ text: e.text, label: c.labels[e.label] })),
  test: c.test.map((e) => ({ text: e.text, label: c.labels[e.label] })),
});

/** Accuracy and confusion agree with the predictions. */
function consistent(result, labels, test) {
  assert.equal(result.predictions.length, test.length);
  const right = result.predictions.filter((p, i) => p === test[i].label).length;
  assert.ok(Math.abs(result.accuracy - right / test.length) < 1e-12);
  const counted = result.confusion.flat().reduce((a, b) => a + b, 0);
  assert.equal(counted, result.predictions.filter((p) => p !== null).length);
  labels.forEach((label, i) => assert.equal(result.confusion[i][i], result.predictions.filter((p, j) => p === label && test[j].label === label).length));
  assert.ok(result.macroF1 >= 0 && result.macroF1 <= 1);
  assert.ok(result.trainMs >= 0 && result.predictMs >= 0 && result.flopsPerPrediction > 0);
}

test('English topics: TF-IDF and the centroid as the reference, the trained layer at least as right, GPT asked zero- and few-shot', LONG, async () => {
  const { page } = shared;
  const embedded = reference.embeddings.find((c) => c.name === 'topics-en');
  const { train, test: held } = asLabelled(embedded);
  const progress = [];
  const out = await page.evaluate(async ({ train, test }) => {
    const seen = [];
    const result = await window.bertVsGpt.classify({ train, test, encoder: 'all-MiniLM-L6-v2', decoder: 'SmolLM2-135M-Instruct', shots: 6, onProgress: (p) => seen.push(p) });
    return { ...result, seen };
  }, { train, test: held });
  progress.push(...out.seen);
  assert.deepEqual(out.labels, embedded.labels);
  for (const method of ['tfidf', 'linear', 'centroid', 'gpt-zero-shot', 'gpt-few-shot']) consistent(out.results[method], out.labels, held);
  // TF-IDF: the reference's probabilities' argmax.
  const tfidfCase = reference.cases.find((c) => c.name === 'topics-en');
  const expected = tfidfCase.probabilities.map((p) => tfidfCase.labels[p.indexOf(Math.max(...p))]);
  assert.deepEqual(out.results.tfidf.predictions, expected);
  assert.deepEqual(out.results.centroid.predictions, embedded.centroid_predictions.map((i) => embedded.labels[i]));
  assert.ok(out.results.linear.accuracy >= embedded.accuracy, `${out.results.linear.accuracy} < ${embedded.accuracy}`);
  // The layer's curve: an entry per epoch, the loss falling; its weights are classes × 384.
  const epochs = out.results.linear.epochs;
  assert.equal(epochs.length, 100);
  assert.ok(epochs.at(-1).loss < epochs[0].loss);
  assert.equal(Object.keys(out.results.linear.weights).length, 3 * 384);
  // GPT: an answer per text, each read as a label or not at all; few-shot shown 6 texts.
  for (const method of ['gpt-zero-shot', 'gpt-few-shot']) {
    const result = out.results[method];
    assert.equal(result.answers.length, held.length);
    result.predictions.forEach((p) => assert.ok(p === null || out.labels.includes(p)));
  }
  assert.equal(out.results['gpt-few-shot'].shots, 6);
  // What each costs: GPT's answer is orders of magnitude more arithmetic than a trained layer's.
  const f = (m) => out.results[m].flopsPerPrediction;
  assert.ok(f('tfidf') < f('centroid') && f('centroid') <= f('linear') * 1.0001 && f('linear') * 10 < f('gpt-zero-shot') && f('gpt-zero-shot') < f('gpt-few-shot'));
  assert.ok(progress.some((p) => p.method === 'linear' && p.epoch === 100));
  assert.ok(progress.some((p) => p.method === 'gpt-few-shot' && p.done === held.length));
  console.log(`# topics-en held out: ${Object.entries(out.results).map(([m, r]) => `${m} ${Math.round(r.accuracy * held.length)}/${held.length}`).join(', ')}`);
});

test('Chinese topics on e5 and Gemma; Stop during GPT; what is refused', LONG, async () => {
  const { page } = shared;
  const { train, test: held } = asLabelled(reference.cases.find((c) => c.name === 'topics-zh'));
  const out = await page.evaluate(({ train, test }) => window.bertVsGpt.classify({ train, test, methods: ['tfidf', 'centroid', 'gpt-few-shot'], encoder: 'multilingual-e5-small', decoder: 'gemma-3-270m', shots: 6 }), { train, test: held });
  for (const method of ['tfidf', 'centroid', 'gpt-few-shot']) consistent(out.results[method], out.labels, held);
  assert.equal(out.results['gpt-few-shot'].chat, false, 'Gemma is a base model: it continues the examples');
  assert.equal(out.results['gpt-few-shot'].shots, 6);
  console.log(`# topics-zh held out: ${Object.entries(out.results).map(([m, r]) => `${m} ${Math.round(r.accuracy * held.length)}/${held.length}`).join(', ')}`);

  const stopped = await page.evaluate(async ({ train, test }) => {
    const stop = new AbortController();
    const run = window.bertVsGpt.classify({ train, test, methods: ['gpt-zero-shot'], decoder: 'SmolLM2-135M-Instruct', signal: stop.signal, onProgress: ({ done }) => done === 2 && stop.abort() });
    return run.then(() => 'finished', (e) => e.name);
  }, { train, test: held });
  assert.equal(stopped, 'AbortError');

  const refused = await page.evaluate(async () => {
    const hook = window.bertVsGpt;
    const message = (options) => hook.classify(options).then(() => 'no error', (e) => e.message);
    const a = { text: 'one', label: 'a' };
    const b = { text: 'two', label: 'b' };
    return [
      await message({ train: [a, { text: 'x', label: '' }], test: [a] }),
      await message({ train: [a, { ...a, text: 'again' }], test: [a], methods: ['tfidf'] }),
      await message({ train: [a, b], test: [{ text: 'three', label: 'c' }], methods: ['tfidf'] }),
      await message({ train: [a, b], test: [a], methods: ['bert'] }),
      await message({ train: [a, b], test: [a], methods: ['gpt-zero-shot'], decoder: 'gemma-3-270m', chat: true }),
    ];
  });
  assert.match(refused[0], /non-blank strings/);
  assert.match(refused[1], /at least two labels/);
  assert.match(refused[2], /“c” has no training example/);
  assert.match(refused[3], /methods must be some of tfidf/);
  assert.match(refused[4], /gemma-3-270m has no chat template/);
});
