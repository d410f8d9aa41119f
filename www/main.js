// The page's entry point: configures the model worker (started by boot.js), wires the panels,
// installs the hook.
import { client, threadsParam } from './boot.js';
import { BUILD_CHOICES, PRECISIONS, maxThreads } from './worker/threads.js';
import { loadData } from './data/index.js';
import { element, showNotices } from './ui/dom.js';
import { LANGUAGES, language, onLanguageChange, setLanguage, t, translatePage } from './i18n/index.js';
import { installHook } from './hook.js';
import { AUTO, DECODERS, ENCODERS, Models } from './models.js';
import { mountDecoderPanel } from './panels/decoder.js';
import { mountEncoderPanel } from './panels/encoder.js';
import { initialWeightsBase, mountSettings, resolveWeightsBase } from './panels/settings.js';
import { mountSurprisePanel } from './panels/surprise.js';
import { mountInsidePanel } from './panels/inside.js';
import { mountAnalogyPanel } from './panels/analogy.js';
import { mountComparePanel } from './panels/compare.js';
import { mountContextPanel } from './panels/context.js';
import { mountKeywordsPanel } from './panels/keywords.js';
import { mountRoiPanel } from './panels/roi.js';
import { mountClassifyPanel } from './panels/classify.js';
import { mountTokenizersPanel } from './panels/tokenizers.js';
import { LESSONS, choiceParam, ignoredParams, lessonParams, linkLesson, linkedLesson, rawParam, rejectParam, textParam, updateUrl } from './url-state.js';
import { exportChart, exportTable, redrawCharts } from './ui/plots.js';
import { clearResults } from './ui/results.js';
import { memoryWarning } from './ui/memory-warning.js';

const manifestUrl = new URL('models/manifest.json', document.baseURI).href;
const models = new Models(client);
const appNotices = document.querySelector('#app-notices');
const showError = (error) => showNotices(appNotices, [{ text: error.message, kind: 'error' }]);

let weightsBase = initialWeightsBase();
let resolvedBase;
try {
  resolvedBase = resolveWeightsBase(weightsBase);
} catch {
  showNotices(appNotices, [{ text: t('settings.badUrl', { url: weightsBase }), kind: 'error' }]);
  weightsBase = resolvedBase = '';
}

const ready = client.call('configure', { manifestUrl, weightsBase: resolvedBase }).then(() => undefined);
/** Set for this tab once it has reloaded to become cross-origin isolated, so it does so once. */
const ISOLATION_RELOAD = 'bert-vs-gpt-isolation-reload';
/**
 * A page its host served without COOP/COEP gets them from the service worker (sw.js), which
 * only sees the page's next load: reload once it controls this page, if threads would help.
 */
function reloadIsolated() {
  if (crossOriginIsolated || threadsParam.threads < 2 || sessionStorage.getItem(ISOLATION_RELOAD)) return;
  sessionStorage.setItem(ISOLATION_RELOAD, '1');
  if (navigator.serviceWorker.controller) location.reload();
  else navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
}
/**
 * Offline use: the service worker (sw.js) stores this build's files once the page is up; after
 * that the page opens without a network. Resolves to the stored build's version, or null.
 */
const offlineReady = (async () => {
  if (!('serviceWorker' in navigator)) return null;
  try {
    await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { type: 'classic' });
    const worker = (await navigator.serviceWorker.ready).active;
    reloadIsolated();
    const answer = new Promise((resolve) => {
      navigator.serviceWorker.addEventListener('message', ({ data }) => {
        if (data?.type === 'stored') resolve(data.version);
        if (data?.type === 'store-failed') resolve(null);
      });
    });
    navigator.serviceWorker.startMessages();
    worker.postMessage({ type: 'store' });
    return await answer;
  } catch {
    return null; // e.g. a private window without service workers: the page works online
  }
})();

