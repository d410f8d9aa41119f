// Running a panel's work: its button disabled and the panel marked busy while it runs, a
// Stop button (if any) that aborts it, and any failure shown in the panel's notices. One
// place, so no panel can leave a spinner stuck or swallow an error.
import { showNotices } from './dom.js';
import { t } from '../i18n/index.js';

/**
 * Runs `work(signal)`; `stop` (optional) aborts `signal`. Resolves to work's result, or
 * undefined when it failed or was stopped (the notices say which).
 */
export async function runBusy({ root, button, stop = null, notices }, work) {
  const controller = new AbortController();
  const abort = () => controller.abort();
  button.disabled = true;
  root.setAttribute('aria-busy', 'true');
  if (stop) {
    stop.disabled = false;
    stop.addEventListener('click', abort);
  }
  try {
    return await work(controller.signal);
  } catch (error) {
    const stopped = error.name === 'AbortError';
    // A stopped run may say how far it got (`stoppedMessage`).
    showNotices(notices, [{ text: stopped ? (error.stoppedMessage ?? t('busy.stopped')) : error.message, kind: stopped ? 'info' : 'error' }]);
    return undefined;
  } finally {
    button.disabled = false;
    root.removeAttribute('aria-busy');
    if (stop) {
      stop.disabled = true;
      stop.removeEventListener('click', abort);
    }
  }
}
