// The page's entry point: configures the model worker (started by boot.js), wires the panels,
// installs the hook.
import { client } from './boot.js';
import { PRECISIONS } from './worker/threads.js';
import { loadData } from './data/index.js';
import { element, showNotices } from './ui/dom.js';
import { language, setLanguage, t, translatePage } from './i18n/index.js';
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
import { LESSONS, choiceParam, textParam, updateUrl } from './url-state.js';

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
models.setDecoderChoice(choiceParam('decoder', DECODERS) ?? AUTO);
decoderChoice.value = models.decoderChoice;
const decoderUrl = textParam('decoder');

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
        showError(error instanceof TypeError ? new Error(t('settings.badUrl', { url: base })) : error);
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
