//! GPT as a next-token predictor: one GGUF file gives the network, its tokenizer and its chat
//! template. Prompts become token ids here; a [`Generation`](crate::decoder::generation) then
//! runs them.

use std::io::Cursor;
use std::sync::Arc;

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};

use crate::decoder::chat_template::ChatTemplate;
use crate::decoder::gguf_tokenizer::GgufTokenizer;
use crate::error::{Error, Result};
use crate::gguf::GgufTensors;
use crate::models::decoder_config::DecoderConfig;
use crate::models::decoder_network::DecoderNetwork;
use crate::models::inside::LastRecording;
use crate::models::pooling::{l2_normalize, Embeddings};
use crate::models::shape::Shape;

/// Prompt tokens read per forward pass while prefilling (so a long prompt shows progress and
/// can be stopped between chunks), and while embedding a text.
pub const PREFILL_CHUNK: usize = 64;
/// The most positions a run may hold, whatever the model was trained for: its KV cache keeps two
/// f32 vectors per layer and position (Gemma 3 270M: 36 KB a position, 302 MB at this cap; at its
/// trained 32,768 it would need 1.2 GB of the tab's memory). SmolLM2's own window is this size.
pub const CONTEXT_CAP: usize = 8192;
/// The most memory a decoder may take: its file (kept: Q8_0 matrices are read there), its
/// converted weights and a full context. A wasm module has at most 4 GiB, and the page's own models need some of it.
pub const MEMORY_BUDGET: u64 = 3 << 30;
/// Control tokens that end a turn or a document; llama.cpp stops on these too.
const END_TOKENS: &[&str] = &["<|im_end|>", "<|endoftext|>", "<|eot_id|>", "</s>"];

pub struct Decoder {
    model: DecoderNetwork,
    tokenizer: GgufTokenizer,
    /// Put before every prompt when the file asks for it (Gemma's `<bos>`).
    bos: Option<u32>,
    chat: Option<ChatTemplate>,
    end_tokens: Vec<u32>,
    /// The residual streams of the last text the inside views recorded, for its logit lens.
    pub(crate) last_recording: LastRecording,
}

impl Decoder {
    /// The decoder in a GGUF file's bytes, which it keeps (its Q8_0 matrices are read there).
    pub fn from_gguf(bytes: Vec<u8>) -> Result<Self> {
        let bytes = Arc::new(bytes);
        let mut reader = Cursor::new(bytes.as_slice());
        let content = Content::read(&mut reader).map_err(|e| Error::BadModelFile {
            file: "the GGUF file",
            what: "GGUF file",
            reason: e.to_string(),
        })?;
        let file = GgufTensors {
            content: &content,
            bytes: &bytes,
            what: "decoder model",
        };
        let tokenizer = GgufTokenizer::from_gguf(&GgufTensors {
            what: "tokenizer description",
            ..file
        })?;
        let bos = GgufTokenizer::bos(&file)?;
        let config = DecoderConfig::from_gguf(&file)?;
        let needed = bytes.len() as u64
            + DecoderNetwork::memory_needed(
                &file,
                &config,
                config.context_length.min(CONTEXT_CAP),
            )?;
        if needed > MEMORY_BUDGET {
            return Err(file.bad(format!(
                "it would need about {} MB of this tab's memory (the file, its converted weights and \
                 a {}-token context), more than the {} MB this page allows a decoder",
                needed / 1_000_000,
                config.context_length.min(CONTEXT_CAP),
                MEMORY_BUDGET / 1_000_000
            )));
        }
        let model = DecoderNetwork::from_gguf(&file, &bytes, config)?;
        let vocab = tokenizer.vocab_size();
        if vocab != model.config().vocab {
            return Err(Error::BadModelFile {
                file: "the GGUF file",
                what: "decoder model",
                reason: format!(
                    "its tokenizer has {vocab} tokens but its embedding {}",
                    model.config().vocab
                ),
            });
        }
        let chat = match content.metadata.get("tokenizer.chat_template") {
            Some(source) => Some(ChatTemplate::new(source.to_string().cloned().map_err(
                |_| Error::BadModelFile {
                    file: "the GGUF file",
                    what: "chat template",
                    reason: "tokenizer.chat_template is not a string".into(),
                },
            )?)?),
            None => None,
        };
        let mut end_tokens: Vec<u32> = END_TOKENS
            .iter()
            .filter_map(|t| tokenizer.token_to_id(t))
            .collect();
        if let Some(eos) = content
            .metadata
            .get("tokenizer.ggml.eos_token_id")
            .and_then(|v| v.to_u32().ok())
        {
            if !end_tokens.contains(&eos) {
                end_tokens.push(eos);
            }
        }
        Ok(Self {
            model,
            tokenizer,
            bos,
            chat,
            end_tokens,
            last_recording: LastRecording::default(),
        })
    }

