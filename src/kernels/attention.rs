//! BERT's masked multi-head self-attention, straight from a layer's fused [q | k | v] rows.
//! Through candle it was a dozen operations per layer (three head splits with transposed
//! copies, two batched matmuls of 12 small gemm calls each, scale, mask, softmax with libm's
//! scalar `exp`, a transpose back): with a few dozen tokens those fixed costs, not arithmetic,
//! dominated (docs/performance.md). Here each (text, head) pair is one pass over its rows, with
//! an exp the compiler vectorises, and the pairs are split over the page's threads. A pair's
//! keys are first laid out 8 at a time by dimension, so scores and the weighted sum of values
//! are each 8 running sums in registers rather than a dot product per key with a horizontal
//! sum. The maths is candle's `BertSelfAttention`
//! (<https://github.com/huggingface/candle/blob/main/candle-transformers/src/models/bert.rs>).

use candle_core::{Result, Tensor};

use crate::kernels::parallel::{self, PartsWrite};
use crate::kernels::tensor_values::with_values;

/// Running sums kept side by side: two simd128 vectors.
const LANES: usize = 8;

/// Attention of every token to the real (mask 1) tokens of its own text. `qkv` is
/// (batch, seq, 3 · hidden): each row holds the query, key and value projections, each split
/// into `heads` heads; `mask` is (batch, seq), 1 for a real token and 0 for padding. Returns
/// the heads' outputs side by side, (batch, seq, hidden).
///
/// With `weights` (batch · heads · seq · seq values) it also keeps the probabilities it
/// weighed the values by: `weights[((text · heads + head) · seq + query) · seq + key]`, 0 for a
/// padding key — what the "inside the models" lesson draws. Without, nothing is written.
pub fn self_attention(
    qkv: &Tensor,
    mask: &Tensor,
    heads: usize,
    weights: Option<&mut [f32]>,
) -> Result<Tensor> {
    let (batch, seq, width) = qkv.dims3()?;
    let hidden = width / 3;
    if width % 3 != 0 || heads == 0 || hidden % heads != 0 {
        candle_core::bail!("{width} values per row do not split into q, k, v of {heads} heads");
    }
    let head_dim = hidden / heads;
    let real: Vec<bool> = mask
        .to_dtype(candle_core::DType::U32)?
        .flatten_all()?
        .to_vec1::<u32>()?
        .iter()
        .map(|&m| m != 0)
        .collect();
    if real.len() != batch * seq {
        candle_core::bail!("a mask of {} for {batch} × {seq} tokens", real.len());
    }
    if weights
        .as_ref()
        .is_some_and(|w| w.len() != batch * heads * seq * seq)
    {
        candle_core::bail!("attention weights for {batch} × {heads} × {seq}² in another size");
    }
    let mut out = vec![0f32; batch * seq * hidden];
    let writes = PartsWrite::new(&mut out);
    let kept = weights.map(PartsWrite::new);
    with_values(qkv, |rows| {
        let scale = 1.0 / (head_dim as f32).sqrt();
        parallel::for_each_part(batch * heads, 1, &|pairs| {
            let mut keys = Vec::with_capacity(seq);
            let mut key_blocks = Vec::new();
            let mut scores = Vec::new();
            for pair in pairs {
                let (text, head) = (pair / heads, pair % heads);
                let row = |token: usize, part: usize| {
                    let start = (text * seq + token) * width + part * hidden + head * head_dim;
                    &rows[start..start + head_dim]
                };
                keys.clear();
                keys.extend((0..seq).filter(|&t| real[text * seq + t]));
                transpose_keys(&keys, |key| row(key, 1), scale, head_dim, &mut key_blocks);
                scores.resize(key_blocks.len() / head_dim, 0.0);
                for query in 0..seq {
                    block_scores(row(query, 0), &key_blocks, &mut scores);
                    let probabilities = &mut scores[..keys.len()];
                    softmax_in_place(probabilities);
                    if let Some(kept) = &kept {
                        let start = (pair * seq + query) * seq;
                        // SAFETY: this (text, head, query) row of weights belongs to this pair.
                        let row = unsafe { kept.range(start..start + seq) };
                        row.fill(0.0);
                        for (&key, &p) in keys.iter().zip(probabilities.iter()) {
                            row[key] = p;
                        }
                    }
                    let start = (text * seq + query) * hidden + head * head_dim;
                    // SAFETY: this (token, head) slice of the output belongs to this pair alone.
                    let context = unsafe { writes.range(start..start + head_dim) };
                    weighted_sum(probabilities, &keys, |key| row(key, 2), context);
                }
            }
        });
    })?;
    Tensor::from_vec(out, (batch, seq, hidden), qkv.device())
}

