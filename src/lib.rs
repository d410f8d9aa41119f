//! bert-vs-gpt: the pure Rust core (models, tokenizers, vector maths) that the page runs as
//! wasm and the tests run natively. Only `wasm` knows about JavaScript.

pub mod encoder;
pub mod error;
pub mod pooling;
pub mod projection;
pub mod vectors;

#[cfg(target_arch = "wasm32")]
mod wasm;
