// 中文 GPT: Gemma 3 270M end to end in headless Chromium — the page in 中文 uses it by default
// and writes Chinese; its tokenizer, scores and greedy tokens equal llama.cpp's and the float
// reference's (tests/fixtures/gemma3_reference.json, written by gemma3_reference.py); the
// decoder lessons run on it; a GGUF opened from disk generates, and every bad file or URL gets
// its message while the page's own decoders keep working.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, ROOT, fixture, sharedPage } from './harness.mjs';

const LONG = { timeout: 900_000 };
const GEMMA = 'gemma-3-270m';
const shared = sharedPage('?lang=zh');
const reference = fixture('gemma3_reference.json');
const HAN = /\p{Script=Han}/u;

async function open(lesson) {
  await shared.page.click(`#lessons [data-lesson="${lesson}"]`);
}

test('in 中文 a fresh page generates Chinese with Gemma by default', LONG, async () => {
  const { page } = shared;
  assert.equal(await page.inputValue('#decoder-choice'), 'auto');
  await open('decoder');
  assert.match(await page.textContent('#decoder-status'), /gemma-3-270m/);
  assert.match(await page.textContent('#decoder-status'), /Gemma Terms of Use/);
  const license = await page.getAttribute('#decoder-status .model-license a', 'href');
  assert.match(license, /models\/gemma-3-270m\/GEMMA_TERMS\.html$/);
  assert.equal(await page.inputValue('#decoder-prompt'), '从前，有一只小猫');
  await page.click('#decoder-generate');
  await page.locator('#decoder-stats', { hasText: /模型|结束|长度|已生成/ }).waitFor({ timeout: 600_000 });
  await page.locator('#decoder-generate:not([disabled])').waitFor({ timeout: 600_000 });
  const output = await page.textContent('#decoder-output');
  assert.ok(HAN.test(output), `output ${JSON.stringify(output)}`);
  assert.equal(await page.isChecked('#decoder-chat'), false);
  assert.equal(await page.isDisabled('#decoder-chat'), true);
  assert.match(await page.textContent('#decoder-no-chat'), /基础/);
  assert.match(await page.textContent('#decoder-status'), /32,768/);
  const stats = await page.evaluate(() => window.bertVsGpt.stats());
  assert.deepEqual(stats.decoders, [GEMMA]);
  await page.screenshot({ path: path.join(ARTIFACTS, 'decoder-gemma-zh.png'), fullPage: true });
  console.log(`Gemma in 中文: ${JSON.stringify(output)}`);
});

