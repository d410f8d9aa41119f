// Lesson: vector arithmetic. A − B + C over a vocabulary, answered by the nearest words
// (A, B and C left out), and the points to draw it: A, B, C, the query and the answers.
import { loadData } from '../data/index.js';

/** The shipped word list for `lang` ('en' or 'zh'). */
export async function shippedVocabulary(lang) {
  const lists = await loadData('vocabulary.json');
  if (!lists[lang]) throw new Error(`No shipped vocabulary for "${lang}"; use "en" or "zh".`);
  return lists[lang];
}

/**
 * `{results: [{word, cosine}], vocabularySize, points: {labels, coords, explained}}`;
 * `points` are A, B, C, the query and the results projected to 2D by `method`.
 */
export async function analogy(models, { a, b, c, words, k = 5, method = 'pca', model = models.encoder }) {
  const answer = await models.withModel(model, 'analogy', { a, b, c, words, k });
  const projection = await models.client.call('project', { vectors: answer.points, dim: answer.dim, method });
  return {
    results: answer.results,
    vocabularySize: answer.vocabularySize,
    points: {
      labels: [a, b, c, `${a} − ${b} + ${c}`, ...answer.results.map((r) => r.word)],
      coords: projection.coords,
      explained: projection.explained,
    },
  };
}
