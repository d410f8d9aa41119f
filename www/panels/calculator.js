// The calculator against GPT, in the "three ways" section: sums and products of a size the
// teacher picks, asked of the page's decoder in the page's language, each answer checked
// against the exact one, with its time and FLOPs beside one machine multiplication's.
// lessons/calculator.js asks and checks; this file only draws.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { askCalculator, makeQuestions } from '../lessons/calculator.js';
import { formatFlops } from '../ui/numbers.js';

/** The operation menu: its values as the link writes them, and the operations each asks. */
const OPERATION_CHOICES = { times: ['×'], plus: ['+'], both: ['×', '+'] };

export function mountCalculator(root, { models, link, seed }) {
  const $ = (selector) => root.querySelector(selector);
  const [digits, count] = [$('#calc-digits'), $('#calc-count')];
  const operations = $('#calc-operations');
  const table = $('#calc-table');
  const notices = $('#calc-notices');
  const summary = $('#calc-summary');
  let shown = null;

  const fillOperations = () => {
    const value = operations.value || link.choice('ops', Object.keys(OPERATION_CHOICES)) || 'both';
    operations.replaceChildren(...Object.keys(OPERATION_CHOICES).map((id) => element('option', { value: id }, t(`calc.ops.${id}`))));
    operations.value = value;
  };
  fillOperations();
  for (const [field, name] of [[digits, 'digits'], [count, 'questions']]) {
    const value = link.number(name, Number(field.min), Number(field.max));
    if (value !== null) field.value = String(value);
  }

  function draw() {
    if (!shown) return;
    const { results, machine, decoder } = shown;
    const head = element('tr', {}, ...['question', 'answer', 'right', 'time', 'flops'].map((c) => element('th', { scope: 'col' }, t(`calc.column.${c}`))));
    const rows = results.map((r) => element('tr', { className: r.right ? 'right' : 'wrong' },
      element('th', { scope: 'row' }, `${r.question} = ${r.expected}`),
      element('td', {}, element('q', {}, r.answer.trim())),
      element('td', {}, r.right ? t('calc.yes') : r.value === null ? t('calc.noNumber') : t('calc.no', { value: r.value })),
      element('td', {}, t('classify.ms', { ms: Math.round(r.ms).toLocaleString() })),
      element('td', {}, formatFlops(r.flops))));
    const machineRow = element('tr', { className: 'right' },
      element('th', { scope: 'row' }, t('calc.machine')), element('td', {}, t('calc.exact')), element('td', {}, t('calc.yes')),
      element('td', {}, t('calc.ns', { ns: machine.ns.toFixed(2) })), element('td', {}, formatFlops(machine.flops)));
    table.replaceChildren(element('thead', {}, head), element('tbody', {}, ...rows, machineRow));
    table.hidden = false;
    const right = results.filter((r) => r.right).length;
    const flops = results.reduce((sum, r) => sum + r.flops, 0) / results.length;
    const ms = results.reduce((sum, r) => sum + r.ms, 0) / results.length;
    summary.textContent = t('calc.summary', {
      decoder: models.opened(decoder)?.name ?? decoder, right, total: results.length, flops: formatFlops(flops),
      ms: Math.round(ms).toLocaleString(), times: new Intl.NumberFormat(language() === 'zh' ? 'zh-CN' : 'en', { notation: 'compact', compactDisplay: 'long', maximumSignificantDigits: 2 }).format(flops / machine.flops), ns: machine.ns.toFixed(2),
    });
    summary.dataset.outcome = 'right';
    table.dataset.right = String(right);
  }

  const button = $('#calc-run');
  async function run() {
    shown = null;
    table.hidden = true;
    summary.textContent = '';
    await runBusy({ root, button, stop: $('#calc-stop'), notices }, async (signal) => {
      const questions = makeQuestions({ count: Number(count.value) || 4, digits: Number(digits.value) || 3, operations: OPERATION_CHOICES[operations.value], seed: seed() });
      let progress = { done: 0, total: questions.length };
      try {
        shown = await askCalculator(models, questions, {
          lang: language(), signal,
          onProgress: (now) => {
            progress = now;
            showNotices(notices, [{ text: t('calc.progress', now) }]);
          },
        });
      } catch (error) {
        if (error.name === 'AbortError') error.stoppedMessage = t('calc.stopped', progress);
        throw error;
      }
      showNotices(notices, []);
      draw();
    });
  }
  button.addEventListener('click', run);
  onLanguageChange(() => {
    fillOperations();
    draw();
  });

  return {
    reset: () => {
      shown = null;
      digits.value = digits.defaultValue;
      count.value = count.defaultValue;
      operations.value = 'both';
    },
    summary: () => shown && summary.textContent,
    link: () => ({
      digits: digits.value === digits.defaultValue ? null : digits.value,
      questions: count.value === count.defaultValue ? null : count.value,
      ops: operations.value === 'both' ? null : operations.value,
    }),
  };
}
