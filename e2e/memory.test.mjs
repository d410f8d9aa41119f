// A phone's tab has little memory, and closes the tab that takes more. The page plans with two
// figures per model (models/manifest.json `memory_mb`: what it keeps, and the most the tab grows
// while it loads) and its own (PAGE_BYTES in www/memory.js): here each model, used by a lesson
// alone in a fresh tab at a phone's size on a first visit, stays within them, as Linux counts
// the tab's private memory (e2e/tab-memory.mjs) and the worker its wasm memory. And a device
// that says it has too little memory (navigator.deviceMemory, emulated) is told before anything
// downloads, can load anyway, and can free the models it no longer uses — their memory then
// holds most of the next one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, PHONE, ROOT, openPage, startSession } from './harness.mjs';
import { runLesson } from './lesson-runs.mjs';
import { measureTab } from './tab-memory.mjs';

const LONG = { timeout: 900_000 };
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'models', 'manifest.json'), 'utf8'));
const PAGE_BYTES = Number(/export const PAGE_BYTES = ([\d.e]+);/.exec(readFileSync(path.join(ROOT, 'www', 'memory.js'), 'utf8'))[1]);
const MB = 1e6;

/** Each model with the lessons that use it alone. */
const ALONE = {
  'all-MiniLM-L6-v2': ['en', ['encoder', 'analogy']],
  'SmolLM2-135M-Instruct': ['en', ['decoder', 'surprise']],
  'multilingual-e5-small': ['zh', ['encoder', 'analogy']],
  'gemma-3-270m': ['zh', ['decoder', 'surprise']],
};

/** A page at `query` on a phone whose browser says it has `gb` GB (`navigator.deviceMemory`). */
async function phoneWith(session, gb, query) {
  const context = await session.browser.newContext(PHONE);
  await context.addInitScript(`Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => ${gb} });`);
  return openPage(session, query, context);
}

test('each model, in a lesson alone on a first visit, stays within the memory the page plans with', LONG, async () => {
  const session = await startSession();
  try {
    const rows = [];
    for (const [model, [lang, lessons]] of Object.entries(ALONE)) {
      for (const lesson of lessons) {
        const wasmAtRest = async (page) => (await page.evaluate(() => window.bertVsGpt.stats())).wasmMemoryBytes;
        const result = await measureTab(`${session.server.url}?lang=${lang}`, async (page) => {
          const before = await wasmAtRest(page);
          await runLesson(page, lesson);
          return before;
        });
        rows.push({
          model, lesson, lang,
          restMB: result.restBytes / MB,
          grewMB: (result.privatePeakBytes - result.restBytes) / MB,
          keptMB: (result.wasmMemoryBytes - result.returned) / MB,
          planned: manifest.models[model].memory_mb,
        });
      }
    }
    console.log(rows.map((r) => `${r.model} in ${r.lesson} (${r.lang}): the page at rest ${r.restMB.toFixed(0)} MB; the tab grew ${r.grewMB.toFixed(0)} MB at most (planned ${r.planned.peak}), wasm memory ${r.keptMB.toFixed(0)} MB (planned ${r.planned.kept})`).join('\n'));
    for (const row of rows) {
      const what = `${row.model} in ${row.lesson} (${row.lang})`;
      assert.ok(row.restMB * MB <= PAGE_BYTES, `${what}: the page at rest took ${row.restMB.toFixed(0)} MB, more than the ${PAGE_BYTES / MB} MB planned`);
      assert.ok(row.grewMB <= row.planned.peak, `${what}: the tab grew ${row.grewMB.toFixed(0)} MB, more than the ${row.planned.peak} MB planned`);
      assert.ok(row.keptMB <= row.planned.kept, `${what}: wasm memory grew ${row.keptMB.toFixed(0)} MB, more than the ${row.planned.kept} MB planned`);
    }
  } finally {
    await session.close();
  }
});

