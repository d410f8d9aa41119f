// Panel "three ways to build a classifier": the class's own labelled texts (pasted, opened from
// a .csv/.tsv file, or a shipped set) split and handed to the essay's three paradigms —
// TF-IDF + a trained softmax layer, the encoder's embeddings + a trained layer (its learning
// curve drawn live; and the nearest centroid), and GPT prompted zero- and few-shot — with one
// table, one chart of accuracy against cost, the confusion matrices, the trained layer's
// weights and GPT's answers. The calculator (panels/calculator.js) shares the section. The
// computing is in lessons/classify.js and the worker; this file only draws.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { lessonParams } from '../url-state.js';
import { clearChart, drawCurves, drawPoints } from '../ui/plots.js';
import { METHODS, TRAINING, classifyOnSplits, readLabelled } from '../lessons/classify.js';
import { formatFlops } from '../ui/numbers.js';
import { mountCalculator } from './calculator.js';

/** The held-out choices: a share of each label's texts, or k folds. */
const SPLITS = ['0.2', '0.25', '0.33', '0.5', '5', '10'];
const OWN = 'own';
/** Files larger than this are refused before reading (the lesson takes 5,000 texts at most). */
const MAX_FILE_BYTES = 5_000_000;
/** Each method's paradigm (1 features, 2 pre-train + fine-tune, 3 prompting) and colour. */
const PARADIGM = { tfidf: 1, linear: 2, centroid: 2, 'gpt-zero-shot': 3, 'gpt-few-shot': 3 };
const EMBEDDING = ['linear', 'centroid'];
const GPT = ['gpt-zero-shot', 'gpt-few-shot'];
/** Strongest dimensions shown per class, each way. */
const TOP_DIMENSIONS = 5;

/** The split menu's value as readLabelled's options. */
const splitOptions = (value) => (Number(value) >= 2 ? { folds: Number(value), testFraction: 0.25 } : { folds: 0, testFraction: Number(value) });

/** "12 ms" or "3.4 s". */
const duration = (ms) => {
  if (ms >= 10_000) return t('classify.seconds', { s: (ms / 1000).toFixed(1) });
  return t('classify.ms', { ms: ms >= 10 ? Math.round(ms).toLocaleString() : ms.toFixed(ms >= 1 ? 1 : 2) });
};

/** A problem with the labelled texts (src/error.rs DataProblem) in the page's language. */
function problemText(problem) {
  const { kind, ...fields } = problem;
  if (kind === 'noLabelOrText') {
    const shown = fields.lines.slice(0, 5).join(t('classify.listSeparator'));
    const more = fields.lines.length > 5 ? t('classify.problem.more', { more: fields.lines.length - 5 }) : '';
    return t('classify.problem.noLabelOrText', { lines: shown + more, count: fields.lines.length, form: fields.form });
  }
  return t(`classify.problem.${kind}`, fields);
}

