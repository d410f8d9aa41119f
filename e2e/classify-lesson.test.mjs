// The lesson "three ways to build a classifier" as a teacher uses it, on the real models: thirty
// labelled sentences pasted (one of them hostile HTML), the three paradigms side by side with
// the layer's learning curve, the confusion matrices, the layer's weights and GPT's answers;
// what cannot be used is said in the page's language with the box kept; Stop during GPT; the
// calculator; a Chinese link on e5 and Gemma.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, sharedPage } from './harness.mjs';

const LONG = { timeout: 900_000 };
const shared = sharedPage('?lesson=classify');

/** Thirty sentences a class might write: ten each of weather, animals and music. */
const CLASS_TEXTS = [
  ['weather', 'It rained all morning and the playground was full of puddles.'],
  ['weather', 'The forecast says snow tomorrow, so bring a warm coat.'],
  ['weather', 'A strong wind blew the leaves off every tree on our street.'],
  ['weather', 'It was so hot today that the tar on the road went soft.'],
  ['weather', 'Thick fog covered the river until noon.'],
  ['weather', 'Thunder woke me up at three in the night.'],
  ['weather', 'The sky cleared after the storm and we saw a rainbow.'],
  ['weather', 'Frost made the grass white and crunchy this morning.'],
  ['weather', 'Heavy rain is expected for the whole weekend.'],
  ['weather', 'The temperature dropped below zero last night.'],
  ['animals', 'Our cat sleeps on the windowsill every afternoon.'],
  ['animals', 'The dog chased a squirrel up the old oak tree.'],
  ['animals', 'Elephants can remember friends for many years.'],
  ['animals', 'A fox crossed the field just before sunset.'],
  ['animals', 'The hamster stored seeds in its cheeks.'],
  ['animals', 'Bees visit hundreds of flowers in a single day.'],
  ['animals', 'The horse jumped the fence and ran across the meadow.'],
  ['animals', 'Penguins huddle together to keep warm.'],
  ['animals', 'My rabbit loves carrots and fresh lettuce.'],
  ['animals', '<img src=x onerror="window.hacked=1">The owl hunts mice at night.'],
  ['music', 'She practises the piano for an hour after school.'],
  ['music', 'The band played our favourite song as the last encore.'],
  ['music', 'He is learning to play chords on his new guitar.'],
  ['music', 'The choir sang in four-part harmony at the concert.'],
  ['music', 'Our music teacher taught us a song from Brazil.'],
  ['music', 'The drummer kept a steady beat through the whole piece.'],
  ['music', 'We listened to a violin concerto on the radio.'],
  ['music', 'The orchestra tuned their instruments before the show.'],
  ['music', 'I wrote a short melody and recorded it on my phone.'],
  ['music', 'The singer hit the high note and the crowd cheered.'],
];

