//! The only file that knows about JavaScript: it converts types and nothing else. Models
//! stay behind opaque handles; vectors cross as one flat typed array.

use js_sys::{Float32Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::{
    classify, decoder, encoder, generation, keywords, projection, sampling, vectors, vocabulary,
};

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
export interface Alternative { id: number; text: string; prob: number; }
export interface Step { id: number; text: string; piece: string; prob: number; top: Alternative[]; }
export interface Advance {
    promptDone: number;
    promptTotal: number;
    /** Scores of the prompt tokens read by this call (score runs only); 10 alternatives each. */
    scored: { ids: Uint32Array; logprobs: Float32Array; topIds: Uint32Array; topLogprobs: Float32Array } | null;
    step: Step | null;
    finished: "end" | "length" | "stop" | "context" | null;
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
        crate::parallel::abandon();
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
    crate::parallel::threads()
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
    crate::parallel::serve()
}

/// Lets products use `helpers` helpers, once each is inside `serveAsHelper`.
#[cfg(target_feature = "atomics")]
#[wasm_bindgen(js_name = openHelpers)]
pub fn open_helpers(helpers: usize) {
    crate::parallel::open(helpers)
}

/// Bytes of wasm memory: it only ever grows, so this is also its peak.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

fn js_error(error: crate::error::Error) -> JsError {
    JsError::new(&error.to_string())
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

fn rows(vectors: &[f32], dim: usize) -> Result<vectors::Rows<'_>, JsError> {
    vectors::Rows::new(vectors, dim).map_err(js_error)
}

/// A loaded sentence encoder (BERT).
#[wasm_bindgen]
pub struct Encoder(encoder::Encoder);

#[wasm_bindgen]
impl Encoder {
    /// Loads from the bytes of model.safetensors, config.json, tokenizer.json and
    /// sentence_bert_config.json, its matrices kept as 'f32' or 'int16' (`precision`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        weights: &[u8],
        config: &[u8],
        tokenizer: &[u8],
        sentence_config: &[u8],
        precision: &str,
    ) -> Result<Encoder, JsError> {
        let files = encoder::EncoderFiles {
            weights,
            config,
            tokenizer,
            sentence_config,
        };
        let precision = precision.parse().map_err(|e: String| JsError::new(&e))?;
        encoder::Encoder::from_files_at(&files, precision)
            .map(Encoder)
            .map_err(js_error)
    }

    /// Loads multilingual-e5-small from the bytes of the converter's model.gguf and
    /// tokenizer.json.
    #[wasm_bindgen(js_name = fromE5)]
    pub fn from_e5(weights: &[u8], tokenizer: &[u8]) -> Result<Encoder, JsError> {
        encoder::Encoder::from_e5_files(&encoder::E5Files { weights, tokenizer })
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

    /// Estimated FLOPs of embedding texts of these token counts.
    pub fn flops(&self, token_counts: &[u32]) -> f64 {
        let shape = self.0.shape();
        token_counts
            .iter()
            .map(|&n| shape.encoder_pass(n as usize))
            .sum()
    }

    /// `document` and its KeyBERT candidate phrases (1…`max_words` words, at most `limit`),
    /// embedded once for any number of `pick` calls.
    #[wasm_bindgen(js_name = keywordCandidates)]
    pub fn keyword_candidates(
        &self,
        document: &str,
        max_words: usize,
        limit: usize,
    ) -> Result<KeywordCandidates, JsError> {
        keywords::KeywordCandidates::new(&self.0, document, max_words, limit)
            .map(KeywordCandidates)
            .map_err(js_error)
    }

    /// `words` embedded once, for any number of analogies.
    pub fn vocabulary(&self, words: Vec<String>) -> Result<Vocabulary, JsError> {
        vocabulary::Vocabulary::new(&self.0, &words)
            .map(Vocabulary)
            .map_err(js_error)
    }
}

/// `{dim, vectors, tokenCounts, truncated}` of an embedding, for either model.
fn embedded(out: encoder::Embeddings) -> Object {
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

/// A document's embedded keyword candidates.
#[wasm_bindgen]
pub struct KeywordCandidates(keywords::KeywordCandidates);

#[wasm_bindgen]
impl KeywordCandidates {
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        self.0.phrases.len()
    }

    /// The `top` keywords by maximal marginal relevance: `[{phrase, score}]`, score being
    /// the cosine similarity to the document.
    pub fn pick(&self, top: usize, diversity: f32) -> Result<JsValue, JsError> {
        let picked = self.0.pick(top, diversity).map_err(js_error)?;
        let rows: Vec<serde_json::Value> = picked
            .iter()
            .map(|k| serde_json::json!({ "phrase": k.phrase, "score": k.score }))
            .collect();
        to_js(&rows)
    }
}

/// An embedded word list for vector arithmetic.
#[wasm_bindgen]
pub struct Vocabulary(vocabulary::Vocabulary);

#[wasm_bindgen]
impl Vocabulary {
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// A − B + C: `{results: [{word, cosine}], points: Float32Array, dim}`, `points` holding
    /// the vectors of A, B, C, the query and each result, in that order.
    pub fn analogy(
        &self,
        encoder: &Encoder,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
    ) -> Result<Object, JsError> {
        let answer = self.0.analogy(&encoder.0, a, b, c, k).map_err(js_error)?;
        let results: Vec<serde_json::Value> = answer
            .results
            .iter()
            .map(|(word, cosine)| serde_json::json!({ "word": word, "cosine": cosine }))
            .collect();
        Ok(object(&[
            ("results", to_js(&results)?),
            ("points", Float32Array::from(&answer.points[..]).into()),
            ("dim", answer.dim.into()),
        ]))
    }
}

/// n × dim vectors projected to 2D by `method` ("pca" or "tsne"): `{coords: Float32Array
/// (n × 2), explained: Float32Array}` (explained variance per axis; empty for t-SNE).
#[wasm_bindgen(unchecked_return_type = "Projected")]
pub fn project(vectors: &[f32], dim: usize, method: &str) -> Result<Object, JsError> {
    let method: projection::Method = method.parse().map_err(js_error)?;
    let p = projection::project(rows(vectors, dim)?, method);
    Ok(object(&[
        ("coords", Float32Array::from(&p.coords[..]).into()),
        (
            "explained",
            Float32Array::from(&p.explained_variance_ratio[..]).into(),
        ),
    ]))
}

/// How well labelled groups separate: `{silhouette, nearestNeighbourAccuracy}`.
#[wasm_bindgen]
pub fn separation(vectors: &[f32], dim: usize, labels: &[u32]) -> Result<Object, JsError> {
    let rows = rows(vectors, dim)?;
    let labels: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
    Ok(object(&[
        (
            "silhouette",
            vectors::silhouette(rows, &labels).map_err(js_error)?.into(),
        ),
        (
            "nearestNeighbourAccuracy",
            vectors::nearest_neighbour_accuracy(rows, &labels)
                .map_err(js_error)?
                .into(),
        ),
    ]))
}

/// Labels for `test` rows from the centroids of the labelled `train` rows.
#[wasm_bindgen(js_name = nearestCentroid)]
pub fn nearest_centroid(
    train: &[f32],
    labels: &[u32],
    test: &[f32],
    dim: usize,
) -> Result<Vec<u32>, JsError> {
    let labels: Vec<usize> = labels.iter().map(|&l| l as usize).collect();
    let centroids = classify::centroids(rows(train, dim)?, &labels).map_err(js_error)?;
    Ok(
        classify::nearest_centroid(rows(&centroids, dim)?, rows(test, dim)?)
            .into_iter()
            .map(|l| l as u32)
            .collect(),
    )
}

/// Which of `labels` a generated answer names first, or undefined.
#[wasm_bindgen(js_name = labelInAnswer)]
pub fn label_in_answer(answer: &str, labels: Vec<String>) -> Option<u32> {
    classify::label_in_answer(answer, &labels).map(|l| l as u32)
}

/// n × n cosine similarities, row-major.
#[wasm_bindgen(js_name = similarityMatrix)]
pub fn similarity_matrix(vectors: &[f32], dim: usize) -> Result<Vec<f32>, JsError> {
    Ok(vectors::similarity_matrix(rows(vectors, dim)?))
}

/// The `k` rows nearest to row `index`: `{indices: Uint32Array, scores: Float32Array}`.
#[wasm_bindgen(js_name = nearestNeighbours, unchecked_return_type = "Neighbours")]
pub fn nearest_neighbours(
    vectors: &[f32],
    dim: usize,
    index: usize,
    k: usize,
) -> Result<Object, JsError> {
    let found = vectors::neighbours_of(rows(vectors, dim)?, index, k).map_err(js_error)?;
    let indices: Vec<u32> = found.iter().map(|n| n.index as u32).collect();
    let scores: Vec<f32> = found.iter().map(|n| n.score).collect();
    Ok(object(&[
        ("indices", Uint32Array::from(&indices[..]).into()),
        ("scores", Float32Array::from(&scores[..]).into()),
    ]))
}

/// `generate` options as the page names them; absent fields keep the core's defaults.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GenerateOptionsJs {
    max_new_tokens: Option<usize>,
    temperature: Option<f64>,
    top_k: Option<usize>,
    top_p: Option<f64>,
    repeat_penalty: Option<f32>,
    seed: Option<u64>,
    chat: Option<bool>,
    stop: Option<Vec<String>>,
    ignore_eos: Option<bool>,
}

