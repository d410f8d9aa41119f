// Settings: where weights come from. `?weights=` wins, then the last value applied here, then
// models/ on this site.
import { formatBytes, t } from '../i18n/index.js';
import { HUGGING_FACE } from '../worker/weights.js';

const STORAGE_KEY = 'bert-vs-gpt.weights';

/**
 * What the worker is given: '' (models/ next to the manifest), 'huggingface', or an absolute
 * URL — a relative one is taken relative to this page, as a user would expect.
 */
export function resolveWeightsBase(value) {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === HUGGING_FACE) return trimmed;
  const url = new URL(trimmed, document.baseURI);
  // Weights come over http(s) only: not javascript:, data:, blob: or file: addresses.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`${url.protocol} is not http(s)`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** The weights base URL to start with, as typed ('' = models/ on this site). */
export function initialWeightsBase() {
  const asked = new URLSearchParams(location.search).get('weights');
  if (asked !== null) return asked.trim();
  try {
    return localStorage.getItem(STORAGE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function mountSettings(root, { weightsBase, apply, clearDownloads }) {
  const clear = root.querySelector('#clear-downloads');
  const cleared = root.querySelector('#clear-downloads-result');
  clear.addEventListener('click', async () => {
    clear.disabled = true;
    try {
      const { bytes } = await clearDownloads();
      cleared.textContent = t('settings.cleared', { size: formatBytes(bytes) });
    } catch (error) {
      cleared.textContent = t('settings.clearFailed', { message: error.message });
    } finally {
      clear.disabled = false;
    }
  });
  const input = root.querySelector('#weights-url');
  const form = root.querySelector('form');
  input.value = weightsBase;
  input.setAttribute('list', 'weights-suggestions');
  root.querySelector('#weights-suggestions').append(new Option(HUGGING_FACE));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    try {
      localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // applied, not remembered
    }
    await apply(value);
  });
}
