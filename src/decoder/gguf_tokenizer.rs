//! The tokenizer a GGUF file describes, whichever algorithm it names in
//! `tokenizer.ggml.model`: byte-level BPE ("gpt2", [`BpeTokenizer`]) or SentencePiece ("llama",
//! [`SpmTokenizer`]) — one face for the decoder, which adds BOS as the file asks
//! (`tokenizer.ggml.add_bos_token`; llama.cpp's default is on for SentencePiece and Llama 3's
//! BPE, off for other BPE).

use crate::decoder::bpe_tokenizer::BpeTokenizer;
use crate::decoder::spm_tokenizer::SpmTokenizer;
use crate::error::Result;
use crate::gguf::GgufTensors;

pub enum GgufTokenizer {
    Bpe(Box<BpeTokenizer>),
    Spm(SpmTokenizer),
}

impl GgufTokenizer {
    pub fn from_gguf(file: &GgufTensors) -> Result<Self> {
        match file.string("tokenizer.ggml.model")? {
            "gpt2" => Ok(Self::Bpe(Box::new(BpeTokenizer::from_gguf(file)?))),
            "llama" => Ok(Self::Spm(SpmTokenizer::from_gguf(file)?)),
            other => Err(file.bad(format!(
                "its tokenizer {other:?} is not one this page runs (byte-level BPE \"gpt2\" or SentencePiece \"llama\")"
            ))),
        }
    }

    /// The BOS token to put before a prompt, if the file asks for one.
    pub fn bos(file: &GgufTensors) -> Result<Option<u32>> {
        let spm = file.string("tokenizer.ggml.model")? == "llama";
        let llama3 = file
            .content
            .metadata
            .get("tokenizer.ggml.pre")
            .and_then(|v| v.to_string().ok())
            .is_some_and(|pre| pre == "llama-bpe");
        if !file.flag("tokenizer.ggml.add_bos_token", spm || llama3)? {
            return Ok(None);
        }
        file.number("tokenizer.ggml.bos_token_id").map(Some)
    }

    pub fn vocab_size(&self) -> usize {
        match self {
            Self::Bpe(t) => t.vocab_size(),
            Self::Spm(t) => t.vocab_size(),
        }
    }

    pub fn token_to_id(&self, piece: &str) -> Option<u32> {
        match self {
            Self::Bpe(t) => t.token_to_id(piece),
            Self::Spm(t) => t.token_to_id(piece),
        }
    }

    /// Token ids of `text` (no BOS); special-token markers in it become their single tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        match self {
            Self::Bpe(t) => t.encode(text),
            Self::Spm(t) => Ok(t.encode(text)),
        }
    }

    /// The text of `ids`, special tokens included; incomplete characters as U+FFFD.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        match self {
            Self::Bpe(t) => t.decode(ids),
            Self::Spm(t) => Ok(t.decode(ids)),
        }
    }

    /// One token as a learner should see it.
    pub fn token_display(&self, id: u32) -> String {
        match self {
            Self::Bpe(t) => t.token_display(id),
            Self::Spm(t) => t.token_display(id),
        }
    }

    pub fn is_special(&self, id: u32) -> bool {
        match self {
            Self::Bpe(t) => t.is_special(id),
            Self::Spm(t) => t.is_special(id),
        }
    }
}
