// Which wasm build the model worker runs, and its helper threads. A cross-origin isolated page
// (served with COOP/COEP, as `make serve` does) runs a threaded build (wasm threads over shared
// memory): pkg/relaxed where the browser has relaxed SIMD (its fused multiply-add speeds up the
// f32 products), else pkg/threads. Elsewhere the plain build (pkg/) runs alone. Helpers are Web
// Workers that instantiate the same module on the same memory and then serve the big matrix
// products (src/kernels/parallel.rs) until the worker ends.

const BUILDS = {
  plain: '../../pkg/bert_vs_gpt.js',
  threads: '../../pkg/threads/bert_vs_gpt.js',
  relaxed: '../../pkg/relaxed/bert_vs_gpt.js',
};
/** `(func (param v128 v128 v128) (result v128) … f32x4.relaxed_madd)`: valid only where the
 * browser has relaxed SIMD. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11,
  0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
]);
const HELPER_START_MS = 20000;

/** How the f32 encoder (MiniLM) may keep its matrices, in every build: as published, or as
 * 16-bit integers multiplied in integers (src/kernels/int16_linear.rs; ?precision=int16). */
export const PRECISIONS = ['f32', 'int16'];

/** Threads to use by default: the machine's cores, at most 4 (products this small gain little more). */
function defaultThreads() {
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

/** The most threads a link may ask for: the machine's cores, at most 8 (each is a Worker). */
export function maxThreads() {
  return Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1));
}

/** Builds a link may ask for with ?build= (see chooseBuild). */
export const BUILD_CHOICES = ['threads', 'relaxed'];

/**
 * The threads for `?threads=` given as `raw` (null when absent): a whole number from 1 on,
 * at most maxThreads() (more is clamped), anything else ignored for the default. Returns
 * { threads, clamped, ignored }.
 */
export function threadsFromParam(raw) {
  const asked = raw === null || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(asked) || asked < 1) {
    return { threads: defaultThreads(), clamped: false, ignored: raw !== null };
  }
  const threads = Math.min(asked, maxThreads());
  return { threads, clamped: threads !== asked, ignored: false };
}

/**
 * The build a page runs: plain without cross-origin isolation; else `wanted` ('threads' |
 * 'relaxed') where the browser can run it, or the fastest it can.
 */
function chooseBuild(wanted) {
  if (!self.crossOriginIsolated) return 'plain';
  const relaxed = WebAssembly.validate(RELAXED_SIMD_PROBE);
  if (wanted === 'threads' || (wanted === 'relaxed' && relaxed)) return wanted;
  return relaxed ? 'relaxed' : 'threads';
}

/**
 * Loads the wasm module for `threads` wanted threads (and the `wanted` build, see chooseBuild).
 * Resolves to { wasm, build, reason }: the module's exports (its `threads()` tells how many it
 * runs on), which build ('plain' | 'threads' | 'relaxed') and why it runs on fewer threads than
 * wanted ('insecure' | 'not-isolated' | 'helpers-failed' | null): cross-origin isolation needs a
 * secure context, so an http page on another machine gets one thread whatever its headers.
 */
export async function loadWasm(threads, wanted = null) {
  const build = chooseBuild(wanted);
  const wasm = await import(BUILDS[build]);
  await wasm.default();
  if (build === 'plain') return { wasm, build, reason: threads > 1 ? (self.isSecureContext ? 'not-isolated' : 'insecure') : null };
  if (threads === 1) return { wasm, build, reason: null };
  try {
    await startHelpers(wasm, BUILDS[build], threads - 1);
    return { wasm, build, reason: null };
  } catch (error) {
    console.warn('wasm helper threads did not start:', error);
    return { wasm, build, reason: 'helpers-failed' };
  }
}

/** Workers kept referenced: a browser may otherwise collect one that shares memory. */
const helpers = [];

/** Starts `count` helpers on the module `url`; products use them only once every one is serving. */
async function startHelpers(wasm, url, count) {
  const [module, memory] = wasm.helperSeed();
  const started = Array.from({ length: count }, () => {
    const helper = new Worker(new URL('./thread-helper.js', import.meta.url), { type: 'module' });
    helpers.push(helper);
    return new Promise((resolve, reject) => {
      helper.onmessage = ({ data }) => (data?.type === 'serving' ? resolve() : reject(new Error(data?.message)));
      helper.onerror = (event) => reject(new Error(event.message || 'a helper failed to load'));
      helper.postMessage({ url: new URL(url, import.meta.url).href, module, memory });
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
