//! Generation mechanics on a tiny random-weight Llama GGUF: chunked prefill, the KV cache,
//! max tokens, stop strings, the context window, seeds, and refusals of bad files.

mod common;

use bert_vs_gpt::decoder::generation::{Finish, GenerateOptions, Generation};
use bert_vs_gpt::decoder::gguf_decoder::PREFILL_CHUNK;
use bert_vs_gpt::decoder::sampling::SamplingOptions;
use bert_vs_gpt::decoder::Decoder;
use bert_vs_gpt::error::Error;
use common::{tiny_llama, TinyLlama};

fn decoder(context_length: u32) -> Decoder {
    Decoder::from_gguf(tiny_llama(TinyLlama {
        context_length,
        ..Default::default()
    }))
    .unwrap()
}

fn run(
    decoder: &Decoder,
    prompt: Vec<u32>,
    options: GenerateOptions,
) -> (Generation, Vec<bert_vs_gpt::decoder::generation::Advance>) {
    let mut generation = Generation::new(decoder, prompt, options).unwrap();
    let mut advances = Vec::new();
    while generation.finished().is_none() {
        advances.push(generation.advance(decoder).unwrap());
    }
    (generation, advances)
}

fn score(decoder: &Decoder, ids: &[u32]) -> Vec<f32> {
    let options = GenerateOptions {
        max_new_tokens: 0,
        score_prompt: true,
        ..Default::default()
    };
    run(decoder, ids.to_vec(), options)
        .1
        .into_iter()
        .flat_map(|a| a.scored)
        .map(|s| s.logprob)
        .collect()
}

/// Byte tokens of plain ASCII text (ids below 256 in the tiny vocabulary).
fn ascii_ids(n: usize) -> Vec<u32> {
    (0..n)
        .map(|i| u32::from(b"abcdefgxyz"[i % 10]) - 33)
        .collect()
}

#[test]
fn the_prompt_is_read_in_chunks_then_one_token_per_call() {
    let decoder = decoder(512);
    let prompt = ascii_ids(150);
    let (generation, advances) = run(
        &decoder,
        prompt,
        GenerateOptions {
            max_new_tokens: 3,
            ..Default::default()
        },
    );
    let done: Vec<usize> = advances.iter().map(|a| a.prompt_done).collect();
    assert_eq!(done, vec![PREFILL_CHUNK, 2 * PREFILL_CHUNK, 150, 150, 150]);
    assert!(advances[..2].iter().all(|a| a.step.is_none()));
    assert!(advances[2..].iter().all(|a| a.step.is_some()));
    assert_eq!(generation.generated().len(), 3);
    assert_eq!(generation.finished(), Some(Finish::Length));
}

#[test]
fn cached_decoding_agrees_with_one_pass_scoring() {
    // The decode path (one token at a time against the KV cache) and the prefill path
    // (chunks under a causal mask) must compute the same distribution.
    let decoder = decoder(512);
    let prompt = ascii_ids(70);
    let (generation, advances) = run(
        &decoder,
        prompt.clone(),
        GenerateOptions {
            max_new_tokens: 8,
            ..Default::default()
        },
    );
    let steps: Vec<_> = advances.into_iter().filter_map(|a| a.step).collect();
    let all: Vec<u32> = prompt
        .iter()
        .copied()
        .chain(generation.generated().iter().copied())
        .collect();
    let scored = score(&decoder, &all);
    for (k, step) in steps.iter().enumerate() {
        let logprob = scored[prompt.len() - 1 + k];
        assert!(
            (logprob.exp() - step.prob).abs() < 1e-4,
            "step {k}: {} vs {}",
            logprob.exp(),
            step.prob
        );
        assert_eq!(step.top[0].id, step.id, "greedy takes the top token");
    }
    // Chunk boundaries do not matter either: a shorter text scores its positions the same.
    let shorter = score(&decoder, &all[..40]);
    for (a, b) in shorter.iter().zip(&scored) {
        assert!((a - b).abs() < 1e-4);
    }
}

#[test]
fn step_texts_add_up_to_the_output() {
    let decoder = decoder(512);
    let (generation, advances) = run(
        &decoder,
        decoder.encode("the hello").unwrap(),
        GenerateOptions {
            max_new_tokens: 20,
            ..Default::default()
        },
    );
    let joined: String = advances
        .iter()
        .filter_map(|a| a.step.as_ref())
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(joined, generation.output());
    // Random weights emit random bytes: bytes that never complete a character at the very
    // end are held back, so the output is a prefix of the lossy decoding of all tokens.
    let full = decoder.decode(generation.generated()).unwrap();
    assert!(
        full.starts_with(generation.output()),
        "{full:?} vs {:?}",
        generation.output()
    );
}

