// The teacher's laptop as the class's server (scripts/serve.mjs, which `make classroom` runs),
// on loopback: 30 students download every model file at once and each gets it intact (sha256 as
// the manifest pins), the server's memory stays flat (files stream from disk), a student who
// leaves mid-file disturbs nobody, a `Range` request resumes a broken download; and the page
// itself resumes a download whose connection breaks instead of starting over — or, from a server
// that answers with the whole file again, starts over cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, openPage, startSession } from './harness.mjs';
import { procStatus } from './tab-memory.mjs';

const LONG = { timeout: 900_000 };
const CLIENTS = 30;
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'models', 'manifest.json'), 'utf8'));
const FILES = Object.entries(manifest.models).flatMap(([model, { files }]) => files.map((file) => ({ ...file, url: `/models/${model}/${file.name}` })));
const LARGEST = FILES.reduce((a, b) => (b.size > a.size ? b : a));

/** The server in its own process, as `make serve` runs it: {url, pid, stop}. */
function serveInChild() {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'serve.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk) => {
      const url = /http:\/\/\S+\//.exec(String(chunk))?.[0];
      if (url) resolve({ url, pid: child.pid, stop: () => child.kill() });
    });
  });
}

/** Resident memory of process `pid`, in MiB. */
const residentMB = (pid) => procStatus(pid, 'VmRSS') / 2 ** 20;

/** GET `url` (with `headers`), hashing the body: {status, bytes, sha256, headers}; `abortAfter`
 * bytes destroys the connection midway. */
function get(url, { headers = {}, abortAfter = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      response.on('data', (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (bytes >= abortAfter) {
          request.destroy();
          resolve({ status: response.statusCode, bytes, aborted: true });
        }
      });
      response.on('end', () => resolve({ status: response.statusCode, bytes, sha256: hash.digest('hex'), headers: response.headers }));
      response.on('error', reject);
    });
    request.on('error', (error) => (abortAfter < Infinity ? undefined : reject(error)));
  });
}

test(`${CLIENTS} students download every model file at once: intact, memory flat, a leaver harmless, ranges resume`, LONG, async () => {
  const server = await serveInChild();
  try {
    const before = residentMB(server.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, residentMB(server.pid))), 200);
    const started = performance.now();
    const leaver = get(new URL(LARGEST.url, server.url), { abortAfter: 10 << 20 });
    const students = Array.from({ length: CLIENTS }, async () => {
      const results = [];
      for (const file of FILES) results.push({ file, got: await get(new URL(file.url, server.url)) });
      return results;
    });
    const all = (await Promise.all(students)).flat();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    assert.ok((await leaver).aborted);
    for (const { file, got } of all) {
      assert.equal(got.status, 200, file.url);
      assert.equal(got.bytes, file.size, file.url);
      assert.equal(got.sha256, file.sha256, file.url);
    }
    const total = all.reduce((sum, { got }) => sum + got.bytes, 0);
    console.log(`# ${CLIENTS} clients × ${FILES.length} files: ${(total / 1e9).toFixed(1)} GB in ${seconds.toFixed(1)} s = ${(total / 1e6 / seconds).toFixed(0)} MB/s over loopback; server memory ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB (largest file ${(LARGEST.size / 1e6).toFixed(0)} MB)`);
    assert.ok(peak - before < 150, `the server grew by ${(peak - before).toFixed(0)} MB`);

    // A broken download resumes: the first 10 MB, then the rest by Range, make the file.
    const file = LARGEST;
    const url = new URL(file.url, server.url);
    const head = await get(url, { headers: { Range: 'bytes=0-10485759' } });
    assert.equal(head.status, 206);
    assert.equal(head.headers['content-range'], `bytes 0-10485759/${file.size}`);
    const whole = await new Promise((resolve, reject) => {
      const hash = createHash('sha256');
      const part = (range) => new Promise((done, failed) => http.get(url, { headers: { Range: range } }, (response) => {
        response.on('data', (chunk) => hash.update(chunk));
        response.on('end', () => done(response));
        response.on('error', failed);
      }).on('error', failed));
      part('bytes=0-10485759').then(() => part('bytes=10485760-')).then((last) => resolve({ status: last.statusCode, sha256: hash.digest('hex') }), reject);
    });
    assert.deepEqual(whole, { status: 206, sha256: file.sha256 });
    assert.equal((await get(url, { headers: { Range: `bytes=${file.size}-` } })).status, 416);
  } finally {
    server.stop();
  }
});

