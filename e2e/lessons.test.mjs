// The lessons end to end: each preset run on the real models in headless Chromium, the
// result shown, and the same computation through window.bertVsGpt; shareable URLs, 中文 and
// presenter mode.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, openPage, sharedPage } from './harness.mjs';

const LONG = { timeout: 300_000 };
const shared = sharedPage();

async function open(lesson) {
  await shared.page.click(`#lessons [data-lesson="${lesson}"]`);
  assert.equal(await shared.page.isVisible(`#${lesson}`), true);
}

async function shot(lesson) {
  await shared.page.locator(`#${lesson}`).screenshot({ path: path.join(ARTIFACTS, `lesson-${lesson}.png`) });
}

test('vector arithmetic: Washington − US + France lands on Paris, drawn with arrows; a miss is called a miss', LONG, async () => {
  const { page } = shared;
  await open('analogy');
  await page.selectOption('#analogy-preset', 'capital');
  await page.click('#analogy-run');
  await page.locator('#analogy-results li').nth(4).waitFor();
  assert.match(await page.textContent('#analogy-results li'), /^0\.\d{3} Paris$/);
  assert.match(await page.textContent('#analogy-verdict'), /lands on “Paris”/);
  await page.locator('#analogy-map[data-points="9"]').waitFor();
  // Two arrows: US → Washington and France → the query.
  assert.ok((await page.locator('#analogy-map svg path[stroke="#555"]').count()) >= 2);
  assert.deepEqual(await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.search))), { lesson: "analogy", preset: "capital" });
  await shot('analogy');

  await page.selectOption('#analogy-preset', 'tense');
  await page.click('#analogy-run');
  // MiniLM puts “swimming” first and the expected “swam” second: said as a near miss.
  await page.locator('#analogy-verdict[data-outcome="close"]', { hasText: 'close, but not this time' }).waitFor();

  const viaHook = await page.evaluate(() => window.bertVsGpt.analogy('king', 'man', 'woman'));
  assert.equal(viaHook.results[0].word, 'queen');
  assert.equal(viaHook.results.length, 5);
  assert.ok(viaHook.vocabularySize > 100);
  const custom = await page.evaluate(() => window.bertVsGpt.analogy('Paris', 'France', 'Italy', { vocabulary: ['Rome', 'Tokyo', 'banana'], k: 2 }));
  assert.deepEqual(custom.results.map((r) => r.word), ['Rome', 'Tokyo']);
});

test('keywords: KeyBERT and GPT side by side with times; the diversity slider re-ranks', LONG, async () => {
  const { page } = shared;
  await open('keywords');
  await page.selectOption('#keywords-preset', 'photosynthesis');
  await page.click('#keywords-run');
  await page.locator('#keywords-keybert li').nth(4).waitFor();
  await page.locator('#keywords-gpt-time', { hasText: /\d+ ms, reading \d+ prompt tokens/ }).waitFor();
  assert.match(await page.textContent('#keywords-keybert-time'), /^\d+ ms, \d+ candidate phrases embedded/);
  assert.ok((await page.locator('#keywords-gpt li').count()) >= 3, await page.textContent('#keywords-gpt-raw'));
  const before = await page.locator('#keywords-keybert li').allTextContents();
  assert.ok(before.some((k) => k.includes('photosynthesis')), before.join(' | '));
  await page.locator('#keywords-diversity').fill('1');
  await page.locator('#keywords-keybert li', { hasText: before[0] }).waitFor();
  await page.waitForFunction((first) => {
    const items = [...document.querySelectorAll('#keywords-keybert li')].map((li) => li.textContent);
    return items.length === 5 && items.join() !== first;
  }, before.join());
  await shot('keywords');

  const plain = await page.evaluate(() => window.bertVsGpt.keywords('Photosynthesis lets plants turn sunlight, water and carbon dioxide into glucose and oxygen.', { diversity: 0 }));
  assert.equal(plain.keywords.length, 5);
  assert.ok(plain.keywords.every((k, i, all) => i === 0 || all[i - 1].score >= k.score), 'without diversity, ranked by similarity');
});

