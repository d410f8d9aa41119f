// One model's status line: before the first download it says what will be fetched and how
// big it is; while loading, a progress bar per file; afterwards, what was loaded.
import { element } from './dom.js';
import { formatBytes, onLanguageChange, t } from '../i18n/index.js';
import { memoryWarning } from './memory-warning.js';

function summary(id, state) {
  const { phase, plan, info, error } = state;
  if (phase === 'loaded') {
    if (!info.contextLength) return t('model.loaded', { model: id, dim: info.dim, max: info.maxTokens });
    const capped = info.trainedContextLength > info.contextLength;
    const line = t(capped ? 'model.loadedDecoderCapped' : 'model.loadedDecoder', {
      model: id,
      context: info.contextLength.toLocaleString(),
      trained: info.trainedContextLength?.toLocaleString(),
    });
    return info.chat === false ? `${line} ${t('model.base')}` : line;
  }
  if (phase === 'loading') return t('model.loading', { model: id });
  if (phase === 'failed') return `${t('model.failed', { model: id })} ${error}`;
  if (!plan) return error ?? t('model.unknown');
  const source = plan.source === 'models/' ? t('model.sameSite') : plan.source;
  if (plan.downloadBytes === 0) return t('model.cached', { model: id, size: formatBytes(plan.totalBytes) });
  const missing = plan.files.filter((f) => !f.cached).length;
  if (missing < plan.files.length) return t('model.partlyCached', { model: id, size: formatBytes(plan.downloadBytes), source });
  const files = missing === 1 ? t('model.oneFile') : t('model.files', { count: missing });
  return t('model.notCached', { model: id, files, size: formatBytes(plan.downloadBytes), source });
}

function fileRow({ file, phase, loaded, total }) {
  const row = element('div', { className: 'file-progress' });
  row.dataset.file = file;
  row.append(
    element('span', { className: 'file-name' }, file),
    element('progress', { max: total, value: loaded }),
    element('span', { className: 'file-bytes' }, `${formatBytes(loaded)} / ${formatBytes(total)} · ${t(`progress.${phase}`)}`),
  );
  return row;
}

/** Keeps `container` showing the state of model `which` (an id, or a function giving one). */
export function showModelStatus(container, models, which) {
  const current = typeof which === 'function' ? which : () => which;
  let id = current();
  const render = () => {
    const state = models.state(id);
    const name = models.opened(id)?.name ?? id;
    const line = element('p', { className: `model-summary ${state.phase}` }, summary(name, state));
    line.dataset.phase = state.phase;
    const parts = [line];
    // A licence other than the page's usual open ones is named, with its terms, wherever the
    // model is offered.
    if (state.plan?.licenseUrl) {
      const link = element('a', { href: state.plan.licenseUrl, target: '_blank', rel: 'noopener' }, state.plan.license);
      parts.push(element('p', { className: 'model-license' }, t('model.license'), ' ', link));
    }
    if (state.phase === 'idle' && state.plan?.downloadBytes > 0) {
      const button = element('button', { type: 'button', className: 'secondary' }, t('model.download'));
      button.addEventListener('click', () => models.load(id).catch(() => {}));
      line.append(' ', button);
    }
    const fit = state.phase === 'idle' && !state.anyway ? models.memoryFit(id) : null;
    if (fit && !fit.fits) parts.push(memoryWarning(models, id, fit));
    if (state.phase === 'loading') {
      parts.push(...Object.values(state.files).map(fileRow));
      if (state.compiling) parts.push(element('p', { className: 'compiling' }, t('progress.compile')));
    }
    parts.push(...state.notices.map((notice) => element('p', { className: 'notice' }, notice)));
    container.replaceChildren(...parts);
  };
  // Any model loading or unloading changes what this one would bring the tab to.
  models.addEventListener('change', render);
  const follow = () => {
    if (current() === id) return;
    id = current();
    render();
    if (!models.opened(id)) models.refreshPlan(id);
  };
  models.addEventListener('encoder', follow);
  models.addEventListener('decoder', follow);
  onLanguageChange(render);
  render();
  if (!models.opened(id)) models.refreshPlan(id);
}
