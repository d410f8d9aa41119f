// window.bertVsGpt: the page's scripting hook, public API for teachers at the console and for
// tests. Every verb is documented in README.md; keep names and shapes stable.
import { DECODER, ENCODER } from './models.js';

function check(condition, message) {
  if (!condition) throw new TypeError(`bertVsGpt.${message}`);
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
      check(Array.isArray(texts) && texts.every((text) => typeof text === 'string'), 'embed(texts): texts must be an array of strings');
      await ready;
      const out = await models.embed(texts, model);
      return {
        dim: out.dim,
        vectors: out.vectors,
        tokenCounts: Array.from(out.tokenCounts),
        truncated: Array.from(out.truncated, Boolean),
      };
    },

    /**
     * Generates from `prompt`. Options: maxNewTokens, temperature (0 = greedy), topK, topP,
     * repeatPenalty, seed, chat (default true), stop (strings), onToken(step), signal
     * (an AbortSignal that stops it). Returns {text, tokenIds, steps, promptTokens,
     * msToFirstToken, tokensPerSecond, finishReason}.
     */
    async generate(prompt, { onToken, signal, model = DECODER, ...options } = {}) {
      check(typeof prompt === 'string', 'generate(prompt): prompt must be a string');
      await ready;
      const run = models.generate(prompt, options, {
        model,
        signal,
        onEvent: (event) => event.kind === 'token' && onToken?.(event.step),
      });
      const { text, tokenIds, steps, promptTokens, msToFirstToken, tokensPerSecond, finishReason } = await run.result;
      return { text, tokenIds, steps, promptTokens, msToFirstToken, tokensPerSecond, finishReason };
    },

    /**
     * Teacher forcing in one pass: for each position i ≥ 1 of `tokenIds`,
     * {id, logprob, top: [{id, logprob}] (10)}, the model's log-probabilities after tokens 0…i−1.
     */
    async score(tokenIds, { model = DECODER, signal } = {}) {
      check(Array.isArray(tokenIds) && tokenIds.every(Number.isInteger), 'score(tokenIds): tokenIds must be an array of integers');
      await ready;
      const scored = await models.score(tokenIds, { model, signal });
      const per = scored.ids.length ? scored.topIds.length / scored.ids.length : 0;
      return Array.from(scored.ids, (id, i) => ({
        id,
        logprob: scored.logprobs[i],
        top: Array.from({ length: per }, (_, k) => ({ id: scored.topIds[i * per + k], logprob: scored.topLogprobs[i * per + k] })),
      }));
    },

    /** The decoder's tokens for raw `text` (markers such as <|im_start|> are special): {ids, tokens}. */
    async tokenize(text, { model = DECODER } = {}) {
      check(typeof text === 'string', 'tokenize(text): text must be a string');
      await ready;
      return models.tokenize(text, model);
    },
  };
  window.bertVsGpt = Object.freeze(hook);
}
