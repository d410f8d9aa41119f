// Reliability and security end to end, on the real models in headless Chromium: odd and
// hostile input, a panic in wasm, the Content-Security-Policy, storage that is full or cleared,
// concurrent requests, and the page working offline after one visit.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startServer } from '../scripts/serve.mjs';
import { ROOT, cosine, openPage, sharedPage } from './harness.mjs';

const LONG = { timeout: 300_000 };
const shared = sharedPage();
const ENCODERS = ['all-MiniLM-L6-v2', 'multilingual-e5-small'];

test('odd input embeds, tokenizes or generates, or gets a clear message; nothing panics', LONG, async () => {
  const { page } = shared;
  const outcomes = await page.evaluate(async (encoders) => {
    const inputs = {
      empty: '',
      whitespace: ' \t\n  ',
      long: 'The quick brown fox jumps over the lazy dog. '.repeat(2300), // ~100,000 characters
      control: 'bell\u0007 nul\u0000 escape\u001b[31m red\u001b[0m',
      loneSurrogates: 'broken \uD800 pair \uDC00 here',
      rightToLeft: 'مرحبا بالعالم — שלום עולם',
      emoji: '👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇨🇳',
      chinese: '为什么是 ChatGPT 而不是 BERT 掀起了 AI 浪潮？',
      mixed: 'Mixed 中文, العربية, русский, 日本語 and code: fn main() {}',
    };
    const settle = (promise) => promise.then((value) => ({ ok: value }), (error) => ({ error: error.message }));
    const out = {};
    for (const [name, text] of Object.entries(inputs)) {
      out[name] = {};
      for (const model of encoders) {
        const embedded = await settle(window.bertVsGpt.embed([text], { model }));
        out[name][model] = embedded.error ?? {
          finite: Array.from(embedded.ok.vectors).every(Number.isFinite),
          norm: Math.hypot(...embedded.ok.vectors),
          truncated: embedded.ok.truncated[0],
        };
      }
      const tokens = await settle(window.bertVsGpt.tokenize(text));
      out[name].tokens = tokens.error ?? tokens.ok.ids.length;
      const generated = await settle(window.bertVsGpt.generate(text, { chat: false, maxNewTokens: 2 }));
      out[name].generate = generated.error ?? generated.ok.finishReason;
    }
    return out;
  }, ENCODERS);
  for (const model of ENCODERS) {
    for (const name of ['empty', 'whitespace']) assert.match(outcomes[name][model], /text 0 is blank/, `${name} ${model}`);
    for (const name of ['long', 'control', 'loneSurrogates', 'rightToLeft', 'emoji', 'chinese', 'mixed']) {
      const result = outcomes[name][model];
      assert.equal(typeof result, 'object', `${name} on ${model}: ${result}`);
      assert.ok(result.finite && Math.abs(result.norm - 1) < 1e-4, `${name} on ${model}`);
      assert.equal(result.truncated, name === 'long', `${name} on ${model}`);
    }
  }
  assert.match(outcomes.empty.generate, /the prompt is empty/);
  assert.match(outcomes.long.generate, /this model reads at most 8192/);
  for (const name of ['whitespace', 'control', 'loneSurrogates', 'rightToLeft', 'emoji', 'chinese', 'mixed']) {
    assert.ok(['length', 'end'].includes(outcomes[name].generate), `${name}: ${outcomes[name].generate}`);
  }
  assert.ok(outcomes.long.tokens > 8192);
});

