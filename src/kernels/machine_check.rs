//! How fast this machine reads memory, and how fast it runs the one-token products over as many
//! bytes: a decoded token reads every weight once, so its speed is bounded by how fast the weights
//! stream from memory, and a kernel that falls well short of that bound is spending its time in
//! instructions, not in memory. `make bench` measures both in the page beside every table, so a
//! decode rate can be read against the host it came from (docs/performance.md).
//!
//! One pass of each kind, over a matrix of pseudo-random weights as wide as SmolLM2 (576 columns)
//! and about as large as its weights: `Read` sums the bytes (a plain streaming read), `Q4` and
//! `Q8` are one token's product with the 4-bit and 8-bit matrices, on the calling thread.
//!
//! `F32` is the encoder's product instead: a sentence of 24 tokens times an f32 matrix as wide as
//! MiniLM (384 columns), in its packed panels. Each weight then serves 24 multiply-adds, so the
//! same product over 1 MB (in cache) and over more than the cache holds says whether the
//! encoder waits for its weights or for its instructions.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::kernels::block_linear::BlockLinear;
use crate::kernels::f32_linear::F32Panels;
use crate::kernels::ggml_linear::GgmlLinear;
use crate::kernels::panel::{Panels, PANEL};
use crate::kernels::q4_blocks::{Block4, Q4_1};
use crate::kernels::q8_blocks::{Q8InFile, RAW_BLOCK};
use crate::kernels::quantize::{quantize_block, Block8, BLOCK};

/// Columns of the one-token matrices: SmolLM2's width.
const COLS: usize = 576;

/// Columns of the encoder's matrix (MiniLM's width) and the tokens of its sentence.
const ENCODER_COLS: usize = 384;
const SENTENCE_TOKENS: usize = 24;

/// What one pass does: sum the words, one token's product with the matrix, or a sentence's.
enum Pass {
    Read(Vec<u64>),
    Product(GgmlLinear),
    Sentence {
        panels: F32Panels,
        count: usize,
        x: Vec<f32>,
    },
}

/// One kind of pass over `bytes` of memory, and the activations a one-token product takes.
pub struct MachineCheck {
    pass: Pass,
    bytes: usize,
    x: Vec<Block8>,
    out: Vec<f32>,
}

