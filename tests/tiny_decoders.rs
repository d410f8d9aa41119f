//! Every architecture and pre-tokenizer switch of the decoder against llama.cpp itself, on tiny
//! random-weight GGUF files (tests/fixtures/tiny/, written with llama.cpp's own gguf-py by
//! tests/fixtures/tiny_decoders.py, which also records llama.cpp's answers in
//! tests/fixtures/tiny_decoders.json). The real models checked elsewhere are one llama
//! (SmolLM2, `smollm` pre-tokenizer) and one Gemma 3; these files reach what they do not:
//!
//! - llama3: RoPE frequencies divided by `rope_freqs.weight` (Llama 3.1's factors), F32
//!   attention, the `llama-bpe` pre-tokenizer, BOS added;
//! - qwen2: biases on q, k and v, NeoX RoPE, Q8_0 everywhere, the `qwen2` pre-tokenizer and a
//!   user-defined token (`<tool_call>`);
//! - qwen3: RMS-normed q and k heads of 32 on a width of 64 (`key_length` ≠ width / heads),
//!   F16 attention;
//! - gemma3: six layers, five with a sliding window of 4 that the 12-token text crosses, post
//!   norms, GELU, scaled embedding, SentencePiece with byte pieces.
//!
//! Random weights make no sense of any text, but every position's distribution still depends
//! on every switch: a wrong one moves log-probabilities by tenths to whole units, well above the
//! few hundredths that rounding does (see [`allowed`]).

mod common;

use bert_vs_gpt::decoder::sampling::Distribution;
use bert_vs_gpt::decoder::Decoder;

#[derive(serde::Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    file: String,
    arch: String,
    /// The BOS id llama.cpp adds, when the file asks for one.
    bos: Option<u32>,
    ids: Vec<u32>,
    /// llama.cpp's log-softmax of every position's logits, the whole vocabulary.
    logprobs: Vec<Vec<f32>>,
    tokenizer: Vec<common::TokenizerCase>,
}

