// Lesson: the same sentences embedded by BERT (its trained sentence embedding) and by GPT
// (the mean of its last hidden states), with how well each separates the labelled groups.
/**
 * For each of `{encoder, decoder}`: `{model, dim, ms, silhouette, nearestNeighbourAccuracy,
 * coords, explained}`. `labels[i]` is the group (0, 1, …) of `texts[i]`.
 */
export async function compareEmbeddings(models, texts, labels, { method = 'pca', encoder = models.encoder, decoder = models.decoder } = {}) {
  const results = {};
  for (const [side, model] of [['encoder', encoder], ['decoder', decoder]]) {
    const started = performance.now();
    const { vectors, dim } = await models.embed(texts, model);
    const ms = performance.now() - started;
    const [scores, projection] = await Promise.all([
      models.client.call('separation', { vectors, dim, labels }),
      models.client.call('project', { vectors, dim, method }),
    ]);
    results[side] = { model, dim, ms, ...scores, coords: projection.coords, explained: projection.explained };
  }
  return results;
}

/** Texts and group labels from lines where a blank line starts a new group. */
export function groupsFromLines(text) {
  const texts = [];
  const labels = [];
  let group = 0;
  let open = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (open) group += 1;
      open = false;
    } else {
      texts.push(line);
      labels.push(group);
      open = true;
    }
  }
  return { texts, labels };
}
