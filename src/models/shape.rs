//! A network's shape in the numbers that decide how much arithmetic it does per token: what
//! `lessons::flops` estimates costs from.

/// The shape of a network, as far as its arithmetic goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub layers: usize,
    pub hidden: usize,
    /// Width of the queries and the attention's output (hidden for BERT and Llama; heads × head
    /// size where that differs, as in Gemma 3 and Qwen3).
    pub attention_width: usize,
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
            attention_width: hidden,
            kv_width: hidden,
            feed_forward,
            feed_forward_matrices: 2,
            output_vocab: 0,
        }
    }
}
