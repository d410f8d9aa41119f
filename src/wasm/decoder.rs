//! The decoder's handles: a loaded decoder and one run of it (generation or scoring).

use js_sys::{Float32Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

use super::{attention_object, embedded, js_error, object, to_js, FileBytes};
use crate::decoder::{self, generation, sampling};
use crate::lessons::flops;

#[wasm_bindgen(typescript_custom_section)]
const STEP_TYPES: &str = r#"
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
    /// The decoder in a GGUF file, which it takes (see [`FileBytes`]).
    #[wasm_bindgen(constructor)]
    pub fn new(gguf: FileBytes) -> Result<Decoder, JsError> {
        decoder::Decoder::from_gguf(gguf.into_complete()?)
            .map(Decoder)
            .map_err(js_error)
    }

    /// The most tokens a run may hold: the trained window, capped (see `trainedContextLength`).
    #[wasm_bindgen(getter, js_name = contextLength)]
    pub fn context_length(&self) -> usize {
        self.0.context_length()
    }

    /// The window the model was trained for.
    #[wasm_bindgen(getter, js_name = trainedContextLength)]
    pub fn trained_context_length(&self) -> usize {
        self.0.trained_context_length()
    }

    /// Whether the file has a chat template (an instruct model); without one, `generate` needs
    /// `{chat: false}`.
    #[wasm_bindgen(getter, js_name = hasChatTemplate)]
    pub fn has_chat_template(&self) -> bool {
        self.0.has_chat_template()
    }

    /// Bytes of memory each position in a run's context takes (its keys and values, f32, in
    /// every layer).
    #[wasm_bindgen(getter, js_name = kvBytesPerToken)]
    pub fn kv_bytes_per_token(&self) -> f64 {
        self.0.kv_bytes_per_token() as f64
    }

    /// Bytes of weights one decoded token reads (its matrices and one embedding row):
    /// `tokensPerSecond` times this is how fast a run streamed them.
    #[wasm_bindgen(getter, js_name = weightBytesPerToken)]
    pub fn weight_bytes_per_token(&self) -> f64 {
        self.0.weight_bytes_per_token() as f64
    }

    /// The GGUF's `general.architecture` ("llama", "qwen2", "qwen3", "gemma3").
    #[wasm_bindgen(getter)]
    pub fn architecture(&self) -> String {
        self.0.architecture().to_string()
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
        flops::decoder_run(&self.0.shape(), prompt, generated)
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

    /// Every layer's and head's attention over `text` read as a completion (at most 128
    /// tokens): `{tokens, layers, heads, weights: Float32Array}` — 0 for every later key.
    pub fn attention(&self, text: &str) -> Result<Object, JsError> {
        attention_object(self.0.attention(text).map_err(js_error)?)
    }

    /// Starts the logit lens over `text`, `k` likeliest next tokens per cell: advance the run
    /// until it says it is done, then take its result.
    #[wasm_bindgen(js_name = logitLens)]
    pub fn logit_lens(&self, text: &str, k: usize) -> Result<LogitLensRun, JsError> {
        self.0
            .logit_lens_run(text, k)
            .map(LogitLensRun)
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

/// A logit lens under way, advanced one output-layer product per call.
#[wasm_bindgen]
pub struct LogitLensRun(decoder::inside::LogitLensRun);

#[wasm_bindgen]
impl LogitLensRun {
    /// Takes the next rows through the output layer (the first call: the last position after
    /// every layer): `{done, total, layersDone, cells}` — rows (layer, position) done and in
    /// all (all done when equal), layers with every position done, and this call's cells
    /// `{layer, position, top}`.
    pub fn advance(&mut self, decoder: &Decoder) -> Result<Object, JsError> {
        #[derive(serde::Serialize)]
        struct Cell<'a> {
            layer: usize,
            position: usize,
            top: &'a [generation::Alternative],
        }
        self.0.advance(&decoder.0).map_err(js_error)?;
        let (done, total) = self.0.progress();
        let cells: Vec<Cell> = self
            .0
            .latest()
            .map(|(layer, position, top)| Cell {
                layer,
                position,
                top,
            })
            .collect();
        Ok(object(&[
            ("done", done.into()),
            ("total", total.into()),
            ("layersDone", self.0.layers_done().into()),
            ("cells", to_js(&cells)?),
        ]))
    }

    /// `{tokens, layers, top}`: `top[layer][position]` the `k` likeliest next tokens
    /// `{id, text, prob}` had the model stopped after that layer.
    pub fn finish(self) -> Result<Object, JsError> {
        let lens = self.0.finish();
        Ok(object(&[
            ("tokens", to_js(&lens.tokens)?),
            ("layers", lens.layers.into()),
            ("top", to_js(&lens.top)?),
        ]))
    }
}