/// The keys (rows of `head_dim` values), scaled, in blocks of `LANES`: block b holds, for each
/// dimension in turn, that dimension of keys b·LANES… (zeros past the last key), so that one
/// query's scores against a block are `LANES` running sums, in registers.
fn transpose_keys<'a>(
    keys: &[usize],
    key_row: impl Fn(usize) -> &'a [f32],
    scale: f32,
    head_dim: usize,
    blocks: &mut Vec<f32>,
) {
    blocks.clear();
    blocks.resize(keys.len().div_ceil(LANES) * head_dim * LANES, 0.0);
    for (j, &key) in keys.iter().enumerate() {
        let block = &mut blocks[j / LANES * head_dim * LANES..][..head_dim * LANES];
        for (d, &k) in key_row(key).iter().enumerate() {
            block[d * LANES + j % LANES] = k * scale;
        }
    }
}

/// `query`'s scaled score against every key of `blocks` (as `transpose_keys` lays them out).
fn block_scores(query: &[f32], blocks: &[f32], scores: &mut [f32]) {
    let block_len = query.len() * LANES;
    for (block, out) in blocks
        .chunks_exact(block_len)
        .zip(scores.chunks_exact_mut(LANES))
    {
        let mut sums = [0f32; LANES];
        for (&q, keys) in query.iter().zip(block.chunks_exact(LANES)) {
            // Fixed-length arrays: no bounds checks left in the way of the vectoriser.
            let keys: &[f32; LANES] = keys.try_into().unwrap();
            for lane in 0..LANES {
                sums[lane] += q * keys[lane];
            }
        }
        out.copy_from_slice(&sums);
    }
}

/// `context = Σ p_j · value_row(key_j)`, `LANES` dimensions at a time so that the running sums
/// stay in registers.
fn weighted_sum<'a>(
    probabilities: &[f32],
    keys: &[usize],
    value_row: impl Fn(usize) -> &'a [f32],
    context: &mut [f32],
) {
    let whole = context.len() / LANES * LANES;
    for start in (0..whole).step_by(LANES) {
        let mut sums = [0f32; LANES];
        for (&p, &key) in probabilities.iter().zip(keys) {
            let values: &[f32; LANES] = value_row(key)[start..start + LANES].try_into().unwrap();
            for lane in 0..LANES {
                sums[lane] += p * values[lane];
            }
        }
        context[start..start + LANES].copy_from_slice(&sums);
    }
    for (&p, &key) in probabilities.iter().zip(keys) {
        for (c, v) in context[whole..].iter_mut().zip(&value_row(key)[whole..]) {
            *c += p * v;
        }
    }
}

/// Turns scores into probabilities: exp(s − max), normalised to sum 1.
pub fn softmax_in_place(scores: &mut [f32]) {
    // A comparison, not `f32::max`: that one handles NaN specially and is a libm call per value
    // in wasm.
    let max = scores
        .iter()
        .fold(f32::NEG_INFINITY, |max, &s| if s > max { s } else { max });
    let mut total = 0.0;
    for s in scores.iter_mut() {
        *s = exp(*s - max);
        total += *s;
    }
    for s in scores.iter_mut() {
        *s /= total;
    }
}

