//! Gemma 3 270M against two independent references (tests/fixtures/gemma3_reference.py),
//! teacher-forced on six texts — Chinese, English, Python, Japanese, a Chinese few-shot prompt,
//! and one of 800 tokens, so the local layers' 512-position window matters: a float32 numpy
//! forward pass over the dequantised GGUF, and llama.cpp's own log-probabilities. Our quantized
//! products round activations to 8 bits (as llama.cpp's do), so log-probabilities move by a
//! little and close calls may flip; clear calls (top-2 margin ≥ 0.5) must not.

mod common;

use bert_vs_gpt::decoder::generation::{GenerateOptions, Generation};
use bert_vs_gpt::decoder::Decoder;

/// Log-probabilities and top-1 ids our model gives tokens 1.. of `ids`, in one pass.
fn score(decoder: &Decoder, ids: &[u32]) -> Vec<(f32, u32)> {
    common::teacher_forced(decoder, ids)
        .into_iter()
        .map(|s| (s.logprob, s.top[0].id))
        .collect()
}

#[test]
fn teacher_forced_log_probs_match_numpy_and_llama_cpp() {
    let reference: common::Gemma3Reference = common::fixture("gemma3_reference.json");
    assert!(reference.texts.len() >= 6);
    assert!(reference.texts.iter().any(|t| t.ids.len() > 600));
    let decoder = Decoder::from_gguf(common::gemma3()).unwrap();
    let (mut clear, mut agree) = (0usize, 0usize);
    for text in &reference.texts {
        let ours = score(&decoder, &text.ids);
        assert_eq!(ours.len(), text.steps.len(), "{}", text.name);
        let (mut to_float, mut to_llama, mut between) = (0f32, 0f32, 0f32);
        for (k, (step, &(logprob, top1))) in text.steps.iter().zip(&ours).enumerate() {
            assert_eq!(step.id, text.ids[k + 1]);
            to_float += (logprob - step.logprob).abs();
            to_llama += (logprob - step.llama_logprob).abs();
            between += (step.llama_logprob - step.logprob).abs();
            if step.margin >= 0.5 {
                clear += 1;
                agree += usize::from(top1 == step.top1);
            }
        }
        let n = text.steps.len() as f32;
        let (to_float, to_llama, between) = (to_float / n, to_llama / n, between / n);
        eprintln!(
            "{} ({} tokens): mean |Δ log-prob| to float numpy {to_float:.4}, to llama.cpp \
             {to_llama:.4} (llama.cpp to numpy {between:.4})",
            text.name,
            text.ids.len()
        );
        assert!(to_float <= 0.15, "{}: {to_float}", text.name);
    }
    eprintln!("top-1 agrees at {agree} of {clear} clear positions");
    assert!(agree as f32 >= 0.99 * clear as f32, "{agree} of {clear}");
}

#[test]
fn greedy_continuations_are_llama_cpps() {
    let reference: common::Gemma3Reference = common::fixture("gemma3_reference.json");
    let decoder = Decoder::from_gguf(common::gemma3()).unwrap();
    for run in &reference.greedy {
        let options = GenerateOptions {
            max_new_tokens: run.llama_ids.len(),
            sampling: bert_vs_gpt::decoder::sampling::SamplingOptions {
                temperature: 0.0,
                repeat_penalty: 1.0,
                ..Default::default()
            },
            ignore_end: true,
            ..Default::default()
        };
        let mut generation = Generation::new(&decoder, run.ids.clone(), options).unwrap();
        while generation.finished().is_none() {
            generation.advance(&decoder).unwrap();
        }
        let ours = generation.generated().to_vec();
        let same = ours
            .iter()
            .zip(&run.llama_ids)
            .take_while(|(a, b)| a == b)
            .count();
        eprintln!(
            "{:?}: {same} of {} leading tokens as llama.cpp; ours {:?}, llama.cpp {:?}",
            run.prompt,
            run.llama_ids.len(),
            generation.output(),
            run.llama_text
        );
        assert!(same >= 8, "{:?}", run.prompt);
    }
}
