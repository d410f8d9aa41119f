//! The encoder's mechanics on a tiny random-weight BERT: shapes, masking, pooling,
//! truncation, refusals.

mod common;

use bert_vs_gpt::encoder::Encoder;
use bert_vs_gpt::error::Error;
use bert_vs_gpt::lessons::vectors::dot;
use common::tiny_bert;

fn row(vectors: &[f32], dim: usize, i: usize) -> &[f32] {
    &vectors[i * dim..(i + 1) * dim]
}

#[test]
fn each_text_becomes_one_unit_vector_of_the_model_width() {
    let encoder = Encoder::from_files(&tiny_bert(16).borrow()).unwrap();
    let out = encoder
        .embed(&["the cat sat", "a dog ran", "the big red cat sat on a mat"])
        .unwrap();
    assert_eq!(out.dim, 8);
    assert_eq!(out.vectors.len(), 3 * 8);
    for i in 0..3 {
        let v = row(&out.vectors, 8, i);
        assert!((dot(v, v) - 1.0).abs() < 1e-5);
    }
    assert_eq!(out.token_counts, vec![5, 5, 10]);
    assert_eq!(out.truncated, vec![false, false, false]);
}

#[test]
fn padding_in_a_batch_changes_nothing() {
    // The short text is padded to the long one's length inside the batch; masked attention
    // and masked pooling must make that invisible.
    let encoder = Encoder::from_files(&tiny_bert(16).borrow()).unwrap();
    let short = "the cat";
    let long = "the big red dog sat on a mat and the cat ran";
    let alone = encoder.embed(&[short]).unwrap();
    let batched = encoder.embed(&[long, short, long]).unwrap();
    for (a, b) in alone.vectors.iter().zip(row(&batched.vectors, 8, 1)) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
    assert_eq!(row(&batched.vectors, 8, 0), row(&batched.vectors, 8, 2));
}

#[test]
fn results_come_back_in_input_order_whatever_the_batching() {
    // Nine texts of mixed lengths are sorted by length into two padded batches inside
    // `embed`; each must still get exactly the vector it gets alone, in its own row.
    let encoder = Encoder::from_files(&tiny_bert(16).borrow()).unwrap();
    let texts = [
        "the big red dog sat on a mat",
        "cat",
        "the cat sat",
        "a dog ran and the cat sat",
        "mat",
        "the red cat",
        "dogs ran",
        "a big big big red mat",
        "on",
    ];
    let together = encoder.embed(&texts).unwrap();
    for (i, text) in texts.iter().enumerate() {
        let alone = encoder.embed(&[text]).unwrap();
        for (a, b) in row(&together.vectors, 8, i).iter().zip(&alone.vectors) {
            assert!((a - b).abs() < 1e-5, "{text}: {a} vs {b}");
        }
        assert_eq!(together.token_counts[i], alone.token_counts[0]);
    }
}

#[test]
fn long_texts_are_cut_at_max_tokens_and_flagged() {
    let encoder = Encoder::from_files(&tiny_bert(6).borrow()).unwrap();
    assert_eq!(encoder.max_tokens(), 6);
    let out = encoder.embed(&["the cat sat on a mat", "the cat"]).unwrap();
    assert_eq!(out.token_counts, vec![6, 4]);
    assert_eq!(out.truncated, vec![true, false]);
    // The whole text can still be shown and counted.
    let (ids, tokens) = encoder.tokens("the cat sat on a mat").unwrap();
    assert_eq!(ids.len(), 8);
    assert_eq!(tokens.first().map(String::as_str), Some("[CLS]"));
    // Only the first four words count: the cut text embeds like its prefix.
    let prefix = encoder.embed(&["the cat sat on"]).unwrap();
    for (a, b) in row(&out.vectors, 8, 0).iter().zip(&prefix.vectors) {
        assert!((a - b).abs() < 1e-5);
    }
}

#[test]
fn empty_lists_and_blank_texts_are_refused_with_their_position() {
    let encoder = Encoder::from_files(&tiny_bert(16).borrow()).unwrap();
    assert!(matches!(encoder.embed::<&str>(&[]), Err(Error::NoTexts)));
    match encoder.embed(&["the cat", " \n\t "]) {
        Err(e @ Error::BlankText { index: 1 }) => assert!(e.to_string().contains("text 1")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn odd_unicode_embeds() {
    let encoder = Encoder::from_files(&tiny_bert(16).borrow()).unwrap();
    let out = encoder
        .embed(&[
            "猫 🐈‍⬛",
            "\u{202e}right-to-left\u{202c}",
            "\u{0007}bell",
            "e\u{301}",
        ])
        .unwrap();
    assert!(out.vectors.iter().all(|x| x.is_finite()));
}

#[test]
fn a_bad_file_is_named_in_the_error() {
    let good = tiny_bert(16);
    let check = |mutate: &dyn Fn(&mut common::OwnedEncoderFiles), file: &str| {
        let mut files = tiny_bert(16);
        mutate(&mut files);
        let message = Encoder::from_files(&files.borrow())
            .err()
            .expect("must fail")
            .to_string();
        assert!(message.contains(file), "{message:?} should name {file}");
    };
    check(&|f| f.weights.truncate(100), "model.safetensors");
    check(
        &|f| f.weights = b"not safetensors".to_vec(),
        "model.safetensors",
    );
    check(&|f| f.config = b"{}".to_vec(), "config.json");
    // Weights of a different width than the config says.
    check(
        &|f| {
            f.config = String::from_utf8(good.config.clone())
                .unwrap()
                .replace("\"hidden_size\":8", "\"hidden_size\":4")
                .into_bytes()
        },
        "model.safetensors",
    );
    check(&|f| f.tokenizer = b"[]".to_vec(), "tokenizer.json");
    check(
        &|f| f.sentence_config = b"{}".to_vec(),
        "sentence_bert_config.json",
    );
}