// Threads need a cross-origin isolated page; say so when this one is not and the machine has more.
ready
  .then(() => client.call('stats'))
  .then(({ threadsShortBecause }) => {
    if (!threadsShortBecause) return;
    const notice = element('p', { className: 'notice info', id: 'thread-notice' }, t(`app.oneThread.${threadsShortBecause}`));
    notice.dataset.i18n = `app.oneThread.${threadsShortBecause}`;
    appNotices.append(notice);
  })
  .catch(() => {}); // a worker that cannot start is reported where `ready` is awaited
// Outside a secure context (http from another machine) the browser gives no storage: say so.
if (!window.isSecureContext) {
  appNotices.append(element('p', { className: 'notice info', id: 'insecure-notice', dataset: { i18n: 'app.insecure' } }, t('app.insecure')));
}
// A lesson's run that was refused for want of memory: what it would take, and a way on, in a
// banner that stays in sight at the bottom of the screen until a choice is made.
const memoryNotice = document.querySelector('#memory-notice');
models.addEventListener('memory', ({ detail: { id, fit } }) => {
  const close = element('button', { type: 'button', className: 'secondary', dataset: { memory: 'close' }, ariaLabel: t('memory.close') }, '×');
  close.addEventListener('click', () => memoryNotice.replaceChildren());
  const warning = memoryWarning(models, id, fit, () => memoryNotice.replaceChildren());
  warning.append(' ', close);
  memoryNotice.replaceChildren(warning);
});
client.addEventListener('restart', ({ detail }) => showNotices(appNotices, [{ text: detail, kind: 'error' }]));

translatePage();
/** The language, in the URL too, so a shared link opens in the language it was made in. */
document.querySelector('#language').addEventListener('click', () => {
  setLanguage(language() === 'en' ? 'zh' : 'en');
  updateUrl({ lang: language() });
});

/** The guided path: the lessons in the essay's order, introduction to conclusion. */
const PATH = ['intro', 'encoder', 'decoder', 'surprise', 'inside', 'analogy', 'keywords', 'compare', 'roi', 'classify', 'context', 'tokenizers', 'summary'];
/** Each mounted lesson's `{ run, link, reset, summary, costly }` (see the panels), by lesson id. */
const panels = {};
let currentLesson = linkedLesson();
/** Writes the lesson on screen and its inputs to the URL; `push` for a new history entry. */
function linkCurrent(push = false) {
  linkLesson(currentLesson, panels[currentLesson]?.link() ?? {}, { push });
}
/** Shows one lesson's panel and marks its tab; the summary is written as it is shown. */
function showLesson(lesson) {
  currentLesson = lesson;
  if (lesson === 'summary') showSummary();
  for (const id of LESSONS) document.getElementById(id).hidden = id !== lesson;
  for (const tab of document.querySelectorAll('#lessons [data-lesson]')) {
    tab.setAttribute('aria-current', tab.dataset.lesson === lesson ? 'page' : 'false');
  }
}
// A switch of lesson is a history entry, so Back and Forward move between lessons.
document.querySelector('#lessons').addEventListener('click', (event) => {
  const tab = event.target.closest('[data-lesson]');
  if (tab) goTo(tab.dataset.lesson);
});
window.addEventListener('popstate', () => {
  showLesson(linkedLesson());
  linkCurrent();
});
// Every edit in the lesson on screen is in its link at once.
for (const type of ['input', 'change']) {
  document.addEventListener(type, (event) => {
    if (event.target.closest?.('section.panel')?.id === currentLesson) linkCurrent();
  });
}
showLesson(currentLesson);

