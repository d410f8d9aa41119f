// Inside the models through the hook, on the real models in headless Chromium: attention of the
// encoder (MiniLM, against tests/fixtures/inside_reference.py's numpy pass) and of the decoder
// (SmolLM2: only the past), and the decoder's logit lens, whose last layer is what score() says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, sharedPage } from './harness.mjs';

const reference = fixture('inside_reference.json');
const LONG = { timeout: 300_000 };
const shared = sharedPage();

/** Rows of n that sum to 1; with `causal`, exactly 0 after the query, otherwise above 0 everywhere. */
function checkRows({ tokens, layers, heads, weights }, causal) {
  const n = tokens.length;
  assert.equal(weights.length, layers * heads * n * n);
  for (let r = 0; r < layers * heads * n; r++) {
    const query = r % n;
    const row = weights.subarray(r * n, (r + 1) * n);
    const sum = row.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r} sums to ${sum}`);
    row.forEach((p, key) => {
      if (causal && key > query) assert.equal(p, 0, `row ${r}: query ${query} sees key ${key}`);
      else assert.ok(p > 0, `row ${r}: key ${key} gets nothing`);
    });
  }
}

test('attention: MiniLM equals the numpy reference; every row spreads over all tokens', LONG, async () => {
  const { page } = shared;
  for (const { text, attention } of reference.minilm) {
    const ours = await page.evaluate(async (text) => {
      const out = await window.bertVsGpt.attention(text, { model: 'all-MiniLM-L6-v2' });
      return { ...out, weights: Array.from(out.weights), isFloat32: out.weights instanceof Float32Array };
    }, text);
    assert.equal(ours.model, 'all-MiniLM-L6-v2');
    assert.ok(ours.isFloat32);
    assert.deepEqual([ours.layers, ours.heads, ours.tokens[0], ours.tokens.at(-1)], [6, 12, '[CLS]', '[SEP]']);
    const worst = ours.weights.reduce((w, p, i) => Math.max(w, Math.abs(p - attention[i])), 0);
    assert.ok(worst < 1e-4, `${text}: worst ${worst}`);
    checkRows({ ...ours, weights: Float32Array.from(ours.weights) }, false);
  }
});

test('attention: the decoder sees only the past; 200 tokens get a message', LONG, async () => {
  const { page } = shared;
  const text = reference.smollm2[0].text;
  const ours = await page.evaluate(async (text) => {
    const out = await window.bertVsGpt.attention(text, { model: 'SmolLM2-135M-Instruct' });
    return { ...out, weights: Array.from(out.weights) };
  }, text);
  assert.deepEqual([ours.layers, ours.heads, ours.tokens.length], [30, 9, reference.smollm2[0].ids.length]);
  checkRows({ ...ours, weights: Float32Array.from(ours.weights) }, true);
  for (const verb of ['attention', 'logitLens']) {
    const message = await page.evaluate((verb) => window.bertVsGpt[verb]('word '.repeat(200)).then(() => 'no error', (e) => e.message), verb);
    assert.match(message, /at most 128/, verb);
  }
  const wrongKind = await page.evaluate(() => window.bertVsGpt.logitLens('Hello', { model: 'all-MiniLM-L6-v2' }).then(() => 'no error', (e) => e.message));
  assert.match(wrongKind, /is an encoder, not a decoder/);
});

test('logit lens: layers × positions of top-k; its last layer is score()', LONG, async () => {
  const { page } = shared;
  const text = 'The capital of France is Paris. The capital of Germany is';
  const { lens, scored, ids, ms } = await page.evaluate(async (text) => {
    const hook = window.bertVsGpt;
    await hook.logitLens('warm up', { k: 3 });
    const started = performance.now();
    const lens = await hook.logitLens(text, { k: 10 });
    const ms = performance.now() - started;
    const { ids } = await hook.tokenize(text);
    return { lens, scored: await hook.score(ids), ids, ms };
  }, text);
  console.log(`# logitLens over ${ids.length} tokens: ${ms.toFixed(0)} ms (in the page, with the hook's round trip)`);
  assert.deepEqual([lens.model, lens.layers, lens.top.length], ['SmolLM2-135M-Instruct', 30, 30]);
  assert.deepEqual(lens.tokens.length, ids.length);
  const last = lens.top.at(-1);
  scored.forEach((s, position) => {
    s.top.forEach((theirs, j) => {
      const ours = last[position][j];
      assert.equal(ours.id, theirs.id, `position ${position}`);
      assert.ok(Math.abs(ours.prob - Math.exp(theirs.logprob)) < 1e-4, `position ${position}`);
      assert.equal(typeof ours.text, 'string');
    });
  });
  // The next word forms: after "Germany is" the last layer's favourite is " Berlin", which the
  // first layer does not yet give.
  const final = last.at(-1)[0];
  assert.equal(final.text, ' Berlin');
  assert.notEqual(lens.top[0].at(-1)[0].text, ' Berlin');
});
