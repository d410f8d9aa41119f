//! Estimated floating-point operations, to compare what an answer costs on the same task:
//! two per multiply-add of every matrix product, attention included; embeddings lookups,
//! norms and activations (a few percent) left out.

/// The shape numbers the estimate needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub layers: usize,
    pub hidden: usize,
    /// Width of the key and value projections (hidden for BERT; KV heads × head size for
    /// grouped attention).
    pub kv_width: usize,
    pub feed_forward: usize,
    /// Matrices in the feed-forward block: 2 for BERT's up/down, 3 for a SwiGLU's gate/up/down.
    pub feed_forward_matrices: usize,
    /// Vocabulary size when the model ends in an output layer over it (a decoder), else 0.
    pub output_vocab: usize,
}

impl Shape {
    /// A BERT encoder: full-width keys and values, an up/down feed-forward block, no output
    /// layer.
    pub fn bert(layers: usize, hidden: usize, feed_forward: usize) -> Self {
        Self {
            layers,
            hidden,
            kv_width: hidden,
            feed_forward,
            feed_forward_matrices: 2,
            output_vocab: 0,
        }
    }

    /// One token through the projections and feed-forward block of every layer, plus the
    /// output layer.
    fn per_token(&self) -> f64 {
        let h = self.hidden as f64;
        let projections = 2.0 * h * h + 2.0 * h * self.kv_width as f64;
        let feed_forward = self.feed_forward_matrices as f64 * h * self.feed_forward as f64;
        2.0 * self.layers as f64 * (projections + feed_forward) + 2.0 * h * self.output_vocab as f64
    }

    /// Attention of one query over `keys` positions in every layer: scores and weighted sum.
    fn attention(&self, keys: usize) -> f64 {
        4.0 * self.layers as f64 * self.hidden as f64 * keys as f64
    }

    /// An encoder reading `tokens` tokens at once (every token attends to every token).
    pub fn encoder_pass(&self, tokens: usize) -> f64 {
        tokens as f64 * (self.per_token() + self.attention(tokens))
    }

    /// A decoder reading `prompt` tokens and generating `generated` more, one at a time
    /// (each position attends to itself and everything before it).
    pub fn decoder_run(&self, prompt: usize, generated: usize) -> f64 {
        (0..prompt + generated)
            .map(|position| self.per_token() + self.attention(position + 1))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_a_hand_calculation() {
        let shape = Shape {
            layers: 1,
            hidden: 2,
            kv_width: 2,
            feed_forward: 4,
            feed_forward_matrices: 2,
            output_vocab: 0,
        };
        // Projections 4·2·2 = 16, feed-forward 2·2·4 = 16 → 2·32 = 64 per token;
        // attention over 3 keys: 4·2·3 = 24.
        assert_eq!(shape.encoder_pass(3), 3.0 * (64.0 + 24.0));
        let decoder = Shape {
            output_vocab: 10,
            ..shape
        };
        // Output layer 2·2·10 = 40 more per token; attention over 1, then 2 keys.
        assert_eq!(decoder.decoder_run(1, 1), (104.0 + 8.0) + (104.0 + 16.0));
    }

    #[test]
    fn smollm2_costs_about_twice_its_parameters_per_token() {
        let smollm2 = Shape {
            layers: 30,
            hidden: 576,
            kv_width: 192,
            feed_forward: 1536,
            feed_forward_matrices: 3,
            output_vocab: 49152,
        };
        let per_token = smollm2.decoder_run(1, 0);
        // 135M parameters (28M of them the tied embedding, used once as the output layer).
        assert!((2.5e8..2.9e8).contains(&per_token), "{per_token:e}");
    }
}