/** A button that goes to `lesson`, named by its tab. */
function goButton(lesson, labelKey = null) {
  const button = element('button', { type: 'button', className: labelKey ? '' : 'secondary' });
  if (labelKey) button.append(element('span', { dataset: { i18n: labelKey } }), ' → ');
  button.append(element('span', { dataset: { i18n: `nav.${lesson}` } }));
  button.dataset.go = lesson;
  return button;
}
// Each lesson ends with how it links to the essay, a Reset and the next lesson on the path.
PATH.forEach((lesson, i) => {
  const section = document.getElementById(lesson);
  if (lesson === 'summary') return;
  const footer = element('div', { className: 'next' }, element('p', { dataset: { i18n: `next.${lesson}` } }));
  const buttons = element('div', { className: 'controls' }, goButton(PATH[i + 1], 'next.label'));
  if (lesson !== 'intro') {
    const reset = element('button', { type: 'button', className: 'secondary', dataset: { reset: lesson } }, element('span', { dataset: { i18n: 'next.reset' } }));
    buttons.append(reset);
  }
  footer.append(buttons);
  section.append(footer);
});
for (const slot of document.querySelectorAll('.go-to[data-lessons]')) {
  slot.append(...slot.dataset.lessons.split(' ').map((lesson) => goButton(lesson)));
}
translatePage();
// Every chart can be saved as PNG or SVG, every table as CSV, named by its element.
for (const plot of document.querySelectorAll('.plot')) {
  plot.after(element('div', { className: 'plot-tools' },
    ...['png', 'svg'].map((type) => element('button', { type: 'button', className: 'secondary', title: `${plot.id}.${type}`, onclick: () => exportChart(plot, plot.id, type) }, type.toUpperCase()))));
}
for (const table of document.querySelectorAll('table')) {
  table.after(element('div', { className: 'plot-tools' },
    element('button', { type: 'button', className: 'secondary', title: `${table.id}.csv`, onclick: () => exportTable(table, table.id) }, 'CSV')));
}
function goTo(lesson) {
  if (lesson === currentLesson) return;
  showLesson(lesson);
  linkCurrent(true);
  document.getElementById(lesson).scrollIntoView({ block: 'start' });
}
document.addEventListener('click', (event) => {
  const go = event.target.closest('[data-go]');
  if (go) goTo(go.dataset.go);
  const reset = event.target.closest('[data-reset]');
  if (reset) resetLesson(reset.dataset.reset);
});
/** Resolves once `section` runs nothing: not busy, and no Stop button it could press. */
function whenIdle(section) {
  const idle = () => !section.hasAttribute('aria-busy') && !section.querySelector('[data-stop]:not(:disabled)');
  return new Promise((resolve) => {
    if (idle()) return resolve();
    const observer = new MutationObserver(() => {
      if (!idle()) return;
      observer.disconnect();
      resolve();
    });
    observer.observe(section, { attributes: true, subtree: true, attributeFilter: ['aria-busy', 'disabled'] });
  });
}
/** A lesson as it first opened: its run stopped, its inputs back to the language's preset, its
 * results gone. */
async function resetLesson(lesson) {
  const section = document.getElementById(lesson);
  section.querySelector('[data-stop]:not(:disabled)')?.click();
  await whenIdle(section);
  panels[lesson]?.reset?.();
  clearResults(section);
  linkCurrent();
}
/** The closing summary: what each lesson showed this session, in the path's order. */
function showSummary() {
  const items = PATH.filter((lesson) => panels[lesson]).map((lesson) => {
    const said = panels[lesson].summary?.() ?? null;
    return element('li', { className: said ? '' : 'not-run' },
      element('strong', {}, t(`nav.${lesson}`)), ': ', said ?? t('summary.notRun'));
  });
  document.querySelector('#summary-list').replaceChildren(...items);
}
onLanguageChange(() => currentLesson === 'summary' && showSummary());
// Enter in a one-line input, or Ctrl+Enter (⌘+Enter) in a text box, runs the lesson on screen.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.isComposing) return;
  const panel = event.target.closest?.('section.panel');
  if (!panel || panel.id !== currentLesson) return;
  const field = event.target;
  const oneLine = field.matches('input[type=text], input[type=number]');
  const box = field.matches('textarea') && (event.ctrlKey || event.metaKey);
  if (!oneLine && !box) return;
  const primary = panel.querySelector('[data-primary]');
  if (!primary || primary.disabled) return;
  event.preventDefault();
  primary.click();
});

