//! Word arithmetic over a vocabulary: the embeddings of a word list, kept so that many
//! analogies (A − B + C ≈ ?) can be asked of it without embedding it again.

use crate::encoder::Encoder;
use crate::error::{Error, Result};
use crate::lessons::vectors::{analogy_query, nearest, Rows};

pub struct Vocabulary {
    words: Vec<String>,
    vectors: Vec<f32>,
    dim: usize,
}

/// An answer to A − B + C: the candidates nearest the query, best first, and the vectors of
/// A, B, C, the query and those candidates (for drawing them), in that order.
#[derive(Debug, Clone)]
pub struct Analogy {
    pub results: Vec<(String, f32)>,
    pub points: Vec<f32>,
    pub dim: usize,
}

impl Vocabulary {
    /// Embeds `words` (blank entries and repeats dropped).
    pub fn new(encoder: &Encoder, words: &[String]) -> Result<Self> {
        let mut unique: Vec<String> = Vec::new();
        for word in words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
            if !unique.iter().any(|u| u == word) {
                unique.push(word.to_string());
            }
        }
        let embedded = encoder.embed(&unique)?;
        Ok(Self {
            words: unique,
            vectors: embedded.vectors,
            dim: embedded.dim,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The `k` vocabulary words nearest to A − B + C, leaving A, B and C themselves out (as
    /// word2vec's analogy test does: otherwise the answer is usually C).
    pub fn analogy(
        &self,
        encoder: &Encoder,
        a: &str,
        b: &str,
        c: &str,
        k: usize,
    ) -> Result<Analogy> {
        let terms = [a.trim(), b.trim(), c.trim()];
        if let Some(blank) = terms.iter().position(|t| t.is_empty()) {
            return Err(Error::BlankText { index: blank });
        }
        let embedded = encoder.embed(&terms)?;
        let term = |i: usize| &embedded.vectors[i * self.dim..(i + 1) * self.dim];
        let query = analogy_query(term(0), term(1), term(2));
        let exclude: Vec<usize> = (0..self.words.len())
            .filter(|&i| terms.iter().any(|t| t.eq_ignore_ascii_case(&self.words[i])))
            .collect();
        let rows = Rows::new(&self.vectors, self.dim)?;
        let found = nearest(rows, &query, k, &exclude);
        let mut points = embedded.vectors.clone();
        points.extend_from_slice(&query);
        for n in &found {
            points.extend_from_slice(rows.row(n.index)?);
        }
        Ok(Analogy {
            results: found
                .iter()
                .map(|n| (self.words[n.index].clone(), n.score))
                .collect(),
            points,
            dim: self.dim,
        })
    }
}
