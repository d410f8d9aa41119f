//! The kernels: the products and per-value steps the networks spend their time in, written for
//! wasm simd128 (with a plain-Rust twin for native builds beside each) because candle's own
//! were slow on these shapes in the page. A linear-layer family by weight format —
//! [`f32_linear`], [`int16_linear`], [`q4_linear`], [`q8_linear`] — over shared pieces:
//! [`panel`] (the panel layout and register tile), [`quantize`] (rounding activations to 8
//! bits), [`float_steps`], [`tensor_values`] and [`parallel`] (splitting a product over
//! threads); beside them BERT's [`attention`] and [`gelu`].
//!
//! Uses: `error` only. Knows no network, tokenizer or file format beyond a matrix's bytes.

pub mod attention;
pub mod f32_linear;
pub mod float_steps;
pub mod gelu;
pub mod int16_linear;
pub mod panel;
pub mod parallel;
pub mod q4_linear;
pub mod q8_linear;
pub mod quantize;
pub mod tensor_values;
