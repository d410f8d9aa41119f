// `make dist`'s folder on a static host that sends no isolation headers (as GitHub Pages): it
// holds the page and nothing of the project's sources or tests, and served as it is the page
// loads a model, becomes cross-origin isolated through its service worker after one reload,
// and runs on two threads.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';
import { writeDist } from '../scripts/dist.mjs';

const LONG = { timeout: 600_000 };

test('the dist folder on a host without COOP/COEP: the page, two threads after one reload', LONG, async () => {
  const dist = path.join(mkdtempSync(path.join(os.tmpdir(), 'bert-vs-gpt-dist-')), 'site');
  const { files, tooBigForPages } = writeDist(dist, { weights: true });
  assert.ok(files > 40);
  for (const kept of ['index.html', 'sw.js', '.nojekyll', 'pkg/bert_vs_gpt_bg.wasm', 'pkg/relaxed/bert_vs_gpt_bg.wasm', 'models/manifest.json', 'models/all-MiniLM-L6-v2/model.f16.safetensors']) {
    assert.ok(existsSync(path.join(dist, kept)), kept);
  }
  // MiniLM's f32 original stays behind: the page downloads its float16 copy.
  for (const left of ['src', 'e2e', 'tests', 'Cargo.toml', 'node_modules', 'scripts', 'models/all-MiniLM-L6-v2/model.safetensors']) assert.ok(!existsSync(path.join(dist, left)), left);
  assert.deepEqual(tooBigForPages, ['models/gemma-3-270m/gemma-3-270m-q4_k_m.gguf (253 MB)']);

  const server = await startServer({ root: dist, port: 0, isolated: false });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}?threads=2`);
    for (let tries = 0; !(await page.evaluate(() => crossOriginIsolated).catch(() => false)); tries++) {
      assert.ok(tries < 120, 'the page never became cross-origin isolated');
      await page.waitForTimeout(500);
    }
    await page.waitForFunction(() => window.bertVsGpt);
    await page.evaluate(() => window.bertVsGpt.ready);
    const out = await page.evaluate(async () => ({ dim: (await window.bertVsGpt.embed(['Served from a folder.'])).dim, stats: await window.bertVsGpt.stats() }));
    assert.equal(out.dim, 384);
    assert.equal(out.stats.threads, 2);
    assert.equal(out.stats.crossOriginIsolated, true);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
    rmSync(path.dirname(dist), { recursive: true, force: true });
  }
});
