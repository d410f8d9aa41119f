// What the page says before loading a model this device's tab may not hold (see memory.js):
// what it would take and what the device is likely to give, "Load anyway", and unloading the
// models the lessons are not using now, if any. Shown in the model's status line and, when a
// lesson's run was refused, in a banner at the bottom of the screen.
import { element } from './dom.js';
import { t } from '../i18n/index.js';
import { TooLittleMemory } from '../models.js';

/** The warning for model `id` given its `fit`; `onAction` runs once a button was pressed. */
export function memoryWarning(models, id, fit, onAction = () => {}) {
  const warning = element('p', { className: 'memory-warning' }, TooLittleMemory.explain(models.opened(id)?.name ?? id, fit));
  warning.dataset.model = id;
  const anyway = element('button', { type: 'button', className: 'secondary', dataset: { memory: 'anyway' } }, t('memory.anyway'));
  anyway.addEventListener('click', () => {
    onAction();
    models.load(id, { anyway: true }).catch(() => {});
  });
  warning.append(' ', anyway);
  const others = models.unloadable(id);
  if (others.length) {
    const free = element('button', { type: 'button', className: 'secondary', dataset: { memory: 'unload' } }, t('memory.unload', { models: others.join(', ') }));
    free.addEventListener('click', () => {
      onAction();
      Promise.all(others.map((other) => models.unload(other))).catch(() => {});
    });
    warning.append(' ', free);
  }
  return warning;
}