test('hostile strings stay text in every panel', LONG, async () => {
  const { page } = shared;
  const dialogs = [];
  page.on('dialog', (dialog) => dialogs.push(dialog.message()) && dialog.dismiss());
  const hostile = '<img src=x onerror="alert(1);window.hacked=1"><script>window.hacked=2</script><b>bold</b>';
  await page.click('#lessons [data-lesson="encoder"]');
  await page.fill('#encoder-input', `${hostile}\nA harmless second line.\n<svg onload="window.hacked=3">`);
  await page.click('#encoder-embed');
  await page.locator('#encoder-map[data-points="3"]').waitFor();
  const labels = await page.locator('#encoder-map svg text').allTextContents();
  assert.ok(labels.some((l) => l.includes('<img src=x')), labels.join(' | '));

  await page.click('#lessons [data-lesson="keywords"]');
  await page.fill('#keywords-document', `${hostile} Photosynthesis turns light into sugar in the leaves.`);
  await page.click('#keywords-run');
  await page.locator('#keywords-keybert li').first().waitFor();
  await page.click('#lessons [data-lesson="tokenizers"]');
  await page.fill('#tokenizers-input', hostile);
  await page.click('#tokenizers-run');
  await page.locator('#tokenizers-gpt .chip').first().waitFor();
  await page.click('#lessons [data-lesson="analogy"]');
  await page.fill('#analogy-a', hostile);
  await page.click('#analogy-run');
  await page.locator('#analogy-results li').first().waitFor();

  assert.equal(await page.locator('main img, main script, main b, main svg [onload]').count(), 0);
  assert.equal(await page.evaluate(() => window.hacked), undefined);
  assert.deepEqual(dialogs, []);
});

test('the page and its worker run under a Content-Security-Policy that allows no other host', LONG, async () => {
  const { page, session } = shared;
  const response = await page.request.get(session.server.url);
  const header = response.headers()['content-security-policy'];
  assert.match(header, /default-src 'self'/);
  assert.match(header, /connect-src 'self' https:\/\/huggingface\.co/);
  assert.equal(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), header);
  const blocked = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const attempt = await fetch('https://example.org/').then(() => 'fetched', (e) => e.name);
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true';
    document.body.append(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { attempt, violations, inlineRan: Boolean(window.inlineRan) };
  });
  assert.equal(blocked.attempt, 'TypeError');
  assert.equal(blocked.inlineRan, false);
  assert.ok(blocked.violations.includes('connect-src') && blocked.violations.includes('script-src-elem'), blocked.violations.join());
});

test('a panic in wasm is reported, the worker restarts, and the models work again', LONG, async () => {
  const { page } = shared;
  await page.evaluate(() => window.bertVsGpt.embed(['warm up']));
  await assert.rejects(page.evaluate(() => window.bertVsGpt.panic()), /The model crashed \(a deliberate panic, to test recovery at src\/wasm\/mod\.rs:\d+\); it was restarted/);
  await page.locator('#app-notices', { hasText: 'it was restarted' }).waitFor();
  const again = await page.evaluate(() => window.bertVsGpt.embed(['after the crash']));
  assert.equal(again.dim, 384);
  await page.click('#lessons [data-lesson="encoder"]');
  await page.selectOption('#encoder-preset', 'three-topics');
  await page.click('#encoder-embed');
  await page.locator('#encoder-map[data-points="12"]').waitFor();
});

test('concurrent requests never cross: double clicks, embedding while generating, Stop during prefill', LONG, async () => {
  const { page } = shared;
  const crossed = await page.evaluate(async () => {
    const hook = window.bertVsGpt;
    const texts = [['The cat sleeps.'], ['Interest rates rose.'], ['猫在睡觉。']];
    const alone = await Promise.all(texts.map((t) => hook.embed(t)));
    const generation = hook.generate('Count from one to twenty.', { maxNewTokens: 40 });
    const together = await Promise.all([...texts, ...texts].map((t) => hook.embed(t)));
    const generated = await generation;
    const same = together.every((r, i) => r.vectors.every((v, k) => Math.abs(v - alone[i % 3].vectors[k]) < 1e-6));
    return { same, tokens: generated.tokenIds.length };
  });
  assert.ok(crossed.same, 'each embedding came back to its own request');
  assert.equal(crossed.tokens, 40);

  await page.click('#lessons [data-lesson="encoder"]');
  await page.selectOption('#encoder-preset', 'paraphrases');
  await page.dblclick('#encoder-embed');
  await page.locator('#encoder-embed:not([disabled])').waitFor();
  assert.equal(await page.locator('#encoder-notices .error').count(), 0);

  await page.click('#lessons [data-lesson="decoder"]');
  await page.uncheck('#decoder-chat');
  await page.fill('#decoder-prompt', 'A long prompt. '.repeat(700));
  await page.fill('#decoder-max', '50');
  await page.click('#decoder-generate');
  await page.waitForTimeout(150); // inside the ~2,800-token prefill
  const stopped = Date.now();
  await page.click('#decoder-stop');
  await page.locator('#decoder-generate:not([disabled])').waitFor();
  assert.ok(Date.now() - stopped < 2000, 'Stop during prefill takes effect within a chunk');
  // Switching lessons mid-generation: the run goes on and ends; nothing is left spinning.
  await page.fill('#decoder-prompt', 'Hello');
  await page.fill('#decoder-max', '30');
  await page.click('#decoder-generate');
  await page.locator('#decoder-chips .chip').first().waitFor();
  await page.click('#lessons [data-lesson="roi"]');
  await page.waitForTimeout(300);
  await page.click('#lessons [data-lesson="decoder"]');
  await page.locator('#decoder-stats', { hasText: /ended/ }).waitFor();
  await page.locator('#decoder-generate:not([disabled])').waitFor();
  assert.equal(await page.locator('#decoder-chips .chip').count(), 30);
});

