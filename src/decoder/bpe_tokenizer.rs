//! Byte-level BPE (`tokenizer.ggml.model` = "gpt2": SmolLM2, Qwen, Llama 3) as a
//! `tokenizers::Tokenizer` rebuilt from a GGUF file's own metadata, so the decoder needs no
//! tokenizer.json: BPE over `tokenizer.ggml.tokens` and `tokenizer.ggml.merges`, the
//! pre-tokenizer `tokenizer.ggml.pre` names (llama.cpp's `smollm`: single digits, then GPT-2's
//! byte-level regex; `qwen2` and `llama-bpe`: their own splitting regex), and every control token (type 3) as a special token, so `<|im_start|>` in a raw prompt is
//! one token. llama.cpp's own reading of the same metadata is `llama_vocab` in
//! <https://github.com/ggml-org/llama.cpp/blob/master/src/llama-vocab.cpp>.

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

use crate::error::{Error, Result};
use crate::gguf::GgufTensors;

/// llama.cpp's token types: control tokens (`<|im_start|>`, `<|endoftext|>`, ...) and
/// user-defined ones (Qwen's `<think>`, `<tool_call>`), both kept whole wherever they appear.
const CONTROL: i64 = 3;
const USER_DEFINED: i64 = 4;
/// Pre-tokenizers whose pre-tokens that are whole vocabulary entries skip the merges
/// (llama.cpp's `ignore_merges`, set for Llama 3; its tokenizer.json says the same).
const IGNORE_MERGES: &[&str] = &["llama-bpe"];
/// The pre-tokenizers this builder reproduces, by their llama.cpp name (`tokenizer.ggml.pre`).
pub const PRE_TOKENIZERS: &[&str] = &["smollm", "qwen2", "llama-bpe"];
/// The splitting regexes of llama.cpp's `LLAMA_VOCAB_PRE_TYPE_QWEN2` and `_LLAMA3`: they differ
/// only in how many digits go together.
const QWEN2_SPLIT: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
const LLAMA3_SPLIT: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The pre-tokenizer llama.cpp calls `name`, in `tokenizers` terms.
fn pre_tokenizer(name: &str) -> Option<PreTokenizerWrapper> {
    let split = |regex: &str| -> Option<PreTokenizerWrapper> {
        Some(
            Sequence::new(vec![
                Split::new(
                    SplitPattern::Regex(regex.to_string()),
                    SplitDelimiterBehavior::Isolated,
                    false,
                )
                .ok()?
                .into(),
                ByteLevel::new(false, true, false).into(),
            ])
            .into(),
        )
    };
    match name {
        "smollm" => Some(
            Sequence::new(vec![
                Digits::new(true).into(),
                ByteLevel::new(false, true, true).into(),
            ])
            .into(),
        ),
        "qwen2" => split(QWEN2_SPLIT),
        "llama-bpe" => split(LLAMA3_SPLIT),
        _ => None,
    }
}

/// Byte-level BPE with the control tokens as special tokens.
pub struct BpeTokenizer(Tokenizer);

impl BpeTokenizer {
    /// The tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata.
    pub fn from_gguf(file: &GgufTensors) -> Result<Self> {
        let pre = file.string("tokenizer.ggml.pre")?;
        let pre_tokenizer = pre_tokenizer(pre).ok_or_else(|| {
            file.bad(format!(
                "its pre-tokenizer {pre:?} is not one this page reproduces ({})",
                PRE_TOKENIZERS.join(", ")
            ))
        })?;
        let tokens = file.strings("tokenizer.ggml.tokens")?;
        let merges = file
            .strings("tokenizer.ggml.merges")?
            .into_iter()
            .map(|merge| match merge.split_once(' ') {
                Some((a, b)) => Ok((a.to_string(), b.to_string())),
                None => Err(file.bad(format!(
                    "merge {merge:?} is not two tokens separated by a space"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        let types = file.integers("tokenizer.ggml.token_type")?;
        if types.len() != tokens.len() {
            return Err(file.bad(format!(
                "{} token types for {} tokens",
                types.len(),
                tokens.len()
            )));
        }
        let vocab: Vocab = tokens
            .iter()
            .enumerate()
            .map(|(id, token)| (token.to_string(), id as u32))
            .collect();
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .ignore_merges(IGNORE_MERGES.contains(&pre))
            .build()
            .map_err(|e| {
                file.bad(format!(
                    "the vocabulary and merges do not form a BPE model: {e}"
                ))
            })?;
        let mut tokenizer = Tokenizer::new(bpe);
        tokenizer.with_pre_tokenizer(Some(pre_tokenizer));
        tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
        let of_type = |wanted: i64, special: bool| -> Vec<AddedToken> {
            tokens
                .iter()
                .zip(&types)
                .filter(|(_, &kind)| kind == wanted)
                .map(|(token, _)| AddedToken::from(token.to_string(), special))
                .collect()
        };
        tokenizer
            .add_special_tokens(of_type(CONTROL, true))
            .map_err(|e| file.bad(format!("its control tokens cannot be added: {e}")))?;
        tokenizer
            .add_tokens(of_type(USER_DEFINED, false))
            .map_err(|e| file.bad(format!("its user-defined tokens cannot be added: {e}")))?;
        Ok(Self(tokenizer))
    }

    pub fn vocab_size(&self) -> usize {
        self.0.get_vocab_size(true)
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.0.token_to_id(token)
    }

    /// Token ids of `text`; control-token markers in it become their single special tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        self.0
            .encode(text, false)
            .map(|encoding| encoding.get_ids().to_vec())
            .map_err(|e| Error::Tokenize {
                index: 0,
                reason: e.to_string(),
            })
    }

    /// The text of `ids`, control tokens included.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.0.decode(ids, false).map_err(|e| Error::Tokenize {
            index: 0,
            reason: e.to_string(),
        })
    }

    pub fn is_special(&self, id: u32) -> bool {
        self.0
            .id_to_token(id)
            .is_some_and(|piece| self.0.get_added_vocabulary().is_special_token(&piece))
    }

    /// A token as a learner should see it: its text when its bytes are whole UTF-8 characters,
    /// bytes that are only part of a character as `<0xE4>`, control tokens as themselves.
    pub fn token_display(&self, id: u32) -> String {
        let Some(piece) = self.0.id_to_token(id) else {
            return format!("<unknown {id}>");
        };
        let bytes: Option<Vec<u8>> = piece.chars().map(byte_of).collect();
        let Some(bytes) = bytes.filter(|_| !self.is_special(id)) else {
            return piece;
        };
        let mut shown = String::new();
        for chunk in bytes.utf8_chunks() {
            shown.push_str(chunk.valid());
            for byte in chunk.invalid() {
                shown.push_str(&format!("<0x{byte:02X}>"));
            }
        }
        shown
    }
}

/// GPT-2's byte-level alphabet read backwards: the byte a vocabulary character stands for.
/// Printable bytes stand for themselves; the others were moved to U+0100 onwards, in order.
fn byte_of(c: char) -> Option<u8> {
    let printable = |b: u32| matches!(b, 33..=126 | 161..=172 | 174..=255);
    let code = c as u32;
    if printable(code) {
        return Some(code as u8);
    }
    let index = code.checked_sub(256)?;
    (0u32..256)
        .filter(|&b| !printable(b))
        .nth(index as usize)
        .map(|b| b as u8)
}