test('Gemma in the page: llama.cpp’s token ids, its greedy tokens, and scores within 0.15 of the float reference', LONG, async () => {
  const { page } = shared;
  for (const { text, ids } of reference.tokenizer.slice(0, 20)) {
    const ours = await page.evaluate((t) => window.bertVsGpt.tokenize(t, { model: 'gemma-3-270m' }), text);
    assert.deepEqual(ours.ids, ids[0] === 2 ? ids : [2, ...ids], text);
  }
  for (const run of reference.greedy) {
    const out = await page.evaluate(
      ({ prompt, n }) => window.bertVsGpt.generate(prompt, { model: 'gemma-3-270m', chat: false, temperature: 0, repeatPenalty: 1, maxNewTokens: n, ignoreEos: true }),
      { prompt: run.prompt, n: run.llama_ids.length },
    );
    const same = out.tokenIds.findIndex((id, i) => id !== run.llama_ids[i]);
    const leading = same === -1 ? out.tokenIds.length : same;
    console.log(`browser Gemma greedy ${JSON.stringify(run.prompt)}: ${leading} of ${run.llama_ids.length} leading tokens as llama.cpp (wllama's engine); ${JSON.stringify(out.text)}`);
    assert.ok(leading >= 8, run.prompt);
  }
  // llama.cpp (wllama) on the same file in the same browser: the same greedy text.
  const llamaCpp = await shared.session.browser.newPage();
  await llamaCpp.goto(new URL('e2e/pages/llama-cpp.html?model=/models/gemma-3-270m/gemma-3-270m-q4_k_m.gguf', shared.session.server.url).href);
  await llamaCpp.evaluate(() => window.ready);
  for (const run of reference.greedy) {
    const ours = await page.evaluate((prompt) => window.bertVsGpt.generate(prompt, { model: 'gemma-3-270m', chat: false, temperature: 0, maxNewTokens: 16, ignoreEos: true }), run.prompt);
    const wllama = await llamaCpp.evaluate((prompt) => window.greedy(prompt, 16), run.prompt);
    let same = 0;
    while (same < Math.min(ours.text.length, wllama.length) && ours.text[same] === wllama[same]) same += 1;
    console.log(`browser Gemma vs wllama ${JSON.stringify(run.prompt)}: ${same} leading characters equal; ours ${JSON.stringify(ours.text)}, wllama ${JSON.stringify(wllama)}`);
    assert.ok(same >= Math.min(ours.text.length, wllama.length) / 2, run.prompt);
  }
  await llamaCpp.close();
  for (const text of reference.texts.filter((t) => t.ids.length < 200)) {
    const scored = await page.evaluate((ids) => window.bertVsGpt.score(ids, { model: 'gemma-3-270m' }), text.ids);
    const diff = scored.reduce((sum, s, k) => sum + Math.abs(s.logprob - text.steps[k].logprob), 0) / scored.length;
    console.log(`browser Gemma ${text.name}: mean |Δ log-prob| to float numpy ${diff.toFixed(4)}`);
    assert.ok(diff <= 0.15, `${text.name}: ${diff}`);
  }
});

test('the decoder lessons run on Gemma in 中文: ROI few-shot, surprise, keywords, tokenizers', LONG, async () => {
  const { page } = shared;
  const roi = await page.evaluate(() => window.bertVsGpt.roi({ lang: 'zh' }).then((r) => ({ gpt: { ...r.gpt, answers: r.gpt.answers.map((a) => [a.answer, a.predicted, a.expected]) }, embedding: r.embedding })));
  console.log(`ROI 中文 on Gemma (few-shot): ${roi.gpt.correct}/${roi.gpt.total} (embeddings ${roi.embedding.correct}/${roi.embedding.total}); answers ${JSON.stringify(roi.gpt.answers)}`);
  assert.equal(roi.gpt.model, GEMMA);
  assert.equal(roi.gpt.mode, 'few-shot');
  assert.ok(roi.gpt.correct >= 14, `${roi.gpt.correct} of ${roi.gpt.total}`);

  await open('surprise');
  await page.selectOption('#surprise-preset', 'paris-zh');
  await page.click('#surprise-score');
  await page.locator('#surprise-chips .chip').first().waitFor({ timeout: 300_000 });
  const chips = await page.locator('#surprise-chips .chip').allTextContents();
  assert.ok(!chips.some((c) => /<0x/.test(c)), chips.join(' '));
  await page.locator('#surprise-chips .chip', { hasText: '德国' }).click();
  await page.locator('#surprise-bars svg').waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, 'surprise-gemma-zh.png'), fullPage: true });

  await open('tokenizers');
  await page.fill('#tokenizers-input', '为什么是ChatGPT引发了AI浪潮？');
  await page.click('#tokenizers-run');
  await page.locator('#tokenizers-gpt2 .chip').first().waitFor();
  assert.match(await page.textContent('#tokenizers-gpt-caption'), /gemma-3-270m/);
  assert.match(await page.textContent('#tokenizers-gpt2-caption'), /SmolLM2-135M-Instruct/);
  const gemma = await page.locator('#tokenizers-gpt .chip').count();
  const smol = await page.locator('#tokenizers-gpt2 .chip').count();
  assert.ok(gemma < smol, `Gemma ${gemma} tokens, SmolLM2 ${smol}`);
});