test('full storage: the models run from the download, with a notice; "clear downloaded models" empties the store', LONG, async () => {
  const { session } = shared;
  const context = await session.browser.newContext();
  const cdp = await context.newCDPSession(await context.newPage());
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(session.server.url).origin, quotaSize: 2_000_000 });
  const { page } = await openPage(session, '', context);
  const out = await page.evaluate(() => window.bertVsGpt.embed(['Storage is full.']));
  assert.equal(out.dim, 384);
  await page.locator('#encoder-status .notice', { hasText: 'storage quota is full' }).first().waitFor();
  await context.close();

  const { page: fresh, context: second } = await openPage(session);
  await fresh.evaluate(() => window.bertVsGpt.embed(['Stored this time.']));
  const stored = () => fresh.evaluate(async () => (await (await caches.open('bert-vs-gpt-weights-v1')).keys()).length);
  assert.equal(await stored(), 4);
  await fresh.click('#settings summary');
  await fresh.click('#clear-downloads');
  await fresh.locator('#clear-downloads-result', { hasText: /Removed 45\.9 MB/ }).waitFor();
  assert.equal(await stored(), 0);
  await second.close();
});

test('a stored copy damaged on disk: the model answers, then the check evicts it with a notice, and the next use downloads a good copy', LONG, async () => {
  const { session } = shared;
  const { page, context, requests } = await openPage(session);
  const sentence = ['A stored copy, checked once the model has answered.'];
  const good = await page.evaluate((texts) => window.bertVsGpt.embed(texts), sentence);
  // One weight's lowest bit changes in the stored model.f16.safetensors: it still loads and runs.
  const damaged = await page.evaluate(async () => {
    const cache = await caches.open('bert-vs-gpt-weights-v1');
    for (const request of await cache.keys()) {
      const bytes = new Uint8Array(await (await cache.match(request)).arrayBuffer());
      if (bytes.length < 40e6) continue;
      bytes[bytes.length - 4000] ^= 1;
      await cache.put(request, new Response(bytes));
      return request.url;
    }
  });
  assert.ok(damaged);
  await page.reload();
  await page.evaluate(() => window.bertVsGpt.ready);
  requests.length = 0;
  const answered = await page.evaluate((texts) => window.bertVsGpt.embed(texts), sentence);
  assert.equal(answered.dim, 384);
  assert.ok(!requests.some((url) => url.endsWith('/model.f16.safetensors')), 'the first answer came from the stored copy');
  await page.locator('#encoder-status .notice', { hasText: 'The stored copy of model.f16.safetensors was damaged' }).waitFor();
  const keys = await page.evaluate(async () => (await (await caches.open('bert-vs-gpt-weights-v1')).keys()).map((r) => r.url));
  assert.ok(!keys.includes(damaged), 'the damaged copy was evicted');

  const again = await page.evaluate((texts) => window.bertVsGpt.embed(texts), sentence);
  assert.ok(requests.some((url) => url.endsWith('/all-MiniLM-L6-v2/model.f16.safetensors')), 'the next use downloaded the file again');
  assert.ok(cosine(again.vectors, good.vectors) > 0.999999);
  await context.close();
});

