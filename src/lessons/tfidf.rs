//! Paradigm 1 of the essay, hand-made features: TF-IDF over word 1–2-grams for English and
//! character 1–2-grams for Chinese, as scikit-learn's `TfidfVectorizer` computes them (raw
//! counts, smoothed idf `ln((1 + n) / (1 + df)) + 1`, each row scaled to length 1) with one
//! analyzer for both scripts: a text is cut into tokens — each Han character alone, every other
//! run of letters and digits whole, lowercased — and its features are the tokens and each pair
//! of neighbouring tokens. So English gets word bigrams and Chinese character bigrams, and a
//! mixed text both. tests/fixtures/classify_reference.py runs scikit-learn with this analyzer.

use std::collections::HashMap;

/// A text's features, each with its weight: sorted by feature index, length 1 (or empty).
pub type SparseRow = Vec<(u32, f32)>;

/// Whether `c` is a Han (Chinese) character: the CJK Unified Ideographs, extension A, the
/// compatibility ideographs and the supplementary planes' extensions.
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// A text's tokens: each Han character alone, every other run of alphanumeric characters
/// whole, lowercased; everything else separates.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if is_han(c) || !c.is_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if is_han(c) {
                out.push(c.to_string());
            }
        } else {
            word.extend(c.to_lowercase());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// A text's features: its tokens, then each pair of neighbouring tokens joined by a space.
pub fn features(text: &str) -> Vec<String> {
    let tokens = tokens(text);
    let pairs = tokens.windows(2).map(|pair| pair.join(" "));
    let mut out = tokens.clone();
    out.extend(pairs);
    out
}

/// A vocabulary and its idf, learnt from the training texts only.
#[derive(Debug, Clone)]
pub struct Tfidf {
    index: HashMap<String, u32>,
    /// Features in index order (sorted, as scikit-learn's vocabulary).
    names: Vec<String>,
    idf: Vec<f32>,
}

impl Tfidf {
    /// Learns the vocabulary (every feature of the training texts) and each feature's idf.
    pub fn fit<S: AsRef<str>>(texts: &[S]) -> Self {
        let mut df: HashMap<String, usize> = HashMap::new();
        for text in texts {
            let mut seen = features(text.as_ref());
            seen.sort_unstable();
            seen.dedup();
            for feature in seen {
                *df.entry(feature).or_default() += 1;
            }
        }
        let mut names: Vec<String> = df.keys().cloned().collect();
        names.sort_unstable();
        let n = texts.len() as f64;
        let idf = names
            .iter()
            .map(|name| (((1.0 + n) / (1.0 + df[name] as f64)).ln() + 1.0) as f32)
            .collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i as u32))
            .collect();
        Self { index, names, idf }
    }

    /// Features in the vocabulary.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The feature at `index`.
    pub fn name(&self, index: u32) -> &str {
        &self.names[index as usize]
    }

    /// `text` as TF-IDF weights over the vocabulary (features not in it are dropped), scaled to
    /// length 1.
    pub fn transform(&self, text: &str) -> SparseRow {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for feature in features(text) {
            if let Some(&i) = self.index.get(&feature) {
                *counts.entry(i).or_default() += 1.0;
            }
        }
        let mut row: SparseRow = counts
            .into_iter()
            .map(|(i, count)| (i, count * self.idf[i as usize]))
            .collect();
        row.sort_unstable_by_key(|&(i, _)| i);
        let norm = row.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_and_chinese_characters_with_their_neighbours() {
        assert_eq!(
            tokens("The cat's 2 hats!"),
            ["the", "cat", "s", "2", "hats"]
        );
        assert_eq!(
            tokens("我爱ChatGPT模型"),
            ["我", "爱", "chatgpt", "模", "型"]
        );
        assert_eq!(features("Big cats"), ["big", "cats", "big cats"]);
        assert_eq!(features("猫吃鱼"), ["猫", "吃", "鱼", "猫 吃", "吃 鱼"]);
        assert!(features("  ,.! ").is_empty());
    }

    #[test]
    fn idf_and_unit_rows_as_scikit_learn_defines_them() {
        let tfidf = Tfidf::fit(&["a b", "a c", "a a"]);
        // Features: a, a a, a b, a c, b, c.
        assert_eq!(tfidf.len(), 6);
        assert_eq!(tfidf.name(0), "a");
        // "a" is in all 3 texts: idf = ln(4/4) + 1 = 1; "b" in one: ln(4/2) + 1.
        let row = tfidf.transform("a b z");
        let b = 1.0 + 2f32.ln();
        let norm = (1.0 + b * b + b * b).sqrt(); // a, b and "a b" (idf like b)
        assert_eq!(row.len(), 3, "{row:?}");
        assert!((row[0].1 - 1.0 / norm).abs() < 1e-6);
        assert!((row.iter().map(|&(_, v)| v * v).sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(tfidf.transform("zzz").is_empty());
    }
}
