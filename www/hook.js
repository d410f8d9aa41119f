// window.bertVsGpt: the page's scripting hook, public API for teachers at the console and for
// tests. Every verb is documented in README.md; keep names and shapes stable.
import { ENCODER } from './panels/encoder.js';

function checkTexts(texts) {
  if (!Array.isArray(texts) || texts.some((text) => typeof text !== 'string')) {
    throw new TypeError('bertVsGpt.embed(texts): texts must be an array of strings');
  }
}

export function installHook({ ready, models }) {
  const hook = {
    /** Resolves when the worker and its wasm module are initialised. */
    ready,

    /**
     * Embeds `texts` (loading the encoder on first use):
     * {dim, vectors: Float32Array (n × dim, row-major), tokenCounts: number[], truncated: boolean[]}.
     */
    async embed(texts, { model = ENCODER } = {}) {
      checkTexts(texts);
      await ready;
      const out = await models.embed(texts, model);
      return {
        dim: out.dim,
        vectors: out.vectors,
        tokenCounts: Array.from(out.tokenCounts),
        truncated: Array.from(out.truncated, Boolean),
      };
    },
  };
  window.bertVsGpt = Object.freeze(hook);
}
