// The decoder panel, the surprise view and the hook end to end, on the real
// SmolLM2-135M-Instruct in headless Chromium, against the fixtures of
// tests/fixtures/smollm2_reference.py and against llama.cpp (wllama) in the same browser.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, fixture, sharedPage } from './harness.mjs';

const reference = fixture('smollm2_reference.json');
const LONG = { timeout: 300_000 };
const shared = sharedPage();

function onlyLocal(requests) {
  const outside = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).hostname !== '127.0.0.1');
  assert.deepEqual(outside, [], 'requests that left 127.0.0.1');
}

test('tokenize equals llama.cpp on every reference string; score agrees with the numpy reference', LONG, async () => {
  const { page } = shared;
  await page.click('#lessons [data-lesson="decoder"]');
  // Before the first download the panel says what it will fetch and how big it is.
  await page.locator('#decoder-status .model-summary', { hasText: 'The first use downloads 1 file, 98.4 MB in all' }).waitFor();
  for (const { text, ids } of [...reference.tokenizer, ...reference.prompts]) {
    const ours = await page.evaluate((text) => window.bertVsGpt.tokenize(text), text);
    assert.deepEqual(ours.ids, ids, JSON.stringify(text));
    assert.equal(ours.tokens.length, ids.length);
  }
  let diffs = 0, steps = 0;
  for (const prompt of reference.prompts) {
    const ids = [...prompt.ids, ...prompt.greedy.map((s) => s.id)];
    const scored = await page.evaluate((ids) => window.bertVsGpt.score(ids), ids);
    assert.equal(scored.length, ids.length - 1);
    assert.equal(scored[0].top.length, 10);
    prompt.greedy.forEach((step, k) => {
      const ours = scored[prompt.ids.length - 1 + k];
      assert.equal(ours.id, step.id);
      diffs += Math.abs(ours.logprob - step.logprob);
      steps += 1;
      if (step.margin >= 0.5) assert.equal(ours.top[0].id, step.id, `${prompt.prompt} step ${k}`);
    });
  }
  console.log(`# score in the browser: ${steps} reference steps, mean |Δ logprob| ${(diffs / steps).toFixed(4)}`);
  assert.ok(diffs / steps <= 0.08);
});

test('greedy generation through the hook; how many leading tokens equal numpy and llama.cpp (wllama)', LONG, async () => {
  const { page } = shared;
  const llamaCpp = await shared.session.browser.newPage();
  await llamaCpp.goto(new URL('e2e/pages/llama-cpp.html', shared.session.server.url).href);
  await llamaCpp.evaluate(() => window.ready);
  const report = [];
  for (const prompt of reference.prompts) {
    const maxNewTokens = prompt.greedy.length;
    const ours = await page.evaluate(
      ([text, chat, maxNewTokens]) => window.bertVsGpt.generate(text, { chat, maxNewTokens, temperature: 0 }),
      [prompt.prompt, prompt.chat, maxNewTokens],
    );
    assert.equal(ours.promptTokens, prompt.ids.length, 'the chat template and tokenizer give the reference prompt');
    assert.equal(ours.steps.length, ours.tokenIds.length);
    assert.ok(ours.msToFirstToken > 0 && ours.tokensPerSecond > 0);
    // gguf-py's tensor table: 106,168,320 Q4_1 values at 24 bytes per 32, the tied Q8_0
    // output layer (576 × 49,152) at 34 + 4 bytes per 32, and one of its rows (tests/weight_bytes.rs).
    assert.equal(ours.weightBytesPerToken, 113_246_892);
    const sameAsNumpy = ours.tokenIds.findIndex((id, k) => id !== prompt.greedy[k]?.id);
    const llamaText = await llamaCpp.evaluate(([text, n]) => window.greedy(text, n), [prompt.text, maxNewTokens]);
    // Count our tokens while their text follows llama.cpp's. A token holding part of a
    // character has no text of its own: it counts once the token completing it matches.
    let sameAsLlamaCpp = 0, pending = 0, prefix = '';
    for (const step of ours.steps) {
      const next = prefix + step.text;
      const isEnd = step.text === '' && step.piece.startsWith('<|');
      if (step.text === '' && !isEnd) {
        pending += 1;
        continue;
      }
      if (isEnd ? next !== llamaText : !llamaText.startsWith(next)) break;
      sameAsLlamaCpp += pending + 1;
      pending = 0;
      prefix = next;
    }
    report.push({
      prompt: prompt.prompt,
      tokens: ours.tokenIds.length,
      leadingEqualToNumpy: sameAsNumpy < 0 ? ours.tokenIds.length : sameAsNumpy,
      leadingEqualToLlamaCpp: sameAsLlamaCpp,
      ours: ours.text,
      llamaCpp: llamaText,
      numpy: prompt.greedy_text,
    });
  }
  writeFileSync(path.join(ARTIFACTS, 'greedy-agreement.json'), JSON.stringify(report, null, 1));
  for (const row of report) {
    console.log(`# ${JSON.stringify(row.prompt)}: ${row.leadingEqualToNumpy}/${row.tokens} leading tokens equal numpy, ${row.leadingEqualToLlamaCpp} equal llama.cpp`);
  }
  await llamaCpp.close();
});

