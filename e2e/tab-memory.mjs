// The memory a tab takes, as Linux counts it for the renderer process that holds the page, its
// model worker, the worker's helper threads and their wasm memory: for the memory benchmark
// (bench/memory.mjs) and the test that holds the page to the figures it plans with
// (e2e/memory.test.mjs). Linux only (/proc).
import { readFileSync } from 'node:fs';
import { PHONE, launchBrowser } from './harness.mjs';

/** Bytes of `field` (VmHWM, VmRSS, RssAnon…) in /proc/`pid`/status. */
export function procStatus(pid, field) {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Runs `steps(page)` on `url` in a fresh browser at a phone's size, as a first visit (nothing
 * stored). Returns the tab's peak memory — all of it (`tabPeakBytes`: VmHWM, which counts the
 * browser's own code, shared with every tab) and its private part (`privatePeakBytes`: anonymous
 * and shared-memory pages, sampled every 50 ms: the page's heaps, the worker's and its wasm
 * memory) — the tab's private memory at rest before the steps (`restBytes`), and the worker's
 * wasm memory afterwards (it never shrinks: its peak).
 */
export async function measureTab(url, steps, { init = null } = {}) {
  const browser = await launchBrowser();
  let sampler = null;
  try {
    const context = await browser.newContext(PHONE);
    if (init) await context.addInitScript(init);
    const page = await context.newPage();
    await page.goto(url);
    // At rest: the page ready and its files stored for offline use, then a second to settle.
    await page.evaluate(() => window.bertVsGpt.ready.then(() => window.bertVsGpt.offlineReady));
    await page.waitForTimeout(1000);
    const cdp = await browser.newBrowserCDPSession();
    const renderers = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    const pids = await renderers();
    const privateNow = () => Math.max(...pids.map((pid) => {
      try {
        return procStatus(pid, 'RssAnon') + procStatus(pid, 'RssShmem');
      } catch {
        return 0; // a spare renderer that has gone
      }
    }));
    const restBytes = privateNow();
    let privatePeak = restBytes;
    const sample = () => (privatePeak = Math.max(privatePeak, privateNow()));
    sampler = setInterval(sample, 50);
    const started = performance.now();
    const returned = await steps(page);
    sample();
    const stats = await page.evaluate(() => window.bertVsGpt.stats());
    // The page's renderer is the largest (a spare one may be waiting beside it).
    const tabPeakBytes = Math.max(...(await renderers()).map((pid) => procStatus(pid, 'VmHWM')));
    return { tabPeakBytes, privatePeakBytes: privatePeak, restBytes, wasmMemoryBytes: stats.wasmMemoryBytes, threads: stats.threads, build: stats.build, seconds: (performance.now() - started) / 1000, returned };
  } finally {
    clearInterval(sampler);
    await browser.close();
  }
}
