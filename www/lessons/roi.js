// Lesson: return on investment. One labelled task (www/data/topics.json) solved twice:
// (a) embeddings and the nearest label centroid — "a calculator"; (b) asking GPT for each
// text — accuracy, milliseconds and estimated FLOPs side by side. An instruct model is asked in
// its chat template; a base model (no template: Gemma 3 270M) is given the same labelled training
// texts as examples and completes the label — the two halves see the same data.
import { loadData } from '../data/index.js';

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

/**
 * `{labels, embedding: {model, correct, total, ms, flops}, gpt: {model, mode, correct, total, ms,
 * flops, answers}}`, `mode` 'chat' or 'few-shot'; `onProgress({done, total})` follows the GPT
 * half, `signal` stops it.
 */
export async function runRoi(models, { lang = 'en', onProgress, signal, encoder = models.encoder, decoder = models.decoder } = {}) {
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

  const fewShot = (await models.load(decoder)).chat === false;
  const examples = train.map((t) => fill(task.fewShot.example, { text: t.text, label: task.labels[t.label] })).join('');
  const header = fill(task.fewShot.header, { labels: task.labels.join(task.separator) });
  const ask = (text) =>
    fewShot
      ? [header + examples + fill(task.fewShot.query, { text }), { chat: false, maxNewTokens: 6, temperature: 0, stop: ['\n'] }]
      : [fill(task.prompt, { labels: task.labels.join(task.separator), text }), { chat: true, maxNewTokens: 4, temperature: 0 }];
  started = performance.now();
  const answers = [];
  let flops = 0;
  for (const [i, item] of test.entries()) {
    onProgress?.({ done: i, total: test.length });
    const [prompt, options] = ask(item.text);
    const result = await models.generate(prompt, options, { model: decoder, signal }).result;
    if (result.finishReason === 'cancelled') throw new DOMException('The ROI run was stopped.', 'AbortError');
    const label = await models.client.call('labelInAnswer', { answer: result.text, labels: task.labels });
    answers.push({ text: item.text, answer: result.text, predicted: label, expected: item.label });
    flops += await models.withModel(decoder, 'flops', { prompt: result.promptTokens, generated: result.tokenIds.length });
  }
  onProgress?.({ done: test.length, total: test.length });
  const gpt = {
    model: decoder,
    mode: fewShot ? 'few-shot' : 'chat',
    correct: answers.filter((a) => a.predicted === a.expected).length,
    total: test.length,
    ms: performance.now() - started,
    flops,
    answers,
  };
  return { labels: task.labels, embedding, gpt };
}
