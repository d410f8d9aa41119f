//! The "who sees what" views on the real models: attention and the logit lens against the
//! independent numpy passes of tests/fixtures/inside_reference.py, and the shapes the lesson
//! teaches — an encoder's every row spread over all tokens, a decoder's rows that see only the
//! past, the lens's last layer being exactly what `score` reports.

mod common;

use bert_vs_gpt::decoder::Decoder;
use bert_vs_gpt::encoder::Encoder;
use bert_vs_gpt::models::inside::Attention;
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    minilm: Vec<EncoderCase>,
    smollm2: Vec<DecoderCase>,
}

#[derive(Deserialize)]
struct EncoderCase {
    text: String,
    ids: Vec<u32>,
    attention: Vec<f32>,
}

#[derive(Deserialize)]
struct DecoderCase {
    text: String,
    ids: Vec<u32>,
    attention: Option<Vec<f32>>,
    /// [layer][position]: (id, probability), most likely first.
    lens: Vec<Vec<Vec<(u32, f32)>>>,
}

fn reference() -> Reference {
    common::fixture("inside_reference.json")
}

fn worst_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Each row of probabilities (n per row) and, for a decoder, what it may not see.
fn check_rows(attention: &Attention, causal: bool) {
    let n = attention.tokens.len();
    assert_eq!(
        attention.weights.len(),
        attention.layers * attention.heads * n * n
    );
    for (r, row) in attention.weights.chunks_exact(n).enumerate() {
        let query = r % n;
        let sum: f64 = row.iter().map(|&p| f64::from(p)).sum();
        assert!((sum - 1.0).abs() < 1e-5, "row {r} sums to {sum}");
        for (key, &p) in row.iter().enumerate() {
            if causal && key > query {
                assert_eq!(p, 0.0, "row {r}: query {query} sees later key {key}");
            } else {
                assert!(p > 0.0, "row {r}: query {query} gives key {key} nothing");
            }
        }
    }
}

#[test]
fn minilm_attention_matches_numpy_and_spreads_over_all_tokens() {
    let encoder = Encoder::from_files(&common::minilm().borrow()).unwrap();
    for case in reference().minilm {
        let ours = encoder.attention(&case.text).unwrap();
        let (ids, _) = encoder.tokens(&case.text).unwrap();
        assert_eq!(ids, case.ids, "{}", case.text);
        assert_eq!((ours.layers, ours.heads), (6, 12));
        assert_eq!(ours.tokens.first().map(String::as_str), Some("[CLS]"));
        let worst = worst_difference(&ours.weights, &case.attention);
        eprintln!("{}: worst |Δp| {worst:.2e}", case.text);
        assert!(worst < 1e-4, "{}: {worst}", case.text);
        check_rows(&ours, false);
    }
}

#[test]
fn e5_attention_spreads_over_all_tokens() {
    let ours = common::e5_encoder()
        .attention("机器学习是人工智能的一个分支。")
        .unwrap();
    assert_eq!((ours.layers, ours.heads), (12, 12));
    check_rows(&ours, false);
}

#[test]
fn smollm2_attention_matches_numpy_and_sees_only_the_past() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    for case in reference().smollm2 {
        assert_eq!(decoder.encode(&case.text).unwrap(), case.ids);
        let ours = decoder.attention(&case.text).unwrap();
        assert_eq!((ours.layers, ours.heads), (30, 9));
        check_rows(&ours, true);
        if let Some(expected) = &case.attention {
            // Our products round activations to 8 bits, as llama.cpp's do; the reference
            // is float32 throughout.
            let worst = worst_difference(&ours.weights, expected);
            let mean = ours
                .weights
                .iter()
                .zip(expected)
                .map(|(a, b)| (a - b).abs())
                .sum::<f32>()
                / expected.len() as f32;
            let per_layer = expected.len() / ours.layers;
            let first = worst_difference(&ours.weights[..per_layer], &expected[..per_layer]);
            eprintln!(
                "{}: |Δp| worst {worst:.2e} (first layer {first:.2e}), mean {mean:.2e}",
                case.text
            );
            assert!(first < 0.01 && worst < 0.1 && mean < 2e-3, "{}", case.text);
        }
    }
}

