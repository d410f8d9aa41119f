//! bert-vs-gpt: the pure Rust core (models, tokenizers, vector maths) that the page runs as
//! wasm and the tests run natively. Only `wasm` knows about JavaScript.

// The threaded wasm build (built with build-std, so with nightly features) puts helpers to sleep
// on atomic waits.
#![cfg_attr(target_feature = "atomics", feature(stdarch_wasm_atomic_wait))]

pub mod attention;
pub mod bert;
pub mod charsmap;
pub mod chat;
pub mod classify;
pub mod decoder;
pub mod e5_convert;
pub mod e5s1;
pub mod encoder;
pub mod error;
pub mod float_steps;
pub mod flops;
pub mod gelu;
pub mod generation;
pub mod gguf_tensors;
pub mod gguf_tokenizer;
pub mod int16_panel;
pub mod keywords;
pub mod llama;
pub mod packed_linear;
pub mod parallel;
pub mod pooling;
pub mod projection;
pub mod q4_linear;
pub mod q8_linear;
pub mod sampling;
pub mod tensor_values;
pub mod unigram;
pub mod vectors;
pub mod vocabulary;

#[cfg(test)]
mod test_support;

#[cfg(target_arch = "wasm32")]
mod wasm;
