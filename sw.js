// The service worker: after one visit the page opens and every lesson works with the network
// off (a classroom without internet). App files (pkg/app-files.json, written by `make build`)
// are kept as one set per build, filled completely before it replaces the previous set, and
// are served network-first: online the page always gets the current files, offline the last
// complete build. Weights are not stored here: the model worker keeps them in the Cache API.
// It also makes the page cross-origin isolated where its host cannot send COOP/COEP (GitHub
// Pages and most static hosts): it adds those headers to the site's own responses, as
// coi-serviceworker does (https://github.com/gzuidhof/coi-serviceworker), and the page reloads
// once after this worker first takes control (www/main.js), so the threaded build can run.
const APP_CACHE = 'bert-vs-gpt-app-';
const COMPLETE = '__complete__';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** Stores the current build's files, if not yet stored, then drops older builds. */
async function storeCurrentBuild() {
  const list = await (await fetch('pkg/app-files.json', { cache: 'no-store' })).json();
  const name = APP_CACHE + list.version;
  const cache = await caches.open(name);
  if (!(await cache.match(COMPLETE))) {
    await cache.addAll(list.files.map((file) => new Request(file, { cache: 'no-store' })));
    await cache.put(COMPLETE, new Response(list.version));
  }
  for (const key of await caches.keys()) {
    if (key.startsWith(APP_CACHE) && key !== name) await caches.delete(key);
  }
  return list.version;
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'store') return;
  event.waitUntil(
    storeCurrentBuild().then(
      (version) => event.source?.postMessage({ type: 'stored', version }),
      (error) => event.source?.postMessage({ type: 'store-failed', message: error.message }),
    ),
  );
});

/** Model files are the model worker's business (Cache API, keyed by sha256). */
function isWeightFile(url) {
  return url.pathname.includes('/models/') && !url.pathname.endsWith('/manifest.json');
}

/** The isolation headers a static host may not send; set on every response of this site. */
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** `response` with ISOLATION's headers added (a redirect or an error passes as it is). */
function isolated(response) {
  if (response.status === 0 || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || isWeightFile(url)) return;
  event.respondWith(
    // Only the app caches hold these URLs (the weights cache keys its entries by sha256).
    fetch(event.request)
      .catch(async (error) => (await caches.match(event.request, { ignoreSearch: true })) ?? Promise.reject(error))
      .then(isolated),
  );
});
