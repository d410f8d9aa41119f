// Every lesson as a class sees it, in English and 中文, on a laptop (1366×900), a projector in
// presenter mode (1280×720) and a phone (390×844): screenshots in e2e/artifacts/screens/ to look
// at, and the checks a screenshot would fail: no two point labels overlap or leave their plot,
// no card is wider than the screen, a map or heatmap fits the projector's height, chart text
// grows with presenter mode, and what a finger taps is at least 44 px tall on the phone.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ARTIFACTS, PHONE, openPage, startSession } from './harness.mjs';
import { LESSON_RUNS, runLesson } from './lesson-runs.mjs';

const LONG = { timeout: 1_200_000 };
const SHOTS = path.join(ARTIFACTS, 'screens');
mkdirSync(SHOTS, { recursive: true });

const SIZES = {
  laptop: { viewport: { width: 1366, height: 900 } },
  presenter: { viewport: { width: 1280, height: 720 } },
  phone: PHONE,
};

/** Pairs of point labels that overlap, and labels outside their plot, on the visible maps. */
function labelProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    for (const plot of document.querySelectorAll('.panel:not([hidden]) .plot[data-label-width]')) {
      const frame = plot.getBoundingClientRect();
      const labels = [...plot.querySelectorAll('svg text')]
        .filter((text) => getComputedStyle(text).display !== 'none' && Number(text.getAttribute('opacity') ?? 1) > 0 && text.textContent.trim())
        .map((text) => ({ text: text.textContent, box: text.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0);
      for (const { text, box } of labels) {
        if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
          problems.push(`${plot.id}: “${text}” leaves the plot`);
        }
      }
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const [a, b] = [labels[i].box, labels[j].box];
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          if (overlap) problems.push(`${plot.id}: “${labels[i].text}” overlaps “${labels[j].text}”`);
        }
      }
    }
    return problems;
  });
}

/** Elements of the visible lesson wider than the screen (outside a scrolling box). */
function overflowing(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('.panel:not([hidden]) *, header *, nav *')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1) continue;
      if (el.closest('.results-table, .chips, .lens-scroll')) continue; // these scroll inside their card
      wide.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className} (${Math.round(box.right)} px)`);
    }
    return wide;
  });
}

for (const lang of ['en', 'zh']) {
  test(`every lesson in ${lang}, at three sizes: screenshots, labels apart, nothing wider than the screen`, LONG, async () => {
    const session = await startSession();
    const contexts = {};
    try {
      const pages = {};
      for (const [size, options] of Object.entries(SIZES)) {
        contexts[size] = await session.browser.newContext(options);
        pages[size] = (await openPage(session, `?lang=${lang}${size === 'presenter' ? '&present=1' : ''}`, contexts[size])).page;
      }
      const problems = [];
      for (const lesson of Object.keys(LESSON_RUNS)) {
        for (const [size, page] of Object.entries(pages)) {
          await runLesson(page, lesson);
          if (LESSON_RUNS[lesson]) await page.waitForTimeout(300); // charts draw after the data arrives
          await page.screenshot({ path: path.join(SHOTS, `${lesson}-${lang}-${size}.png`), fullPage: true });
          problems.push(...(await labelProblems(page)).map((p) => `${lesson} ${size}: ${p}`));
          problems.push(...(await overflowing(page)).map((p) => `${lesson} ${size}: wider than the screen: ${p}`));
          if (size === 'presenter') {
            for (const plot of await page.locator(`#${lesson} .plot`).all()) {
              if (!(await plot.isVisible())) continue;
              const box = await plot.boundingBox();
              if (box.height > 720) problems.push(`${lesson} presenter: ${await plot.getAttribute('id')} is ${box.height} px tall`);
            }
          }
          if (size === 'phone') {
            const small = await page.evaluate((id) => [...document.querySelectorAll(`#${id} button, #${id} select, header button, header select, #settings summary`)]
              .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 43.5)
              .map((el) => `${el.tagName.toLowerCase()}#${el.id} ${Math.round(el.getBoundingClientRect().height)} px`), lesson);
            problems.push(...small.map((p) => `${lesson} phone: a small touch target: ${p}`));
          }
        }
      }
      // Chart text grows with the page in presenter mode.
      const fontOf = (page) => page.evaluate(() => Math.max(...[...document.querySelectorAll('#tokenizers .chip, #encoder-map svg text')].map((t) => parseFloat(getComputedStyle(t).fontSize) || 0)));
      await pages.laptop.click('#lessons [data-lesson="encoder"]');
      await pages.presenter.click('#lessons [data-lesson="encoder"]');
      const [laptopFont, presenterFont] = [await fontOf(pages.laptop), await fontOf(pages.presenter)];
      assert.ok(presenterFont >= laptopFont * 1.3, `chart text ${laptopFont} px on a laptop, ${presenterFont} px presenting`);
      assert.deepEqual(problems, []);
    } finally {
      await session.close();
    }
  });
}
