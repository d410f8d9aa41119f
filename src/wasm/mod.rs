//! The only code that knows about JavaScript: it converts types and nothing else. Models stay
//! behind opaque handles, one file per handle's side — [`encoder`], [`decoder`], [`lessons`],
//! [`machine_check`], [`checksum`] —
//! vectors cross as one flat typed array, and a decoder's file streams into wasm memory through
//! [`file_bytes`]. This file holds the module's life (start,
//! panics, threads, memory) and the conversions the handles share. As ratchet keeps its web
//! binding apart from its models
//! (<https://github.com/huggingface/ratchet/tree/master/crates/ratchet-web>).
//!
//! Uses: `error`, `kernels::parallel`, `kernels::machine_check`, `models`, `encoder`, `decoder`,
//! `lessons`.

use js_sys::{Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::models::inside::Attention;
use crate::models::pooling::Embeddings;

mod checksum;
mod classifier;
mod decoder;
mod encoder;
mod file_bytes;
mod lessons;
mod machine_check;

pub use file_bytes::FileBytes;

#[wasm_bindgen(typescript_custom_section)]
const EMBEDDED_TYPE: &str = r#"
/** What Encoder.embed and Decoder.embed return: all vectors in one flat array. */
export interface Embedded {
    dim: number;
    /** n × dim, row-major, each row of unit length. */
    vectors: Float32Array;
    /** Tokens each text was embedded from, [CLS] and [SEP] included. */
    tokenCounts: Uint32Array;
    /** 1 where a text was cut at the encoder's token limit. */
    truncated: Uint8Array;
}
"#;

/// The message of the first panic on any thread, for the worker to report: after a panic the
/// module's state cannot be trusted, so the page restarts the worker and says why.
static FIRST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        FIRST_PANIC
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| format!("{message}{place}"));
        #[cfg(target_feature = "atomics")]
        crate::kernels::parallel::abandon();
        console_error_panic_hook::hook(info);
    }));
}

/// The first panic's message, if the module has panicked.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    FIRST_PANIC
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// Panics on purpose: the recovery path (report, restart the worker) is tested with it.
#[wasm_bindgen(js_name = panicOnPurpose)]
pub fn panic_on_purpose() {
    panic!("a deliberate panic, to test recovery");
}

/// Threads the big matrix products run on: 1 in the plain build, 1 + helpers in the threaded.
#[wasm_bindgen]
pub fn threads() -> usize {
    crate::kernels::parallel::threads()
}

/// What a helper Worker needs to join this instance: [module, shared memory].
#[cfg(target_feature = "atomics")]
#[wasm_bindgen(js_name = helperSeed)]
pub fn helper_seed() -> js_sys::Array {
    js_sys::Array::of2(&wasm_bindgen::module(), &wasm_bindgen::memory())
}

/// A helper Worker's whole life (never returns): join every split product.
#[cfg(target_feature = "atomics")]
#[wasm_bindgen(js_name = serveAsHelper)]
pub fn serve_as_helper() {
    crate::kernels::parallel::serve()
}

/// Lets products use `helpers` helpers, once each is inside `serveAsHelper`.
#[cfg(target_feature = "atomics")]
#[wasm_bindgen(js_name = openHelpers)]
pub fn open_helpers(helpers: usize) {
    crate::kernels::parallel::open(helpers)
}

/// Bytes of wasm memory: it only ever grows, so this is also its peak.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

fn js_error(error: crate::error::Error) -> JsError {
    JsError::new(&error.to_string())
}

/// Label or row indices from JS.
fn indices(ids: &[u32]) -> Vec<usize> {
    ids.iter().map(|&i| i as usize).collect()
}

/// Indices for JS.
fn ids(indices: &[usize]) -> Uint32Array {
    let ids: Vec<u32> = indices.iter().map(|&i| i as u32).collect();
    Uint32Array::from(&ids[..])
}

/// A plain object, so results can be posted from the worker as they are.
fn object(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in fields {
        Reflect::set(&object, &JsValue::from_str(key), value)
            .expect("setting a field of a new object");
    }
    object
}

/// A serde value as a plain JS object (None → null).
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// `{dim, vectors, tokenCounts, truncated}` of an embedding, for either model.
fn embedded(out: Embeddings) -> Object {
    let truncated: Vec<u8> = out.truncated.iter().map(|&t| t as u8).collect();
    object(&[
        ("dim", out.dim.into()),
        ("vectors", Float32Array::from(&out.vectors[..]).into()),
        (
            "tokenCounts",
            Uint32Array::from(&out.token_counts[..]).into(),
        ),
        ("truncated", Uint8Array::from(&truncated[..]).into()),
    ])
}

/// `{tokens, layers, heads, weights: Float32Array, meanHeads: Float32Array}` of one text's
/// attention, for either model (`meanHeads[(layer · n + query) · n + key]`).
fn attention_object(attention: Attention) -> Result<Object, JsError> {
    Ok(object(&[
        (
            "meanHeads",
            Float32Array::from(&attention.head_means()[..]).into(),
        ),
        ("tokens", to_js(&attention.tokens)?),
        ("layers", attention.layers.into()),
        ("heads", attention.heads.into()),
        ("weights", Float32Array::from(&attention.weights[..]).into()),
    ]))
}