test('BERT vs GPT vectors: two maps and two separation scores; t-SNE on request', LONG, async () => {
  const { page } = shared;
  await open('compare');
  await page.selectOption('#compare-preset', 'topics');
  await page.click('#compare-run');
  for (const side of ['encoder', 'decoder']) {
    await page.locator(`#compare-${side}-map[data-points="12"]`).waitFor();
    assert.match(await page.textContent(`#compare-${side}-score`), /^silhouette -?0\.\d{3} · nearest neighbour in the same group \d+% · \d+ ms$/);
  }
  assert.match(await page.textContent('#compare-decoder-caption'), /SmolLM2-135M-Instruct \(576-d, mean of last hidden states\)/);
  await page.selectOption('#compare-projection', 'tsne');
  await page.waitForFunction(() => !document.querySelector('#compare-run').disabled);
  await shot('compare');

  const result = await page.evaluate(() => window.bertVsGpt.compareEmbeddings(
    ['I love this film.', 'What a wonderful movie!', 'The soup was cold.', 'The food tasted awful.'], [0, 0, 1, 1]));
  for (const side of ['encoder', 'decoder']) {
    assert.ok(result[side].silhouette >= -1 && result[side].silhouette <= 1);
    assert.ok(result[side].nearestNeighbourAccuracy >= 0 && result[side].nearestNeighbourAccuracy <= 1);
  }
  assert.equal(result.encoder.dim, 384);
  assert.equal(result.decoder.dim, 576);
  const embedded = await page.evaluate(async () => {
    const e = await window.bertVsGpt.embed(['one', 'two', 'three', 'four', 'five', 'six'], { model: 'SmolLM2-135M-Instruct' });
    const tsne = await window.bertVsGpt.project(e.vectors, { dim: e.dim, method: 'tsne' });
    return { dim: e.dim, coords: tsne.coords.length, explained: tsne.explained.length };
  });
  assert.deepEqual(embedded, { dim: 576, coords: 12, explained: 0 });
});

test('ROI: the labelled task by embeddings and by GPT — accuracy, time, tokens, FLOPs and a verdict that matches them', LONG, async () => {
  const { page } = shared;
  await open('roi');
  await page.selectOption('#roi-language', 'en');
  assert.equal(await page.inputValue('#roi-style'), 'few-shot');
  assert.equal(await page.textContent('[data-cell="embedding-model"]'), 'all-MiniLM-L6-v2');
  assert.equal(await page.textContent('[data-cell="gpt-model"]'), 'SmolLM2-135M-Instruct');
  await page.click('#roi-run');
  await page.locator('#roi-summary[data-outcome]').waitFor({ timeout: 240_000 });
  const cell = (name) => page.textContent(`[data-cell="${name}"]`);
  const correct = async (side) => Number((await cell(`${side}-accuracy`)).match(/^(\d+) \/ 21 \(\d+%\)$/)[1]);
  const [embedding, gpt] = [await correct('embedding'), await correct('gpt')];
  assert.ok(embedding >= 19, `embeddings ${embedding} of 21`);
  // A real attempt: shown the examples, SmolLM2 labels most texts (it answered "The topic is" when cut off at 4 tokens).
  assert.ok(gpt >= 15, `GPT ${gpt} of 21: ${await page.textContent('#roi-answers')}`);
  const flops = async (side) => {
    const [, value, unit] = (await cell(`${side}-flops`)).match(/^(\d+\.\d\d) ([GMT])FLOP$/);
    return Number(value) * { M: 1e6, G: 1e9, T: 1e12 }[unit];
  };
  const ratio = (await flops('gpt')) / (await flops('embedding'));
  assert.ok(ratio > 10, `GPT only ${ratio}× the arithmetic`);
  const verdict = await page.textContent('#roi-summary');
  if (gpt > embedding) assert.match(verdict, /^GPT classified more texts here/);
  else assert.match(verdict, new RegExp(`^This run shows the claim: the embeddings classified ${embedding} of 21 texts and GPT ${gpt} — at ${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}× the arithmetic`));
  assert.match(await cell('embedding-tokens'), /^[\d,]+ \(all 30 texts, once each\)$/);
  assert.match(await cell('gpt-tokens'), /^[\d,]+ read \+ \d+ written$/);
  assert.match(await page.textContent('#roi-flops-help'), /^How the FLOPs are counted: .*all-MiniLM-L6-v2 reads each text once, about [\d.]+ MFLOP per token; SmolLM2-135M-Instruct reads a prompt of about \d+ tokens/);
  assert.equal(await page.locator('#roi-answers li').count(), 21);
  await shot('roi');

  // Stop leaves a readable state: no half-filled cells, a notice saying how far it got.
  await page.click('#roi-run');
  await page.locator('#roi-notices', { hasText: /Asking GPT: [1-9]\d* of 21/ }).waitFor({ timeout: 240_000 });
  await page.click('#roi-stop');
  await page.locator('#roi-notices', { hasText: /^Stopped after asking GPT about \d+ of 21 texts/ }).waitFor();
  assert.deepEqual(new Set(await page.locator('#roi-table td').allTextContents()), new Set(['—']));
  assert.equal(await page.textContent('#roi-summary'), '');

  // Asked by chat instead (an instruct model): the mode is reported; a base model is refused.
  const chat = await page.evaluate(() => window.bertVsGpt.roi({ lang: 'en', style: 'chat' }));
  assert.equal(chat.gpt.mode, 'chat');
  assert.ok(chat.gpt.answers.every((a) => typeof a.answer === 'string'));
  console.log(`ROI en, SmolLM2: few-shot ${gpt}/21, chat ${chat.gpt.correct}/21; embeddings ${embedding}/21`);
  await assert.rejects(page.evaluate(() => window.bertVsGpt.roi({ lang: 'en', style: 'chat', model: 'gemma-3-270m' })), /gemma-3-270m has no chat template: ask it few-shot/);
});