test('after one visit every panel works offline; a reload mid-download leaves the page usable', LONG, async () => {
  const { session } = shared;
  const { page, context } = await openPage(session);
  assert.match(await page.evaluate(() => window.bertVsGpt.offlineReady), /^[0-9a-f]{16}$/);
  await page.evaluate(() => Promise.all([window.bertVsGpt.embed(['online']), window.bertVsGpt.embed(['在线'], { model: 'multilingual-e5-small' }), window.bertVsGpt.generate('Hi', { maxNewTokens: 1 })]));

  await context.setOffline(true);
  await page.reload();
  await page.evaluate(() => window.bertVsGpt.ready);
  await page.selectOption('#encoder-preset', 'three-topics');
  await page.click('#encoder-embed');
  await page.locator('#encoder-map[data-points="12"]').waitFor();
  const offline = await page.evaluate(async () => {
    const hook = window.bertVsGpt;
    const zh = await hook.embed(['离线'], { model: 'multilingual-e5-small' });
    const generated = await hook.generate('What is 2+2?', { maxNewTokens: 4 });
    const words = await hook.analogy('king', 'man', 'woman');
    return { zh: zh.dim, tokens: generated.tokenIds.length, word: words.results[0].word };
  });
  assert.deepEqual(offline, { zh: 384, tokens: 4, word: 'queen' });
  await context.setOffline(false);
  await context.close();

  const { page: downloading, context: other } = await openPage(session);
  await downloading.click('#lessons [data-lesson="decoder"]');
  downloading.evaluate(() => window.bertVsGpt.generate('Hi', { maxNewTokens: 1 })).catch(() => {});
  await downloading.locator('#decoder-status .file-bytes').first().waitFor();
  await downloading.reload();
  await downloading.evaluate(() => window.bertVsGpt.ready);
  const after = await downloading.evaluate(() => window.bertVsGpt.generate('Hi', { maxNewTokens: 2 }));
  assert.equal(after.tokenIds.length, 2);
  await other.close();
});

test('a new build replaces the offline copy as a whole, never mixed with the old one', LONG, async () => {
  // A copy of the built site, served on its own, that is then "rebuilt" (a file changes and
  // pkg/app-files.json is written again, as `make build` does).
  const site = mkdtempSync(path.join(tmpdir(), 'bert-vs-gpt-site-'));
  for (const entry of ['index.html', 'sw.js', 'www', 'pkg']) cpSync(path.join(ROOT, entry), path.join(site, entry), { recursive: true });
  mkdirSync(path.join(site, 'models'));
  cpSync(path.join(ROOT, 'models', 'manifest.json'), path.join(site, 'models', 'manifest.json'));
  const server = await startServer({ root: site, port: 0 });
  const { session } = shared;
  const context = await session.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    const first = await page.evaluate(() => window.bertVsGpt.offlineReady);
    const appCaches = () => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('bert-vs-gpt-app-')));
    assert.deepEqual(await appCaches(), [`bert-vs-gpt-app-${first}`]);

    appendFileSync(path.join(site, 'www', 'style.css'), '\n/* rebuilt */\n');
    execFileSync('node', [path.join(ROOT, 'scripts', 'app-files.mjs'), '--root', site]);
    await page.reload();
    const second = await page.evaluate(() => window.bertVsGpt.offlineReady);
    assert.notEqual(second, first);
    assert.deepEqual(await appCaches(), [`bert-vs-gpt-app-${second}`]);
    const stored = await page.evaluate(async (name) => (await (await caches.open(name)).match('www/style.css')).text(), `bert-vs-gpt-app-${second}`);
    assert.match(stored, /rebuilt/);

    await context.setOffline(true);
    await page.reload();
    await page.evaluate(() => window.bertVsGpt.ready);
    assert.match(await page.evaluate(async () => (await fetch('www/style.css')).text()), /rebuilt/);
  } finally {
    await context.close();
    await server.close();
    rmSync(site, { recursive: true, force: true });
  }
});
