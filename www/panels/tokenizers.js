// Lesson panel: the same text through BERT's WordPiece (or e5's Unigram) and two GPT tokenizers
// — SmolLM2's byte-level BPE and Gemma's SentencePiece, or the decoder in use when it is another
// — as chips with their ids.
import { runBusy } from '../ui/busy.js';
import { showNotices } from '../ui/dom.js';
import { onLanguageChange, t } from '../i18n/index.js';
import { DECODER, MULTILINGUAL_DECODER } from '../models.js';
import { mountTextPresets } from '../ui/presets.js';
import { ChipRow } from '../ui/tokens.js';
import { lessonParams } from '../url-state.js';

const TINTS = ['#e3ecfb', '#fde7d9', '#dff3e8', '#efe2f8'];

export function mountTokenizersPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#tokenizers-input');
  const button = $('#tokenizers-run');
  const notices = $('#tokenizers-notices');
  let shown = null;

  const link = lessonParams('tokenizers');
  const presetMenu = mountTextPresets($('#tokenizers-preset'), presets, { link, name: 'tok', input, text: (preset) => preset.text });

  const draw = () => {
    if (!shown) return;
    const rows = [['bert', shown.encoder, 'tokenizers.bert'], ['gpt', shown.decoders[0], 'tokenizers.gpt'], ['gpt2', shown.decoders[1], 'tokenizers.gpt']];
    for (const [side, id, key] of rows) {
      const { ids, tokens } = shown[side];
      const model = models.opened(id)?.name ?? id;
      $(`#tokenizers-${side}-caption`).textContent = t(key, { model, count: ids.length });
      const row = new ChipRow($(`#tokenizers-${side}`));
      row.clear();
      tokens.forEach((piece, i) => {
        const chip = row.add(i, piece, { tint: TINTS[i % TINTS.length], title: `id ${ids[i]}`, caption: String(ids[i]) });
        chip.dataset.id = String(ids[i]);
      });
    }
  };

  async function run() {
    if (!input.value) return showNotices(notices, [{ text: t('tokenizers.empty'), kind: 'error' }]);
    await runBusy({ root, button, notices }, async () => {
      const encoder = models.encoder;
      // The decoder in use first, then the shipped one it is not.
      const chosen = models.decoder;
      const decoders = [chosen, chosen === DECODER ? MULTILINGUAL_DECODER : DECODER];
      const [bert, gpt, gpt2] = await Promise.all([models.tokenize(input.value, encoder), ...decoders.map((id) => models.tokenize(input.value, id))]);
      shown = { bert, gpt, gpt2, encoder, decoders };
      showNotices(notices, []);
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
  return {
    run,
    reset: () => {
      shown = null;
      presetMenu.reset();
    },
    summary: () => (shown ? ['bert', 'gpt', 'gpt2'].map((side) => $(`#tokenizers-${side}-caption`).textContent).join(' · ') : null),
    link: presetMenu.params,
  };
}
