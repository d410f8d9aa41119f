// A <select> of presets whose labels follow the page language; choosing one calls onPick.
import { element } from './dom.js';
import { language, onLanguageChange, t } from './i18n.js';

export function mountPresetPicker(select, presets, onPick) {
  const fill = () => {
    const chosen = select.value;
    select.replaceChildren(
      element('option', { value: '' }, t('preset.choose')),
      ...presets.map((p) => element('option', { value: p.id }, p.label[language()] ?? p.label.en)),
    );
    select.value = chosen;
  };
  select.addEventListener('change', () => {
    const preset = presets.find((p) => p.id === select.value);
    if (preset) onPick(preset);
  });
  onLanguageChange(fill);
  fill();
}
