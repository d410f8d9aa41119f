//! The decoder-only Transformer of every GGUF family we run (llama, qwen2, qwen3, gemma3; the
//! switches between them are in `decoder_config`), over our own kernels (`ggml_linear`) and
//! candle's tensor operations, following llama.cpp's graphs
//! (<https://github.com/ggml-org/llama.cpp/tree/master/src/models>): pre-norm attention with
//! grouped KV heads and rotary positions, a gated feed-forward block, the output layer tied to the
//! token embedding when the file has no `output.weight`. A prompt's chunks go through candle's
//! tensor operations here; a decoded token takes its own path on slices ([`one_token`]).
//!
//! Why not candle's `quantized_llama` / `quantized_gemma3`: they precompute rotary tables for
//! the whole context (Gemma's is 32,768 positions), return only the last position's logits (the
//! surprise view scores every position in one pass), hide their hidden states (the lessons
//! average them) and keep their KV cache inside the model (here each generation owns one); and
//! candle 0.11.1's Gemma 3 uses SiLU where Gemma uses GELU and lets its sliding window see one
//! position more than llama.cpp and Transformers do.

mod one_token;

use std::sync::Arc;

use candle_core::{Device, Module, Tensor};
use candle_transformers::utils::repeat_kv;

use crate::error::{Error, Result};
use crate::gguf::GgufTensors;
use crate::kernels::float_steps::silu;
use crate::kernels::gelu::gelu_tanh;
use crate::kernels::ggml_linear::GgmlLinear;
use crate::kernels::rms_norm::RmsNorm;
use crate::kernels::rotary::Rotary;
use crate::models::decoder_config::{Activation, DecoderConfig};
use crate::models::inside::{self, Recording};
use crate::models::kv_cache::{Cache, LayerCache};

/// A weight matrix and its bias, if the file has one (qwen2's q, k, v).
struct Linear {
    weight: GgmlLinear,
    bias: Option<Vec<f32>>,
}

impl Linear {
    /// Adds the bias, if any, to each row of outputs.
    fn add_bias(&self, outputs: &mut [f32]) {
        if let Some(bias) = &self.bias {
            for row in outputs.chunks_exact_mut(bias.len()) {
                for (y, b) in row.iter_mut().zip(bias) {
                    *y += b;
                }
            }
        }
    }

