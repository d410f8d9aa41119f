// The threaded build end to end, on the real models in headless Chromium: a cross-origin
// isolated page runs the models on two threads with the same results as on one; a page without
// the isolation headers runs on one thread and says why.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPage, startSession } from './harness.mjs';

const LONG = { timeout: 300_000 };
const TEXTS = [
  'The cat slept all afternoon.',
  'Please close the window before you leave, because the forecast says a storm will arrive tonight.',
  '为什么是 ChatGPT 而不是 BERT 掀起了 AI 浪潮？',
];
const PROMPT = 'The capital of France is';

/** Embeddings of TEXTS by both encoders, a greedy continuation of PROMPT, and the stats. */
async function runAll(page) {
  return page.evaluate(
    async ([texts, prompt]) => {
      const hook = window.bertVsGpt;
      const out = { stats: await hook.stats() };
      for (const model of ['all-MiniLM-L6-v2', 'multilingual-e5-small']) {
        out[model] = Array.from((await hook.embed(texts, { model })).vectors);
      }
      // 24 tokens: a long prompt (the multi-token path) and single-token steps.
      out.generated = (await hook.generate(prompt.repeat(6), { chat: false, maxNewTokens: 24, temperature: 0, ignoreEos: true })).tokenIds;
      out.notice = document.querySelector('#thread-notice')?.textContent ?? null;
      return out;
    },
    [TEXTS, PROMPT],
  );
}

let isolated;
let plain;
before(async () => {
  isolated = await startSession();
  plain = await startSession({ isolated: false });
});
after(async () => {
  await isolated?.close();
  await plain?.close();
});

test('two threads give the same embeddings and tokens as one', LONG, async () => {
  const { page: two } = await openPage(isolated, '?threads=2');
  const onTwo = await runAll(two);
  assert.equal(onTwo.stats.crossOriginIsolated, true);
  assert.equal(onTwo.stats.threads, 2);
  assert.equal(onTwo.notice, null);
  const { page: one } = await openPage(isolated, '?threads=1');
  const onOne = await runAll(one);
  assert.equal(onOne.stats.threads, 1);
  for (const model of ['all-MiniLM-L6-v2', 'multilingual-e5-small']) {
    const worst = Math.max(...onTwo[model].map((v, i) => Math.abs(v - onOne[model][i])));
    assert.ok(worst < 1e-5, `${model}: two threads differ from one by ${worst}`);
  }
  assert.deepEqual(onTwo.generated, onOne.generated);
});

test('without cross-origin isolation the page runs on one thread and says why', LONG, async () => {
  const { page, consoleErrors } = await openPage(plain, '?threads=2');
  const result = await runAll(page);
  assert.equal(result.stats.crossOriginIsolated, false);
  assert.equal(result.stats.threads, 1);
  assert.match(result.notice, /one thread.*cross-origin isolated/);
  assert.equal(result.stats.threadsShortBecause, 'not-isolated');
  assert.deepEqual(consoleErrors, []);
});
