// A class on one network (`make classroom`, scripts/classroom.mjs): a student's browser reaches
// the laptop by a name that is not loopback (classroom.test, mapped to 127.0.0.1 here), so the
// page is a secure context only over https. Over http the page loads a model with its download
// checked by the wasm sha256 (a corrupted copy is refused), says models are not kept, and runs
// on one thread saying why; over the classroom's https (its self-signed certificate accepted,
// as a student does once) it is secure, cross-origin isolated and threaded, and keeps what it
// downloads.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, symlinkSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ROOT } from './harness.mjs';
import { startClassroom } from '../scripts/classroom.mjs';

const LONG = { timeout: 600_000 };
const NAME = 'classroom.test';
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      `--host-resolver-rules=MAP ${NAME} 127.0.0.1, MAP * ~NOTFOUND`],
  });
});
after(() => browser?.close());

/** The page from `url` in a fresh profile, once its hook is ready. */
async function open(url, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.evaluate(() => window.bertVsGpt.ready);
  return { page, context, errors };
}

/** A copy of the project's served files whose MiniLM weights differ from the manifest's in
 * one byte (the rest linked, not copied). */
function corruptedRoot() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bert-vs-gpt-corrupt-'));
  for (const entry of ['index.html', 'sw.js', 'www', 'pkg']) symlinkSync(path.join(ROOT, entry), path.join(root, entry));
  mkdirSync(path.join(root, 'models', 'all-MiniLM-L6-v2'), { recursive: true });
  copyFileSync(path.join(ROOT, 'models', 'manifest.json'), path.join(root, 'models', 'manifest.json'));
  const source = path.join(ROOT, 'models', 'all-MiniLM-L6-v2');
  for (const file of readdirSync(source)) {
    if (file === 'model.f16.safetensors') copyFileSync(path.join(source, file), path.join(root, 'models', 'all-MiniLM-L6-v2', file));
    else symlinkSync(path.join(source, file), path.join(root, 'models', 'all-MiniLM-L6-v2', file));
  }
  const weights = openSync(path.join(root, 'models', 'all-MiniLM-L6-v2', 'model.f16.safetensors'), 'r+');
  writeSync(weights, Buffer.from([0x5a]), 0, 1, 40_000_000);
  closeSync(weights);
  return root;
}

test('over http from another machine: not secure, the download checked in wasm, not kept, one thread and why', LONG, async () => {
  const server = await startClassroom({ root: ROOT, port: 0, host: '127.0.0.1', https: false });
  try {
    const { page, context, errors } = await open(`http://${NAME}:${server.port}/?lesson=encoder`);
    const state = await page.evaluate(() => ({ secure: isSecureContext, isolated: crossOriginIsolated, subtle: Boolean(globalThis.crypto?.subtle), caches: 'caches' in self, notice: document.querySelector('#insecure-notice')?.textContent }));
    assert.deepEqual({ ...state, notice: undefined }, { secure: false, isolated: false, subtle: false, caches: false, notice: undefined });
    assert.match(state.notice, /download again on every visit/);
    const embedded = await page.evaluate(async () => {
      const out = await window.bertVsGpt.embed(['A class on one network.']);
      return { dim: out.dim, norm: Math.hypot(...out.vectors) };
    });
    assert.equal(embedded.dim, 384);
    assert.ok(Math.abs(embedded.norm - 1) < 1e-4);
    // The page's one notice says nothing is kept; no file adds its own.
    assert.equal(await page.locator('#encoder-status .notice').count(), 0);
    const stats = await page.evaluate(() => window.bertVsGpt.stats());
    assert.equal(stats.threads, 1);
    assert.equal(stats.threadsShortBecause, 'insecure');
    await page.locator('#thread-notice').waitFor();
    assert.match(await page.textContent('#thread-notice'), /not a secure context/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await server.close();
  }

  // The same check refuses a copy one byte off.
  const brokenRoot = corruptedRoot();
  const broken = await startClassroom({ root: brokenRoot, port: 0, host: '127.0.0.1', https: false });
  try {
    const { page, context } = await open(`http://${NAME}:${broken.port}/`);
    const message = await page.evaluate(() => window.bertVsGpt.embed(['x']).then(() => 'no error', (e) => e.message));
    assert.match(message, /model\.f16\.safetensors from .* is not the file this page expects: its sha256 is [0-9a-f]{16}…/);
    await context.close();
  } finally {
    await broken.close();
    rmSync(brokenRoot, { recursive: true, force: true });
  }
});

test('over make classroom’s https: secure, isolated, threaded, downloads kept', LONG, async () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-vs-gpt-classroom-'));
  const server = await startClassroom({ root: ROOT, port: 0, host: '127.0.0.1', https: true, names: [NAME, '127.0.0.1'], cacheDir });
  try {
    // A student accepts the self-signed certificate once; the test's browser does so for every page.
    const { page, context, errors } = await open(`https://${NAME}:${server.port}/?lesson=encoder`, { ignoreHTTPSErrors: true });
    const state = await page.evaluate(() => ({ secure: isSecureContext, isolated: crossOriginIsolated, subtle: Boolean(globalThis.crypto?.subtle), notice: Boolean(document.querySelector('#insecure-notice')) }));
    assert.deepEqual(state, { secure: true, isolated: true, subtle: true, notice: false });
    await page.evaluate(() => window.bertVsGpt.embed(['A class on one network.']));
    const stats = await page.evaluate(() => window.bertVsGpt.stats());
    assert.equal(stats.threads, Math.min(os.cpus().length, 4));
    assert.equal(stats.threadsShortBecause, null);
    const kept = await page.evaluate(async () => (await (await caches.open('bert-vs-gpt-weights-v1')).keys()).length);
    assert.ok(kept >= 1, 'the weights are stored');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('make classroom says where to go and what students get, with a QR code', LONG, async () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'bert-vs-gpt-classroom-'));
  try {
    for (const https of ['1', '0']) {
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'classroom.mjs')], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', HTTPS: https, BERT_VS_GPT_CACHE: cache } });
      let out = '';
      await new Promise((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('On this laptop itself')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`classroom.mjs exited (${code}): ${out}`)));
      });
      child.kill();
      const scheme = https === '1' ? 'https' : 'http';
      assert.match(out, new RegExp(`On this laptop itself: ${scheme}://127\\.0\\.0\\.1:\\d+/`));
      if (https === '1') assert.match(out, /certificate is self-signed[\s\S]*secure context: threads, models stored/);
      else assert.match(out, /one thread, and without storage: every visit downloads the models again/);
      // A machine on a network gets its addresses and a QR code of the first (block characters).
      const addresses = Object.values(os.networkInterfaces()).flat().filter((a) => a?.family === 'IPv4' && !a.internal);
      if (addresses.length) {
        assert.ok(out.includes(`${scheme}://${addresses[0].address}:`), out);
        assert.match(out, /[▀▄█]{4}/);
      }
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
