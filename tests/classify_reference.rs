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
use bert_vs_gpt::lessons::softmax_regression::{fit_adam, fit_lbfgs, AdamOptions, Features};
use bert_vs_gpt::lessons::tfidf::{SparseRow, Tfidf};
use bert_vs_gpt::lessons::vectors::Rows;
use serde::Deserialize;

#[derive(Deserialize)]
struct Example {
    text: String,
    label: usize,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(rename = "C")]
    c: f64,
    labels: Vec<String>,
    train: Vec<Example>,
    test: Vec<Example>,
    vocabulary: usize,
    probabilities: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct EmbeddingCase {
    name: String,
    #[serde(rename = "C")]
    c: f64,
    labels: Vec<String>,
    train: Vec<Example>,
    test: Vec<Example>,
    probabilities: Vec<Vec<f64>>,
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
    for case in reference.cases {
        let texts: Vec<&str> = case.train.iter().map(|e| e.text.as_str()).collect();
        let tfidf = Tfidf::fit(&texts);
        assert_eq!(tfidf.len(), case.vocabulary, "{}", case.name);
        let train: Vec<SparseRow> = texts.iter().map(|t| tfidf.transform(t)).collect();
        let test: Vec<SparseRow> = case.test.iter().map(|e| tfidf.transform(&e.text)).collect();
        let labels: Vec<usize> = case.train.iter().map(|e| e.label).collect();
        let l2 = 1.0 / (case.c * train.len() as f64);
        let layer = fit_lbfgs(
            Features::Sparse {
                rows: &train,
                dim: tfidf.len(),
            },
            &labels,
            case.labels.len(),
            l2,
            10_000,
        )
        .unwrap();
        let ours = layer.probabilities(Features::Sparse {
            rows: &test,
            dim: tfidf.len(),
        });
        let theirs: Vec<f64> = case.probabilities.concat();
        let worst = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-3, "{}: worst difference {worst}", case.name);
        let right = layer
            .predict(Features::Sparse {
                rows: &test,
                dim: tfidf.len(),
            })
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
    for case in reference.embeddings {
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

        let l2 = 1.0 / (case.c * labels.len() as f64);
        let lbfgs = fit_lbfgs(x, &labels, classes, l2, 10_000).unwrap();
        let theirs: Vec<f64> = case.probabilities.concat();
        let worst = lbfgs
            .probabilities(held_out)
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
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
            accuracy >= case.accuracy,
            "{}: Adam's layer {accuracy}, scikit-learn's {}",
            case.name,
            case.accuracy
        );

        let centroids =
            classify::centroids(Rows::new(&train.vectors, dim).unwrap(), &labels).unwrap();
        let nearest = classify::nearest_centroid(
            Rows::new(&centroids, dim).unwrap(),
            Rows::new(&test.vectors, dim).unwrap(),
        );
        assert_eq!(nearest, case.centroid_predictions, "{}", case.name);
        eprintln!(
            "{}: L-BFGS worst |Δp| {worst:.2e}; Adam {right} of {} right (scikit-learn {:.3})",
            case.name,
            truth.len(),
            case.accuracy
        );
    }
}