#[test]
fn smollm2_logit_lens_matches_numpy_where_the_call_is_clear() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    let (mut clear, mut agree) = (0, 0);
    for case in reference().smollm2 {
        let lens = decoder.logit_lens(&case.text, 5).unwrap();
        assert_eq!(lens.layers, 30);
        assert_eq!(lens.top.len(), 30);
        for (layer, (ours, expected)) in lens.top.iter().zip(&case.lens).enumerate() {
            assert_eq!(ours.len(), case.ids.len());
            for (position, (ours, expected)) in ours.iter().zip(expected).enumerate() {
                assert_eq!(ours.len(), 5);
                let (first, second) = (expected[0].1, expected[1].1);
                if first > 2.0 * second && first > 0.05 {
                    clear += 1;
                    if ours[0].id == expected[0].0 {
                        agree += 1;
                    } else {
                        eprintln!(
                            "{}: layer {layer} position {position}: ours {} ({}), numpy {} ({first})",
                            case.text, ours[0].id, ours[0].prob, expected[0].0
                        );
                    }
                }
            }
        }
    }
    eprintln!("top-1 agrees on {agree} of {clear} clear calls");
    assert!(
        clear > 100 && agree * 100 >= clear * 97,
        "{agree} of {clear}"
    );
}

/// The lens's last layer is the model's own next-token distribution, as `score` reports it.
fn last_layer_is_score(decoder: &Decoder, text: &str) {
    let lens = decoder.logit_lens(text, 10).unwrap();
    let ids = decoder.encode(text).unwrap();
    let scored = common::teacher_forced(decoder, &ids);
    let last = lens.top.last().unwrap();
    assert_eq!(last.len(), ids.len());
    for (position, scored) in scored.iter().enumerate() {
        for (ours, theirs) in last[position].iter().zip(&scored.top) {
            assert_eq!(ours.id, theirs.id, "{text}: position {position}");
            let difference = (ours.prob - theirs.logprob.exp()).abs();
            assert!(
                difference < 1e-4,
                "{text}: position {position}: {difference}"
            );
        }
    }
}

#[test]
fn the_last_layer_of_the_lens_is_what_score_reports() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    last_layer_is_score(
        &decoder,
        "The capital of France is Paris, and the capital of Germany is",
    );
    last_layer_is_score(&decoder, "巴黎是法国的首都。");
}

#[test]
fn a_lens_run_gives_the_last_column_first_then_layer_by_layer_to_the_same_lens() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    let text =
        "Once upon a time, a teacher showed her class how a language model reads a sentence. ";
    let text = text.repeat(2);
    let lens = decoder.logit_lens(&text, 3).unwrap();
    let (layers, n) = (lens.layers, lens.tokens.len());
    let mut run = decoder.logit_lens_run(&text, 3).unwrap();
    let (done, total) = run.progress();
    assert_eq!((done, total, run.layers_done()), (0, layers * n, 0));
    let mut seen = vec![vec![false; n]; layers];
    let mut steps = 0;
    loop {
        let finished = run.advance(&decoder).unwrap();
        steps += 1;
        let cells: Vec<(usize, usize)> = run.latest().map(|(l, p, _)| (l, p)).collect();
        if steps == 1 {
            // The column where the next word forms: the last position, after every layer.
            assert_eq!(cells, (0..layers).map(|l| (l, n - 1)).collect::<Vec<_>>());
            assert_eq!(run.layers_done(), 0);
        }
        for (layer, position, top) in run.latest() {
            assert!(!seen[layer][position], "({layer}, {position}) twice");
            seen[layer][position] = true;
            assert_eq!(top, lens.top[layer][position].as_slice());
        }
        // Every layer counted done has all its positions, and the next one has not.
        let complete = run.layers_done();
        assert!(seen[..complete].iter().all(|row| row.iter().all(|&s| s)));
        if complete < layers {
            assert!(!seen[complete].iter().all(|&s| s), "step {steps}");
        }
        let (done, now_total) = run.progress();
        assert_eq!(now_total, total);
        if finished {
            assert_eq!(done, total);
            break;
        }
        assert!(done > 0 && done < total, "step {steps}: {done} of {total}");
    }
    assert!(steps >= 3, "{total} rows in {steps} products");
    assert!(seen.iter().flatten().all(|&s| s));
    assert_eq!(run.finish(), lens);
}

#[test]
fn gemma_sees_only_the_past_and_its_lens_ends_in_score() {
    let decoder = Decoder::from_gguf(common::gemma3()).unwrap();
    let text = "巴黎是法国的首都，柏林是";
    let ours = decoder.attention(text).unwrap();
    assert_eq!(ours.tokens[0], "<bos>");
    check_rows(&ours, true);
    last_layer_is_score(&decoder, text);
}

#[test]
fn long_texts_get_a_message() {
    let long = "word ".repeat(200);
    let encoder = Encoder::from_files(&common::minilm().borrow()).unwrap();
    let message = encoder.attention(&long).unwrap_err().to_string();
    assert!(message.contains("at most 128"), "{message}");
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    let message = decoder.logit_lens(&long, 5).unwrap_err().to_string();
    assert!(message.contains("at most 128"), "{message}");
    assert!(encoder.attention("   ").is_err());
}