test('context limit: token counts against 256 and 8,192, and ms per token as the context grows', LONG, async () => {
  const { page } = shared;
  await open('context');
  await page.selectOption('#context-preset', 'story');
  await page.fill('#context-lengths', '16, 256');
  await page.click('#context-run');
  await page.locator('#context-time[data-points="2"]').waitFor({ timeout: 240_000 });
  const counts = await page.textContent('#context-counts');
  const [, bert, read] = counts.match(/^BERT: ([\d,]+) tokens, of which it reads ([\d,]+) \(limit 256\)/);
  assert.ok(Number(bert.replace(/,/g, '')) > 256);
  assert.equal(read, '256');
  assert.match(counts, /GPT: [\d,]+ tokens, window 8,192: it fits\./);
  await page.locator('#context-bars[data-bars="4"]').waitFor();
  await shot('context');

  const cost = await page.evaluate(() => window.bertVsGpt.contextCost('word '.repeat(50).trim(), { contextLengths: [8, 64], tokensPerMeasure: 3 }));
  assert.deepEqual([cost.encoder.limit, cost.decoder.limit], [256, 8192]);
  assert.equal(cost.decoder.tokens, 50);
  assert.deepEqual(cost.timings.map((m) => m.context), [8, 64]);
  assert.ok(cost.timings.every((m) => m.msPerToken > 0));
});

test('tokenizers: WordPiece and byte-level BPE chips with ids', LONG, async () => {
  const { page, consoleErrors } = shared;
  await open('tokenizers');
  await page.selectOption('#tokenizers-preset', 'mixed');
  await page.click('#tokenizers-run');
  await page.locator('#tokenizers-gpt .chip').first().waitFor();
  const text = await page.inputValue('#tokenizers-input');
  for (const [side, model] of [['bert', 'all-MiniLM-L6-v2'], ['gpt', 'SmolLM2-135M-Instruct']]) {
    const expected = await page.evaluate(([text, model]) => window.bertVsGpt.tokenize(text, { model }), [text, model]);
    const ids = await page.locator(`#tokenizers-${side} .chip`).evaluateAll((chips) => chips.map((c) => Number(c.dataset.id)));
    assert.deepEqual(ids, expected.ids);
    assert.match(await page.textContent(`#tokenizers-${side}-caption`), new RegExp(`${expected.ids.length} tokens`));
  }
  const bert = await page.locator('#tokenizers-bert .chip').allTextContents();
  assert.ok(bert[0].startsWith('[CLS]') && bert.at(-1).startsWith('[SEP]'));
  assert.ok(bert.some((chip) => chip.startsWith('##')));
  await shot('tokenizers');
  assert.deepEqual(consoleErrors, []);
});

test('a shared link restores the lesson and its inputs, in 中文 and presenter mode; bad values are ignored', LONG, async () => {
  const query = '?lesson=analogy&a=king&b=man&c=woman&lang=zh&present=1';
  const { page, context } = await openPage(shared.session, query);
  assert.equal(await page.isVisible('#analogy'), true);
  assert.equal(await page.isVisible('#encoder'), false);
  await page.waitForFunction(() => document.querySelector('#analogy-a').value === 'king');
  assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((k) => page.inputValue(`#analogy-${k}`))), ['king', 'man', 'woman']);
  assert.equal(await page.textContent('#analogy h2'), '5 · 向量运算：华盛顿 − 美国 + 法国 ≈ ？');
  assert.equal(await page.evaluate(() => document.body.classList.contains('presenter')), true);
  await page.screenshot({ path: path.join(ARTIFACTS, 'presenter-zh.png') });
  await page.close();

  const bad = await openPage(shared.session, `?lesson=..%2F..%2Fetc&a=${'x'.repeat(5000)}&present=yes&diversity=7&roi=fr`, context);
  assert.equal(await bad.page.isVisible('#encoder'), true);
  assert.equal(await bad.page.evaluate(() => document.body.classList.contains('presenter')), false);
  await bad.page.click('#lessons [data-lesson="keywords"]');
  assert.equal(await bad.page.inputValue('#keywords-diversity'), '0.5');
  await bad.page.click('#lessons [data-lesson="analogy"]');
  await bad.page.waitForFunction(() => document.querySelector('#analogy-a').value !== '');
  assert.notEqual(await bad.page.inputValue('#analogy-a'), 'x'.repeat(5000));
  assert.deepEqual(bad.consoleErrors, []);
  await context.close();
});
