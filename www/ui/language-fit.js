// A lesson whose model cannot read the text's language says so before it runs, and offers the
// model that can: Chinese text with the English-only MiniLM or SmolLM2 gets a notice with a
// button that switches the header's Encoder (or Decoder) menu to e5 (or Gemma).
import { element } from './dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { DECODER, ENCODER, MULTILINGUAL_DECODER, MULTILINGUAL_ENCODER } from '../models.js';
import { PRESET_SHOWN } from './presets.js';

/** The English-only models, and the model to offer instead, by kind. */
const ENGLISH_ONLY = {
  encoder: { model: ENCODER, instead: MULTILINGUAL_ENCODER },
  decoder: { model: DECODER, instead: MULTILINGUAL_DECODER },
};

/**
 * Keeps `slot` (an element) saying whether the `kind` ('encoder' or 'decoder') model in use can
 * read the text `read()` returns; checked when any of `inputs` is edited or is a preset menu
 * that shows a preset (Reset, a change of language), and when the model or language changes.
 */
export function mountLanguageFit(slot, { models, kind, read, inputs = [] }) {
  const { model, instead } = ENGLISH_ONLY[kind];
  const check = () => {
    const inUse = kind === 'encoder' ? models.encoder : models.decoder;
    if (inUse !== model || !/\p{Script=Han}/u.test(read())) {
      slot.replaceChildren();
      slot.hidden = true;
      return;
    }
    const use = element('button', { type: 'button', className: 'secondary' }, t('fit.use', { model: instead }));
    use.addEventListener('click', () => (kind === 'encoder' ? models.setEncoderChoice(instead) : models.setDecoderChoice(instead)));
    slot.replaceChildren(element('span', {}, t(`fit.${kind}`, { model, instead })), ' ', use);
    slot.hidden = false;
  };
  for (const input of inputs) {
    input.addEventListener('input', check);
    input.addEventListener(PRESET_SHOWN, check);
  }
  models.addEventListener(kind, check);
  onLanguageChange(check);
  check();
}
