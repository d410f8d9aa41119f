//! Fuzzing the loaders with proptest: the GGUF decoder (its metadata tokenizer builder and
//! weights), the safetensors BERT loader, the E5S1 reader and converter, and the converted
//! e5 GGUF, fed truncated, bit-flipped and overwritten copies of real files. Each must return
//! Ok or an error — never panic, which in wasm would kill the worker.
//!
//!   PROPTEST_CASES=2000 cargo test --test fuzz_loaders     # a longer run

mod common;

use bert_vs_gpt::convert::e5::convert;
use bert_vs_gpt::decoder::Decoder;
use bert_vs_gpt::encoder::{E5Files, Encoder, EncoderFiles};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::OnceLock;

/// How a copy of a file is damaged.
#[derive(Debug, Clone)]
enum Damage {
    /// Cut to this fraction of its length.
    Truncate(f64),
    /// XOR a byte at (fraction of the region, mask).
    Flip(Vec<(f64, u8)>),
    /// Overwrite 8 bytes at a fraction of the region with a little-endian number — lengths,
    /// counts and offsets are where parsers trust their input.
    Number(f64, u64),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0.0..1.0f64).prop_map(Damage::Truncate),
        prop::collection::vec((0.0..1.0f64, 1..=255u8), 1..8).prop_map(Damage::Flip),
        (
            0.0..1.0f64,
            prop_oneof![
                Just(0u64),
                Just(u64::MAX),
                Just(1 << 31),
                Just(1 << 40),
                any::<u64>(),
                0..4096u64
            ]
        )
            .prop_map(|(at, n)| Damage::Number(at, n)),
    ]
}

/// `bytes` damaged within its first `region` bytes (the header, where the structure is).
fn damaged(bytes: &[u8], region: usize, damage: &Damage) -> Vec<u8> {
    let region = region.min(bytes.len());
    let at = |f: f64| ((f * region as f64) as usize).min(region.saturating_sub(1));
    let mut out = bytes.to_vec();
    match damage {
        Damage::Truncate(f) => out.truncate((f * bytes.len() as f64) as usize),
        Damage::Flip(flips) => {
            for &(f, mask) in flips {
                out[at(f)] ^= mask;
            }
        }
        Damage::Number(f, n) => {
            let start = at(*f).min(out.len().saturating_sub(8));
            let end = (start + 8).min(out.len());
            out[start..end].copy_from_slice(&n.to_le_bytes()[..end - start]);
        }
    }
    out
}

fn run(cases: u32, strategy: impl Strategy<Value = Damage>, test: impl Fn(&Damage)) {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(Config {
        cases,
        ..Config::default()
    })
    .run(&strategy, |d| {
        test(&d);
        Ok(())
    })
    .unwrap();
}

#[test]
fn damaged_tiny_gguf_decoders_are_refused_not_panicked_on() {
    let gguf = common::tiny_llama(Default::default());
    // The metadata (tokenizer, chat template) fills most of the header; damage anywhere.
    run(512, damage(), |d| {
        let _ = Decoder::from_gguf(damaged(&gguf, gguf.len(), d));
    });
}

/// A case the fuzzer found: a tensor whose dimensions multiply past 2⁶⁴ (the count of a
/// header array overwritten with 1 shifts what follows into a tensor's shape).
#[test]
fn a_tensor_with_more_values_than_the_file_holds_is_refused() {
    let gguf = common::tiny_llama(Default::default());
    let damaged = damaged(&gguf, gguf.len(), &Damage::Number(0.06737619186637286, 1));
    assert!(Decoder::from_gguf(damaged).is_err());
}

#[test]
fn damaged_minilm_files_are_refused_not_panicked_on() {
    let files = common::tiny_bert(16);
    run(256, damage(), |d| {
        let weights = damaged(&files.weights, 4096, d);
        let _ = Encoder::from_files(&EncoderFiles {
            weights: &weights,
            ..files.borrow()
        });
        let config = damaged(&files.config, files.config.len(), d);
        let _ = Encoder::from_files(&EncoderFiles {
            config: &config,
            ..files.borrow()
        });
        let tokenizer = damaged(&files.tokenizer, files.tokenizer.len(), d);
        let _ = Encoder::from_files(&EncoderFiles {
            tokenizer: &tokenizer,
            ..files.borrow()
        });
    });
}

fn e5_source() -> &'static [u8] {
    static SOURCE: OnceLock<Vec<u8>> = OnceLock::new();
    SOURCE.get_or_init(|| {
        std::fs::read(common::cache_dir().join("sources/multilingual-e5-small/e5-small-q4.bin"))
            .expect("run `make fetch` first (make test does)")
    })
}

#[test]
fn damaged_e5s1_sources_are_refused_not_panicked_on() {
    // Header, pieces, normalisation map and tensor directory: the first ~4.7 MB. The
    // converter reads only those and slices the tensors, so a 5 MB prefix keeps every path.
    let source = &e5_source()[..5_000_000];
    run(256, damage(), |d| {
        let _ = convert(&damaged(source, 4_700_000, d));
    });
}

/// A case the fuzzer found: the e5 file's token embedding said to have 2⁶⁴ − 1 rows.
#[test]
fn an_e5_embedding_with_more_rows_than_the_file_holds_is_refused() {
    let (weights, tokenizer) = common::e5();
    let weights = damaged(
        &weights,
        8192,
        &Damage::Number(0.07068953419281013, u64::MAX),
    );
    assert!(Encoder::from_e5_files(&E5Files {
        weights: &weights,
        tokenizer: &tokenizer,
    })
    .is_err());
}

#[test]
fn damaged_e5_ggufs_are_refused_not_panicked_on() {
    let (weights, tokenizer) = common::e5();
    // The GGUF header (metadata and tensor infos) is the first few KB.
    run(48, damage(), |d| {
        let weights = damaged(&weights, 8192, d);
        let _ = Encoder::from_e5_files(&E5Files {
            weights: &weights,
            tokenizer: &tokenizer,
        });
    });
}
