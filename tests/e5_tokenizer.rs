//! multilingual-e5's tokenizer with its Unigram over sorted pieces (src/encoder/unigram.rs) gives the
//! same tokens as `tokenizers`' own Unigram on the real 250,002-piece vocabulary, over texts
//! in many scripts, odd Unicode and the benchmark's sentences.

mod common;

use bert_vs_gpt::encoder::QUERY_PREFIX;
use tokenizers::Tokenizer;

fn texts() -> Vec<String> {
    let mut texts: Vec<String> = [
        "为什么是 ChatGPT 而不是 BERT 掀起了 AI 浪潮？",
        "北京是中国的首都。上海是最大的城市，人口超过两千四百万。",
        "Mixed 中文, العربية, русский, 日本語のテキスト and code: fn main() {}",
        "Ünïcödé with combining e\u{301} and ﬁ ligatures, ＦＵＬＬＷＩＤＴＨ ｋａｔａｋａｎａ ｶﾀｶﾅ",
        "emoji 👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇨🇳 and symbols ∑∫√ ©®™ — “quotes”",
        "bell\u{7} nul\u{0} tab\t newline\n  many   spaces   ",
        "한국어 문장입니다. ภาษาไทยไม่มีช่องว่าง हिन्दी वाक्य Ελληνικά ქართული",
        "𠜎𠜱𠝹𠱓 rare CJK extension B, and private use \u{E000}\u{F8FF}",
        "supercalifragilisticexpialidocious antidisestablishmentarianism",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    texts.push("The quick brown fox jumps over the lazy dog. ".repeat(40));
    texts.extend(
        std::fs::read_to_string(common::repo_path("tests/e5_reference/texts.txt"))
            .unwrap()
            .lines()
            .map(str::to_string),
    );
    let workloads: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo_path("bench/workloads.json")).unwrap(),
    )
    .unwrap();
    texts.extend(
        workloads["embed"]["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string()),
    );
    texts
}

#[test]
fn the_sorted_unigram_splits_as_tokenizers_does() {
    let tokenizer = common::e5().1;
    let encoder = common::e5_encoder();
    let reference = Tokenizer::from_bytes(&tokenizer).unwrap();
    let texts = texts();
    assert!(texts.len() > 80);
    for text in texts {
        let expected = reference
            .encode(format!("{QUERY_PREFIX}{text}"), true)
            .unwrap();
        let (ids, tokens) = encoder.tokens(&text).unwrap();
        assert_eq!(ids, expected.get_ids(), "{text:?}");
        assert_eq!(tokens, expected.get_tokens(), "{text:?}");
    }
}
