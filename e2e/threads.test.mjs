// The threaded builds end to end, on the real models in headless Chromium: a cross-origin
// isolated page runs the models on two threads with the same results as on one, the relaxed-SIMD
// build where the browser has it; the other builds agree with it (the tokens, the embeddings, and
// the sums of the machine check's one-token products); a page without the isolation headers runs
// the plain build on one thread and says why — until the service worker adds the headers and the
// page reloads once, as on a static host that cannot send them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { cosine, openPage, startSession } from './harness.mjs';

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
/** runAll on the relaxed-SIMD build with two threads, which the other builds are compared to. */
let relaxedTwo;

/**
 * Asserts that `other` gives `reference`'s tokens and embeddings: within 1e-5 on the same build;
 * across builds e5 only within cosine 0.9999, since its 4-bit layers round activations to 8
 * bits, which turns a fused multiply-add's last-bit differences into whole rounding steps.
 */
function assertSameResults(other, reference, what, { sameBuild = false } = {}) {
  for (const model of ['all-MiniLM-L6-v2', 'multilingual-e5-small']) {
    if (sameBuild || model === 'all-MiniLM-L6-v2') {
      const worst = Math.max(...other[model].map((v, i) => Math.abs(v - reference[model][i])));
      assert.ok(worst < 1e-5, `${model}: ${what} differs by ${worst}`);
      continue;
    }
    const dim = reference[model].length / TEXTS.length;
    for (let t = 0; t < TEXTS.length; t++) {
      const [a, b] = [other, reference].map((r) => r[model].slice(t * dim, (t + 1) * dim));
      assert.ok(cosine(a, b) > 0.9999, `${model}, text ${t}: ${what} at cosine ${cosine(a, b)}`);
    }
  }
  assert.deepEqual(other.generated, reference.generated, what);
}

/** The 4-bit and 8-bit products of the machine check add up as in the relaxed build: relaxed
 * SIMD's byte dot product and the 16-bit one make the same integer sums. */
function assertSameSums(check, build) {
  // The f32 product is fused in the relaxed build, so its sums differ in the last bits there.
  for (const [kind, tolerance] of [['q4', 1e-5], ['q8', 1e-5], ['f32', 1e-4]]) {
    const [sum, relaxed] = [check[kind].sum, relaxedCheck[kind].sum];
    assert.ok(Math.abs(sum - relaxed) <= tolerance * Math.abs(relaxed), `${build}: ${kind} sums ${sum} against ${relaxed}`);
  }
}

before(async () => {
  isolated = await startSession();
  plain = await startSession({ isolated: false });
});
after(async () => {
  await isolated?.close();
  await plain?.close();
});

/** The machine check over 4 MB: timings, and the products' sums to compare across builds. */
const machineCheck = (page) => page.evaluate(() => window.bertVsGpt.machineCheck({ megabytes: 4, passes: 2 }));
let relaxedCheck;

test('two threads give the same embeddings and tokens as one', LONG, async () => {
  const { page: two } = await openPage(isolated, '?threads=2');
  relaxedTwo = await runAll(two);
  relaxedCheck = await machineCheck(two);
  assert.equal(relaxedCheck.read.bytes, 4 << 20);
  for (const kind of ['q4', 'q8', 'f32']) {
    const pass = relaxedCheck[kind];
    assert.ok(pass.bytes > 3.9e6 && pass.bytes <= 4 << 20 && pass.gbPerSecond > 0 && pass.productsPerSecond > 0, JSON.stringify(pass));
    assert.ok(Number.isFinite(pass.sum) && pass.sum !== 0, JSON.stringify(pass));
  }
  await assert.rejects(two.evaluate(() => window.bertVsGpt.machineCheck({ megabytes: 0 })), /megabytes must be an integer from 1 to 512/);
  assert.equal(relaxedTwo.stats.crossOriginIsolated, true);
  assert.equal(relaxedTwo.stats.threads, 2);
  assert.equal(relaxedTwo.stats.build, 'relaxed'); // Chromium has relaxed SIMD
  assert.equal(relaxedTwo.notice, null);
  const { page: one } = await openPage(isolated, '?threads=1');
  const onOne = await runAll(one);
  assert.equal(onOne.stats.threads, 1);
  assert.equal(onOne.stats.build, 'relaxed');
  assertSameResults(onOne, relaxedTwo, 'one thread', { sameBuild: true });
});

test('the threaded build without relaxed SIMD gives the same results', LONG, async () => {
  const { page } = await openPage(isolated, '?threads=2&build=threads');
  const result = await runAll(page);
  assert.equal(result.stats.build, 'threads');
  assert.equal(result.stats.threads, 2);
  assertSameResults(result, relaxedTwo, 'pkg/threads');
  assertSameSums(await machineCheck(page), 'pkg/threads');
});

test('without cross-origin isolation the page runs on one thread and says why', LONG, async () => {
  // Without the service worker, which would make the page isolated (the next test).
  const context = await plain.browser.newContext({ serviceWorkers: 'block' });
  const { page, consoleErrors } = await openPage(plain, '?threads=2', context);
  const result = await runAll(page);
  assert.equal(result.stats.crossOriginIsolated, false);
  assert.equal(result.stats.threads, 1);
  assert.match(result.notice, /one thread.*cross-origin isolated/);
  assert.equal(result.stats.threadsShortBecause, 'not-isolated');
  assert.equal(result.stats.build, 'plain');
  assertSameResults(result, relaxedTwo, 'the plain build');
  assertSameSums(await machineCheck(page), 'the plain build');
  assert.deepEqual(consoleErrors, []);
});

test('a host without COOP/COEP: the service worker adds them, and after one reload two threads', LONG, async () => {
  // Not openPage: its wait for the hook would meet the reload.
  const page = await (await plain.browser.newContext()).newPage();
  const consoleErrors = [];
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(new URL('?threads=2', plain.server.url).href);
  // The page reloads itself once the service worker controls it; wait for the reloaded page.
  for (let tries = 0; ; tries++) {
    const isolatedNow = await page.evaluate(() => crossOriginIsolated).catch(() => false);
    if (isolatedNow) break;
    assert.ok(tries < 120, 'the page never became cross-origin isolated');
    await page.waitForTimeout(500);
  }
  await page.waitForFunction(() => window.bertVsGpt);
  await page.evaluate(() => window.bertVsGpt.ready);
  const result = await runAll(page);
  assert.equal(result.stats.crossOriginIsolated, true);
  assert.equal(result.stats.threads, 2);
  assert.equal(result.notice, null);
  assertSameResults(result, relaxedTwo, 'two threads after the service worker');
  // A second visit is isolated from its first load.
  await page.reload();
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.deepEqual(consoleErrors, []);
});
