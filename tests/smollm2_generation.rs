//! The real SmolLM2 ending its turn, and `ignore_end` running past it.

mod common;

use bert_vs_gpt::decoder::generation::{Finish, GenerateOptions, Generation};
use bert_vs_gpt::decoder::Decoder;

fn run(decoder: &Decoder, prompt: &str, options: GenerateOptions) -> Generation {
    let ids = decoder
        .encode(&decoder.prompt_text(prompt, true).unwrap())
        .unwrap();
    let mut generation = Generation::new(decoder, ids, options).unwrap();
    while generation.finished().is_none() {
        generation.advance(decoder).unwrap();
    }
    generation
}

#[test]
fn the_model_ends_its_turn_unless_told_to_ignore_the_end_token() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    let options = GenerateOptions {
        max_new_tokens: 20,
        ..Default::default()
    };
    let answer = run(&decoder, "What is 2 + 2?", options.clone());
    // The wording sits at a near tie ("The answer is 4." / "The answer to this classic math
    // problem is 4."), which the order of float additions can flip; the answer and the end can't.
    assert!(answer.output().ends_with(" 4."), "{:?}", answer.output());
    assert_eq!(answer.finished(), Some(Finish::End));
    assert!(decoder.is_end_token(*answer.generated().last().unwrap()));

    let on = run(
        &decoder,
        "What is 2 + 2?",
        GenerateOptions {
            ignore_end: true,
            ..options
        },
    );
    assert_eq!(on.generated().len(), 20);
    assert_eq!(on.finished(), Some(Finish::Length));
    assert!(
        on.output().starts_with(answer.output()),
        "{:?}",
        on.output()
    );
    assert_eq!(
        on.generated()[..answer.generated().len()],
        *answer.generated()
    );
}
