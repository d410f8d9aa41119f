// Shared by the end-to-end tests: serves the project on a free 127.0.0.1 port, starts Debian's
// headless Chromium through playwright-core with every other host unresolvable, and records
// console errors and every request a page (or its worker) makes.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Screenshots and scratch files the tests leave behind (git-ignored). */
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Any host but 127.0.0.1 fails to resolve: a page that needed one would break here.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export function fixture(name) {
  return JSON.parse(readFileSync(path.join(ROOT, 'tests', 'fixtures', name), 'utf8'));
}

/** A phone's screen, with touch: what the screenshots and the memory measurements emulate. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Debian's headless Chromium (or $CHROMIUM), with every host but 127.0.0.1 unresolvable. */
export function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A server and a browser for one test file; `close()` stops both. */
export async function startSession({ isolated = true } = {}) {
  const server = await startServer({ root: ROOT, port: 0, isolated });
  const browser = await launchBrowser();
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * A fresh browser context (empty Cache API) unless one is given, and a page in it at `query`.
 * Returns {page, context, consoleErrors, requests}.
 */
export async function openPage(session, query = '', context = null) {
  context ??= await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const consoleErrors = [];
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(new URL(query, session.server.url).href);
  await page.evaluate(() => window.bertVsGpt.ready);
  return { page, context, consoleErrors, requests };
}

/**
 * One server, browser and page for a whole test file, so each model loads once: fills
 * {session, page, context, consoleErrors, requests} before the first test, closes after.
 */
export function sharedPage(query = '') {
  const shared = {};
  before(async () => {
    shared.session = await startSession();
    Object.assign(shared, await openPage(shared.session, query));
  });
  after(() => shared.session?.close());
  return shared;
}

export function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Worst cosine and worst absolute difference of `vectors` (n × dim, flat) against rows of `expected`. */
export function compareRows(vectors, dim, expected) {
  let worstCosine = 1, worstAbs = 0;
  expected.forEach((row, i) => {
    const ours = vectors.slice(i * dim, (i + 1) * dim);
    worstCosine = Math.min(worstCosine, cosine(ours, row));
    row.forEach((x, k) => (worstAbs = Math.max(worstAbs, Math.abs(x - ours[k]))));
  });
  return { worstCosine, worstAbs };
}
