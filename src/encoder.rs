//! BERT as a sentence encoder: text in, one unit-length vector per text out, exactly as
//! sentence-transformers computes it (tokenize with truncation, BERT, masked mean, L2).

use candle_core::safetensors::SliceSafetensors;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use serde::Deserialize;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::error::{Error, Result};
use crate::flops::Shape;
use crate::gemm_layout::TransposedLinears;
use crate::pooling::{l2_normalize, masked_mean};

/// Texts are run through BERT in padded batches of at most this many, shortest first, so
/// that a long text does not make every short one pay for its padding.
const MAX_BATCH: usize = 8;

/// The four files of a sentence-transformers BERT model, as raw bytes (the page fetches
/// them; native code reads them from disk).
pub struct EncoderFiles<'a> {
    /// `model.safetensors`
    pub weights: &'a [u8],
    /// `config.json`: the BERT shape.
    pub config: &'a [u8],
    /// `tokenizer.json`: WordPiece vocabulary and normaliser.
    pub tokenizer: &'a [u8],
    /// `sentence_bert_config.json`: where sentence-transformers truncates.
    pub sentence_config: &'a [u8],
}

#[derive(Deserialize)]
struct SentenceConfig {
    max_seq_length: usize,
}

/// What [`Encoder::embed`] returns for n texts.
#[derive(Debug, Clone)]
pub struct Embeddings {
    /// Length of one vector.
    pub dim: usize,
    /// n × dim, row-major, each row of unit length.
    pub vectors: Vec<f32>,
    /// Tokens each text was embedded from, [CLS] and [SEP] included.
    pub token_counts: Vec<u32>,
    /// Whether a text was cut at [`Encoder::max_tokens`].
    pub truncated: Vec<bool>,
}

/// A loaded BERT sentence encoder.
pub struct Encoder {
    model: BertModel,
    tokenizer: Tokenizer,
    /// The same tokenizer without truncation, to show and count whole texts.
    untruncated: Tokenizer,
    config: Config,
    dim: usize,
    max_tokens: usize,
    pad_id: u32,
}

fn bad_file(file: &'static str, what: &'static str, reason: impl ToString) -> Error {
    Error::BadModelFile {
        file,
        what,
        reason: reason.to_string(),
    }
}

impl Encoder {
    /// Loads the model from its files. A file that is not what it should be gives an error
    /// naming the file.
    pub fn from_files(files: &EncoderFiles) -> Result<Self> {
        let config: Config = serde_json::from_slice(files.config)
            .map_err(|e| bad_file("config.json", "BERT config", e))?;
        let sentence: SentenceConfig =
            serde_json::from_slice(files.sentence_config).map_err(|e| {
                bad_file(
                    "sentence_bert_config.json",
                    "sentence-transformers config",
                    e,
                )
            })?;
        let max_tokens = sentence.max_seq_length.min(config.max_position_embeddings);

        let mut tokenizer = Tokenizer::from_bytes(files.tokenizer)
            .map_err(|e| bad_file("tokenizer.json", "tokenizer", e))?;
        // The shipped tokenizer.json pads and truncates at 128; sentence-transformers pads
        // nothing and truncates at max_seq_length.
        tokenizer.with_padding(None);
        let mut untruncated = tokenizer.clone();
        untruncated
            .with_truncation(None)
            .map_err(|e| bad_file("tokenizer.json", "tokenizer", e))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| bad_file("tokenizer.json", "tokenizer", e))?;

        let tensors = SliceSafetensors::new(files.weights)
            .map_err(|e| bad_file("model.safetensors", "safetensors file", e))?;
        let vb = VarBuilder::from_backend(
            Box::new(TransposedLinears::new(tensors)),
            DType::F32,
            Device::Cpu,
        );
        let model = BertModel::load(vb, &config).map_err(|e| {
            bad_file(
                "model.safetensors",
                "set of weights for this BERT config",
                e,
            )
        })?;

        Ok(Self {
            model,
            tokenizer,
            untruncated,
            dim: config.hidden_size,
            max_tokens,
            pad_id: config.pad_token_id as u32,
            config,
        })
    }

    /// Length of the vectors this encoder produces.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Longest input in tokens, [CLS] and [SEP] included; longer texts are cut.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The whole of `text` as BERT's tokenizer splits it, without cutting at
    /// [`Encoder::max_tokens`]: ids and WordPiece pieces ("##ing"), [CLS] and [SEP] included.
    pub fn tokens(&self, text: &str) -> Result<(Vec<u32>, Vec<String>)> {
        let encoding = self
            .untruncated
            .encode(text, true)
            .map_err(|e| Error::Tokenize {
                index: 0,
                reason: e.to_string(),
            })?;
        Ok((encoding.get_ids().to_vec(), encoding.get_tokens().to_vec()))
    }

    /// The network's shape, for cost estimates.
    pub fn shape(&self) -> Shape {
        Shape {
            layers: self.config.num_hidden_layers,
            hidden: self.config.hidden_size,
            kv_width: self.config.hidden_size,
            feed_forward: self.config.intermediate_size,
            feed_forward_matrices: 2,
            output_vocab: 0,
        }
    }

    /// Embeds each text. Blank texts are refused rather than embedded as an empty sentence,
    /// because a blank line is almost always a mistake at the page.
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> Result<Embeddings> {
        if texts.is_empty() {
            return Err(Error::NoTexts);
        }
        let encodings = texts
            .iter()
            .enumerate()
            .map(|(index, text)| self.tokenize(index, text.as_ref()))
            .collect::<Result<Vec<_>>>()?;

        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| encodings[i].len());
        let mut vectors = vec![0f32; encodings.len() * self.dim];
        for batch in order.chunks(MAX_BATCH) {
            let members: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
            for (&i, row) in batch.iter().zip(self.embed_batch(&members)?) {
                vectors[i * self.dim..(i + 1) * self.dim].copy_from_slice(&row);
            }
        }
        Ok(Embeddings {
            dim: self.dim,
            vectors,
            token_counts: encodings.iter().map(|e| e.len() as u32).collect(),
            truncated: encodings
                .iter()
                .map(|e| !e.get_overflowing().is_empty())
                .collect(),
        })
    }

    fn tokenize(&self, index: usize, text: &str) -> Result<Encoding> {
        if text.trim().is_empty() {
            return Err(Error::BlankText { index });
        }
        self.tokenizer
            .encode(text, true)
            .map_err(|e| Error::Tokenize {
                index,
                reason: e.to_string(),
            })
    }

    /// One padded forward pass; returns one normalised vector per encoding.
    fn embed_batch(&self, encodings: &[&Encoding]) -> Result<Vec<Vec<f32>>> {
        let batch = encodings.len();
        let width = encodings.iter().map(|e| e.len()).max().unwrap_or(0);
        let mut ids = vec![self.pad_id; batch * width];
        let mut mask = vec![0u32; batch * width];
        for (row, encoding) in encodings.iter().enumerate() {
            let start = row * width;
            ids[start..start + encoding.len()].copy_from_slice(encoding.get_ids());
            mask[start..start + encoding.len()].fill(1);
        }
        let device = &self.model.device;
        let ids = Tensor::from_vec(ids, (batch, width), device)?;
        let mask = Tensor::from_vec(mask, (batch, width), device)?;
        let hidden = self.model.forward(&ids, &ids.zeros_like()?, Some(&mask))?;
        Ok(l2_normalize(&masked_mean(&hidden, &mask)?)?.to_vec2()?)
    }
}
