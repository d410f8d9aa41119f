//! 8-bit weights: Q8_0 becomes [`Block8w`] (value `d · q`, q ∈ −127..=127) with its scale in
//! f32 from load. This is the format of SmolLM2's and Gemma's token embedding, which is also
//! their output layer (49,152 and 262,144 rows: most of a decoded token), so the block stays as
//! small as the file's, without an offset (llama.cpp's `ggml_vec_dot_q8_0_q8_0`,
//! <https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::kernels::block_linear::lanes_sum;
use crate::kernels::block_linear::{f16_at, half_sums, GgmlFormat, WeightBlock};
use crate::kernels::quantize::{Block8, BLOCK};

/// Value j is `d · qs[j]`.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Block8w {
    d: f32,
    qs: [i8; BLOCK],
}

pub const Q8_0: GgmlFormat<Block8w> = GgmlFormat {
    name: "Q8_0",
    values: BLOCK,
    bytes: 2 + BLOCK,
    convert: |raw, out| {
        out[0] = Block8w {
            d: f16_at(raw, 0),
            qs: std::array::from_fn(|j| raw[2 + j] as i8),
        }
    },
};

impl WeightBlock for Block8w {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        row.iter()
            .zip(x)
            .map(|(w, x)| {
                let [a, b] = half_sums(&w.qs, &x.qs);
                (a + b) as f32 * (w.d * x.d)
            })
            .sum()
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        use core::arch::wasm32::*;
        let mut acc = f32x4_splat(0.0);
        for (w, x) in row.iter().zip(x) {
            let [a, b] = half_sums(&w.qs, &x.qs);
            let sum = f32x4_convert_i32x4(i32x4_add(a, b));
            acc = f32x4_add(acc, f32x4_mul(sum, f32x4_splat(w.d * x.d)));
        }
        lanes_sum(acc)
    }

    fn dequantize(&self, values: &mut [f32; BLOCK]) {
        for (v, &q) in values.iter_mut().zip(&self.qs) {
            *v = self.d * f32::from(q);
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
    fn q8_0_agrees_with_candles_dequantized_matrix() {
        for rows in [48, 37] {
            let (bytes, dense) = quantized_matrix(rows, 96, GgmlDType::Q8_0);
            let layer = BlockLinear::from_bytes(&bytes, rows, 96, &Q8_0).unwrap();
            check_layer(&layer, &dense, 0.05);
        }
    }
}
