//! The decoder side: a GPT-style network with the tokenizer and chat template its GGUF file
//! carries ([`gguf_decoder`]), one run over a prompt — prefill, then a token per call, or
//! scoring a text ([`generation`]) — and choosing each token from the logits ([`sampling`],
//! which knows no model). The tokenizer is rebuilt from the GGUF's metadata
//! ([`gguf_tokenizer`]: byte-level BPE in [`bpe_tokenizer`], SentencePiece in [`spm_tokenizer`])
//! and chat prompts rendered from its Jinja template ([`chat_template`]). What happens inside
//! — attention, the logit lens — is read out in [`inside`].
//!
//! Uses: `error`, `kernels` (a per-value step for the distribution), `gguf`, `models`.

pub mod bpe_tokenizer;
pub mod chat_template;
pub mod generation;
pub mod gguf_decoder;
pub mod gguf_tokenizer;
pub mod inside;
mod piece_table;
pub mod sampling;
pub mod spm_tokenizer;

pub use generation::Generation;
pub use gguf_decoder::Decoder;