/** Between the page and the server: the first download of MiniLM's weights breaks after 20 MB;
 * `ranges` records each request for it. With `honourRange` false the proxy drops the Range
 * header, so the server answers the whole file again. */
async function breakingProxy(upstream, honourRange) {
  const ranges = [];
  const state = { broken: false };
  const proxy = http.createServer((request, response) => {
    const weights = request.url.endsWith('/all-MiniLM-L6-v2/model.f16.safetensors');
    if (weights) ranges.push(request.headers.range ?? 'whole');
    const headers = { ...request.headers };
    if (!honourRange) delete headers.range;
    const forward = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      let sent = 0;
      answer.on('data', (chunk) => {
        sent += chunk.length;
        if (weights && !state.broken && sent > 20 << 20) {
          state.broken = true;
          response.destroy();
          answer.destroy();
          return;
        }
        response.write(chunk);
      });
      answer.on('end', () => response.end());
    });
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { proxy, ranges, state, url: `http://127.0.0.1:${proxy.address().port}/` };
}

/** A session whose pages reach the server through breakingProxy(…, honourRange): runs
 * `body({ranges, state, open})`, where `open()` opens the encoder lesson in one browser context
 * (so a second visit finds what the first stored), and closes everything after. */
async function throughBreakingProxy(honourRange, body) {
  const session = await startSession();
  const { proxy, ranges, state, url } = await breakingProxy(new URL(session.server.url), honourRange);
  try {
    const context = await session.browser.newContext();
    await body({ ranges, state, open: () => openPage({ ...session, server: { url } }, '?lesson=encoder', context) });
  } finally {
    proxy.close();
    await session.close();
  }
}

test('the page resumes a download whose connection breaks, from the byte it reached', LONG, () =>
  throughBreakingProxy(true, async ({ ranges, state, open }) => {
    const { page, consoleErrors } = await open();
    const dim = await page.evaluate(async () => (await window.bertVsGpt.embed(['Resumed, not restarted.'])).dim);
    assert.equal(dim, 384);
    assert.ok(state.broken);
    assert.equal(ranges[0], 'whole');
    assert.match(ranges[1], /^bytes=(\d+)-$/);
    // From what reached the page before the break: not 0 (not restarted), at most what was sent.
    const from = Number(/\d+/.exec(ranges[1])[0]);
    assert.ok(from > 1 << 20 && from <= (20 << 20) + (1 << 20), ranges[1]);
    assert.equal(ranges.length, 2);
    assert.deepEqual(consoleErrors.filter((e) => !/ERR_|net::/.test(e)), []);
  }));

test('a server that answers a resumed download with the whole file: the page starts over, and stores a good copy', LONG, () =>
  throughBreakingProxy(false, async ({ ranges, state, open }) => {
    const { page, consoleErrors } = await open();
    const text = ['Started over, stored whole.'];
    const first = await page.evaluate(async (texts) => Array.from((await window.bertVsGpt.embed(texts)).vectors), text);
    assert.ok(state.broken);
    assert.equal(ranges.length, 2);
    assert.match(ranges[1], /^bytes=\d+-$/);
    // The next visit reads the stored copy (checked against its sha256 once idle) and embeds the same.
    const again = await open();
    const second = await again.page.evaluate(async (texts) => Array.from((await window.bertVsGpt.embed(texts)).vectors), text);
    assert.equal(ranges.length, 2, 'nothing downloaded on the second visit');
    assert.deepEqual(second, first);
    await again.page.waitForTimeout(3000); // the idle check of the stored copy
    assert.equal(await again.page.locator('#encoder-status .notice').count(), 0, 'the stored copy passed its check');
    assert.deepEqual([...consoleErrors, ...again.consoleErrors].filter((e) => !/ERR_|net::/.test(e)), []);
  }));
