// A lesson's presets: the menu, the preset shown first in each language, and which preset (if
// any) is on screen. The menu names the preset on screen and goes back to "choose a preset…" as
// soon as the reader edits an input; an unedited default follows the page's language, so a
// Chinese class sees Chinese inputs without touching anything.
import { language, onLanguageChange } from '../i18n/index.js';
import { mountPicker } from './picker.js';
import { rejectParam } from '../url-state.js';

/** The event a preset menu fires on itself after it has filled the panel's inputs. */
export const PRESET_SHOWN = 'preset-shown';

/** The preset a lesson shows first in `lang`: one whose `default` names it, else the first
 * whose `lang` is it, else the first. */
function presetFor(presets, lang) {
  return presets.find((p) => p.default?.includes(lang)) ?? presets.find((p) => p.lang === lang) ?? presets[0];
}

/**
 * Mounts the menu `select` over `presets` ({id, label: {en, zh}, …}). `apply(preset)` fills the
 * panel's inputs; an `input` or `change` event on any of `inputs` is an edit. The preset shown
 * first is the link's `linked` id (a `?preset=` the panel read), else the language's one, unless
 * `restored` (the link gave the inputs themselves). `onChange(preset | null)` is called after
 * every apply and edit; after an apply `select` fires PRESET_SHOWN too. Returns
 * `{ current(), reset() }`: the preset on screen (null once edited), and going back to the
 * language's preset.
 */
export function mountPresets(select, presets, { apply, inputs = [], linked = null, restored = false, onChange = () => {} }) {
  let current = null;
  const show = (preset) => {
    apply(preset);
    current = preset;
    select.value = preset.id;
    onChange(preset);
    // Inputs filled by code fire no `input` event: whoever reads them (language-fit.js) hears this.
    select.dispatchEvent(new Event(PRESET_SHOWN));
  };
  mountPicker(select, presets, show, { placeholder: 'preset.choose' });
  const edited = () => {
    if (current === null) return;
    current = null;
    select.value = '';
    onChange(null);
  };
  for (const input of inputs) {
    input.addEventListener('input', edited);
    input.addEventListener('change', edited);
  }
  let shownLanguage = language();
  onLanguageChange(() => {
    const before = presetFor(presets, shownLanguage);
    shownLanguage = language();
    if (current === before) show(presetFor(presets, shownLanguage));
  });
  const chosen = linked === null ? null : presets.find((p) => p.id === linked);
  if (linked !== null && !chosen) rejectParam('preset', linked, { kind: 'choice', choices: presets.map((p) => p.id) });
  if (!restored) show(chosen ?? presetFor(presets, language()));
  return {
    current: () => current,
    reset: () => show(presetFor(presets, language())),
  };
}

/**
 * Presets for a lesson whose input is one text box: `input` holds `text(preset)`, and the
 * link's `name` parameter (from `link`, url-state's lessonParams) restores an edited text, as
 * `preset` restores a preset. Returns mountPresets' handle plus `params()`: the link's
 * parameters for what is on screen (the preset's id, or the edited text).
 */
export function mountTextPresets(select, presets, { link, name, input, text }) {
  const restored = link.text(name);
  const menu = mountPresets(select, presets, {
    apply: (preset) => (input.value = text(preset)),
    inputs: [input],
    linked: link.text('preset'),
    restored: restored !== null,
  });
  if (restored !== null) input.value = restored;
  return {
    ...menu,
    params: () => ({ preset: menu.current()?.id ?? null, [name]: menu.current() ? null : input.value }),
  };
}
