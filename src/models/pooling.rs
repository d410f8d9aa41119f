//! The sentence-transformers recipe after the transformer: average the token vectors the
//! attention mask marks as real, then scale to unit length (sentence-transformers' `Pooling`
//! and `Normalize` modules,
//! <https://github.com/UKPLab/sentence-transformers/blob/master/sentence_transformers/models/Pooling.py>).
//! Averaging padding in as well is the classic bug that makes every pair of sentences look
//! about 0.85 alike. The encoder pools this way, and so does the decoder when the lessons
//! compare its sentence vectors with the encoder's: both return [`Embeddings`].

use candle_core::{Result, Tensor};

/// Sentence vectors for n texts, as the encoder and the decoder return them.
#[derive(Debug, Clone)]
pub struct Embeddings {
    /// Length of one vector.
    pub dim: usize,
    /// n × dim, row-major, each row of unit length.
    pub vectors: Vec<f32>,
    /// Tokens each text was embedded from, special tokens included.
    pub token_counts: Vec<u32>,
    /// Whether a text was cut at the model's token limit.
    pub truncated: Vec<bool>,
}

/// Mean over the real tokens: `hidden` is (batch, seq, dim), `mask` is (batch, seq) with 1
/// for a real token and 0 for padding. Returns (batch, dim).
pub fn masked_mean(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(hidden.dtype())?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let counts = mask.sum(1)?;
    summed.broadcast_div(&counts)
}

/// Each row divided by its Euclidean norm (floored at 1e-12, as torch's `F.normalize`), so
/// that a dot product of two rows is their cosine similarity.
pub fn l2_normalize(rows: &Tensor) -> Result<Tensor> {
    let norms = rows.sqr()?.sum_keepdim(1)?.sqrt()?.maximum(1e-12)?;
    rows.broadcast_div(&norms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn mean_ignores_padded_positions() {
        let hidden = Tensor::new(
            &[
                [[1f32, 2.], [3., 4.], [100., 100.]],
                [[5., 6.], [-7., -8.], [9., 10.]],
            ],
            &Device::Cpu,
        )
        .unwrap();
        let mask = Tensor::new(&[[1u32, 1, 0], [1, 1, 1]], &Device::Cpu).unwrap();
        let pooled: Vec<Vec<f32>> = masked_mean(&hidden, &mask).unwrap().to_vec2().unwrap();
        assert_eq!(pooled, vec![vec![2., 3.], vec![7. / 3., 8. / 3.]]);
    }

    #[test]
    fn normalised_rows_have_unit_length_and_zero_rows_stay_finite() {
        let rows = Tensor::new(&[[3f32, 4.], [0., 0.]], &Device::Cpu).unwrap();
        let unit: Vec<Vec<f32>> = l2_normalize(&rows).unwrap().to_vec2().unwrap();
        assert_eq!(unit, vec![vec![0.6, 0.8], vec![0., 0.]]);
    }
}
