//! 8-bit weights: a Q8_0 matrix (value `d · q`, q ∈ −127..=127, 32 values a block) read where it
//! lies in the model file — only its f16 scales are converted, into an f32 array beside it.
//! This is the format of SmolLM2's and Gemma's token embedding, which is also their output
//! layer (49,152 and 262,144 rows: most of a decoded token, and for Gemma 178 MB of the file):
//! rewriting it in another layout at load cost a second copy of those bytes and the time to
//! write it, for no faster product. The product is llama.cpp's `ggml_vec_dot_q8_0_q8_0`
//! (<https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>).

use std::sync::Arc;

use crate::error::{Error, Result};
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::kernels::block_linear::lanes_sum;
use crate::kernels::block_linear::{f16_at, half_sums, BlockRows};
use crate::kernels::parallel::{self, PartsWrite};
use crate::kernels::quantize::{Block8, BLOCK};

/// Bytes of a Q8_0 block in a GGUF file: f16 d, then 32 signed bytes.
pub const RAW_BLOCK: usize = 2 + BLOCK;
/// The least work worth a thread when converting scales.
const SCALES_PER_PART: usize = 1 << 16;

/// A Q8_0 matrix, rows × cols, in `file` from byte `start`.
pub struct Q8InFile {
    file: Arc<Vec<u8>>,
    start: usize,
    rows: usize,
    cols: usize,
    /// Each block's d, in f32.
    scales: Vec<f32>,
}

impl Q8InFile {
    /// Bytes of a rows × cols Q8_0 matrix.
    pub fn byte_len(rows: usize, cols: usize) -> usize {
        rows * cols / BLOCK * RAW_BLOCK
    }

    /// The matrix of `rows` × `cols` at byte `start` of `file`.
    pub fn new(file: Arc<Vec<u8>>, start: usize, rows: usize, cols: usize) -> Result<Self> {
        let len = Self::byte_len(rows, cols);
        if !cols.is_multiple_of(BLOCK) || start.checked_add(len).is_none_or(|end| end > file.len())
        {
            return Err(Error::BadModelFile {
                file: "the GGUF file",
                what: "8-bit matrix",
                reason: format!(
                    "{rows} × {cols} Q8_0 values do not fit in the file from byte {start}"
                ),
            });
        }
        let count = rows * cols / BLOCK;
        let mut scales = vec![0f32; count];
        let writes = PartsWrite::new(&mut scales);
        let raw = &file[start..start + len];
        parallel::for_each_part(count, SCALES_PER_PART, &|part| {
            // SAFETY: each part converts its own range of scales.
            let out = unsafe { writes.range(part.clone()) };
            for (d, b) in out.iter_mut().zip(part) {
                *d = f16_at(raw, b * RAW_BLOCK);
            }
        });
        Ok(Self {
            file,
            start,
            rows,
            cols,
            scales,
        })
    }

    /// Row `r`: its raw blocks (34 bytes each: the f16 scale, unused, then the quants) and their
    /// f32 scales.
    fn row(&self, r: usize) -> (&[u8], &[f32]) {
        let per_row = self.cols / BLOCK;
        let at = self.start + r * per_row * RAW_BLOCK;
        (
            &self.file[at..at + per_row * RAW_BLOCK],
            &self.scales[r * per_row..(r + 1) * per_row],
        )
    }
}

/// The 32 quants of a raw Q8_0 block.
fn quants(raw: &[u8]) -> &[i8; BLOCK] {
    let bytes: &[u8; BLOCK] = raw[2..].try_into().expect("a 34-byte block");
    // SAFETY: u8 and i8 have the same size and alignment, and every byte is a valid i8.
    unsafe { &*(bytes as *const [u8; BLOCK] as *const [i8; BLOCK]) }
}

impl BlockRows for Q8InFile {
    fn rows(&self) -> usize {
        self.rows
    }

    /// The raw blocks and their f32 scales.
    fn bytes(&self) -> usize {
        Self::byte_len(self.rows, self.cols) + std::mem::size_of_val(self.scales.as_slice())
    }

    fn cols(&self) -> usize {
        self.cols
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn dot(&self, r: usize, x: &[Block8]) -> f32 {
        let (raw, scales) = self.row(r);
        raw.chunks_exact(RAW_BLOCK)
            .zip(scales)
            .zip(x)
            .map(|((raw, &d), x)| {
                let [a, b] = half_sums(quants(raw), x);
                (a + b) as f32 * (d * x.d)
            })
            .sum()
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn dot(&self, r: usize, x: &[Block8]) -> f32 {
        use core::arch::wasm32::*;
        let (raw, scales) = self.row(r);
        let mut acc = f32x4_splat(0.0);
        for ((raw, &d), x) in raw.chunks_exact(RAW_BLOCK).zip(scales).zip(x) {
            let [a, b] = half_sums(quants(raw), x);
            let sum = f32x4_convert_i32x4(i32x4_add(a, b));
            acc = f32x4_add(acc, f32x4_mul(sum, f32x4_splat(d * x.d)));
        }
        lanes_sum(acc)
    }

    fn row_values(&self, r: usize, out: &mut [f32]) {
        let (raw, scales) = self.row(r);
        for ((raw, &d), dest) in raw
            .chunks_exact(RAW_BLOCK)
            .zip(scales)
            .zip(out.chunks_exact_mut(BLOCK))
        {
            for (v, &q) in dest.iter_mut().zip(quants(raw)) {
                *v = d * f32::from(q);
            }
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
    fn q8_0_in_place_agrees_with_candles_dequantized_matrix() {
        for rows in [48, 37] {
            let (bytes, dense) = quantized_matrix(rows, 96, GgmlDType::Q8_0);
            // The matrix after 5 other bytes of a file, as in a GGUF.
            let file = Arc::new([vec![7u8; 5], bytes].concat());
            let layer = BlockLinear(Q8InFile::new(file.clone(), 5, rows, 96).unwrap());
            check_layer(&layer, &dense, 0.05);
            assert!(Q8InFile::new(file, 6, rows, 96).is_err());
        }
    }
}
