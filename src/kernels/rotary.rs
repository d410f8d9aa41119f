//! Rotary position embedding (RoPE) on rows of query or key heads, in place: the angles of a run
//! of positions computed once per chunk (or token) and applied to every head of every layer that
//! shares them. Two pairings, as llama.cpp's `ggml_rope_ext` and candle's `rope` / `rope_i`:
//! NeoX style rotates value j with value j + head_dim/2 (Qwen, Gemma), the original pairs
//! adjacent values (GGUF llama files permute their q and k rows for that).

/// cos and sin of the angles `position · inverse[i]` of `positions` consecutive positions.
pub struct Rotary {
    half: usize,
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Rotary {
    /// The angles of positions `start .. start + positions`, for the inverse frequencies of one
    /// head's pairs (head_dim / 2 of them).
    pub fn new(inverse: &[f32], start: usize, positions: usize) -> Self {
        let angles =
            || (start..start + positions).flat_map(|p| inverse.iter().map(move |f| p as f32 * f));
        Self {
            half: inverse.len(),
            cos: angles().map(f32::cos).collect(),
            sin: angles().map(f32::sin).collect(),
        }
    }

    /// Rotates the heads (`head_dim` = 2 · half values each) of the rows of `values`: row `t`
    /// belongs to the `t`-th position, and holds any number of heads.
    pub fn apply(&self, values: &mut [f32], neox: bool) {
        let positions = self.cos.len() / self.half.max(1);
        let row_len = values.len() / positions.max(1);
        for (t, row) in values.chunks_exact_mut(row_len.max(1)).enumerate() {
            let cos = &self.cos[t * self.half..(t + 1) * self.half];
            let sin = &self.sin[t * self.half..(t + 1) * self.half];
            for head in row.chunks_exact_mut(2 * self.half) {
                if neox {
                    let (first, second) = head.split_at_mut(self.half);
                    for (((a, b), &c), &s) in first.iter_mut().zip(second).zip(cos).zip(sin) {
                        (*a, *b) = (*a * c - *b * s, *a * s + *b * c);
                    }
                } else {
                    for ((pair, &c), &s) in head.chunks_exact_mut(2).zip(cos).zip(sin) {
                        (pair[0], pair[1]) = (pair[0] * c - pair[1] * s, pair[0] * s + pair[1] * c);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::{Device, Tensor};

    /// Both pairings against candle's `rope` and `rope_i`, for rows of 3 heads at 5 positions.
    #[test]
    fn equals_candles_rope() {
        let (positions, heads, head_dim, start) = (5, 3, 8, 11);
        let inverse: Vec<f32> = (0..head_dim / 2)
            .map(|i| 1.0 / 10_000f32.powf(2.0 * i as f32 / head_dim as f32))
            .collect();
        let rotary = Rotary::new(&inverse, start, positions);
        let device = Device::Cpu;
        let x = Tensor::randn(0f32, 1., (1, positions, heads, head_dim), &device).unwrap();
        let cos = Tensor::from_vec(rotary.cos.clone(), (positions, head_dim / 2), &device).unwrap();
        let sin = Tensor::from_vec(rotary.sin.clone(), (positions, head_dim / 2), &device).unwrap();
        for neox in [true, false] {
            let mut ours: Vec<f32> = x.flatten_all().unwrap().to_vec1().unwrap();
            rotary.apply(&mut ours, neox);
            let ours = Tensor::from_vec(ours, x.shape(), &device).unwrap();
            let heads_first = x.transpose(1, 2).unwrap().contiguous().unwrap();
            let candle = if neox {
                candle_nn::rotary_emb::rope(&heads_first, &cos, &sin)
            } else {
                candle_nn::rotary_emb::rope_i(&heads_first, &cos, &sin)
            }
            .unwrap()
            .transpose(1, 2)
            .unwrap();
            assert!(max_difference(&ours, &candle) < 1e-6, "neox {neox}");
        }
        let angle = (start + 2) as f32 * inverse[1];
        assert_eq!(rotary.cos[2 * head_dim / 2 + 1], angle.cos());
    }
}
