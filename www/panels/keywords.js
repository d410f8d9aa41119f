// Lesson panel: keyword extraction. KeyBERT (embeddings + cosine, MMR diversity slider) next
// to GPT asked to "list the keywords", each with the time it took.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, t } from '../i18n/index.js';
import { gptKeywords, keybert } from '../lessons/keywords.js';
import { mountPresetPicker } from '../ui/picker.js';
import { numberParam, textParam, updateUrl } from '../url-state.js';

export function mountKeywordsPanel(root, { models, presets }) {
  const $ = (selector) => root.querySelector(selector);
  const documentInput = $('#keywords-document');
  const diversity = $('#keywords-diversity');
  const diversityValue = $('#keywords-diversity-value');
  const button = $('#keywords-run');
  const notices = $('#keywords-notices');
  const list = $('#keywords-keybert');
  const keybertTime = $('#keywords-keybert-time');
  const gptOut = $('#keywords-gpt');
  const gptTime = $('#keywords-gpt-time');
  /** The document the KeyBERT list belongs to: moving the slider re-ranks it. */
  let ranked = null;

  mountPresetPicker($('#keywords-preset'), presets, (preset) => (documentInput.value = preset.text));
  documentInput.value = textParam('doc') ?? (presets.find((p) => p.lang === language()) ?? presets[0]).text;
  diversity.value = String(numberParam('diversity', 0, 1) ?? 0.5);
  const showDiversity = () => (diversityValue.textContent = Number(diversity.value).toFixed(2));
  showDiversity();

  const rank = async () => {
    const result = await keybert(models, ranked, { diversity: Number(diversity.value) });
    list.replaceChildren(...result.keywords.map((k) => element('li', {}, element('span', { className: 'score' }, k.score.toFixed(3)), ' ', k.phrase)));
    return result;
  };

  diversity.addEventListener('input', showDiversity);
  diversity.addEventListener('change', async () => {
    updateUrl({ diversity: diversity.value });
    if (ranked === documentInput.value) await rank().catch((error) => showNotices(notices, [{ text: error.message, kind: 'error' }]));
  });

  async function run() {
    const text = documentInput.value;
    if (!text.trim()) return showNotices(notices, [{ text: t('keywords.empty'), kind: 'error' }]);
    showNotices(notices, []);
    list.replaceChildren();
    gptOut.textContent = '';
    keybertTime.textContent = t('keywords.working');
    gptTime.textContent = '';
    updateUrl({ doc: text });
    await runBusy({ root, button, notices }, async () => {
      ranked = text;
      const result = await rank();
      keybertTime.textContent = t('keywords.keybertTime', { ms: Math.round(result.ms), candidates: result.candidates });
      gptTime.textContent = t('keywords.working');
      const lang = /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
      const asked = await gptKeywords(models, text, { lang });
      gptOut.textContent = asked.text;
      gptTime.textContent = t('keywords.gptTime', { ms: Math.round(asked.ms), prompt: asked.promptTokens, tokens: asked.tokens });
    });
  }

  button.addEventListener('click', run);
}
