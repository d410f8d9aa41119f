//! The lessons' handles and functions: keyword candidates, a vocabulary for word arithmetic,
//! projections, separation scores, nearest centroids and neighbours — vectors in as one flat
//! `Float32Array` and a width.

use js_sys::{Float32Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

use super::encoder::Encoder;
use super::{ids, indices, js_error, object, to_js};
use crate::lessons::{classify, keywords, projection, vectors, vocabulary};

#[wasm_bindgen(typescript_custom_section)]
const LESSON_TYPES: &str = r#"
export interface Projected {
    /** n × 2, row-major. */
    coords: Float32Array;
    /** Share of the variance each axis keeps. */
    explained: Float32Array;
}
export interface Neighbours {
    indices: Uint32Array;
    scores: Float32Array;
}
"#;

fn rows(vectors: &[f32], dim: usize) -> Result<vectors::Rows<'_>, JsError> {
    vectors::Rows::new(vectors, dim).map_err(js_error)
}

/// The lesson handles an encoder makes: `keywordCandidates(…)` and `vocabulary(…)`.
#[wasm_bindgen]
impl Encoder {
    /// `document` and its KeyBERT candidate phrases (1…`max_words` words, at most `limit`),
    /// embedded once for any number of `pick` calls.
    #[wasm_bindgen(js_name = keywordCandidates)]
    pub fn keyword_candidates(
        &self,
        document: &str,
        max_words: usize,
        limit: usize,
    ) -> Result<KeywordCandidates, JsError> {
        keywords::KeywordCandidates::new(&self.0, document, max_words, limit)
            .map(KeywordCandidates)
            .map_err(js_error)
    }

    /// `words` embedded once, for any number of analogies.
    pub fn vocabulary(&self, words: Vec<String>) -> Result<Vocabulary, JsError> {
        vocabulary::Vocabulary::new(&self.0, &words)
            .map(Vocabulary)
            .map_err(js_error)
    }
}

/// A document's embedded keyword candidates.
#[wasm_bindgen]
pub struct KeywordCandidates(pub(super) keywords::KeywordCandidates);

#[wasm_bindgen]
impl KeywordCandidates {
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.0.phrases.len()
    }

    /// The `top` keywords by maximal marginal relevance: `[{phrase, score}]`, score being
    /// the cosine similarity to the document.
    pub fn pick(&self, top: usize, diversity: f32) -> Result<JsValue, JsError> {
        let picked = self.0.pick(top, diversity).map_err(js_error)?;
        let rows: Vec<serde_json::Value> = picked
            .iter()
            .map(|k| serde_json::json!({ "phrase": k.phrase, "score": k.score }))
            .collect();
        to_js(&rows)
    }
}

/// An embedded word list for vector arithmetic.
#[wasm_bindgen]
pub struct Vocabulary(pub(super) vocabulary::Vocabulary);

#[wasm_bindgen]
impl Vocabulary {
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// A − B + C: `{results: [{word, cosine}], points: Float32Array, dim}`, `points` holding
    /// the vectors of A, B, C, the query and each result, in that order.
    pub fn analogy(
        &self,
        encoder: &Encoder,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
    ) -> Result<Object, JsError> {
        let answer = self.0.analogy(&encoder.0, a, b, c, k).map_err(js_error)?;
        let results: Vec<serde_json::Value> = answer
            .results
            .iter()
            .map(|(word, cosine)| serde_json::json!({ "word": word, "cosine": cosine }))
            .collect();
        Ok(object(&[
            ("results", to_js(&results)?),
            ("points", Float32Array::from(&answer.points[..]).into()),
            ("dim", answer.dim.into()),
        ]))
    }
}

/// n × dim vectors projected to 2D by `method` ("pca" or "tsne"): `{coords: Float32Array
/// (n × 2), explained: Float32Array}` (explained variance per axis; empty for t-SNE).
#[wasm_bindgen(unchecked_return_type = "Projected")]
pub fn project(vectors: &[f32], dim: usize, method: &str) -> Result<Object, JsError> {
    let method: projection::Method = method.parse().map_err(js_error)?;
    let p = projection::project(rows(vectors, dim)?, method);
    Ok(object(&[
        ("coords", Float32Array::from(&p.coords[..]).into()),
        (
            "explained",
            Float32Array::from(&p.explained_variance_ratio[..]).into(),
        ),
    ]))
}

/// How well labelled groups separate: `{silhouette, nearestNeighbourAccuracy}`.
#[wasm_bindgen]
pub fn separation(vectors: &[f32], dim: usize, labels: &[u32]) -> Result<Object, JsError> {
    let rows = rows(vectors, dim)?;
    let labels: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
    Ok(object(&[
        (
            "silhouette",
            vectors::silhouette(rows, &labels).map_err(js_error)?.into(),
        ),
        (
            "nearestNeighbourAccuracy",
            vectors::nearest_neighbour_accuracy(rows, &labels)
                .map_err(js_error)?
                .into(),
        ),
    ]))
}

/// Labels for `test` rows from the centroids of the labelled `train` rows.
#[wasm_bindgen(js_name = nearestCentroid)]
pub fn nearest_centroid(
    train: &[f32],
    labels: &[u32],
    test: &[f32],
    dim: usize,
) -> Result<Uint32Array, JsError> {
    let centroids = classify::centroids(rows(train, dim)?, &indices(labels)).map_err(js_error)?;
    Ok(ids(&classify::nearest_centroid(
        rows(&centroids, dim)?,
        rows(test, dim)?,
    )))
}

/// Which of `labels` a generated answer names first, or undefined.
#[wasm_bindgen(js_name = labelInAnswer)]
pub fn label_in_answer(answer: &str, labels: Vec<String>) -> Option<u32> {
    classify::label_in_answer(answer, &labels).map(|l| l as u32)
}

/// n × n cosine similarities, row-major.
#[wasm_bindgen(js_name = similarityMatrix)]
pub fn similarity_matrix(vectors: &[f32], dim: usize) -> Result<Vec<f32>, JsError> {
    Ok(vectors::similarity_matrix(rows(vectors, dim)?))
}

/// The `k` rows nearest to row `index`: `{indices: Uint32Array, scores: Float32Array}`.
#[wasm_bindgen(js_name = nearestNeighbours, unchecked_return_type = "Neighbours")]
pub fn nearest_neighbours(
    vectors: &[f32],
    dim: usize,
    index: usize,
    k: usize,
) -> Result<Object, JsError> {
    let found = vectors::neighbours_of(rows(vectors, dim)?, index, k).map_err(js_error)?;
    let indices: Vec<u32> = found.iter().map(|n| n.index as u32).collect();
    let scores: Vec<f32> = found.iter().map(|n| n.score).collect();
    Ok(object(&[
        ("indices", Uint32Array::from(&indices[..]).into()),
        ("scores", Float32Array::from(&scores[..]).into()),
    ]))
}
