//! The kernels: the products and per-value steps the networks spend their time in, written for
//! wasm simd128 (with a plain-Rust twin for native builds beside each) because candle's own
//! were slow on these shapes in the page. A linear-layer family by weight format —
//! [`f32_linear`] and [`int16_linear`] (packed into [`panel`]s), and the GGUF block formats
//! ([`ggml_linear`] picks one): [`block_linear`] over the block types of [`q4_blocks`],
//! [`q5_blocks`], [`q6_blocks`] and [`q8_blocks`] — over shared pieces: [`panel`] (the panel
//! layout and register tile), [`quantize`] (rounding activations to 8 bits), [`float_steps`],
//! [`tensor_values`] and [`parallel`] (splitting a product over threads); beside them
//! [`attention`] (an encoder's) and [`cached_attention`] (a decoded token's), [`gelu`],
//! [`rms_norm`] and [`rotary`]; and [`machine_check`], how fast this machine reads memory and
//! runs the one-token products.
//!
//! Uses: `error` only. Knows no network, tokenizer or file format beyond a matrix's bytes.

pub mod attention;
pub mod block_linear;
pub mod cached_attention;
pub mod f32_linear;
pub mod float_steps;
pub mod gelu;
pub mod ggml_linear;
pub mod int16_linear;
pub mod machine_check;
pub mod panel;
pub mod parallel;
pub mod q4_blocks;
pub mod q5_blocks;
pub mod q6_blocks;
pub mod q8_blocks;
pub mod quantize;
pub mod rms_norm;
pub mod rotary;
pub mod tensor_values;
