// Lesson: return on investment. One labelled task (www/data/topics.json) solved twice:
// (a) embeddings and the nearest label centroid — "a calculator"; (b) asking GPT for each
// text — accuracy, milliseconds, tokens and estimated FLOPs side by side. GPT is asked in a
// format it can follow: by default the nine labelled training texts as examples before each
// text (few-shot: every decoder, base or instruct, continues the pattern — the two halves see
// the same data), or, for an instruct model, as a question in its chat template. Its answer
// gets room for a sentence, and the topic is read from it by name or by a word of the topic
// (`aliases`), so GPT is not cut off or misread: the comparison is about cost.
import { loadData } from '../data/index.js';

/** How GPT may be asked. */
export const ROI_STYLES = ['few-shot', 'chat'];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

/**
 * `{labels, embedding: {model, correct, total, ms, flops, tokens}, gpt: {model, mode, correct,
 * total, ms, flops, promptTokens, generatedTokens, answers}}`; `mode` is the style GPT was asked
 * in ('few-shot' or 'chat'). `onProgress({done, total})` follows the GPT half, `signal` stops it.
 */
export async function runRoi(models, { lang = 'en', style = 'few-shot', onProgress, signal, encoder = models.encoder, decoder = models.decoder } = {}) {
  if (!ROI_STYLES.includes(style)) throw new Error(`No ROI style "${style}"; use ${ROI_STYLES.map((s) => `"${s}"`).join(' or ')}.`);
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
  const tokenCounts = Array.from(embedded.tokenCounts);
  const embedding = {
    model: encoder,
    correct: predicted.filter((label, i) => label === test[i].label).length,
    total: test.length,
    ms: performance.now() - started,
    flops: await models.withModel(encoder, 'flops', { tokenCounts }),
    tokens: tokenCounts.reduce((sum, n) => sum + n, 0),
  };

  if (style === 'chat' && (await models.load(decoder)).chat === false) {
    throw new Error(`${decoder} has no chat template: ask it few-shot.`);
  }
  const labels = task.labels.join(task.separator);
  const examples = train.map((t) => fill(task.fewShot.example, { text: t.text, label: task.labels[t.label] })).join('');
  const ask = (text) =>
    style === 'few-shot'
      ? [fill(task.fewShot.header, { labels }) + examples + fill(task.fewShot.query, { text }), { chat: false, maxNewTokens: 8, temperature: 0, stop: ['\n'] }]
      : [fill(task.prompt, { labels, text }), { chat: true, maxNewTokens: 32, temperature: 0 }];
  // Each topic's names: the label itself, then words that name it too ("sports", "cooking").
  const names = task.labels.flatMap((label, i) => [label, ...(task.aliases?.[i] ?? [])]);
  const labelOf = task.labels.flatMap((label, i) => [i, ...(task.aliases?.[i] ?? []).map(() => i)]);
  started = performance.now();
  const answers = [];
  let flops = 0;
  let promptTokens = 0;
  let generatedTokens = 0;
  for (const [i, item] of test.entries()) {
    onProgress?.({ done: i, total: test.length });
    const [prompt, options] = ask(item.text);
    const result = await models.generate(prompt, options, { model: decoder, signal }).result;
    if (result.finishReason === 'cancelled') throw new DOMException('The ROI run was stopped.', 'AbortError');
    const named = await models.client.call('labelInAnswer', { answer: result.text, labels: names });
    answers.push({ text: item.text, answer: result.text, predicted: named === null ? null : labelOf[named], expected: item.label });
    promptTokens += result.promptTokens;
    generatedTokens += result.tokenIds.length;
    flops += await models.withModel(decoder, 'flops', { prompt: result.promptTokens, generated: result.tokenIds.length });
  }
  onProgress?.({ done: test.length, total: test.length });
  const gpt = {
    model: decoder,
    mode: style,
    correct: answers.filter((a) => a.predicted === a.expected).length,
    total: test.length,
    ms: performance.now() - started,
    flops,
    promptTokens,
    generatedTokens,
    answers,
  };
  return { labels: task.labels, embedding, gpt };
}
