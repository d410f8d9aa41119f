//! What the page's lessons compute from the models' outputs: plain vector maths over
//! embeddings ([`vectors`], [`projection`] to the plane, [`classify`], [`keywords`] KeyBERT,
//! [`vocabulary`] for word arithmetic), what an answer costs ([`flops`]), and the classifier
//! lesson's three paradigms: a class's [`labelled_data`], a [`split`] to hold texts out,
//! hand-made [`tfidf`] features, a trained [`softmax_regression`] layer and the [`metrics`].
//! A new lesson's computation goes here as one file; its page side under `www/lessons/`.
//!
//! Uses: `error`, `models`, `encoder`, `decoder`.

pub mod classify;
pub mod flops;
pub mod keywords;
pub mod labelled_data;
pub mod metrics;
pub mod projection;
pub mod softmax_regression;
pub mod split;
pub mod tfidf;
pub mod vectors;
pub mod vocabulary;
