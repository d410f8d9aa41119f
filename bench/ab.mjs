// Two builds of the page against each other on this host, alternated in one browser so that the
// host's swings hit both alike: the machine check (the one-token products over 1 MB, in cache,
// and 100 MB), greedy decode of each decoder and MiniLM's embedding of the benchmark's 64 sentences
// one at a time (as `make bench`'s batch1), at each thread count; each decoder's prefill of a
// ~130-token prompt too. For a change to a kernel:
// build the old checkout and the new one, then
//
//   node bench/ab.mjs OLD_ROOT NEW_ROOT [--rounds 4] [--threads 1,2] [--models SmolLM2-135M-Instruct,gemma-3-270m,all-MiniLM-L6-v2]
//
// Each root is a checkout with its pkg/ built and models/ fetched (a symlink will do). Prints
// every round's figure and the medians; A is the first root.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { startServer } from '../scripts/serve.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const roots = { A: process.argv[2], B: process.argv[3] };
if (!roots.A || !roots.B) throw new Error('usage: node bench/ab.mjs OLD_ROOT NEW_ROOT [--rounds N] [--threads 1,2] [--models a,b]');
const ROUNDS = Number(argument('rounds', 4));
const THREADS = argument('threads', '1,2').split(',').map(Number);
const MODELS = argument('models', 'SmolLM2-135M-Instruct,gemma-3-270m,all-MiniLM-L6-v2').split(',');
const ENCODERS = ['all-MiniLM-L6-v2', 'multilingual-e5-small'];
const PROMPT = 'The history of the city begins';
const SENTENCES = JSON.parse(readFileSync(new URL('workloads.json', import.meta.url))).embed.sentences;
/** About 130 tokens of the benchmark's sentences, for prefill. */
const LONG_PROMPT = SENTENCES.slice(0, 8).join(' ');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const servers = [];
/** A loaded page per build and thread count, its decoders warmed up. */
const pages = {};
for (const [side, root] of Object.entries(roots)) {
  const server = await startServer({ root, port: 0 });
  servers.push(server);
  for (const threads of THREADS) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}?threads=${threads}`);
    await page.evaluate(() => window.bertVsGpt.ready);
    for (const model of MODELS) {
      await page.evaluate(({ model, encoder, sentences }) => (encoder
        ? Promise.all(sentences.map((sentence) => window.bertVsGpt.embed([sentence], { model })))
        : window.bertVsGpt.generate('warm up', { model, chat: false, maxNewTokens: 16 })), { model, encoder: ENCODERS.includes(model), sentences: SENTENCES.slice(0, 8) });
    }
    pages[`${side} ${threads}`] = page;
  }
}

const figures = {};
const add = (key, value) => (figures[key] ??= []).push(value);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? ['B', 'A'] : ['A', 'B']) {
      const page = pages[`${side} ${THREADS[0]}`];
      await page.bringToFront(); // a page in the background gets its messages late
      for (const megabytes of [1, 100]) {
        const check = await page.evaluate((megabytes) => window.bertVsGpt.machineCheck({ megabytes, passes: megabytes < 10 ? 20 : 4 }), megabytes);
        add(`read GB/s, ${megabytes} MB ${side}`, check.read.gbPerSecond);
        for (const kind of ['q4', 'q8']) add(`${kind} G multiply-adds/s, ${megabytes} MB ${side}`, check[kind].productsPerSecond / 1e9);
      }
      for (const threads of THREADS) {
        await pages[`${side} ${threads}`].bringToFront();
        for (const model of MODELS) {
          if (ENCODERS.includes(model)) {
            const ms = await pages[`${side} ${threads}`].evaluate(async ({ model, sentences }) => {
              const start = performance.now();
              for (const sentence of sentences) await window.bertVsGpt.embed([sentence], { model });
              return (performance.now() - start) / sentences.length;
            }, { model, sentences: SENTENCES });
            add(`${model} ms/sentence, ${threads} thread(s) ${side}`, ms);
            continue;
          }
          const run = await pages[`${side} ${threads}`].evaluate(({ model, prompt }) => window.bertVsGpt.generate(prompt, { model, chat: false, temperature: 0, maxNewTokens: 64, ignoreEos: true }), { model, prompt: PROMPT });
          add(`${model} decode tok/s, ${threads} thread(s) ${side}`, run.tokensPerSecond);
          // Prefill: a prompt of the benchmark's sentences, read before the first token.
          const read = await pages[`${side} ${threads}`].evaluate(({ model, prompt }) => window.bertVsGpt.generate(prompt, { model, chat: false, temperature: 0, maxNewTokens: 1 }), { model, prompt: LONG_PROMPT });
          add(`${model} prefill tok/s, ${threads} thread(s) ${side}`, (read.promptTokens / read.prefillMs) * 1000);
        }
      }
    }
  }
} finally {
  await browser.close();
  for (const server of servers) await server.close();
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
console.log(`A = ${roots.A}, B = ${roots.B}; ${ROUNDS} rounds, alternated`);
for (const key of Object.keys(figures).sort()) {
  console.log(`${key.padEnd(56)} ${figures[key].map((v) => v.toFixed(2)).join(' ')}   median ${median(figures[key]).toFixed(2)}`);
}
