// `make bench` (and `node bench/memory.mjs`): how much memory each lesson takes in a tab — what
// decides whether a phone can run it. Each lesson runs alone in a fresh browser at a phone's size
// (390 × 844, touch), in English and in 中文, as a student's first visit would (weights
// downloaded, nothing stored); then every lesson in one tab, per language and with the language
// switched halfway (all four models). For each: the tab's peak memory, all of it and its private
// part, and the worker's wasm memory (e2e/tab-memory.mjs). Prints a table and writes
// bench/results/memory.{json,md}.
//
//   node bench/memory.mjs [--lessons encoder,decoder] [--langs en,zh]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../scripts/serve.mjs';
import { LESSON_RUNS, runLesson } from '../e2e/lesson-runs.mjs';
import { measureTab } from '../e2e/tab-memory.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const LESSONS = argument('lessons', Object.keys(LESSON_RUNS).filter((lesson) => LESSON_RUNS[lesson] || lesson === 'intro').join(',')).split(',');
const LANGS = argument('langs', 'en,zh').split(',');
/** The lessons with something to run: what "every lesson in one tab" runs. */
const RUNS = LESSONS.filter((lesson) => LESSON_RUNS[lesson]);
const MB = 1e6;

const server = await startServer({ root: ROOT, port: 0 });
const rows = [];
try {
  for (const lang of LANGS) {
    for (const lesson of LESSONS) {
      const result = await measureTab(`${server.url}?lang=${lang}`, (page) => runLesson(page, lesson));
      rows.push({ lang, lessons: [lesson], ...result });
      console.error(`${lesson} (${lang}): tab ${(result.tabPeakBytes / MB).toFixed(0)} MB (private ${(result.privatePeakBytes / MB).toFixed(0)}), wasm ${(result.wasmMemoryBytes / MB).toFixed(0)} MB, ${result.seconds.toFixed(0)} s`);
    }
    const result = await measureTab(`${server.url}?lang=${lang}`, async (page) => {
      for (const lesson of RUNS) await runLesson(page, lesson);
    });
    rows.push({ lang, lessons: RUNS, ...result });
    console.error(`every lesson (${lang}): tab ${(result.tabPeakBytes / MB).toFixed(0)} MB, wasm ${(result.wasmMemoryBytes / MB).toFixed(0)} MB`);
  }
  if (LANGS.length > 1) {
    const result = await measureTab(`${server.url}?lang=${LANGS[0]}`, async (page) => {
      for (const i of LANGS.keys()) {
        if (i > 0) await page.click('#language'); // the page's language switch: en ⇄ zh
        for (const lesson of RUNS) await runLesson(page, lesson);
      }
    });
    rows.push({ lang: LANGS.join('+'), lessons: RUNS, ...result });
    console.error(`every lesson in ${LANGS.join(' then ')}: tab ${(result.tabPeakBytes / MB).toFixed(0)} MB, wasm ${(result.wasmMemoryBytes / MB).toFixed(0)} MB`);
  }
} finally {
  await server.close();
}

const cpus = os.cpus();
const lines = [
  `Host: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores (${os.platform()} ${os.arch()}), Chromium headless at 390 × 844 with touch, ${rows[0]?.threads} thread(s), build ${rows[0]?.build}; each row a fresh browser, first visit.`,
  '',
  '| language | lessons | tab peak MB (VmHWM) | of it private MB (anonymous + shared memory) | wasm memory MB |',
  '|---|---|---:|---:|---:|',
  ...rows.map((row) => `| ${row.lang} | ${row.lessons.length === 1 ? row.lessons[0] : `all ${row.lessons.length} in one tab`} | ${(row.tabPeakBytes / MB).toFixed(0)} | ${(row.privatePeakBytes / MB).toFixed(0)} | ${(row.wasmMemoryBytes / MB).toFixed(0)} |`),
];
console.log(lines.join('\n'));
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench', 'results', 'memory.json'), JSON.stringify({ date: new Date().toISOString(), host: { cpu: cpus[0]?.model.trim(), cores: cpus.length }, rows }, null, 1));
writeFileSync(path.join(ROOT, 'bench', 'results', 'memory.md'), lines.join('\n') + '\n');
