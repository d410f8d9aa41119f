// Starts the model worker as early as the page can. This module's own imports are small, so the
// browser runs it (index.html loads it before main.js) while the page's larger module graph —
// the panels, ECharts — is still loading: the worker fetches and instantiates its wasm (and its
// helper threads) meanwhile, instead of after. main.js takes the client from here.
import { WorkerClient } from './client.js';
import { defaultThreads } from './threads.js';

// ?threads=N (1 = the plain single-threaded build); by default as many as the machine has.
const workerUrl = new URL('./worker.js', import.meta.url);
workerUrl.searchParams.set('threads', String(Number(new URLSearchParams(location.search).get('threads')) || defaultThreads()));

export const client = new WorkerClient(workerUrl);
