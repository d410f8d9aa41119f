//! The decoder-only Transformer of every GGUF family we run (llama, qwen2, qwen3, gemma3; the
//! switches between them are in `decoder_config`), over our own kernels (`ggml_linear`) and
//! candle's tensor operations, following llama.cpp's graphs
//! (<https://github.com/ggml-org/llama.cpp/tree/master/src/models>): pre-norm attention with
//! grouped KV heads and rotary positions, a gated feed-forward block, the output layer tied to the
//! token embedding when the file has no `output.weight`.
//!
//! Why not candle's `quantized_llama` / `quantized_gemma3`: they precompute rotary tables for
//! the whole context (Gemma's is 32,768 positions), return only the last position's logits (the
//! surprise view scores every position in one pass), hide their hidden states (the lessons
//! average them) and keep their KV cache inside the model (here each generation owns one); and
//! candle 0.11.1's Gemma 3 uses SiLU where Gemma uses GELU and lets its sliding window see one
//! position more than llama.cpp and Transformers do.

use std::sync::Arc;

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::kv_cache::KvCache;
use candle_transformers::quantized_nn::RmsNorm;
use candle_transformers::utils::repeat_kv;

use crate::error::{Error, Result};
use crate::gguf::GgufTensors;
use crate::kernels::ggml_linear::GgmlLinear;
use crate::models::decoder_config::{Activation, DecoderConfig};

/// The KV cache starts with room for this many positions and grows by as much again.
const CACHE_CHUNK: usize = 512;

/// A weight matrix and its bias, if the file has one (qwen2's q, k, v).
struct Linear {
    weight: GgmlLinear,
    bias: Option<Tensor>,
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = self.weight.forward(x)?;
        match &self.bias {
            Some(bias) => y.broadcast_add(bias),
            None => Ok(y),
        }
    }
}

