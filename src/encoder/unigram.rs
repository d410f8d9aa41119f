//! SentencePiece Unigram segmentation as a `tokenizers` model, over a sorted index of the
//! pieces. `tokenizers`' own `Unigram` keeps its pieces in a trie with a hash map per node:
//! building it for XLM-R's 250,002 pieces was most of multilingual-e5's warm load in the page,
//! where sorting them is quick (docs/performance.md). The segmentation is `tokenizers`'
//! (`Unigram::encode_optimized` in
//! <https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/models/unigram/model.rs>:
//! the best-scoring split of each word, pieces tried shortest first, runs of unknown characters
//! fused into one `<unk>`), and the tests hold it to the same tokens. The normaliser,
//! pre-tokenizer, special tokens and post-processor around it stay `tokenizers`' own (see
//! [`UnigramTokenizer`]).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tokenizers::models::unigram::UnigramTrainer;
use tokenizers::{
    DecoderWrapper, Model, NormalizerWrapper, PostProcessorWrapper, PreTokenizerWrapper, Token,
    TokenizerImpl,
};

/// What `tokenizers` adds to the lowest piece score for an unknown character.
const UNKNOWN_PENALTY: f64 = 10.0;

/// A whole `tokenizers` pipeline around [`SortedUnigram`], read from a tokenizer.json whose
/// model is a Unigram.
pub type UnigramTokenizer = TokenizerImpl<
    SortedUnigram,
    NormalizerWrapper,
    PreTokenizerWrapper,
    PostProcessorWrapper,
    DecoderWrapper,
>;

/// The pieces with their log-probabilities, and their ids sorted by the pieces' bytes.
#[derive(Deserialize)]
#[serde(try_from = "UnigramJson")]
pub struct SortedUnigram {
    pieces: Vec<(String, f64)>,
    by_bytes: Vec<u32>,
    unknown: u32,
    unknown_score: f64,
}

/// The "model" of a tokenizer.json, as `tokenizers` writes a Unigram.
#[derive(Deserialize)]
struct UnigramJson {
    unk_id: Option<usize>,
    vocab: Vec<(String, f64)>,
    #[serde(default)]
    byte_fallback: bool,
}

impl TryFrom<UnigramJson> for SortedUnigram {
    type Error = String;

    fn try_from(json: UnigramJson) -> Result<Self, String> {
        if json.byte_fallback {
            return Err("Unigram models with byte fallback are not supported".into());
        }
        SortedUnigram::new(json.vocab, json.unk_id.unwrap_or(usize::MAX))
    }
}

/// One node of the best-path search: the best split of the text up to here.
#[derive(Clone, Copy)]
struct Best {
    score: f64,
    /// Where the last piece of that split starts (None: not reached yet) and its id.
    start: Option<usize>,
    id: u32,
}

impl SortedUnigram {
    /// The model of `pieces` (piece, score), `unknown` being the id of `<unk>`.
    pub fn new(pieces: Vec<(String, f64)>, unknown: usize) -> Result<Self, String> {
        if unknown >= pieces.len() {
            return Err(format!(
                "the unknown token's id {unknown} is not among the {} pieces",
                pieces.len()
            ));
        }
        let lowest = pieces
            .iter()
            .map(|(_, score)| *score)
            .fold(f64::INFINITY, f64::min);
        let mut by_bytes: Vec<u32> = (0..pieces.len() as u32).collect();
        // Equal pieces keep id order, so the last of them is found last (tokenizers maps a
        // piece to its last id).
        by_bytes.sort_by(|&a, &b| {
            pieces[a as usize]
                .0
                .as_bytes()
                .cmp(pieces[b as usize].0.as_bytes())
        });
        Ok(Self {
            pieces,
            by_bytes,
            unknown: unknown as u32,
            unknown_score: lowest - UNKNOWN_PENALTY,
        })
    }

    fn piece(&self, id: u32) -> &[u8] {
        self.pieces[id as usize].0.as_bytes()
    }

    /// Calls `found(length, id)` for every piece that `text` starts with, shortest first. Among
    /// the pieces sharing `text`'s first n − 1 bytes (a range of `by_bytes`), the one that is
    /// exactly those bytes sorts first, then the rest by their n-th byte.
    fn prefixes_of(&self, text: &[u8], mut found: impl FnMut(usize, u32)) {
        let (mut low, mut high) = (0, self.by_bytes.len());
        for length in 1..=text.len() {
            let byte = Some(text[length - 1]);
            let at = |id: &u32| self.piece(*id).get(length - 1).copied();
            let range = &self.by_bytes[low..high];
            let start = range.partition_point(|id| at(id) < byte);
            let end = range.partition_point(|id| at(id) <= byte);
            (low, high) = (low + start, low + end);
            if low == high {
                return;
            }
            let exact =
                self.by_bytes[low..high].partition_point(|&id| self.piece(id).len() == length);
            if exact > 0 {
                found(length, self.by_bytes[low + exact - 1]);
            }
        }
    }

