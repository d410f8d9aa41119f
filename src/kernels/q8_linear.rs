//! A GGUF Q8_0 matrix as a linear layer and an embedding table: SmolLM2's token embedding,
//! which is also its output layer (49,152 × 576 8-bit weights, a large share of a decoded
//! token). candle's Q8_0 dot product converts two f16 scales per block in software and widens
//! a token's activations again for every row; here the weight scales are f32 from load, and a
//! token's activations are rounded once (`quantize`, as llama.cpp's `quantize_row_q8_0`:
//! rounded with the f32 step, scaled by the step stored as f16) and widened to 16 bits once,
//! as llama.cpp's `ggml_vec_dot_q8_0_q8_0` multiplies them
//! (<https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>); the rows
//! are split over the page's threads.

use candle_core::{Device, Module, Tensor};
use half::f16;

use crate::error::{Error, Result};
use crate::kernels::parallel;
use crate::kernels::quantize::{quantize_block, BLOCK};
use crate::kernels::tensor_values::apply_rows;

/// Bytes of a Q8_0 block in a GGUF file: f16 d, then 32 signed bytes.
const RAW_BLOCK: usize = 2 + BLOCK;
/// The least work worth a thread: 256 rows of one token.
const ROWS_PER_PART: usize = 256;

/// A weight block: value j is `d · q_j`.
#[derive(Clone, Copy)]
struct WeightBlock {
    d: f32,
    qs: [i8; BLOCK],
}

/// An activation block rounded to 8 bits and widened to 16: value j ≈ `d · q_j`.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct ActivationBlock {
    qs: [i16; BLOCK],
    d: f32,
}

fn bad_matrix(reason: String) -> Error {
    Error::BadModelFile {
        file: "the GGUF file",
        what: "8-bit matrix",
        reason,
    }
}

/// A Q8_0 matrix, rows × cols, used as `x · Wᵀ` and as a table of rows.
pub struct Q8Linear {
    rows: usize,
    cols: usize,
    blocks: Vec<WeightBlock>,
}

impl Q8Linear {
    /// Bytes of a rows × cols Q8_0 matrix.
    pub fn byte_len(rows: usize, cols: usize) -> usize {
        rows * cols / BLOCK * RAW_BLOCK
    }

    /// Reads a rows × cols matrix from its bytes in GGML's Q8_0 layout.
    pub fn from_bytes(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        if !cols.is_multiple_of(BLOCK) || data.len() != Self::byte_len(rows, cols) {
            return Err(bad_matrix(format!(
                "{} bytes for {rows} × {cols} in blocks of {BLOCK}",
                data.len()
            )));
        }
        let blocks = data
            .chunks_exact(RAW_BLOCK)
            .map(|raw| WeightBlock {
                d: f16::from_le_bytes([raw[0], raw[1]]).to_f32(),
                qs: std::array::from_fn(|j| raw[2 + j] as i8),
            })
            .collect();
        Ok(Self { rows, cols, blocks })
    }

    fn row(&self, r: usize) -> &[WeightBlock] {
        let per_row = self.cols / BLOCK;
        &self.blocks[r * per_row..(r + 1) * per_row]
    }

    /// The rows `ids` (clamped to the table) as f32: a (ids.len(), cols) tensor.
    pub fn rows_of(&self, ids: &[u32]) -> Result<Tensor> {
        let mut out = Vec::with_capacity(ids.len() * self.cols);
        for &id in ids {
            let row = self.row((id as usize).min(self.rows - 1));
            out.extend(row.iter().flat_map(|b| b.qs.map(|q| b.d * f32::from(q))));
        }
        Ok(Tensor::from_vec(out, (ids.len(), self.cols), &Device::Cpu)?)
    }
}