struct Layer {
    attn_norm: RmsNorm,
    wq: Linear,
    wk: Linear,
    wv: Linear,
    wo: Linear,
    /// Per-head RMSNorm of queries and keys (qwen3, gemma3).
    q_norm: Option<RmsNorm>,
    k_norm: Option<RmsNorm>,
    /// RMSNorm of the attention's and the feed-forward block's outputs (gemma3).
    post_attn_norm: Option<RmsNorm>,
    post_ffn_norm: Option<RmsNorm>,
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

pub struct DecoderNetwork {
    config: DecoderConfig,
    /// `token_embd.weight`: rows are looked up for the input, and the same matrix is the output
    /// layer when the GGUF has no `output.weight`.
    embedding: GgmlLinear,
    output: Option<GgmlLinear>,
    layers: Vec<Layer>,
    norm: RmsNorm,
    /// Rotary inverse frequencies of the global layers and (gemma3) of the local ones.
    inverse: Vec<f32>,
    inverse_local: Option<Vec<f32>>,
    device: Device,
}

impl DecoderNetwork {
    /// The network from a GGUF file (its parsed header, and its bytes, which the network keeps:
    /// Q8_0 matrices are read where they lie).
    pub fn from_gguf(
        file: &GgufTensors,
        bytes: &Arc<Vec<u8>>,
        config: DecoderConfig,
    ) -> Result<Self> {
        let c = &config;
        let has = |name: &str| file.content.tensor_infos.contains_key(name);
        let norm = |name: &str, width: usize| -> Result<RmsNorm> {
            Ok(RmsNorm::from_qtensor(
                file.tensor(name, &[width])?,
                c.rms_eps,
            )?)
        };
        let optional_norm = |name: &str, width: usize| -> Result<Option<RmsNorm>> {
            has(name).then(|| norm(name, width)).transpose()
        };
        // Matrices are read or converted straight from the file's bytes (no intermediate copy).
        let matrix = |name: &str, rows: usize, cols: usize| -> Result<GgmlLinear> {
            let dtype = file.info(name, &[rows, cols])?.ggml_dtype;
            let start = file.offset(
                name,
                &[rows, cols],
                GgmlLinear::byte_len(dtype, rows, cols)?,
            )?;
            GgmlLinear::from_file(dtype, bytes, start, rows, cols)
                .map_err(|e| file.bad(format!("{name}: {e}")))
        };
        let linear = |stem: &str, rows: usize, cols: usize| -> Result<Linear> {
            let bias = format!("{stem}.bias");
            Ok(Linear {
                weight: matrix(&format!("{stem}.weight"), rows, cols)?,
                bias: has(&bias)
                    .then(|| -> Result<Tensor> {
                        Ok(file.tensor(&bias, &[rows])?.dequantize(&Device::Cpu)?)
                    })
                    .transpose()?,
            })
        };
        let (h, q, kv, ffn) = (
            c.hidden,
            c.heads * c.head_dim,
            c.kv_heads * c.head_dim,
            c.feed_forward,
        );
        let embedding = matrix("token_embd.weight", c.vocab, h)?;
        let output = has("output.weight")
            .then(|| matrix("output.weight", c.vocab, h))
            .transpose()?;
        let mut layers = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let name = |part: &str| format!("blk.{i}.{part}");
            let required_norm = |part: &str, width: usize| -> Result<Option<RmsNorm>> {
                norm(&name(&format!("{part}.weight")), width).map(Some)
            };
            layers.push(Layer {
                attn_norm: norm(&name("attn_norm.weight"), h)?,
                wq: linear(&name("attn_q"), q, h)?,
                wk: linear(&name("attn_k"), kv, h)?,
                wv: linear(&name("attn_v"), kv, h)?,
                wo: linear(&name("attn_output"), h, q)?,
                q_norm: if c.qk_norm {
                    required_norm("attn_q_norm", c.head_dim)?
                } else {
                    None
                },
                k_norm: if c.qk_norm {
                    required_norm("attn_k_norm", c.head_dim)?
                } else {
                    None
                },
                post_attn_norm: if c.post_norms {
                    required_norm("post_attention_norm", h)?
                } else {
                    optional_norm(&name("post_attention_norm.weight"), h)?
                },
                post_ffn_norm: if c.post_norms {
                    required_norm("post_ffw_norm", h)?
                } else {
                    optional_norm(&name("post_ffw_norm.weight"), h)?
                },
                ffn_norm: norm(&name("ffn_norm.weight"), h)?,
                gate: linear(&name("ffn_gate"), ffn, h)?,
                up: linear(&name("ffn_up"), ffn, h)?,
                down: linear(&name("ffn_down"), h, ffn)?,
            });
        }
        let norm = norm("output_norm.weight", h)?;
        // Llama 3's long-context rescaling divides each frequency by a factor from the file.
        let factors: Option<Vec<f32>> = has("rope_freqs.weight")
            .then(|| -> Result<Vec<f32>> {
                Ok(file
                    .tensor("rope_freqs.weight", &[c.head_dim / 2])?
                    .dequantize(&Device::Cpu)?
                    .to_vec1()?)
            })
            .transpose()?;
        let inverse = |base: f32| -> Vec<f32> {
            (0..c.head_dim / 2)
                .map(|i| {
                    let f = 1f32 / base.powf(2.0 * i as f32 / c.head_dim as f32);
                    factors.as_ref().map_or(f, |factors| f / factors[i])
                })
                .collect()
        };
        Ok(Self {
            inverse: inverse(c.rope_base),
            inverse_local: c.sliding_window.as_ref().map(|w| inverse(w.rope_base)),
            config,
            embedding,
            output,
            layers,
            norm,
            device: Device::Cpu,
        })
    }

