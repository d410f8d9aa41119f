//! The decoder against an independent float32 numpy forward pass over the dequantised GGUF
//! (tests/fixtures/smollm2_reference.py), teacher-forced on the reference's own greedy
//! tokens. Quantized matmuls round activations to 8 bits (as llama.cpp's do), so logits move
//! by ~0.1 and close calls may flip; clear calls must not.

mod common;

use bert_vs_gpt::decoder::Decoder;

/// Log-probabilities and top-1 ids our model gives tokens 1.. of `ids`, in one pass.
fn score(decoder: &Decoder, ids: &[u32]) -> Vec<(f32, u32)> {
    common::teacher_forced(decoder, ids)
        .into_iter()
        .map(|s| (s.logprob, s.top[0].id))
        .collect()
}

#[test]
fn teacher_forced_log_probs_match_the_numpy_reference() {
    let reference: common::Smollm2Reference = common::fixture("smollm2_reference.json");
    assert!(reference.prompts.len() >= 5);
    assert!(reference.prompts.iter().any(|p| p.chat) && reference.prompts.iter().any(|p| !p.chat));
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    let (mut total_diff, mut steps, mut worst) = (0f32, 0usize, 0f32);
    for case in &reference.prompts {
        let ids: Vec<u32> = case
            .ids
            .iter()
            .copied()
            .chain(case.greedy.iter().map(|s| s.id))
            .collect();
        let ours = score(&decoder, &ids);
        assert_eq!(ours.len(), ids.len() - 1);
        let mut diff = 0f32;
        for (k, step) in case.greedy.iter().enumerate() {
            let (logprob, top1) = ours[case.ids.len() - 1 + k];
            let d = (logprob - step.logprob).abs();
            diff += d;
            worst = worst.max(d);
            if step.margin >= 0.5 {
                assert_eq!(
                    top1, step.id,
                    "{:?} step {k}: reference margin {}",
                    case.prompt, step.margin
                );
            }
        }
        eprintln!(
            "{:?}: {} steps, mean |Δ logprob| {:.4}",
            case.prompt,
            case.greedy.len(),
            diff / case.greedy.len() as f32
        );
        total_diff += diff;
        steps += case.greedy.len();
    }
    let mean = total_diff / steps as f32;
    eprintln!("all prompts: {steps} steps, mean |Δ logprob| {mean:.4}, worst {worst:.4}");
    assert!(mean <= 0.08, "mean |Δ logprob| {mean}");
}