test('the GPT panel streams chips, shows probability bars, steps one token and stops within a second', LONG, async () => {
  const { page, consoleErrors, requests } = shared;
  await page.click('#lessons [data-lesson="decoder"]');
  await page.selectOption('#decoder-preset', 'capital');
  await page.click('#decoder-generate');
  await page.locator('#decoder-stats', { hasText: /ended/ }).waitFor();
  const chips = page.locator('#decoder-chips .chip');
  assert.ok((await chips.count()) >= 2);
  assert.match(await page.textContent('#decoder-stats'), /prompt: 43 tokens · first token after \d+ ms · [\d.]+ tokens\/s/);
  assert.match(await page.textContent('#decoder-status'), /SmolLM2-135M-Instruct is loaded: it reads at most 8,192 tokens/);
  await chips.nth(1).click();
  await page.locator('#decoder-bars[data-bars]').waitFor();
  assert.match(await page.textContent('#decoder-step-caption'), /^Token 2: “.+” was chosen with probability 0\.\d+\. The bars are the model’s own probabilities/);
  assert.equal(await page.locator('#decoder-bars svg text').filter({ hasText: /^0\.\d{3}$/ }).count() >= 10, true);

  // Step: one token per click, paused in between.
  await page.click('#decoder-step');
  await page.locator('#decoder-stats', { hasText: 'paused' }).waitFor();
  assert.equal(await chips.count(), 1);
  await page.click('#decoder-step');
  await page.locator('#decoder-chips .chip').nth(1).waitFor();
  await page.locator('#decoder-stats', { hasText: 'paused' }).waitFor();
  assert.equal(await chips.count(), 2);
  await page.click('#decoder-stop');
  await page.locator('#decoder-stats', { hasText: 'stopped' }).waitFor();

  // Stop during a long generation ends it within a second.
  await page.selectOption('#decoder-preset', 'once');
  await page.fill('#decoder-max', '400');
  await page.click('#decoder-generate');
  await page.locator('#decoder-chips .chip').nth(4).waitFor();
  const stoppedIn = await page.evaluate(async () => {
    const started = performance.now();
    document.querySelector('#decoder-stop').click();
    while (!document.querySelector('#decoder-stats').textContent.includes('stopped')) await new Promise((r) => setTimeout(r, 10));
    return performance.now() - started;
  });
  console.log(`# Stop took ${stoppedIn.toFixed(0)} ms`);
  assert.ok(stoppedIn < 1000, `${stoppedIn} ms`);
  assert.ok((await chips.count()) < 400);
  assert.equal(await page.isEnabled('#decoder-generate'), true);
  await page.locator('#decoder').screenshot({ path: path.join(ARTIFACTS, 'decoder.png') });
  assert.deepEqual(consoleErrors, []);
  onlyLocal(requests);
});

test('the surprise view colours every token of a preset and shows the alternatives', LONG, async () => {
  const { page, consoleErrors } = shared;
  await page.click('#lessons [data-lesson="surprise"]');
  await page.selectOption('#surprise-preset', 'paris');
  await page.click('#surprise-score');
  await page.locator('#surprise-summary', { hasText: /tokens · average log-probability -?\d+\.\d\d · perplexity/ }).waitFor();
  const { ids } = await page.evaluate((text) => window.bertVsGpt.tokenize(text), await page.inputValue('#surprise-input'));
  const chips = page.locator('#surprise-chips .chip');
  assert.equal(await chips.count(), ids.length);
  const tints = await chips.evaluateAll((all) => all.map((chip) => chip.style.background));
  assert.ok(tints.slice(1).every((tint) => tint.startsWith('rgb')), tints.join(' '));
  assert.ok(new Set(tints.slice(1)).size > 3, 'probabilities differ, so colours do');
  // "Germany" after "Paris is the capital of" is a surprise; "France" is not.
  const texts = await chips.allTextContents();
  const france = texts.indexOf('·France');
  const germany = texts.indexOf('·Germany');
  assert.ok(france > 0 && germany > 0, texts.join('|'));
  await chips.nth(germany).click();
  await page.locator('#surprise-bars[data-bars]').waitFor();
  assert.match(await page.textContent('#surprise-caption'), /gave “·Germany” probability 0\.\d+/);
  const scored = await page.evaluate((ids) => window.bertVsGpt.score(ids), ids);
  assert.ok(scored[france - 1].logprob > scored[germany - 1].logprob + 2);
  await page.locator('#surprise').screenshot({ path: path.join(ARTIFACTS, 'surprise.png') });
  assert.deepEqual(consoleErrors, []);
});

test('too-long prompts are refused, model text stays text, and a cancelled hook call says so', LONG, async () => {
  const { page, consoleErrors } = shared;
  await page.click('#lessons [data-lesson="decoder"]');
  const long = 'word '.repeat(9000);
  await assert.rejects(page.evaluate((text) => window.bertVsGpt.generate(text, { chat: false }), long), /the prompt is \d+ tokens long; this model reads at most 8192/);
  await page.fill('#decoder-prompt', long);
  await page.uncheck('#decoder-chat');
  await page.click('#decoder-generate');
  await page.locator('#decoder-notices .notice.error', { hasText: 'this model reads at most 8192' }).waitFor();

  await page.fill('#decoder-prompt', '<img src=x onerror="window.hacked=1"><b>bold</b>');
  await page.fill('#decoder-max', '8');
  await page.click('#decoder-generate');
  await page.locator('#decoder-stats', { hasText: /ended/ }).waitFor();
  assert.equal(await page.locator('#decoder img, #decoder b').count(), 0);
  assert.equal(await page.evaluate(() => window.hacked), undefined);

  const cancelled = await page.evaluate(async () => {
    const controller = new AbortController();
    const result = window.bertVsGpt.generate('Tell me a long story.', { maxNewTokens: 300, signal: controller.signal, onToken: () => controller.abort() });
    return (await result).finishReason;
  });
  assert.equal(cancelled, 'cancelled');
  await assert.rejects(page.evaluate(() => window.bertVsGpt.generate('hi', { temprature: 1 })), /unknown field `temprature`/);
  assert.deepEqual(consoleErrors.filter((e) => !/8192|temprature/.test(e)), []);
});
