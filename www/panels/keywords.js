// Lesson panel: keyword extraction. KeyBERT (embeddings + cosine, MMR diversity slider) next
// to GPT asked to "list the keywords", each with the time it took.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { t } from '../i18n/index.js';
import { gptKeywords, keybert } from '../lessons/keywords.js';
import { mountTextPresets } from '../ui/presets.js';
import { mountLanguageFit } from '../ui/language-fit.js';
import { lessonParams } from '../url-state.js';

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
  const gptRaw = $('#keywords-gpt-raw');
  /** The document the KeyBERT list belongs to: moving the slider re-ranks it. */
  let ranked = null;

  const link = lessonParams('keywords');
  const presetMenu = mountTextPresets($('#keywords-preset'), presets, { link, name: 'doc', input: documentInput, text: (preset) => preset.text });
  for (const kind of ['encoder', 'decoder']) {
    mountLanguageFit($(`#keywords-fit-${kind}`), { models, kind, read: () => documentInput.value, inputs: [documentInput, $('#keywords-preset')] });
  }
  diversity.value = String(link.number('diversity', 0, 1) ?? 0.5);
  const showDiversity = () => (diversityValue.textContent = Number(diversity.value).toFixed(2));
  showDiversity();

  const rank = async () => {
    const result = await keybert(models, ranked, { diversity: Number(diversity.value) });
    list.replaceChildren(...result.keywords.map((k) => element('li', {}, element('span', { className: 'score' }, k.score.toFixed(3)), ' ', k.phrase)));
    return result;
  };

  diversity.addEventListener('input', showDiversity);
  diversity.addEventListener('change', async () => {
    if (ranked === documentInput.value) await rank().catch((error) => showNotices(notices, [{ text: error.message, kind: 'error' }]));
  });

  async function run() {
    const text = documentInput.value;
    if (!text.trim()) return showNotices(notices, [{ text: t('keywords.empty'), kind: 'error' }]);
    showNotices(notices, []);
    list.replaceChildren();
    gptOut.replaceChildren();
    gptRaw.textContent = '';
    keybertTime.textContent = t('keywords.working');
    gptTime.textContent = '';
    await runBusy({ root, button, notices }, async () => {
      ranked = text;
      const result = await rank();
      keybertTime.textContent = t('keywords.keybertTime', { ms: Math.round(result.ms), candidates: result.candidates });
      gptTime.textContent = t('keywords.working');
      const lang = /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
      const asked = await gptKeywords(models, text, { lang });
      gptOut.replaceChildren(...asked.keywords.map((k) => element('li', {}, k)));
      gptRaw.textContent = asked.keywords.length ? t('keywords.gptRaw', { answer: asked.text.trim() }) : t('keywords.gptNoList', { answer: asked.text.trim() });
      gptTime.textContent = t('keywords.gptTime', { ms: Math.round(asked.ms), prompt: asked.promptTokens, tokens: asked.tokens, how: t(asked.chat ? 'keywords.askedChat' : 'keywords.askedFewShot') });
    });
  }

  button.addEventListener('click', run);
  return {
    run,
    reset: () => {
      ranked = null;
      diversity.value = diversity.defaultValue;
      showDiversity();
      presetMenu.reset();
    },
    summary: () => (list.children.length ? t('keywords.summary', {
      keybert: [...list.querySelectorAll('li')].map((li) => li.lastChild.textContent.trim()).join(t('keywords.separator')),
      gpt: [...gptOut.children].map((li) => li.textContent).join(t('keywords.separator')) || '—',
    }) : null),
    link: () => ({
      ...presetMenu.params(),
      diversity: Number(diversity.value) === 0.5 ? null : diversity.value,
    }),
  };
}
