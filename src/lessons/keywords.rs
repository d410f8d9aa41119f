//! KeyBERT: the keywords of a document are the candidate phrases whose embeddings sit closest
//! to the document's own embedding. Maximal marginal relevance (MMR) trades that closeness
//! for variety, so the list is not five spellings of one idea. As KeyBERT does it
//! (<https://github.com/MaartenGr/KeyBERT/blob/master/keybert/_mmr.py>).

use std::collections::HashSet;
use std::io::BufReader;
use std::sync::OnceLock;

use flate2::read::GzDecoder;
use jieba_rs::Jieba;

use crate::encoder::Encoder;
use crate::error::{Error, Result};
use crate::lessons::vectors::{cosine, Rows};

/// scikit-learn's English stop words, which KeyBERT removes before forming phrases.
const STOP_WORDS_EN: &str = include_str!("data/stop_words_en.txt");
/// Common Chinese function characters: a Chinese word made only of these (我们, 这个) is not a
/// candidate, as English stop words are not.
const STOP_CHARS_ZH: &str = include_str!("data/stop_chars_zh.txt");

/// jieba's dictionary (349,046 words with their frequencies), as jieba-rs 0.11.0 ships it
/// (src/data/dict.txt, MIT), gzipped.
const JIEBA_DICTIONARY: &[u8] = include_bytes!("data/jieba_dict.txt.gz");

/// jieba's segmenter, built on first use: Chinese has no spaces, and character n-grams cut
/// words in half (提取关, 键词).
fn segmenter() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut dictionary = BufReader::new(GzDecoder::new(JIEBA_DICTIONARY));
        Jieba::with_dict(&mut dictionary).expect("the shipped dictionary is tested to parse")
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Candidate phrases, each once: the Chinese ones, then English 1-word phrases, 2-word ones…
///
/// Words (letters and digits, at least two, lowercased, as scikit-learn's CountVectorizer
/// reads them) become 1…`max_words`-word phrases after stop words are removed. Runs of
/// Chinese characters are cut into words by jieba (as KeyBERT's Chinese examples do, with
/// jieba as the CountVectorizer's tokenizer); words of two or more characters that are not
/// only function characters become 1…`max_words`-word phrases within their run, written
/// without spaces.
pub fn candidates(document: &str, max_words: usize) -> Vec<String> {
    let stop_words: HashSet<&str> = STOP_WORDS_EN.lines().collect();
    let stop_chars: HashSet<char> = STOP_CHARS_ZH
        .lines()
        .filter_map(|l| l.chars().next())
        .collect();
    let mut words: Vec<String> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |phrase: String, found: &mut Vec<String>| {
        if seen.insert(phrase.clone()) {
            found.push(phrase);
        }
    };

    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, words: &mut Vec<String>| {
        if word.chars().count() >= 2 && !stop_words.contains(word.as_str()) {
            words.push(std::mem::take(word));
        }
        word.clear();
    };
    let mut flush_run = |run: &mut Vec<char>, found: &mut Vec<String>| {
        if run.is_empty() {
            return;
        }
        let text: String = run.iter().collect();
        let words: Vec<&str> = segmenter()
            .cut(&text, true)
            .into_iter()
            .map(|token| token.word)
            .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| stop_chars.contains(&c)))
            .collect();
        for n in 1..=max_words.max(1) {
            for window in words.windows(n) {
                push(window.concat(), found);
            }
        }
        run.clear();
    };
    for c in document.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut words);
            run.push(c);
        } else {
            flush_run(&mut run, &mut found);
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                flush_word(&mut word, &mut words);
            }
        }
    }
    flush_word(&mut word, &mut words);
    flush_run(&mut run, &mut found);

    let mut phrases = Vec::new();
    for n in 1..=max_words.max(1) {
        for window in words.windows(n) {
            phrases.push(window.join(" "));
        }
    }
    for phrase in phrases {
        push(phrase, &mut found);
    }
    found
}

/// A chosen candidate (its row in the candidates) and its cosine similarity to the document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keyword {
    pub index: usize,
    pub score: f32,
}

/// Maximal marginal relevance: starts from the candidate closest to the document, then
/// repeatedly takes the one maximising (1 − diversity)·sim(document) − diversity·(its
/// highest similarity to those already taken). Diversity 0 ranks by similarity alone.
pub fn mmr(document: &[f32], candidates: Rows, top: usize, diversity: f32) -> Result<Vec<Keyword>> {
    if !(0.0..=1.0).contains(&diversity) {
        return Err(Error::BadArgument {
            what: "diversity",
            expected: "between 0 and 1",
            got: diversity.to_string(),
        });
    }
    let relevance: Vec<f32> = candidates.iter().map(|c| cosine(document, c)).collect();
    let mut chosen: Vec<Keyword> = Vec::new();
    let mut redundancy = vec![f32::NEG_INFINITY; candidates.len()];
    while chosen.len() < top.min(candidates.len()) {
        let best = (0..candidates.len())
            .filter(|i| !chosen.iter().any(|k| k.index == *i))
            .map(|i| match chosen.is_empty() {
                // The first keyword is always the most relevant phrase, whatever the diversity.
                true => (i, relevance[i]),
                false => (
                    i,
                    (1.0 - diversity) * relevance[i] - diversity * redundancy[i],
                ),
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i);
        let Some(index) = best else { break };
        let taken = candidates.row(index)?;
        for (i, row) in candidates.iter().enumerate() {
            redundancy[i] = redundancy[i].max(cosine(taken, row));
        }
        chosen.push(Keyword {
            index,
            score: relevance[index],
        });
    }
    Ok(chosen)
}

/// A document and its candidate phrases, embedded once, so that changing how many keywords
/// or how much diversity only reruns MMR.
pub struct KeywordCandidates {
    pub phrases: Vec<String>,
    document: Vec<f32>,
    vectors: Vec<f32>,
    dim: usize,
}

/// A keyword: the phrase and its cosine similarity to the document.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedPhrase {
    pub phrase: String,
    pub score: f32,
}

