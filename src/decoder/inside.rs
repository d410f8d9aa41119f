//! Inside a decoder, for the "who sees what" lesson: the attention of every layer and head over
//! a short text (each token sees only those before it — and, on a sliding-window layer, only
//! the nearest of them), and the logit lens — what the model would say comes next if it
//! stopped after each layer: that layer's residual stream through the final norm and the output
//! layer, as nostalgebraist's logit lens reads GPT-2
//! (<https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens>). Both
//! come from a recording pass of the network that generates (`models::inside`) — one pass for
//! both when the lens follows the attention of the same text, as in the lesson.

use std::ops::Range;

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
    /// one), at most [`inside::MAX_TOKENS`] tokens.
    fn inside_ids(&self, text: &str) -> Result<Vec<u32>> {
        let ids = self.encode(text)?;
        inside::check_length(ids.len())?;
        Ok(ids)
    }

    /// Every layer's residual stream over `ids`: the last attention's if it read the same
    /// tokens (taken, so it is not kept twice), else a recording pass of its own.
    fn residuals(&self, ids: &[u32]) -> Result<Vec<Tensor>> {
        match self.last_recording.take(ids) {
            Some(residuals) => Ok(residuals),
            None => Ok(self.model().forward_recording(ids)?.1.residuals),
        }
    }

    fn token_texts(&self, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&id| self.token_text(id)).collect()
    }

    /// Every layer's and head's attention over `text` (its residual streams kept for a logit
    /// lens over the same text).
    pub fn attention(&self, text: &str) -> Result<Attention> {
        let ids = self.inside_ids(text)?;
        let (
            _,
            Recording {
                attention,
                residuals,
            },
        ) = self.model().forward_recording(&ids)?;
        let c = self.model().config();
        let tokens = self.token_texts(&ids);
        self.last_recording.keep(ids, residuals);
        Ok(Attention {
            tokens,
            layers: c.layers,
            heads: c.heads,
            weights: attention,
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
    /// sentence takes a second or more on one thread (docs/performance.md). The first product
    /// is the last position after every layer — the column where the next word forms, which
    /// the lesson shows at once — and the rest follow layer by layer.
    pub fn logit_lens_run(&self, text: &str, k: usize) -> Result<LogitLensRun> {
        let ids = self.inside_ids(text)?;
        let residuals = self.residuals(&ids)?;
        let layers = residuals.len();
        let n = ids.len();
        let last_column = (0..layers).filter_map(|layer| (layer * n + n).checked_sub(1));
        let the_rest = (0..layers * n).filter(|row| row % n != n - 1);
        Ok(LogitLensRun {
            tokens: self.token_texts(&ids),
            layers,
            // Every layer's residual stream as rows of one matrix, (layers · n, hidden).
            residuals: Tensor::cat(&residuals, 0)?,
            order: last_column.chain(the_rest).map(|row| row as u32).collect(),
            rows_per_product: (LENS_LOGIT_BYTES / (4 * self.model().config().vocab)).max(1),
            k,
            done: 0,
            latest: 0..0,
            cells: vec![Vec::new(); layers * n],
        })
    }
}

/// A logit lens under way: the residual streams recorded, the output layer applied to 32 MB
/// of logits (`LENS_LOGIT_BYTES`) per [`advance`](Self::advance), the last position's column
/// first.
pub struct LogitLensRun {
    tokens: Vec<String>,
    layers: usize,
    residuals: Tensor,
    /// Rows (`layer · n + position`) in the order they are taken.
    order: Vec<u32>,
    rows_per_product: usize,
    k: usize,
    /// Rows of `order` done.
    done: usize,
    /// The rows of `order` the last `advance` did.
    latest: Range<usize>,
    /// Row `layer · n + position`'s alternatives (empty until done).
    cells: Vec<Vec<Alternative>>,
}

impl LogitLensRun {
    /// Rows (layer, position) done and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.done, self.order.len())
    }

    /// Layers whose every position is done.
    pub fn layers_done(&self) -> usize {
        let n = self.tokens.len();
        if self.done == self.order.len() {
            self.layers
        } else if n == 1 {
            self.done
        } else {
            // After the last column (`layers` rows), each layer's other n − 1 positions in turn.
            self.done.saturating_sub(self.layers) / (n - 1)
        }
    }

    /// The cells the last [`advance`](Self::advance) did: (layer, position, alternatives).
    pub fn latest(&self) -> impl Iterator<Item = (usize, usize, &[Alternative])> {
        let n = self.tokens.len();
        self.order[self.latest.clone()].iter().map(move |&row| {
            let row = row as usize;
            (row / n, row % n, self.cells[row].as_slice())
        })
    }

    /// Takes the next rows through the final norm and the output layer (the first time, only
    /// the last position's column); true once all are done.
    pub fn advance(&mut self, decoder: &Decoder) -> Result<bool> {
        let total = self.order.len();
        let rows = if self.done == 0 {
            self.layers.min(self.rows_per_product)
        } else {
            self.rows_per_product
        };
        self.latest = self.done..(self.done + rows).min(total);
        if !self.latest.is_empty() {
            let model = decoder.model();
            let ids = &self.order[self.latest.clone()];
            let taken = self
                .residuals
                .index_select(&Tensor::new(ids, self.residuals.device())?, 0)?;
            let logits = model.logits(&model.final_norm(&taken)?)?;
            for (i, &row) in ids.iter().enumerate() {
                let distribution = Distribution::new(&logits.i(i)?)?;
                self.cells[row as usize] = alternatives(decoder, &distribution, self.k);
            }
            self.done = self.latest.end;
        }
        Ok(self.done == total)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_llama() -> Decoder {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tiny/llama3.gguf"
        );
        Decoder::from_gguf(std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn a_lens_after_the_attention_of_its_text_takes_that_pass_and_no_other() {
        let decoder = tiny_llama();
        let text = "The cat sat on the mat";
        let alone = decoder.logit_lens(text, 3).unwrap();
        assert!(
            decoder.last_recording.is_empty(),
            "a lens alone keeps nothing"
        );
        decoder.attention(text).unwrap();
        assert!(!decoder.last_recording.is_empty());
        assert_eq!(decoder.logit_lens(text, 3).unwrap(), alone);
        assert!(decoder.last_recording.is_empty(), "taken, not kept twice");
        // Another text's pass is not used for this one.
        decoder.attention("A dog ran").unwrap();
        assert_eq!(decoder.logit_lens(text, 3).unwrap(), alone);
        assert!(decoder.last_recording.is_empty());
    }
}
