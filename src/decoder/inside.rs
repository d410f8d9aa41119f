//! Inside a decoder, for the "who sees what" lesson: the attention of every layer and head over
//! a short text (each token sees only those before it — and, on a sliding-window layer, only
//! the nearest of them), and the logit lens — what the model would say comes next if it
//! stopped after each layer: that layer's residual stream through the final norm and the output
//! layer, as nostalgebraist's logit lens reads GPT-2
//! (<https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens>). Both
//! come from one recording pass of the network that generates (`models::inside`).

use candle_core::{IndexOp, Tensor};

use crate::decoder::generation::{alternatives, Alternative};
use crate::decoder::sampling::Distribution;
use crate::decoder::Decoder;
use crate::error::Result;
use crate::models::inside::{self, Attention, Recording};

/// Bytes of logits taken at once (Gemma's row is 1 MB, SmolLM2's 192 KB): the more rows a
/// product has, the fewer times the output layer's blocks are unpacked for it.
const LENS_LOGIT_BYTES: usize = 32 << 20;

/// The logit lens over one text: `top[layer][position]` are the `k` likeliest next tokens had
/// the model stopped after layer `layer`, most likely first.
#[derive(Debug, Clone, PartialEq)]
pub struct LogitLens {
    pub tokens: Vec<String>,
    pub layers: usize,
    pub top: Vec<Vec<Vec<Alternative>>>,
}

impl Decoder {
    /// `text` as this decoder reads it for the inside views (with `<bos>` where the model puts
    /// one), at most [`inside::MAX_TOKENS`] tokens, and one recording pass over it.
    fn record(&self, text: &str) -> Result<(Vec<u32>, Recording)> {
        let ids = self.encode(text)?;
        inside::check_length(ids.len())?;
        let (_, recording) = self.model().forward_recording(&ids)?;
        Ok((ids, recording))
    }

    fn token_texts(&self, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&id| self.token_text(id)).collect()
    }

    /// Every layer's and head's attention over `text`.
    pub fn attention(&self, text: &str) -> Result<Attention> {
        let (ids, recording) = self.record(text)?;
        let c = self.model().config();
        Ok(Attention {
            tokens: self.token_texts(&ids),
            layers: c.layers,
            heads: c.heads,
            weights: recording.attention,
        })
    }

    /// The `k` likeliest next tokens at every position after every layer.
    pub fn logit_lens(&self, text: &str, k: usize) -> Result<LogitLens> {
        let mut run = self.logit_lens_run(text, k)?;
        while !run.advance(self)? {}
        Ok(run.finish())
    }

    /// A logit lens over `text` to be computed one output-layer product at a time
    /// ([`LogitLensRun::advance`]), so the page can show progress and stop it: a 32-token
    /// sentence takes several seconds on one thread (docs/performance.md).
    pub fn logit_lens_run(&self, text: &str, k: usize) -> Result<LogitLensRun> {
        let (ids, recording) = self.record(text)?;
        let layers = recording.residuals.len();
        Ok(LogitLensRun {
            tokens: self.token_texts(&ids),
            layers,
            // Every layer's residual stream as rows of one matrix, (layers · n, hidden).
            residuals: Tensor::cat(&recording.residuals, 0)?,
            rows_per_product: (LENS_LOGIT_BYTES / (4 * self.model().config().vocab)).max(1),
            k,
            cells: Vec::with_capacity(layers * ids.len()),
        })
    }
}

/// A logit lens under way: the residual streams recorded, the output layer applied to 32 MB
/// of logits (`LENS_LOGIT_BYTES`) per [`advance`](Self::advance).
pub struct LogitLensRun {
    tokens: Vec<String>,
    layers: usize,
    residuals: Tensor,
    rows_per_product: usize,
    k: usize,
    /// Row `layer · n + position`'s alternatives, for the rows done so far.
    cells: Vec<Vec<Alternative>>,
}

impl LogitLensRun {
    /// Rows (layer, position) done and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.cells.len(), self.layers * self.tokens.len())
    }

    /// Takes the next rows through the final norm and the output layer; true once all are done.
    pub fn advance(&mut self, decoder: &Decoder) -> Result<bool> {
        let (start, total) = self.progress();
        if start < total {
            let model = decoder.model();
            let rows = self
                .residuals
                .i(start..(start + self.rows_per_product).min(total))?;
            let logits = model.logits(&model.final_norm(&rows)?)?;
            for row in 0..logits.dim(0)? {
                let distribution = Distribution::new(&logits.i(row)?)?;
                self.cells
                    .push(alternatives(decoder, &distribution, self.k));
            }
        }
        let (done, total) = self.progress();
        Ok(done == total)
    }

    /// The lens, once [`advance`](Self::advance) has said it is done.
    pub fn finish(self) -> LogitLens {
        let n = self.tokens.len();
        let mut cells = self.cells.into_iter();
        let top = (0..self.layers)
            .map(|_| cells.by_ref().take(n).collect())
            .collect();
        LogitLens {
            tokens: self.tokens,
            layers: self.layers,
            top,
        }
    }
}