impl Module for Q8Linear {
    /// `x · Wᵀ` for x of shape (…, cols).
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        apply_rows(
            x,
            self.cols,
            self.rows,
            "8-bit linear layer",
            |values, tokens| {
                let activations: Vec<ActivationBlock> = values
                    .chunks_exact(BLOCK)
                    .map(|block| {
                        let rounded = quantize_block(block);
                        ActivationBlock {
                            qs: rounded.qs.map(i16::from),
                            d: f16::from_f32(rounded.d).to_f32(),
                        }
                    })
                    .collect();
                let per_row = self.cols / BLOCK;
                let mut out = vec![0f32; tokens * self.rows];
                parallel::fill_rows(&mut out, self.rows, ROWS_PER_PART, |r, t| {
                    dot(self.row(r), &activations[t * per_row..(t + 1) * per_row])
                });
                out
            },
        )
    }
}

/// Σ_j w_j · x_j over the blocks of one weight row and one activation row.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot(weights: &[WeightBlock], x: &[ActivationBlock]) -> f32 {
    weights
        .iter()
        .zip(x)
        .map(|(w, x)| {
            let sum: i32 =
                w.qs.iter()
                    .zip(&x.qs)
                    .map(|(&a, &b)| i32::from(a) * i32::from(b))
                    .sum();
            sum as f32 * (w.d * x.d)
        })
        .sum()
}

/// The same with wasm simd128: weights widened 8 at a time, `i32x4.dot_i16x8_s`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot(weights: &[WeightBlock], x: &[ActivationBlock]) -> f32 {
    use core::arch::wasm32::*;
    // SAFETY: each block's loads read its 32 weight bytes (four 8-byte halves) and 32 i16
    // activations (four vectors); v128 loads allow unaligned addresses.
    unsafe {
        let mut acc = f32x4_splat(0.0);
        for (w, x) in weights.iter().zip(x) {
            let (q, a) = (w.qs.as_ptr(), x.qs.as_ptr() as *const v128);
            let mut sum = i32x4_dot_i16x8(i16x8_load_extend_i8x8(q), v128_load(a));
            for i in 1..4 {
                let product =
                    i32x4_dot_i16x8(i16x8_load_extend_i8x8(q.add(8 * i)), v128_load(a.add(i)));
                sum = i32x4_add(sum, product);
            }
            acc = f32x4_add(
                acc,
                f32x4_mul(f32x4_convert_i32x4(sum), f32x4_splat(w.d * x.d)),
            );
        }
        f32x4_extract_lane::<0>(acc)
            + f32x4_extract_lane::<1>(acc)
            + f32x4_extract_lane::<2>(acc)
            + f32x4_extract_lane::<3>(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};

    /// The same products and rows as candle's own Q8_0 matrix, which the model used before.
    #[test]
    fn equals_candles_q8_0_matmul_and_embedding() {
        let device = Device::Cpu;
        let (rows, cols) = (37, 96);
        let w = Tensor::randn(0f32, 1., (rows, cols), &device).unwrap();
        let quantized = QTensor::quantize(&w, GgmlDType::Q8_0).unwrap();
        let ours = Q8Linear::from_bytes(&quantized.data().unwrap(), rows, cols).unwrap();
        let table = quantized.dequantize(&device).unwrap();
        let candle = QMatMul::from_qtensor(quantized).unwrap();
        for tokens in [1, 5] {
            let x = Tensor::randn(0f32, 1., (tokens, cols), &device).unwrap();
            let difference =
                max_difference(&ours.forward(&x).unwrap(), &candle.forward(&x).unwrap());
            assert!(difference < 1e-4, "{tokens} tokens: {difference}");
        }
        let ids = [0u32, 36, 5, 5];
        let expected = table
            .index_select(&Tensor::new(&ids, &device).unwrap(), 0)
            .unwrap();
        assert!(max_difference(&ours.rows_of(&ids).unwrap(), &expected) < 1e-4);
        assert!(Q8Linear::from_bytes(&[0; 10], 1, 32).is_err());
    }
}
