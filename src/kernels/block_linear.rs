//! A linear layer over weights kept in 32-value blocks, whatever GGUF format they came in
//! ([`BlockRows`]): the format's bytes converted once, at load, into one of a few in-memory block
//! types ([`Blocks`] of a [`WeightBlock`]: `q4_blocks`, `q5_blocks`, `q6_blocks`) whose scales
//! are already f32, or — Q8_0, `q8_blocks` — read where they lie with only the scales converted,
//! so the inner loops do no f16 conversion and no unpacking of 6-bit scales — candle 0.11's
//! quantized dot products do both per block, and were most of decode time in the page.
//!
//! * One token (decode): a token's activations are rounded to 8 bits once (`quantize`, as
//!   llama.cpp's Q8_0/Q8_1) and dotted with each weight row by the block type's own simd128
//!   kernel (a plain-Rust twin natively), the rows split over the page's threads.
//! * Several tokens (prefill, scoring): the activations go through the same rounding, and each
//!   panel of 8 weight rows is dequantized to f32 (in cache) and multiplied by the f32 register
//!   tile (`panel::panel_product`). The products are exactly those of the 8-bit kernel; only
//!   the order of float additions differs.
//!
//! The K-quant formats (Q4_K, Q5_K, Q6_K: super-blocks of 256 with 6- or 8-bit sub-scales) become
//! the same 32-value blocks with each sub-block's scale multiplied out, and meet activations
//! rounded per 32 values — llama.cpp rounds them per 256 (its Q8_K), a coarser step; this is
//! closer to the float product, never further. The formats' layouts follow llama.cpp's
//! `dequantize_row_*` in <https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-quants.c>.

use candle_core::{Device, Module, Tensor};
use std::ops::Range;

use crate::error::{Error, Result};
use crate::kernels::panel::{pack_panel, panel_product, PANEL};
use crate::kernels::parallel::{self, PartsWrite};
use crate::kernels::quantize::{quantize_block, Block8, BLOCK};
use crate::kernels::tensor_values::apply_rows;

/// From this many tokens on, dequantize the weights a panel at a time for the f32 kernel.
const PANELS_FROM_TOKENS: usize = 4;
/// The least work worth a thread: this many multiply-adds of one token, 2 panels of 8 rows for
/// several, or 4096 blocks to convert at load.
pub const PRODUCTS_PER_PART: usize = 1 << 18;
const PANELS_PER_PART: usize = 2;
const BLOCKS_PER_PART: usize = 4096;

/// 32 weights as kept in memory, with the kernels that read them.
pub trait WeightBlock: Copy + Default + Send + Sync {
    /// Σ_j w_j · x_j over one weight row and one token's rounded activations (as many blocks).
    fn dot(row: &[Self], x: &[Block8]) -> f32;
    /// The 32 values.
    fn dequantize(&self, values: &mut [f32; BLOCK]);
}

/// A GGUF weight format as stored in a file, and how its blocks become `B`s.
pub struct GgmlFormat<B> {
    pub name: &'static str,
    /// Values and bytes of one block in the file (256 values for the K-quants).
    pub values: usize,
    pub bytes: usize,
    /// Converts one file block into `values / 32` blocks.
    pub convert: fn(&[u8], &mut [B]),
}

impl<B> GgmlFormat<B> {
    /// Bytes of a rows × cols matrix in this format.
    pub fn byte_len(&self, rows: usize, cols: usize) -> usize {
        rows * cols / self.values * self.bytes
    }
}

fn bad_matrix(reason: String) -> Error {
    Error::BadModelFile {
        file: "the GGUF file",
        what: "quantized matrix",
        reason,
    }
}

