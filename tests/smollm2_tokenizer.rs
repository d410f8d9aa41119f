//! The tokenizer rebuilt from the GGUF against llama.cpp's own (tests/fixtures/
//! smollm2_reference.py): the same ids for every string, and decode(encode(x)) == x.

mod common;

use bert_vs_gpt::decoder::Decoder;

#[test]
fn ids_equal_llama_cpp_and_decoding_round_trips() {
    let reference: common::Smollm2Reference = common::fixture("smollm2_reference.json");
    assert!(reference.tokenizer.len() >= 25);
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    for case in &reference.tokenizer {
        let ids = decoder.encode(&case.text).unwrap();
        assert_eq!(ids, case.ids, "{:?}", case.text);
        assert_eq!(decoder.decode(&ids).unwrap(), case.text);
    }
    for case in &reference.prompts {
        assert_eq!(
            decoder.encode(&case.text).unwrap(),
            case.ids,
            "{:?}",
            case.text
        );
    }
}

#[test]
fn chat_prompts_equal_the_template_rendered_by_jinja2() {
    let reference: common::Smollm2Reference = common::fixture("smollm2_reference.json");
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    for case in &reference.prompts {
        assert_eq!(
            decoder.prompt_text(&case.prompt, case.chat).unwrap(),
            case.text
        );
    }
    let chat = decoder.prompt_text("Hi", true).unwrap();
    assert!(
        chat.starts_with("<|im_start|>system\nYou are a helpful AI assistant named SmolLM"),
        "{chat:?}"
    );
    assert!(
        chat.ends_with("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"),
        "{chat:?}"
    );
}

#[test]
fn control_markers_are_single_tokens_and_partial_characters_show_as_bytes() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    assert_eq!(decoder.encode("<|im_start|>").unwrap(), vec![1]);
    assert_eq!(decoder.token_text(2), "<|im_end|>");
    assert_eq!(
        decoder.token_text(decoder.encode(" Paris").unwrap()[0]),
        " Paris"
    );
    // A CJK character rarer than the merges: at least one of its tokens is a lone byte.
    let shown: Vec<String> = decoder
        .encode("龘")
        .unwrap()
        .iter()
        .map(|&id| decoder.token_text(id))
        .collect();
    assert!(shown.iter().any(|s| s.starts_with("<0x")), "{shown:?}");
}