test('a GGUF opened from disk generates; bad files and URLs get their message and the page’s decoders keep working', LONG, async () => {
  const { page } = shared;
  await open('decoder');
  const gemmaFile = path.join(ROOT, 'models', GEMMA, 'gemma-3-270m-q4_k_m.gguf');
  const whole = readFileSync(gemmaFile);
  const bad = (name, bytes) => {
    const file = path.join(ARTIFACTS, name);
    writeFileSync(file, bytes);
    return file;
  };
  // general.architecture's value is the first "gemma3" in the header (the keys come after it).
  const unknownArch = Buffer.from(whole.subarray(0, 16 << 20));
  unknownArch.write('bloom6', unknownArch.indexOf('gemma3', 0, 'latin1'), 'latin1');
  const cases = [
    [bad('bloom.gguf', unknownArch), /architecture "bloom6" is not one this page runs \(llama, qwen2, qwen3, gemma3\)/],
    [bad('notes.gguf', 'just some text, not a model'), /not a GGUF file/],
    [bad('truncated.gguf', whole.subarray(0, 40 << 20)), /past the end of the file|not a valid/],
    [bad('empty.gguf', Buffer.alloc(0)), /not a GGUF file/],
  ];
  for (const [file, message] of cases) {
    await page.setInputFiles('#decoder-file', file);
    await page.locator('#decoder-open-notices .notice.error').waitFor({ timeout: 120_000 });
    const text = await page.textContent('#decoder-open-notices');
    assert.match(text, message, text);
    assert.match(text, /自带的解码器仍可正常使用/);
  }
  await page.fill('#decoder-url', 'https://example.invalid/model.gguf');
  await page.click('#decoder-open-url');
  await page.locator('#decoder-open-notices .notice.error', { hasText: 'example.invalid' }).waitFor({ timeout: 60_000 });
  // The page's own decoder still answers.
  const still = await page.evaluate(() => window.bertVsGpt.generate('法国的首都是', { chat: false, maxNewTokens: 4, temperature: 0 }));
  assert.ok(still.tokenIds.length > 0);

  await page.setInputFiles('#decoder-file', path.join(ROOT, 'models', 'SmolLM2-135M-Instruct', 'SmolLM2-135M-Instruct.Q4_1.gguf'));
  await page.locator('#decoder-open-notices .notice.info', { hasText: '已打开' }).waitFor({ timeout: 300_000 });
  assert.equal(await page.inputValue('#decoder-choice'), 'opened:SmolLM2-135M-Instruct.Q4_1.gguf');
  const decoders = await page.evaluate(() => window.bertVsGpt.decoders());
  assert.deepEqual(decoders.map((d) => d.id), ['SmolLM2-135M-Instruct', 'gemma-3-270m', 'opened:SmolLM2-135M-Instruct.Q4_1.gguf']);
  assert.equal(decoders.find((d) => d.chosen).id, 'opened:SmolLM2-135M-Instruct.Q4_1.gguf');
  // An instruct model with a chat template: Chat is on again, and the panel generates with it.
  assert.equal(await page.isDisabled('#decoder-chat'), false);
  await page.fill('#decoder-prompt', 'Name three colours.');
  await page.fill('#decoder-repeat', '1');
  await page.check('#decoder-chat');
  await page.click('#decoder-generate');
  await page.locator('#decoder-generate:not([disabled])').waitFor({ timeout: 300_000 });
  const fromPanel = await page.textContent('#decoder-output');
  // The same bytes as the shipped SmolLM2: the same greedy tokens.
  const [opened, shipped] = await page.evaluate(() => Promise.all(['opened:SmolLM2-135M-Instruct.Q4_1.gguf', 'SmolLM2-135M-Instruct'].map((model) =>
    window.bertVsGpt.generate('Name three colours.', { model, temperature: 0, maxNewTokens: 64 }))));
  assert.deepEqual(opened.tokenIds, shipped.tokenIds);
  assert.equal(fromPanel, opened.text);
  await page.screenshot({ path: path.join(ARTIFACTS, 'decoder-opened-file.png'), fullPage: true });
  await page.selectOption('#decoder-choice', 'auto');
  assert.equal((await page.evaluate(() => window.bertVsGpt.decoders())).find((d) => d.chosen).id, GEMMA);
});
