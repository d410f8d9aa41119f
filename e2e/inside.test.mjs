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
    // The page's MiniLM runs its float16 download (widened to f32), so its probabilities sit
    // within 2e-3 of the float64 reference (measured 1.2e-3); the f32 file's 1e-4 is checked
    // natively (tests/inside_real.rs).
    const worst = ours.weights.reduce((w, p, i) => Math.max(w, Math.abs(p - attention[i])), 0);
    assert.ok(worst < 2e-3, `${text}: worst ${worst}`);
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
  const { lens, scored, ids, ms, batches } = await page.evaluate(async (text) => {
    const hook = window.bertVsGpt;
    await hook.logitLens('warm up', { k: 3 });
    const started = performance.now();
    const batches = [];
    const lens = await hook.logitLens(text, { k: 10, onProgress: (batch) => batches.push({ ...batch, ms: performance.now() - started }) });
    const ms = performance.now() - started;
    const { ids } = await hook.tokenize(text);
    return { lens, scored: await hook.score(ids), ids, ms, batches };
  }, text);
  console.log(`# logitLens over ${ids.length} tokens: ${ms.toFixed(0)} ms, its last column after ${batches[0].ms.toFixed(0)} ms (in the page, with the hook's round trip)`);
  // The batches: first the last position after every layer, then the rest layer by layer; each
  // cell once, as the result has it.
  const n = ids.length;
  assert.deepEqual(batches[0].cells.map(({ layer, position }) => [layer, position]), Array.from({ length: 30 }, (_, layer) => [layer, n - 1]));
  assert.equal(batches[0].layersDone, 0);
  const seen = new Set();
  let layersDone = 0;
  for (const batch of batches) {
    assert.equal(batch.total, 30 * n);
    assert.ok(batch.layersDone >= layersDone);
    layersDone = batch.layersDone;
    for (const { layer, position, top } of batch.cells) {
      assert.ok(!seen.has(`${layer},${position}`));
      seen.add(`${layer},${position}`);
      assert.deepEqual(top, lens.top[layer][position]);
    }
    assert.equal(batch.done, seen.size);
    for (let layer = 0; layer < batch.layersDone; layer++) {
      for (let position = 0; position < n; position++) assert.ok(seen.has(`${layer},${position}`), `layer ${layer} counted done`);
    }
  }
  assert.equal(seen.size, 30 * n);
  assert.equal(layersDone, 30);
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

test('the lesson: both heatmaps, the triangle counted, hover, the lens; hostile text stays text; too long is refused', LONG, async () => {
  const { page } = shared;
  await page.click('#lessons [data-lesson="inside"]');
  await page.fill('#inside-input', '<img src=x onerror="window.hacked=1"><b>bold</b> The cat sat');
  await page.click('#inside-run');
  await page.locator('#inside-lens[data-layers="30"]').waitFor({ timeout: 240_000 });
  const seen = await page.evaluate(() => {
    const data = (id) => ({ ...document.getElementById(id).dataset });
    return {
      hacked: window.hacked ?? null,
      images: document.querySelectorAll('#inside img, #inside b').length,
      encoder: data('inside-encoder-heatmap'),
      decoder: data('inside-decoder-heatmap'),
      decoderMask: document.getElementById('inside-decoder-mask').textContent,
      lensHeads: [...document.querySelectorAll('#inside-lens thead th')].map((th) => th.textContent),
      lensRows: document.querySelectorAll('#inside-lens tbody tr').length,
      caption: document.getElementById('inside-lens-caption').textContent,
      url: location.search,
    };
  });
  assert.equal(seen.hacked, null);
  assert.equal(seen.images, 0, 'the text was parsed as HTML');
  const spelled = seen.lensHeads.slice(1).join('').replace(/·/g, ' ');
  assert.ok(spelled.startsWith('<img src=x onerror="window.hacked=1"><b>bold</b>'), spelled);
  // MiniLM fills every cell; SmolLM2 leaves exactly the upper triangle empty.
  const n = seen.lensHeads.length - 1;
  assert.equal(seen.encoder.empty, '0');
  assert.equal(seen.decoder.empty, String((n * (n - 1)) / 2));
  assert.equal(Number(seen.decoder.cells) + Number(seen.decoder.empty), n * n);
  assert.match(seen.decoderMask, new RegExp(`^${(n * (n - 1)) / 2} of ${n * n} cells are exactly 0`));
  assert.equal(seen.lensRows, 30);
  assert.match(seen.caption, /After layer 30 of 30/);
  assert.match(seen.url, /lesson=inside/);
  // Hovering a token on the left keeps only its lines: the third token sees three (itself and two before).
  const all = Number(await page.getAttribute('#inside-decoder-lines', 'data-lines'));
  await page.hover('#inside-decoder-lines text[data-query="2"]');
  await page.waitForFunction(() => document.querySelector('#inside-decoder-lines').dataset.lines !== undefined
    && document.querySelector('#inside-decoder-lines text[font-weight="700"]')?.dataset.query === '2');
  const one = Number(await page.getAttribute('#inside-decoder-lines', 'data-lines'));
  assert.ok(one >= 1 && one <= 3 && one < all, `${one} lines for the third token, ${all} for all`);
  // Another layer and one head redraw the heatmap with the same triangle.
  await page.selectOption('#inside-decoder-layer', '29');
  await page.selectOption('#inside-decoder-head', '0');
  assert.equal(await page.getAttribute('#inside-decoder-heatmap', 'data-empty'), String((n * (n - 1)) / 2));
  // A click on a lens cell shows that cell's candidates.
  await page.click('#inside-lens [data-cell="0,1"]');
  assert.match(await page.textContent('#inside-lens-caption'), /After layer 1 of 30/);
  // 200 tokens: the page says so in its own words, and keeps the text.
  const long = 'word '.repeat(200);
  await page.fill('#inside-input', long);
  await page.click('#inside-run');
  await page.locator('#inside-notices .notice.error').waitFor();
  assert.match(await page.textContent('#inside-notices'), /this lesson draws at most 128/);
  assert.equal(await page.inputValue('#inside-input'), long);
});

