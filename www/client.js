// The page's side of the model worker: each request gets an id, a promise and, while it
// runs, progress callbacks. Nothing here computes; it only carries requests and answers.
// When the wasm module panics the worker reports it and stops; the client then starts a
// fresh worker (given the last settings the old one had) and fires 'restart' with {detail: message}.
// When a stored weight file fails its check after its model answered, the worker drops the
// model and the client fires 'unloaded' with {detail: {model, message}}.

/** An error the worker reported; `file` names the model file when one is at fault. */
class ModelError extends Error {
  constructor({ name, message, file }) {
    super(message);
    this.name = name === 'Error' ? 'ModelError' : name;
    this.file = file;
  }
}

/** Verbs that set how the worker works (where weights are, MiniLM's precision), not ask it. */
const SETTINGS = ['configure', 'precision'];

export class WorkerClient extends EventTarget {
  #workerUrl;
  #worker;
  #pending = new Map();
  #nextId = 1;
  /** Set once the worker could not start: later calls fail at once instead of waiting forever. */
  #failure = null;
  /** The last arguments of each settings verb, given again to a restarted worker. */
  #settings = new Map();

  constructor(workerUrl) {
    super();
    this.#workerUrl = workerUrl;
    this.#startWorker();
  }

  #startWorker() {
    this.#worker = new Worker(this.#workerUrl, { type: 'module' });
    this.#worker.onmessage = ({ data }) => this.#receive(data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#failAll(`The model worker could not start or crashed (${event.message || 'no details'}). ` +
        'If pkg/ is missing, run `make build`.');
    };
  }

  /**
   * Sends `verb` with `args`. Returns the request in flight: `{id, result, cancel(),
   * resume(tokens)}`; `onProgress` receives the worker's progress reports. `transfer` lists
   * ArrayBuffers in `args` to move to the worker instead of copying (a model file).
   */
  start(verb, args = {}, { onProgress, transfer = [] } = {}) {
    const id = this.#nextId++;
    if (SETTINGS.includes(verb)) this.#settings.set(verb, args);
    const result = this.#failure
      ? Promise.reject(new ModelError({ name: 'WorkerError', message: this.#failure }))
      : new Promise((resolve, reject) => {
          this.#pending.set(id, { resolve, reject, onProgress });
          this.#worker.postMessage({ id, verb, args }, transfer);
        });
    return {
      id,
      result,
      cancel: () => this.#control('cancel', { target: id }),
      resume: (tokens) => this.#control('resume', { target: id, tokens }),
    };
  }

  /** `start(...)`'s result; aborting `signal` cancels the request. */
  call(verb, args = {}, { onProgress, signal, transfer } = {}) {
    const request = this.start(verb, args, { onProgress, transfer });
    if (signal) {
      if (signal.aborted) request.cancel();
      else signal.addEventListener('abort', () => request.cancel(), { once: true });
    }
    return request.result;
  }

  #control(verb, args) {
    if (!this.#failure) this.#worker.postMessage({ id: this.#nextId++, verb, args });
  }

  #receive({ id, kind, value, progress, error, model, message }) {
    if (kind === 'crashed') return this.#restart(error.message);
    if (kind === 'unloaded') return this.dispatchEvent(new CustomEvent('unloaded', { detail: { model, message } }));
    const request = this.#pending.get(id);
    if (!request) return; // answer to a request nobody waits for any more
    if (kind === 'progress') {
      request.onProgress?.(progress);
      return;
    }
    this.#pending.delete(id);
    if (kind === 'result') request.resolve(value);
    else request.reject(new ModelError(error));
  }

  /** The worker stopped after a panic: every request in flight fails, a fresh worker starts. */
  #restart(why) {
    this.#worker.terminate();
    const message = `The model crashed (${why}); it was restarted, and models load again on next use.`;
    for (const { reject } of this.#pending.values()) reject(new ModelError({ name: 'ModelCrash', message }));
    this.#pending.clear();
    this.#startWorker();
    for (const [verb, args] of this.#settings) this.call(verb, args).catch(() => {});
    this.dispatchEvent(new CustomEvent('restart', { detail: message }));
  }

  #failAll(message) {
    this.#failure = message;
    for (const { reject } of this.#pending.values()) reject(new ModelError({ name: 'WorkerError', message }));
    this.#pending.clear();
  }
}