impl KeywordCandidates {
    /// Embeds `document` and its candidates (see [`candidates`]) with `encoder`; at most
    /// `limit` candidates, the first found.
    pub fn new(encoder: &Encoder, document: &str, max_words: usize, limit: usize) -> Result<Self> {
        let mut phrases = candidates(document, max_words);
        if phrases.is_empty() {
            return Err(Error::BadArgument {
                what: "the document",
                expected: "text with words of two or more letters, or Chinese",
                got: format!("{:?}", document.chars().take(40).collect::<String>()),
            });
        }
        phrases.truncate(limit);
        let document = encoder.embed(&[document])?.vectors;
        let embedded = encoder.embed(&phrases)?;
        Ok(Self {
            phrases,
            document,
            vectors: embedded.vectors,
            dim: embedded.dim,
        })
    }

    /// The `top` keywords at this `diversity` (0 = closest to the document, up to 1).
    pub fn pick(&self, top: usize, diversity: f32) -> Result<Vec<RankedPhrase>> {
        let rows = Rows::new(&self.vectors, self.dim)?;
        Ok(mmr(&self.document, rows, top, diversity)?
            .into_iter()
            .map(|k| RankedPhrase {
                phrase: self.phrases[k.index].clone(),
                score: k.score,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_phrases_skip_stop_words_and_short_tokens() {
        let found = candidates("The quick brown fox: a fox, quickly!", 2);
        assert_eq!(
            found,
            vec![
                "quick",
                "brown",
                "fox",
                "quickly",
                "quick brown",
                "brown fox",
                "fox fox",
                "fox quickly"
            ]
        );
    }

    #[test]
    fn chinese_runs_are_cut_into_words_and_function_words_are_left_out() {
        let found = candidates("我们用机器学习的方法提取关键词", 2);
        assert_eq!(
            found,
            vec![
                "机器",
                "学习",
                "方法",
                "提取",
                "关键词",
                "机器学习",
                "学习方法",
                "方法提取",
                "提取关键词"
            ]
        );
    }

    #[test]
    fn jieba_rs_cuts_as_python_jieba_does() {
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/jieba_reference.json"))
                .unwrap();
        for case in reference["cases"].as_array().unwrap() {
            let text = case["text"].as_str().unwrap();
            let words: Vec<&str> = case["words"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap())
                .collect();
            let cut: Vec<&str> = segmenter()
                .cut(text, true)
                .into_iter()
                .map(|t| t.word)
                .collect();
            assert_eq!(cut, words, "{text}");
        }
    }

    #[test]
    fn mixed_text_gives_both_kinds() {
        let found = candidates("GPU 加速 deep learning", 2);
        assert_eq!(
            found,
            vec![
                "加速",
                "gpu",
                "deep",
                "learning",
                "gpu deep",
                "deep learning"
            ]
        );
    }

    #[test]
    fn mmr_without_diversity_ranks_by_similarity_and_with_it_spreads_out() {
        // The document points along x; two near-duplicates close to it, one different
        // candidate a little further.
        let document = [1.0, 0.0, 0.0];
        let data = [0.9, 0.1, 0.0, 0.9, 0.12, 0.0, 0.7, 0.0, 0.7];
        let rows = Rows::new(&data, 3).unwrap();
        let plain: Vec<usize> = mmr(&document, rows, 2, 0.0)
            .unwrap()
            .iter()
            .map(|k| k.index)
            .collect();
        assert_eq!(plain, vec![0, 1]);
        let diverse: Vec<usize> = mmr(&document, rows, 2, 0.7)
            .unwrap()
            .iter()
            .map(|k| k.index)
            .collect();
        assert_eq!(diverse, vec![0, 2]);
        let all_diversity: Vec<usize> = mmr(&document, rows, 2, 1.0)
            .unwrap()
            .iter()
            .map(|k| k.index)
            .collect();
        assert_eq!(all_diversity, vec![0, 2]);
        assert!(mmr(&document, rows, 2, 1.5).is_err());
        assert_eq!(mmr(&document, rows, 10, 0.5).unwrap().len(), 3);
    }
}
