//! The networks: each one file that turns token ids into hidden states (and, for a decoder,
//! next-token logits) from a checkpoint's tensors — [`bert`] for the encoders,
//! [`decoder_network`] for the GGUF decoders (the families' differences in [`decoder_config`],
//! their attention memory in [`kv_cache`]) — and what the networks' users share: [`pooling`]
//! (hidden states → sentence vectors), [`shape`] (the numbers cost estimates need) and
//! [`inside`] (what a pass shows of itself: attention, the residual stream). A new network goes
//! here as one file, built from `kernels` and candle's layers.
//!
//! Uses: `error`, `kernels`, `gguf`. Knows no tokenizer, prompt or lesson.

pub mod bert;
pub mod decoder_config;
pub mod decoder_network;
pub mod inside;
pub mod kv_cache;
pub mod pooling;
pub mod shape;
