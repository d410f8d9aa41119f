//! What the page's lessons compute from the models' outputs: plain vector maths over
//! embeddings ([`vectors`], [`projection`] to the plane, [`classify`], [`keywords`] KeyBERT,
//! [`vocabulary`] for word arithmetic) and what an answer costs ([`flops`]). A new lesson's
//! computation goes here as one file; its page side under `www/lessons/`.
//!
//! Uses: `error`, `models`, `encoder`, `decoder`.

pub mod classify;
pub mod flops;
pub mod keywords;
pub mod projection;
pub mod vectors;
pub mod vocabulary;
