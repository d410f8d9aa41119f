//! The only file that knows about JavaScript: it converts types and nothing else. Models
//! stay behind opaque handles; vectors cross as one flat typed array.

use js_sys::{Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::{encoder, projection, vectors};

#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPES: &str = r#"
/** What Encoder.embed returns: all vectors in one flat array. */
export interface Embedded {
    dim: number;
    /** n × dim, row-major, each row of unit length. */
    vectors: Float32Array;
    /** Tokens each text was embedded from, [CLS] and [SEP] included. */
    tokenCounts: Uint32Array;
    /** 1 where a text was cut at the encoder's token limit. */
    truncated: Uint8Array;
}
export interface Projected {
    /** n × 2, row-major. */
    coords: Float32Array;
    /** Share of the variance each axis keeps. */
    explained: Float32Array;
}
export interface Neighbours {
    indices: Uint32Array;
    scores: Float32Array;
}
"#;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

fn js_error(error: crate::error::Error) -> JsError {
    JsError::new(&error.to_string())
}

/// A plain object, so results can be posted from the worker as they are.
fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        Reflect::set(&object, &JsValue::from_str(key), value).expect("setting a field of a new object");
    }
    object
}

fn rows(vectors: &[f32], dim: usize) -> Result<vectors::Rows<'_>, JsError> {
    vectors::Rows::new(vectors, dim).map_err(js_error)
}

/// A loaded sentence encoder (BERT).
#[wasm_bindgen]
pub struct Encoder(encoder::Encoder);

#[wasm_bindgen]
impl Encoder {
    /// Loads from the bytes of model.safetensors, config.json, tokenizer.json and
    /// sentence_bert_config.json.
    #[wasm_bindgen(constructor)]
    pub fn new(
        weights: &[u8],
        config: &[u8],
        tokenizer: &[u8],
        sentence_config: &[u8],
    ) -> Result<Encoder, JsError> {
        let files = encoder::EncoderFiles {
            weights,
            config,
            tokenizer,
            sentence_config,
        };
        encoder::Encoder::from_files(&files).map(Encoder).map_err(js_error)
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
        let out = self.0.embed(&texts).map_err(js_error)?;
        let truncated: Vec<u8> = out.truncated.iter().map(|&t| t as u8).collect();
        Ok(object(&[
            ("dim", out.dim.into()),
            ("vectors", Float32Array::from(&out.vectors[..]).into()),
            ("tokenCounts", Uint32Array::from(&out.token_counts[..]).into()),
            ("truncated", Uint8Array::from(&truncated[..]).into()),
        ]))
    }
}

/// PCA of n × dim vectors to 2D: `{coords: Float32Array (n × 2), explained: Float32Array (2)}`.
#[wasm_bindgen(unchecked_return_type = "Projected")]
pub fn pca(vectors: &[f32], dim: usize) -> Result<Object, JsError> {
    let p = projection::pca(rows(vectors, dim)?, 2);
    Ok(object(&[
        ("coords", Float32Array::from(&p.coords[..]).into()),
        ("explained", Float32Array::from(&p.explained_variance_ratio[..]).into()),
    ]))
}

/// n × n cosine similarities, row-major.
#[wasm_bindgen(js_name = similarityMatrix)]
pub fn similarity_matrix(vectors: &[f32], dim: usize) -> Result<Vec<f32>, JsError> {
    Ok(vectors::similarity_matrix(rows(vectors, dim)?))
}

/// The `k` rows nearest to row `index`: `{indices: Uint32Array, scores: Float32Array}`.
#[wasm_bindgen(js_name = nearestNeighbours, unchecked_return_type = "Neighbours")]
pub fn nearest_neighbours(vectors: &[f32], dim: usize, index: usize, k: usize) -> Result<Object, JsError> {
    let found = vectors::neighbours_of(rows(vectors, dim)?, index, k).map_err(js_error)?;
    let indices: Vec<u32> = found.iter().map(|n| n.index as u32).collect();
    let scores: Vec<f32> = found.iter().map(|n| n.score).collect();
    Ok(object(&[
        ("indices", Uint32Array::from(&indices[..]).into()),
        ("scores", Float32Array::from(&scores[..]).into()),
    ]))
}
