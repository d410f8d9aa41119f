//! Estimated floating-point operations, to compare what an answer costs on the same task:
//! two per multiply-add of every matrix product, attention included; embeddings lookups,
//! norms and activations (a few percent) left out.

use crate::models::shape::Shape;

/// One token through the projections and feed-forward block of every layer.
fn per_token(shape: &Shape) -> f64 {
    let h = shape.hidden as f64;
    let projections = 2.0 * h * shape.attention_width as f64 + 2.0 * h * shape.kv_width as f64;
    let feed_forward = shape.feed_forward_matrices as f64 * h * shape.feed_forward as f64;
    2.0 * shape.layers as f64 * (projections + feed_forward)
}

/// One position's next-token scores: the output layer over the vocabulary.
fn output_layer(shape: &Shape) -> f64 {
    2.0 * shape.hidden as f64 * shape.output_vocab as f64
}

/// Attention of one query over `keys` positions in every layer: scores and weighted sum.
fn attention(shape: &Shape, keys: usize) -> f64 {
    4.0 * shape.layers as f64 * shape.attention_width as f64 * keys as f64
}

/// An encoder reading `tokens` tokens at once (every token attends to every token).
pub fn encoder_pass(shape: &Shape, tokens: usize) -> f64 {
    tokens as f64 * (per_token(shape) + attention(shape, tokens))
}

/// An encoder embedding texts of these token counts, one pass each.
pub fn encoder_passes(shape: &Shape, token_counts: &[u32]) -> f64 {
    token_counts
        .iter()
        .map(|&n| encoder_pass(shape, n as usize))
        .sum()
}

/// A decoder reading `prompt` tokens and generating `generated` more, one at a time: every
/// token but the last generated one goes through the layers (each position attends to itself
/// and everything before it), and the output layer runs once per generated token — for the last
/// prompt position and each fed-back token, not for the rest of the prompt.
pub fn decoder_run(shape: &Shape, prompt: usize, generated: usize) -> f64 {
    let read = prompt + generated.saturating_sub(1);
    let layers: f64 = (0..read)
        .map(|position| per_token(shape) + attention(shape, position + 1))
        .sum();
    layers + generated as f64 * output_layer(shape)
}

/// A linear layer + softmax over `inputs` values (non-zero ones, for sparse TF-IDF rows) into
/// `classes` scores: the classifier lesson's trained layer, the cheap end of "what an answer
/// costs" (the encoder pass before it is counted by [`encoder_pass`]).
pub fn linear_layer(inputs: f64, classes: usize) -> f64 {
    2.0 * inputs * classes as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_a_hand_calculation() {
        let shape = Shape {
            layers: 1,
            hidden: 2,
            attention_width: 2,
            kv_width: 2,
            feed_forward: 4,
            feed_forward_matrices: 2,
            output_vocab: 0,
        };
        // Projections 4·2·2 = 16, feed-forward 2·2·4 = 16 → 2·32 = 64 per token;
        // attention over 3 keys: 4·2·3 = 24.
        assert_eq!(encoder_pass(&shape, 3), 3.0 * (64.0 + 24.0));
        assert_eq!(
            encoder_passes(&shape, &[3, 1]),
            3.0 * (64.0 + 24.0) + (64.0 + 8.0)
        );
        let decoder = Shape {
            output_vocab: 10,
            ..shape
        };
        // Output layer 2·2·10 = 40 per generated token; the prompt's first two tokens go through
        // the layers without it (attention over 1, then 2 keys), and the first generated token
        // (attention over 3 keys) is fed back for the second.
        assert_eq!(
            decoder_run(&decoder, 2, 1),
            (64.0 + 8.0) + (64.0 + 16.0) + 40.0
        );
        assert_eq!(
            decoder_run(&decoder, 2, 2),
            (64.0 + 8.0) + (64.0 + 16.0) + (64.0 + 24.0) + 2.0 * 40.0
        );
        assert_eq!(decoder_run(&decoder, 2, 0), (64.0 + 8.0) + (64.0 + 16.0));
    }

    #[test]
    fn smollm2_costs_about_twice_its_parameters_per_token() {
        let smollm2 = Shape {
            layers: 30,
            hidden: 576,
            attention_width: 576,
            kv_width: 192,
            feed_forward: 1536,
            feed_forward_matrices: 3,
            output_vocab: 49152,
        };
        let per_token = decoder_run(&smollm2, 1, 1);
        // 135M parameters (28M of them the tied embedding, used once as the output layer).
        assert!((2.5e8..2.9e8).contains(&per_token), "{per_token:e}");
    }
}
