//! The lessons' computations on the real models: the essay's examples must come out as the
//! page claims (and where a model gets one wrong, the page says so; these are the ones it
//! gets right).

mod common;

use bert_vs_gpt::decoder::Decoder;
use bert_vs_gpt::encoder::Encoder;
use bert_vs_gpt::lessons::classify::{centroids, nearest_centroid};
use bert_vs_gpt::lessons::keywords::KeywordCandidates;
use bert_vs_gpt::lessons::vectors::{nearest_neighbour_accuracy, Rows};
use bert_vs_gpt::lessons::vocabulary::Vocabulary;

fn json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(common::repo_path(path)).unwrap()).unwrap()
}

#[test]
fn the_essays_analogies_land_on_the_expected_words() {
    let encoder = Encoder::from_files(&common::minilm().borrow()).unwrap();
    let words: Vec<String> =
        serde_json::from_value(json("www/data/vocabulary.json")["en"].clone()).unwrap();
    let vocabulary = Vocabulary::new(&encoder, &words).unwrap();
    for (a, b, c, expected) in [
        ("Washington", "US", "France", "Paris"),
        ("king", "man", "woman", "queen"),
        ("Tokyo", "Japan", "China", "Beijing"),
        ("walked", "walk", "swim", "swimming"),
    ] {
        let answer = vocabulary.analogy(&encoder, a, b, c, 5).unwrap();
        assert_eq!(
            answer.results[0].0, expected,
            "{a} − {b} + {c}: {:?}",
            answer.results
        );
        assert!(answer
            .results
            .iter()
            .all(|(w, _)| ![a, b, c].contains(&w.as_str())));
        assert_eq!(answer.points.len(), (4 + 5) * 384);
    }
}

#[test]
fn keybert_finds_the_topic_of_a_document() {
    let encoder = Encoder::from_files(&common::minilm().borrow()).unwrap();
    let document = "Photosynthesis lets plants turn sunlight, water and carbon dioxide into glucose and oxygen. \
                    Chlorophyll in the leaves absorbs the light that drives the reaction.";
    let candidates = KeywordCandidates::new(&encoder, document, 3, 500).unwrap();
    let top = candidates.pick(5, 0.0).unwrap();
    assert!(
        top.iter().any(|k| k.phrase.contains("photosynthesis")),
        "{top:?}"
    );
    assert!(top.windows(2).all(|w| w[0].score >= w[1].score));
    let diverse = candidates.pick(5, 0.8).unwrap();
    assert_eq!(
        diverse[0], top[0],
        "MMR starts from the closest phrase either way"
    );
    assert_ne!(diverse, top);
}

#[test]
fn embeddings_classify_the_roi_task_and_both_models_group_topics() {
    let encoder = Encoder::from_files(&common::minilm().borrow()).unwrap();
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    let task = json("www/data/topics.json");
    let texts: Vec<&str> = task["en"]["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    let labels: Vec<usize> = task["en"]["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_u64().unwrap() as usize)
        .collect();
    let train: Vec<bool> = task["en"]["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["train"].as_bool().unwrap())
        .collect();

    let embedded = encoder.embed(&texts).unwrap();
    let rows = Rows::new(&embedded.vectors, embedded.dim).unwrap();
    let pick = |keep: bool| -> (Vec<f32>, Vec<usize>) {
        let chosen: Vec<usize> = (0..texts.len()).filter(|&i| train[i] == keep).collect();
        (
            chosen
                .iter()
                .flat_map(|&i| rows.row(i).unwrap().to_vec())
                .collect(),
            chosen.iter().map(|&i| labels[i]).collect(),
        )
    };
    let (train_vectors, train_labels) = pick(true);
    let (test_vectors, test_labels) = pick(false);
    let c = centroids(Rows::new(&train_vectors, 384).unwrap(), &train_labels).unwrap();
    let predicted = nearest_centroid(
        Rows::new(&c, 384).unwrap(),
        Rows::new(&test_vectors, 384).unwrap(),
    );
    let right = predicted
        .iter()
        .zip(&test_labels)
        .filter(|(p, t)| p == t)
        .count();
    assert!(right >= 19, "{right}/21");

    // Mean-pooled decoder states also group the topics (the lesson compares how well).
    let decoded = decoder.embed(&texts).unwrap();
    assert_eq!(decoded.dim, 576);
    let accuracy =
        nearest_neighbour_accuracy(Rows::new(&decoded.vectors, 576).unwrap(), &labels).unwrap();
    assert!(accuracy > 0.8, "{accuracy}");
}