    /// Bytes of memory the network from `file` takes with a KV cache of `positions`: its
    /// matrices as converted, and two f32 vectors per layer and position.
    pub fn memory_needed(
        file: &GgufTensors,
        config: &DecoderConfig,
        positions: usize,
    ) -> Result<u64> {
        let mut total = 0u64;
        for (name, info) in &file.content.tensor_infos {
            // Shapes come from the file: a damaged one must not overflow, nor claim more
            // values than the file can hold (later sizes are then safe in a 32-bit usize).
            let dtype = info.ggml_dtype;
            let values = info
                .shape
                .dims()
                .iter()
                .try_fold(1u64, |n, &d| n.checked_mul(d as u64))
                .filter(|&values| {
                    (values / dtype.block_size() as u64)
                        .checked_mul(dtype.type_size() as u64)
                        .is_some_and(|len| len <= file.bytes.len() as u64)
                })
                .ok_or_else(|| {
                    file.bad(format!(
                        "tensor {name} claims more values than the file holds"
                    ))
                })?;
            total += GgmlLinear::converted_len(dtype, values)
                .map_err(|e| file.bad(format!("{name}: {e}")))?;
        }
        Ok(total.saturating_add(config.kv_bytes_per_token().saturating_mul(positions as u64)))
    }

    pub fn config(&self) -> &DecoderConfig {
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
        let c = &self.config;
        let start = cache.len();
        let seq = tokens.len();
        if seq == 0 {
            return Err(Error::EmptyPrompt);
        }
        if start + seq > c.context_length {
            return Err(Error::ContextFull {
                tokens: start + seq,
                limit: c.context_length,
            });
        }
        let mut x = self.embedding.rows_of(tokens)?;
        if let Some(scale) = c.embedding_scale {
            x = (x * f64::from(scale))?;
        }
        let mut x = x.unsqueeze(0)?;
        let rotary = Rotary::new(&self.inverse, start, seq, &self.device)?;
        let rotary_local = match &self.inverse_local {
            Some(inverse) => Some(Rotary::new(inverse, start, seq, &self.device)?),
            None => None,
        };
        for (i, (layer, kv)) in self.layers.iter().zip(cache.layers.iter_mut()).enumerate() {
            let window = c.window_of(i).map(|w| w.window);
            let rotary = match (window, &rotary_local) {
                (Some(_), Some(local)) => local,
                _ => &rotary,
            };
            let mut attended = self.attention(
                layer,
                &layer.attn_norm.forward(&x)?,
                kv,
                rotary,
                start,
                window,
            )?;
            if let Some(norm) = &layer.post_attn_norm {
                attended = norm.forward(&attended)?;
            }
            x = (x + attended)?;
            let h = layer.ffn_norm.forward(&x)?;
            let gate = layer.gate.forward(&h)?;
            let gate = match c.activation {
                Activation::Silu => candle_nn::ops::silu(&gate)?,
                Activation::GeluTanh => gate.gelu()?,
            };
            let mut mlp = layer.down.forward(&(gate * layer.up.forward(&h)?)?)?;
            if let Some(norm) = &layer.post_ffn_norm {
                mlp = norm.forward(&mlp)?;
            }
            x = (x + mlp)?;
        }
        Ok(self.norm.forward(&x)?.squeeze(0)?)
    }