/// The weight rows a quantized linear layer reads: a row's dot product with a token's
/// activations rounded to 8 bits, and a row's values as f32.
pub trait BlockRows: Sync {
    fn rows(&self) -> usize;
    fn cols(&self) -> usize;
    /// Σ_j w_rj · x_j over row `r`.
    fn dot(&self, r: usize, x: &[Block8]) -> f32;
    /// Row `r` as f32 into `out` (`cols` values).
    fn row_values(&self, r: usize, out: &mut [f32]);
    /// Bytes a product with every row reads.
    fn bytes(&self) -> usize;
}

/// A matrix kept as blocks `B` converted from the file's bytes.
pub struct Blocks<B> {
    rows: usize,
    cols: usize,
    blocks: Vec<B>,
}

impl<B: WeightBlock> Blocks<B> {
    /// Converts a rows × cols matrix from its bytes in `format`.
    pub fn from_bytes(
        data: &[u8],
        rows: usize,
        cols: usize,
        format: &GgmlFormat<B>,
    ) -> Result<Self> {
        if !cols.is_multiple_of(format.values) {
            return Err(bad_matrix(format!(
                "{cols} columns is not a multiple of {} ({})",
                format.values, format.name
            )));
        }
        if data.len() != format.byte_len(rows, cols) {
            return Err(bad_matrix(format!(
                "{} bytes for {rows} × {cols} in {}",
                data.len(),
                format.name
            )));
        }
        // Converted on every thread: a model's matrices are millions of blocks, and this is on
        // the way to its first result.
        let per_raw = format.values / BLOCK;
        let raw_blocks = data.len() / format.bytes;
        let mut blocks = vec![B::default(); raw_blocks * per_raw];
        let writes = PartsWrite::new(&mut blocks);
        parallel::for_each_part(raw_blocks, BLOCKS_PER_PART / per_raw, &|part| {
            // SAFETY: each part converts its own range of blocks.
            let out = unsafe { writes.range(part.start * per_raw..part.end * per_raw) };
            let raw = &data[part.start * format.bytes..part.end * format.bytes];
            for (out, raw) in out
                .chunks_exact_mut(per_raw)
                .zip(raw.chunks_exact(format.bytes))
            {
                (format.convert)(raw, out);
            }
        });
        Ok(Self { rows, cols, blocks })
    }

    fn row(&self, r: usize) -> &[B] {
        let per_row = self.cols / BLOCK;
        &self.blocks[r * per_row..(r + 1) * per_row]
    }
}

impl<B: WeightBlock> BlockRows for Blocks<B> {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cols(&self) -> usize {
        self.cols
    }

    fn dot(&self, r: usize, x: &[Block8]) -> f32 {
        B::dot(self.row(r), x)
    }

    fn bytes(&self) -> usize {
        std::mem::size_of_val(self.blocks.as_slice())
    }

    fn row_values(&self, r: usize, out: &mut [f32]) {
        let mut values = [0f32; BLOCK];
        for (block, dest) in self.row(r).iter().zip(out.chunks_exact_mut(BLOCK)) {
            block.dequantize(&mut values);
            dest.copy_from_slice(&values);
        }
    }
}

/// A quantized weight matrix used as `x · Wᵀ` and as a table of rows, whatever keeps its rows.
pub struct BlockLinear<S>(pub S);

impl<B: WeightBlock> BlockLinear<Blocks<B>> {
    /// Converts a rows × cols matrix from its bytes in `format`.
    pub fn from_bytes(
        data: &[u8],
        rows: usize,
        cols: usize,
        format: &GgmlFormat<B>,
    ) -> Result<Self> {
        Blocks::from_bytes(data, rows, cols, format).map(Self)
    }
}

impl<S: BlockRows> BlockLinear<S> {
    pub fn rows(&self) -> usize {
        self.0.rows()
    }

    pub fn cols(&self) -> usize {
        self.0.cols()
    }

    /// Rows `rows` of one token's `x · Wᵀ`, its activations rounded (`quantize`), into `out`.
    pub fn token_rows(&self, x: &[Block8], rows: Range<usize>, out: &mut [f32]) {
        for (r, slot) in rows.zip(out) {
            *slot = self.0.dot(r, x);
        }
    }

