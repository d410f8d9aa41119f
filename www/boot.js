// Starts the model worker as early as the page can. This module's own imports are small, so the
// browser runs it (index.html loads it before main.js) while the page's larger module graph —
// the panels, ECharts — is still loading: the worker fetches and instantiates its wasm (and its
// helper threads) meanwhile, instead of after. main.js takes the client from here.
import { WorkerClient } from './client.js';
import { BUILD_CHOICES, PRECISIONS, threadsFromParam } from './worker/threads.js';

// ?threads=N, by default as many as the machine has (at most 4), never more than it has;
// ?build=threads|relaxed picks a threaded build (see worker/threads.js). main.js tells the
// user about a value that was clamped or ignored (`threadsParam`).
const page = new URLSearchParams(location.search);
const workerUrl = new URL('./worker/worker.js', import.meta.url);
export const threadsParam = threadsFromParam(page.get('threads'));
workerUrl.searchParams.set('threads', String(threadsParam.threads));
if (BUILD_CHOICES.includes(page.get('build'))) workerUrl.searchParams.set('build', page.get('build'));
// ?precision=int16: MiniLM's matrices as 16-bit integers (faster; see docs/performance.md).
if (PRECISIONS.includes(page.get('precision'))) workerUrl.searchParams.set('precision', page.get('precision'));

export const client = new WorkerClient(workerUrl);