    /// Next-token logits, (rows, vocab), for hidden states from [`DecoderNetwork::forward`].
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        Ok(self
            .output
            .as_ref()
            .unwrap_or(&self.embedding)
            .forward(hidden)?)
    }

    fn attention(
        &self,
        layer: &Layer,
        x: &Tensor,
        kv: &mut KvCache,
        rotary: &Rotary,
        start: usize,
        window: Option<usize>,
    ) -> Result<Tensor> {
        let c = &self.config;
        let (batch, seq, _) = x.dims3()?;
        // (batch, seq, n · head_dim) → (batch, n, seq, head_dim), normalised per head if asked.
        let heads = |t: Tensor, n: usize, norm: &Option<RmsNorm>| -> candle_core::Result<Tensor> {
            let t = t.reshape((batch, seq, n, c.head_dim))?;
            let t = match norm {
                Some(norm) => norm.forward(&t)?,
                None => t,
            };
            t.transpose(1, 2)?.contiguous()
        };
        let q = rotary.apply(
            &heads(layer.wq.forward(x)?, c.heads, &layer.q_norm)?,
            c.rope_neox,
        )?;
        let k = rotary.apply(
            &heads(layer.wk.forward(x)?, c.kv_heads, &layer.k_norm)?,
            c.rope_neox,
        )?;
        let v = heads(layer.wv.forward(x)?, c.kv_heads, &None)?;
        let (k, v) = kv.append(&k, &v)?;
        // Keys older than the window of the chunk's first query are visible to none of it.
        let first = window.map_or(0, |w| (start + 1).saturating_sub(w));
        let keys = start + seq - first;
        let groups = c.heads / c.kv_heads;
        let (k, v) = (
            k.narrow(2, first, keys)?.contiguous()?,
            v.narrow(2, first, keys)?.contiguous()?,
        );
        // A decoded token's query heads, (batch, heads, 1, head_dim), are laid out as
        // (batch, kv_heads, groups, head_dim): each group of heads meets its own keys and values
        // without copying them once per head (all of them, on every layer and token).
        let (q, k, v) = if seq == 1 {
            (q.reshape((batch, c.kv_heads, groups, c.head_dim))?, k, v)
        } else {
            (q, repeat_kv(k, groups)?, repeat_kv(v, groups)?)
        };
        let scores = (q.matmul(&k.t()?)? / (c.head_dim as f64).sqrt())?;
        let scores = match mask(seq, start, first, window, &self.device)? {
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
            .reshape((batch, c.heads, seq, c.head_dim))?
            .transpose(1, 2)?
            .reshape((batch, seq, c.heads * c.head_dim))?;
        Ok(layer.wo.forward(&out)?)
    }
}

/// Which keys each query of a chunk may not see, (seq, keys) with 1 for blocked, or None when
/// all may be seen: query i is at position `start + i`, key j at `first + j`; a key is hidden
/// when it comes later, or (on a local layer) when it is `window` or more positions back. A
/// single query (a decoded token) sees every key from `first` on, so it needs none.
fn mask(
    seq: usize,
    start: usize,
    first: usize,
    window: Option<usize>,
    device: &Device,
) -> Result<Option<Tensor>> {
    if seq == 1 {
        return Ok(None);
    }
    let keys = start + seq - first;
    let blocked = |i: usize, j: usize| {
        let (query, key) = (start + i, first + j);
        key > query || window.is_some_and(|w| query - key >= w)
    };
    let values: Vec<u8> = (0..seq)
        .flat_map(|i| (0..keys).map(move |j| u8::from(blocked(i, j))))
        .collect();
    if values.iter().all(|&b| b == 0) {
        return Ok(None);
    }
    Ok(Some(Tensor::from_vec(values, (seq, keys), device)?))
}

/// cos and sin of the rotary angles of a chunk's positions.
struct Rotary {
    cos: Tensor,
    sin: Tensor,
}

impl Rotary {
    fn new(inverse: &[f32], start: usize, seq: usize, device: &Device) -> Result<Self> {
        let angles: Vec<f32> = (start..start + seq)
            .flat_map(|p| inverse.iter().map(move |f| p as f32 * f))
            .collect();
        let angles = Tensor::from_vec(angles, (seq, inverse.len()), device)?;
        Ok(Self {
            cos: angles.cos()?,
            sin: angles.sin()?,
        })
    }

    /// Rotates x (batch, heads, seq, head_dim): pairs (j, j + head_dim/2) in NeoX style, else
    /// adjacent pairs (GGUF llama files permute q and k for that).
    fn apply(&self, x: &Tensor, neox: bool) -> candle_core::Result<Tensor> {
        let x = x.to_dtype(DType::F32)?;
        if neox {
            candle_nn::rotary_emb::rope(&x, &self.cos, &self.sin)
        } else {
            candle_nn::rotary_emb::rope_i(&x, &self.cos, &self.sin)
        }
    }
}