/// e^x to within 2e-7 relative (Cephes' expf polynomial after reducing by powers of 2), with
/// no branches or calls, so loops over it vectorise (libm's `expf` is a call per value).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two so that x − n · ln 2 stays exact.
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2_E).round_ties_even();
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let p = [
        1.987_569_1e-4,
        1.398_199_9e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        0.5,
    ]
    .iter()
    .fold(0.0, |acc, &c| acc * r + c);
    let e = p * r * r + r + 1.0;
    // 2^n, n in −126..=127 after the clamp.
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{max_difference, worst_on_grid};
    use candle_core::{DType, Device, D};

    #[test]
    fn exp_is_within_2e7_relative() {
        let worst = worst_on_grid(-87_000..=88_000, |x| {
            let exact = (x as f64).exp();
            ((exp(x) as f64) - exact).abs() / exact
        });
        assert!(worst < 2e-7, "relative error {worst}");
        assert!(exp(-1e9) < 1e-37);
    }

    /// The same attention through candle's own operations, as the network computed it before:
    /// the heads' outputs and the probabilities, (batch, heads, seq, seq).
    fn with_candle(qkv: &Tensor, mask: &Tensor, heads: usize) -> (Tensor, Tensor) {
        let (batch, seq, width) = qkv.dims3().unwrap();
        let hidden = width / 3;
        let split = |i: usize| {
            qkv.narrow(D::Minus1, i * hidden, hidden)
                .unwrap()
                .reshape((batch, seq, heads, hidden / heads))
                .unwrap()
                .transpose(1, 2)
                .unwrap()
                .contiguous()
                .unwrap()
        };
        let (q, k, v) = (split(0), split(1), split(2));
        let bias = ((mask.to_dtype(DType::F32).unwrap() - 1.0).unwrap() * 1e9)
            .unwrap()
            .reshape((batch, 1, 1, seq))
            .unwrap();
        let scores = (q.matmul(&k.t().unwrap()).unwrap() / ((hidden / heads) as f64).sqrt())
            .unwrap()
            .broadcast_add(&bias)
            .unwrap();
        let probs = candle_nn::ops::softmax_last_dim(&scores).unwrap();
        let out = probs
            .matmul(&v)
            .unwrap()
            .transpose(1, 2)
            .unwrap()
            .reshape((batch, seq, hidden))
            .unwrap();
        (out, probs)
    }

    #[test]
    fn equals_candles_attention_with_padding() {
        let device = Device::Cpu;
        let (batch, seq, heads, head_dim) = (3, 7, 4, 12);
        let qkv = Tensor::randn(0f32, 1., (batch, seq, 3 * heads * head_dim), &device).unwrap();
        let mask = Tensor::new(
            &[
                [1u32, 1, 1, 1, 1, 1, 1],
                [1, 1, 1, 0, 0, 0, 0],
                [1, 0, 0, 0, 0, 0, 0],
            ],
            &device,
        )
        .unwrap();
        let ours = self_attention(&qkv, &mask, heads, None).unwrap();
        let (expected, expected_weights) = with_candle(&qkv, &mask, heads);
        let difference = max_difference(&ours, &expected);
        assert!(difference < 1e-5, "{difference}");

        let mut weights = vec![f32::NAN; batch * heads * seq * seq];
        let kept = self_attention(&qkv, &mask, heads, Some(&mut weights)).unwrap();
        assert_eq!(
            max_difference(&kept, &ours),
            0.0,
            "keeping weights changed the output"
        );
        let weights = Tensor::from_vec(weights, (batch, heads, seq, seq), &device).unwrap();
        let difference = max_difference(&weights, &expected_weights);
        assert!(difference < 1e-6, "{difference}");
        // The padding keys of the second text: exactly 0.
        let padded = weights.narrow(0, 1, 1).unwrap().narrow(3, 3, 4).unwrap();
        assert_eq!(
            padded
                .abs()
                .unwrap()
                .max_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap(),
            0.0
        );
    }
}
