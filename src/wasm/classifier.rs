//! The classifier lesson's face: TF-IDF + a softmax layer trained and applied (paradigm 1), a
//! softmax layer trained on embeddings an epoch per call (paradigm 2), and the scores of any
//! method's predictions. Vectors cross as one flat `Float32Array` and a width; label indices as
//! `Uint32Array`.

use js_sys::{Float32Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

use super::{ids, indices, js_error, object, to_js};
use crate::error::Error;
use crate::lessons::softmax_regression::{
    fit_lbfgs, l2_for_c, AdamOptions, AdamTraining, Features, SoftmaxRegression,
};
use crate::lessons::tfidf::{SparseRow, Tfidf};
use crate::lessons::{flops, labelled_data, metrics, split};

/// Reads pasted or opened labelled texts (`label<TAB>text` or CSV) and splits them, stratified
/// and seeded: `k`-fold when `folds` ≥ 2, else `test_fraction` held out. `{labels, texts,
/// labelIds, splits: [{train, test}]}` (index arrays), or, when they cannot be used,
/// `{problem: {kind, …}, message}` — the kind and its fields for the page to say in its
/// language, the message in English.
#[wasm_bindgen(js_name = readLabelledTexts)]
pub fn read_labelled_texts(
    input: &str,
    test_fraction: f64,
    folds: usize,
    seed: u32,
) -> Result<Object, JsError> {
    let read = labelled_data::parse(input).and_then(|data| {
        let label_ids = data.label_ids();
        let splits = if folds >= 2 {
            split::folds(&label_ids, &data.labels, folds, seed.into())?
        } else {
            vec![split::train_test(
                &label_ids,
                &data.labels,
                test_fraction,
                seed.into(),
            )?]
        };
        Ok((data, label_ids, splits))
    });
    let (data, label_ids, splits) = match read {
        Ok(read) => read,
        Err(Error::BadLabelledData(problem)) => {
            let message = Error::BadLabelledData(problem.clone()).to_string();
            return Ok(object(&[
                ("problem", to_js(&problem)?),
                ("message", message.into()),
            ]));
        }
        Err(other) => return Err(js_error(other)),
    };
    let texts: Vec<&str> = data.examples.iter().map(|e| e.text.as_str()).collect();
    let splits = splits
        .iter()
        .map(|s| {
            object(&[
                ("train", ids(&s.train).into()),
                ("test", ids(&s.test).into()),
            ])
        })
        .collect::<js_sys::Array>();
    Ok(object(&[
        ("labels", to_js(&data.labels)?),
        ("texts", to_js(&texts)?),
        ("labelIds", ids(&label_ids).into()),
        ("splits", splits.into()),
    ]))
}

/// L-BFGS iterations at most for the TF-IDF layer (it converges in tens to hundreds).
const TFIDF_MAX_ITERATIONS: u64 = 2_000;

/// Paradigm 1: TF-IDF of the training texts and a softmax layer trained on them by L-BFGS.
#[wasm_bindgen]
pub struct TfidfClassifier {
    tfidf: Tfidf,
    layer: SoftmaxRegression,
}

#[wasm_bindgen]
impl TfidfClassifier {
    /// Learns the vocabulary of `train` and trains the layer on its rows, regularised as
    /// scikit-learn's `LogisticRegression(C=c)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        train: Vec<String>,
        labels: &[u32],
        classes: usize,
        c: f64,
    ) -> Result<TfidfClassifier, JsError> {
        let l2 = l2_for_c(c, train.len());
        let tfidf = Tfidf::fit(&train);
        let rows: Vec<SparseRow> = train.iter().map(|t| tfidf.transform(t)).collect();
        let x = Features::Sparse {
            rows: &rows,
            dim: tfidf.len(),
        };
        let layer =
            fit_lbfgs(x, &indices(labels), classes, l2, TFIDF_MAX_ITERATIONS).map_err(js_error)?;
        Ok(Self { tfidf, layer })
    }

    /// Features in the vocabulary.
    #[wasm_bindgen(getter)]
    pub fn features(&self) -> usize {
        self.tfidf.len()
    }

    /// `{predictions, probabilities (texts × classes), flopsPerPrediction}` for `texts`; the
    /// FLOPs are the layer's product over a text's non-zero features, on average.
    pub fn classify(&self, texts: Vec<String>) -> Object {
        let rows: Vec<SparseRow> = texts.iter().map(|t| self.tfidf.transform(t)).collect();
        let x = Features::Sparse {
            rows: &rows,
            dim: self.tfidf.len(),
        };
        let probabilities: Vec<f32> = self
            .layer
            .probabilities(x)
            .iter()
            .map(|&p| p as f32)
            .collect();
        let non_zero = rows.iter().map(Vec::len).sum::<usize>() as f64 / rows.len().max(1) as f64;
        object(&[
            ("predictions", ids(&self.layer.predict(x)).into()),
            (
                "probabilities",
                Float32Array::from(&probabilities[..]).into(),
            ),
            (
                "flopsPerPrediction",
                flops::linear_layer(non_zero, self.layer.classes).into(),
            ),
        ])
    }
}

