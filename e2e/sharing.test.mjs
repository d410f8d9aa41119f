// Sharing and the guided path: the address holds the language and the inputs of the lesson on
// screen (and only that lesson's), a link opens and runs its lesson, lesson switches are history
// entries, Next walks the essay's order to the closing summary, Enter runs a lesson.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, sharedPage } from './harness.mjs';

const LONG = { timeout: 300_000 };
const shared = sharedPage();
/** The page's own address (page.url() can lag behind history.replaceState). */
const params = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.search)));

test('the address follows the language, the lesson and its inputs, and nothing else', LONG, async () => {
  const { page } = shared;
  await page.click('#language');
  assert.equal((await params(page)).lang, 'zh');
  await page.click('#lessons [data-lesson="analogy"]');
  await page.waitForFunction(() => document.querySelector('#analogy-a').value === '华盛顿');
  // The language's own preset, named by id; its inputs are not spelled out.
  assert.deepEqual((await params(page)), { lang: 'zh', lesson: 'analogy', preset: 'capital-zh' });
  await page.fill('#analogy-a', '东京');
  assert.deepEqual((await params(page)), { lang: 'zh', lesson: 'analogy', a: '东京', b: '美国', c: '法国' });
  assert.equal(await page.inputValue('#analogy-preset'), '', 'the menu no longer names a preset');
  // Another lesson: the analogy's parameters go, the keywords' preset comes.
  await page.click('#lessons [data-lesson="keywords"]');
  assert.deepEqual((await params(page)), { lang: 'zh', lesson: 'keywords', preset: 'essay-zh' });
  await page.locator('#keywords-diversity').fill('0.8');
  assert.equal((await params(page)).diversity, '0.8');
  // Back returns to the analogy lesson with its edit; Forward to the keywords.
  await page.goBack();
  assert.equal(await page.isVisible('#analogy'), true);
  assert.equal((await params(page)).a, '东京');
  await page.goForward();
  assert.equal(await page.isVisible('#keywords'), true);
  await page.click('#language');
  assert.equal((await params(page)).lang, 'en');
  const link = await page.evaluate(() => location.href);
  assert.ok(link.length < 200, `a short link: ${link}`);
});

test('a shared link restores every input of its lesson and runs it', LONG, async () => {
  const query = '?lang=zh&lesson=decoder&prompt=%E4%BB%8A%E5%A4%A9&chat=0&temperature=0.7&topk=40&seed=7&max=5&repeat=1.3';
  const { page, context, consoleErrors } = await openPage(shared.session, query);
  assert.equal(await page.inputValue('#decoder-prompt'), '今天');
  assert.equal(await page.isChecked('#decoder-chat'), false);
  assert.deepEqual(
    await Promise.all(['temperature', 'top-k', 'seed', 'max', 'repeat'].map((f) => page.inputValue(`#decoder-${f}`))),
    ['0.7', '40', '7', '5', '1.3'],
  );
  // It runs on opening: five tokens from Gemma (the decoder for 中文).
  await page.waitForFunction(() => document.querySelectorAll('#decoder-chips .chip[data-index]').length === 5, null, { timeout: 240_000 });
  assert.equal(await page.textContent('#lessons [aria-current="page"]'), '2 解码器');

  const encoder = await openPage(shared.session, '?lesson=encoder&texts=The%20cat%20sleeps.%0AA%20dog%20runs.%0AStocks%20fell.', context);
  await encoder.page.locator('#encoder-map[data-points="3"]').waitFor({ timeout: 120_000 });
  assert.match(await encoder.page.textContent('#encoder-verdict'), /^Most alike: “.+” and “.+” \(cosine -?\d\.\d\d\)\. Least alike: /);

  // The ROI task takes minutes: it waits for a click, and says so.
  const roi = await openPage(shared.session, '?lesson=roi&roi=en', context);
  await roi.page.locator('#roi-notices', { hasText: 'press “Run both” to run it' }).waitFor();
  assert.equal(await roi.page.locator('#roi-run.waiting').count(), 1);
  assert.equal(await roi.page.textContent('[data-cell="gpt-accuracy"]'), '');

  const unknown = await openPage(shared.session, '?lesson=analogy&preset=nope', context);
  await unknown.page.locator('#param-notice', { hasText: 'preset=nope' }).waitFor();
  assert.equal(await unknown.page.inputValue('#analogy-a'), 'Washington');
  assert.deepEqual([...consoleErrors, ...encoder.consoleErrors, ...roi.consoleErrors, ...unknown.consoleErrors], []);
  await context.close();
});

