// Lesson: keyword extraction two ways. KeyBERT ranks candidate phrases by cosine similarity
// to the document's embedding (MMR for variety); GPT is simply asked for the keywords.

/** `{keywords: [{phrase, score}], candidates, ms}`. */
export async function keybert(models, document, { top = 5, diversity = 0.5, maxWords = 3, model = models.encoder } = {}) {
  const started = performance.now();
  const { keywords, candidates } = await models.withModel(model, 'keywords', { document, top, diversity, maxWords });
  return { keywords, candidates, ms: performance.now() - started };
}

/** An instruct model is asked for the list in its chat template, in the list's format. */
const ASK = {
  en: (document) => `List the five most important keywords of this text. Answer with the keywords only, separated by commas.\n\nText: ${document}`,
  zh: (document) => `列出这段文字最重要的五个关键词。只回答关键词，用顿号分隔。\n\n文本：${document}`,
};

/** A base model (no chat template) is shown two worked examples, then continues the line that
 * starts the list for this text, and stops at the end of that line; a repeat penalty keeps it
 * from listing one word over and over (Gemma 3 270M without one: "GPT、GPT-3、GPT-4…"). */
const FEW_SHOT = {
  en: (document) =>
    'Text: The Moon circles the Earth about every 27 days. Its gravity pulls on the oceans and raises the tides, and its phases change as sunlight falls on it from different angles.\n' +
    'Keywords: Moon, Earth, gravity, tides, phases\n\n' +
    'Text: A volcano erupts when molten rock from deep underground rises through cracks in the crust. The lava cools into new rock, and the ash can travel around the world.\n' +
    'Keywords: volcano, eruption, molten rock, lava, ash\n\n' +
    `Text: ${document}\nKeywords:`,
  zh: (document) =>
    '文本：月球大约每 27 天绕地球一圈。它的引力牵动海水，形成潮汐；阳光从不同角度照射月球，月相随之变化。\n' +
    '关键词：月球、地球、引力、潮汐、月相\n\n' +
    '文本：光合作用让植物利用阳光、水和二氧化碳制造葡萄糖和氧气。叶子里的叶绿素吸收红光和蓝光，反射绿光，所以叶子看起来是绿色的。\n' +
    '关键词：光合作用、植物、叶绿素、阳光、氧气\n\n' +
    `文本：${document}\n关键词：`,
};
const FEW_SHOT_REPEAT_PENALTY = 1.3;

/**
 * The keywords in an answer: a line that only introduces the list ("The keywords are:") is
 * dropped, as is a label before a colon ("Keywords: a, b"); the rest splits at commas (，、
 * too), semicolons and new lines, with list numbers, bullets, quotes, explanations in brackets
 * and a trailing full stop taken off; each once, at most `top`.
 */
function keywordList(answer, top = 5) {
  const items = answer
    .split('\n')
    .filter((line) => !/[:：]\s*$/.test(line))
    .map((line) => line.replace(/^[^:：]{0,40}[:：]\s*(?=\S)/, ''))
    .flatMap((line) => line.split(/[,，、;；]+/))
    .map((item) => item
      .replace(/^\s*(?:[-*•]|\d+[.)、])\s*/, '')
      .replace(/\s*[(（][^)）]*[)）]?/g, '')
      .replace(/^["“”'‘’「」*]+|["“”'‘’「」*。.]+$/g, '')
      .trim())
    .filter((item) => item && Array.from(item).length <= 40);
  return [...new Set(items)].slice(0, top);
}

/** GPT's answer to "list the keywords": `{text, keywords, ms, promptTokens, tokens, chat}`. */
export async function gptKeywords(models, document, { lang = 'en', top = 5, maxNewTokens = 64, signal, model = models.decoder } = {}) {
  const started = performance.now();
  const chat = (await models.load(model)).chat !== false;
  const prompt = ((chat ? ASK : FEW_SHOT)[lang] ?? (chat ? ASK : FEW_SHOT).en)(document);
  const options = chat
    ? { chat, maxNewTokens, temperature: 0 }
    : { chat, maxNewTokens, temperature: 0, stop: ['\n'], repeatPenalty: FEW_SHOT_REPEAT_PENALTY };
  const run = models.generate(prompt, options, { model, signal });
  const result = await run.result;
  return {
    text: result.text,
    keywords: keywordList(result.text, top),
    chat,
    ms: performance.now() - started,
    promptTokens: result.promptTokens,
    tokens: result.tokenIds.length,
  };
}