/// The core's options from the page's `{maxNewTokens, temperature, topK, topP,
/// repeatPenalty, seed, chat, stop, ignoreEos}`, and whether to use the chat template (default yes).
/// Read through serde_json, so that a misspelt option is an error rather than ignored.
fn generate_options(options: JsValue) -> Result<(generation::GenerateOptions, bool), JsError> {
    let js: GenerateOptionsJs = if options.is_undefined() || options.is_null() {
        GenerateOptionsJs::default()
    } else {
        serde_wasm_bindgen::from_value::<serde_json::Value>(options)
            .map_err(|e| e.to_string())
            .and_then(|value| serde_json::from_value(value).map_err(|e| e.to_string()))
            .map_err(|e| JsError::new(&format!("generate options: {e}")))?
    };
    let defaults = generation::GenerateOptions::default();
    let sampling = sampling::SamplingOptions::default();
    let options = generation::GenerateOptions {
        max_new_tokens: js.max_new_tokens.unwrap_or(defaults.max_new_tokens),
        sampling: sampling::SamplingOptions {
            temperature: js.temperature.unwrap_or(sampling.temperature),
            top_k: js.top_k.unwrap_or(sampling.top_k),
            top_p: js.top_p.unwrap_or(sampling.top_p),
            repeat_penalty: js.repeat_penalty.unwrap_or(sampling.repeat_penalty),
            seed: js.seed.unwrap_or(sampling.seed),
            ..sampling
        },
        stop: js.stop.unwrap_or_default(),
        score_prompt: false,
        ignore_end: js.ignore_eos.unwrap_or(defaults.ignore_end),
    };
    Ok((options, js.chat.unwrap_or(true)))
}