    /// The network behind the decoder (its own forward passes; tests drive it a token at a time).
    pub fn model(&self) -> &DecoderNetwork {
        &self.model
    }

    /// The most tokens prompt and answer together can hold: the model's trained window, capped
    /// at [`CONTEXT_CAP`].
    pub fn context_length(&self) -> usize {
        self.model.config().context_length.min(CONTEXT_CAP)
    }

    /// The window the model was trained for, which may be larger than [`Decoder::context_length`].
    pub fn trained_context_length(&self) -> usize {
        self.model.config().context_length
    }

    /// Bytes each position of a run's context takes in its KV cache.
    pub fn kv_bytes_per_token(&self) -> u64 {
        self.model.config().kv_bytes_per_token()
    }

    /// Bytes of weights one decoded token reads.
    pub fn weight_bytes_per_token(&self) -> usize {
        self.model.weight_bytes_per_token()
    }

    pub fn has_chat_template(&self) -> bool {
        self.chat.is_some()
    }

    /// The GGUF family name of the network.
    pub fn architecture(&self) -> &'static str {
        self.model.config().architecture.name()
    }

    pub fn vocab_size(&self) -> usize {
        self.model.config().vocab
    }

    pub fn is_end_token(&self, id: u32) -> bool {
        self.end_tokens.contains(&id)
    }

    /// Token ids of `text` as the model reads it: BOS first when the file asks for one (and the
    /// text does not start with it), special-token markers such as `<|im_start|>` as their
    /// single tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let mut ids = self.tokenizer.encode(text)?;
        if let Some(bos) = self.bos.filter(|&bos| ids.first() != Some(&bos)) {
            ids.insert(0, bos);
        }
        Ok(ids)
    }

    /// The text of `ids`, control tokens included.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.check_ids(ids)?;
        self.tokenizer.decode(ids)
    }

    /// One token as a learner should see it: its text, a byte that is only part of a character
    /// as `<0xE4>`, control tokens as themselves.
    pub fn token_text(&self, id: u32) -> String {
        self.tokenizer.token_display(id)
    }

    /// The prompt as the model reads it: wrapped in the chat template when `chat` is set.
    pub fn prompt_text(&self, prompt: &str, chat: bool) -> Result<String> {
        match (&self.chat, chat) {
            (Some(template), true) => template.render_user(prompt),
            (None, true) => Err(Error::BadModelFile {
                file: "the GGUF file",
                what: "chat model",
                reason: "it has no tokenizer.chat_template; use completion mode".into(),
            }),
            (_, false) => Ok(prompt.to_string()),
        }
    }

    /// A sentence embedding from a decoder: the mean of its last hidden states over the
    /// text's tokens, L2-normalised — to compare with the encoder's. Texts longer than the
    /// context window are cut there (and flagged).
    pub fn embed<S: AsRef<str>>(&self, texts: &[S]) -> Result<Embeddings> {
        if texts.is_empty() {
            return Err(Error::NoTexts);
        }
        let dim = self.model.config().hidden;
        let mut out = Embeddings {
            dim,
            vectors: Vec::with_capacity(texts.len() * dim),
            token_counts: Vec::new(),
            truncated: Vec::new(),
        };
        for (index, text) in texts.iter().enumerate() {
            let text = text.as_ref();
            if text.trim().is_empty() {
                return Err(Error::BlankText { index });
            }
            let mut ids = self.encode(text)?;
            out.truncated.push(ids.len() > self.context_length());
            ids.truncate(self.context_length());
            let mut cache = self.model.new_cache();
            let mut sum = Tensor::zeros(dim, candle_core::DType::F32, &Device::Cpu)?;
            for chunk in ids.chunks(PREFILL_CHUNK) {
                sum = (sum + self.model.forward(chunk, &mut cache)?.sum(0)?)?;
            }
            let mean = (sum / ids.len() as f64)?.unsqueeze(0)?;
            out.vectors
                .extend(l2_normalize(&mean)?.squeeze(0)?.to_vec1::<f32>()?);
            out.token_counts.push(ids.len() as u32);
        }
        Ok(out)
    }

    /// The network's shape, for cost estimates.
    pub fn shape(&self) -> Shape {
        let c = self.model.config();
        Shape {
            layers: c.layers,
            hidden: c.hidden,
            attention_width: c.heads * c.head_dim,
            kv_width: c.kv_heads * c.head_dim,
            feed_forward: c.feed_forward,
            feed_forward_matrices: 3,
            output_vocab: c.vocab,
        }
    }

    pub fn check_ids(&self, ids: &[u32]) -> Result<()> {
        let vocab = self.vocab_size();
        match ids.iter().find(|&&id| id as usize >= vocab) {
            Some(&id) => Err(Error::UnknownToken { id, vocab }),
            None => Ok(()),
        }
    }
}