    /// The rows `ids` (clamped to the table) as f32: a (ids.len(), cols) tensor.
    pub fn rows_of(&self, ids: &[u32]) -> Result<Tensor> {
        let (rows, cols) = (self.0.rows(), self.0.cols());
        let mut out = vec![0f32; ids.len() * cols];
        for (&id, dest) in ids.iter().zip(out.chunks_exact_mut(cols)) {
            self.0.row_values((id as usize).min(rows - 1), dest);
        }
        Ok(Tensor::from_vec(out, (ids.len(), cols), &Device::Cpu)?)
    }

    /// Rows `rows` (at most 8) of the weights as f32 in the f32 panel layout (`panel`): k-major,
    /// 8 values per k, missing rows zero; `scratch` is room for 8 rows.
    fn dequantize_panel(&self, rows: Range<usize>, panel: &mut [f32], scratch: &mut [f32]) {
        let cols = self.0.cols();
        let scratch = &mut scratch[..rows.len() * cols];
        for (r, row) in rows.zip(scratch.chunks_exact_mut(cols)) {
            self.0.row_values(r, row);
        }
        pack_panel(scratch, cols, panel);
    }
}

impl<S: BlockRows> Module for BlockLinear<S> {
    /// `x · Wᵀ` for x of shape (…, cols); the weight rows are split over the page's threads.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (rows, cols) = (self.0.rows(), self.0.cols());
        apply_rows(x, cols, rows, "quantized linear layer", |values, tokens| {
            let activations: Vec<Block8> = values.chunks_exact(BLOCK).map(quantize_block).collect();
            let mut out = vec![0f32; tokens * rows];
            if tokens < PANELS_FROM_TOKENS {
                let per_row = cols / BLOCK;
                let grain = (PRODUCTS_PER_PART / cols.max(1)).max(8);
                parallel::fill_rows(&mut out, rows, grain, |r, t| {
                    self.0.dot(r, &activations[t * per_row..(t + 1) * per_row])
                });
                return out;
            }
            let rounded: Vec<f32> = activations
                .iter()
                .flat_map(|b| b.qs.map(|q| b.d * f32::from(q)))
                .collect();
            let writes = PartsWrite::new(&mut out);
            parallel::for_each_part(rows.div_ceil(PANEL), PANELS_PER_PART, &|part| {
                let mut panel = vec![0f32; cols * PANEL];
                let mut scratch = vec![0f32; cols * PANEL];
                for p in part {
                    let chunk = p * PANEL..(p * PANEL + PANEL).min(rows);
                    self.dequantize_panel(chunk.clone(), &mut panel, &mut scratch);
                    panel_product(&rounded, tokens, cols, &panel, |token, values| {
                        let start = token * rows + chunk.start;
                        // SAFETY: these output columns belong to this part alone.
                        let slots = unsafe { writes.range(start..start + chunk.len()) };
                        slots.copy_from_slice(&values[..chunk.len()]);
                    });
                }
            });
            out
        })
    }
}

/// f16 `raw[at..at + 2]` (little-endian) as f32: the scales in every GGUF block.
pub fn f16_at(raw: &[u8], at: usize) -> f32 {
    half::f16::from_le_bytes([raw[at], raw[at + 1]]).to_f32()
}

/// The scale and minimum of sub-block `j` (of 8) from the 12 packed 6-bit values of a Q4_K or
/// Q5_K super-block (llama.cpp's `get_scale_min_k4`).
pub fn k_scale_min(j: usize, q: &[u8]) -> (f32, f32) {
    let (scale, min) = if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    };
    (f32::from(scale), f32::from(min))
}

