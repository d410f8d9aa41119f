//! The shape and the variations of a GGUF decoder, read from its metadata. The decoder-only
//! families we run differ in a few switches on one graph, which llama.cpp spells out one file per
//! family (<https://github.com/ggml-org/llama.cpp/tree/master/src/models>: `llama.cpp`,
//! `qwen2.cpp`, `qwen3.cpp`, `gemma3.cpp`):
//!
//! | switch                         | llama | qwen2 | qwen3 | gemma3 |
//! |--------------------------------|-------|-------|-------|--------|
//! | RoPE on halves (NeoX) not pairs|       | yes   | yes   | yes    |
//! | biases on q, k, v              |       | yes   |       |        |
//! | RMSNorm of each q and k head   |       |       | yes   | yes    |
//! | norms after attention and FFN  |       |       |       | yes    |
//! | feed-forward gate              | SiLU  | SiLU  | SiLU  | GELU (tanh) |
//! | embedding × √width             |       |       |       | yes    |
//! | sliding window on 5 of 6 layers|       |       |       | 512, RoPE base 10,000 there |

use crate::error::Result;
use crate::gguf::GgufTensors;

/// The families we read, by their GGUF `general.architecture`.
pub const ARCHITECTURES: &[&str] = &["llama", "qwen2", "qwen3", "gemma3"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    Llama,
    Qwen2,
    Qwen3,
    Gemma3,
}

impl Architecture {
    /// Its `general.architecture` in a GGUF file.
    pub fn name(self) -> &'static str {
        ARCHITECTURES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Silu,
    GeluTanh,
}

/// Gemma 3's local layers: every `global_every`-th layer attends to the whole context, the
/// others to the last `window` positions, with their own RoPE base.
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingWindow {
    pub window: usize,
    pub global_every: usize,
    pub rope_base: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecoderConfig {
    pub architecture: Architecture,
    pub layers: usize,
    pub hidden: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub feed_forward: usize,
    /// The context window the model was trained for (the decoder may cap it lower).
    pub context_length: usize,
    pub vocab: usize,
    pub rms_eps: f64,
    pub rope_base: f32,
    pub rope_neox: bool,
    pub qk_norm: bool,
    pub post_norms: bool,
    pub activation: Activation,
    pub embedding_scale: Option<f32>,
    pub sliding_window: Option<SlidingWindow>,
}

impl DecoderConfig {
    pub fn from_gguf(file: &GgufTensors) -> Result<Self> {
        let name = file.string("general.architecture")?;
        let architecture = match name {
            "llama" => Architecture::Llama,
            "qwen2" => Architecture::Qwen2,
            "qwen3" => Architecture::Qwen3,
            "gemma3" => Architecture::Gemma3,
            other => {
                return Err(file.bad(format!(
                    "its architecture {other:?} is not one this page runs ({})",
                    ARCHITECTURES.join(", ")
                )))
            }
        };
        let key = |k: &str| format!("{name}.{k}");
        let number = |k: &str| -> Result<usize> { Ok(file.number(&key(k))? as usize) };
        let float = |k: &str| -> Option<f32> {
            file.content
                .metadata
                .get(&key(k))
                .and_then(|v| v.to_f32().ok())
        };
        let heads = number("attention.head_count")?;
        let hidden = number("embedding_length")?;
        let kv_heads = number("attention.head_count_kv")?;
        let head_dim = match file.content.metadata.get(&key("attention.key_length")) {
            Some(_) => number("attention.key_length")?,
            None if heads > 0 => hidden / heads,
            None => 0,
        };
        if heads == 0
            || kv_heads == 0
            || head_dim == 0
            || head_dim % 2 == 1
            || !heads.is_multiple_of(kv_heads)
        {
            return Err(file.bad(format!(
                "{heads} heads of {head_dim} and {kv_heads} KV heads do not fit together"
            )));
        }
        let vocab = match file.content.metadata.get(&key("vocab_size")) {
            Some(_) => number("vocab_size")?,
            None => file
                .value("tokenizer.ggml.tokens")?
                .to_vec()
                .map_err(|_| file.bad("tokenizer.ggml.tokens is not an array"))?
                .len(),
        };
        let rms_eps = float("attention.layer_norm_rms_epsilon").ok_or_else(|| {
            file.bad(format!(
                "{} is missing or not a float",
                key("attention.layer_norm_rms_epsilon")
            ))
        })?;
        let gemma = architecture == Architecture::Gemma3;
        let sliding_window = match (
            gemma,
            file.content.metadata.get(&key("attention.sliding_window")),
        ) {
            (true, Some(_)) => Some(SlidingWindow {
                window: number("attention.sliding_window")?,
                // Gemma 3's pattern and local base are fixed by the family, not in the metadata
                // (llama.cpp's `LLM_ARCH_GEMMA3` hparams).
                global_every: 6,
                rope_base: 10_000.0,
            }),
            _ => None,
        };
        Ok(Self {
            architecture,
            layers: number("block_count")?,
            hidden,
            heads,
            kv_heads,
            head_dim,
            feed_forward: number("feed_forward_length")?,
            context_length: number("context_length")?,
            vocab,
            rms_eps: f64::from(rms_eps),
            rope_base: float("rope.freq_base").unwrap_or(10_000.0),
            rope_neox: architecture != Architecture::Llama,
            qk_norm: matches!(architecture, Architecture::Qwen3 | Architecture::Gemma3),
            post_norms: gemma,
            activation: if gemma {
                Activation::GeluTanh
            } else {
                Activation::Silu
            },
            embedding_scale: gemma.then(|| (hidden as f32).sqrt()),
            sliding_window,
        })
    }

    /// Bytes a position takes in the KV cache: a key and a value, f32, per layer.
    pub fn kv_bytes_per_token(&self) -> u64 {
        [self.layers, 2, self.kv_heads, self.head_dim, 4]
            .iter()
            .fold(1u64, |n, &d| n.saturating_mul(d as u64))
    }

    /// The window of layer `layer`, if it is a local one.
    pub fn window_of(&self, layer: usize) -> Option<&SlidingWindow> {
        self.sliding_window
            .as_ref()
            .filter(|w| !(layer + 1).is_multiple_of(w.global_every))
    }
}
