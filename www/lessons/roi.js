// Lesson: return on investment. One labelled task (www/data/topics.json) solved twice:
// (a) embeddings and the nearest label centroid — "a calculator"; (b) asking GPT for each
// text — accuracy, milliseconds and estimated FLOPs side by side.
import { loadData } from '../data/index.js';
import { DECODER } from '../models.js';

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

/**
 * `{labels, embedding: {correct, total, ms, flops}, gpt: {correct, total, ms, flops, answers}}`;
 * `onProgress({done, total})` follows the GPT half, `signal` stops it.
 */
export async function runRoi(models, { lang = 'en', onProgress, signal, encoder = models.encoder } = {}) {
  const task = (await loadData('topics.json'))[lang];
  if (!task) throw new Error(`No ROI task for "${lang}"; use "en" or "zh".`);
  const train = task.texts.filter((t) => t.train);
  const test = task.texts.filter((t) => !t.train);

  let started = performance.now();
  const embedded = await models.embed([...train, ...test].map((t) => t.text), encoder);
  const dim = embedded.dim;
  const predicted = await models.client.call('nearestCentroid', {
    train: embedded.vectors.slice(0, train.length * dim),
    labels: train.map((t) => t.label),
    test: embedded.vectors.slice(train.length * dim),
    dim,
  });
  const embedding = {
    model: encoder,
    correct: predicted.filter((label, i) => label === test[i].label).length,
    total: test.length,
    ms: performance.now() - started,
    flops: await models.withModel(encoder, 'flops', { tokenCounts: Array.from(embedded.tokenCounts) }),
  };

  started = performance.now();
  const answers = [];
  let flops = 0;
  for (const [i, item] of test.entries()) {
    onProgress?.({ done: i, total: test.length });
    const prompt = fill(task.prompt, { labels: task.labels.join(task.separator), text: item.text });
    const result = await models.generate(prompt, { chat: true, maxNewTokens: 4, temperature: 0 }, { signal }).result;
    if (result.finishReason === 'cancelled') throw new DOMException('The ROI run was stopped.', 'AbortError');
    const label = await models.client.call('labelInAnswer', { answer: result.text, labels: task.labels });
    answers.push({ text: item.text, answer: result.text, predicted: label, expected: item.label });
    flops += await models.withModel(DECODER, 'flops', { prompt: result.promptTokens, generated: result.tokenIds.length });
  }
  onProgress?.({ done: test.length, total: test.length });
  const gpt = {
    correct: answers.filter((a) => a.predicted === a.expected).length,
    total: test.length,
    ms: performance.now() - started,
    flops,
    answers,
  };
  return { labels: task.labels, embedding, gpt };
}
