// A <select> whose option labels follow the page language. Used for presets (presets.js, with a
// "choose a preset…" first option) and for choices such as the projection method.
import { element } from './dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';

/**
 * Fills `select` with `items` ({id, label: {en, zh}}) and calls `onPick(item)` when one is
 * chosen. With `placeholder` (an i18n key) the first option picks nothing.
 */
export function mountPicker(select, items, onPick, { placeholder = null } = {}) {
  const fill = () => {
    const chosen = select.value;
    const options = items.map((item) => element('option', { value: item.id }, item.label[language()] ?? item.label.en));
    select.replaceChildren(...(placeholder ? [element('option', { value: '' }, t(placeholder))] : []), ...options);
    if (chosen) select.value = chosen;
  };
  select.addEventListener('change', () => {
    const item = items.find((candidate) => candidate.id === select.value);
    if (item) onPick(item);
  });
  onLanguageChange(fill);
  fill();
}

export const PROJECTIONS = [
  { id: 'pca', label: { en: 'PCA (a linear shadow)', zh: 'PCA（线性投影）' } },
  { id: 'tsne', label: { en: 't-SNE (keeps neighbourhoods)', zh: 't-SNE（保留近邻关系）' } },
];

/** A projection-method menu showing `initial`; `onPick(method)` with 'pca' or 'tsne'. */
export function mountProjectionPicker(select, onPick, initial = 'pca') {
  mountPicker(select, PROJECTIONS, (item) => onPick(item.id));
  select.value = initial;
}
