//! Paradigm 1 of the classifier lesson against scikit-learn: TF-IDF over the shipped labelled
//! texts and multinomial logistic regression with L2, trained by our L-BFGS, give the class
//! probabilities tests/fixtures/classify_reference.py's TfidfVectorizer + LogisticRegression
//! give on the held-out texts, within 1e-3 (the same convex optimum, reached by two solvers).

mod common;

use bert_vs_gpt::lessons::softmax_regression::{fit_lbfgs, Features};
use bert_vs_gpt::lessons::tfidf::{SparseRow, Tfidf};
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
struct Reference {
    cases: Vec<Case>,
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