#[test]
fn a_stop_string_ends_generation_and_is_cut_off() {
    let decoder = decoder(512);
    let prompt = decoder.encode("the hello").unwrap();
    let (free, _) = run(
        &decoder,
        prompt.clone(),
        GenerateOptions {
            max_new_tokens: 30,
            ..Default::default()
        },
    );
    let text = free.output().to_string();
    let chars: Vec<char> = text.chars().collect();
    assert!(chars.len() > 6, "{text:?}");
    let stop: String = chars[3..5].iter().collect();
    let (stopped, _) = run(
        &decoder,
        prompt,
        GenerateOptions {
            max_new_tokens: 30,
            stop: vec![stop.clone()],
            ..Default::default()
        },
    );
    assert_eq!(stopped.finished(), Some(Finish::Stop));
    assert_eq!(stopped.output(), &text[..text.find(&stop).unwrap()]);
}

#[test]
fn the_context_window_refuses_long_prompts_and_ends_generation_cleanly() {
    let decoder = decoder(32);
    assert!(matches!(
        Generation::new(&decoder, ascii_ids(32), GenerateOptions::default()),
        Err(Error::PromptTooLong {
            tokens: 32,
            limit: 32
        })
    ));
    let message = Generation::new(&decoder, ascii_ids(40), GenerateOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        message.contains("40 tokens") && message.contains("32"),
        "{message}"
    );
    // A full-window text can still be scored: it asks for no new token.
    assert_eq!(score(&decoder, &ascii_ids(32)).len(), 31);
    let (generation, _) = run(
        &decoder,
        ascii_ids(28),
        GenerateOptions {
            max_new_tokens: 100,
            ..Default::default()
        },
    );
    assert_eq!(generation.finished().unwrap(), Finish::Context);
    assert_eq!(generation.generated().len(), 4);
}

#[test]
fn seeds_make_sampling_repeatable() {
    let decoder = decoder(512);
    let sampled = |seed| {
        let sampling = SamplingOptions {
            temperature: 1.5,
            seed,
            ..Default::default()
        };
        run(
            &decoder,
            ascii_ids(5),
            GenerateOptions {
                max_new_tokens: 20,
                sampling,
                ..Default::default()
            },
        )
        .0
        .generated()
        .to_vec()
    };
    assert_eq!(sampled(1), sampled(1));
    assert_ne!(sampled(1), sampled(2));
}

#[test]
fn bad_prompts_and_token_ids_are_refused() {
    let decoder = decoder(512);
    assert!(matches!(
        Generation::new(&decoder, vec![], GenerateOptions::default()),
        Err(Error::EmptyPrompt)
    ));
    assert!(matches!(
        Generation::new(&decoder, vec![1, 999_999], GenerateOptions::default()),
        Err(Error::UnknownToken { id: 999_999, .. })
    ));
}

#[test]
fn chat_markers_in_the_tiny_vocabulary_are_special() {
    let decoder = decoder(512);
    let text = decoder.prompt_text("hello", true).unwrap();
    assert_eq!(
        text,
        "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n"
    );
    let ids = decoder.encode(&text).unwrap();
    assert_eq!(ids[0], decoder.encode("<|im_start|>").unwrap()[0]);
    assert_eq!(decoder.decode(&ids).unwrap(), text);
}

#[test]
fn a_damaged_gguf_is_refused_with_what_is_missing() {
    let message = |gguf: Vec<u8>| {
        Decoder::from_gguf(gguf)
            .err()
            .expect("must fail")
            .to_string()
    };
    assert!(message(b"not a gguf file at all".to_vec()).contains("GGUF"));
    let truncated = tiny_llama(TinyLlama::default());
    assert!(message(truncated[..truncated.len() / 2].to_vec()).contains("GGUF"));
    let without = |key| {
        message(tiny_llama(TinyLlama {
            without_key: Some(key),
            ..Default::default()
        }))
    };
    assert!(without("tokenizer.ggml.merges").contains("tokenizer.ggml.merges"));
    assert!(without("llama.block_count").contains("llama.block_count"));
    let missing_tensor = message(tiny_llama(TinyLlama {
        without_tensor: Some("blk.1.ffn_down.weight"),
        ..Default::default()
    }));
    assert!(
        missing_tensor.contains("blk.1.ffn_down.weight"),
        "{missing_tensor}"
    );
}

#[test]
fn decoder_embeddings_are_unit_means_and_long_texts_are_cut_at_the_window() {
    let decoder = decoder(32);
    let short = "the cat";
    let long: String = "abcdefgxyz".repeat(5);
    let out = decoder.embed(&[short, long.as_str()]).unwrap();
    assert_eq!(out.dim, 64);
    assert_eq!(out.vectors.len(), 2 * 64);
    for row in out.vectors.chunks(64) {
        let norm: f32 = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
    assert_eq!(
        out.token_counts,
        vec![decoder.encode(short).unwrap().len() as u32, 32]
    );
    assert_eq!(out.truncated, vec![false, true]);
    // The same text gives the same vector alone or next to another.
    let alone = decoder.embed(&[short]).unwrap();
    assert_eq!(alone.vectors, out.vectors[..64]);
    assert!(matches!(
        decoder.embed(&["  "]),
        Err(Error::BlankText { index: 0 })
    ));
}