/// Σ w_j · x_j over each 16-value half of a block of signed-byte weights (up to 8 bits) and a
/// token's activations rounded to 8: the products every 8-bit-per-value block type is made of.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub fn half_sums(w: &[i8; BLOCK], x: &Block8) -> [i32; 2] {
    let sum = |h: usize| -> i32 {
        (16 * h..16 * h + 16)
            .map(|j| i32::from(w[j]) * i32::from(x.qs[j]))
            .sum()
    };
    [sum(0), sum(1)]
}

/// The same with wasm simd128, as two i32x4 partial sums: both sides widened 8 at a time,
/// `i32x4.dot_i16x8_s`. (Sign-extending the weights in their 16-bit lanes by shifts instead, as
/// the 4-bit kernel does with its nibbles, measured 8–13% slower on a Zen 3 host:
/// docs/performance.md.)
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub fn half_sums(w: &[i8; BLOCK], x: &Block8) -> [core::arch::wasm32::v128; 2] {
    use core::arch::wasm32::*;
    let (w, x) = (w.as_ptr(), x.qs.as_ptr());
    // SAFETY: quarters 0–3 read 8 bytes each of two 32-byte arrays; the loads allow unaligned
    // addresses.
    let quarter = |i: usize| unsafe {
        i32x4_dot_i16x8(
            i16x8_load_extend_i8x8(w.add(8 * i)),
            i16x8_load_extend_i8x8(x.add(8 * i)),
        )
    };
    [
        i32x4_add(quarter(0), quarter(1)),
        i32x4_add(quarter(2), quarter(3)),
    ]
}

/// Sums of the four lanes of a wasm i32x4-to-f32 accumulator.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub fn lanes_sum(v: core::arch::wasm32::v128) -> f32 {
    use core::arch::wasm32::f32x4_extract_lane;
    f32x4_extract_lane::<0>(v)
        + f32x4_extract_lane::<1>(v)
        + f32x4_extract_lane::<2>(v)
        + f32x4_extract_lane::<3>(v)
}

#[cfg(test)]
pub mod tests {
    //! What every block type must satisfy, run by each format's tests on its own matrices.
    use super::*;
    use crate::test_support::max_difference;

    pub fn activations(tokens: usize, cols: usize) -> Tensor {
        let values: Vec<f32> = (0..tokens * cols)
            .map(|i| ((i * 104_729 % 997) as f32 / 997.0 - 0.5) * 3.0)
            .collect();
        Tensor::from_vec(values, (1, tokens, cols), &Device::Cpu).unwrap()
    }

    /// `layer` against `dense`, the same matrix dequantized by an independent reader (candle's):
    /// both paths within the 8-bit rounding of activations, one token equal to the same token in
    /// a batch, rows equal to the dense rows.
    pub fn check_layer<S: BlockRows>(layer: &BlockLinear<S>, dense: &Tensor, tolerance: f32) {
        let (rows, cols) = dense.dims2().unwrap();
        for tokens in [1, 3, PANELS_FROM_TOKENS, 9] {
            let x = activations(tokens, cols);
            let ours = layer.forward(&x).unwrap();
            assert_eq!(ours.dims(), &[1, tokens, rows]);
            let exact = x.broadcast_matmul(&dense.t().unwrap()).unwrap();
            let difference = max_difference(&ours, &exact);
            assert!(difference < tolerance, "tokens {tokens}: {difference}");
        }
        let x = activations(PANELS_FROM_TOKENS, cols);
        let batch = layer.forward(&x).unwrap();
        let first = layer.forward(&x.narrow(1, 0, 1).unwrap()).unwrap();
        assert!(max_difference(&first, &batch.narrow(1, 0, 1).unwrap()) < 1e-4);
        let ids = [0u32, rows as u32 - 1, 1];
        let expected = dense
            .index_select(&Tensor::new(&ids, &Device::Cpu).unwrap(), 0)
            .unwrap();
        assert!(max_difference(&layer.rows_of(&ids).unwrap(), &expected) < 1e-6);
    }
}
