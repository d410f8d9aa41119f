// Lesson panel: the same text through BERT's WordPiece and GPT's byte-level BPE, as chips
// with their ids.
import { runBusy } from '../ui/busy.js';
import { showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { DECODER } from '../models.js';
import { mountPresetPicker } from '../ui/picker.js';
import { tokenChip } from '../ui/tokens.js';
import { textParam, updateUrl } from '../url-state.js';

const TINTS = ['#e3ecfb', '#fde7d9', '#dff3e8', '#efe2f8'];

export function mountTokenizersPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const input = $('#tokenizers-input');
  const button = $('#tokenizers-run');
  const notices = $('#tokenizers-notices');
  let shown = null;

  mountPresetPicker($('#tokenizers-preset'), presets, (preset) => (input.value = preset.text));
  input.value = textParam('tok') ?? (presets.find((p) => p.lang === language()) ?? presets[0]).text;

  const draw = () => {
    if (!shown) return;
    for (const [side, model, key] of [['bert', shown.encoder, 'tokenizers.bert'], ['gpt', DECODER, 'tokenizers.gpt']]) {
      const { ids, tokens } = shown[side];
      $(`#tokenizers-${side}-caption`).textContent = t(key, { model, count: ids.length });
      $(`#tokenizers-${side}`).replaceChildren(...tokens.map((piece, i) => {
        const chip = tokenChip(piece, { tint: TINTS[i % TINTS.length], title: `id ${ids[i]}`, caption: String(ids[i]) });
        chip.dataset.id = String(ids[i]);
        return chip;
      }));
    }
  };

  async function run() {
    if (!input.value) return showNotices(notices, [{ text: t('tokenizers.empty'), kind: 'error' }]);
    await runBusy({ root, button, notices }, async () => {
      const encoder = models.encoder;
      const [bert, gpt] = await Promise.all([models.tokenize(input.value, encoder), models.tokenize(input.value, DECODER)]);
      shown = { bert, gpt, encoder };
      showNotices(notices, []);
      updateUrl({ tok: input.value });
      draw();
    });
  }

  button.addEventListener('click', run);
  onLanguageChange(draw);
}
