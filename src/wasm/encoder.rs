//! The encoder's handle: load, embed, tokenize. The lesson handles built on an encoder
//! (keyword candidates, a vocabulary) are made in `lessons`.

use js_sys::{Object, Uint32Array};
use wasm_bindgen::prelude::*;

use super::{attention_object, embedded, js_error, object, to_js, FileBytes};
use crate::encoder;
use crate::lessons::flops;

/// A loaded sentence encoder (BERT).
#[wasm_bindgen]
pub struct Encoder(pub(super) encoder::Encoder);

#[wasm_bindgen]
impl Encoder {
    /// Loads from model.safetensors, config.json, tokenizer.json and sentence_bert_config.json,
    /// each gathered in wasm memory (see [`FileBytes`]), its matrices kept as 'f32' or 'int16'
    /// (`precision`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        weights: FileBytes,
        config: FileBytes,
        tokenizer: FileBytes,
        sentence_config: FileBytes,
        precision: &str,
    ) -> Result<Encoder, JsError> {
        let files = encoder::EncoderFiles {
            weights: &weights.into_complete()?,
            config: &config.into_complete()?,
            tokenizer: &tokenizer.into_complete()?,
            sentence_config: &sentence_config.into_complete()?,
        };
        let precision = precision.parse().map_err(|e: String| JsError::new(&e))?;
        encoder::Encoder::from_files_at(&files, precision)
            .map(Encoder)
            .map_err(js_error)
    }

    /// Loads multilingual-e5-small from the converter's model.gguf and tokenizer.json.
    #[wasm_bindgen(js_name = fromE5)]
    pub fn from_e5(weights: FileBytes, tokenizer: FileBytes) -> Result<Encoder, JsError> {
        let files = encoder::E5Files {
            weights: &weights.into_complete()?,
            tokenizer: &tokenizer.into_complete()?,
        };
        encoder::Encoder::from_e5_files(&files)
            .map(Encoder)
            .map_err(js_error)
    }

    #[wasm_bindgen(getter)]
    pub fn dim(&self) -> usize {
        self.0.dim()
    }

    #[wasm_bindgen(getter, js_name = maxTokens)]
    pub fn max_tokens(&self) -> usize {
        self.0.max_tokens()
    }

    /// `{dim, vectors: Float32Array (n × dim, row-major), tokenCounts: Uint32Array,
    /// truncated: Uint8Array}`.
    #[wasm_bindgen(unchecked_return_type = "Embedded")]
    pub fn embed(&self, texts: Vec<String>) -> Result<Object, JsError> {
        self.0.embed(&texts).map(embedded).map_err(js_error)
    }

    /// The whole text as BERT splits it (no truncation): `{ids: Uint32Array, tokens: string[]}`,
    /// WordPiece pieces such as "##ing", [CLS] and [SEP] included.
    pub fn tokens(&self, text: &str) -> Result<Object, JsError> {
        let (ids, tokens) = self.0.tokens(text).map_err(js_error)?;
        Ok(object(&[
            ("ids", Uint32Array::from(&ids[..]).into()),
            ("tokens", to_js(&tokens)?),
        ]))
    }

    /// Every layer's and head's attention over `text` (at most 128 tokens): `{tokens, layers,
    /// heads, weights: Float32Array}`, `weights[((layer · heads + head) · n + query) · n + key]`.
    pub fn attention(&self, text: &str) -> Result<Object, JsError> {
        attention_object(self.0.attention(text).map_err(js_error)?)
    }

    /// Estimated FLOPs of embedding texts of these token counts.
    pub fn flops(&self, token_counts: &[u32]) -> f64 {
        flops::encoder_passes(&self.0.shape(), token_counts)
    }
}