test('the lesson: Stop during the lens keeps the heatmaps; a link runs the lesson in Chinese', LONG, async () => {
  const { page } = shared;
  await page.click('#lessons [data-lesson="inside"]');
  await page.fill('#inside-input', 'Once upon a time, a teacher showed her class how a language model reads a sentence, one token after another. '.repeat(3));
  // The grid shows before it is done: first the last token's column, every layer of it (no
  // layer whole yet), then layer after layer. Each state the grid is drawn in is recorded, and
  // Stop is pressed as soon as a layer is whole.
  await page.evaluate(() => {
    const table = document.getElementById('inside-lens');
    window.lensStates = [];
    new MutationObserver((_, observer) => {
      window.lensStates.push(`${table.dataset.partial}:${table.querySelectorAll('tbody button').length}`);
      if (Number(table.dataset.partial) > 0) {
        observer.disconnect();
        document.getElementById('inside-stop').click();
      }
    }).observe(table, { attributes: true, attributeFilter: ['data-partial'], childList: true });
  });
  await page.click('#inside-run');
  await page.locator('#inside-lens-status:has-text("stopped")').waitFor({ timeout: 120_000 });
  const states = await page.evaluate(() => window.lensStates.filter((state) => !state.startsWith('undefined')));
  assert.equal(states[0], '0:30', states.join(' '));
  await page.locator('#inside-notices .notice.info').waitFor();
  // What was drawn stays: the heatmaps, and the lens's cells done, the last column whole.
  assert.ok(await page.getAttribute('#inside-decoder-heatmap', 'data-cells'));
  assert.equal(await page.isDisabled('#inside-run'), false);
  const partial = await page.evaluate(() => {
    const table = document.getElementById('inside-lens');
    const rows = [...table.querySelectorAll('tbody tr')];
    return {
      visible: !table.hidden,
      complete: table.dataset.layers ?? null,
      layersDone: Number(table.dataset.partial),
      rows: rows.length,
      lastColumn: rows.filter((row) => row.lastElementChild.querySelector('button')).length,
      pending: table.querySelectorAll('td.pending').length,
      status: document.getElementById('inside-lens-status').textContent,
      caption: document.getElementById('inside-lens-caption').textContent,
    };
  });
  assert.equal(partial.visible, true);
  assert.equal(partial.complete, null);
  assert.equal(partial.rows, 30);
  assert.equal(partial.lastColumn, 30);
  assert.ok(partial.pending > 0, 'stopped before the end');
  assert.match(partial.status, new RegExp(`stopped with the last token’s column and ${partial.layersDone} of 30 layers done`));
  assert.match(partial.caption, /After layer 30 of 30.*Its final answer, “.+”/);
  // A cell whose position has no last layer yet says its answer is still to come.
  assert.ok(partial.layersDone > 0);
  await page.click('#inside-lens [data-cell="0,0"]');
  assert.match(await page.textContent('#inside-lens-caption'), /final answer here comes with the last layer/);

  const text = '法国的首都是巴黎，德国的首都是';
  await page.goto(`${new URL(page.url()).origin}/?lesson=inside&lang=zh&text=${encodeURIComponent(text)}`);
  await page.locator('#inside-lens[data-layers]').waitFor({ timeout: 240_000 });
  const seen = await page.evaluate(() => ({
    encoder: document.getElementById('inside-encoder-name').textContent,
    decoder: document.getElementById('inside-decoder-name').textContent,
    mask: document.getElementById('inside-decoder-mask').textContent,
    answer: document.querySelector('#inside-lens tr.answer td:last-child').textContent,
  }));
  assert.match(seen.encoder, /multilingual-e5-small/);
  assert.match(seen.decoder, /gemma-3-270m/);
  assert.match(seen.mask, /恰好为 0/);
  assert.match(seen.answer, /^柏/); // Gemma's next token is 柏 (of 柏林, Berlin)
});
