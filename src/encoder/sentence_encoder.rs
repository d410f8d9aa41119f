//! BERT as a sentence encoder: text in, one unit-length vector per text out, exactly as
//! sentence-transformers computes it (tokenize with truncation, BERT, masked mean, L2; its
//! `SentenceTransformer.encode`,
//! <https://github.com/UKPLab/sentence-transformers/blob/master/sentence_transformers/SentenceTransformer.py>).
//! Two models share that recipe and the `Bert` network: all-MiniLM-L6-v2 (f32 safetensors)
//! and multilingual-e5-small (Q4_0 GGUF, texts prefixed with "query: ").

use candle_core::safetensors::SliceSafetensors;
use std::io::Cursor;

use candle_core::quantized::gguf_file::Content;
use candle_core::Tensor;
use candle_transformers::models::bert::Config;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use tokenizers::{
    DecoderWrapper, Encoding, Model, ModelWrapper, NormalizerWrapper, PostProcessorWrapper,
    PreTokenizerWrapper, TokenizerImpl,
};

use crate::encoder::unigram::UnigramTokenizer;
use crate::error::{Error, Result};
use crate::gguf::GgufTensors;
use crate::models::bert::{Bert, WeightPrecision};
use crate::models::inside::{self, Attention};
use crate::models::pooling::{l2_normalize, masked_mean, Embeddings};
use crate::models::shape::Shape;

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

/// The prefix multilingual-e5 expects before a text embedded as a query (its model card).
pub const QUERY_PREFIX: &str = "query: ";

/// The two files of multilingual-e5-small as the converter (`convert::e5`) writes them.
pub struct E5Files<'a> {
    /// `model.gguf`: Q4_0 matrices and the BERT shape.
    pub weights: &'a [u8],
    /// `tokenizer.json`: SentencePiece Unigram with its normaliser.
    pub tokenizer: &'a [u8],
}

#[derive(Deserialize)]
struct SentenceConfig {
    max_seq_length: usize,
}

/// A `tokenizers` pipeline whose model is whatever tokenizer.json names (MiniLM's WordPiece).
type JsonTokenizer = TokenizerImpl<
    ModelWrapper,
    NormalizerWrapper,
    PreTokenizerWrapper,
    PostProcessorWrapper,
    DecoderWrapper,
>;

/// The encoders' tokenizers: MiniLM's as `tokenizers` reads it, e5's with its Unigram model
/// over sorted pieces (`unigram`: much faster to build).
enum TextTokenizer {
    Json(Box<JsonTokenizer>),
    Unigram(Box<UnigramTokenizer>),
}

impl TextTokenizer {
    fn encode(&self, text: String) -> tokenizers::Result<Encoding> {
        match self {
            TextTokenizer::Json(tokenizer) => tokenizer.encode(text, true),
            TextTokenizer::Unigram(tokenizer) => tokenizer.encode(text, true),
        }
    }
}

/// A loaded sentence encoder.
pub struct Encoder {
    network: Bert,
    /// Without truncation (to show and count whole texts); `tokenize` cuts for the model.
    tokenizer: TextTokenizer,
    /// Put before every text (multilingual-e5 is trained on "query: …").
    prefix: &'static str,
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
    /// Loads the model from its files, f32 as published. A file that is not what it should be
    /// gives an error naming the file.
    pub fn from_files(files: &EncoderFiles) -> Result<Self> {
        Self::from_files_at(files, WeightPrecision::F32)
    }

    /// The same with its matrices kept at `precision` (16-bit integers: faster, within
    /// cosine 0.9999).
    pub fn from_files_at(files: &EncoderFiles, precision: WeightPrecision) -> Result<Self> {
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
        let tokenizer = TextTokenizer::Json(Box::new(whole_text_tokenizer(files.tokenizer)?));

        let tensors = SliceSafetensors::new(files.weights)
            .map_err(|e| bad_file("model.safetensors", "safetensors file", e))?;
        let network = Bert::from_safetensors(tensors, &config, precision)?;

        Ok(Self {
            network,
            tokenizer,
            prefix: "",
            max_tokens,
            pad_id: config.pad_token_id as u32,
        })
    }

    /// Loads multilingual-e5-small from the converter's GGUF and tokenizer.json.
    pub fn from_e5_files(files: &E5Files) -> Result<Self> {
        let content = Content::read(&mut Cursor::new(files.weights))
            .map_err(|e| bad_file("model.gguf", "GGUF file", e))?;
        let network = Bert::from_gguf(&GgufTensors {
            content: &content,
            bytes: files.weights,
            what: "multilingual-e5 model",
        })?;
        let max_tokens = network.context_length();
        let tokenizer: UnigramTokenizer = whole_text_tokenizer(files.tokenizer)?;
        let pad_id = tokenizer
            .token_to_id("<pad>")
            .ok_or_else(|| bad_file("tokenizer.json", "XLM-R tokenizer", "it has no <pad>"))?;
        Ok(Self {
            network,
            tokenizer: TextTokenizer::Unigram(Box::new(tokenizer)),
            prefix: QUERY_PREFIX,
            max_tokens,
            pad_id,
        })
    }

    /// Length of the vectors this encoder produces.
    pub fn dim(&self) -> usize {
        self.network.shape().hidden
    }