/// Paradigm 2: a softmax layer trained on embeddings by Adam, one epoch per `epoch()` call.
#[wasm_bindgen]
pub struct LinearTraining {
    vectors: Vec<f32>,
    dim: usize,
    labels: Vec<usize>,
    training: AdamTraining,
}

#[wasm_bindgen]
impl LinearTraining {
    /// For `vectors` (rows × `dim`) labelled `labels` (0…classes−1): Adam's `epochs`,
    /// `batch_size`, `learning_rate`, L2 strength `l2` and shuffling `seed`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        vectors: Vec<f32>,
        labels: &[u32],
        dim: usize,
        classes: usize,
        epochs: usize,
        batch_size: usize,
        learning_rate: f64,
        l2: f64,
        seed: u32,
    ) -> Result<LinearTraining, JsError> {
        let options = AdamOptions {
            epochs,
            batch_size,
            learning_rate,
            l2,
            seed: seed.into(),
        };
        let rows = vectors.len() / dim.max(1);
        let training = AdamTraining::new(rows, dim, classes, options).map_err(js_error)?;
        Ok(Self {
            vectors,
            dim,
            labels: indices(labels),
            training,
        })
    }

    /// One more epoch; the training loss (mean cross-entropy + L2) after it.
    pub fn epoch(&mut self) -> Result<f64, JsError> {
        let x = Features::Dense {
            values: &self.vectors,
            dim: self.dim,
        };
        self.training.epoch(x, &self.labels).map_err(js_error)
    }

    /// Whether every epoch asked for is done.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.training.finished()
    }

    /// The likeliest class of each of `vectors` (rows × dim).
    pub fn predict(&self, vectors: &[f32]) -> Uint32Array {
        ids(&self.training.layer().predict(Features::Dense {
            values: vectors,
            dim: self.dim,
        }))
    }

    /// The layer's weights, classes × dim, row-major: which inputs push towards each class.
    pub fn weights(&self) -> Float32Array {
        let layer = self.training.layer();
        let weights: Vec<f32> = (0..layer.classes)
            .flat_map(|c| layer.weights(c).iter().map(|&w| w as f32))
            .collect();
        Float32Array::from(&weights[..])
    }

    /// The layer's product for one embedding (the encoder pass before it not included).
    #[wasm_bindgen(getter, js_name = flopsPerPrediction)]
    pub fn flops_per_prediction(&self) -> f64 {
        flops::linear_layer(self.dim as f64, self.training.layer().classes)
    }
}

/// `{accuracy, macroF1, confusion}` of `predicted` (−1: the answer named no label, which counts
/// as wrong) against `truth`; `confusion[t][p]` counts texts of label t predicted as p.
#[wasm_bindgen(js_name = classificationScores)]
pub fn classification_scores(
    truth: &[u32],
    predicted: &[i32],
    classes: usize,
) -> Result<Object, JsError> {
    let truth = indices(truth);
    if truth.iter().any(|&t| t >= classes) || truth.len() != predicted.len() {
        return Err(JsError::new(
            "scores need one prediction per text and labels below the number of classes",
        ));
    }
    let predicted: Vec<Option<usize>> = predicted
        .iter()
        .map(|&p| usize::try_from(p).ok().filter(|&p| p < classes))
        .collect();
    Ok(object(&[
        ("accuracy", metrics::accuracy(&truth, &predicted).into()),
        (
            "macroF1",
            metrics::macro_f1(&truth, &predicted, classes).into(),
        ),
        (
            "confusion",
            to_js(&metrics::confusion(&truth, &predicted, classes))?,
        ),
    ]))
}

/// FLOPs of one text through a product with one vector per class over `inputs` values: the
/// nearest-centroid classifier's cosines (as a trained layer's product).
#[wasm_bindgen(js_name = linearLayerFlops)]
pub fn linear_layer_flops(inputs: usize, classes: usize) -> f64 {
    flops::linear_layer(inputs as f64, classes)
}
