//! What a forward pass can show of itself, for the "who sees what" lesson: every layer's
//! attention probabilities and (for a decoder's logit lens) the residual stream after every
//! layer. The networks fill a [`Recording`] only when handed one, from the same code that
//! embeds and generates, so the lesson draws the computation the page actually runs and a pass
//! that records nothing costs nothing more. The views follow what BertViz
//! (<https://github.com/jessevig/bertviz>) and the logit lens
//! (<https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens>) read.

use std::sync::{Mutex, MutexGuard};

use candle_core::Tensor;

use crate::error::{Error, Result};

/// The longest text the lesson draws: its heatmaps are tokens × tokens, readable for short
/// sentences only.
pub const MAX_TOKENS: usize = 128;

/// Refuses a text of more than [`MAX_TOKENS`] tokens with a message for the page.
pub fn check_length(tokens: usize) -> Result<()> {
    if tokens > MAX_TOKENS {
        return Err(Error::TooLongToShow {
            tokens,
            limit: MAX_TOKENS,
        });
    }
    Ok(())
}

/// What a recording forward pass keeps.
#[derive(Default)]
pub struct Recording {
    /// `[((layer · heads + head) · n + query) · n + key]`: the probability of key `key` from
    /// query `query` (n tokens); 0 where the model may not look.
    pub attention: Vec<f32>,
    /// The residual stream after each layer, (n, hidden) — before the final norm.
    pub residuals: Vec<Tensor>,
}

/// The residual streams of the last text a decoder's attention view recorded, with its token
/// ids: a logit lens over the same tokens takes them instead of a second pass (the lesson asks
/// for both in turn, and the pass is as long as a prefill: docs/performance.md). At most
/// [`MAX_TOKENS`] tokens' worth: 9 MB for SmolLM2, 6 MB for Gemma.
#[derive(Default)]
pub struct LastRecording(Mutex<Option<(Vec<u32>, Vec<Tensor>)>>);

impl LastRecording {
    fn slot(&self) -> MutexGuard<'_, Option<(Vec<u32>, Vec<Tensor>)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `residuals`, recorded over `ids`, in place of what was kept.
    pub fn keep(&self, ids: Vec<u32>, residuals: Vec<Tensor>) {
        *self.slot() = Some((ids, residuals));
    }

    /// The residual streams kept if they were recorded over exactly `ids`. Either way nothing
    /// is kept afterwards.
    pub fn take(&self, ids: &[u32]) -> Option<Vec<Tensor>> {
        self.slot()
            .take()
            .and_then(|(seen, residuals)| (seen == ids).then_some(residuals))
    }

    pub fn is_empty(&self) -> bool {
        self.slot().is_none()
    }
}

/// Every layer's and head's attention over one text's `tokens` (as the model saw them, special
/// tokens included): `weights[((layer · heads + head) · n + query) · n + key]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    pub tokens: Vec<String>,
    pub layers: usize,
    pub heads: usize,
    pub weights: Vec<f32>,
}

impl Attention {
    /// Each layer's attention averaged over its heads, `[(layer · n + query) · n + key]`: the
    /// view of a whole layer the lesson shows first.
    pub fn head_means(&self) -> Vec<f32> {
        let n = self.tokens.len();
        let mut means = vec![0f32; self.layers * n * n];
        for (layer, mean) in means.chunks_exact_mut(n * n).enumerate() {
            let heads = &self.weights[layer * self.heads * n * n..][..self.heads * n * n];
            for head in heads.chunks_exact(n * n) {
                mean.iter_mut().zip(head).for_each(|(m, w)| *m += w);
            }
            mean.iter_mut().for_each(|m| *m /= self.heads as f32);
        }
        means
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_means_average_each_layers_heads() {
        // Two layers, two heads, two tokens: each head's matrix is its own constant.
        let weights: Vec<f32> = [1.0, 3.0, 10.0, 20.0]
            .iter()
            .flat_map(|&v| [v; 4])
            .collect();
        let attention = Attention {
            tokens: vec!["a".into(), "b".into()],
            layers: 2,
            heads: 2,
            weights,
        };
        assert_eq!(
            attention.head_means(),
            [[2.0; 4], [15.0; 4]].concat(),
            "layer 0 averages 1 and 3, layer 1 averages 10 and 20"
        );
    }
}
