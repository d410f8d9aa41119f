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
    BertModel::load(
        VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu),
        &parsed,
    )
    .unwrap();
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "tiny-bert-{}-{call}.safetensors",
        std::process::id()
    ));
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

/// models/<id>/<name>; a clear failure (not a skip) when `make fetch` has not run.
pub fn model_file(id: &str, name: &str) -> Vec<u8> {
    let path = repo_path("models").join(id).join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Run `make fetch` first (make test does).",
            path.display()
        )
    })
}

/// The real all-MiniLM-L6-v2 files.
pub fn minilm() -> OwnedEncoderFiles {
    let read = |name: &str| model_file("all-MiniLM-L6-v2", name);
    OwnedEncoderFiles {
        weights: read("model.safetensors"),
        config: read("config.json"),
        tokenizer: read("tokenizer.json"),
        sentence_config: read("sentence_bert_config.json"),
    }
}

/// The real SmolLM2-135M-Instruct GGUF.
pub fn smollm2() -> Vec<u8> {
    model_file("SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// Tokens 1.. of `ids` scored by `decoder` in one teacher-forced pass: each one's
/// log-probability given those before it, and the model's top candidates there.
pub fn teacher_forced(
    decoder: &bert_vs_gpt::decoder::Decoder,
    ids: &[u32],
) -> Vec<bert_vs_gpt::decoder::generation::Scored> {
    use bert_vs_gpt::decoder::generation::{GenerateOptions, Generation};
    let options = GenerateOptions {
        max_new_tokens: 0,
        score_prompt: true,
        ..Default::default()
    };
    let mut run = Generation::new(decoder, ids.to_vec(), options).unwrap();
    let mut scored = Vec::new();
    while run.finished().is_none() {
        scored.extend(run.advance(decoder).unwrap().scored);
    }
    scored
}

/// The real Gemma 3 270M GGUF (Q4_K_M).
pub fn gemma3() -> Vec<u8> {
    model_file("gemma-3-270m", "gemma-3-270m-q4_k_m.gguf")
}

/// tests/fixtures/gemma3_reference.json (see gemma3_reference.py).
#[derive(serde::Deserialize)]
pub struct Gemma3Reference {
    pub tokenizer: Vec<TokenizerCase>,
    pub texts: Vec<ScoredText>,
    pub greedy: Vec<GreedyRun>,
}

/// A text teacher-forced through the float reference and through llama.cpp.
#[derive(serde::Deserialize)]
pub struct ScoredText {
    pub name: String,
    pub text: String,
    /// With BOS.
    pub ids: Vec<u32>,
    /// Position k scores `ids[k + 1]` given `ids[..=k]`.
    pub steps: Vec<ScoredStep>,
}

#[derive(serde::Deserialize)]
pub struct ScoredStep {
    pub id: u32,
    pub logprob: f32,
    pub top1: u32,
    pub margin: f32,
    pub llama_logprob: f32,
}

/// Greedy continuations of a prompt by llama.cpp and by the float reference.
#[derive(serde::Deserialize)]
pub struct GreedyRun {
    pub prompt: String,
    pub ids: Vec<u32>,
    pub llama_ids: Vec<u32>,
    pub llama_text: String,
}

/// multilingual-e5-small as converted by `make fetch`: (model.gguf, tokenizer.json).
pub fn e5() -> (Vec<u8>, Vec<u8>) {
    let read = |name: &str| model_file("multilingual-e5-small", name);
    (read("model.gguf"), read("tokenizer.json"))
}

/// multilingual-e5-small loaded from [`e5`]'s files.
pub fn e5_encoder() -> bert_vs_gpt::encoder::Encoder {
    let (weights, tokenizer) = e5();
    bert_vs_gpt::encoder::Encoder::from_e5_files(&bert_vs_gpt::encoder::E5Files {
        weights: &weights,
        tokenizer: &tokenizer,
    })
    .unwrap()
}

/// Where `make fetch` keeps downloads and extracted sources (as scripts/fetch_weights.py).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("BERT_VS_GPT_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/bert-vs-gpt")
        })
}

/// tests/fixtures/<name>, parsed.
pub fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = repo_path("tests/fixtures").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// tests/fixtures/smollm2_reference.json (see smollm2_reference.py).
#[derive(serde::Deserialize)]
pub struct Smollm2Reference {
    pub tokenizer: Vec<TokenizerCase>,
    pub prompts: Vec<PromptCase>,
}

#[derive(serde::Deserialize)]
pub struct TokenizerCase {
    pub text: String,
    pub ids: Vec<u32>,
}

#[derive(serde::Deserialize)]
pub struct PromptCase {
    pub prompt: String,
    pub chat: bool,
    pub text: String,
    pub ids: Vec<u32>,
    pub greedy: Vec<GreedyStep>,
}

#[derive(serde::Deserialize)]
pub struct GreedyStep {
    pub id: u32,
    pub logprob: f32,
    pub margin: f32,
}

/// Options of [`tiny_llama`]: which metadata key or tensor to leave out, to test refusals.
#[derive(Default, Clone, Copy)]
pub struct TinyLlama<'a> {
    pub context_length: u32,
    pub without_key: Option<&'a str>,
    pub without_tensor: Option<&'a str>,
}

