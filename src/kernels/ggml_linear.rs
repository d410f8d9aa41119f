//! A GGUF weight matrix in any of the formats we read, as one type: the block formats through
//! [`BlockLinear`] (Q8_0 read in place in the file, the others by which in-memory block they
//! become), F32 and F16 as an f32 tensor through candle's matmul (in the files we meet these are
//! small, or rare). Any other format is refused with its name, so a file we cannot run says why.

use std::sync::Arc;

use candle_core::quantized::GgmlDType;
use candle_core::{DType, Device, Module, Tensor};

use crate::error::{Error, Result};
use std::ops::Range;

use crate::kernels::block_linear::{BlockLinear, BlockRows, Blocks, GgmlFormat, PRODUCTS_PER_PART};
use crate::kernels::parallel::{self, PartsWrite};
use crate::kernels::q4_blocks::{Block4, Q4_0, Q4_1, Q4_K};
use crate::kernels::q5_blocks::{Block5, Q5_0, Q5_1, Q5_K};
use crate::kernels::q6_blocks::{Block6, Q6_K};
use crate::kernels::q8_blocks::Q8InFile;
use crate::kernels::quantize::{quantize_block, Block8, BLOCK};

/// The formats a matrix may come in, for messages.
pub const SUPPORTED: &str = "F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K";

pub enum GgmlLinear {
    Q4(BlockLinear<Blocks<Block4>>),
    Q5(BlockLinear<Blocks<Block5>>),
    Q6(BlockLinear<Blocks<Block6>>),
    Q8(BlockLinear<Q8InFile>),
    /// (rows, cols) f32.
    Dense(Tensor),
}

/// GGML's own name of a format (candle's `Q4K` is llama.cpp's `Q4_K`).
pub fn format_name(dtype: GgmlDType) -> String {
    let name = format!("{dtype:?}");
    match name.strip_suffix('K') {
        Some(stem) if !stem.ends_with('_') => format!("{stem}_K"),
        _ => name,
    }
}

fn unsupported(dtype: GgmlDType) -> Error {
    Error::BadModelFile {
        file: "the GGUF file",
        what: "weight matrix",
        reason: format!(
            "its tensor type {} is not supported (supported: {SUPPORTED})",
            format_name(dtype)
        ),
    }
}

/// Bytes per value of the dense formats.
fn dense_bytes(dtype: GgmlDType) -> Option<usize> {
    match dtype {
        GgmlDType::F32 => Some(4),
        GgmlDType::F16 => Some(2),
        _ => None,
    }
}

impl GgmlLinear {
    /// Bytes of a rows × cols matrix of `dtype`.
    pub fn byte_len(dtype: GgmlDType, rows: usize, cols: usize) -> Result<usize> {
        fn len<B>(format: &GgmlFormat<B>, rows: usize, cols: usize) -> usize {
            format.byte_len(rows, cols)
        }
        Ok(match dtype {
            GgmlDType::Q4_0 => len(&Q4_0, rows, cols),
            GgmlDType::Q4_1 => len(&Q4_1, rows, cols),
            GgmlDType::Q4K => len(&Q4_K, rows, cols),
            GgmlDType::Q5_0 => len(&Q5_0, rows, cols),
            GgmlDType::Q5_1 => len(&Q5_1, rows, cols),
            GgmlDType::Q5K => len(&Q5_K, rows, cols),
            GgmlDType::Q6K => len(&Q6_K, rows, cols),
            GgmlDType::Q8_0 => Q8InFile::byte_len(rows, cols),
            other => rows * cols * dense_bytes(other).ok_or_else(|| unsupported(other))?,
        })
    }

    /// Bytes a matrix of `values` values of `dtype` takes once converted (its blocks' scales in
    /// f32, 5- and 6-bit values in a byte each, dense formats as f32), beyond the file itself
    /// (Q8_0 stays there: only its scales are converted).
    pub fn converted_len(dtype: GgmlDType, values: u64) -> Result<u64> {
        let per_block = match dtype {
            GgmlDType::Q4_0 | GgmlDType::Q4_1 | GgmlDType::Q4K => size_of::<Block4>(),
            GgmlDType::Q5_0 | GgmlDType::Q5_1 | GgmlDType::Q5K => size_of::<Block5>(),
            GgmlDType::Q6K => size_of::<Block6>(),
            GgmlDType::Q8_0 => size_of::<f32>(),
            other => {
                dense_bytes(other).ok_or_else(|| unsupported(other))?;
                4 * crate::kernels::quantize::BLOCK
            }
        };
        Ok(values.div_ceil(crate::kernels::quantize::BLOCK as u64) * per_block as u64)
    }