/// A loaded decoder (GPT): a GGUF's network, tokenizer and chat template.
#[wasm_bindgen]
pub struct Decoder(decoder::Decoder);

#[wasm_bindgen]
impl Decoder {
    #[wasm_bindgen(constructor)]
    pub fn new(gguf: &[u8]) -> Result<Decoder, JsError> {
        decoder::Decoder::from_gguf(gguf)
            .map(Decoder)
            .map_err(js_error)
    }

    #[wasm_bindgen(getter, js_name = contextLength)]
    pub fn context_length(&self) -> usize {
        self.0.context_length()
    }

    /// Token ids of raw text (control-token markers become special tokens).
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, JsError> {
        self.0.encode(text).map_err(js_error)
    }

    /// Each token as a learner should see it.
    #[wasm_bindgen(js_name = tokenTexts)]
    pub fn token_texts(&self, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&id| self.0.token_text(id)).collect()
    }

    /// Mean of the last hidden states of each text, L2-normalised: the same shape as
    /// `Encoder.embed`, to compare the two.
    pub fn embed(&self, texts: Vec<String>) -> Result<Object, JsError> {
        self.0.embed(&texts).map(embedded).map_err(js_error)
    }

    /// Estimated FLOPs of reading `prompt` tokens and generating `generated`.
    pub fn flops(&self, prompt: usize, generated: usize) -> f64 {
        self.0.shape().decoder_run(prompt, generated)
    }

    /// Starts generating from `prompt`; options `{maxNewTokens, temperature, topK, topP,
    /// repeatPenalty, seed, chat, stop}`, chat on by default.
    pub fn generate(&self, prompt: &str, options: JsValue) -> Result<Generation, JsError> {
        let (options, chat) = generate_options(options)?;
        let text = self.0.prompt_text(prompt, chat).map_err(js_error)?;
        let ids = self.0.encode(&text).map_err(js_error)?;
        generation::Generation::new(&self.0, ids, options)
            .map(Generation)
            .map_err(js_error)
    }

    /// Starts generating after exactly these token ids (the `chat` option does not apply).
    #[wasm_bindgen(js_name = generateAfter)]
    pub fn generate_after(&self, ids: Vec<u32>, options: JsValue) -> Result<Generation, JsError> {
        let (options, _) = generate_options(options)?;
        generation::Generation::new(&self.0, ids, options)
            .map(Generation)
            .map_err(js_error)
    }

    /// Starts scoring `ids` (teacher forcing): each token's log-probability given those
    /// before it, reported as the pass reads them.
    pub fn score(&self, ids: Vec<u32>) -> Result<Generation, JsError> {
        let options = generation::GenerateOptions {
            max_new_tokens: 0,
            score_prompt: true,
            ..Default::default()
        };
        generation::Generation::new(&self.0, ids, options)
            .map(Generation)
            .map_err(js_error)
    }
}

