// The page's entry point: starts the model worker, wires the panels, installs the hook.
import { WorkerClient } from './client.js';
import { showNotices } from './dom.js';
import { language, setLanguage, t, translatePage } from './i18n.js';
import { installHook } from './hook.js';
import { Models } from './models.js';
import { mountDecoderPanel } from './panels/decoder.js';
import { mountEncoderPanel } from './panels/encoder.js';
import { initialWeightsBase, mountSettings, resolveWeightsBase } from './panels/settings.js';
import { mountSurprisePanel } from './panels/surprise.js';

const manifestUrl = new URL('models/manifest.json', document.baseURI).href;
const client = new WorkerClient(new URL('./worker.js', import.meta.url));
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
installHook({ ready, models });

translatePage();
document.querySelector('#language').addEventListener('click', () => setLanguage(language() === 'en' ? 'zh' : 'en'));

try {
  await ready;
  const presets = await (await fetch(new URL('./presets.json', import.meta.url))).json();
  mountSettings(document.querySelector('#settings'), {
    weightsBase,
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
} catch (error) {
  showNotices(appNotices, [{ text: t('app.workerFailed', { message: error.message }), kind: 'error' }]);
}