    /// The rows × cols matrix of `dtype` at byte `start` of `file` ([`GgmlLinear::byte_len`]
    /// bytes): Q8_0 read there, the others converted.
    pub fn from_file(
        dtype: GgmlDType,
        file: &Arc<Vec<u8>>,
        start: usize,
        rows: usize,
        cols: usize,
    ) -> Result<Self> {
        if dtype == GgmlDType::Q8_0 {
            return Ok(Self::Q8(BlockLinear(Q8InFile::new(
                Arc::clone(file),
                start,
                rows,
                cols,
            )?)));
        }
        let len = Self::byte_len(dtype, rows, cols)?;
        let data = start
            .checked_add(len)
            .and_then(|end| file.get(start..end))
            .ok_or_else(|| Error::BadModelFile {
                file: "the GGUF file",
                what: "weight matrix",
                reason: format!(
                    "{rows} × {cols} values of {} run past the end of the file",
                    format_name(dtype)
                ),
            })?;
        Ok(match dtype {
            GgmlDType::Q4_0 => Self::Q4(BlockLinear::from_bytes(data, rows, cols, &Q4_0)?),
            GgmlDType::Q4_1 => Self::Q4(BlockLinear::from_bytes(data, rows, cols, &Q4_1)?),
            GgmlDType::Q4K => Self::Q4(BlockLinear::from_bytes(data, rows, cols, &Q4_K)?),
            GgmlDType::Q5_0 => Self::Q5(BlockLinear::from_bytes(data, rows, cols, &Q5_0)?),
            GgmlDType::Q5_1 => Self::Q5(BlockLinear::from_bytes(data, rows, cols, &Q5_1)?),
            GgmlDType::Q5K => Self::Q5(BlockLinear::from_bytes(data, rows, cols, &Q5_K)?),
            GgmlDType::Q6K => Self::Q6(BlockLinear::from_bytes(data, rows, cols, &Q6_K)?),
            other => {
                let values: Vec<f32> = match other {
                    GgmlDType::F16 => data
                        .chunks_exact(2)
                        .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                        .collect(),
                    _ => data
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect(),
                };
                Self::Dense(Tensor::from_vec(values, (rows, cols), &Device::Cpu)?)
            }
        })
    }

    /// The rows `ids` (clamped to the table) as f32: a (ids.len(), cols) tensor.
    pub fn rows_of(&self, ids: &[u32]) -> Result<Tensor> {
        match self {
            Self::Q4(m) => m.rows_of(ids),
            Self::Q5(m) => m.rows_of(ids),
            Self::Q6(m) => m.rows_of(ids),
            Self::Q8(m) => m.rows_of(ids),
            Self::Dense(m) => {
                let last = m.dim(0)? as u32 - 1;
                let ids: Vec<u32> = ids.iter().map(|&id| id.min(last)).collect();
                Ok(m.index_select(&Tensor::new(ids, &Device::Cpu)?, 0)?)
            }
        }
    }
}

impl GgmlLinear {
    /// (rows, cols): `cols` inputs, `rows` outputs.
    pub fn shape(&self) -> candle_core::Result<(usize, usize)> {
        Ok(match self {
            Self::Q4(m) => (m.rows(), m.cols()),
            Self::Q5(m) => (m.rows(), m.cols()),
            Self::Q6(m) => (m.rows(), m.cols()),
            Self::Q8(m) => (m.rows(), m.cols()),
            Self::Dense(m) => m.dims2()?,
        })
    }

    /// Bytes one token's product reads: the blocks as kept in memory (Q8_0's raw blocks and
    /// their f32 scales), or the dense f32 values.
    pub fn bytes(&self) -> usize {
        match self {
            Self::Q4(m) => m.0.bytes(),
            Self::Q5(m) => m.0.bytes(),
            Self::Q6(m) => m.0.bytes(),
            Self::Q8(m) => m.0.bytes(),
            Self::Dense(m) => m.elem_count() * m.dtype().size_in_bytes(),
        }
    }

    /// Rows `rows` of one token's product with a block matrix (a dense one is computed apart).
    pub fn token_rows(&self, x: &[Block8], rows: Range<usize>, out: &mut [f32]) {
        match self {
            Self::Q4(m) => m.token_rows(x, rows, out),
            Self::Q5(m) => m.token_rows(x, rows, out),
            Self::Q6(m) => m.token_rows(x, rows, out),
            Self::Q8(m) => m.token_rows(x, rows, out),
            Self::Dense(_) => {}
        }
    }
}

