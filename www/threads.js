// Which wasm build the model worker runs, and its helper threads. The threaded build (pkg/threads,
// wasm threads over shared memory) needs a cross-origin isolated page (served with COOP/COEP,
// as `make serve` does); elsewhere, or when one thread is asked for, the plain build runs alone.
// Helpers are Web Workers that instantiate the same module on the same memory and then serve the
// big matrix products (src/parallel.rs) until the worker ends.

const PLAIN = '../pkg/bert_vs_gpt.js';
const THREADED = '../pkg/threads/bert_vs_gpt.js';
const HELPER_START_MS = 20000;

/** Threads to use by default: the machine's cores, at most 4 (products this small gain little more). */
export function defaultThreads() {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

/**
 * Loads the wasm module for `threads` wanted threads. Resolves to { wasm, reason }: the
 * module's exports (its `threads()` tells how many it runs on) and why that is fewer than
 * wanted ('not-isolated' | 'helpers-failed' | null).
 */
export async function loadWasm(threads) {
  const threaded = threads > 1 && self.crossOriginIsolated;
  const wasm = await import(threaded ? THREADED : PLAIN);
  await wasm.default();
  if (!threaded) return { wasm, reason: threads > 1 ? 'not-isolated' : null };
  try {
    await startHelpers(wasm, threads - 1);
    return { wasm, reason: null };
  } catch (error) {
    console.warn('wasm helper threads did not start:', error);
    return { wasm, reason: 'helpers-failed' };
  }
}

/** Workers kept referenced: a browser may otherwise collect one that shares memory. */
const helpers = [];

/** Starts `count` helpers; products use them only once every one is serving. */
async function startHelpers(wasm, count) {
  const [module, memory] = wasm.helperSeed();
  const started = Array.from({ length: count }, () => {
    const helper = new Worker(new URL('./thread-helper.js', import.meta.url), { type: 'module' });
    helpers.push(helper);
    return new Promise((resolve, reject) => {
      helper.onmessage = ({ data }) => (data?.type === 'serving' ? resolve() : reject(new Error(data?.message)));
      helper.onerror = (event) => reject(new Error(event.message || 'a helper failed to load'));
      helper.postMessage({ url: new URL(THREADED, import.meta.url).href, module, memory });
    });
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`helpers not ready after ${HELPER_START_MS} ms`)), HELPER_START_MS);
  });
  try {
    await Promise.race([Promise.all(started), timeout]);
  } catch (error) {
    // Never opened, so the products never wait for them; a late one would only sleep.
    helpers.splice(0).forEach((helper) => helper.terminate());
    throw error;
  } finally {
    clearTimeout(timer);
  }
  wasm.openHelpers(count);
}
