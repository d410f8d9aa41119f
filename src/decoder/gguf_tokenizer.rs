//! A `tokenizers::Tokenizer` rebuilt from a GGUF file's own metadata, so the decoder needs no
//! tokenizer.json: byte-level BPE over `tokenizer.ggml.tokens` and `tokenizer.ggml.merges`,
//! the pre-tokenizer llama.cpp calls `smollm` (single digits, then GPT-2's byte-level regex),
//! and every control token (type 3) as a special token, so `<|im_start|>` in a raw prompt is
//! one token. llama.cpp's own reading of the same metadata is `llama_vocab` in
//! <https://github.com/ggml-org/llama.cpp/blob/master/src/llama-vocab.cpp>.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

use crate::error::{Error, Result};

/// llama.cpp's token type for control tokens (`<|im_start|>`, `<|endoftext|>`, ...).
const CONTROL: i64 = 3;
/// The pre-tokenizers this builder reproduces, by their llama.cpp name.
const SUPPORTED_PRE_TOKENIZERS: &[&str] = &["smollm"];

fn bad_gguf(reason: impl Into<String>) -> Error {
    Error::BadModelFile {
        file: "the GGUF file",
        what: "tokenizer description",
        reason: reason.into(),
    }
}

fn metadata<'a>(metadata: &'a HashMap<String, Value>, key: &str) -> Result<&'a Value> {
    metadata
        .get(key)
        .ok_or_else(|| bad_gguf(format!("the metadata key {key} is missing")))
}

fn strings(metadata: &HashMap<String, Value>, key: &str) -> Result<Vec<String>> {
    let values = self::metadata(metadata, key)?
        .to_vec()
        .map_err(|_| bad_gguf(format!("{key} is not an array")))?;
    values
        .iter()
        .map(|v| {
            v.to_string()
                .cloned()
                .map_err(|_| bad_gguf(format!("{key} holds a value that is not a string")))
        })
        .collect()
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::U8(v) => Some(i64::from(*v)),
        Value::I8(v) => Some(i64::from(*v)),
        Value::U16(v) => Some(i64::from(*v)),
        Value::I16(v) => Some(i64::from(*v)),
        Value::U32(v) => Some(i64::from(*v)),
        Value::I32(v) => Some(i64::from(*v)),
        Value::U64(v) => i64::try_from(*v).ok(),
        Value::I64(v) => Some(*v),
        _ => None,
    }
}

/// Builds the tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata.
pub fn tokenizer_from_gguf(content: &Content) -> Result<Tokenizer> {
    let md = &content.metadata;
    let model = metadata(md, "tokenizer.ggml.model")?
        .to_string()
        .map_err(|_| bad_gguf("tokenizer.ggml.model is not a string"))?;
    if model != "gpt2" {
        return Err(bad_gguf(format!(
            "tokenizer.ggml.model is {model:?}; only byte-level BPE (\"gpt2\") is supported"
        )));
    }
    let pre = metadata(md, "tokenizer.ggml.pre")?
        .to_string()
        .map_err(|_| bad_gguf("tokenizer.ggml.pre is not a string"))?;
    if !SUPPORTED_PRE_TOKENIZERS.contains(&pre.as_str()) {
        return Err(bad_gguf(format!(
            "pre-tokenizer {pre:?} is not supported (only {SUPPORTED_PRE_TOKENIZERS:?})"
        )));
    }

    let tokens = strings(md, "tokenizer.ggml.tokens")?;
    let merges = strings(md, "tokenizer.ggml.merges")?
        .into_iter()
        .map(|merge| match merge.split_once(' ') {
            Some((a, b)) => Ok((a.to_string(), b.to_string())),
            None => Err(bad_gguf(format!(
                "merge {merge:?} is not two tokens separated by a space"
            ))),
        })
        .collect::<Result<Vec<_>>>()?;
    let types = metadata(md, "tokenizer.ggml.token_type")?
        .to_vec()
        .map_err(|_| bad_gguf("tokenizer.ggml.token_type is not an array"))?;
    if types.len() != tokens.len() {
        return Err(bad_gguf(format!(
            "{} token types for {} tokens",
            types.len(),
            tokens.len()
        )));
    }

    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(id, token)| (token.clone(), id as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| {
            bad_gguf(format!(
                "the vocabulary and merges do not form a BPE model: {e}"
            ))
        })?;

    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
        Digits::new(true).into(),
        ByteLevel::new(false, true, true).into(),
    ])));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    let special: Vec<AddedToken> = tokens
        .iter()
        .zip(types)
        .filter(|(_, kind)| integer(kind) == Some(CONTROL))
        .map(|(token, _)| AddedToken::from(token.clone(), true))
        .collect();
    tokenizer
        .add_special_tokens(special)
        .map_err(|e| bad_gguf(format!("its control tokens cannot be added: {e}")))?;
    Ok(tokenizer)
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

/// A token as a learner should see it: its text when its bytes are whole UTF-8 characters,
/// bytes that are only part of a character as `<0xE4>`, control tokens as themselves.
pub fn token_display(tokenizer: &Tokenizer, id: u32) -> String {
    let Some(piece) = tokenizer.id_to_token(id) else {
        return format!("<unknown {id}>");
    };
    let bytes: Option<Vec<u8>> = piece.chars().map(byte_of).collect();
    let Some(bytes) = bytes.filter(|_| !tokenizer.get_added_vocabulary().is_special_token(&piece))
    else {
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
