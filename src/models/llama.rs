//! The Llama decoder (SmolLM2's architecture) over GGUF weights, assembled from candle's
//! quantized pieces (`QMatMul`, `RmsNorm`, `rope_i`, its causal mask and `KvCache`), with
//! our own kernels for the Q4_1 matrices (see `q4_linear`) and the Q8_0 token embedding and
//! output layer (`q8_linear`).
//!
//! Why not candle's own `quantized_llama::ModelWeights`: it precomputes rotary tables for
//! 4,096 positions (SmolLM2's window is 8,192), returns only the last position's logits (the
//! surprise view scores every position in one pass), hides its hidden states (the lessons
//! average them), and keeps its KV cache inside the model (here each generation owns one).
//! The maths is the same: pre-norm attention with grouped KV heads and interleaved RoPE, a
//! SwiGLU MLP, the output layer tied to the token embedding when `output.weight` is absent —
//! <https://github.com/huggingface/candle/blob/main/candle-transformers/src/models/quantized_llama.rs>,
//! and llama.cpp's `llm_build_llama`
//! (<https://github.com/ggml-org/llama.cpp/blob/master/src/models/llama.cpp>).

use candle_core::quantized::{GgmlDType, QMatMul};
use candle_core::{DType, Device, Module, Tensor};
use candle_nn::kv_cache::KvCache;
use candle_transformers::quantized_nn::RmsNorm;
use candle_transformers::utils::{build_causal_mask, repeat_kv};

use crate::error::{Error, Result};
use crate::gguf::GgufTensors;
use crate::kernels::q4_linear::Q4Linear;
use crate::kernels::q8_linear::Q8Linear;

/// The KV cache starts with room for this many positions and grows by as much again.
const CACHE_CHUNK: usize = 512;

/// The shape of the network, from the GGUF's `llama.*` metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct LlamaConfig {
    pub layers: usize,
    pub hidden: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub feed_forward: usize,
    pub context_length: usize,
    pub vocab: usize,
    pub rms_eps: f64,
    pub rope_base: f32,
}

impl LlamaConfig {
    fn from_gguf(file: &GgufTensors) -> Result<Self> {
        let arch = file.string("general.architecture")?;
        if arch != "llama" {
            return Err(file.bad(format!("architecture {arch:?} is not llama")));
        }
        let number = |key: &str| -> Result<usize> { Ok(file.number(key)? as usize) };
        let heads = number("llama.attention.head_count")?;
        let hidden = number("llama.embedding_length")?;
        let kv_heads = number("llama.attention.head_count_kv")?;
        if heads == 0
            || kv_heads == 0
            || !hidden.is_multiple_of(heads)
            || !heads.is_multiple_of(kv_heads)
        {
            return Err(file.bad(format!(
                "{heads} heads, {kv_heads} KV heads and width {hidden} do not fit together"
            )));
        }
        let vocab = match file.content.metadata.get("llama.vocab_size") {
            Some(_) => number("llama.vocab_size")?,
            None => file
                .value("tokenizer.ggml.tokens")?
                .to_vec()
                .map_err(|_| file.bad("tokenizer.ggml.tokens is not an array"))?
                .len(),
        };
        let rms_eps = file
            .value("llama.attention.layer_norm_rms_epsilon")?
            .to_f32()
            .map_err(|_| file.bad("llama.attention.layer_norm_rms_epsilon is not a float"))?;
        Ok(Self {
            layers: number("llama.block_count")?,
            hidden,
            heads,
            kv_heads,
            head_dim: hidden / heads,
            feed_forward: number("llama.feed_forward_length")?,
            context_length: number("llama.context_length")?,
            vocab,
            rms_eps: rms_eps as f64,
            rope_base: file
                .content
                .metadata
                .get("llama.rope.freq_base")
                .and_then(|v| v.to_f32().ok())
                .unwrap_or(10_000.0),
        })
    }
}

/// A weight matrix: Q4_1 and Q8_0 through our kernels, any other GGUF type through candle's
/// QMatMul.
enum Linear {
    Q41(Q4Linear),
    Q80(Q8Linear),
    Candle(QMatMul),
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Q41(layer) => layer.forward(x),
            Self::Q80(layer) => layer.forward(x),
            Self::Candle(layer) => layer.forward(x),
        }
    }
}

/// The token embedding (also the output layer when the GGUF has no `output.weight`): Q8_0
/// through our kernel, any other type through candle's QMatMul.
enum Embedding {
    Q80(Q8Linear),
    Candle(QMatMul),
}

