// What the page knows about each model: what loading it would download, its progress while
// loading, and whether it is ready. Panels and the scripting hook go through here, so a load
// started by either shows its progress in the same place. Fires 'change' with {detail: id}.

export class Models extends EventTarget {
  #client;
  #states = new Map();

  constructor(client) {
    super();
    this.#client = client;
  }

  /** The worker connection, for verbs that do not involve loading a model. */
  get client() {
    return this.#client;
  }

  /** {phase: 'idle'|'loading'|'loaded'|'failed', plan, files, compiling, info, error, notices} */
  state(id) {
    if (!this.#states.has(id)) {
      this.#states.set(id, { phase: 'idle', plan: null, files: {}, compiling: false, info: null, error: null, notices: [] });
    }
    return this.#states.get(id);
  }

  #update(id, changes) {
    Object.assign(this.state(id), changes);
    this.dispatchEvent(new CustomEvent('change', { detail: id }));
  }

  /** Points downloads at `weightsBase` ('' = models/ on this site) and re-plans known models. */
  async configure(manifestUrl, weightsBase) {
    await this.#client.call('configure', { manifestUrl, weightsBase });
    await Promise.all([...this.#states.keys()].map((id) => this.refreshPlan(id)));
  }

  async refreshPlan(id) {
    try {
      this.#update(id, { plan: await this.#client.call('plan', { model: id }) });
    } catch (error) {
      this.#update(id, { error: error.message });
    }
  }

  /** Loads `id` once; concurrent and later calls share the same load. */
  async load(id) {
    const state = this.state(id);
    if (state.phase === 'loaded') return state.info;
    if (state.phase !== 'loading') {
      this.#update(id, { phase: 'loading', files: {}, compiling: false, error: null, notices: [] });
      state.loading = this.#client
        .call('load', { model: id }, { onProgress: (p) => this.#progress(id, p) })
        .then(
          (info) => {
            this.#update(id, { phase: 'loaded', info, compiling: false });
            return info;
          },
          (error) => {
            this.#update(id, { phase: 'failed', error: error.message, compiling: false });
            this.refreshPlan(id);
            throw error;
          },
        );
    }
    return state.loading;
  }

  #progress(id, report) {
    const state = this.state(id);
    if (report.notice) this.#update(id, { notices: [...state.notices, report.notice] });
    else if (report.phase === 'compile') this.#update(id, { compiling: true });
    else this.#update(id, { files: { ...state.files, [report.file]: report } });
  }

  /** The worker's embedding of `texts` with encoder `model`, loading it first if needed. */
  async embed(texts, model) {
    await this.load(model);
    return this.#client.call('embed', { texts, model });
  }
}