test('a phone with 2 GB is told before Gemma downloads, and can load it anyway', LONG, async () => {
  const session = await startSession();
  try {
    const { page, requests, consoleErrors } = await phoneWith(session, 2, '?lang=zh&lesson=decoder');
    const memory = await page.evaluate(() => window.bertVsGpt.memory());
    assert.equal(memory.deviceMemory, 2);
    assert.equal(memory.budgetBytes, (2 * 2 ** 30) / 3);
    // Before anything is pressed, the status line says Gemma may not fit, in the page's language.
    const warning = page.locator('#decoder-status .memory-warning');
    await warning.waitFor();
    assert.match(await warning.textContent(), /gemma-3-270m 加载时最多需要约 750\.0 MB 内存.*设备内存 2 GB/);
    // Pressing Generate loads nothing: the lesson says why, the banner offers the way on.
    await page.click('#decoder-generate');
    await page.locator('#memory-notice .memory-warning').waitFor();
    assert.match(await page.locator('#decoder-notices').textContent(), /手机可能会关闭这个标签页/);
    assert.ok(!requests.some((url) => url.endsWith('.gguf')), 'nothing was downloaded');
    assert.equal((await page.evaluate(() => window.bertVsGpt.decoders())).find((d) => d.id === 'gemma-3-270m').loaded, false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'memory-warning-zh-phone.png'), fullPage: false });
    // The hook refuses the same way, with the error's name, until asked to load anyway.
    const refused = await page.evaluate(() => window.bertVsGpt.generate('今天', { maxNewTokens: 1 }).then(() => null, (error) => error.name));
    assert.equal(refused, 'TooLittleMemory');
    await page.click('#memory-notice [data-memory="anyway"]');
    await page.locator('#decoder-status .model-summary[data-phase="loaded"]').waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('#memory-notice').textContent(), '');
    await page.click('#decoder-generate');
    await page.locator('#decoder-stats:has-text("·")').waitFor({ timeout: 120_000 });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await session.close();
  }
});

test('a phone with 2 GB frees the English models to make room for a Chinese one, mostly in the memory they held', LONG, async () => {
  const session = await startSession();
  try {
    const { page, consoleErrors } = await phoneWith(session, 2, '?lang=en');
    for (const lesson of ['encoder', 'decoder']) await runLesson(page, lesson); // 650 of 716 MB
    const before = (await page.evaluate(() => window.bertVsGpt.stats())).wasmMemoryBytes;
    // e5 beside them would take the tab past a third of 2 GB: the 中文 encoder lesson says so and
    // offers to unload the English models, which the lessons no longer use.
    await page.click('#language');
    await page.click('#lessons [data-lesson="encoder"]');
    const warning = page.locator('#encoder-status .memory-warning');
    await warning.waitFor();
    const unload = warning.locator('[data-memory="unload"]');
    assert.match(await unload.textContent(), /all-MiniLM-L6-v2, SmolLM2-135M-Instruct/);
    await unload.click();
    await warning.waitFor({ state: 'detached' });
    const loaded = await page.evaluate(async () => Object.entries((await window.bertVsGpt.memory()).models).filter(([, m]) => m.loaded).map(([id]) => id));
    assert.deepEqual(loaded, []);
    await runLesson(page, 'encoder');
    const after = (await page.evaluate(() => window.bertVsGpt.stats())).wasmMemoryBytes;
    // Alone, e5 grows a fresh tab's wasm memory by ~160 MB; here most of it fits in what was
    // freed (its 67 MB file needs one block, which the freed models' many matrices may not leave).
    assert.ok(after - before < 110 * MB, `e5 grew wasm memory by ${((after - before) / MB).toFixed(0)} MB after the English models were freed`);
    // A freed model loads again when used (beside e5 it fits: 540 of 716 MB).
    const dim = await page.evaluate(() => window.bertVsGpt.embed(['a dog'], { model: 'all-MiniLM-L6-v2' }).then((r) => r.dim));
    assert.equal(dim, 384);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await session.close();
  }
});