/** Types `text` into the box as a teacher pasting it would, and waits for the data line. */
async function paste(page, text) {
  // As a paste does: the whole text at once, then one input event.
  await page.evaluate((text) => {
    const box = document.querySelector('#classify-input');
    document.querySelector('#classify-data').textContent = '';
    box.value = text;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
  await page.waitForFunction(() => document.querySelector('#classify-data').textContent !== '', null, { timeout: 30_000 });
  return page.evaluate(() => ({ text: document.querySelector('#classify-data').textContent, state: document.querySelector('#classify-data').dataset.state }));
}

async function runAndWait(page) {
  await page.click('#classify-run');
  await page.waitForFunction(() => !document.querySelector('#classify').hasAttribute('aria-busy') && !document.querySelector('#classify-run').disabled, null, { timeout: 800_000 });
}

test('thirty pasted sentences: three paradigms side by side, the learning curve, what each costs', LONG, async () => {
  const { page, consoleErrors, requests, session } = shared;
  const pasted = CLASS_TEXTS.map(([label, text]) => `${label}\t${text}`).join('\n');
  const data = await paste(page, pasted);
  assert.equal(data.state, 'ok', data.text);
  assert.match(data.text, /30 texts, 3 labels \(weather 10, animals 10, music 10\) · 21 to learn from, 9 to test on/);
  assert.equal(await page.inputValue('#classify-dataset'), 'own');

  // The curve draws while the layer trains, before the run ends.
  await page.click('#classify-run');
  await page.waitForFunction(() => Number(document.querySelector('#classify-curve').dataset.points) >= 10 && document.querySelector('#classify').hasAttribute('aria-busy'), null, { timeout: 300_000 });
  await page.waitForFunction(() => !document.querySelector('#classify').hasAttribute('aria-busy'), null, { timeout: 800_000 });

  const shown = await page.evaluate(() => {
    const q = (s) => document.querySelector(s);
    return {
      notices: q('#classify-notices').textContent,
      rows: [...document.querySelectorAll('#classify-table tbody tr')].map((tr) => ({ method: tr.dataset.method, cells: [...tr.cells].map((c) => c.textContent), correct: Number(tr.querySelector('[data-correct]').dataset.correct) })),
      chartPoints: Number(q('#classify-chart').dataset.points),
      curvePoints: Number(q('#classify-curve').dataset.points),
      curveStatus: q('#classify-curve-status').textContent,
      confusions: [...document.querySelectorAll('#classify-confusions figure')].map((f) => ({ method: f.dataset.method, sum: [...f.querySelectorAll('td')].reduce((s, td) => s + Number(td.textContent), 0), diagonal: [...f.querySelectorAll('td.right')].reduce((s, td) => s + Number(td.textContent), 0) })),
      weights: document.querySelectorAll('#classify-weights tbody tr').length,
      answers: [...document.querySelectorAll('#classify-answers li')].map((li) => li.textContent),
      images: document.querySelectorAll('#classify img').length,
      hacked: window.hacked ?? null,
      summary: q('#classify-summary').textContent,
      csv: [...document.querySelectorAll('#classify .plot-tools button')].some((b) => b.title === 'classify-table.csv'),
      url: location.search,
    };
  });
  assert.equal(shown.notices, '');
  assert.deepEqual(shown.rows.map((r) => r.method), ['tfidf', 'linear', 'centroid', 'gpt-zero-shot', 'gpt-few-shot']);
  for (const row of shown.rows) {
    assert.equal(row.cells.length, 8);
    assert.match(row.cells[3], /^\d \/ 9 \(\d+%\)$/);
    assert.match(row.cells[7], /FLOP/);
  }
  // Each matrix counts the nine test texts (less any answer GPT gave no label), its diagonal the right ones.
  for (const matrix of shown.confusions) {
    const row = shown.rows.find((r) => r.method === matrix.method);
    assert.equal(matrix.diagonal, row.correct);
    assert.ok(matrix.sum <= 9 && (matrix.method.startsWith('gpt') || matrix.sum === 9));
  }
  assert.equal(shown.chartPoints, 5);
  assert.equal(shown.curvePoints, 100);
  assert.match(shown.curveStatus, /^Epoch 100: loss \d\.\d{3}, \d+% of the held-out texts right\.$/);
  assert.equal(shown.weights, 3);
  assert.equal(shown.answers.length, 18);
  assert.equal(shown.images, 0);
  assert.equal(shown.hacked, null);
  assert.ok(shown.csv);
  // The essay's claim about embeddings on such a task: BERT + a trained layer gets most right.
  const linear = shown.rows.find((r) => r.method === 'linear');
  assert.ok(linear.correct >= 7, `BERT + layer ${linear.correct}/9`);
  assert.match(shown.summary, /BERT \+ trained layer \d\/9/);
  assert.match(shown.url, /data=own/);
  assert.match(decodeURIComponent(shown.url), /texts=weather/);
  console.log(`# thirty sentences: ${shown.rows.map((r) => `${r.method} ${r.correct}/9`).join(', ')}; ${shown.summary}`);

  // The link opens the same texts, waiting for a click (the run takes a while).
  const again = await openPage(session, shown.url);
  const reopened = await again.page.evaluate(() => ({ input: document.querySelector('#classify-input').value, waiting: document.querySelector('#classify-run').classList.contains('waiting') }));
  assert.equal(reopened.input, pasted);
  assert.ok(reopened.waiting);
  await again.context.close();

  // The calculator: GPT's answers checked against the exact ones, beside one multiplication.
  await page.fill('#calc-digits', '2');
  await page.fill('#calc-count', '2');
  await page.click('#calc-run');
  await page.waitForFunction(() => !document.querySelector('#calc-table').hidden, null, { timeout: 300_000 });
  const calc = await page.evaluate(() => ({ rows: [...document.querySelectorAll('#calc-table tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent)), summary: document.querySelector('#calc-summary').textContent }));
  assert.equal(calc.rows.length, 3);
  for (const [question, , right] of calc.rows.slice(0, 2)) {
    const [, a, op, b, exact] = question.match(/^(\d+) ([×+]) (\d+) = (\d+)$/);
    assert.equal(BigInt(exact), op === '+' ? BigInt(a) + BigInt(b) : BigInt(a) * BigInt(b));
    assert.match(right, /^(yes|no \(reads as \d+\)|no number)$/);
  }
  assert.match(calc.rows[2][0], /one multiplication/);
  assert.match(calc.summary, /got \d of 2 right/);
  assert.deepEqual(consoleErrors, []);
  assert.ok(requests.every((url) => url.startsWith(session.server.url)));
});

test('what cannot be used is said with the box kept; Stop during GPT; the hook’s calculator', LONG, async () => {
  const { page } = shared;
  const cases = [
    ['', /there are no labelled texts/],
    ['a,one\nb\n,three\nc,four', /2 line\(s\) — 2, 3 — have no label or no text; write each as label,text/],
    ['x,one\nx,two\nx,three', /every text has the label “x”/],
    ['a,1\na,2\na,3\nb,4', /the label “b” has 1 text\(s\); each label needs at least 2/],
    [Array.from({ length: 20_000 }, (_, i) => `${i % 3},text ${i}`).join('\n'), /20000 texts is more than this lesson takes \(5000\)/],
  ];
  for (const [text, message] of cases) {
    const data = await paste(page, text);
    assert.equal(data.state, 'error', text.slice(0, 40));
    assert.match(data.text, message);
    await page.evaluate(() => document.querySelector('#classify-notices').replaceChildren());
    await page.click('#classify-run');
    await page.waitForFunction(() => document.querySelector('#classify-notices .notice.error'));
    assert.match(await page.textContent('#classify-notices'), message);
    assert.equal(await page.inputValue('#classify-input'), text, 'the box keeps what was typed');
  }
  // Quoted CSV: commas, quotes and a line break inside texts; mixed languages.
  const csv = 'label,text\nsport,"Goal, goal, goal!"\nsport,"He said ""again""\nand left"\nsport,足球比赛开始了\nfood,"Rice, beans, tea"\nfood,我喜欢吃饺子\nfood,Bread and butter';
  const data = await paste(page, csv);
  assert.equal(data.state, 'ok', data.text);
  assert.match(data.text, /6 texts, 2 labels \(sport 3, food 3\)/);

  // A .tsv file opens into the box; a binary file is refused and the box keeps its texts.
  await page.setInputFiles('#classify-file', { name: 'class.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from('rain\tIt is pouring\nrain\tDrizzle again\nsun\tClear skies\nsun\tA hot day\n') });
  await page.waitForFunction(() => /4 texts, 2 labels \(rain 2, sun 2\)/.test(document.querySelector('#classify-data').textContent));
  assert.match(await page.textContent('#classify-notices'), /Opened class\.tsv/);
  await page.setInputFiles('#classify-file', { name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]) });
  await page.waitForFunction(() => /photo\.csv is not a text file/.test(document.querySelector('#classify-notices').textContent));
  assert.match(await page.inputValue('#classify-input'), /^rain\tIt is pouring/);

  // 5-fold on the English topics: every one of the 60 texts tested once, each matrix counting
  // all 60 with the labels in the texts' order.
  await page.selectOption('#classify-dataset', 'topics-en');
  await page.selectOption('#classify-split', '5');
  await page.evaluate(() => {
    for (const box of document.querySelectorAll('#classify-methods input')) box.checked = ['tfidf', 'linear'].includes(box.value);
  });
  await page.fill('#classify-epochs', '20');
  await runAndWait(page);
  const folds = await page.evaluate(() => ({
    accuracy: [...document.querySelectorAll('#classify-table tbody tr')].map((tr) => tr.cells[3].textContent),
    sums: [...document.querySelectorAll('#classify-confusions figure')].map((f) => [...f.querySelectorAll('td')].reduce((s, td) => s + Number(td.textContent), 0)),
    heads: [...document.querySelectorAll('#classify-confusions figure:first-child thead th')].slice(1).map((th) => th.textContent),
    weights: [...document.querySelectorAll('#classify-weights tbody th')].map((th) => th.textContent),
    help: document.querySelector('#classify-table-help').textContent,
  }));
  assert.equal(folds.accuracy.length, 2);
  folds.accuracy.forEach((cell) => assert.match(cell, /^\d+ \/ 60 /));
  assert.deepEqual(folds.sums, [60, 60]);
  assert.deepEqual(folds.heads, ['sport', 'food', 'technology']);
  assert.deepEqual(folds.weights, ['sport', 'food', 'technology']);
  assert.match(folds.help, /summed over the 5 folds/);
  await page.selectOption('#classify-split', '0.25');

  // Stop in the middle of GPT's answers: the run ends, says so, and shows nothing half-measured.
  await page.evaluate(() => {
    for (const box of document.querySelectorAll('#classify-methods input')) box.checked = box.value === 'gpt-zero-shot';
  });
  await page.click('#classify-run');
  await page.waitForFunction(() => /GPT zero-shot: [2-9]/.test(document.querySelector('#classify-notices').textContent), null, { timeout: 300_000 });
  await page.click('#classify-stop');
  await page.waitForFunction(() => !document.querySelector('#classify').hasAttribute('aria-busy'));
  assert.match(await page.textContent('#classify-notices'), /Stopped during “GPT zero-shot”/);
  assert.ok(await page.evaluate(() => document.querySelector('#classify-table').hidden));

  const asked = await page.evaluate(() => window.bertVsGpt.calculator([{ a: '7', op: '+', b: '5' }, { a: 123, op: '*', b: 45 }], { decoder: 'SmolLM2-135M-Instruct', lang: 'en' }));
  assert.deepEqual(asked.results.map((r) => [r.question, r.expected]), [['7 + 5', '12'], ['123 × 45', '5535']]);
  for (const r of asked.results) {
    assert.equal(r.right, r.value === r.expected);
    assert.ok(r.value === null || r.answer.replace(/[, ]/g, '').includes(r.value), `${r.answer} → ${r.value}`);
    assert.ok(r.flops > 1e6 && r.ms > 0 && r.promptTokens > 5);
  }
  assert.equal(asked.machine.flops, 1);
  assert.ok(asked.machine.ns > 0 && asked.machine.ns < 1000);
  const refused = await page.evaluate(() => window.bertVsGpt.calculator([{ a: '1.5', op: '+', b: '2' }]).then(() => 'no error', (e) => e.message));
  assert.match(refused, /whole numbers of up to 30 digits/);
});

test('中文: a link to the Chinese topics runs on e5 and Gemma, every message in Chinese', LONG, async () => {
  const { session } = shared;
  const { page, context, consoleErrors } = await openPage(session, '?lesson=classify&lang=zh&data=topics-zh&methods=tfidf,linear,centroid,gpt-few-shot');
  assert.ok(await page.evaluate(() => document.querySelector('#classify-run').classList.contains('waiting')));
  await page.waitForFunction(() => document.querySelector('#classify-data').dataset.state === 'ok');
  assert.match(await page.textContent('#classify-data'), /60 条文本，3 个标签/);
  await runAndWait(page);
  const shown = await page.evaluate(() => ({
    rows: [...document.querySelectorAll('#classify-table tbody tr')].map((tr) => ({ method: tr.dataset.method, model: tr.cells[2].textContent, correct: Number(tr.querySelector('[data-correct]').dataset.correct) })),
    summary: document.querySelector('#classify-summary').textContent,
    curve: document.querySelector('#classify-curve-status').textContent,
  }));
  assert.deepEqual(shown.rows.map((r) => r.method), ['tfidf', 'linear', 'centroid', 'gpt-few-shot']);
  assert.equal(shown.rows[1].model, 'multilingual-e5-small');
  assert.equal(shown.rows[3].model, 'gemma-3-270m');
  assert.ok(shown.rows[1].correct >= 12, `e5 + layer ${shown.rows[1].correct}/15`);
  assert.match(shown.summary, /^测试文本上分对：/);
  assert.match(shown.curve, /^第 100 轮：损失/);
  const problem = await paste(page, '体育,足球\n体育,篮球\n美食,饺子');
  assert.match(problem.text, /^这些文本暂时不能用：标签“美食”只有 1 条文本/);
  assert.deepEqual(consoleErrors, []);
  console.log(`# topics-zh in the lesson: ${shown.rows.map((r) => `${r.method} ${r.correct}/15`).join(', ')}`);
  await context.close();
});
