// The model worker: owns the wasm module and the loaded models, so that downloads, model
// loading and inference never freeze the page. One handler per verb; every message carries
// the request id it answers.
import init, { Encoder, nearestNeighbours, pca, similarityMatrix } from '../pkg/bert_vs_gpt.js';
import { WeightStore } from './weights.js';

const wasmReady = init();
let store = null;
/** model id → Promise<Encoder>, shared by concurrent requests; dropped again on failure. */
const encoders = new Map();

const DEFAULT_ENCODER = 'all-MiniLM-L6-v2';

function requireStore() {
  if (!store) throw new Error('The worker has not been configured yet.');
  return store;
}

function encoder(modelId, report) {
  if (!encoders.has(modelId)) {
    const loading = (async () => {
      const files = await requireStore().load(modelId, report);
      report({ phase: 'compile' });
      return new Encoder(files['model.safetensors'], files['config.json'], files['tokenizer.json'], files['sentence_bert_config.json']);
    })();
    encoders.set(modelId, loading);
    loading.catch(() => encoders.delete(modelId));
  }
  return encoders.get(modelId);
}

/** The buffers of the typed arrays in a result: moved to the page, not copied. */
function typedArrayBuffers(value) {
  if (ArrayBuffer.isView(value)) return [value.buffer];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).filter((v) => ArrayBuffer.isView(v)).map((v) => v.buffer);
}

const verbs = {
  async configure({ manifestUrl, weightsBase }) {
    store = await WeightStore.open(manifestUrl, weightsBase);
    return { models: Object.keys(store.manifest.models) };
  },

  plan({ model = DEFAULT_ENCODER }) {
    return requireStore().plan(model);
  },

  async load({ model = DEFAULT_ENCODER }, report) {
    const loaded = await encoder(model, report);
    return { model, dim: loaded.dim, maxTokens: loaded.maxTokens };
  },

  async embed({ texts, model = DEFAULT_ENCODER }, report) {
    const loaded = await encoder(model, report);
    return { ...loaded.embed(texts), maxTokens: loaded.maxTokens };
  },

  pca({ vectors, dim }) {
    return pca(vectors, dim);
  },

  similarity({ vectors, dim }) {
    return similarityMatrix(vectors, dim);
  },

  neighbours({ vectors, dim, index, k }) {
    return nearestNeighbours(vectors, dim, index, k);
  },
};

self.onmessage = async ({ data: { id, verb, args = {} } }) => {
  const report = (progress) => self.postMessage({ id, kind: 'progress', progress });
  try {
    await wasmReady;
    const handler = verbs[verb];
    if (!handler) throw new Error(`unknown request "${verb}"`);
    const value = await handler(args, report);
    self.postMessage({ id, kind: 'result', value }, typedArrayBuffers(value));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    self.postMessage({ id, kind: 'error', error: { name: error?.name ?? 'Error', message, file: error?.file } });
  }
};