fn cases() -> Vec<(Case, Decoder)> {
    let reference: Reference = common::fixture("tiny_decoders.json");
    assert_eq!(reference.cases.len(), 4);
    reference
        .cases
        .into_iter()
        .map(|case| {
            let path = common::repo_path("tests/fixtures/tiny").join(&case.file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let decoder =
                Decoder::from_gguf(bytes).unwrap_or_else(|e| panic!("{}: {e}", case.file));
            assert_eq!(decoder.architecture(), case.arch, "{}", case.file);
            (case, decoder)
        })
        .collect()
}

/// A position's next token's log-probability and our top candidates (id, log-probability).
type Scored = (f32, Vec<(u32, f32)>);

/// For tokens 1.. of `ids`, teacher-forced in one pass: its log-probability and our top
/// candidates (id, log-probability), most likely first.
fn score(decoder: &Decoder, ids: &[u32]) -> Vec<Scored> {
    common::teacher_forced(decoder, ids)
        .into_iter()
        .map(|s| (s.logprob, s.top.iter().map(|c| (c.id, c.logprob)).collect()))
        .collect()
}

/// The |Δ log-prob| allowed, ours against llama.cpp's, per file: (mean, largest), over the
/// next tokens and over our top-10 candidates; about 2.5–3× what was measured (mean, largest):
/// llama3 0.026, 0.075; qwen2 0.079, 0.26; qwen3 0.053, 0.27; gemma3 0.023, 0.10.
///
/// Why so much more than float error: every file has Q8_0 matrices, before which both we and
/// llama.cpp round the activations to 8 bits per block of 32. The rule is the same, the
/// computation not bit for bit (llama.cpp keeps each block's scale in f16 and its KV cache in
/// f16, and sums in another order), and with random weights a difference of 10⁻⁴ upstream flips
/// some values to the next 8-bit step downstream. That is the noise floor: llama.cpp on these
/// files and llama.cpp on twins holding the same dequantized weights in F32 differ by as much
/// (mean 0.02–0.09). The graphs themselves agree far closer: with every matrix F32 and
/// llama.cpp's KV cache F32, all four agree with llama.cpp to 10⁻⁵ (gemma3 5·10⁻⁴: llama.cpp's
/// GELU is a table of f16 values). And the switches matter far more than the floor: measured
/// with llama.cpp itself, leaving out the RoPE factors moves llama3 by 1.3 on average, qwen2
/// without its k bias by 0.53, qwen3 with its q/k norm weights set to 1 by 1.2, gemma3 with a
/// window of 3 or 5 instead of 4 by 0.40–0.49 (largest 1.4), gemma3 with its post norms' weights
/// set to 1 by 0.36.
fn allowed(file: &str) -> (f32, f32) {
    match file {
        "llama3.gguf" => (0.08, 0.2),
        "qwen2.gguf" => (0.2, 0.6),
        "qwen3.gguf" => (0.15, 0.6),
        "gemma3.gguf" => (0.07, 0.25),
        other => panic!("no threshold for {other}"),
    }
}

/// The same, a token at a time through the decoding path (one token per `forward`, on the
/// network's one-token path), which the prompt's chunks above never take.
fn score_token_by_token(decoder: &Decoder, ids: &[u32]) -> Vec<Scored> {
    let network = decoder.model();
    let mut cache = network.new_cache();
    ids.windows(2)
        .map(|pair| {
            let hidden = network.forward(&pair[..1], &mut cache).unwrap();
            let logits = network.logits(&hidden).unwrap().squeeze(0).unwrap();
            let distribution = Distribution::new(&logits).unwrap();
            let top = distribution
                .top(10)
                .iter()
                .map(|c| (c.id, c.logprob))
                .collect();
            (distribution.logprob(pair[1]), top)
        })
        .collect()
}

#[test]
fn teacher_forced_log_probs_match_llama_cpp() {
    compare_with_llama_cpp(score);
}

#[test]
fn log_probs_decoded_token_by_token_match_llama_cpp() {
    compare_with_llama_cpp(score_token_by_token);
}

fn compare_with_llama_cpp(score: fn(&Decoder, &[u32]) -> Vec<Scored>) {
    let mut failures = Vec::new();
    for (case, decoder) in cases() {
        assert!(case.ids.len() >= 12, "{}", case.file);
        let ours = score(&decoder, &case.ids);
        assert_eq!(ours.len(), case.ids.len() - 1, "{}", case.file);
        let (mut next_sum, mut next_max) = (0f32, 0f32);
        let (mut top_sum, mut top_max, mut top_count) = (0f32, 0f32, 0usize);
        let (mut clear, mut agree) = (0usize, 0usize);
        for (k, (logprob, top)) in ours.iter().enumerate() {
            let row = &case.logprobs[k];
            assert_eq!(row.len(), decoder.vocab_size(), "{}", case.file);
            let delta = (logprob - row[case.ids[k + 1] as usize]).abs();
            next_sum += delta;
            next_max = next_max.max(delta);
            // Our ten most likely tokens, each against llama.cpp's log-probability of it.
            for &(id, lp) in top {
                let delta = (lp - row[id as usize]).abs();
                top_sum += delta;
                top_max = top_max.max(delta);
                top_count += 1;
            }
            let mut order: Vec<usize> = (0..row.len()).collect();
            order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
            if row[order[0]] - row[order[1]] >= 0.1 {
                clear += 1;
                if top[0].0 as usize == order[0] {
                    agree += 1;
                } else {
                    failures.push(format!(
                        "{} position {k}: our top-1 {} ({:.4}), llama.cpp's {} ({:.4}, by {:.4})",
                        case.file,
                        top[0].0,
                        top[0].1,
                        order[0],
                        row[order[0]],
                        row[order[0]] - row[order[1]]
                    ));
                }
            }
        }
        let next_mean = next_sum / ours.len() as f32;
        let top_mean = top_sum / top_count as f32;
        eprintln!(
            "{} ({}): |Δ log-prob| of the next token mean {next_mean:.5} max {next_max:.5}; of \
             our top-10 mean {top_mean:.5} max {top_max:.5}; top-1 agrees at {agree} of {clear} \
             clear positions",
            case.file, case.arch
        );
        let (mean, largest) = allowed(&case.file);
        if next_mean.max(top_mean) > mean || next_max.max(top_max) > largest {
            failures.push(format!(
                "{}: |Δ log-prob| mean {next_mean:.5} / {top_mean:.5}, largest {next_max:.5} / \
                 {top_max:.5} (next token / top-10); allowed mean {mean}, largest {largest}",
                case.file
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn token_ids_match_llama_cpp() {
    let mut wrong = Vec::new();
    let mut total = 0;
    for (case, decoder) in cases() {
        assert!(case.tokenizer.len() >= 8, "{}", case.file);
        for text in &case.tokenizer {
            total += 1;
            // llama.cpp's ids are without BOS; our `encode` puts it first when the file asks
            // for it, unless the text itself starts with it.
            let expected: Vec<u32> = match case.bos {
                Some(bos) if text.ids.first() != Some(&bos) => std::iter::once(bos)
                    .chain(text.ids.iter().copied())
                    .collect(),
                _ => text.ids.clone(),
            };
            let ours = decoder.encode(&text.text).unwrap();
            if ours != expected {
                wrong.push(format!(
                    "{} {:?}: ours {ours:?}, llama.cpp {expected:?}",
                    case.file, text.text
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {total} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A file we cannot run is refused with a message that names why: another architecture, or a
/// tensor type we have no kernel for (the tiny qwen2 file with one byte of its header changed).
#[test]
fn other_architectures_and_tensor_types_are_refused_by_name() {
    let path = common::repo_path("tests/fixtures/tiny/qwen2.gguf");
    let original = std::fs::read(path).unwrap();
    let message = |bytes: &[u8]| match Decoder::from_gguf(bytes.to_vec()) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    let find = |needle: &[u8]| {
        original
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };

    // general.architecture's value is the first "qwen2" in the header.
    let mut other = original.clone();
    let at = find(b"qwen2");
    other[at..at + 5].copy_from_slice(b"bloom");
    let refused = message(&other);
    assert!(
        refused.contains(
            "architecture \"bloom\" is not one this page runs (llama, qwen2, qwen3, gemma3)"
        ),
        "{refused}"
    );

    // A tensor's info is its name, its dimension count (u32), its dimensions (u64 each), its
    // type (u32): make blk.0.attn_q.weight Q2_K (GGML type 10).
    let mut q2k = original.clone();
    let name = b"blk.0.attn_q.weight";
    let at = find(name) + name.len();
    let dims = u32::from_le_bytes(q2k[at..at + 4].try_into().unwrap()) as usize;
    let kind = at + 4 + 8 * dims;
    q2k[kind..kind + 4].copy_from_slice(&10u32.to_le_bytes());
    let refused = message(&q2k);
    assert!(
        refused.contains("tensor type Q2_K is not supported"),
        "{refused}"
    );

    // The same tensor said to have 2^32 rows: tens of GB, more than the file holds, refused
    // before any byte of it is read. (Its first dimension, ne0, is the row length; the second
    // the row count.)
    let mut huge = original.clone();
    huge[at + 4 + 8..at + 4 + 16].copy_from_slice(&(1u64 << 32).to_le_bytes());
    let refused = message(&huge);
    assert!(
        refused.contains("tensor blk.0.attn_q.weight claims more values than the file holds"),
        "{refused}"
    );

    // A model of 2^20 layers (a metadata key is its name, its type (u32) and its value): its
    // context's keys and values alone are beyond the memory budget, refused before conversion.
    let mut deep = original.clone();
    let key = b"qwen2.block_count";
    let value = find(key) + key.len() + 4;
    deep[value..value + 4].copy_from_slice(&(1u32 << 20).to_le_bytes());
    let refused = message(&deep);
    assert!(
        refused.contains("more than the 3221 MB this page allows a decoder"),
        "{refused}"
    );
}

/// The inside views on every architecture: attention rows that sum to 1 and see only the past —
/// on gemma3's windowed layers only the last 4 positions, on its global layer all of them — and
/// a logit lens whose last layer is the teacher-forced distribution.
#[test]
fn attention_sees_the_past_within_the_window_and_the_lens_ends_in_score() {
    for (case, decoder) in cases() {
        let text = &case
            .tokenizer
            .iter()
            .max_by_key(|t| t.ids.len())
            .unwrap()
            .text;
        let attention = decoder.attention(text).unwrap();
        let n = attention.tokens.len();
        assert!(n >= 6, "{}: {n} tokens", case.file);
        let window = |layer: usize| (case.arch == "gemma3" && layer != 5).then_some(4);
        for (r, row) in attention.weights.chunks_exact(n).enumerate() {
            let (layer, query) = (r / (attention.heads * n), r % n);
            let sum: f32 = row.iter().sum();
            assert!(
                (sum - 1.0).abs() < 1e-5,
                "{}: row {r} sums to {sum}",
                case.file
            );
            for (key, &p) in row.iter().enumerate() {
                let hidden = key > query || window(layer).is_some_and(|w| query - key >= w);
                assert_eq!(
                    p == 0.0,
                    hidden,
                    "{}: layer {layer} {query}→{key}: {p}",
                    case.file
                );
            }
        }

        let lens = decoder.logit_lens(text, 3).unwrap();
        let ids = decoder.encode(text).unwrap();
        let last = lens.top.last().unwrap();
        for (position, (_, top)) in score(&decoder, &ids).iter().enumerate() {
            for (ours, &(id, logprob)) in last[position].iter().zip(top) {
                assert_eq!(ours.id, id, "{}: position {position}", case.file);
                assert!((ours.prob - logprob.exp()).abs() < 1e-5, "{}", case.file);
            }
        }
    }
}
