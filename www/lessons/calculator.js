// Lesson: the calculator against GPT — the essay's ROI example ("use a calculator, not GPT, for
// arithmetic"). Sums and products are asked of the page's decoder in words (English or
// Chinese), each answer read for its number and checked; beside them, what one machine
// multiplication costs: one instruction, timed here over many. The exact answers are the
// calculator's (BigInt, so long numbers stay exact); the model's maths runs in the worker.

/** The operations a question may ask, with how each is written in a prompt. */
export const OPERATIONS = { '+': { en: 'plus', zh: '加' }, '×': { en: 'times', zh: '乘以' } };
const ALIASES = { '*': '×', x: '×' };

/** A small seeded generator (mulberry32), so a link repeats the same questions. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `count` questions of `digits`-digit whole numbers, the operations taken in turn. */
export function makeQuestions({ count = 4, digits = 3, operations = ['×', '+'], seed = 0 } = {}) {
  const random = seeded(seed);
  const number = () => String(10 ** (digits - 1) + Math.floor(random() * 9 * 10 ** (digits - 1)));
  return Array.from({ length: count }, (_, i) => ({ a: number(), op: operations[i % operations.length], b: number() }));
}

/** `{a, op, b}` with whole numbers as strings, the operation normalised, or an error. */
function normalise(question) {
  const op = ALIASES[question?.op] ?? question?.op;
  const [a, b] = [question?.a, question?.b].map((n) => String(n ?? '').trim());
  if (!OPERATIONS[op] || !/^\d{1,30}$/.test(a) || !/^\d{1,30}$/.test(b)) {
    throw new TypeError(`A question is {a, op, b}: whole numbers of up to 30 digits and op "+" or "×" (got ${JSON.stringify(question)}).`);
  }
  return { a, op, b };
}

/** The exact answer, as the calculator gives it. */
function exact({ a, op, b }) {
  return String(op === '+' ? BigInt(a) + BigInt(b) : BigInt(a) * BigInt(b));
}

/** The number `answer` gives: on its first line with text, the first number after the last
 * "=" (so "7 + 5 = 12." reads 12, not 7), else the first number; "1,081" and "1 081" read
 * 1081. Null when there is none. */
function numberIn(answer) {
  const line = answer.split('\n').find((l) => l.trim()) ?? '';
  const said = line.includes('=') ? line.slice(line.lastIndexOf('=') + 1) : line;
  const found = said.match(/\d{1,3}(?:[, ]\d{3})+(?!\d)|\d+/);
  return found ? found[0].replace(/[, ]/g, '').replace(/^0+(?=\d)/, '') : null;
}

/** Where the timed products go, so the engine cannot drop the loop as unused. */
let product = 1;

/** Nanoseconds per multiplication of two doubles in this tab, loop included (an upper bound):
 * the fastest of five runs of two million, so the engine's optimising tier has compiled it. */
function machineMultiplication() {
  const runs = 5;
  const count = 2e6;
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    let x = product;
    const started = performance.now();
    for (let i = 0; i < count; i++) x *= 1.0000001;
    best = Math.min(best, performance.now() - started);
    product = x;
  }
  return { flops: 1, ns: Math.max((best * 1e6) / count, 1e-3) };
}

/**
 * Asks `decoder` each of `questions` (`[{a, op, b}]`), in its chat template when it has one,
 * else as text to continue, in `lang`'s words: `{decoder, lang, results: [{question, prompt,
 * answer, value, expected, right, ms, flops, promptTokens, generatedTokens}], machine: {flops,
 * ns}}`. `value` is the number read from the answer (null: none — counted wrong).
 */
export async function askCalculator(models, questions, { decoder = models.decoder, lang = 'en', onProgress, signal } = {}) {
  const asked = questions.map(normalise);
  const { chat } = await models.load(decoder);
  const results = [];
  for (const [i, question] of asked.entries()) {
    if (signal?.aborted) throw new DOMException('The calculator was stopped.', 'AbortError');
    onProgress?.({ done: i, total: asked.length });
    const { a, op, b } = question;
    const words = OPERATIONS[op][lang];
    const prompt = chat
      ? lang === 'zh' ? `${a} ${words} ${b} 等于多少？只回答数字。` : `What is ${a} ${words} ${b}? Answer with the number only.`
      : `${a} ${op} ${b} = `;
    const started = performance.now();
    const result = await models.generate(prompt, { chat: chat !== false, maxNewTokens: 24, temperature: 0, stop: chat === false ? ['\n'] : [] }, { model: decoder, signal }).result;
    const ms = performance.now() - started;
    if (result.finishReason === 'cancelled') throw new DOMException('The calculator was stopped.', 'AbortError');
    const value = numberIn(result.text);
    const expected = exact(question);
    results.push({
      question: `${a} ${op} ${b}`, prompt, answer: result.text, value, expected, right: value === expected, ms,
      flops: await models.withModel(decoder, 'flops', { prompt: result.promptTokens, generated: result.tokenIds.length }),
      promptTokens: result.promptTokens, generatedTokens: result.tokenIds.length,
    });
  }
  onProgress?.({ done: asked.length, total: asked.length });
  return { decoder, lang, results, machine: machineMultiplication() };
}