    /// Longest input in tokens, [CLS] and [SEP] included; longer texts are cut.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The whole of `text` as BERT's tokenizer splits it, without cutting at
    /// [`Encoder::max_tokens`]: ids and WordPiece pieces ("##ing"), [CLS] and [SEP] included.
    pub fn tokens(&self, text: &str) -> Result<(Vec<u32>, Vec<String>)> {
        let encoding = self.encode(0, text)?;
        Ok((encoding.get_ids().to_vec(), encoding.get_tokens().to_vec()))
    }

    /// Text `index` whole, prefixed, with the model's special tokens.
    fn encode(&self, index: usize, text: &str) -> Result<Encoding> {
        self.tokenizer
            .encode(format!("{}{text}", self.prefix))
            .map_err(|e| Error::Tokenize {
                index,
                reason: e.to_string(),
            })
    }

    /// Every layer's and head's attention over `text` (at most [`inside::MAX_TOKENS`] tokens,
    /// special ones included): each token sees every other, both ways.
    pub fn attention(&self, text: &str) -> Result<Attention> {
        if text.trim().is_empty() {
            return Err(Error::BlankText { index: 0 });
        }
        let (ids, tokens) = self.tokens(text)?;
        inside::check_length(ids.len())?;
        let (_, weights) = self.network.forward_keeping_attention(&ids)?;
        let shape = self.network.shape();
        Ok(Attention {
            tokens,
            layers: shape.layers,
            heads: self.network.heads(),
            weights,
        })
    }

    /// The network's shape, for cost estimates.
    pub fn shape(&self) -> Shape {
        self.network.shape()
    }

    /// Embeds each text. Blank texts are refused rather than embedded as an empty sentence,
    /// because a blank line is almost always a mistake at the page.
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> Result<Embeddings> {
        if texts.is_empty() {
            return Err(Error::NoTexts);
        }
        let inputs = texts
            .iter()
            .enumerate()
            .map(|(index, text)| self.tokenize(index, text.as_ref()))
            .collect::<Result<Vec<_>>>()?;

        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by_key(|&i| inputs[i].ids.len());
        let dim = self.dim();
        let mut vectors = vec![0f32; inputs.len() * dim];
        for batch in order.chunks(MAX_BATCH) {
            let members: Vec<&[u32]> = batch.iter().map(|&i| inputs[i].ids.as_slice()).collect();
            for (&i, row) in batch.iter().zip(self.embed_batch(&members)?) {
                vectors[i * dim..(i + 1) * dim].copy_from_slice(&row);
            }
        }
        Ok(Embeddings {
            dim,
            vectors,
            token_counts: inputs.iter().map(|input| input.ids.len() as u32).collect(),
            truncated: inputs.iter().map(|input| input.truncated).collect(),
        })
    }

    /// The ids the model reads for `text`: cut at `max_tokens` as `tokenizers`' truncation
    /// does for a single sequence — the text's tokens end early, the closing special token
    /// ([SEP] or </s>) stays.
    fn tokenize(&self, index: usize, text: &str) -> Result<ModelInput> {
        if text.trim().is_empty() {
            return Err(Error::BlankText { index });
        }
        let mut ids = self.encode(index, text)?.get_ids().to_vec();
        let truncated = ids.len() > self.max_tokens;
        if truncated {
            let close = ids[ids.len() - 1];
            ids.truncate(self.max_tokens - 1);
            ids.push(close);
        }
        Ok(ModelInput { ids, truncated })
    }

    /// One padded forward pass; returns one normalised vector per input.
    fn embed_batch(&self, inputs: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        let batch = inputs.len();
        let width = inputs.iter().map(|ids| ids.len()).max().unwrap_or(0);
        let mut ids = vec![self.pad_id; batch * width];
        let mut mask = vec![0u32; batch * width];
        for (row, input) in inputs.iter().enumerate() {
            let start = row * width;
            ids[start..start + input.len()].copy_from_slice(input);
            mask[start..start + input.len()].fill(1);
        }
        let device = self.network.device();
        let ids = Tensor::from_vec(ids, (batch, width), device)?;
        let mask = Tensor::from_vec(mask, (batch, width), device)?;
        let hidden = self.network.forward(&ids, &mask)?;
        Ok(l2_normalize(&masked_mean(&hidden, &mask)?)?.to_vec2()?)
    }
}

/// The tokenizer in `bytes` (with model `M`) with neither padding (sentence-transformers pads
/// nothing) nor truncation (MiniLM's tokenizer.json pads and truncates at 128).
fn whole_text_tokenizer<M: Model + DeserializeOwned>(
    bytes: &[u8],
) -> Result<
    TokenizerImpl<M, NormalizerWrapper, PreTokenizerWrapper, PostProcessorWrapper, DecoderWrapper>,
> {
    let bad = |e: &dyn ToString| bad_file("tokenizer.json", "tokenizer", e.to_string());
    // tokenizers 0.23 panics (an `expect`) on some malformed JSON inside a "decoder": check
    // the syntax first, so a damaged file is an error, not a crashed worker.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| bad(&e))?;
    let mut tokenizer: TokenizerImpl<M, _, _, _, _> =
        serde_json::from_slice(bytes).map_err(|e| bad(&e))?;
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| bad(&e))?;
    Ok(tokenizer)
}

/// One text as the model reads it.
struct ModelInput {
    ids: Vec<u32>,
    truncated: bool,
}
