//! The encoder side: a BERT network with its tokenizer, turning texts into sentence vectors as
//! sentence-transformers does ([`sentence_encoder`]), and the SentencePiece Unigram tokenizer
//! multilingual-e5 needs ([`unigram`]).
//!
//! Uses: `error`, `gguf`, `models`.

pub mod sentence_encoder;
pub mod unigram;

pub use sentence_encoder::{E5Files, Encoder, EncoderFiles, QUERY_PREFIX};