    /// The pieces of `word` (byte ranges) with their ids: `tokenizers`' `encode_optimized`.
    fn segment(&self, word: &str) -> Vec<(Range<usize>, u32)> {
        let size = word.len();
        let unreached = Best {
            score: 0.0,
            start: None,
            id: 0,
        };
        let mut best = vec![unreached; size + 1];
        let mut start = 0;
        while start < size {
            let so_far = best[start].score;
            let char_len = word[start..].chars().next().map_or(1, char::len_utf8);
            let mut offer = |end: usize, id: u32, score: f64| {
                let node = &mut best[end];
                if node.start.is_none() || score + so_far > node.score {
                    *node = Best {
                        score: score + so_far,
                        start: Some(start),
                        id,
                    };
                }
            };
            let mut single_char = false;
            self.prefixes_of(&word.as_bytes()[start..], |length, id| {
                offer(start + length, id, self.pieces[id as usize].1);
                single_char |= length == char_len;
            });
            if !single_char {
                offer(start + char_len, self.unknown, self.unknown_score);
            }
            start += char_len;
        }
        // Back from the end; a run of unknown characters becomes one `<unk>`. (It never spells
        // a piece: that piece would have scored higher than the run.)
        let mut pieces = Vec::new();
        let mut unknown_run_end = None;
        let mut end = size;
        while end > 0 {
            let node = best[end];
            let from = node.start.expect("every character boundary is reached");
            if node.id == self.unknown {
                unknown_run_end.get_or_insert(end);
            } else {
                if let Some(run_end) = unknown_run_end.take() {
                    pieces.push((end..run_end, self.unknown));
                }
                pieces.push((from..end, node.id));
            }
            end = from;
        }
        if let Some(run_end) = unknown_run_end {
            pieces.push((0..run_end, self.unknown));
        }
        pieces.reverse();
        pieces
    }

    /// The id of `piece`, the last one if it occurs more than once.
    fn find(&self, piece: &str) -> Option<u32> {
        let end = self
            .by_bytes
            .partition_point(|&id| self.piece(id).cmp(piece.as_bytes()) != Ordering::Greater);
        (end > 0 && self.piece(self.by_bytes[end - 1]) == piece.as_bytes())
            .then(|| self.by_bytes[end - 1])
    }
}

impl Model for SortedUnigram {
    type Trainer = UnigramTrainer;

    fn tokenize(&self, sequence: &str) -> tokenizers::Result<Vec<Token>> {
        Ok(self
            .segment(sequence)
            .into_iter()
            .map(|(range, id)| {
                Token::new(
                    id,
                    sequence[range.clone()].to_string(),
                    (range.start, range.end),
                )
            })
            .collect())
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.find(token)
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        self.pieces.get(id as usize).map(|(piece, _)| piece.clone())
    }

    fn get_vocab(&self) -> HashMap<String, u32> {
        (self.pieces.iter().enumerate())
            .map(|(id, (piece, _))| (piece.clone(), id as u32))
            .collect()
    }

    fn get_vocab_size(&self) -> usize {
        self.pieces.len()
    }

    fn save(&self, _folder: &Path, _prefix: Option<&str>) -> tokenizers::Result<Vec<PathBuf>> {
        Err("this Unigram model is read from tokenizer.json and not saved".into())
    }

    fn get_trainer(&self) -> UnigramTrainer {
        UnigramTrainer::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenizers::models::unigram::Unigram;

    /// Pieces with ties, a duplicate, multi-byte characters, a two-character piece whose
    /// characters are not pieces, and "jkm", whose best split beats an `<unk>` by one.
    fn vocabulary() -> Vec<(String, f64)> {
        [
            ("<unk>", 0.0),
            ("a", -1.0),
            ("b", -1.5),
            ("ab", -2.5),
            ("abc", -3.0),
            ("c", -1.2),
            ("bc", -2.0),
            ("中", -2.0),
            ("中文", -3.0),
            ("文", -2.5),
            ("xy", -4.0),
            ("b", -1.5),
            ("▁", -0.5),
            ("▁a", -1.1),
            ("é", -2.0),
            ("zz", -20.0),
            ("jk", -19.0),
            ("m", -11.0),
            ("km", -1.0),
        ]
        .iter()
        .map(|(piece, score)| (piece.to_string(), *score))
        .collect()
    }

    #[test]
    fn splits_as_tokenizers_unigram_does() {
        let ours = SortedUnigram::new(vocabulary(), 0).unwrap();
        let reference = Unigram::from(vocabulary(), Some(0), false).unwrap();
        for text in [
            "",
            "a",
            "abc",
            "abcabc",
            "bcab",
            "中文中",
            "文中文",
            "xy",
            "xyz",
            "zz",
            "q中q",
            "▁abc",
            "▁▁a",
            "ééa",
            "e\u{301}",
            "😀a😀😀",
            "abxyc",
            "cba",
            "jkm",
            "jkmjkm",
            "zzjkm",
        ] {
            let tokens = |model: &dyn Fn(&str) -> tokenizers::Result<Vec<Token>>| {
                model(text)
                    .unwrap()
                    .into_iter()
                    .map(|t| (t.id, t.value, t.offsets))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                tokens(&|t| ours.tokenize(t)),
                tokens(&|t| reference.tokenize(t)),
                "{text:?}"
            );
        }
        for piece in ["a", "b", "中文", "xy", "nope"] {
            assert_eq!(
                ours.token_to_id(piece),
                reference.token_to_id(piece),
                "{piece}"
            );
        }
    }

    #[test]
    fn refuses_an_unknown_id_outside_the_pieces() {
        assert!(SortedUnigram::new(vocabulary(), 99).is_err());
    }
}
