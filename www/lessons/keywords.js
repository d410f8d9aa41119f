// Lesson: keyword extraction two ways. KeyBERT ranks candidate phrases by cosine similarity
// to the document's embedding (MMR for variety); GPT is simply asked for the keywords.

/** `{keywords: [{phrase, score}], candidates, ms}`. */
export async function keybert(models, document, { top = 5, diversity = 0.5, maxWords = 3, model = models.encoder } = {}) {
  const started = performance.now();
  const { keywords, candidates } = await models.withModel(model, 'keywords', { document, top, diversity, maxWords });
  return { keywords, candidates, ms: performance.now() - started };
}

const ASK = {
  en: (document) => `List the five most important keywords of this text, separated by commas.\n\n${document}`,
  zh: (document) => `列出这段文字最重要的五个关键词，用逗号分隔。\n\n${document}`,
};

/** A base model (no chat template) is not asked: it continues a line that starts the list. */
const CONTINUE = {
  en: (document) => `${document}\n\nThe five most important keywords of this text, separated by commas:`,
  zh: (document) => `${document}\n\n这段文字最重要的五个关键词（用逗号分隔）：`,
};

/** GPT's answer to "list the keywords": `{text, ms, promptTokens, tokens}`. */
export async function gptKeywords(models, document, { lang = 'en', maxNewTokens = 40, signal, model = models.decoder } = {}) {
  const started = performance.now();
  const chat = (await models.load(model)).chat !== false;
  const prompt = ((chat ? ASK : CONTINUE)[lang] ?? (chat ? ASK : CONTINUE).en)(document);
  const options = chat ? { chat, maxNewTokens, temperature: 0 } : { chat, maxNewTokens, temperature: 0, stop: ['\n'] };
  const run = models.generate(prompt, options, { model, signal });
  const result = await run.result;
  return { text: result.text, ms: performance.now() - started, promptTokens: result.promptTokens, tokens: result.tokenIds.length };
}
