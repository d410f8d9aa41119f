// Lesson panel: return on investment. One labelled task, solved with embeddings (nearest
// label centroid) and by asking GPT text by text: accuracy, time, tokens and FLOPs side by side,
// the models named, how the FLOPs are counted, and a verdict on what this run shows.
import { runBusy } from '../ui/busy.js';
import { element, showNotices } from '../ui/dom.js';
import { language, onLanguageChange, t } from '../i18n/index.js';
import { ROI_STYLES, runRoi } from '../lessons/roi.js';
import { mountPicker } from '../ui/picker.js';
import { lessonParams } from '../url-state.js';
import { formatFlops } from '../ui/numbers.js';

const TASKS = [
  { id: 'en', label: { en: 'English: sport, food, technology', zh: '英文：体育、美食、科技' } },
  { id: 'zh', label: { en: 'Chinese: 体育, 美食, 科技', zh: '中文：体育、美食、科技' } },
];
const STYLES = [
  { id: 'few-shot', label: { en: 'shown the 9 labelled examples (few-shot)', zh: '先给 9 条带标签的例子（少样本）' } },
  { id: 'chat', label: { en: 'asked a question (chat; instruct models)', zh: '直接提问（对话；指令模型）' } },
];

/** A ratio for a sentence: "12", "2.5", or "0.8". */
function times(ratio) {
  return ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1);
}

export function mountRoiPanel(root, { models }) {
  const $ = (selector) => root.querySelector(selector);
  const button = $('#roi-run');
  const notices = $('#roi-notices');
  const cell = (name) => root.querySelector(`[data-cell="${name}"]`);
  const link = lessonParams('roi');
  let lang = link.choice('roi', ['en', 'zh']) ?? language();
  let style = link.choice('ask', ROI_STYLES) ?? 'few-shot';
  let shown = null;

  // The task's language follows the page's until the reader picks one.
  let langPicked = lang !== language();
  mountPicker($('#roi-language'), TASKS, (task) => {
    lang = task.id;
    langPicked = true;
  });
  $('#roi-language').value = lang;
  onLanguageChange(() => {
    if (langPicked) return;
    lang = language();
    $('#roi-language').value = lang;
  });
  mountPicker($('#roi-style'), STYLES, (item) => (style = item.id));
  $('#roi-style').value = style;

  const modelName = (id) => models.opened(id)?.name ?? id;
  /** The models a run would use, named in the table's heads until a run names its own. */
  const nameModels = () => {
    cell('embedding-model').textContent = shown?.embedding.model ?? models.encoder;
    cell('gpt-model').textContent = modelName(shown?.gpt.model ?? models.decoder);
  };
  const clear = (mark) => {
    for (const td of root.querySelectorAll('td[data-cell]')) td.textContent = mark;
    for (const id of ['#roi-summary', '#roi-models', '#roi-flops-help']) $(id).textContent = '';
    $('#roi-summary').removeAttribute('data-outcome');
    $('#roi-answers').replaceChildren();
  };

  const draw = () => {
    nameModels();
    if (!shown) return;
    const { embedding, gpt } = shown;
    for (const [side, result] of [['embedding', embedding], ['gpt', gpt]]) {
      cell(`${side}-accuracy`).textContent = t('roi.accuracyValue', { correct: result.correct, total: result.total, percent: Math.round((100 * result.correct) / result.total) });
      cell(`${side}-ms`).textContent = t('roi.msValue', { ms: Math.round(result.ms).toLocaleString() });
      cell(`${side}-flops`).textContent = formatFlops(result.flops);
    }
    cell('embedding-tokens').textContent = t('roi.tokensEmbedding', { tokens: embedding.tokens.toLocaleString() });
    cell('gpt-tokens').textContent = t('roi.tokensGpt', { read: gpt.promptTokens.toLocaleString(), written: gpt.generatedTokens.toLocaleString() });
    // The verdict: the essay's claim is about cost at a given accuracy.
    const ratios = { times: times(gpt.ms / embedding.ms), flops: times(gpt.flops / embedding.flops), embedding: embedding.correct, gpt: gpt.correct, total: gpt.total };
    const outcome = gpt.correct > embedding.correct ? 'gptBetter' : gpt.flops > embedding.flops ? 'shows' : 'notShown';
    $('#roi-summary').textContent = t(`roi.verdict.${outcome}`, ratios);
    $('#roi-summary').dataset.outcome = { shows: 'right', gptBetter: 'mixed', notShown: 'wrong' }[outcome];
    $('#roi-models').textContent = t('roi.models', { encoder: embedding.model, decoder: modelName(gpt.model), mode: t(`roi.mode.${gpt.mode}`) });
    $('#roi-flops-help').textContent = t('roi.flopsHelp', {
      encoder: embedding.model,
      decoder: modelName(gpt.model),
      embeddingPerToken: formatFlops(embedding.flops / embedding.tokens),
      gptPerToken: formatFlops(gpt.flops / (gpt.promptTokens + gpt.generatedTokens)),
      promptTokens: Math.round(gpt.promptTokens / gpt.total).toLocaleString(),
    });
    $('#roi-answers').replaceChildren(...gpt.answers.map((a) =>
      element('li', { className: a.predicted === a.expected ? 'right' : 'wrong' },
        a.text, ' → ', element('q', {}, a.answer), ` (${a.predicted === null ? '—' : shown.labels[a.predicted]} / ${shown.labels[a.expected]})`)));
  };

  const run = () => runBusy({ root, button, stop: $('#roi-stop'), notices }, async (signal) => {
    shown = null;
    clear('…');
    nameModels();
    let progress = { done: 0, total: 0 };
    try {
      if (style === 'chat' && (await models.load(models.decoder)).chat === false) {
        throw new Error(t('roi.noChat', { decoder: modelName(models.decoder) }));
      }
      shown = await runRoi(models, {
        lang,
        style,
        signal,
        onProgress: (now) => {
          progress = now;
          showNotices(notices, [{ text: t('roi.progress', now) }]);
        },
      });
    } catch (error) {
      // Nothing half-measured stays on screen: the table empties and says why.
      clear('—');
      if (error.name === 'AbortError') error.stoppedMessage = t('roi.stopped', progress);
      throw error;
    }
    showNotices(notices, []);
    draw();
  });

  button.addEventListener('click', run);
  models.addEventListener('encoder', nameModels);
  models.addEventListener('decoder', nameModels);
  onLanguageChange(draw);
  nameModels();
  return {
    run,
    costly: true,
    reset: () => {
      [lang, style, langPicked, shown] = [language(), 'few-shot', false, null];
      $('#roi-language').value = lang;
      $('#roi-style').value = style;
      clear('');
      nameModels();
    },
    summary: () => $('#roi-summary').textContent || null,
    link: () => ({ roi: lang, ask: style === 'few-shot' ? null : style }),
  };
}
