//! bert-vs-gpt: the pure Rust core (models, tokenizers, vector maths) that the page runs as
//! wasm and the tests run natively. Only `wasm` knows about JavaScript.

pub mod chat;
pub mod decoder;
pub mod encoder;
pub mod error;
pub mod generation;
pub mod gguf_tokenizer;
pub mod llama;
pub mod pooling;
pub mod projection;
pub mod sampling;
pub mod vectors;

#[cfg(target_arch = "wasm32")]
mod wasm;
