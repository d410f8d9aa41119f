//! One decoded token's attention over the keys and values of the positions before it (a
//! decoder's KV cache), with grouped KV heads: query head h reads KV head h / (heads / kv_heads),
//! as llama.cpp's and candle's decoders do after `repeat_kv` — here without copying the cache
//! once per query head. Each head is a pass over its keys (scores in 8 running sums), the
//! encoder attention's softmax (branch-free exp) and a weighted sum of its values; the heads are
//! split over the page's threads when the context is long enough to be worth it.

use crate::kernels::attention::softmax_in_place;
use crate::kernels::block_linear::PRODUCTS_PER_PART;
use crate::kernels::parallel::{self, PartsWrite};

/// The shape of one layer's attention heads.
#[derive(Clone, Copy)]
pub struct Heads {
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    /// Multiplies every score (1/√head_dim).
    pub scale: f32,
}

/// `out` (heads × head_dim) = each query head of `query` (heads × head_dim) attending to every
/// row of `keys` and `values` (rows of kv_heads × head_dim, one per visible position).
pub fn cached_attention(
    shape: Heads,
    query: &[f32],
    keys: &[f32],
    values: &[f32],
    out: &mut [f32],
) {
    let Heads {
        heads,
        kv_heads,
        head_dim,
        scale,
    } = shape;
    let row = kv_heads * head_dim;
    let positions = keys.len() / row;
    let groups = heads / kv_heads;
    let writes = PartsWrite::new(out);
    let grain = (PRODUCTS_PER_PART / (2 * positions * head_dim).max(1)).max(1);
    parallel::for_each_part(heads, grain, &|part| {
        let mut scores = vec![0f32; positions];
        for head in part {
            let kv = head / groups;
            let q = &query[head * head_dim..(head + 1) * head_dim];
            for (score, key) in scores.iter_mut().zip(keys.chunks_exact(row)) {
                *score = dot(q, &key[kv * head_dim..(kv + 1) * head_dim]) * scale;
            }
            softmax_in_place(&mut scores);
            // SAFETY: each head's slice of the output belongs to the part that has the head.
            let context = unsafe { writes.range(head * head_dim..(head + 1) * head_dim) };
            context.fill(0.0);
            for (&p, value) in scores.iter().zip(values.chunks_exact(row)) {
                for (c, v) in context.iter_mut().zip(&value[kv * head_dim..]) {
                    *c += p * v;
                }
            }
        }
    });
}

/// Σ a_j · b_j in 8 running sums (one order of additions the compiler may vectorise).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    for (a, b) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for lane in 0..8 {
            lanes[lane] += a[lane] * b[lane];
        }
    }
    let whole = a.len() / 8 * 8;
    let tail: f32 = a[whole..].iter().zip(&b[whole..]).map(|(a, b)| a * b).sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::{Device, Tensor};

    /// Against candle's matmul and softmax with the KV heads repeated, as the prompt's path
    /// computes it, for 4 query heads over 2 KV heads of 12 at 9 positions.
    #[test]
    fn equals_candles_attention_with_repeated_kv_heads() {
        let (heads, kv_heads, head_dim, positions) = (4, 2, 12, 9);
        let device = Device::Cpu;
        let q = Tensor::randn(0f32, 1., (1, heads, 1, head_dim), &device).unwrap();
        let k = Tensor::randn(0f32, 1., (1, positions, kv_heads, head_dim), &device).unwrap();
        let v = Tensor::randn(0f32, 1., (1, positions, kv_heads, head_dim), &device).unwrap();
        let values = |t: &Tensor| -> Vec<f32> { t.flatten_all().unwrap().to_vec1().unwrap() };
        let scale = 1.0 / (head_dim as f32).sqrt();
        let mut ours = vec![0f32; heads * head_dim];
        let shape = Heads {
            heads,
            kv_heads,
            head_dim,
            scale,
        };
        cached_attention(shape, &values(&q), &values(&k), &values(&v), &mut ours);
        let heads_first = |t: &Tensor| {
            let t = t.transpose(1, 2).unwrap().contiguous().unwrap();
            candle_transformers::utils::repeat_kv(t, heads / kv_heads).unwrap()
        };
        let scores = (q.matmul(&heads_first(&k).t().unwrap()).unwrap() * f64::from(scale)).unwrap();
        let weights = candle_nn::ops::softmax_last_dim(&scores).unwrap();
        let candle = weights
            .matmul(&heads_first(&v))
            .unwrap()
            .flatten_all()
            .unwrap();
        let ours = Tensor::from_vec(ours, heads * head_dim, &device).unwrap();
        assert!(max_difference(&ours, &candle) < 1e-5);
    }
}
