//! 6-bit weights: each 32 values of a Q6_K super-block become a [`Block6`], one byte per value
//! (q ∈ −32..=31) and the two 16-value sub-blocks' scales already multiplied by the super-block's
//! (llama.cpp's `dequantize_row_q6_K` layout and `ggml_vec_dot_q6_K_q8_K_generic` arithmetic,
//! <https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::kernels::block_linear::lanes_sum;
use crate::kernels::block_linear::{f16_at, half_sums, GgmlFormat, WeightBlock};
use crate::kernels::quantize::{Block8, BLOCK};

/// Values 0–15 are `d[0] · qs[j]`, values 16–31 `d[1] · qs[j]`.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Block6 {
    d: [f32; 2],
    qs: [i8; BLOCK],
}

/// 128 bytes of low nibbles, 64 of high bit pairs, 16 signed 8-bit scales (one per 16 values),
/// f16 d. Per 128 values: value l + 32g (g = 0..4) has its low 4 bits in byte l (+32 for odd g)
/// of that half's 64 (the high nibble for g ≥ 2), its top 2 bits at 2g in byte l of its 32.
pub const Q6_K: GgmlFormat<Block6> = GgmlFormat {
    name: "Q6_K",
    values: 256,
    bytes: 128 + 64 + 16 + 2,
    convert: |raw, out| {
        let (ql, qh, scales) = (&raw[..128], &raw[128..192], &raw[192..208]);
        let d = f16_at(raw, 208);
        let value = |p: usize| -> i8 {
            let (half, r) = (p / 128, p % 128);
            let (group, l) = (r / 32, r % 32);
            let low = ql[half * 64 + l + 32 * (group % 2)];
            let low = if group < 2 { low & 0x0F } else { low >> 4 };
            let high = (qh[half * 32 + l] >> (2 * group)) & 3;
            (low | (high << 4)) as i8 - 32
        };
        for (b, block) in out.iter_mut().enumerate() {
            *block = Block6 {
                d: [0, 1].map(|h| d * f32::from(scales[2 * b + h] as i8)),
                qs: std::array::from_fn(|j| value(32 * b + j)),
            };
        }
    },
};

impl WeightBlock for Block6 {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        row.iter()
            .zip(x)
            .map(|(w, x)| {
                let [a, b] = half_sums(&w.qs, x);
                x.d * (w.d[0] * a as f32 + w.d[1] * b as f32)
            })
            .sum()
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        use core::arch::wasm32::*;
        let mut acc = f32x4_splat(0.0);
        for (w, x) in row.iter().zip(x) {
            let [a, b] = half_sums(&w.qs, x);
            acc = f32x4_add(
                acc,
                f32x4_mul(f32x4_convert_i32x4(a), f32x4_splat(w.d[0] * x.d)),
            );
            acc = f32x4_add(
                acc,
                f32x4_mul(f32x4_convert_i32x4(b), f32x4_splat(w.d[1] * x.d)),
            );
        }
        lanes_sum(acc)
    }

    fn dequantize(&self, values: &mut [f32; BLOCK]) {
        for (j, (v, &q)) in values.iter_mut().zip(&self.qs).enumerate() {
            *v = self.d[j / 16] * f32::from(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::block_linear::tests::check_layer;
    use crate::kernels::block_linear::BlockLinear;
    use crate::test_support::quantized_matrix;
    use candle_core::quantized::GgmlDType;

    #[test]
    fn q6_k_agrees_with_candles_dequantized_matrix() {
        for rows in [48, 44] {
            let (bytes, dense) = quantized_matrix(rows, 512, GgmlDType::Q6K);
            let layer = BlockLinear::from_bytes(&bytes, rows, 512, &Q6_K).unwrap();
            check_layer(&layer, &dense, 0.05);
        }
    }
}
