//! What a forward pass can show of itself, for the "who sees what" lesson: every layer's
//! attention probabilities and (for a decoder's logit lens) the residual stream after every
//! layer. The networks fill a [`Recording`] only when handed one, from the same code that
//! embeds and generates, so the lesson draws the computation the page actually runs and a pass
//! that records nothing costs nothing more. The views follow what BertViz
//! (<https://github.com/jessevig/bertviz>) and the logit lens
//! (<https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens>) read.

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

/// Every layer's and head's attention over one text's `tokens` (as the model saw them, special
/// tokens included): `weights[((layer · heads + head) · n + query) · n + key]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attention {
    pub tokens: Vec<String>,
    pub layers: usize,
    pub heads: usize,
    pub weights: Vec<f32>,
}