/// One token's products with matrices that read the same input: each `(matrix, out)` gets
/// `x · Wᵀ`. The activations are rounded to 8 bits once, and the rows of all the block matrices
/// are split over the threads in one go: a decoded token's q, k and v (or gate and up) make one
/// split instead of three, each of which would wake the helpers for a product barely worth it.
pub fn token_products(
    x: &[f32],
    products: &mut [(&GgmlLinear, &mut [f32])],
) -> candle_core::Result<()> {
    let cols = x.len();
    let activations: Vec<Block8> = x.chunks_exact(BLOCK).map(quantize_block).collect();
    // (matrix, its outputs, its first row among all the block matrices' rows, its rows)
    let mut blocks = Vec::with_capacity(products.len());
    let mut total = 0;
    for (matrix, out) in products.iter_mut() {
        let (rows, width) = matrix.shape()?;
        if width != cols || out.len() != rows {
            candle_core::bail!(
                "a {rows} × {width} matrix cannot take {cols} inputs into {} outputs",
                out.len()
            );
        }
        if let GgmlLinear::Dense(weights) = matrix {
            let y = Tensor::from_slice(x, (1, cols), &Device::Cpu)?.matmul(&weights.t()?)?;
            out.copy_from_slice(&y.flatten_all()?.to_vec1::<f32>()?);
        } else {
            blocks.push((*matrix, PartsWrite::new(out), total, rows));
            total += rows;
        }
    }
    let grain = (PRODUCTS_PER_PART / cols.max(1)).max(8);
    parallel::for_each_part(total, grain, &|part| {
        for (matrix, out, first, rows) in &blocks {
            let mine = part.start.max(*first)..part.end.min(first + rows);
            if !mine.is_empty() {
                let local = mine.start - first..mine.end - first;
                // SAFETY: these rows of this matrix fall in this part alone.
                let slots = unsafe { out.range(local.clone()) };
                matrix.token_rows(&activations, local, slots);
            }
        }
    });
    Ok(())
}

impl Module for GgmlLinear {
    /// `x · Wᵀ` for x of shape (…, cols).
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Q4(m) => m.forward(x),
            Self::Q5(m) => m.forward(x),
            Self::Q6(m) => m.forward(x),
            Self::Q8(m) => m.forward(x),
            Self::Dense(m) => x.to_dtype(DType::F32)?.broadcast_matmul(&m.t()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::block_linear::tests::activations;
    use crate::test_support::{max_difference, quantized_matrix};

    /// Three formats and a dense matrix in one call, each output as its own one-token forward.
    #[test]
    fn token_products_equal_each_matrix_alone() {
        let cols = 256;
        let matrices: Vec<GgmlLinear> = [
            (GgmlDType::Q4K, 40),
            (GgmlDType::Q8_0, 1000),
            (GgmlDType::Q6K, 9),
            (GgmlDType::F32, 5),
        ]
        .into_iter()
        .map(|(dtype, rows)| {
            let bytes = if dtype == GgmlDType::F32 {
                let (_, dense) = quantized_matrix(rows, cols, GgmlDType::Q8_0);
                let values: Vec<f32> = dense.flatten_all().unwrap().to_vec1().unwrap();
                values.iter().flat_map(|v| v.to_le_bytes()).collect()
            } else {
                quantized_matrix(rows, cols, dtype).0
            };
            GgmlLinear::from_file(dtype, &Arc::new(bytes), 0, rows, cols).unwrap()
        })
        .collect();
        let x = activations(1, cols);
        let values: Vec<f32> = x.flatten_all().unwrap().to_vec1().unwrap();
        let mut outs: Vec<Vec<f32>> = matrices
            .iter()
            .map(|m| vec![0f32; m.shape().unwrap().0])
            .collect();
        let mut products: Vec<(&GgmlLinear, &mut [f32])> = matrices
            .iter()
            .zip(outs.iter_mut())
            .map(|(m, out)| (m, out.as_mut_slice()))
            .collect();
        token_products(&values, &mut products).unwrap();
        for (matrix, out) in matrices.iter().zip(&outs) {
            let alone = matrix.forward(&x).unwrap().flatten_all().unwrap();
            let out = Tensor::from_slice(out, out.len(), &Device::Cpu).unwrap();
            assert!(max_difference(&out, &alone) < 1e-5);
        }
        let mut wrong = vec![0f32; 3];
        assert!(token_products(&values, &mut [(&matrices[0], &mut wrong)]).is_err());
    }

    #[test]
    fn dense_formats_read_as_f32_and_others_are_refused_by_name() {
        let values = [1.5f32, -2.0, 0.25, 4.0, 8.0, -0.5];
        let f16: Vec<u8> = values
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect();
        let f32: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let expected = Tensor::from_slice(&values, (2, 3), &Device::Cpu).unwrap();
        for (dtype, bytes) in [(GgmlDType::F16, f16), (GgmlDType::F32, f32)] {
            assert_eq!(GgmlLinear::byte_len(dtype, 2, 3).unwrap(), bytes.len());
            let file = Arc::new(bytes.clone());
            let matrix = GgmlLinear::from_file(dtype, &file, 0, 2, 3).unwrap();
            assert!(max_difference(&matrix.rows_of(&[0, 1]).unwrap(), &expected) == 0.0);
            let x = Tensor::from_slice(&[1f32, 0., 2.], (1, 3), &Device::Cpu).unwrap();
            let y: Vec<f32> = matrix
                .forward(&x)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1()
                .unwrap();
            assert_eq!(y, [2.0, 3.0]);
            assert!(GgmlLinear::from_file(dtype, &Arc::new(vec![0; 5]), 0, 2, 3).is_err());
        }
        let refused = GgmlLinear::byte_len(GgmlDType::Q2K, 256, 256)
            .err()
            .unwrap();
        assert!(refused.to_string().contains("type Q2_K is"), "{refused}");
    }
}
