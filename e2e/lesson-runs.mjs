// How a test or the benchmark runs each lesson as a class would: the button to press and what
// shows its run is done (the classifier without GPT zero-shot, so its three paradigms show at a
// third of the time). Lessons with nothing to run are null. Shared by e2e/screens.test.mjs and
// bench/memory.mjs.

export const LESSON_RUNS = {
  intro: null,
  encoder: { button: '#encoder-embed', done: '#encoder-heatmap[data-cells]' },
  decoder: { button: '#decoder-generate', done: '#decoder-stats:has-text("·")' },
  surprise: { button: '#surprise-score', done: '#surprise-chips .chip' },
  inside: { button: '#inside-run', done: '#inside-lens[data-layers]' },
  analogy: { button: '#analogy-run', done: '#analogy-map[data-points]' },
  keywords: { button: '#keywords-run', done: '#keywords-gpt-time:text-matches("[0-9] (ms|毫秒)")' },
  compare: { button: '#compare-run', done: '#compare-verdict[data-outcome]' },
  roi: null,
  classify: {
    button: '#classify-run',
    done: '#classify-table:not([hidden])',
    before: (page) => page.uncheck('#classify-methods input[value="gpt-zero-shot"]'),
  },
  context: null,
  tokenizers: { button: '#tokenizers-run', done: '#tokenizers-gpt .chip' },
  summary: null,
};

/** Opens `lesson` on `page` and runs it (if it has a run), waiting up to `timeout` ms. */
export async function runLesson(page, lesson, timeout = 240_000) {
  await page.click(`#lessons [data-lesson="${lesson}"]`);
  const run = LESSON_RUNS[lesson];
  if (!run) return;
  await run.before?.(page);
  await page.click(run.button);
  await page.locator(run.done).first().waitFor({ timeout });
}