export function mountClassifyPanel(root, { models, datasets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#classify-input');
  const datasetMenu = $('#classify-dataset');
  const splitMenu = $('#classify-split');
  const [seed, shots, epochs, l2] = ['seed', 'shots', 'epochs', 'l2'].map((name) => $(`#classify-${name}`));
  const dataInfo = $('#classify-data');
  const notices = $('#classify-notices');
  const table = $('#classify-table');
  const curve = $('#classify-curve');
  const curveStatus = $('#classify-curve-status');
  const link = lessonParams('classify');
  /** The run on screen: classifyOnSplits's result, the texts, and when it was run. */
  let shown = null;
  /** The live learning curve: [{epoch, loss, accuracy}] of the fold training now. */
  let epochsSeen = [];

  // Methods: a checkbox each, all on unless a link says otherwise.
  const boxes = Object.fromEntries(METHODS.map((method) => {
    const box = element('input', { type: 'checkbox', checked: true, value: method });
    $('#classify-methods').append(element('label', { className: 'check' }, box, ' ', element('span', { dataset: { i18n: `classify.method.${method}` } }, t(`classify.method.${method}`))));
    return [method, box];
  }));
  const chat = $('#classify-chat');
  chat.checked = link.choice('chat', ['1']) === '1';
  const linkedMethods = link.text('methods')?.split(',').filter((m) => METHODS.includes(m));
  if (linkedMethods?.length) for (const [method, box] of Object.entries(boxes)) box.checked = linkedMethods.includes(method);
  const chosenMethods = () => METHODS.filter((m) => boxes[m].checked);

  const fillSplitMenu = () => {
    const value = splitMenu.value || link.choice('split', SPLITS) || '0.25';
    splitMenu.replaceChildren(...SPLITS.map((v) => element('option', { value: v },
      Number(v) >= 2 ? t('classify.folds', { k: v }) : t('classify.heldOut', { percent: Math.round(Number(v) * 100) }))));
    splitMenu.value = value;
  };
  fillSplitMenu();
  const setNumber = (field, name, low, high) => {
    const value = link.number(name, low, high);
    if (value !== null) field.value = String(value);
  };
  setNumber(seed, 'seed', 0, 999999);
  setNumber(shots, 'shots', 1, 20);
  setNumber(epochs, 'epochs', 1, 1000);
  setNumber(l2, 'l2', 0, 1);
  const numbers = { seed, shots, epochs, l2 };

  /** A shipped set as the box shows it: one `label<TAB>text` line per example. */
  const asLines = (dataset) => dataset.examples.map(([label, text]) => `${label}\t${text}`).join('\n');
  const fillDatasetMenu = () => {
    const value = datasetMenu.value;
    datasetMenu.replaceChildren(...datasets.map((set) => element('option', { value: set.id }, set.name[language()])),
      element('option', { value: OWN }, t('classify.own')));
    datasetMenu.value = value || OWN;
  };
  /** The page language's topics set, as a lesson opens and after Reset. */
  const showDefaultData = () => {
    const set = datasets.find((s) => s.id === `topics-${language()}`) ?? datasets[0];
    fillDatasetMenu();
    datasetMenu.value = set.id;
    input.value = asLines(set);
    checkData();
  };
  datasetMenu.addEventListener('change', () => {
    const set = datasets.find((s) => s.id === datasetMenu.value);
    if (set) input.value = asLines(set);
    checkData();
  });
  // Typing in the box makes the texts the class's own.
  input.addEventListener('input', () => {
    datasetMenu.value = OWN;
    checkData();
  });
  $('#classify-file').addEventListener('change', async (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      showNotices(notices, [{ text: t('classify.fileTooBig', { name: file.name, mb: (file.size / 1e6).toFixed(1) }), kind: 'error' }]);
      return;
    }
    const text = await file.text();
    if (text.includes('\u0000')) {
      showNotices(notices, [{ text: t('classify.fileNotText', { name: file.name }), kind: 'error' }]);
      return;
    }
    input.value = text;
    datasetMenu.value = OWN;
    showNotices(notices, [{ text: t('classify.fileOpened', { name: file.name }) }]);
    checkData();
  });

  /** Reads the box with the chosen split: the data, or an Error in the page's words. */
  const read = async () => {
    try {
      return await readLabelled(models, { input: input.value, ...splitOptions(splitMenu.value), seed: Number(seed.value) || 0 });
    } catch (error) {
      if (error.problem) throw new Error(t('classify.cannotUse', { problem: problemText(error.problem) }));
      throw error;
    }
  };
  /** Says what the box holds (texts, labels, the split), or what is wrong with it, as it changes. */
  let checking = 0;
  async function checkData() {
    const mine = ++checking;
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (mine !== checking) return;
    try {
      const data = await read();
      if (mine !== checking) return;
      const counts = data.labels.map((label, i) => t('classify.labelCount', { label, count: data.labelIds.filter((id) => id === i).length }));
      const { folds } = splitOptions(splitMenu.value);
      dataInfo.textContent = t('classify.dataSummary', {
        texts: data.texts.length, labels: data.labels.length, counts: counts.join(t('classify.listSeparator')),
        split: folds ? t('classify.foldsSummary', { k: folds }) : t('classify.splitSummary', { train: data.splits[0].train.length, test: data.splits[0].test.length }),
      });
      dataInfo.dataset.state = 'ok';
    } catch (error) {
      if (mine !== checking) return;
      dataInfo.textContent = error.message;
      dataInfo.dataset.state = 'error';
    }
  }
  for (const field of [splitMenu, seed]) field.addEventListener('change', checkData);

  const methodName = (method) => t(`classify.method.${method}`);
  const modelOf = (method, result) => (GPT.includes(method) ? models.opened(result.decoder)?.name ?? result.decoder : result.encoder ?? '—');

  function drawTable() {
    const { labels, results, tested } = shown;
    const head = element('tr', {}, ...['method', 'paradigm', 'model', 'accuracy', 'f1', 'train', 'predict', 'flops']
      .map((column) => element('th', { scope: 'col' }, t(`classify.column.${column}`))));
    const rows = METHODS.filter((m) => results[m]).map((method) => {
      const r = results[method];
      const correct = Math.round(r.accuracy * tested);
      const row = element('tr', { dataset: { method } },
        element('th', { scope: 'row' }, methodName(method)),
        element('td', {}, t(`classify.paradigmShort${PARADIGM[method]}`)),
        element('td', { className: 'model-name' }, method === 'tfidf' ? t('classify.noModel') : modelOf(method, r)),
        element('td', { dataset: { correct: String(correct) } }, t('classify.accuracyValue', { correct, total: tested, percent: Math.round(r.accuracy * 100) })),
        element('td', {}, r.macroF1.toFixed(2)),
        element('td', {}, method.startsWith('gpt') ? t('classify.noTraining') : duration(r.trainMs)),
        element('td', {}, duration(r.predictMs / tested)),
        element('td', {}, formatFlops(r.flopsPerPrediction)));
      return row;
    });
    table.replaceChildren(element('thead', {}, head), element('tbody', {}, ...rows));
    table.hidden = false;
    table.dataset.labels = String(labels.length);
  }

  /** Accuracy against FLOPs per prediction (log scale): the essay's ROI in one picture. */
  function drawChart() {
    const { results } = shown;
    drawPoints($('#classify-chart'), {
      points: METHODS.filter((m) => results[m]).map((m) => ({ x: results[m].flopsPerPrediction, y: results[m].accuracy, text: methodName(m), group: PARADIGM[m] - 1 })),
      axisNames: [t('classify.axisFlops'), t('classify.axisAccuracy')],
      xLog: true,
      yMax: 1,
      format: ([x, y]) => `${formatFlops(x)} · ${Math.round(y * 100)}%`,
    });
  }

  function drawCurve() {
    if (!epochsSeen.length) return;
    drawCurves(curve, {
      xs: epochsSeen.map((e) => e.epoch),
      lines: [
        { name: t('classify.curveLoss'), ys: epochsSeen.map((e) => e.loss) },
        { name: t('classify.curveAccuracy'), ys: epochsSeen.map((e) => e.accuracy), right: true },
      ],
      xName: t('classify.curveEpoch'),
      yNames: [t('classify.curveLossAxis'), t('classify.curveAccuracyAxis')],
    });
    const last = epochsSeen.at(-1);
    curveStatus.textContent = t('classify.curveStatus', { epoch: last.epoch, loss: last.loss.toFixed(3), percent: Math.round(last.accuracy * 100) });
  }

  function drawConfusions() {
    const { labels, results } = shown;
    const matrices = METHODS.filter((m) => results[m]).map((method) => {
      const { confusion, predictions } = results[method];
      const unread = predictions.filter((p) => p === null).length;
      const head = element('tr', {}, element('th', { scope: 'col' }, t('classify.trueVsPredicted')), ...labels.map((label) => element('th', { scope: 'col' }, label)));
      const rows = confusion.map((row, i) => element('tr', {}, element('th', { scope: 'row' }, labels[i]),
        ...row.map((count, j) => element('td', { className: i === j ? 'right' : count ? 'wrong' : '' }, String(count)))));
      return element('figure', { dataset: { method } },
        element('figcaption', {}, methodName(method), unread ? ` — ${t('classify.unread', { count: unread })}` : ''),
        element('table', { className: 'results-table confusion' }, element('thead', {}, head), element('tbody', {}, ...rows)));
    });
    $('#classify-confusions').replaceChildren(...matrices);
  }

  /** The trained layer's strongest weights per class: which embedding dimensions vote for it. */
  function drawWeights() {
    const weightsTable = $('#classify-weights');
    const linear = shown.results.linear;
    if (!linear) {
      weightsTable.replaceChildren();
      weightsTable.hidden = true;
      return;
    }
    const { labels } = shown;
    const dim = linear.weights.length / labels.length;
    const strongest = (row, sign) => [...row.keys()].sort((a, b) => sign * (row[b] - row[a])).slice(0, TOP_DIMENSIONS)
      .flatMap((d) => [element('span', { className: 'dimension' }, `#${d} (${row[d] >= 0 ? '+' : '−'}${Math.abs(row[d]).toFixed(2)})`), ' ']);
    const head = element('tr', {}, ...['label', 'for', 'against'].map((c) => element('th', { scope: 'col' }, t(`classify.weightsColumn.${c}`))));
    const rows = labels.map((label, c) => {
      const row = linear.weights.subarray(c * dim, (c + 1) * dim);
      return element('tr', {}, element('th', { scope: 'row' }, label), element('td', {}, ...strongest(row, 1)), element('td', {}, ...strongest(row, -1)));
    });
    weightsTable.replaceChildren(element('thead', {}, head), element('tbody', {}, ...rows));
    weightsTable.hidden = false;
  }

  function drawAnswers() {
    const { results, texts, order, labelsOfTexts } = shown;
    const items = GPT.filter((m) => results[m]).flatMap((method) => results[method].answers.map((answer, i) => {
      const predicted = results[method].predictions[i];
      const expected = labelsOfTexts[order[i]];
      return element('li', { className: predicted === expected ? 'right' : 'wrong' },
        element('strong', {}, methodName(method)), ': ', texts[order[i]], ' → ', element('q', {}, answer),
        ` (${predicted ?? t('classify.noLabel')} / ${expected})`);
    }));
    $('#classify-answers').replaceChildren(...items);
  }

  /** The verdict: the best embedding method against the best GPT method, accuracy and cost. */
  function verdict() {
    const { results, tested } = shown;
    const best = (methods) => methods.filter((m) => results[m]).sort((a, b) => results[b].accuracy - results[a].accuracy || results[a].flopsPerPrediction - results[b].flopsPerPrediction)[0];
    const scores = METHODS.filter((m) => results[m]).map((m) => t('classify.score', { method: methodName(m), correct: Math.round(results[m].accuracy * tested), total: tested })).join(t('classify.listSeparator'));
    const [bert, gpt] = [best(EMBEDDING), best(GPT)];
    if (!bert || !gpt) return { text: t('classify.verdict.scores', { scores }), outcome: 'mixed' };
    const [b, g] = [results[bert], results[gpt]];
    const values = { scores, bert: methodName(bert), gpt: methodName(gpt), flops: Math.round(g.flopsPerPrediction / b.flopsPerPrediction).toLocaleString() };
    if (g.accuracy > b.accuracy) return { text: t('classify.verdict.gptBetter', values), outcome: 'mixed' };
    return { text: t('classify.verdict.shows', values), outcome: 'right' };
  }

  function draw() {
    if (!shown) return;
    drawTable();
    drawChart();
    drawCurve();
    drawConfusions();
    drawWeights();
    drawAnswers();
    const { text, outcome } = verdict();
    $('#classify-summary').textContent = text;
    $('#classify-summary').dataset.outcome = outcome;
    $('#classify-table-help').textContent = t('classify.tableHelp') + (shown.folds > 1 ? ` ${t('classify.tableHelpFolds', { folds: shown.folds })}` : '');
  }

  const clear = () => {
    shown = null;
    epochsSeen = [];
    for (const id of ['#classify-summary', '#classify-table-help', '#classify-confusions', '#classify-answers']) $(id).replaceChildren();
    for (const tableElement of [table, $('#classify-weights')]) {
      tableElement.replaceChildren();
      tableElement.hidden = true;
    }
    curveStatus.textContent = '';
    clearChart($('#classify-chart'));
    clearChart(curve);
  };

  const button = $('#classify-run');
  async function run() {
    const methods = chosenMethods();
    if (!methods.length) {
      showNotices(notices, [{ text: t('classify.noMethods'), kind: 'error' }]);
      return;
    }
    clear();
    let progress = null;
    await runBusy({ root, button, stop: $('#classify-stop'), notices }, async (signal) => {
      const data = await read();
      if (chat.checked && methods.some((m) => GPT.includes(m)) && (await models.load(models.decoder)).chat === false) {
        throw new Error(t('classify.noChat', { decoder: models.opened(models.decoder)?.name ?? models.decoder }));
      }
      const say = (event) => {
        progress = event;
        if (event.method === 'linear' && event.epoch) {
          if (event.epoch === 1) epochsSeen = [];
          epochsSeen.push(event);
          drawCurve();
        }
        showNotices(notices, [{ text: t('classify.progress', { method: methodName(event.method), done: event.done, total: event.total, fold: event.fold + 1, folds: event.folds }) }]);
      };
      try {
        const result = await classifyOnSplits(models, {
          data, methods, seed: Number(seed.value) || 0, shots: Number(shots.value) || 6, chat: chat.checked, signal, onProgress: say,
          training: { epochs: Number(epochs.value) || TRAINING.epochs, l2: Number(l2.value) },
        });
        shown = { ...result, texts: data.texts, labelsOfTexts: Array.from(data.labelIds, (id) => data.labels[id]) };
      } catch (error) {
        if (error.name === 'AbortError' && progress) error.stoppedMessage = t('classify.stopped', { method: methodName(progress.method) });
        throw error;
      }
      showNotices(notices, []);
      draw();
    });
  }
  button.addEventListener('click', run);

  const calculator = mountCalculator(root, { models, link, seed: () => Number(seed.value) || 0 });

  onLanguageChange(() => {
    fillSplitMenu();
    fillDatasetMenu();
    // The language's topics follow the language, as the other lessons' presets do.
    if (!shown && datasetMenu.value.startsWith('topics-')) showDefaultData();
    else checkData();
    draw();
  });

  // The texts a link gives, or the language's topics.
  const linkedSet = link.choice('data', [...datasets.map((s) => s.id), OWN]);
  const linkedTexts = link.text('texts');
  fillDatasetMenu();
  if (linkedSet === OWN && linkedTexts !== null) {
    input.value = linkedTexts;
    datasetMenu.value = OWN;
    checkData();
  } else if (linkedSet && linkedSet !== OWN) {
    datasetMenu.value = linkedSet;
    input.value = asLines(datasets.find((s) => s.id === linkedSet));
    checkData();
  } else showDefaultData();

  return {
    run,
    costly: true,
    reset: () => {
      clear();
      for (const field of Object.values(numbers)) field.value = field.defaultValue;
      for (const box of Object.values(boxes)) box.checked = true;
      chat.checked = false;
      splitMenu.value = '0.25';
      calculator.reset();
      showDefaultData();
    },
    summary: () => [shown && verdict().text, calculator.summary()].filter(Boolean).join(' ') || null,
    link: () => {
      const own = datasetMenu.value === OWN;
      const methods = chosenMethods();
      const changed = Object.fromEntries(Object.entries(numbers).map(([name, field]) => [name, field.value === field.defaultValue ? null : field.value]));
      return {
        data: datasetMenu.value === `topics-${language()}` ? null : datasetMenu.value,
        texts: own ? input.value : null,
        split: splitMenu.value === '0.25' ? null : splitMenu.value,
        methods: methods.length === METHODS.length ? null : methods.join(','),
        chat: chat.checked ? '1' : null,
        ...changed,
        ...calculator.link(),
      };
    },
  };
}