/** Which encoder the lessons use: by language unless chosen; remembered in the URL. */
const encoderChoice = document.querySelector('#encoder-choice');
function setEncoderChoice(choice) {
  models.setEncoderChoice(choice);
  encoderChoice.value = choice;
  updateUrl({ encoder: choice === AUTO ? null : choice });
}
encoderChoice.addEventListener('change', () => setEncoderChoice(encoderChoice.value));
// A lesson may switch the encoder too (offering e5 for Chinese text): the menu and URL follow.
models.addEventListener('encoder', () => {
  encoderChoice.value = models.encoderChoice;
  updateUrl({ encoder: models.encoderChoice === AUTO ? null : models.encoderChoice });
});
setEncoderChoice(choiceParam('encoder', ENCODERS) ?? AUTO);

/** Which decoder the lessons use: by language unless chosen; remembered in the URL. A decoder
 * opened from an https address is remembered as that address (`decoder=https://…/x.gguf`
 * opens it again); one opened from a file cannot be put in a link. */
const decoderChoice = document.querySelector('#decoder-choice');
function decoderParam(choice) {
  const opened = models.opened(choice);
  if (choice === AUTO || (opened && !opened.source.startsWith('https:'))) return null;
  return opened ? opened.source : choice;
}
function showDecoderOptions() {
  const listed = new Set([...decoderChoice.options].map((option) => option.value));
  for (const id of models.decoders) {
    if (!listed.has(id)) decoderChoice.append(element('option', { value: id }, models.opened(id)?.name ?? id));
  }
  for (const option of [...decoderChoice.options]) {
    if (option.value !== AUTO && !models.decoders.includes(option.value)) option.remove();
  }
  decoderChoice.value = models.decoderChoice;
}
decoderChoice.addEventListener('change', () => models.setDecoderChoice(decoderChoice.value));
models.addEventListener('decoders', showDecoderOptions);
models.addEventListener('decoder', () => {
  decoderChoice.value = models.decoderChoice;
  updateUrl({ decoder: decoderParam(models.decoderChoice) });
});
// ?decoder= is one of the page's decoders or the https address of a GGUF file.
const decoderAsked = textParam('decoder');
const decoderUrl = decoderAsked?.startsWith('https://') ? decoderAsked : null;
if (decoderAsked !== null && !decoderUrl && !DECODERS.includes(decoderAsked)) {
  rejectParam('decoder', decoderAsked, { kind: 'decoder' });
}
models.setDecoderChoice(DECODERS.includes(decoderAsked) ? decoderAsked : AUTO);
decoderChoice.value = models.decoderChoice;

/** MiniLM's weights, f32 or int16 (faster); remembered in the URL, which boot.js gives the worker. */
const precisionChoice = document.querySelector('#precision-choice');
precisionChoice.value = choiceParam('precision', PRECISIONS) ?? 'f32';
precisionChoice.addEventListener('change', () => models.setPrecision(precisionChoice.value));
models.addEventListener('precision', ({ detail: precision }) => {
  precisionChoice.value = precision;
  updateUrl({ precision: precision === 'f32' ? null : precision });
});

/** Presenter mode: large type for a projector; remembered in the URL. */
const presenter = document.querySelector('#presenter');
function setPresenter(on) {
  document.body.classList.toggle('presenter', on);
  redrawCharts();
  presenter.setAttribute('aria-pressed', String(on));
  updateUrl({ present: on ? 1 : null });
}
presenter.addEventListener('click', () => setPresenter(!document.body.classList.contains('presenter')));
setPresenter(choiceParam('present', ['1']) === '1');

