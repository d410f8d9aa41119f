//! The classifier lesson's paradigms against scikit-learn (tests/fixtures/classify_reference.py),
//! on the shipped labelled texts with each label's every fourth text held out:
//! 1. TF-IDF and multinomial logistic regression with L2, trained by our L-BFGS, give
//!    TfidfVectorizer + LogisticRegression's held-out class probabilities within 1e-3 (the same
//!    convex optimum, reached by two solvers);
//! 2. on all-MiniLM-L6-v2's embeddings (ours, against the reference's float64 numpy pass), the
//!    same layer by L-BFGS gives LogisticRegression's probabilities within 1e-3, the layer the
//!    lesson trains by Adam is right at least as often on the held-out texts, and the nearest
//!    centroid predicts what the reference's does.

mod common;

use bert_vs_gpt::encoder::Encoder;
use bert_vs_gpt::lessons::classify;
use bert_vs_gpt::lessons::softmax_regression::{
    fit_adam, fit_lbfgs, l2_for_c, AdamOptions, Features,
};
use bert_vs_gpt::lessons::tfidf::{SparseRow, Tfidf};
use bert_vs_gpt::lessons::vectors::Rows;
use serde::Deserialize;

#[derive(Deserialize)]
struct Example {
    text: String,
    label: usize,
}

/// What every case holds: the split, scikit-learn's `C` and its held-out probabilities.
#[derive(Deserialize)]
struct HeldOut {
    name: String,
    #[serde(rename = "C")]
    c: f64,
    labels: Vec<String>,
    train: Vec<Example>,
    test: Vec<Example>,
    probabilities: Vec<Vec<f64>>,
}

impl HeldOut {
    /// The largest difference between `ours` (tests × classes) and scikit-learn's probabilities.
    fn worst_difference(&self, ours: &[f64]) -> f64 {
        let theirs = self.probabilities.concat();
        ours.iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    }

    /// The L2 strength of scikit-learn's `C` on this training set.
    fn l2(&self) -> f64 {
        l2_for_c(self.c, self.train.len())
    }
}

#[derive(Deserialize)]
struct Case {
    #[serde(flatten)]
    held: HeldOut,
    vocabulary: usize,
}

#[derive(Deserialize)]
struct EmbeddingCase {
    #[serde(flatten)]
    held: HeldOut,
    accuracy: f64,
    centroid_predictions: Vec<usize>,
}

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
    embeddings: Vec<EmbeddingCase>,
}

#[test]
fn tfidf_and_logistic_regression_give_scikit_learns_probabilities() {
    let reference: Reference = common::fixture("classify_reference.json");
    for Case {
        held: case,
        vocabulary,
    } in reference.cases
    {
        let texts: Vec<&str> = case.train.iter().map(|e| e.text.as_str()).collect();
        let tfidf = Tfidf::fit(&texts);
        assert_eq!(tfidf.len(), vocabulary, "{}", case.name);
        let train: Vec<SparseRow> = texts.iter().map(|t| tfidf.transform(t)).collect();
        let test: Vec<SparseRow> = case.test.iter().map(|e| tfidf.transform(&e.text)).collect();
        let labels: Vec<usize> = case.train.iter().map(|e| e.label).collect();
        let dim = tfidf.len();
        let x = Features::Sparse { rows: &train, dim };
        let held_out = Features::Sparse { rows: &test, dim };
        let layer = fit_lbfgs(x, &labels, case.labels.len(), case.l2(), 10_000).unwrap();
        let worst = case.worst_difference(&layer.probabilities(held_out));
        assert!(worst < 1e-3, "{}: worst difference {worst}", case.name);
        let right = layer
            .predict(held_out)
            .iter()
            .zip(&case.test)
            .filter(|(p, e)| **p == e.label)
            .count();
        eprintln!(
            "{}: worst |Δp| {worst:.2e}, {right} of {} held-out texts right",
            case.name,
            case.test.len()
        );
    }
}

/// The settings the lesson trains its layer with by default.
const LESSON_ADAM: AdamOptions = AdamOptions {
    epochs: 100,
    batch_size: 16,
    learning_rate: 0.01,
    l2: 1e-4,
    seed: 1,
};

#[test]
fn a_linear_layer_on_minilms_embeddings_is_scikit_learns_and_beats_tfidf() {
    let reference: Reference = common::fixture("classify_reference.json");
    let encoder = Encoder::from_files(&common::minilm().borrow()).unwrap();
    for EmbeddingCase {
        held: case,
        accuracy: reference_accuracy,
        centroid_predictions,
    } in reference.embeddings
    {
        let embed = |examples: &[Example]| {
            let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
            encoder.embed(&texts).unwrap()
        };
        let (train, test) = (embed(&case.train), embed(&case.test));
        let dim = train.dim;
        let labels: Vec<usize> = case.train.iter().map(|e| e.label).collect();
        let truth: Vec<usize> = case.test.iter().map(|e| e.label).collect();
        let x = Features::Dense {
            values: &train.vectors,
            dim,
        };
        let held_out = Features::Dense {
            values: &test.vectors,
            dim,
        };
        let classes = case.labels.len();

        let lbfgs = fit_lbfgs(x, &labels, classes, case.l2(), 10_000).unwrap();
        let worst = case.worst_difference(&lbfgs.probabilities(held_out));
        assert!(worst < 1e-3, "{}: worst difference {worst}", case.name);

        let adam = fit_adam(x, &labels, classes, LESSON_ADAM, |_, _, _| true).unwrap();
        let right = adam
            .predict(held_out)
            .iter()
            .zip(&truth)
            .filter(|(p, t)| p == t)
            .count();
        let accuracy = right as f64 / truth.len() as f64;
        assert!(
            accuracy >= reference_accuracy,
            "{}: Adam's layer {accuracy}, scikit-learn's {}",
            case.name,
            reference_accuracy
        );

        let centroids =
            classify::centroids(Rows::new(&train.vectors, dim).unwrap(), &labels).unwrap();
        let nearest = classify::nearest_centroid(
            Rows::new(&centroids, dim).unwrap(),
            Rows::new(&test.vectors, dim).unwrap(),
        );
        assert_eq!(nearest, centroid_predictions, "{}", case.name);
        eprintln!(
            "{}: L-BFGS worst |Δp| {worst:.2e}; Adam {right} of {} right (scikit-learn {:.3})",
            case.name,
            truth.len(),
            reference_accuracy
        );
    }
}