/// A GGUF file of a 2-layer, 64-wide random-weight Llama (Q4_1 matrices, Q8_0 tied
/// embedding, as SmolLM2's) with a byte-level BPE tokenizer: the 256 byte tokens, two merges
/// ("he", " t") and three control tokens, and a ChatML chat template. The weights come from a
/// fixed-seed generator, so every call builds the same file; the control tokens' embedding
/// rows are zero, so their logits are 0 and greedy decoding never ends a text early.
pub fn tiny_llama(options: TinyLlama) -> Vec<u8> {
    use candle_core::quantized::gguf_file::{self, Value};
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_core::Tensor;

    let printable = |b: u32| matches!(b, 33..=126 | 161..=172 | 174..=255);
    let mut moved = 0u32;
    let mut tokens: Vec<String> = (0u32..256)
        .map(|b| {
            if printable(b) {
                char::from_u32(b).unwrap().to_string()
            } else {
                moved += 1;
                char::from_u32(255 + moved).unwrap().to_string()
            }
        })
        .collect();
    tokens.extend(["he", "Ġt", "<|endoftext|>", "<|im_start|>", "<|im_end|>"].map(String::from));
    let types: Vec<Value> = tokens
        .iter()
        .map(|t| Value::I32(if t.starts_with("<|") { 3 } else { 1 }))
        .collect();
    let vocab = tokens.len();
    let (hidden, ffn, kv) = (64usize, 128usize, 32usize);
    let template = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    let strings = |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
    let metadata: Vec<(&str, Value)> = vec![
        ("general.architecture", Value::String("llama".into())),
        ("llama.block_count", Value::U32(2)),
        (
            "llama.context_length",
            Value::U32(if options.context_length == 0 {
                32
            } else {
                options.context_length
            }),
        ),
        ("llama.embedding_length", Value::U32(hidden as u32)),
        ("llama.feed_forward_length", Value::U32(ffn as u32)),
        ("llama.attention.head_count", Value::U32(2)),
        ("llama.attention.head_count_kv", Value::U32(1)),
        ("llama.attention.layer_norm_rms_epsilon", Value::F32(1e-5)),
        ("llama.rope.freq_base", Value::F32(10_000.0)),
        ("tokenizer.ggml.model", Value::String("gpt2".into())),
        ("tokenizer.ggml.pre", Value::String("smollm".into())),
        ("tokenizer.ggml.tokens", strings(&tokens)),
        (
            "tokenizer.ggml.merges",
            strings(&["h e".to_string(), "Ġ t".to_string()]),
        ),
        ("tokenizer.ggml.token_type", Value::Array(types)),
        ("tokenizer.ggml.eos_token_id", Value::U32(vocab as u32 - 1)),
        ("tokenizer.chat_template", Value::String(template.into())),
    ];
    let metadata: Vec<(&str, Value)> = metadata
        .into_iter()
        .filter(|(k, _)| Some(*k) != options.without_key)
        .collect();

    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut random = |rows: usize, cols: usize, dtype: GgmlDType, zero_rows: usize| {
        let values: Vec<f32> = (0..rows * cols)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let uniform = (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                if i >= (rows - zero_rows) * cols {
                    0.0
                } else {
                    uniform
                }
            })
            .collect();
        QTensor::quantize(
            &Tensor::from_vec(values, (rows, cols), &Device::Cpu).unwrap(),
            dtype,
        )
        .unwrap()
    };
    let ones = |n: usize| {
        QTensor::quantize(
            &Tensor::ones(n, DType::F32, &Device::Cpu).unwrap(),
            GgmlDType::F32,
        )
        .unwrap()
    };
    let mut tensors: Vec<(String, QTensor)> = vec![
        (
            "token_embd.weight".into(),
            random(vocab, hidden, GgmlDType::Q8_0, 3),
        ),
        ("output_norm.weight".into(), ones(hidden)),
    ];
    for layer in 0..2 {
        let name = |part: &str| format!("blk.{layer}.{part}.weight");
        tensors.push((name("attn_norm"), ones(hidden)));
        tensors.push((name("ffn_norm"), ones(hidden)));
        tensors.push((name("attn_q"), random(hidden, hidden, GgmlDType::Q4_1, 0)));
        tensors.push((name("attn_k"), random(kv, hidden, GgmlDType::Q4_1, 0)));
        tensors.push((name("attn_v"), random(kv, hidden, GgmlDType::Q4_1, 0)));
        tensors.push((
            name("attn_output"),
            random(hidden, hidden, GgmlDType::Q4_1, 0),
        ));
        tensors.push((name("ffn_gate"), random(ffn, hidden, GgmlDType::Q4_1, 0)));
        tensors.push((name("ffn_up"), random(ffn, hidden, GgmlDType::Q4_1, 0)));
        tensors.push((name("ffn_down"), random(hidden, ffn, GgmlDType::Q4_1, 0)));
    }
    tensors.retain(|(name, _)| Some(name.as_str()) != options.without_tensor);

    let mut out = std::io::Cursor::new(Vec::new());
    let md: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (*k, v)).collect();
    let ts: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    gguf_file::write(&mut out, &md, &ts).unwrap();
    out.into_inner()
}