/** The panels, mounted while the worker starts (their requests queue behind its 'configure'). */
const mounted = (async () => {
  const [presets, { datasets }] = await Promise.all([loadData('presets.json'), loadData('datasets.json')]);
  mountSettings(document.querySelector('#settings'), {
    weightsBase,
    clearDownloads: () => models.clearDownloads(),
    apply: async (base) => {
      try {
        await models.configure(manifestUrl, resolveWeightsBase(base));
        showNotices(appNotices, []);
      } catch (error) {
        showError(error instanceof TypeError ? new Error(t('settings.badUrlApply', { url: base })) : error);
      }
    },
  });
  Object.assign(panels, {
    encoder: mountEncoderPanel(document.querySelector('#encoder'), { models, presets: presets.encoder }),
    decoder: mountDecoderPanel(document.querySelector('#decoder'), { models, presets: presets.decoder }),
    surprise: mountSurprisePanel(document.querySelector('#surprise'), { models, presets: presets.surprise }),
    inside: mountInsidePanel(document.querySelector('#inside'), { models, presets: presets.inside }),
    analogy: mountAnalogyPanel(document.querySelector('#analogy'), { models, presets: presets.analogy }),
    keywords: mountKeywordsPanel(document.querySelector('#keywords'), { models, presets: presets.keywords }),
    compare: mountComparePanel(document.querySelector('#compare'), { models, presets: presets.compare }),
    roi: mountRoiPanel(document.querySelector('#roi'), { models }),
    classify: mountClassifyPanel(document.querySelector('#classify'), { models, datasets }),
    context: mountContextPanel(document.querySelector('#context'), { models, presets: presets.context }),
    tokenizers: mountTokenizersPanel(document.querySelector('#tokenizers'), { models, presets: presets.tokenizers }),
  });
  linkCurrent();
  if (currentLesson === 'summary') showSummary();
})();
// Link parameters the page could not use: said once, in the page's language.
choiceParam('lang', LANGUAGES);
if (threadsParam.ignored) rejectParam('threads', rawParam('threads'), { kind: 'threads', max: maxThreads() });
choiceParam('build', BUILD_CHOICES);
/** What a parameter would have needed to be, in words. */
function expected({ kind, ...detail }) {
  if (kind === 'choice') return t('params.expect.choice', { choices: detail.choices.join(', ') });
  if (kind === 'decoder') return t('params.expect.decoder', { choices: DECODERS.join(', ') });
  return t(`params.expect.${kind}`, detail);
}
function showParamNotice() {
  const sentences = [];
  if (threadsParam.clamped) {
    sentences.push(t('params.threadsClamped', { asked: rawParam('threads'), threads: threadsParam.threads }));
  }
  const ignored = ignoredParams();
  if (ignored.length) {
    const shown = (value) => (value.length > 60 ? `${value.slice(0, 60)}…` : value);
    const list = ignored.map((p) => t('params.item', { name: p.name, value: shown(p.value), expected: expected(p.expected) })).join(t('params.separator'));
    sentences.push(t('params.ignored', { list }));
  }
  document.querySelector('#param-notice')?.remove();
  if (sentences.length) appNotices.append(element('p', { className: 'notice info', id: 'param-notice' }, sentences.join(' ')));
}
mounted.then(showParamNotice, () => {});
onLanguageChange(() => mounted.then(showParamNotice, () => {}));

/** The hook's `ready`: the worker is configured and every button is wired. */
const pageReady = Promise.all([ready, mounted]).then(() => undefined);
pageReady.catch((error) => {
  showNotices(appNotices, [{ text: t('app.workerFailed', { message: error.message }), kind: 'error' }]);
});
installHook({ ready: pageReady, models, offlineReady });
// A link that sets a lesson's inputs runs that lesson on opening, unless it takes minutes (the
// ROI task, the context timings): then its button says it is waiting for a click.
const linkedRun = lessonParams(currentLesson).given ? currentLesson : null;
if (linkedRun) {
  pageReady.then(() => {
    if (!panels[linkedRun].costly) return panels[linkedRun].run();
    const button = document.getElementById(`${linkedRun}-run`);
    showNotices(document.getElementById(`${linkedRun}-notices`), [{ text: t('link.costly', { button: button.textContent }) }]);
    button.classList.add('waiting');
    button.addEventListener('click', () => button.classList.remove('waiting'), { once: true });
    button.focus();
  });
}
// A decoder named by its https address in the link is opened once the page is up; a failure is
// shown on the decoder panel, and the page's own decoders stay in use.
if (decoderUrl?.startsWith('https://')) {
  pageReady.then(() => document.querySelector('#decoder').dispatchEvent(new CustomEvent('open-gguf', { detail: { url: decoderUrl } })));
}