    /// `x · Wᵀ + b` for x of shape (…, cols): (…, rows).
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = self.weight.forward(x)?;
        if self.bias.is_none() {
            return Ok(y);
        }
        let mut values = y.flatten_all()?.to_vec1()?;
        self.add_bias(&mut values);
        Ok(Tensor::from_vec(values, y.shape(), x.device())?)
    }

    /// The same as row-major values.
    fn values(&self, x: &Tensor) -> Result<Vec<f32>> {
        Ok(self.forward(x)?.flatten_all()?.to_vec1()?)
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
            let weight = file.tensor(name, &[width])?.dequantize(&Device::Cpu)?;
            Ok(RmsNorm::new(weight.to_vec1()?, c.rms_eps as f32))
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
                    .then(|| -> Result<Vec<f32>> {
                        let bias = file.tensor(&bias, &[rows])?.dequantize(&Device::Cpu)?;
                        Ok(bias.to_vec1()?)
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

    /// Bytes of weights one decoded token reads: every layer's matrices, the output layer (the
    /// embedding table when tied) and one row of the embedding table. A token's speed times this
    /// is how fast the weights stream, to be read against the machine's memory bandwidth.
    pub fn weight_bytes_per_token(&self) -> usize {
        let layers: usize = self
            .layers
            .iter()
            .flat_map(|l| [&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down])
            .map(|linear| linear.weight.bytes())
            .sum();
        let output = self.output.as_ref().unwrap_or(&self.embedding).bytes();
        layers + output + self.embedding.bytes() / self.config.vocab.max(1)
    }

    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    pub fn new_cache(&self) -> Cache {
        Cache::new(
            self.config.layers,
            self.config.kv_heads * self.config.head_dim,
        )
    }

    /// Runs `tokens` at the positions after those already in `cache` (which grows by them)
    /// and returns the final normalised hidden states, (tokens, hidden). One token (decoding)
    /// takes its own path on plain slices ([`one_token`]), several (a prompt) go through candle's
    /// tensor operations, whose batched matrix products pay off there.
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
        if let [token] = tokens {
            return self.forward_token(*token, cache);
        }
        self.forward_chunk(tokens, cache, None)
    }

    /// A fresh pass over `tokens` (at most [`inside::MAX_TOKENS`]) that keeps every layer's
    /// attention and residual stream; returns them with the final normalised hidden states.
    pub fn forward_recording(&self, tokens: &[u32]) -> Result<(Tensor, Recording)> {
        inside::check_length(tokens.len())?;
        if tokens.is_empty() {
            return Err(Error::EmptyPrompt);
        }
        let c = &self.config;
        let n = tokens.len();
        let mut recording = Recording {
            attention: Vec::with_capacity(c.layers * c.heads * n * n),
            residuals: Vec::with_capacity(c.layers),
        };
        let hidden = self.forward_chunk(tokens, &mut self.new_cache(), Some(&mut recording))?;
        Ok((hidden, recording))
    }

    /// `forward` for a chunk of several tokens (or any, when recording, with a fresh `cache`)
    /// through candle's tensor operations.
    fn forward_chunk(
        &self,
        tokens: &[u32],
        cache: &mut Cache,
        mut recording: Option<&mut Recording>,
    ) -> Result<Tensor> {
        let c = &self.config;
        let start = cache.len();
        let seq = tokens.len();
        let mut x = self.embedding.rows_of(tokens)?;
        if let Some(scale) = c.embedding_scale {
            x = (x * f64::from(scale))?;
        }
        let mut x = x.unsqueeze(0)?;
        let rotary = Rotary::new(&self.inverse, start, seq);
        let rotary_local = self
            .inverse_local
            .as_ref()
            .map(|inverse| Rotary::new(inverse, start, seq));
        for (i, (layer, kv)) in self.layers.iter().zip(cache.layers_mut()).enumerate() {
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
                (start, window),
                recording.as_deref_mut().map(|r| &mut r.attention),
            )?;
            if let Some(norm) = &layer.post_attn_norm {
                attended = norm.forward(&attended)?;
            }
            x = (x + attended)?;
            let h = layer.ffn_norm.forward(&x)?;
            let mut gate = layer.gate.values(&h)?;
            self.gate_in_place(&mut gate, &layer.up.values(&h)?);
            let gate = Tensor::from_vec(gate, (1, seq, c.feed_forward), &self.device)?;
            let mut mlp = layer.down.forward(&gate)?;
            if let Some(norm) = &layer.post_ffn_norm {
                mlp = norm.forward(&mlp)?;
            }
            x = (x + mlp)?;
            if let Some(recording) = recording.as_deref_mut() {
                recording.residuals.push(x.squeeze(0)?);
            }
        }
        Ok(self.norm.forward(&x)?.squeeze(0)?)
    }

    /// The final norm, as `forward` applies it to the last layer's residual stream: with the
    /// output layer, a logit lens for any layer's.
    pub fn final_norm(&self, residual: &Tensor) -> Result<Tensor> {
        Ok(self.norm.forward(residual)?)
    }

    /// Next-token logits, (rows, vocab), for hidden states from [`DecoderNetwork::forward`].
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        Ok(self
            .output
            .as_ref()
            .unwrap_or(&self.embedding)
            .forward(hidden)?)
    }

    /// The feed-forward block's gate, `activation(gate) · up` value by value, into `gate`.
    fn gate_in_place(&self, gate: &mut [f32], up: &[f32]) {
        let activation = match self.config.activation {
            Activation::Silu => silu,
            Activation::GeluTanh => gelu_tanh,
        };
        for (g, u) in gate.iter_mut().zip(up) {
            *g = activation(*g) * u;
        }
    }

    /// Queries and keys (rows of heads × head_dim, one per position) made ready for attention:
    /// each head RMS-normed if the family asks, then rotated to its position.
    fn position_heads(&self, layer: &Layer, q: &mut [f32], k: &mut [f32], rotary: &Rotary) {
        for (values, norm) in [(&mut *q, &layer.q_norm), (&mut *k, &layer.k_norm)] {
            if let Some(norm) = norm {
                norm.apply(values);
            }
            rotary.apply(values, self.config.rope_neox);
        }
    }

    /// A chunk's attention: its keys and values join the cache, and each of its queries meets
    /// the keys it may see (causal, and on a local layer within the window) — the chunk starts
    /// at position `start`. With `kept`, a fresh cache's probabilities (heads × seq × seq) are
    /// appended to it.
    fn attention(
        &self,
        layer: &Layer,
        x: &Tensor,
        kv: &mut LayerCache,
        rotary: &Rotary,
        (start, window): (usize, Option<usize>),
        kept: Option<&mut Vec<f32>>,
    ) -> Result<Tensor> {
        let c = &self.config;
        let (batch, seq, _) = x.dims3()?;
        let (mut q, mut k) = (layer.wq.values(x)?, layer.wk.values(x)?);
        self.position_heads(layer, &mut q, &mut k, rotary);
        kv.append(&k, &layer.wv.values(x)?);
        // Keys older than the window of the chunk's first query are visible to none of it.
        let first = window.map_or(0, |w| (start + 1).saturating_sub(w));
        let (keys, values) = kv.from_position(first);
        // Rows of n heads → (batch, n, positions, head_dim).
        let heads = |rows: &[f32], n: usize| -> Result<Tensor> {
            let positions = rows.len() / (n * c.head_dim);
            Ok(
                Tensor::from_slice(rows, (batch, positions, n, c.head_dim), &self.device)?
                    .transpose(1, 2)?
                    .contiguous()?,
            )
        };
        let groups = c.heads / c.kv_heads;
        let q = heads(&q, c.heads)?;
        let k = repeat_kv(heads(keys, c.kv_heads)?, groups)?;
        let v = repeat_kv(heads(values, c.kv_heads)?, groups)?;
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
        if let Some(kept) = kept {
            kept.extend(weights.flatten_all()?.to_vec1::<f32>()?);
        }
        let out =
            weights
                .matmul(&v)?
                .transpose(1, 2)?
                .reshape((batch, seq, c.heads * c.head_dim))?;
        layer.wo.forward(&out)
    }
}

/// Which keys each query of a chunk may not see, (seq, keys) with 1 for blocked, or None when
/// all may be seen: query i is at position `start + i`, key j at `first + j`; a key is hidden
/// when it comes later, or (on a local layer) when it is `window` or more positions back.
fn mask(
    seq: usize,
    start: usize,
    first: usize,
    window: Option<usize>,
    device: &Device,
) -> Result<Option<Tensor>> {
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
