// Lesson: the context limit. How many tokens a text is for each tokenizer, where BERT stops
// reading (256 tokens for MiniLM, 512 for multilingual-e5) and where GPT's window ends (8,192 tokens for both shipped decoders: Gemma 3 was trained for 32,768, capped here for memory), and what one generated
// token costs as the context grows.
/**
 * `{encoder: {model, tokens, limit}, decoder: {model, tokens, limit, trainedLimit, kvBytesPerToken, architecture}, timings: [{context, msPerToken,
 * prefillMs}]}`. Each timing generates `tokensPerMeasure` tokens after a context of
 * `context` tokens (the text's own tokens, repeated when it is shorter).
 */
export async function contextCost(models, text, { contextLengths = [64, 256, 1024], tokensPerMeasure = 8, onProgress, signal, encoder = models.encoder, decoder = models.decoder } = {}) {
  const [bert, gpt] = await Promise.all([models.tokenize(text, encoder), models.tokenize(text, decoder)]);
  const encoderInfo = await models.load(encoder);
  const decoderInfo = await models.load(decoder);
  if (gpt.ids.length === 0) throw new Error('The text has no tokens.');
  const timings = [];
  for (const context of contextLengths) {
    if (context + tokensPerMeasure > decoderInfo.contextLength) continue;
    onProgress?.({ context, done: timings.length, total: contextLengths.length });
    const ids = Array.from({ length: context }, (_, i) => gpt.ids[i % gpt.ids.length]);
    const result = await models.generateAfter(ids, { maxNewTokens: tokensPerMeasure + 1, temperature: 0 }, { model: decoder, signal }).result;
    if (result.finishReason === 'cancelled') throw new DOMException('The measurement was stopped.', 'AbortError');
    timings.push({ context, msPerToken: 1000 / result.tokensPerSecond, prefillMs: result.prefillMs });
  }
  return {
    encoder: { model: encoder, tokens: bert.ids.length, limit: encoderInfo.maxTokens },
    decoder: {
      model: decoder,
      tokens: gpt.ids.length,
      limit: decoderInfo.contextLength,
      trainedLimit: decoderInfo.trainedContextLength,
      kvBytesPerToken: decoderInfo.kvBytesPerToken,
      architecture: decoderInfo.architecture,
    },
    timings,
  };
}
