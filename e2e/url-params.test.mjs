// Every parameter a link can carry is checked on the way in: a value the page cannot use is
// clamped or ignored, the page says which and why (in its language), and nothing else breaks —
// no frozen page from ?threads=99999, no "Failed to construct 'URL'" from a javascript: weights
// address, no request to a decoder address that is not https.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPage, startSession } from './harness.mjs';

let session;
before(async () => {
  session = await startSession();
});
after(() => session?.close());

/** Opens the page at `query`; returns its notices' texts, the hook's stats and what it requested. */
async function open(query) {
  const { page, context, consoleErrors, requests } = await openPage(session, query);
  const notices = await page.locator('#app-notices .notice').allTextContents();
  const stats = await page.evaluate(() => window.bertVsGpt.stats());
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  return { page, context, notices, stats, cores, consoleErrors, requests };
}

test('threads: too many are clamped to the machine, nonsense is ignored, both with a notice', { timeout: 120_000 }, async () => {
  const huge = await open('?threads=99999');
  const most = Math.min(8, huge.cores);
  assert.equal(huge.stats.threads, most);
  assert.ok(huge.notices.some((n) => n.includes(`asks for 99999 threads; this machine runs at most ${most}`)), huge.notices.join(' | '));
  await huge.context.close();
  for (const bad of ['-1', '0', 'abc', '2.5']) {
    const opened = await open(`?threads=${bad}`);
    assert.equal(opened.stats.threads, Math.min(4, opened.cores), bad);
    const notice = opened.notices.find((n) => n.startsWith('Ignored in this link:'));
    assert.ok(notice?.includes(`threads=${bad} (expected a whole number of threads from 1 to ${most})`), `${bad}: ${opened.notices}`);
    await opened.context.close();
  }
  const fine = await open('?threads=1');
  assert.equal(fine.stats.threads, 1);
  assert.ok(!fine.notices.some((n) => /Ignored|asks for/.test(n)), fine.notices.join(' | '));
  await fine.context.close();
});

test('weights: only http(s) addresses and paths on this site; anything else is named and models/ used', { timeout: 120_000 }, async () => {
  for (const bad of ['javascript:alert(1)', 'data:text/plain,x', 'file:///etc/']) {
    const opened = await open(`?weights=${encodeURIComponent(bad)}`);
    assert.ok(
      opened.notices.some((n) => n.includes(`“${bad}” is not a usable weights URL (give an http(s) address or a path on this site)`)),
      `${bad}: ${opened.notices}`,
    );
    assert.ok(!opened.notices.some((n) => n.includes("Failed to construct 'URL'")));
    const embedded = await opened.page.evaluate(async () => (await window.bertVsGpt.embed(['still works'])).dim);
    assert.equal(embedded, 384);
    assert.deepEqual(opened.consoleErrors, []);
    await opened.context.close();
  }
});

test('every other parameter: an unusable value is listed with what it should be, in the page language', { timeout: 120_000 }, async () => {
  const query = '?lesson=nope&build=fast&decoder=http://example.com/x.gguf&encoder=bert&precision=int8&present=yes';
  const opened = await open(query);
  const notice = opened.notices.find((n) => n.startsWith('Ignored in this link:'));
  assert.ok(notice, opened.notices.join(' | '));
  for (const part of [
    'lesson=nope (expected one of encoder, decoder,',
    'build=fast (expected one of threads, relaxed)',
    'decoder=http://example.com/x.gguf (expected one of SmolLM2-135M-Instruct, gemma-3-270m, or the https address of a .gguf file)',
    'encoder=bert (expected one of all-MiniLM-L6-v2, multilingual-e5-small)',
    'precision=int8 (expected one of f32, int16)',
    'present=yes (expected one of 1)',
  ]) {
    assert.ok(notice.includes(part), `${part} not in: ${notice}`);
  }
  assert.ok(!opened.requests.some((url) => new URL(url).hostname === 'example.com'), 'an http decoder address was fetched');
  assert.equal(await opened.page.evaluate(() => document.querySelector('#encoder').hidden), false, 'the first lesson shows');
  await opened.context.close();

  const zh = await open('?lang=zh&threads=abc&lang2=x');
  assert.ok(zh.notices.some((n) => n.includes('此链接中被忽略的参数：threads=abc（应为 1 到')), zh.notices.join(' | '));
  await zh.page.click('#language');
  const english = await zh.page.locator('#param-notice').textContent();
  assert.ok(english.startsWith('Ignored in this link: threads=abc'), english);
  await zh.context.close();

  // A lesson's own parameters are read (and checked) when the link is for that lesson.
  const keywords = await open('?lesson=keywords&diversity=7&preset=nope');
  for (const part of ['diversity=7 (expected a number from 0 to 1)', 'preset=nope (expected one of essay, photosynthesis, essay-zh)']) {
    assert.ok(keywords.notices.some((n) => n.includes(part)), `${part} not in: ${keywords.notices.join(' | ')}`);
  }
  assert.equal(await keywords.page.inputValue('#keywords-diversity'), '0.5');
  await keywords.context.close();

  const lang = await open('?lang=fr');
  assert.ok(lang.notices.some((n) => n.includes('lang=fr (expected one of en, zh)')), lang.notices.join(' | '));
  await lang.context.close();
});
