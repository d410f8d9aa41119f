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
import { mountAnalogyPanel } from './panels/analogy.js';
import { mountComparePanel } from './panels/compare.js';
import { mountContextPanel } from './panels/context.js';
import { mountKeywordsPanel } from './panels/keywords.js';
import { mountRoiPanel } from './panels/roi.js';
import { mountTokenizersPanel } from './panels/tokenizers.js';
import { LESSONS, choiceParam, ignoredParams, rawParam, rejectParam, textParam, updateUrl } from './url-state.js';

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
/**
 * Offline use: the service worker (sw.js) stores this build's files once the page is up; after
 * that the page opens without a network. Resolves to the stored build's version, or null.
 */
const offlineReady = (async () => {
  if (!('serviceWorker' in navigator)) return null;
  try {
    await navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { type: 'classic' });
    const worker = (await navigator.serviceWorker.ready).active;
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
client.addEventListener('restart', ({ detail }) => showNotices(appNotices, [{ text: detail, kind: 'error' }]));

translatePage();
document.querySelector('#language').addEventListener('click', () => setLanguage(language() === 'en' ? 'zh' : 'en'));

/** Shows one lesson's panel and marks its tab; remembered in the URL. */
function showLesson(lesson) {
  for (const id of LESSONS) document.getElementById(id).hidden = id !== lesson;
  for (const tab of document.querySelectorAll('#lessons [data-lesson]')) {
    tab.setAttribute('aria-current', tab.dataset.lesson === lesson ? 'page' : 'false');
  }
  updateUrl({ lesson: lesson === LESSONS[0] ? null : lesson });
}
document.querySelector('#lessons').addEventListener('click', (event) => {
  const tab = event.target.closest('[data-lesson]');
  if (tab) showLesson(tab.dataset.lesson);
});
showLesson(choiceParam('lesson', LESSONS) ?? LESSONS[0]);

/** Which encoder the lessons use: by language unless chosen; remembered in the URL. */
const encoderChoice = document.querySelector('#encoder-choice');
function setEncoderChoice(choice) {
  models.setEncoderChoice(choice);
  encoderChoice.value = choice;
  updateUrl({ encoder: choice === AUTO ? null : choice });
}
encoderChoice.addEventListener('change', () => setEncoderChoice(encoderChoice.value));
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
  presenter.setAttribute('aria-pressed', String(on));
  updateUrl({ present: on ? 1 : null });
}
presenter.addEventListener('click', () => setPresenter(!document.body.classList.contains('presenter')));
setPresenter(choiceParam('present', ['1']) === '1');

/** The panels, mounted while the worker starts (their requests queue behind its 'configure'). */
const mounted = (async () => {
  const presets = await loadData('presets.json');
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
  mountEncoderPanel(document.querySelector('#encoder'), { models, presets: presets.encoder });
  mountDecoderPanel(document.querySelector('#decoder'), { models, presets: presets.decoder });
  mountSurprisePanel(document.querySelector('#surprise'), { models, presets: presets.surprise });
  mountAnalogyPanel(document.querySelector('#analogy'), { models, presets: presets.analogy });
  mountKeywordsPanel(document.querySelector('#keywords'), { models, presets: presets.keywords });
  mountComparePanel(document.querySelector('#compare'), { models, presets: presets.compare });
  mountRoiPanel(document.querySelector('#roi'), { models });
  mountContextPanel(document.querySelector('#context'), { models, presets: presets.context });
  mountTokenizersPanel(document.querySelector('#tokenizers'), { models, presets: presets.tokenizers });
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
// A decoder named by its https address in the link is opened once the page is up; a failure is
// shown on the decoder panel, and the page's own decoders stay in use.
if (decoderUrl?.startsWith('https://')) {
  pageReady.then(() => document.querySelector('#decoder').dispatchEvent(new CustomEvent('open-gguf', { detail: { url: decoderUrl } })));
}