test('the guided path: Next in the essay’s order to a summary of what ran; Reset; Enter runs', LONG, async () => {
  const { page } = shared;
  await page.click('#lessons [data-lesson="intro"]');
  const order = ['intro'];
  for (;;) {
    const next = page.locator(`#${order.at(-1)} .next [data-go]`);
    if ((await next.count()) === 0) break;
    order.push(await next.getAttribute('data-go'));
    await next.click();
    assert.equal(await page.isVisible(`#${order.at(-1)}`), true);
  }
  assert.deepEqual(order, ['intro', 'encoder', 'decoder', 'surprise', 'inside', 'analogy', 'keywords', 'compare', 'roi', 'classify', 'context', 'tokenizers', 'summary']);
  assert.equal(await page.locator('#summary-list li').count(), 11);

  // Enter in A runs the arithmetic; its verdict reaches the summary.
  await page.click('#lessons [data-lesson="analogy"]');
  await page.click('[data-reset="analogy"]');
  assert.equal(await page.inputValue('#analogy-a'), 'Washington');
  await page.focus('#analogy-c');
  await page.keyboard.press('Enter');
  await page.locator('#analogy-verdict[data-outcome]').waitFor({ timeout: 120_000 });
  await page.click('#lessons [data-lesson="summary"]');
  const analogy = page.locator('#summary-list li', { hasText: '5 Vector arithmetic' });
  assert.match(await analogy.textContent(), /Washington − US \+ France ≈ \S+\./);
  assert.match(await page.locator('#summary-list li', { hasText: '8 Cost' }).textContent(), /not run yet/);

  // Ctrl+Enter in a text box runs; a plain Enter there is a new line.
  await page.click('#lessons [data-lesson="tokenizers"]');
  await page.fill('#tokenizers-input', 'hello');
  await page.focus('#tokenizers-input');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#tokenizers-input'), 'hello\n');
  await page.keyboard.press('Control+Enter');
  await page.locator('#tokenizers-gpt .chip').first().waitFor();
});

test('Reset stops a run and gives back the lesson as it opened: inputs, no results, no stale notice', LONG, async () => {
  const { page } = shared;
  // The decoder, paused after one step with a token's candidates shown, and a setting changed.
  await page.click('#lessons [data-lesson="decoder"]');
  await page.fill('#decoder-seed', '9');
  await page.click('#decoder-step');
  await page.locator('#decoder-chips .chip[data-index]').first().waitFor({ timeout: 120_000 });
  await page.locator('#decoder-bars[data-drawn]').waitFor();
  await page.click('[data-reset="decoder"]');
  await page.waitForFunction(() => document.querySelector('#decoder-stop').disabled && !document.querySelector('#decoder-chips').children.length);
  assert.equal(await page.inputValue('#decoder-seed'), '42');
  assert.equal(await page.inputValue('#decoder-preset'), 'sky');
  assert.deepEqual(await page.evaluate(() => ['#decoder-stats', '#decoder-notices', '#decoder-output', '#decoder-step-caption'].map((id) => document.querySelector(id).textContent)), ['', '', '', '']);
  assert.equal(await page.isVisible('#decoder-bars'), false, 'no empty chart is left');
  assert.equal(await page.isVisible('#decoder-bars + .plot-tools'), false);

  // The encoder: Chinese typed into the English model's lesson is flagged; Reset clears the flag,
  // the map, the heatmap, the verdict and t-SNE.
  await page.click('#lessons [data-lesson="encoder"]');
  assert.equal(await page.isVisible('#encoder .plots'), false, 'no chart frame before a run');
  await page.click('#encoder-embed');
  await page.locator('#encoder-heatmap[data-cells]').waitFor({ timeout: 120_000 });
  await page.selectOption('#encoder-projection', 'tsne');
  await page.fill('#encoder-input', '猫坐在垫子上。\n狗在跑。');
  await page.locator('#encoder-fit-encoder:not([hidden])').waitFor();
  await page.click('[data-reset="encoder"]');
  await page.waitForFunction(() => document.querySelector('#encoder-fit-encoder').hidden);
  assert.match(await page.inputValue('#encoder-input'), /^ChatGPT/);
  assert.equal(await page.inputValue('#encoder-projection'), 'pca');
  assert.equal(await page.textContent('#encoder-verdict'), '');
  assert.equal(await page.getAttribute('#encoder-heatmap', 'data-cells'), null);
  assert.equal(await page.isVisible('#encoder .plots'), false);
  assert.equal((await params(page)).proj, undefined);
  await page.click('#lessons [data-lesson="summary"]');
  assert.match(await page.locator('#summary-list li', { hasText: '1 Encoder' }).textContent(), /not run yet/);
});

test('charts can be saved as SVG and PNG, the ROI table as CSV', LONG, async () => {
  const { page } = shared;
  await page.click('#lessons [data-lesson="encoder"]');
  await page.click('#encoder-embed');
  await page.locator('#encoder-heatmap[data-cells]').waitFor({ timeout: 120_000 });
  for (const type of ['svg', 'png']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#encoder-heatmap + .plot-tools button[title="encoder-heatmap.${type}"]`)]);
    assert.equal(download.suggestedFilename(), `encoder-heatmap.${type}`);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path);
    if (type === 'svg') assert.match(bytes.toString('utf8'), /^<svg[\s\S]*<\/svg>$/);
    else assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  }
  await page.click('#lessons [data-lesson="roi"]');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#roi-table + .plot-tools button')]);
  assert.equal(csv.suggestedFilename(), 'roi-table.csv');
  const { readFileSync } = await import('node:fs');
  const rows = readFileSync(await csv.path(), 'utf8').replace(/^\ufeff/, '').split('\r\n');
  assert.equal(rows.length, await page.locator('#roi-table tr').count());
  assert.match(rows[1], /^Accuracy,/);
  assert.equal(await page.getAttribute('#encoder-heatmap', 'role'), 'img');
  assert.match(await page.getAttribute('#encoder-heatmap', 'aria-label'), /^Cosine similarity.*: 1\. /);
});
