//! Shared by the integration tests: a tiny random-weight BERT with a real WordPiece tokenizer
//! (fast, always available), and the real all-MiniLM-L6-v2 files that `make fetch` puts under
//! models/.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use bert_vs_gpt::encoder::EncoderFiles;
use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::Tokenizer;

/// Owned bytes of the four encoder files.
pub struct OwnedEncoderFiles {
    pub weights: Vec<u8>,
    pub config: Vec<u8>,
    pub tokenizer: Vec<u8>,
    pub sentence_config: Vec<u8>,
}

impl OwnedEncoderFiles {
    pub fn borrow(&self) -> EncoderFiles<'_> {
        EncoderFiles {
            weights: &self.weights,
            config: &self.config,
            tokenizer: &self.tokenizer,
            sentence_config: &self.sentence_config,
        }
    }
}

const TINY_VOCAB: [&str; 18] = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cat", "dog", "sat", "on", "a", "mat", "ran", "##s",
    "big", "red", ".", ",", "and",
];

/// Width 8, 2 layers, 2 heads, truncation at `max_tokens`, random weights (candle's VarMap
/// initialisers, new on every call).
pub fn tiny_bert(max_tokens: usize) -> OwnedEncoderFiles {
    let config = serde_json::json!({
        "vocab_size": TINY_VOCAB.len(), "hidden_size": 8, "num_hidden_layers": 2,
        "num_attention_heads": 2, "intermediate_size": 16, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "max_position_embeddings": 32, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0,
        "model_type": "bert", "classifier_dropout": null
    });
    let parsed: Config = serde_json::from_value(config.clone()).unwrap();
    let varmap = VarMap::new();
    BertModel::load(VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu), &parsed).unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("tiny-bert-{}-{call}.safetensors", std::process::id()));
    varmap.save(&path).unwrap();
    let weights = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();

    let vocab: [(String, u32); TINY_VOCAB.len()] =
        std::array::from_fn(|i| (TINY_VOCAB[i].to_string(), i as u32));
    let model = WordPiece::builder()
        .vocab(vocab)
        .unk_token("[UNK]".into())
        .build()
        .unwrap();
    let mut tokenizer = Tokenizer::new(model);
    tokenizer
        .with_normalizer(Some(BertNormalizer::default()))
        .unwrap();
    tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
    tokenizer.with_post_processor(Some(BertProcessing::new(
        ("[SEP]".into(), 3),
        ("[CLS]".into(), 2),
    )));

    OwnedEncoderFiles {
        weights,
        config: config.to_string().into_bytes(),
        tokenizer: tokenizer.to_string(false).unwrap().into_bytes(),
        sentence_config: format!(r#"{{"max_seq_length": {max_tokens}}}"#).into_bytes(),
    }
}

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The real model's files; a clear failure (not a skip) when `make fetch` has not run.
pub fn minilm() -> OwnedEncoderFiles {
    let read = |name: &str| {
        let path = repo_path("models/all-MiniLM-L6-v2").join(name);
        std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e}. Run `make fetch` first (make test does).", path.display())
        })
    };
    OwnedEncoderFiles {
        weights: read("model.safetensors"),
        config: read("config.json"),
        tokenizer: read("tokenizer.json"),
        sentence_config: read("sentence_bert_config.json"),
    }
}