impl Embedding {
    /// The rows of `ids`, (ids.len(), hidden).
    fn rows_of(&self, ids: &[u32]) -> Result<Tensor> {
        match self {
            Self::Q80(table) => table.rows_of(ids),
            Self::Candle(table) => Ok(table.embedding(&Tensor::new(ids, &Device::Cpu)?)?),
        }
    }
}

impl Module for Embedding {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Self::Q80(table) => table.forward(x),
            Self::Candle(table) => table.forward(x),
        }
    }
}

struct Layer {
    attn_norm: RmsNorm,
    wq: Linear,
    wk: Linear,
    wv: Linear,
    wo: Linear,
    ffn_norm: RmsNorm,
    gate: Linear,
    up: Linear,
    down: Linear,
}

/// Per-generation attention memory: keys and values of every position seen so far.
pub struct Cache {
    layers: Vec<KvCache>,
}

impl Cache {
    /// Positions already in the cache; the next token goes at this position.
    pub fn len(&self) -> usize {
        self.layers.first().map_or(0, |c| c.current_seq_len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub struct Llama {
    config: LlamaConfig,
    /// `token_embd.weight`, kept quantized: rows are looked up for the input, and the same
    /// matrix is the output layer when the GGUF has no `output.weight`.
    embedding: Embedding,
    output: Option<Linear>,
    layers: Vec<Layer>,
    norm: RmsNorm,
    cos: Tensor,
    sin: Tensor,
    device: Device,
}

impl Llama {
    /// The network from a GGUF file (its parsed header and bytes).
    pub fn from_gguf(file: &GgufTensors) -> Result<Self> {
        let config = LlamaConfig::from_gguf(file)?;
        let device = Device::Cpu;
        let norm = |name: &str| -> Result<RmsNorm> {
            Ok(RmsNorm::from_qtensor(
                file.tensor(name, &[config.hidden])?,
                config.rms_eps,
            )?)
        };
        // Q4_1 and Q8_0 matrices are read straight from the file's bytes (no intermediate copy).
        let q8 = |name: &str, dims: &[usize]| -> Result<Q8Linear> {
            let raw = file.raw(name, dims, Q8Linear::byte_len(dims[0], dims[1]))?;
            Q8Linear::from_bytes(raw, dims[0], dims[1])
        };
        let matrix = |name: &str, dims: &[usize]| -> Result<Linear> {
            Ok(match file.info(name, dims)?.ggml_dtype {
                GgmlDType::Q4_1 => {
                    let raw = file.raw(
                        name,
                        dims,
                        Q4Linear::byte_len(dims[0], dims[1], GgmlDType::Q4_1)?,
                    )?;
                    Linear::Q41(Q4Linear::from_bytes(
                        raw,
                        dims[0],
                        dims[1],
                        GgmlDType::Q4_1,
                    )?)
                }
                GgmlDType::Q8_0 => Linear::Q80(q8(name, dims)?),
                _ => Linear::Candle(QMatMul::from_qtensor(file.tensor(name, dims)?)?),
            })
        };
        let (h, kv, ffn) = (
            config.hidden,
            config.kv_heads * config.head_dim,
            config.feed_forward,
        );

        let table = ("token_embd.weight", &[config.vocab, h]);
        let embedding = match file.info(table.0, table.1)?.ggml_dtype {
            GgmlDType::Q8_0 => Embedding::Q80(q8(table.0, table.1)?),
            _ => Embedding::Candle(QMatMul::from_qtensor(file.tensor(table.0, table.1)?)?),
        };
        let output = match file.content.tensor_infos.contains_key("output.weight") {
            true => Some(matrix("output.weight", &[config.vocab, h])?),
            false => None,
        };
        let mut layers = Vec::with_capacity(config.layers);
        for i in 0..config.layers {
            let name = |part: &str| format!("blk.{i}.{part}.weight");
            layers.push(Layer {
                attn_norm: norm(&name("attn_norm"))?,
                wq: matrix(&name("attn_q"), &[h, h])?,
                wk: matrix(&name("attn_k"), &[kv, h])?,
                wv: matrix(&name("attn_v"), &[kv, h])?,
                wo: matrix(&name("attn_output"), &[h, h])?,
                ffn_norm: norm(&name("ffn_norm"))?,
                gate: matrix(&name("ffn_gate"), &[ffn, h])?,
                up: matrix(&name("ffn_up"), &[ffn, h])?,
                down: matrix(&name("ffn_down"), &[h, ffn])?,
            });
        }
        let norm = norm("output_norm.weight")?;

        let (cos, sin) = rotary_tables(
            config.head_dim,
            config.rope_base,
            config.context_length,
            &device,
        )?;
        Ok(Self {
            config,
            embedding,
            output,
            layers,
            norm,
            cos,
            sin,
            device,
        })
    }

    pub fn config(&self) -> &LlamaConfig {
        &self.config
    }

    pub fn new_cache(&self) -> Cache {
        Cache {
            layers: (0..self.config.layers)
                .map(|_| KvCache::new(2, CACHE_CHUNK))
                .collect(),
        }
    }

    /// Runs `tokens` at the positions after those already in `cache` (which grows by them)
    /// and returns the final normalised hidden states, (tokens, hidden).
    pub fn forward(&self, tokens: &[u32], cache: &mut Cache) -> Result<Tensor> {
        let start = cache.len();
        let seq = tokens.len();
        if seq == 0 {
            return Err(Error::EmptyPrompt);
        }
        if start + seq > self.config.context_length {
            return Err(Error::ContextFull {
                tokens: start + seq,
                limit: self.config.context_length,
            });
        }
        let mut x = self.embedding.rows_of(tokens)?.unsqueeze(0)?;
        let mask = if seq > 1 {
            Some(build_causal_mask(seq, start, &self.device)?)
        } else {
            None
        };
        let cos = self.cos.narrow(0, start, seq)?;
        let sin = self.sin.narrow(0, start, seq)?;
        for (layer, kv) in self.layers.iter().zip(cache.layers.iter_mut()) {
            let attended = self.attention(
                layer,
                &layer.attn_norm.forward(&x)?,
                kv,
                mask.as_ref(),
                &cos,
                &sin,
            )?;
            x = (x + attended)?;
            let h = layer.ffn_norm.forward(&x)?;
            let mlp = layer.down.forward(
                &(candle_nn::ops::silu(&layer.gate.forward(&h)?)? * layer.up.forward(&h)?)?,
            )?;
            x = (x + mlp)?;
        }
        Ok(self.norm.forward(&x)?.squeeze(0)?)
    }

    /// Next-token logits, (rows, vocab), for hidden states from [`Llama::forward`].
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        Ok(match &self.output {
            Some(output) => output.forward(hidden)?,
            None => self.embedding.forward(hidden)?,
        })
    }

    fn attention(
        &self,
        layer: &Layer,
        x: &Tensor,
        kv: &mut KvCache,
        mask: Option<&Tensor>,
        cos: &Tensor,
        sin: &Tensor,
    ) -> Result<Tensor> {
        let c = &self.config;
        let (batch, seq, _) = x.dims3()?;
        let heads = |t: Tensor, n: usize| -> candle_core::Result<Tensor> {
            t.reshape((batch, seq, n, c.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = candle_nn::rotary_emb::rope_i(&heads(layer.wq.forward(x)?, c.heads)?, cos, sin)?;
        let k = candle_nn::rotary_emb::rope_i(&heads(layer.wk.forward(x)?, c.kv_heads)?, cos, sin)?;
        let v = heads(layer.wv.forward(x)?, c.kv_heads)?;
        let (k, v) = kv.append(&k, &v)?;
        let groups = c.heads / c.kv_heads;
        let k = repeat_kv(k.contiguous()?, groups)?;
        let v = repeat_kv(v.contiguous()?, groups)?;
        let scores = (q.matmul(&k.t()?)? / (c.head_dim as f64).sqrt())?;
        let scores = match mask {
            Some(mask) => {
                let mask = mask.broadcast_as(scores.shape())?;
                let blocked =
                    Tensor::new(f32::NEG_INFINITY, &self.device)?.broadcast_as(scores.shape())?;
                mask.where_cond(&blocked, &scores)?
            }
            None => scores,
        };
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let out = weights
            .matmul(&v)?
            .transpose(1, 2)?
            .reshape((batch, seq, c.hidden))?;
        Ok(layer.wo.forward(&out)?)
    }
}

/// cos and sin of every rotary angle for every position of the context window.
fn rotary_tables(
    head_dim: usize,
    base: f32,
    positions: usize,
    device: &Device,
) -> Result<(Tensor, Tensor)> {
    let inverse: Vec<f32> = (0..head_dim)
        .step_by(2)
        .map(|i| 1f32 / base.powf(i as f32 / head_dim as f32))
        .collect();
    let inverse = Tensor::new(inverse.as_slice(), device)?.unsqueeze(0)?;
    let angles = Tensor::arange(0u32, positions as u32, device)?
        .to_dtype(DType::F32)?
        .unsqueeze(1)?
        .matmul(&inverse)?;
    Ok((angles.cos()?, angles.sin()?))
}