/// One run of a [`Decoder`], advanced one chunk or token per call.
#[wasm_bindgen]
pub struct Generation(generation::Generation);

#[wasm_bindgen]
impl Generation {
    #[wasm_bindgen(getter, js_name = promptTokens)]
    pub fn prompt_tokens(&self) -> usize {
        self.0.prompt_len()
    }

    /// The generated text so far.
    #[wasm_bindgen(getter)]
    pub fn output(&self) -> String {
        self.0.output().to_string()
    }

    /// The generated token ids so far.
    #[wasm_bindgen(getter, js_name = tokenIds)]
    pub fn token_ids(&self) -> Vec<u32> {
        self.0.generated().to_vec()
    }

    /// `{promptDone, promptTotal, scored, step, finished}`: `scored` is null or
    /// `{ids, logprobs, topIds, topLogprobs}` (flat, 10 alternatives per token), `step` null or
    /// `{id, text, piece, prob, top: [{id, text, prob}]}`, `finished` null or
    /// "end" | "length" | "stop" | "context".
    #[wasm_bindgen(unchecked_return_type = "Advance")]
    pub fn advance(&mut self, decoder: &Decoder) -> Result<Object, JsError> {
        let advance = self.0.advance(&decoder.0).map_err(js_error)?;
        let scored = if advance.scored.is_empty() {
            JsValue::NULL
        } else {
            let ids: Vec<u32> = advance.scored.iter().map(|s| s.id).collect();
            let logprobs: Vec<f32> = advance.scored.iter().map(|s| s.logprob).collect();
            let top_ids: Vec<u32> = advance
                .scored
                .iter()
                .flat_map(|s| s.top.iter().map(|c| c.id))
                .collect();
            let top_logprobs: Vec<f32> = advance
                .scored
                .iter()
                .flat_map(|s| s.top.iter().map(|c| c.logprob))
                .collect();
            object(&[
                ("ids", Uint32Array::from(&ids[..]).into()),
                ("logprobs", Float32Array::from(&logprobs[..]).into()),
                ("topIds", Uint32Array::from(&top_ids[..]).into()),
                ("topLogprobs", Float32Array::from(&top_logprobs[..]).into()),
            ])
            .into()
        };
        Ok(object(&[
            ("promptDone", advance.prompt_done.into()),
            ("promptTotal", advance.prompt_total.into()),
            ("scored", scored),
            ("step", to_js(&advance.step)?),
            ("finished", to_js(&advance.finished)?),
        ]))
    }
}
