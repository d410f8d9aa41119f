//! Gemma 3's SentencePiece tokenizer, rebuilt from the GGUF, against llama.cpp's own
//! (tests/fixtures/gemma3_reference.py): the same ids on every string (Chinese, Japanese,
//! Korean, emoji, code, runs of spaces and newlines, digits, the special markers), BOS put first
//! as the file asks, and decode(encode(x)) == x.

mod common;

use bert_vs_gpt::decoder::Decoder;

#[test]
fn ids_equal_llama_cpp_and_decoding_round_trips() {
    let reference: common::Gemma3Reference = common::fixture("gemma3_reference.json");
    assert!(reference.tokenizer.len() >= 30);
    let decoder = Decoder::from_gguf(common::gemma3()).unwrap();
    let bos = 2;
    let mut wrong = Vec::new();
    for case in &reference.tokenizer {
        let ids = decoder.encode(&case.text).unwrap();
        // llama.cpp's ids are without the BOS the decoder adds, unless the text writes it.
        let written_bos = case.ids.first() == Some(&bos);
        let expected: Vec<u32> = match written_bos {
            true => case.ids.clone(),
            false => std::iter::once(bos)
                .chain(case.ids.iter().copied())
                .collect(),
        };
        if ids != expected {
            wrong.push(format!(
                "{:?}: ours {ids:?}, llama.cpp {expected:?}",
                case.text
            ));
            continue;
        }
        let text = decoder.decode(&ids[usize::from(!written_bos)..]).unwrap();
        assert_eq!(text, case.text, "round trip");
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        reference.tokenizer.len(),
        wrong.join("\n")
    );
    for text in &reference.texts {
        assert_eq!(
            decoder.encode(&text.text).unwrap(),
            text.ids,
            "{}",
            text.name
        );
    }
}

#[test]
fn pieces_show_spaces_and_whole_characters() {
    let decoder = Decoder::from_gguf(common::gemma3()).unwrap();
    let ids = decoder.encode("你好 world").unwrap();
    let shown: Vec<String> = ids.iter().map(|&id| decoder.token_text(id)).collect();
    assert_eq!(shown.first().map(String::as_str), Some("<bos>"));
    assert_eq!(shown[1..].concat(), "你好 world");
    // A character outside the vocabulary is spelt in bytes: each shown as <0xXX>.
    let rare = decoder.encode("𠮷").unwrap();
    assert_eq!(rare.len(), 5, "{rare:?}");
    assert!(decoder.token_text(rare[1]).starts_with("<0x"));
}
