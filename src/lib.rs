//! bert-vs-gpt: the pure Rust core (networks, tokenizers, vector maths) that the page runs as
//! wasm and the tests run natively. Layers, lowest first; a module imports only from layers
//! below it (`tests/layers.rs` checks this, and that no two files import each other):
//!
//! - [`kernels`]: products and other per-value work over f32, int16, 4-bit and 8-bit weights;
//! - [`gguf`]: checked access to a GGUF file's metadata and tensors;
//! - [`models`]: the networks (BERT; the GGUF decoders: Llama, Qwen, Gemma) built from kernels, and what they share;
//! - [`encoder`] and [`decoder`]: a network with its tokenizer — text in, vectors or tokens out;
//! - [`lessons`]: the vector maths the page's lessons do with those;
//! - `wasm` (wasm32 only): the page's binding, which only converts types;
//! - [`convert`] (native only): turns a source checkpoint into the files the page loads.

// The threaded wasm build (built with build-std, so with nightly features) puts helpers to sleep
// on atomic waits.
#![cfg_attr(target_feature = "atomics", feature(stdarch_wasm_atomic_wait))]

pub mod decoder;
pub mod encoder;
pub mod error;
pub mod gguf;
pub mod kernels;
pub mod lessons;
pub mod models;

#[cfg(not(target_arch = "wasm32"))]
pub mod convert;

#[cfg(test)]
mod test_support;

#[cfg(target_arch = "wasm32")]
mod wasm;