/// Pseudo-random bytes (xorshift), the same on every machine.
fn random_bytes(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// `rows` rows `COLS` wide of random quants in blocks of `block_bytes`, whose first
/// `scale_bytes` (f16 scales) are set to 1/64 so that every value is finite.
fn raw_matrix(rows: usize, block_bytes: usize, scale_bytes: usize) -> Vec<u8> {
    let mut raw = random_bytes(rows * COLS / BLOCK * block_bytes);
    for block in raw.chunks_exact_mut(block_bytes) {
        for scale in block[..scale_bytes].chunks_exact_mut(2) {
            scale.copy_from_slice(&0x2400u16.to_le_bytes());
        }
    }
    raw
}

/// Rows of `COLS` columns that fit in `megabytes` at `row_bytes` a row.
fn rows_in(megabytes: usize, row_bytes: usize) -> usize {
    ((megabytes << 20) / row_bytes).max(1)
}

impl MachineCheck {
    /// `kind` is "read", "q4", "q8" or "f32"; `megabytes` at least 1.
    pub fn new(kind: &str, megabytes: usize) -> Result<Self> {
        let megabytes = megabytes.max(1);
        let (pass, bytes) = match kind {
            "read" => {
                let words = vec![0x0101_0101_0101_0101; (megabytes << 20) / 8];
                let bytes = words.len() * 8;
                (Pass::Read(words), bytes)
            }
            "q4" => {
                // Converted blocks take 24 bytes for every 20 of a Q4_1 file.
                let row_bytes = COLS / BLOCK * std::mem::size_of::<Block4>();
                let rows = rows_in(megabytes, row_bytes);
                let raw = raw_matrix(rows, Q4_1.bytes, 4);
                let matrix = BlockLinear::from_bytes(&raw, rows, COLS, &Q4_1)?;
                (Pass::Product(GgmlLinear::Q4(matrix)), rows * row_bytes)
            }
            "q8" => {
                let rows = rows_in(megabytes, Q8InFile::byte_len(1, COLS));
                let raw = raw_matrix(rows, RAW_BLOCK, 2);
                let matrix = BlockLinear(Q8InFile::new(Arc::new(raw), 0, rows, COLS)?);
                (
                    Pass::Product(GgmlLinear::Q8(matrix)),
                    Q8InFile::byte_len(rows, COLS),
                )
            }
            "f32" => {
                let outputs = (rows_in(megabytes, ENCODER_COLS * 4) / PANEL).max(1) * PANEL;
                let weights: Vec<f32> = random_bytes(outputs * ENCODER_COLS)
                    .into_iter()
                    .map(|b| (f32::from(b) - 127.5) / 128.0)
                    .collect();
                let x = (0..SENTENCE_TOKENS * ENCODER_COLS)
                    .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
                    .collect();
                let panels = F32Panels::pack(&weights, outputs, ENCODER_COLS);
                let pass = Pass::Sentence {
                    panels,
                    count: outputs / PANEL,
                    x,
                };
                (pass, outputs * ENCODER_COLS * 4)
            }
            other => {
                return Err(Error::BadArgument {
                    what: "a machine check's kind",
                    expected: "\"read\", \"q4\", \"q8\" or \"f32\"",
                    got: format!("{other:?}"),
                })
            }
        };
        let values: Vec<f32> = (0..COLS)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let rows = match &pass {
            Pass::Read(_) | Pass::Sentence { .. } => 0,
            Pass::Product(matrix) => matrix.shape()?.0,
        };
        Ok(Self {
            pass,
            bytes,
            x: values.chunks_exact(BLOCK).map(quantize_block).collect(),
            out: vec![0.0; rows],
        })
    }

    /// Bytes one pass reads (the weights, for a product).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Multiply-adds in one pass (none for a read).
    pub fn products(&self) -> usize {
        match &self.pass {
            Pass::Sentence { count, .. } => count * PANEL * ENCODER_COLS * SENTENCE_TOKENS,
            _ => self.out.len() * COLS,
        }
    }

    /// One pass; returns a sum of what it computed, so that nothing is left out as unused.
    pub fn run(&mut self) -> f64 {
        match &self.pass {
            Pass::Read(words) => words.iter().fold(0u64, |sum, &w| sum.wrapping_add(w)) as f64,
            Pass::Product(matrix) => {
                matrix.token_rows(&self.x, 0..self.out.len(), &mut self.out);
                self.out.iter().map(|&v| f64::from(v)).sum()
            }
            Pass::Sentence { panels, count, x } => {
                let mut sum = 0f64;
                for p in 0..*count {
                    panels.panel_product(&(x, SENTENCE_TOKENS), p, |_, values| {
                        sum += values.iter().map(|&v| f64::from(v)).sum::<f64>();
                    });
                }
                sum
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::block_linear::BlockRows;

    #[test]
    fn each_pass_reads_what_it_says_and_computes_finite_products() {
        let mut read = MachineCheck::new("read", 1).unwrap();
        assert_eq!(read.bytes(), 1 << 20);
        assert_eq!(
            read.run(),
            (1u64 << 17).wrapping_mul(0x0101_0101_0101_0101) as f64
        );
        for kind in ["q4", "q8"] {
            let mut check = MachineCheck::new(kind, 2).unwrap();
            assert!(
                check.bytes() > 1 << 20 && check.bytes() <= 2 << 20,
                "{kind}: {}",
                check.bytes()
            );
            assert!(check.run().is_finite());
            assert_eq!(check.products(), check.out.len() * COLS);
        }
        let mut sentence = MachineCheck::new("f32", 1).unwrap();
        assert!(sentence.bytes() > 1_040_000 && sentence.bytes() <= 1 << 20);
        assert_eq!(sentence.products(), sentence.bytes() / 4 * SENTENCE_TOKENS);
        assert!(sentence.run().is_finite());
        assert!(MachineCheck::new("q5", 1).is_err());
    }

    /// The product is the one the model uses: row 0 equals its dot product with the activations.
    #[test]
    fn a_pass_is_the_matrix_product() {
        let mut check = MachineCheck::new("q4", 1).unwrap();
        check.run();
        let Pass::Product(GgmlLinear::Q4(m)) = &check.pass else {
            unreachable!()
        };
        assert_eq!(check.out[7], m.0.dot(7, &check.x));
    }

    /// The sentence's pass adds up the product of its tokens with the unpacked weights.
    #[test]
    fn a_sentence_pass_is_the_f32_product() {
        let mut check = MachineCheck::new("f32", 1).unwrap();
        let Pass::Sentence { count, x, .. } = &check.pass else {
            unreachable!()
        };
        let outputs = count * PANEL;
        let weights = random_bytes(outputs * ENCODER_COLS);
        let expected: f64 = weights
            .chunks_exact(ENCODER_COLS)
            .map(|row| {
                x.chunks_exact(ENCODER_COLS)
                    .map(|token| {
                        let w = row.iter().map(|&b| (f64::from(b) - 127.5) / 128.0);
                        token
                            .iter()
                            .zip(w)
                            .map(|(&t, w)| f64::from(t) * w)
                            .sum::<f64>()
                    })
                    .sum::<f64>()
            })
            .sum();
        let sum = check.run();
        assert!(
            (sum - expected).abs() < 1e-3 * expected.abs().max(1.0),
            "{sum} against {expected}"
        );
    }
}
